// Kubernetes' ControllerRefManager: which objects a controller owns. A controller claims the
// objects its selector matches, adopting orphans and letting go of what no longer matches, so
// that two controllers never fight over one object and a relabelled pod leaves its owner.
#pragma once

#include "client/apiclient.h"

#include <QJsonObject>
#include <QList>
#include <QObject>

#include <functional>
#include <optional>

namespace timonel::core {
class LabelSelector;
}

namespace timonel::controllers {

// Of `candidates` (objects of `resource` in the owner's namespace), answers those `owner`
// controls and `selector` matches: matching orphans are adopted (after a fresh read of the
// owner, whose deletion its cache may not show yet), controlled objects that stopped matching
// are released, both by strategic-merge patches of ownerReferences. `shape` is applied to
// adopted objects as the server returns them. nullopt when a patch failed; nothing is called
// once `context` is gone.
void claimObjects(client::ApiClient &api, const client::Resource &resource,
                  const client::Resource &ownerResource, const QJsonObject &owner,
                  const core::LabelSelector &selector, const QList<QJsonObject> &candidates,
                  std::function<QJsonObject(const QJsonObject &)> shape, QObject *context,
                  std::function<void(std::optional<QList<QJsonObject>>)> then);

} // namespace timonel::controllers
