#include "tcpproxy.h"

#include <QTcpSocket>
#include <QTimer>

namespace timonel::node {

TcpProxy::TcpProxy(QList<Backend> backends, QObject *parent)
    : QTcpServer(parent), m_backends(std::move(backends))
{
}

void TcpProxy::incomingConnection(qintptr descriptor)
{
    auto *client = new QTcpSocket(this);
    client->setSocketDescriptor(descriptor);
    connectToBackend(client, 0);
}

void TcpProxy::connectToBackend(QTcpSocket *client, int attempt)
{
    if (attempt >= m_backends.size()) {
        client->abort();
        client->deleteLater();
        return;
    }
    // The first backend that has not failed recently, in order (active/passive, not round
    // robin): each control plane keeps its own storage for now, so spreading requests would
    // show clients two different clusters. A stopped node's address costs seconds before the
    // kernel gives up on it, hence the memory of recent failures. On a retry the next backend
    // in order is tried.
    int index = attempt % int(m_backends.size());
    for (int i = 0;
         i < m_backends.size() && !m_downUntil.value(index, QDeadlineTimer(0)).hasExpired(); ++i)
        index = (index + 1) % int(m_backends.size());
    const Backend backend = m_backends[index];
    auto *upstream = new QTcpSocket(client);
    // A backend fails once: on an error or when it has not answered in time, whichever is first.
    auto failed = [=, this] {
        if (upstream->property("settled").toBool())
            return;
        upstream->setProperty("settled", true);
        m_downUntil.insert(index, QDeadlineTimer(DownFor));
        upstream->abort();
        upstream->deleteLater();
        connectToBackend(client, attempt + 1);
    };
    connect(upstream, &QTcpSocket::errorOccurred, client, failed);
    QTimer::singleShot(ConnectTimeout, upstream, failed);
    connect(upstream, &QTcpSocket::connected, client, [=] {
        upstream->setProperty("settled", true);
        auto pipe = [](QTcpSocket *from, QTcpSocket *to) {
            connect(from, &QTcpSocket::readyRead, to, [=] { to->write(from->readAll()); });
            connect(from, &QTcpSocket::disconnected, to, [=] { to->disconnectFromHost(); });
        };
        pipe(client, upstream);
        pipe(upstream, client);
        connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
        if (client->bytesAvailable())
            upstream->write(client->readAll());
    });
    upstream->connectToHost(backend.host, backend.port);
}

} // namespace timonel::node
