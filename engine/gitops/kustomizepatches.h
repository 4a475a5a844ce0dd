// patchesStrategicMerge, patches and patchesJson6902: strategic merge patches (merged by the
// built-in kinds' schemas, as kustomize merges by its OpenAPI) and RFC 6902 JSON patches,
// aimed at an object by the patch's own id or by a target selector (regular expressions for
// names and namespaces, label and annotation selectors).
#pragma once

#include "gitops/sourcetree.h"
#include "kustomizefile.h"
#include "kustomizeresource.h"

namespace timonel::gitops::kustomize {

void applyStrategicMergePatches(const Kustomization &kustomization, const SourceTree &tree,
                                Resources &resources, QList<RenderProblem> &problems);
void applyPatches(const Kustomization &kustomization, const SourceTree &tree, Resources &resources,
                  QList<RenderProblem> &problems);
void applyJson6902Patches(const Kustomization &kustomization, const SourceTree &tree,
                          Resources &resources, QList<RenderProblem> &problems);

} // namespace timonel::gitops::kustomize
