#include "tcpproxy.h"

#include <QTcpSocket>

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
    const Backend backend = m_backends[m_next++ % m_backends.size()];
    auto *upstream = new QTcpSocket(client);
    connect(upstream, &QTcpSocket::errorOccurred, client, [=, this] {
        if (upstream->state() != QAbstractSocket::ConnectedState && !upstream->property("up").toBool()) {
            upstream->deleteLater();
            connectToBackend(client, attempt + 1);
        }
    });
    connect(upstream, &QTcpSocket::connected, client, [=] {
        upstream->setProperty("up", true);
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
