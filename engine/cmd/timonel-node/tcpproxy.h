#pragma once

#include <QDeadlineTimer>
#include <QHash>
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

    static constexpr int DownFor = 10000;       // ms a failed backend is passed over
    static constexpr int ConnectTimeout = 2000; // ms; a live node on the bridge answers in far less

    QList<Backend> m_backends;
    QHash<int, QDeadlineTimer> m_downUntil; // expired (or absent): worth trying
};

} // namespace timonel::node
