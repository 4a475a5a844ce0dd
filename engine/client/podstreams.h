// A pod's exec and portforward subresources from the client side, against any Kubernetes API
// server a kubeconfig reaches (what `kubectl exec` and `kubectl port-forward` do):
//
// - exec: a WebSocket with the channel protocol v5.channel.k8s.io (v4.channel.k8s.io for servers
//   older than Kubernetes 1.30): a channel byte in front of every binary message, 0 stdin,
//   1 stdout, 2 stderr, 3 the exit Status, 4 terminal size, 255 a closed channel (v5 only).
// - port-forward: SPDY/3.1 streams, a pair (error, data) per forwarded connection. Tunnelled in
//   WebSocket binary messages (subprotocol SPDY/3.1+portforward.k8s.io, Kubernetes 1.30 and
//   later, Timonel's API server) or, when the server refuses that, over the raw socket of an
//   "Upgrade: SPDY/3.1" request, which every Kubernetes version serves. The older WebSocket
//   port-forward protocol is not used: API servers with the tunnel no longer pass it on, and
//   Timonel's never did.
//
// Forwarding to a Service is forwarding to one of its pods: resolveServiceBackend() picks it.
#pragma once

#include "client/apiclient.h"
#include "client/kubeconfigclient.h"
#include "client/servicebackend.h" // which pod and port `port-forward svc/NAME PORT` means
#include "client/upgradedialer.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <expected>

class QTcpServer;
class QTcpSocket;

namespace timonel::http {
class WebSocket;
namespace spdy {
class Connection;
}
} // namespace timonel::http

namespace timonel::client {

class HttpsClient;

// One command in a container, as `kubectl exec [-i] [-t] POD -c CONTAINER -- COMMAND...`.
class ExecSession : public QObject
{
    Q_OBJECT
public:
    explicit ExecSession(ClusterAccess access, QObject *parent = nullptr);
    ~ExecSession() override;

    // Runs `command` in `container` ("" = the pod's only container). With `tty` the command gets
    // a terminal: what it writes to stderr comes as stdout, as with `kubectl exec -t`. Without
    // `stdinOpen` the command's stdin is empty. Once per session.
    void start(const QString &ns, const QString &pod, const QString &container,
               const QStringList &command, bool tty, bool stdinOpen);

    // Started and not finished yet.
    bool isRunning() const { return m_state == State::Connecting || m_state == State::Running; }
    // The channel protocol the server chose, once started() came.
    QByteArray protocol() const { return m_protocol; }

    // Sent in order; what is written before started() waits for it. Ignored without stdinOpen.
    void writeStdin(const QByteArray &data);
    // The command reads the end of its input. Needs v5: over v4 stdin can only end with the
    // whole session, so it stays open.
    void closeStdin();
    // The terminal's size (with `tty`); the last size given before started() is sent then.
    void resize(int columns, int rows);
    // Ends the session from this side (the command may go on running in the container, as with
    // kubectl). No signal follows.
    void close();

Q_SIGNALS:
    // Connected: the command runs.
    void started();
    void stdoutReceived(const QByteArray &data);
    void stderrReceived(const QByteArray &data);
    // Once. The command ran and exited with `exitCode` (error empty), or it could not run or the
    // connection failed: exitCode -1 and a one-line `error`.
    void finished(int exitCode, const QString &error);

private:
    enum class State
    {
        Idle,
        Connecting,
        Running,
        Done
    };
    void onUpgraded(Result<Upgraded> up);
    void onMessage(const QByteArray &message);
    void onDisconnected();
    void send(int channel, const QByteArray &data);
    void sendSize();
    void finish(int exitCode, const QString &error);

    ClusterAccess m_access;
    State m_state = State::Idle;
    http::WebSocket *m_socket = nullptr;
    QByteArray m_protocol;
    bool m_stdinOpen = false;
    bool m_stdinClosed = false;
    QByteArray m_pendingStdin;
    std::optional<std::pair<int, int>> m_size; // columns, rows not sent yet
    QTimer m_keepAlive;
};

// Forwards local TCP connections to a port of a pod, as `kubectl port-forward POD LOCAL:REMOTE`:
// listens on 127.0.0.1 and carries every accepted connection to the pod over one upgraded
// connection to the API server, opened when first needed and again after it was lost.
class PortForward : public QObject
{
    Q_OBJECT
public:
    // How the streams reach the API server.
    enum class Transport
    {
        Automatic, // the WebSocket tunnel, else SPDY (kubectl's way)
        WebSocket, // SPDY/3.1 frames in WebSocket messages only
        Spdy,      // the "Upgrade: SPDY/3.1" connection only (for proxies that break WebSockets)
    };

    // `client` must outlive the forwarding; its kubeconfig access is used for the streams.
    explicit PortForward(HttpsClient &client, QObject *parent = nullptr);
    ~PortForward() override;

    // Before start(); Automatic unless set.
    void setTransport(Transport transport) { m_transport = transport; }
    // The transport of the connection to the pod, once ready() came.
    Transport connectedTransport() const { return m_connectedTransport; }

    // Listens on 127.0.0.1:`localPort` (0: any free port) and returns the port, or why it
    // cannot listen. Then checks that the pod runs and connects to it: ready() or a fatal
    // error() tells how that went. Once per object.
    std::expected<quint16, QString> start(const QString &ns, const QString &pod, quint16 podPort,
                                          quint16 localPort = 0);
    // Stops listening and ends every forwarded connection. No signal follows.
    void stop();

    quint16 localPort() const { return m_localPort; }
    bool isListening() const;
    // Local connections being forwarded now.
    int connectionCount() const { return int(m_connections.size()); }

Q_SIGNALS:
    // The connection to the pod is up: "Forwarding from 127.0.0.1:<localPort> -> <podPort>".
    void ready();
    // One line for the user. Not fatal: one forwarded connection failed (nothing listens on the
    // port in the pod, say) and was closed; the others and the listening go on. Fatal: the pod
    // cannot be reached at all (not running, gone, API unreachable); listening stopped.
    void error(const QString &message, bool fatal);

private:
    struct Connection;
    void onAccepted();
    void connectTunnel();
    void dialTunnel(bool webSocket);
    void onTunnelUp(QTcpSocket *socket, bool webSocket);
    void onTunnelLost();
    void openStreams(Connection *c);
    void onStreamData(quint32 id, const QByteArray &data);
    void onStreamFinished(quint32 id);
    void pumpLocal(Connection *c);
    void onTunnelDrained();
    void resumeTunnel();
    void failAll(const QString &message);
    void drop(Connection *c);

    HttpsClient &m_client;
    Transport m_transport = Transport::Automatic;
    Transport m_connectedTransport = Transport::Automatic;
    QString m_ns;
    QString m_pod;
    quint16 m_podPort = 0;
    quint16 m_localPort = 0;
    QTcpServer *m_server = nullptr;
    http::spdy::Connection *m_tunnel = nullptr; // null while down
    bool m_connecting = false;
    bool m_everUp = false;
    int m_nextRequestId = 0;
    QList<Connection *> m_connections;
    QHash<quint32, Connection *> m_streams; // by SPDY stream id
};

} // namespace timonel::client
