// The pod subresources that are actions rather than views of the object: binding (the
// scheduler's assignment of a pod to a node) and eviction (a graceful, disruption-budget-aware
// delete), both POSTed with a body (Binding, Eviction).
#pragma once

#include "resourcestore.h"

namespace timonel::apiserver {

// POST <resource>/<name>/<subresource> with `body` already decoded. Answers the Status the API
// server sends for success ({"kind":"Status","status":"Success",...}, code 201) or an error: a
// 404 for a missing pod, 409 for a pod already bound to a node ("pod x is already assigned to
// node y"), 405 for subresources that are not actions.
void createPodSubresource(ResourceStore &store, const core::ResourceInfo &r, const QString &ns,
                          const QString &name, const QString &subresource,
                          const QJsonObject &body, const WriteOptions &options,
                          std::function<void(ApiResult<QJsonObject>)> done);

} // namespace timonel::apiserver
