// The REST verbs of resources over HTTP: decoding bodies (JSON, YAML, protobuf, patches),
// query options, content negotiation (plain JSON or Table), and watch streams.
#pragma once

#include "requestinfo.h"
#include "resourcestore.h"
#include "tablerowcache.h"

#include <QObject>

namespace timonel::http {
class HttpExchange;
}

namespace timonel::apiserver {

using http::HttpExchange;


class NodeProxy;

class RestHandler : public QObject
{
    Q_OBJECT
public:
    explicit RestHandler(ResourceStore &store, QObject *parent = nullptr);

    void handle(HttpExchange *exchange, const RequestInfo &info);
    // Serves pods/log, exec, attach and portforward; without one they answer 405.
    void setNodeProxy(NodeProxy *proxy) { m_nodeProxy = proxy; }

private:
    void get(HttpExchange *exchange, const core::ResourceInfo &r, const RequestInfo &info);
    void list(HttpExchange *exchange, const core::ResourceInfo &r, const RequestInfo &info);
    void listStored(HttpExchange *exchange, const core::ResourceInfo &r, const RequestInfo &info,
                    const ListOptions &options);
    void watch(HttpExchange *exchange, const core::ResourceInfo &r, const RequestInfo &info);
    void write(HttpExchange *exchange, const core::ResourceInfo &r, const RequestInfo &info);
    void remove(HttpExchange *exchange, const core::ResourceInfo &r, const RequestInfo &info);
    void createSubresource(HttpExchange *exchange, const core::ResourceInfo &r,
                           const RequestInfo &info);

    ResourceStore &m_store;
    TableRowCache m_rows;
    NodeProxy *m_nodeProxy = nullptr;
};

// Sends a Status for the error, with its HTTP code.
void respondError(HttpExchange *exchange, const ApiError &error);
void respondJson(HttpExchange *exchange, int status, const QJsonObject &body,
                 const QStringList &warnings = {},
                 const QByteArray &contentType = QByteArrayLiteral("application/json"));

} // namespace timonel::apiserver
