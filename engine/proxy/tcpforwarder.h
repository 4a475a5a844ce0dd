// One TCP frontend of a service: listens on an address and port (a ClusterIP's port, or a
// NodePort on a node address) and joins each accepted connection to a backend.
//
// Bytes are copied between the raw sockets rather than QTcpSocket so that a half-close (a
// client that shuts down its sending side and waits for the answer) reaches the backend as a
// half-close, as it would through kube-proxy's NAT. Each direction holds a bounded buffer and
// stops reading while it is full, so a slow reader slows the sender through TCP.
#pragma once

#include "servicetable.h"

#include <QHostAddress>
#include <QObject>
#include <QSet>

#include <chrono>
#include <expected>

class QTcpServer;

namespace timonel::proxy {

class TcpConnection;

class TcpForwarder : public QObject
{
    Q_OBJECT
public:
    TcpForwarder(QHostAddress address, quint16 port, QObject *parent = nullptr);
    // Closes the listener and every connection.
    ~TcpForwarder() override;

    QHostAddress address() const { return m_address; }
    // The listening port once listening (the one asked for, or the one the system chose for 0).
    quint16 port() const;

    std::expected<void, QString> listen();
    bool isListening() const;

    // Applies to connections accepted from now on; open ones keep their backend.
    void setBackends(const QList<Backend> &backends, int affinitySeconds);
    const QList<Backend> &backends() const { return m_picker.backends(); }

    // Stops accepting; open connections go on, and the forwarder deletes itself after the last.
    void retire();
    int connectionCount() const { return int(m_connections.size()); }

    // How long a backend may take to accept before the next one is tried.
    std::chrono::milliseconds connectTimeout{3000};

private:
    friend class TcpConnection;
    void accept(qintptr descriptor);
    void connectionEnded(TcpConnection *connection);

    QHostAddress m_address;
    quint16 m_port;
    QTcpServer *m_server = nullptr;
    BackendPicker m_picker;
    QSet<TcpConnection *> m_connections;
    bool m_retired = false;
};

} // namespace timonel::proxy
