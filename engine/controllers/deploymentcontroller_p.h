// What deploymentcontroller.cpp and deploymentrollout.cpp share: the state of one sync pass and
// the readings of Deployments and ReplicaSets that Kubernetes keeps in deployment/util.
#pragma once

#include "deploymentcontroller.h"

#include "client/apiclient.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QLoggingCategory>

#include <functional>

Q_DECLARE_LOGGING_CATEGORY(lcDeployment)

namespace timonel::controllers::deployment {

inline const client::Resource deploymentsResource{QStringLiteral("apps"), QStringLiteral("v1"),
                                                  QStringLiteral("deployments")};
inline const client::Resource replicaSetsResource{QStringLiteral("apps"), QStringLiteral("v1"),
                                                  QStringLiteral("replicasets")};
inline const client::Resource podsResource{QString(), QStringLiteral("v1"), QStringLiteral("pods")};
inline const client::WriteQuery asControllerManager{QStringLiteral("kube-controller-manager"),
                                                    false, false};

inline const QString hashLabel = QStringLiteral("pod-template-hash");
inline const QString revisionAnnotation = QStringLiteral("deployment.kubernetes.io/revision");
inline const QString revisionHistoryAnnotation =
    QStringLiteral("deployment.kubernetes.io/revision-history");
inline const QString desiredReplicasAnnotation =
    QStringLiteral("deployment.kubernetes.io/desired-replicas");
inline const QString maxReplicasAnnotation =
    QStringLiteral("deployment.kubernetes.io/max-replicas");

// Condition types and reasons (deployment/util).
inline const QString available = QStringLiteral("Available");
inline const QString progressing = QStringLiteral("Progressing");
inline const QString replicaFailure = QStringLiteral("ReplicaFailure");
inline const QString newRSAvailableReason = QStringLiteral("NewReplicaSetAvailable");
inline const QString timedOutReason = QStringLiteral("ProgressDeadlineExceeded");
inline const QString pausedReason = QStringLiteral("DeploymentPaused");

QJsonObject metaOf(const QJsonObject &o);
QJsonObject specOf(const QJsonObject &o);
QJsonObject statusOf(const QJsonObject &o);
QString nameOf(const QJsonObject &o);
QString nsOf(const QJsonObject &o);
QString uidOf(const QJsonObject &o);
QString annotation(const QJsonObject &o, const QString &key);
int replicasOf(const QJsonObject &o); // spec.replicas
int statusCount(const QJsonObject &o, const QString &field);
QString now();

// ReplicaSet lists as Kubernetes sorts and sums them.
QList<QJsonObject> byCreation(QList<QJsonObject> rss, bool newestFirst = false);
QList<QJsonObject> activeOnly(const QList<QJsonObject> &rss); // spec.replicas > 0
int sumReplicas(const QList<QJsonObject> &rss);               // spec.replicas
int sumStatus(const QList<QJsonObject> &rss, const QString &field);

bool isRollingUpdate(const QJsonObject &d);
int maxSurge(const QJsonObject &d);
int maxUnavailable(const QJsonObject &d);
bool hasProgressDeadline(const QJsonObject &d);
// The replicas a new ReplicaSet may have now: up to the surge limit (rolling), all (recreate).
int newReplicaSetReplicas(const QJsonObject &d, const QList<QJsonObject> &all,
                          const QJsonObject &newRS);

// Gives a List item the apiVersion and kind its list left out ("ReplicaSet").
QJsonObject withKind(QJsonObject o, const QString &kind);
// The revision annotation as a number (0 when missing or not a number).
qint64 revisionOf(const QJsonObject &rs);
bool setReplicasAnnotations(QJsonObject &rs, int desired, int max);
bool replicasAnnotationsNeedUpdate(const QJsonObject &rs, int desired, int max);
// As SetNewReplicaSetAnnotations: the Deployment's annotations, the revision (raised only; the
// one it had goes to revision-history: a rollback), and for a ReplicaSet about to be created
// the replicas annotations. Whether anything changed.
bool setNewReplicaSetAnnotations(const QJsonObject &d, QJsonObject &rs, const QString &newRevision,
                                 bool exists);
bool setDeploymentRevision(QJsonObject &d, const QString &revision);
// The ReplicaSet running the Deployment's template: the oldest, should there be several.
QString findNewReplicaSet(const QJsonObject &d, const QList<QJsonObject> &rss);

QJsonObject conditionOf(const QJsonObject &status, const QString &type);
QJsonObject newCondition(const QString &type, const QString &status, const QString &reason,
                         const QString &message);
// As SetDeploymentCondition: same status and reason is no change; same status keeps the
// transition time; the condition goes last.
void setCondition(QJsonObject &status, QJsonObject condition);
void removeCondition(QJsonObject &status, const QString &type);

// The status Kubernetes' calculateStatus gives, with the Available condition.
QJsonObject calculateStatus(const QJsonObject &d, const QList<QJsonObject> &all,
                            const QJsonObject &newRS);
// Equal as Go structs are: zero counts and empty lists count as absent.
bool sameStatus(const QJsonObject &a, const QJsonObject &b);
bool deploymentComplete(const QJsonObject &d, const QJsonObject &status);

} // namespace timonel::controllers::deployment

namespace timonel::controllers {

// One sync pass over a Deployment: what it read, updated with what it wrote, so that later
// steps of the pass neither act on stale objects nor conflict with the pass's own writes.
struct DeploymentController::Run
{
    QString key;
    QJsonObject d;
    QString storedRevision;                         // the revision annotation the server has
    QList<QJsonObject> rss;                         // the ReplicaSets the Deployment controls
    QHash<QString, QList<QJsonObject>> podsByOwner; // ReplicaSet uid -> its pods
    QString newName;                                // the new ReplicaSet, "" until there is one
    std::function<void(bool retry)> done;

    QJsonObject replicaSet(const QString &name) const;
    QJsonObject newRS() const { return newName.isEmpty() ? QJsonObject() : replicaSet(newName); }
    QList<QJsonObject> oldRSs() const; // every other one
    QList<QJsonObject> all() const;    // old ones, then the new one if any
    void replace(const QJsonObject &rs);
    void finish(bool ok) const { done(!ok); }
};

// Runs step(i, next) for i in [0, count) one after the other; done(false) at the first failure.
void inTurn(int count, std::function<void(int, std::function<void(bool)>)> step,
            std::function<void(bool)> done);

} // namespace timonel::controllers
