// What the StatefulSet controller's files share: the identity of a set's pods (names, ordinals,
// labels, claims) and small readers of API objects, as Kubernetes' stateful_set_utils.go.
#pragma once

#include "client/apiclient.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QPointer>
#include <QString>

#include <optional>
#include <utility>

namespace timonel::controllers::statefulset {

Q_DECLARE_LOGGING_CATEGORY(lcStatefulSets)

extern const client::Resource statefulSetsResource;
extern const client::Resource podsResource;
extern const client::Resource claimsResource;
extern const client::Resource revisionsResource;
extern const client::WriteQuery asController;
extern const QString revisionLabel; // controller-revision-hash

QJsonObject metaOf(const QJsonObject &o);
QJsonObject specOf(const QJsonObject &o);
QJsonObject statusOf(const QJsonObject &o);
QString nameOf(const QJsonObject &o);
QString nsOf(const QJsonObject &o);
QString uidOf(const QJsonObject &o);
QString phaseOf(const QJsonObject &pod);
QJsonObject labelsOf(const QJsonObject &o);
qint64 resourceVersionOf(const QJsonObject &o);
QJsonObject withKind(QJsonObject o, const QString &apiVersion, const QString &kind);
// Zero values become null, which a merge patch removes: the fields Kubernetes omits when empty.
QJsonValue omitEmpty(qint64 v);
QJsonValue omitEmpty(const QString &v);

// The set's name and the pod's ordinal from "<set>-<ordinal>" (-1: not a set's pod name).
std::pair<QString, int> parentAndOrdinal(const QJsonObject &pod);
int ordinalOf(const QJsonObject &pod);
int startOrdinal(const QJsonObject &set);
int replicasOf(const QJsonObject &set);
bool inOrdinalRange(const QJsonObject &pod, const QJsonObject &set);

bool isCreated(const QJsonObject &pod); // has a phase: the API server has it
bool isRunningAndReady(const QJsonObject &pod);
bool isAvailable(const QJsonObject &pod, const QJsonObject &set); // ready for minReadySeconds
bool isHealthy(const QJsonObject &pod);                            // running, ready, not going
QString revisionOf(const QJsonObject &object);                     // its controller-revision-hash

struct RetentionPolicy
{
    bool deleteWhenDeleted = false;
    bool deleteWhenScaled = false;
};
RetentionPolicy retentionOf(const QJsonObject &set);

QList<QJsonObject> claimsFor(const QJsonObject &set, int ordinal);
bool identityMatches(const QJsonObject &set, const QJsonObject &pod);
bool storageMatches(const QJsonObject &set, const QJsonObject &pod);
QJsonObject withIdentity(const QJsonObject &set, QJsonObject pod);
QJsonObject newPod(const QJsonObject &set, const QJsonObject &podTemplate, int ordinal,
                   const QString &revision);
bool refMatches(const QJsonObject &ref, const QString &apiVersion, const QString &kind,
                const QString &name);
std::optional<QJsonArray> claimOwnersFor(const QJsonObject &claim, const QJsonObject &set,
                                         const QJsonObject &pod);

using Reply = client::Result<QJsonObject>;

// A callback that does nothing once `context` is gone.
template<typename F>
client::Callback<QJsonObject> guarded(QObject *context, F f)
{
    return [ctx = QPointer<QObject>(context), f = std::move(f)](Reply r) mutable {
        if (ctx)
            f(std::move(r));
    };
}

} // namespace timonel::controllers::statefulset
