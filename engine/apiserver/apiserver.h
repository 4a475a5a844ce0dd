#pragma once

#include "resourcestore.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QString>

#include <chrono>
#include <expected>
#include <memory>

namespace timonel::core {
class SchemaRegistry;
}

namespace timonel::http {
class HttpExchange;
class HttpServer;
}

namespace timonel::apiserver {

using http::HttpExchange;
using http::HttpServer;

class CustomResources;
class MetricsApi;
class RestHandler;
class NodeProxy;
class Storage;

struct ApiServerOptions
{
    QHostAddress address = QHostAddress::Any;
    quint16 port = 6443;
    QString certificateFile; // PEM server certificate
    QString keyFile;         // PEM private key
    QString clientCaFile;    // CA whose client certificates are accepted
    QString dataDirectory;   // where the storage keeps its database
    QString encryptionKeyFile; // 32-byte key that encrypts Secrets at rest (created if missing)
    ClusterNetwork network;
    QString advertiseAddress; // the control plane's address, for the `kubernetes` Endpoints
    bool plainHttp = false;   // tests and benchmarks only: no TLS, no authentication
    // The API server's client certificate towards node agents (logs, exec, port-forward).
    QString kubeletClientCertificateFile;
    QString kubeletClientKeyFile;
    // How often node agents' resource metrics are scraped for metrics.k8s.io (kubectl top).
    std::chrono::milliseconds metricResolution{15000};
};

// The Kubernetes API server of a control-plane node: HTTPS with client certificates, the REST
// API of every built-in kind and of CustomResourceDefinitions, over SQLite storage.
class ApiServer : public QObject
{
    Q_OBJECT
public:
    explicit ApiServer(ApiServerOptions options, QObject *parent = nullptr);
    ~ApiServer() override;

    std::expected<void, QString> start();
    void stop();
    quint16 port() const;

    // The registry the in-process clients (controllers, scheduler) write through.
    ResourceStore &store();

private:
    void handle(HttpExchange *exchange);
    bool handleNonResource(HttpExchange *exchange);
    void bootstrap();
    void publishEndpoints(const WriteOptions &system);
    void invalidateOpenApi();

    ApiServerOptions m_options;
    std::unique_ptr<core::SchemaRegistry> m_schemas;
    std::unique_ptr<Storage> m_storage;
    std::unique_ptr<ResourceStore> m_store;
    std::unique_ptr<CustomResources> m_customResources;
    std::unique_ptr<RestHandler> m_rest;
    std::unique_ptr<NodeProxy> m_nodeProxy;
    std::unique_ptr<MetricsApi> m_metrics;
    std::unique_ptr<HttpServer> m_http;
    QJsonObject m_openApiRoot; // cached; empty when stale
    QHash<QString, QByteArray> m_openApiDocuments;
};

// What /version answers: Kubernetes 1.32 compatibility, so that kubectl's version dispatcher
// picks its 1.32 client.
QByteArray versionDocument();

} // namespace timonel::apiserver
