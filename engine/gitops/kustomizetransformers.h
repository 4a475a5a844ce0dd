// The transformers of one kustomization, run in kustomize's order over what its resources and
// generators produced: patches, namespace, namePrefix, nameSuffix, labels and commonLabels,
// commonAnnotations, JSON 6902 patches, replicas, images.
#pragma once

#include "gitops/sourcetree.h"
#include "kustomizefile.h"
#include "kustomizeresource.h"

namespace timonel::gitops::kustomize {

void runTransformers(const Kustomization &kustomization, const SourceTree &tree,
                     Resources &resources, QList<RenderProblem> &problems);

// The transformers one by one. Problems are reported against the object concerned.
void setNamespace(Resources &resources, const QString &ns, QList<RenderProblem> &problems);
void addNamePrefix(Resources &resources, const QString &prefix, QList<RenderProblem> &problems);
void addNameSuffix(Resources &resources, const QString &suffix, QList<RenderProblem> &problems);
void addLabels(Resources &resources, const StringMap &labels, const FieldSpecs &specs,
               QList<RenderProblem> &problems);
void addAnnotations(Resources &resources, const StringMap &annotations,
                    QList<RenderProblem> &problems);
void setImage(Resources &resources, const ImageOverride &image, QList<RenderProblem> &problems);
// False when no object has that name.
bool setReplicas(Resources &resources, const ReplicaCount &replicas,
                 QList<RenderProblem> &problems);

} // namespace timonel::gitops::kustomize
