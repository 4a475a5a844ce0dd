// Taints and tolerations, as the scheduler, the DaemonSet controller and the node lifecycle
// controller all read them (k8s.io/api/core/v1 ToleratesTaint).
#pragma once

#include <QJsonArray>
#include <QJsonObject>

namespace timonel::core {

// Whether `toleration` tolerates `taint`: the same effect (or none given), the same key (or none
// given, with Exists), and for Equal (the default operator) the same value.
bool toleratesTaint(const QJsonObject &toleration, const QJsonObject &taint);
// Whether any of `tolerations` tolerates `taint`.
bool toleratesTaint(const QJsonArray &tolerations, const QJsonObject &taint);

} // namespace timonel::core
