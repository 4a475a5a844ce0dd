#include "requestinfo.h"

using namespace Qt::StringLiterals;

namespace timonel::apiserver {

RequestInfo parseRequestInfo(const QByteArray &method, const QString &path, const QUrlQuery &query)
{
    RequestInfo info;
    info.verb = QString::fromLatin1(method).toLower();
    QStringList parts = path.split(u'/', Qt::SkipEmptyParts);
    if (parts.isEmpty() || (parts[0] != u"api" && parts[0] != u"apis"))
        return info;
    info.apiPrefix = parts.takeFirst();
    if (info.apiPrefix == u"apis") {
        if (parts.isEmpty())
            return info;
        info.group = parts.takeFirst();
    }
    if (parts.isEmpty())
        return info;
    info.version = parts.takeFirst();
    if (parts.isEmpty())
        return info;
    info.isResourceRequest = true;
    info.parts = parts;

    // The deprecated /watch/ prefix still works in Kubernetes.
    bool watchPrefix = false;
    if (parts[0] == u"watch") {
        watchPrefix = true;
        parts.removeFirst();
        if (parts.isEmpty()) {
            info.isResourceRequest = false;
            return info;
        }
    }
    if (parts[0] == u"namespaces" && parts.size() >= 2) {
        info.namespaceName = parts[1];
        // "namespaces/x/status" and "namespaces/x/finalize" are subresources of the namespace.
        if (parts.size() > 2 && parts[2] != u"status" && parts[2] != u"finalize")
            parts = parts.mid(2);
    }
    info.resource = parts.value(0);
    info.name = parts.value(1);
    info.subresource = parts.value(2);
    if (parts.size() > 3) { // e.g. services/x/proxy/some/path
        info.subresource = parts[2];
    }

    const QString w = query.queryItemValue(u"watch"_s);
    const bool watch = watchPrefix || w == u"true" || w == u"1";
    if (method == "GET" || method == "HEAD")
        info.verb = info.name.isEmpty() ? (watch ? u"watch"_s : u"list"_s) : u"get"_s;
    else if (method == "POST")
        info.verb = u"create"_s;
    else if (method == "PUT")
        info.verb = u"update"_s;
    else if (method == "PATCH")
        info.verb = u"patch"_s;
    else if (method == "DELETE")
        info.verb = info.name.isEmpty() ? u"deletecollection"_s : u"delete"_s;
    if (watch && method == "GET" && !info.name.isEmpty())
        info.verb = u"watch"_s; // watch of a single object by name
    return info;
}

} // namespace timonel::apiserver
