// A SPDY/3.1 session on its transport, for the node agent's streaming endpoints: the raw socket
// of a "Upgrade: SPDY/3.1" request, or the binary messages of a WebSocket that tunnels SPDY
// (the "SPDY/3.1+portforward.k8s.io" subprotocol kubectl uses for port-forward).
#pragma once

#include "httpserver.h"
#include "spdy.h"

#include <QObject>
#include <QPointer>
#include <QTcpSocket>

namespace timonel::http {

class WebSocket;

namespace spdy {

// The SPDY/3.1 upgrade as Kubernetes' httpstream does it: the protocol is the first of the
// client's X-Stream-Protocol-Version values that `supported` lists ("" when it sent none), and
// the request must say "Connection: Upgrade" and "Upgrade: SPDY/3.1". Returns the socket after
// the 101, or null after answering 403 (no common protocol) or 400 (not an upgrade).
QTcpSocket *acceptUpgrade(HttpExchange *exchange, const QList<QByteArray> &supported,
                          QByteArray *protocol);

class Connection : public QObject
{
    Q_OBJECT
public:
    // Takes the transport. What it already holds is read from the event loop, so the
    // session's signals can be connected first.
    Connection(QTcpSocket *socket, Session::Role role, QObject *parent = nullptr);
    Connection(WebSocket *tunnel, Session::Role role, QObject *parent = nullptr);
    ~Connection() override;

    Session &session() { return m_session; }

    // What was sent but has not reached the network yet.
    qint64 bytesToWrite() const;
    // While paused nothing is read from the transport (the peer is slowed by TCP).
    void setReadingPaused(bool paused);
    // GOAWAY, then the transport ends once what was sent has left.
    void close();
    void abort();

Q_SIGNALS:
    void bytesWritten();
    // The transport is gone. Once.
    void disconnected();

private:
    void readPending();
    void finish();

    Session m_session;
    QPointer<QTcpSocket> m_socket;
    QPointer<WebSocket> m_tunnel;
    bool m_paused = false;
    bool m_finished = false;
};

} // namespace spdy
} // namespace timonel::http
