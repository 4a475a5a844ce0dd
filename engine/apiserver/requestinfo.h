// What a request path and method mean to the Kubernetes API (as apiserver's RequestInfoFactory).
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QUrlQuery>

namespace timonel::apiserver {

struct RequestInfo
{
    bool isResourceRequest = false;
    QString verb; // get list watch create update patch delete deletecollection; for other paths the
                  // lower-case HTTP method
    QString apiPrefix; // "api" or "apis"
    QString group;
    QString version;
    QString namespaceName;
    QString resource;
    QString subresource;
    QString name;
    QStringList parts; // path segments after the version
};

RequestInfo parseRequestInfo(const QByteArray &method, const QString &path, const QUrlQuery &query);

} // namespace timonel::apiserver
