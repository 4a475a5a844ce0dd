// The cells of persistent volumes and their claims, storage classes and CSI drivers.
#include "printers_p.h"

using namespace Qt::StringLiterals;

namespace timonel::apiserver::printing {

QJsonValue phaseOrTerminating(O o, N)
{
    if (isSet(at(o, {u"metadata", u"deletionTimestamp"})))
        return u"Terminating"_s;
    return at(o, {u"status", u"phase"}).toString();
}

QJsonValue storageClassOf(O o, N)
{
    const QJsonObject annotations = at(o, {u"metadata", u"annotations"}).toObject();
    const auto beta = annotations.constFind(u"volume.beta.kubernetes.io/storage-class"_s);
    if (beta != annotations.constEnd())
        return beta->toString();
    return at(o, {u"spec", u"storageClassName"}).toString();
}

QJsonValue pvClaim(O o, N)
{
    const QJsonValue ref = at(o, {u"spec", u"claimRef"});
    if (!ref.isObject())
        return u""_s;
    return ref[u"namespace"].toString() + u'/' + ref[u"name"].toString();
}

QJsonValue pvcCapacity(O o, N)
{
    if (at(o, {u"spec", u"volumeName"}).toString().isEmpty())
        return u""_s;
    return quantityText(at(o, {u"status", u"capacity", u"storage"}));
}

QJsonValue pvcAccessModes(O o, N)
{
    if (at(o, {u"spec", u"volumeName"}).toString().isEmpty())
        return u""_s;
    return accessModes(at(o, {u"status", u"accessModes"}));
}

QJsonValue storageClassName(O o, N)
{
    const QJsonObject annotations = at(o, {u"metadata", u"annotations"}).toObject();
    const bool isDefault =
        annotations.value(u"storageclass.kubernetes.io/is-default-class").toString() == u"true" ||
        annotations.value(u"storageclass.beta.kubernetes.io/is-default-class").toString() ==
            u"true";
    const QString name = at(o, {u"metadata", u"name"}).toString();
    return isDefault ? name + u" (default)"_s : name;
}

QJsonValue storageClassAllowVolumeExpansion(O o, N)
{
    return o.value(u"allowVolumeExpansion").toBool();
}

QJsonValue csiDriverModes(O o, N)
{
    return orElse(joined(at(o, {u"spec", u"volumeLifecycleModes"}).toArray()), u"<none>"_s);
}

QJsonValue csiDriverTokenRequests(O o, N)
{
    const QJsonValue requests = at(o, {u"spec", u"tokenRequests"});
    if (!requests.isArray())
        return u"<unset>"_s;
    QStringList audiences;
    for (const QJsonValue &r : requests.toArray())
        audiences.append(r[u"audience"].toString());
    return audiences.join(u',');
}

} // namespace timonel::apiserver::printing
