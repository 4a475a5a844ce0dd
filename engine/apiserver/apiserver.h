#pragma once

#include <QHostAddress>
#include <QObject>
#include <QString>

#include <expected>
#include <memory>

class QHttpServer;
class QSslServer;

namespace timonel::apiserver {

struct ApiServerOptions
{
    QHostAddress address = QHostAddress::Any;
    quint16 port = 6443;
    QString certificateFile; // PEM server certificate
    QString keyFile;         // PEM private key
    QString clientCaFile;    // CA whose client certificates are accepted
};

// The Kubernetes API server of a control-plane node: HTTPS with client certificates.
// It serves the health and version endpoints; the REST API grows here.
class ApiServer : public QObject
{
    Q_OBJECT
public:
    explicit ApiServer(ApiServerOptions options, QObject *parent = nullptr);
    ~ApiServer() override;

    std::expected<void, QString> start();
    void stop();
    quint16 port() const;

private:
    ApiServerOptions m_options;
    std::unique_ptr<QHttpServer> m_http;
    QSslServer *m_tls = nullptr;
};

// What /version answers: Kubernetes 1.32 compatibility, so that kubectl's version dispatcher
// picks its 1.32 client.
QByteArray versionDocument();

} // namespace timonel::apiserver
