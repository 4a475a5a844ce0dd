#include "nodeconnection.h"

#include <QFile>
#include <QJsonArray>
#include <QSslKey>

using namespace Qt::StringLiterals;

namespace timonel::apiserver {

namespace {

std::expected<QByteArray, QString> readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::unexpected(u"cannot read %1: %2"_s.arg(path, file.errorString()));
    return file.readAll();
}

} // namespace

ApiResult<NodeEndpoint> nodeEndpoint(const QJsonObject &node)
{
    const QJsonObject status = node.value(u"status").toObject();
    const QJsonArray addresses = status.value(u"addresses").toArray();
    NodeEndpoint endpoint;
    for (const char *type : {"InternalIP", "Hostname", "ExternalIP"}) {
        for (const QJsonValue &a : addresses) {
            if (endpoint.host.isEmpty() &&
                a.toObject().value(u"type").toString() == QLatin1StringView(type))
                endpoint.host = a.toObject().value(u"address").toString();
        }
    }
    if (endpoint.host.isEmpty())
        return std::unexpected(
            ApiError{500, {}, u"no preferred addresses found; known addresses: []"_s, {}});
    const int port = status.value(u"daemonEndpoints")
                         .toObject()
                         .value(u"kubeletEndpoint")
                         .toObject()
                         .value(u"Port")
                         .toInt();
    if (port > 0 && port <= 65535)
        endpoint.port = quint16(port);
    return endpoint;
}

std::expected<std::optional<QSslConfiguration>, QString> NodeConnection::tlsConfiguration()
{
    if (m_options.caFile.isEmpty())
        return std::optional<QSslConfiguration>();
    if (m_tls)
        return m_tls;
    auto ca = readFile(m_options.caFile);
    auto certificate = readFile(m_options.clientCertificateFile);
    auto key = readFile(m_options.clientKeyFile);
    for (const auto *file : {&ca, &certificate, &key}) {
        if (!*file)
            return std::unexpected(file->error());
    }
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setCaCertificates(QSslCertificate::fromData(*ca, QSsl::Pem));
    tls.setLocalCertificateChain(QSslCertificate::fromData(*certificate, QSsl::Pem));
    QSslKey privateKey(*key, QSsl::Ec, QSsl::Pem);
    if (privateKey.isNull())
        privateKey = QSslKey(*key, QSsl::Rsa, QSsl::Pem);
    tls.setPrivateKey(privateKey);
    tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    tls.setAllowedNextProtocols({QSslConfiguration::NextProtocolHttp1_1});
    if (tls.localCertificate().isNull() || tls.privateKey().isNull())
        return std::unexpected(u"the API server's kubelet client certificate is unreadable"_s);
    m_tls = tls;
    return m_tls;
}

} // namespace timonel::apiserver
