// How a synced object is doing, in the words Argo CD users know: Healthy, Progressing, Degraded,
// Suspended, or Missing (git has it, the cluster does not), with a one-line reason; and a sync's
// overall status from its objects.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace timonel::gitops {

enum class Health
{
    Healthy,
    Progressing,
    Degraded,
    Suspended,
    Missing,
};

struct ObjectHealth
{
    Health health = Health::Healthy;
    QString message; // "2/3 replicas available", "" when there is nothing to say
};

// The object as the cluster has it; nullopt when it is missing.
ObjectHealth healthOf(const std::optional<QJsonObject> &live);

// The worst of the objects' health: Degraded > Missing > Progressing > Suspended > Healthy.
Health overallHealth(const QList<Health> &objects);

QString healthName(Health health); // "Healthy", ... as Argo CD prints them

} // namespace timonel::gitops
