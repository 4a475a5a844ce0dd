// What the DaemonSet controller's files share: small readers of API objects and what daemon
// pods look like (their target node, node affinity, revision), as Kubernetes' daemon/util.
#pragma once

#include "client/apiclient.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QPointer>
#include <QString>

#include <optional>

namespace timonel::controllers::daemonset {

Q_DECLARE_LOGGING_CATEGORY(lcDaemonSets)

extern const client::Resource daemonSetsResource;
extern const client::Resource podsResource;
extern const client::Resource nodesResource;
extern const client::Resource revisionsResource;
extern const client::WriteQuery asController;
extern const QString revisionLabel;   // controller-revision-hash
extern const QString generationLabel; // pod-template-generation

QJsonObject metaOf(const QJsonObject &o);
QJsonObject specOf(const QJsonObject &o);
QJsonObject statusOf(const QJsonObject &o);
QString nameOf(const QJsonObject &o);
QString nsOf(const QJsonObject &o);
QString uidOf(const QJsonObject &o);
QString phaseOf(const QJsonObject &pod);
QJsonObject labelsOf(const QJsonObject &o);
QJsonObject templateSpecOf(const QJsonObject &ds);

// The node a daemon pod is on, or is meant for through its metadata.name node affinity.
QString targetNode(const QJsonObject &pod);
// The affinity with its required node terms replaced by metadata.name In [node].
QJsonObject withNodeAffinity(QJsonObject affinity, const QString &node);
// The deprecated.daemonset.template.generation annotation, when the API server set one.
std::optional<QString> templateGeneration(const QJsonObject &ds);
// The pod runs the current template: its hash, or the template generation it was made for.
bool isUpdated(const QJsonObject &pod, const QString &hash,
               const std::optional<QString> &generation);
void sortOldestScheduledFirst(QList<QJsonObject> &pods);
// An int-or-percent of `total`, percentages rounded up; `fallback` when unset.
int scaled(const QJsonValue &value, int total, int fallback);
QJsonObject rollingUpdateOf(const QJsonObject &ds); // empty unless RollingUpdate
int surgeCount(const QJsonObject &ds, int total);
bool isAvailable(const QJsonObject &pod, const QJsonObject &ds);

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

} // namespace timonel::controllers::daemonset
