// Name references, fixed once the whole build is done (kustomize's nameReferenceTransformer):
// a field that names an object which a prefix, suffix, namespace or hash renamed follows it.
// The referred object is found by the names it had, its kind, the referrer's namespace, and,
// among several, by sharing the referrer's prefixes and suffixes.
#pragma once

#include "kustomizeresource.h"

namespace timonel::gitops::kustomize {

void fixNameReferences(Resources &resources, QList<RenderProblem> &problems);

} // namespace timonel::gitops::kustomize
