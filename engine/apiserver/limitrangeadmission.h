// LimitRanges: their API defaults and validation, and the LimitRanger admission plugin
// (plugin/pkg/admission/limitranger) that gives new pods' containers the namespace's default
// requests and limits and refuses pods, containers and claims outside its min, max and
// limit/request ratio.
#pragma once

#include "apierror.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace timonel::apiserver {

// SetDefaults_LimitRangeItem: a Container item's default takes max where it has none, then its
// defaultRequest takes default, then min.
void defaultLimitRange(QJsonObject &limitRange);
// ValidateLimitRange: one item per type; min <= defaultRequest <= default <= max;
// maxLimitRequestRatio at least 1; no defaults for Pod; a PersistentVolumeClaim item bounds
// storage.
FieldErrors validateLimitRange(const QJsonObject &limitRange);

// Whether the plugin looks at a write: a create of a pod, a create or update of a claim, never
// a subresource, nor an object already being deleted.
bool limitRangerHandles(const QString &groupResource, const QString &subresource,
                        const QJsonObject *old);

// The plugin's mutation of a new pod: every container and init container gets the Container
// defaults (default as limits, defaultRequest as requests) it leaves out, and the pod the
// annotation kubernetes.io/limit-ranger saying what was set. True when the pod changed.
bool applyLimitRangeDefaults(QJsonObject &pod, const QList<QJsonObject> &limitRanges);

// The plugin's validation: what the first LimitRange that the pod or claim violates says, as
// Kubernetes words it ("maximum memory usage per Container is 1Gi, but limit is 2Gi"; several
// in brackets); nullopt when it violates none. The caller makes it a Forbidden error.
std::optional<QString> limitRangeViolation(const QString &groupResource, const QJsonObject &object,
                                           const QList<QJsonObject> &limitRanges);

} // namespace timonel::apiserver
