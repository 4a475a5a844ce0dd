#include "persistentvolumes.h"

#include <QJsonArray>

#include <algorithm>

namespace timonel::core {

namespace {

QJsonObject specOf(const QJsonObject &o)
{
    return o.value(u"spec").toObject();
}

} // namespace

QString claimStorageClass(const QJsonObject &claim)
{
    if (const QJsonValue c = specOf(claim).value(u"storageClassName"); c.isString())
        return c.toString();
    return claim.value(u"metadata")
        .toObject()
        .value(u"annotations")
        .toObject()
        .value(betaStorageClassAnnotation)
        .toString();
}

QString volumeModeOf(const QJsonObject &o)
{
    return specOf(o).value(u"volumeMode").toString(QStringLiteral("Filesystem"));
}

bool accessModesFit(const QJsonObject &claim, const QJsonObject &volume)
{
    const QJsonArray offered = specOf(volume).value(u"accessModes").toArray();
    const QJsonArray wanted = specOf(claim).value(u"accessModes").toArray();
    return std::all_of(wanted.begin(), wanted.end(),
                       [&](const QJsonValue &m) { return offered.contains(m); });
}

bool isVolumeBoundToClaim(const QJsonObject &volume, const QJsonObject &claim)
{
    const QJsonObject ref = specOf(volume).value(u"claimRef").toObject();
    if (ref.isEmpty())
        return false;
    const QJsonObject meta = claim.value(u"metadata").toObject();
    if (ref.value(u"name") != meta.value(u"name") ||
        ref.value(u"namespace") != meta.value(u"namespace"))
        return false;
    const QString uid = ref.value(u"uid").toString();
    return uid.isEmpty() || uid == meta.value(u"uid").toString();
}

} // namespace timonel::core
