// What the persistent volume controller's files share: the resources it watches, the
// annotations it reads and writes on claims, volumes and classes, and small readers of them.
#pragma once

#include "client/apiclient.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QLoggingCategory>
#include <QString>

namespace timonel::controllers::persistentvolume {

Q_DECLARE_LOGGING_CATEGORY(lcVolumes)

inline const client::Resource claims{QString(), QStringLiteral("v1"),
                                     QStringLiteral("persistentvolumeclaims")};
inline const client::Resource volumes{QString(), QStringLiteral("v1"),
                                      QStringLiteral("persistentvolumes")};
inline const client::Resource classes{QStringLiteral("storage.k8s.io"), QStringLiteral("v1"),
                                      QStringLiteral("storageclasses")};
inline const client::WriteQuery asController{QStringLiteral("kube-controller-manager"), false,
                                             false};

inline const QString annBindCompleted = QStringLiteral("pv.kubernetes.io/bind-completed");
inline const QString annBoundByController = QStringLiteral("pv.kubernetes.io/bound-by-controller");
inline const QString annProvisionedBy = QStringLiteral("pv.kubernetes.io/provisioned-by");
inline const QString annSelectedNode = QStringLiteral("volume.kubernetes.io/selected-node");
inline const QString annStorageProvisioner =
    QStringLiteral("volume.kubernetes.io/storage-provisioner");
inline const QString annBetaStorageProvisioner =
    QStringLiteral("volume.beta.kubernetes.io/storage-provisioner");
inline const QString annDefaultClass =
    QStringLiteral("storageclass.kubernetes.io/is-default-class");
inline const QString annBetaDefaultClass =
    QStringLiteral("storageclass.beta.kubernetes.io/is-default-class");

inline QJsonObject objectAt(const QJsonObject &o, QStringView key)
{
    return o.value(key).toObject();
}

inline QJsonObject metaOf(const QJsonObject &o)
{
    return objectAt(o, u"metadata");
}

inline QString nameOf(const QJsonObject &o)
{
    return metaOf(o).value(u"name").toString();
}

inline QString uidOf(const QJsonObject &o)
{
    return metaOf(o).value(u"uid").toString();
}

inline QJsonObject specOf(const QJsonObject &o)
{
    return objectAt(o, u"spec");
}

inline QString phaseOf(const QJsonObject &o)
{
    return objectAt(o, u"status").value(u"phase").toString();
}

inline bool hasAnnotation(const QJsonObject &o, const QString &key)
{
    return objectAt(metaOf(o), u"annotations").contains(key);
}

inline QString annotation(const QJsonObject &o, const QString &key)
{
    return objectAt(metaOf(o), u"annotations").value(key).toString();
}

inline void setAnnotation(QJsonObject &o, const QString &key, const QString &value)
{
    QJsonObject meta = metaOf(o);
    QJsonObject annotations = objectAt(meta, u"annotations");
    annotations.insert(key, value);
    meta.insert(QStringLiteral("annotations"), annotations);
    o.insert(QStringLiteral("metadata"), meta);
}

inline void setSpec(QJsonObject &o, const QString &key, const QJsonValue &value)
{
    QJsonObject spec = specOf(o);
    if (value.isUndefined())
        spec.remove(key);
    else
        spec.insert(key, value);
    o.insert(QStringLiteral("spec"), spec);
}

inline QString claimKey(const QJsonObject &claim)
{
    return metaOf(claim).value(u"namespace").toString() + u'/' + nameOf(claim);
}

// Events need the kind of the object they are about; list items may come without it.
inline QJsonObject withKind(QJsonObject o, const QString &kind)
{
    o.insert(QStringLiteral("apiVersion"), QStringLiteral("v1"));
    o.insert(QStringLiteral("kind"), kind);
    return o;
}

inline QJsonObject claimRefOf(const QJsonObject &volume)
{
    return objectAt(specOf(volume), u"claimRef");
}

} // namespace timonel::controllers::persistentvolume
