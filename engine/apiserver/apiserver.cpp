#include "apiserver.h"

#include "customresources.h"
#include "discovery.h"
#include "http/httpserver.h"
#include "metricsapi.h"
#include "nodeproxy.h"
#include "openapi.h"
#include "requestinfo.h"
#include "resthandler.h"
#include "storage/storage.h"

#include "core/schema.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSysInfo>

using namespace Qt::StringLiterals;
using namespace timonel::http;

Q_LOGGING_CATEGORY(lcApiServer, "timonel.apiserver", QtInfoMsg)

namespace timonel::apiserver {

namespace {

std::expected<QByteArray, QString> readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return std::unexpected(u"cannot read %1: %2"_s.arg(path, f.errorString()));
    return f.readAll();
}

// The cluster's key for Secrets at rest: made once, kept beside the PKI, never in the database.
std::expected<QByteArray, QString> encryptionKey(const QString &path)
{
    if (QFile::exists(path)) {
        auto key = readFile(path);
        if (key && key->size() != 32)
            return std::unexpected(u"%1 does not hold a 32-byte key"_s.arg(path));
        return key;
    }
    const QByteArray key = SecretCipher::generateKey();
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::NewOnly) || f.write(key) != key.size())
        return std::unexpected(u"cannot write %1: %2"_s.arg(path, f.errorString()));
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    return key;
}

void respondText(HttpExchange *exchange, const QByteArray &text)
{
    exchange->respond(200, {{"Content-Type", "text/plain; charset=utf-8"},
                            {"Cache-Control", "no-cache, private"},
                            {"X-Content-Type-Options", "nosniff"}},
                      text);
}

bool acceptsAggregated(const HttpExchange *exchange)
{
    const QByteArray accept = exchange->request().header("Accept");
    return accept.contains("as=APIGroupDiscoveryList") && accept.contains("g=apidiscovery.k8s.io");
}

} // namespace

QByteArray versionDocument()
{
    const QJsonObject v{{u"major"_s, u"1"_s},
                        {u"minor"_s, u"32"_s},
                        {u"gitVersion"_s, u"v1.32.0-timonel." TIMONEL_VERSION ""_s},
                        {u"gitCommit"_s, u"timonel"_s},
                        {u"gitTreeState"_s, u"clean"_s},
                        {u"buildDate"_s, QStringLiteral(__DATE__)},
                        {u"goVersion"_s, u"none"_s},
                        {u"compiler"_s, u"gcc"_s},
                        {u"platform"_s, u"linux/"_s + QSysInfo::buildCpuArchitecture()}};
    return QJsonDocument(v).toJson(QJsonDocument::Compact);
}

ApiServer::ApiServer(ApiServerOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
}

ApiServer::~ApiServer() = default;

ResourceStore &ApiServer::store()
{
    return *m_store;
}

std::expected<void, QString> ApiServer::start()
{
    if (!QDir().mkpath(m_options.dataDirectory))
        return std::unexpected(u"cannot create %1"_s.arg(m_options.dataDirectory));
    QByteArray key(32, '\0');
    if (!m_options.encryptionKeyFile.isEmpty()) {
        auto k = encryptionKey(m_options.encryptionKeyFile);
        if (!k)
            return std::unexpected(k.error());
        key = *k;
    }
    auto storage = Storage::open(m_options.dataDirectory, key, {u"/secrets/"_s});
    if (!storage)
        return std::unexpected(storage.error());
    m_storage = std::move(*storage);
    m_schemas = std::make_unique<core::SchemaRegistry>(core::SchemaRegistry::loadBuiltIn());
    m_store = std::make_unique<ResourceStore>(*m_storage, *m_schemas, m_options.network);
    m_customResources = std::make_unique<CustomResources>(*m_store, *m_schemas);
    connect(m_store.get(), &ResourceStore::customResourceDefinitionWritten,
            m_customResources.get(), &CustomResources::onWritten);
    connect(m_customResources.get(), &CustomResources::resourcesChanged, this,
            &ApiServer::invalidateOpenApi);
    m_customResources->loadAll();
    m_rest = std::make_unique<RestHandler>(*m_store);
    m_nodeProxy = std::make_unique<NodeProxy>(
        *m_store, NodeProxyOptions{m_options.kubeletClientCertificateFile,
                                   m_options.kubeletClientKeyFile, m_options.clientCaFile});
    m_rest->setNodeProxy(m_nodeProxy.get());
    m_metrics = std::make_unique<MetricsApi>(
        *m_store, MetricsApiOptions{{m_options.kubeletClientCertificateFile,
                                     m_options.kubeletClientKeyFile, m_options.clientCaFile},
                                    m_options.metricResolution});
    m_http = std::make_unique<HttpServer>([this](HttpExchange *e) { handle(e); });
    m_http->setTooLargeBody("application/json",
                            QJsonDocument(ApiError::tooLarge().toStatus()).toJson(QJsonDocument::Compact));

    if (m_options.plainHttp) {
        if (auto ok = m_http->listenPlain(m_options.address, m_options.port); !ok)
            return ok;
    } else {
        auto cert = readFile(m_options.certificateFile);
        auto pkey = readFile(m_options.keyFile);
        auto ca = readFile(m_options.clientCaFile);
        for (const auto *r : {&cert, &pkey, &ca})
            if (!*r)
                return std::unexpected(r->error());
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(QSslCertificate(*cert, QSsl::Pem));
        tls.setPrivateKey(QSslKey(*pkey, QSsl::Ec, QSsl::Pem));
        tls.setCaCertificates(QSslCertificate::fromData(*ca, QSsl::Pem));
        tls.setPeerVerifyMode(QSslSocket::QueryPeer);
        if (tls.localCertificate().isNull() || tls.privateKey().isNull())
            return std::unexpected(u"the API server certificate or key is unreadable"_s);
        if (auto ok = m_http->listen(m_options.address, m_options.port, tls); !ok)
            return ok;
    }
    bootstrap();
    m_metrics->start();
    qCInfo(lcApiServer) << "serving on port" << m_http->port();
    return {};
}

void ApiServer::stop()
{
    if (m_metrics)
        m_metrics->stop();
    if (m_http)
        m_http->close();
}

quint16 ApiServer::port() const
{
    return m_http ? m_http->port() : 0;
}

void ApiServer::invalidateOpenApi()
{
    m_openApiRoot = {};
    m_openApiDocuments.clear();
}

void ApiServer::handle(HttpExchange *exchange)
{
    if (!m_options.plainHttp && exchange->request().clientCertificate.isNull())
        return respondError(exchange, ApiError::unauthorized());
    const HttpRequest &request = exchange->request();
    if (MetricsApi::serves(request.path))
        return m_metrics->handle(exchange); // served here, not by an aggregated metrics-server
    if (handleNonResource(exchange))
        return;
    const RequestInfo info = parseRequestInfo(request.method, request.path, request.query);
    if (!info.isResourceRequest)
        return respondError(exchange, ApiError::pathNotFound());
    m_rest->handle(exchange, info);
}

bool ApiServer::handleNonResource(HttpExchange *exchange)
{
    const QString &path = exchange->request().path;
    if (exchange->request().method != "GET")
        return false;
    if (path == u"/healthz" || path == u"/livez" || path == u"/readyz") {
        respondText(exchange, "ok");
        return true;
    }
    if (path == u"/version") {
        // Without no-cache kubectl's version dispatcher caches the answer on disk.
        exchange->respond(200, {{"Content-Type", "application/json"},
                                {"Cache-Control", "no-cache, private"}},
                          versionDocument());
        return true;
    }
    if (path == u"/api" || path == u"/apis") {
        const bool core = path == u"/api";
        if (acceptsAggregated(exchange))
            respondJson(exchange, 200, aggregatedDiscovery(*m_schemas, core), {},
                        aggregatedDiscoveryContentType);
        else
            respondJson(exchange, 200, core ? legacyApiVersions() : legacyApiGroupList(*m_schemas));
        return true;
    }
    const QStringList parts = path.split(u'/', Qt::SkipEmptyParts);
    if (parts.size() == 2 && parts[0] == u"api" && parts[1] == u"v1") {
        respondJson(exchange, 200, legacyResourceList(*m_schemas, {}, u"v1"_s));
        return true;
    }
    if (parts.size() == 2 && parts[0] == u"apis") {
        const QJsonObject group = legacyApiGroup(*m_schemas, parts[1]);
        group.isEmpty() ? respondError(exchange, ApiError::pathNotFound())
                        : respondJson(exchange, 200, group);
        return true;
    }
    if (parts.size() == 3 && parts[0] == u"apis") {
        const QJsonObject list = legacyResourceList(*m_schemas, parts[1], parts[2]);
        list.isEmpty() ? respondError(exchange, ApiError::pathNotFound())
                       : respondJson(exchange, 200, list);
        return true;
    }
    if (path == u"/openapi/v3") {
        if (m_openApiRoot.isEmpty())
            m_openApiRoot = openApiRoot(*m_schemas);
        respondJson(exchange, 200, m_openApiRoot);
        return true;
    }
    if (path.startsWith(u"/openapi/v3/")) {
        const QString gv = path.mid(12);
        QByteArray &doc = m_openApiDocuments[gv];
        if (doc.isEmpty()) {
            const QStringList p = gv.split(u'/');
            QJsonObject d;
            if (p.size() == 2 && p[0] == u"api")
                d = openApiDocument(*m_schemas, {}, p[1]);
            else if (p.size() == 3 && p[0] == u"apis")
                d = openApiDocument(*m_schemas, p[1], p[2]);
            if (!d.isEmpty())
                doc = QJsonDocument(d).toJson(QJsonDocument::Compact);
        }
        if (doc.isEmpty()) {
            m_openApiDocuments.remove(gv);
            respondError(exchange, ApiError::pathNotFound());
        } else {
            exchange->respond(200, {{"Content-Type", "application/json"}}, doc);
        }
        return true;
    }
    return false;
}

void ApiServer::bootstrap()
{
    const core::ResourceInfo *namespaces = m_schemas->resource(u"", u"v1", u"namespaces");
    const core::ResourceInfo *services = m_schemas->resource(u"", u"v1", u"services");
    if (!namespaces || !services)
        return;
    WriteOptions system;
    system.fieldManager = u"kube-apiserver"_s;
    for (const QString &ns :
         {u"default"_s, u"kube-system"_s, u"kube-public"_s, u"kube-node-lease"_s}) {
        if (m_store->get(*namespaces, {}, ns))
            continue;
        m_store->create(*namespaces, {},
                        QJsonObject{{u"metadata"_s, QJsonObject{{u"name"_s, ns}}}}, system,
                        [ns](ApiResult<Written> w) {
                            if (!w)
                                qCWarning(lcApiServer).noquote()
                                    << "cannot create namespace" << ns << w.error().message;
                        });
    }
    // The API server's own Service, first address of the service range, as in every cluster.
    if (!m_store->get(*services, u"default"_s, u"kubernetes"_s)) {
        const QJsonObject service{
            {u"metadata"_s,
             QJsonObject{{u"name"_s, u"kubernetes"_s},
                         {u"namespace"_s, u"default"_s},
                         {u"labels"_s, QJsonObject{{u"component"_s, u"apiserver"_s},
                                                   {u"provider"_s, u"kubernetes"_s}}}}},
            {u"spec"_s,
             QJsonObject{{u"ports"_s, QJsonArray{QJsonObject{{u"name"_s, u"https"_s},
                                                             {u"port"_s, 443},
                                                             {u"protocol"_s, u"TCP"_s},
                                                             {u"targetPort"_s, 6443}}}},
                         {u"sessionAffinity"_s, u"None"_s},
                         {u"type"_s, u"ClusterIP"_s}}}};
        m_store->create(*services, u"default"_s, service, system, [](ApiResult<Written> w) {
            if (!w)
                qCWarning(lcApiServer).noquote()
                    << "cannot create the kubernetes service:" << w.error().message;
        });
    }
    publishEndpoints(system);
}

void ApiServer::publishEndpoints(const WriteOptions &system)
{
    // Where the `kubernetes` service leads: this control plane. Both the legacy Endpoints and
    // the EndpointSlice, as kube-apiserver keeps them.
    const QString ip = m_options.advertiseAddress;
    const core::ResourceInfo *endpoints = m_schemas->resource(u"", u"v1", u"endpoints");
    const core::ResourceInfo *slices =
        m_schemas->resource(u"discovery.k8s.io", u"v1", u"endpointslices");
    if (ip.isEmpty() || !endpoints || !slices)
        return;
    const QJsonObject port{{u"name"_s, u"https"_s}, {u"port"_s, 6443}, {u"protocol"_s, u"TCP"_s}};
    const QJsonObject legacy{
        {u"metadata"_s,
         QJsonObject{{u"name"_s, u"kubernetes"_s},
                     {u"namespace"_s, u"default"_s},
                     {u"labels"_s,
                      QJsonObject{{u"endpointslice.kubernetes.io/skip-mirror"_s, u"true"_s}}}}},
        {u"subsets"_s, QJsonArray{QJsonObject{
                           {u"addresses"_s, QJsonArray{QJsonObject{{u"ip"_s, ip}}}},
                           {u"ports"_s, QJsonArray{port}}}}}};
    const QJsonObject slice{
        {u"metadata"_s,
         QJsonObject{{u"name"_s, u"kubernetes"_s},
                     {u"namespace"_s, u"default"_s},
                     {u"labels"_s, QJsonObject{{u"kubernetes.io/service-name"_s, u"kubernetes"_s}}}}},
        {u"addressType"_s, u"IPv4"_s},
        {u"endpoints"_s,
         QJsonArray{QJsonObject{{u"addresses"_s, QJsonArray{ip}},
                                {u"conditions"_s, QJsonObject{{u"ready"_s, true}}}}}},
        {u"ports"_s, QJsonArray{port}}};
    for (const auto &[resource, object] :
         {std::pair{endpoints, legacy}, std::pair{slices, slice}}) {
        auto current = m_store->get(*resource, u"default"_s, u"kubernetes"_s);
        auto report = [](ApiResult<Written> w) {
            if (!w)
                qCWarning(lcApiServer).noquote()
                    << "cannot publish the kubernetes endpoints:" << w.error().message;
        };
        if (!current) {
            m_store->create(*resource, u"default"_s, object, system, report);
        } else {
            QJsonObject updated = object;
            QJsonObject meta = updated.value(u"metadata").toObject();
            meta.insert(u"resourceVersion"_s,
                        current->value(u"metadata").toObject().value(u"resourceVersion"));
            updated.insert(u"metadata"_s, meta);
            m_store->update(*resource, u"default"_s, u"kubernetes"_s, {}, updated, system, report);
        }
    }
}

} // namespace timonel::apiserver
