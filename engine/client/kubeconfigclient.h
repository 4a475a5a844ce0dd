// Where a cluster's API is and who we are to it, as a kubeconfig context says: the part of
// client-go's clientcmd that turns a context into a server URL, trusted CAs and credentials.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <expected>

namespace timonel::client {

struct ClusterAccess
{
    QString contextName;
    QUrl server; // "https://127.0.0.1:40123", maybe with a path prefix
    QString defaultNamespace = QStringLiteral("default"); // the context's namespace
    QList<QSslCertificate> caCertificates;                // empty: the system's trusted CAs
    QSslCertificate clientCertificate; // null: no client certificate (anonymous or token)
    QSslKey clientKey;
    QByteArray bearerToken;
    QString username; // basic authentication, when the user has no certificate or token
    QString password;
    bool insecureSkipTlsVerify = false;
    QString tlsServerName; // the name the server certificate is checked against, if not the host
};

// The context named `context` ("" = current-context) of the kubeconfig file at `path` ("" =
// the first file of $KUBECONFIG, else ~/.kube/config). The *-data fields and the file fields
// (relative to the kubeconfig's directory) are both understood; exec and auth-provider
// credential plugins are not.
std::expected<ClusterAccess, QString> readClusterAccess(const QString &path = {},
                                                        const QString &context = {});

// The same from a parsed kubeconfig; `baseDirectory` resolves relative file names.
std::expected<ClusterAccess, QString>
clusterAccess(const QJsonObject &kubeconfig, const QString &context, const QString &baseDirectory);

// The context names of a kubeconfig file and its current context.
struct KubeconfigContexts
{
    QStringList names;
    QString current;
};
std::expected<KubeconfigContexts, QString> readKubeconfigContexts(const QString &path = {});

// The TLS settings of a connection to the cluster, as kubectl makes them: only the cluster's CAs
// when the kubeconfig names some, the client certificate, TLS 1.2 or later, HTTP/1.1.
QSslConfiguration tlsConfiguration(const ClusterAccess &access);
// The Authorization header for the bearer token or the basic credentials; empty when the access
// authenticates with its client certificate (or not at all).
QByteArray authorizationHeader(const ClusterAccess &access);

// A PEM private key of any of the forms kubeconfigs carry: PKCS#8, SEC1 EC or PKCS#1 RSA.
std::expected<QSslKey, QString> parsePrivateKey(const QByteArray &pem);

} // namespace timonel::client
