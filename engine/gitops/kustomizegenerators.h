// configMapGenerator and secretGenerator: ConfigMaps and Secrets made from literals, files and
// env files, marked for kustomize's name-content hash suffix, and created, merged into or
// replacing the objects the kustomization's resources already hold (behavior create, merge,
// replace).
#pragma once

#include "gitops/sourcetree.h"
#include "kustomizefile.h"
#include "kustomizeresource.h"

namespace timonel::gitops::kustomize {

void runGenerators(const Kustomization &kustomization, const SourceTree &tree, Resources &resources,
                   QList<RenderProblem> &problems);

// kyaml's encodeBase64: standard base64, broken after every 70 characters when longer.
QString wrappedBase64(const QByteArray &data);

} // namespace timonel::gitops::kustomize
