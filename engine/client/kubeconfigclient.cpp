#include "client/kubeconfigclient.h"

#include "pki/kubeconfig.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QSslSocket>

using namespace Qt::StringLiterals;

namespace timonel::client {

namespace {

// This file's user-visible texts, translated in the "KubeconfigClient" context; the English
// ones are client-go's clientcmd messages where it has one.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(KubeconfigClient)
};

// The `inner` object of the entry named `name` in a kubeconfig list such as
// clusters: [{name: x, cluster: {...}}].
std::optional<QJsonObject> namedEntry(const QJsonObject &config, const QString &list,
                                      const QString &inner, const QString &name)
{
    for (const QJsonValue &v : config.value(list).toArray()) {
        const QJsonObject entry = v.toObject();
        if (entry.value(u"name").toString() == name)
            return entry.value(inner).toObject();
    }
    return std::nullopt;
}

// A *-data field (base64) or its file-name twin; empty when neither is set.
std::expected<QByteArray, QString> dataOrFile(const QJsonObject &o, const QString &field,
                                              const QString &baseDirectory)
{
    const QString data = o.value(field + u"-data"_s).toString();
    if (!data.isEmpty()) {
        auto decoded = QByteArray::fromBase64Encoding(data.toLatin1(),
                                                      QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return std::unexpected(Tr::tr("%1-data is not valid base64").arg(field));
        return *decoded;
    }
    const QString file = o.value(field).toString();
    if (file.isEmpty())
        return QByteArray();
    const QString path = QDir(baseDirectory).absoluteFilePath(file);
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return std::unexpected(Tr::tr("cannot read %1 %2: %3").arg(field, path, f.errorString()));
    return f.readAll();
}

std::expected<void, QString> readCluster(const QJsonObject &cluster, const QString &clusterName,
                                         const QString &baseDirectory, ClusterAccess &access)
{
    const QString server = cluster.value(u"server").toString();
    if (server.isEmpty())
        return std::unexpected(Tr::tr("no server found for cluster \"%1\"").arg(clusterName));
    access.server = QUrl(server, QUrl::StrictMode);
    if (!access.server.isValid() || access.server.host().isEmpty())
        return std::unexpected(
            Tr::tr("the server of cluster \"%1\" is not a URL: %2").arg(clusterName, server));
    if (access.server.scheme() != u"https" && access.server.scheme() != u"http")
        return std::unexpected(
            Tr::tr("the server of cluster \"%1\" is not an http or https URL: %2")
                .arg(clusterName, server));
    auto ca = dataOrFile(cluster, u"certificate-authority"_s, baseDirectory);
    if (!ca)
        return std::unexpected(ca.error());
    if (!ca->isEmpty()) {
        access.caCertificates = QSslCertificate::fromData(*ca, QSsl::Pem);
        if (access.caCertificates.isEmpty())
            return std::unexpected(
                Tr::tr("the certificate authority of cluster \"%1\" holds no PEM certificate")
                    .arg(clusterName));
    }
    access.insecureSkipTlsVerify = cluster.value(u"insecure-skip-tls-verify").toBool();
    access.tlsServerName = cluster.value(u"tls-server-name").toString();
    return {};
}

std::expected<void, QString> readUser(const QJsonObject &user, const QString &userName,
                                      const QString &baseDirectory, ClusterAccess &access)
{
    if (user.contains(u"exec") || user.contains(u"auth-provider"))
        return std::unexpected(
            Tr::tr("user \"%1\" gets its credentials from a plugin (exec or auth-provider), "
                   "which Timonel does not run; use a client certificate or a token")
                .arg(userName));
    auto cert = dataOrFile(user, u"client-certificate"_s, baseDirectory);
    if (!cert)
        return std::unexpected(cert.error());
    auto key = dataOrFile(user, u"client-key"_s, baseDirectory);
    if (!key)
        return std::unexpected(key.error());
    if (!cert->isEmpty() || !key->isEmpty()) {
        if (cert->isEmpty() || key->isEmpty())
            return std::unexpected(
                Tr::tr("user \"%1\" has a client certificate or key but not both").arg(userName));
        const QList<QSslCertificate> chain = QSslCertificate::fromData(*cert, QSsl::Pem);
        if (chain.isEmpty())
            return std::unexpected(
                Tr::tr("the client certificate of user \"%1\" is not a PEM certificate")
                    .arg(userName));
        auto parsed = parsePrivateKey(*key);
        if (!parsed)
            return std::unexpected(
                Tr::tr("the client key of user \"%1\": %2").arg(userName, parsed.error()));
        access.clientCertificate = chain.first();
        access.clientKey = *parsed;
    }
    QString token = user.value(u"token").toString();
    if (token.isEmpty() && !user.value(u"tokenFile").toString().isEmpty()) {
        QFile f(QDir(baseDirectory).absoluteFilePath(user.value(u"tokenFile").toString()));
        if (!f.open(QIODevice::ReadOnly))
            return std::unexpected(
                Tr::tr("cannot read tokenFile %1: %2").arg(f.fileName(), f.errorString()));
        token = QString::fromUtf8(f.readAll()).trimmed();
    }
    access.bearerToken = token.toUtf8();
    access.username = user.value(u"username").toString();
    access.password = user.value(u"password").toString();
    return {};
}

} // namespace

std::expected<QSslKey, QString> parsePrivateKey(const QByteArray &pem)
{
    // SEC1 and PKCS#1 name their algorithm; PKCS#8 does not, so both are tried.
    QList<QSsl::KeyAlgorithm> candidates;
    if (pem.contains("BEGIN EC PRIVATE KEY"))
        candidates = {QSsl::Ec};
    else if (pem.contains("BEGIN RSA PRIVATE KEY"))
        candidates = {QSsl::Rsa};
    else if (pem.contains("BEGIN PRIVATE KEY"))
        candidates = {QSsl::Ec, QSsl::Rsa};
    else if (pem.contains("ENCRYPTED PRIVATE KEY"))
        return std::unexpected(Tr::tr("encrypted private keys are not supported"));
    else
        return std::unexpected(Tr::tr("not a PEM private key"));
    for (QSsl::KeyAlgorithm algorithm : std::as_const(candidates)) {
        QSslKey key(pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull() && key.algorithm() == algorithm)
            return key;
    }
    return std::unexpected(Tr::tr("the private key is neither an EC nor an RSA key"));
}

std::expected<ClusterAccess, QString>
clusterAccess(const QJsonObject &kubeconfig, const QString &context, const QString &baseDirectory)
{
    ClusterAccess access;
    access.contextName =
        context.isEmpty() ? kubeconfig.value(u"current-context").toString() : context;
    if (access.contextName.isEmpty())
        return std::unexpected(Tr::tr("no context is chosen and current-context is not set"));
    const auto ctx = namedEntry(kubeconfig, u"contexts"_s, u"context"_s, access.contextName);
    if (!ctx)
        return std::unexpected(
            Tr::tr("context was not found for specified context: %1").arg(access.contextName));

    const QString clusterName = ctx->value(u"cluster").toString();
    if (clusterName.isEmpty())
        return std::unexpected(
            Tr::tr("cluster was not specified for context \"%1\"").arg(access.contextName));
    const auto cluster = namedEntry(kubeconfig, u"clusters"_s, u"cluster"_s, clusterName);
    if (!cluster)
        return std::unexpected(Tr::tr("cluster \"%1\" was not found for context \"%2\"")
                                   .arg(clusterName, access.contextName));
    if (auto ok = readCluster(*cluster, clusterName, baseDirectory, access); !ok)
        return std::unexpected(ok.error());

    // A context without a user is anonymous, which the API server answers with 401.
    const QString userName = ctx->value(u"user").toString();
    if (!userName.isEmpty()) {
        const auto user = namedEntry(kubeconfig, u"users"_s, u"user"_s, userName);
        if (!user)
            return std::unexpected(Tr::tr("user \"%1\" was not found for context \"%2\"")
                                       .arg(userName, access.contextName));
        if (auto ok = readUser(*user, userName, baseDirectory, access); !ok)
            return std::unexpected(ok.error());
    }
    if (const QString ns = ctx->value(u"namespace").toString(); !ns.isEmpty())
        access.defaultNamespace = ns;
    return access;
}

std::expected<ClusterAccess, QString> readClusterAccess(const QString &path, const QString &context)
{
    const QString file = path.isEmpty() ? pki::kubeconfigPath() : path;
    auto documents = pki::readKubeconfig(file);
    if (!documents)
        return std::unexpected(documents.error());
    if (documents->isEmpty())
        return std::unexpected(Tr::tr("%1 is empty").arg(file));
    auto access = clusterAccess(documents->first(), context, QFileInfo(file).absolutePath());
    if (!access)
        return std::unexpected(u"%1: %2"_s.arg(file, access.error()));
    return access;
}

std::expected<KubeconfigContexts, QString> readKubeconfigContexts(const QString &path)
{
    auto documents = pki::readKubeconfig(path.isEmpty() ? pki::kubeconfigPath() : path);
    if (!documents)
        return std::unexpected(documents.error());
    KubeconfigContexts contexts;
    if (documents->isEmpty())
        return contexts;
    const QJsonObject config = documents->first();
    for (const QJsonValue &v : config.value(u"contexts").toArray())
        contexts.names.append(v.toObject().value(u"name").toString());
    contexts.current = config.value(u"current-context").toString();
    return contexts;
}

QSslConfiguration tlsConfiguration(const ClusterAccess &access)
{
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    if (!access.caCertificates.isEmpty())
        tls.setCaCertificates(access.caCertificates); // only the cluster's CA, as kubectl
    if (!access.clientCertificate.isNull()) {
        tls.setLocalCertificate(access.clientCertificate);
        tls.setPrivateKey(access.clientKey);
    }
    tls.setPeerVerifyMode(access.insecureSkipTlsVerify ? QSslSocket::VerifyNone
                                                       : QSslSocket::VerifyPeer);
    tls.setProtocol(QSsl::TlsV1_2OrLater);
    tls.setAllowedNextProtocols({QSslConfiguration::NextProtocolHttp1_1});
    return tls;
}

QByteArray authorizationHeader(const ClusterAccess &access)
{
    if (!access.bearerToken.isEmpty())
        return "Bearer " + access.bearerToken;
    if (!access.username.isEmpty())
        return "Basic " + (access.username + u':' + access.password).toUtf8().toBase64();
    return {};
}

} // namespace timonel::client
