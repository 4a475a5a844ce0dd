// The per-kind strategies of strategy.cpp, spread over files by kind family.
#pragma once

#include "apierror.h"

#include <QJsonObject>

#include <optional>

namespace timonel::apiserver::strategies {

QJsonObject objectAt(const QJsonObject &o, QStringView key);

// Pods and pod templates (podstrategy.cpp).
void defaultPod(QJsonObject &pod);
void prepareNewPod(QJsonObject &pod);
FieldErrors validatePod(const QJsonObject &pod, const QJsonObject *old);
qint64 podGracePeriod(const QJsonObject &pod, std::optional<qint64> requested);
void defaultTemplate(QJsonObject &object);
FieldErrors validatePodSpec(const QJsonObject &spec, const QString &path);

// Workloads (workloadstrategy.cpp).
void defaultDeployment(QJsonObject &deployment);
void defaultDaemonSet(QJsonObject &daemonSet);
void defaultStatefulSet(QJsonObject &statefulSet);
FieldErrors validateDeploymentLike(const QJsonObject &object, const QJsonObject *old);
void defaultJob(QJsonObject &job);
void prepareNewJob(QJsonObject &job);
FieldErrors validateJob(const QJsonObject &job, const QJsonObject *old);
void defaultCronJob(QJsonObject &cronJob);

} // namespace timonel::apiserver::strategies
