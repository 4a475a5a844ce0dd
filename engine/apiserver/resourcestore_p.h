// Small helpers shared by the files of ResourceStore (resourcestore*.cpp).
#pragma once

#include "core/schema.h"

#include <QDateTime>
#include <QJsonObject>

namespace timonel::apiserver::detail {

inline QJsonObject meta(const QJsonObject &o)
{
    return o.value(QLatin1StringView("metadata")).toObject();
}

inline QString nameOf(const QJsonObject &o)
{
    return meta(o).value(QLatin1StringView("name")).toString();
}

inline void setMeta(QJsonObject &o, const QJsonObject &m)
{
    o.insert(QLatin1StringView("metadata"), m);
}

inline QString now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
}

// Kubernetes' kind qualified by group, as its Invalid errors name it: "Deployment.apps".
inline QString qualifiedKind(const core::ResourceInfo &r)
{
    return r.group.isEmpty() ? r.kind : r.kind + u'.' + r.group;
}

inline qint64 revisionOf(const QJsonObject &o)
{
    return meta(o).value(QLatin1StringView("resourceVersion")).toString().toLongLong();
}

inline bool hasSubresource(const core::ResourceInfo &r, QStringView sub)
{
    return r.subresources.contains(sub.toString());
}

} // namespace timonel::apiserver::detail
