#pragma once

#include <QHostAddress>
#include <QList>
#include <QTcpServer>

namespace timonel::node {

struct Backend
{
    QString host;
    quint16 port = 0;
};

// A plain TCP proxy: each accepted connection is piped to the first backend that accepts,
// trying them round-robin. Used by the `lb` role in front of several control planes.
class TcpProxy : public QTcpServer
{
    Q_OBJECT
public:
    TcpProxy(QList<Backend> backends, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void connectToBackend(class QTcpSocket *client, int attempt);

    QList<Backend> m_backends;
    int m_next = 0;
};

} // namespace timonel::node
