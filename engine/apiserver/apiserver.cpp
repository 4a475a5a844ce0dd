#include "apiserver.h"

#include <QFile>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSysInfo>

Q_LOGGING_CATEGORY(lcApiServer, "timonel.apiserver", QtInfoMsg)

namespace timonel::apiserver {

namespace {

std::expected<QByteArray, QString> readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return std::unexpected(QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    return f.readAll();
}

QHttpServerResponse unauthorized()
{
    const QJsonObject status{{QStringLiteral("kind"), QStringLiteral("Status")},
                             {QStringLiteral("apiVersion"), QStringLiteral("v1")},
                             {QStringLiteral("metadata"), QJsonObject()},
                             {QStringLiteral("status"), QStringLiteral("Failure")},
                             {QStringLiteral("message"), QStringLiteral("Unauthorized")},
                             {QStringLiteral("reason"), QStringLiteral("Unauthorized")},
                             {QStringLiteral("code"), 401}};
    return QHttpServerResponse(status, QHttpServerResponse::StatusCode::Unauthorized);
}

bool authenticated(const QHttpServerRequest &request)
{
    // The TLS layer already verified any certificate against the cluster CA; anonymous
    // connections are let through the handshake so that they get a proper 401.
    return !request.sslConfiguration().peerCertificate().isNull();
}

} // namespace

QByteArray versionDocument()
{
    const QJsonObject v{
        {QStringLiteral("major"), QStringLiteral("1")},
        {QStringLiteral("minor"), QStringLiteral("32")},
        {QStringLiteral("gitVersion"), QStringLiteral("v1.32.0-timonel." TIMONEL_VERSION)},
        {QStringLiteral("gitCommit"), QStringLiteral("timonel")},
        {QStringLiteral("gitTreeState"), QStringLiteral("clean")},
        {QStringLiteral("buildDate"), QStringLiteral(__DATE__)},
        {QStringLiteral("goVersion"), QStringLiteral("none")},
        {QStringLiteral("compiler"), QStringLiteral("gcc")},
        {QStringLiteral("platform"), QStringLiteral("linux/") + QSysInfo::buildCpuArchitecture()}};
    return QJsonDocument(v).toJson(QJsonDocument::Compact);
}

ApiServer::ApiServer(ApiServerOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
}

ApiServer::~ApiServer() = default;

std::expected<void, QString> ApiServer::start()
{
    auto cert = readFile(m_options.certificateFile);
    auto key = readFile(m_options.keyFile);
    auto ca = readFile(m_options.clientCaFile);
    for (const auto *r : {&cert, &key, &ca})
        if (!*r)
            return std::unexpected(r->error());

    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificate(QSslCertificate(*cert, QSsl::Pem));
    tls.setPrivateKey(QSslKey(*key, QSsl::Ec, QSsl::Pem));
    tls.setCaCertificates(QSslCertificate::fromData(*ca, QSsl::Pem));
    tls.setPeerVerifyMode(QSslSocket::QueryPeer);
    if (tls.localCertificate().isNull() || tls.privateKey().isNull())
        return std::unexpected(QStringLiteral("the API server certificate or key is unreadable"));

    m_http = std::make_unique<QHttpServer>();
    auto plain = [](const char *text) {
        return [text](const QHttpServerRequest &request) {
            if (!authenticated(request))
                return unauthorized();
            return QHttpServerResponse("text/plain", QByteArray(text));
        };
    };
    m_http->route(QStringLiteral("/healthz"), plain("ok"));
    m_http->route(QStringLiteral("/livez"), plain("ok"));
    m_http->route(QStringLiteral("/readyz"), plain("ok"));
    m_http->route(QStringLiteral("/version"), [](const QHttpServerRequest &request) {
        if (!authenticated(request))
            return unauthorized();
        QHttpServerResponse response("application/json", versionDocument());
        // Without this kubectl's version dispatcher caches the answer on disk.
        QHttpHeaders headers = response.headers();
        headers.append(QHttpHeaders::WellKnownHeader::CacheControl, "no-cache, private");
        response.setHeaders(std::move(headers));
        return response;
    });

    m_tls = new QSslServer(this);
    m_tls->setSslConfiguration(tls);
    if (!m_tls->listen(m_options.address, m_options.port))
        return std::unexpected(QStringLiteral("cannot listen on port %1: %2")
                                   .arg(m_options.port)
                                   .arg(m_tls->errorString()));
    if (!m_http->bind(m_tls))
        return std::unexpected(QStringLiteral("cannot serve HTTP on the TLS listener"));
    qCInfo(lcApiServer) << "serving on port" << m_tls->serverPort();
    return {};
}

void ApiServer::stop()
{
    m_http.reset();
    if (m_tls)
        m_tls->close();
}

quint16 ApiServer::port() const
{
    return m_tls ? m_tls->serverPort() : 0;
}

} // namespace timonel::apiserver
