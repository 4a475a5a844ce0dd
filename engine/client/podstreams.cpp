#include "client/podstreams.h"

#include "client/httpsclient.h"
#include "client/upgradedialer.h"
#include "http/spdyconnection.h"
#include "http/websocket.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

#include <chrono>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace timonel::client {

namespace {

// This file's user-visible texts, translated in the "PodStreams" context (as upgradedialer.cpp's).
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(PodStreams)
};

enum Channel : quint8
{
    StdinChannel = 0,
    StdoutChannel = 1,
    StderrChannel = 2,
    StatusChannel = 3,
    ResizeChannel = 4,
    CloseChannel = 255, // v5: [255, n] closes channel n
};

const QByteArray execV5 = "v5.channel.k8s.io";
const QByteArray execV4 = "v4.channel.k8s.io";
const QByteArray portForwardTunnel = "SPDY/3.1+portforward.k8s.io";
const QByteArray portForwardSpdy = "portforward.k8s.io";

// A terminal left idle for long still answers: some load balancers drop silent connections.
constexpr auto keepAlivePeriod = 30s;
// Forwarded bytes wait in a socket up to this much before its source is no longer read.
constexpr qint64 highWater = 1024 * 1024;
constexpr qint64 lowWater = 256 * 1024;
constexpr qint64 readChunk = 32 * 1024;

const Resource podsResource{{}, u"v1"_s, u"pods"_s};

QByteArray podPath(const QString &ns, const QString &pod, const char *subresource)
{
    return "/api/v1/namespaces/" + QUrl::toPercentEncoding(ns) + "/pods/" +
           QUrl::toPercentEncoding(pod) + '/' + subresource;
}

// The exit code a Status of the error channel reports; nullopt when the command did not run.
std::optional<int> exitCodeOf(const QJsonObject &status)
{
    if (status.value(u"status").toString() == u"Success")
        return 0;
    if (status.value(u"reason").toString() != u"NonZeroExitCode")
        return std::nullopt;
    const QJsonArray causes = status.value(u"details").toObject().value(u"causes").toArray();
    for (const QJsonValue &cause : causes) {
        if (cause.toObject().value(u"reason").toString() != u"ExitCode")
            continue;
        bool ok = false;
        const int code = cause.toObject().value(u"message").toString().toInt(&ok);
        if (ok)
            return code;
    }
    return std::nullopt;
}

} // namespace

// --- exec ----------------------------------------------------------------------------------

ExecSession::ExecSession(ClusterAccess access, QObject *parent)
    : QObject(parent), m_access(std::move(access))
{
    connect(&m_keepAlive, &QTimer::timeout, this, [this] {
        if (m_socket)
            m_socket->sendPing();
    });
}

ExecSession::~ExecSession() = default;

void ExecSession::start(const QString &ns, const QString &pod, const QString &container,
                        const QStringList &command, bool tty, bool stdinOpen)
{
    if (m_state != State::Idle)
        return;
    m_state = State::Connecting;
    m_stdinOpen = stdinOpen;
    QByteArray query;
    auto add = [&query](const char *key, const QString &value) {
        query +=
            (query.isEmpty() ? "?" : "&") + QByteArray(key) + '=' + QUrl::toPercentEncoding(value);
    };
    for (const QString &arg : command)
        add("command", arg);
    if (!container.isEmpty())
        add("container", container);
    if (stdinOpen)
        add("stdin", u"true"_s);
    add("stdout", u"true"_s);
    // With a terminal there is no separate stderr, as kubectl asks.
    if (!tty)
        add("stderr", u"true"_s);
    if (tty)
        add("tty", u"true"_s);
    dialWebSocket(m_access, podPath(ns, pod, "exec") + query, {execV5, execV4}, this,
                  [this](Result<Upgraded> up) { onUpgraded(std::move(up)); });
}

void ExecSession::onUpgraded(Result<Upgraded> up)
{
    if (m_state != State::Connecting) { // closed meanwhile
        if (up)
            delete up->socket;
        return;
    }
    if (!up)
        return finish(-1, up.error().message);
    m_protocol = up->protocol;
    m_socket = new http::WebSocket(up->socket, http::WebSocket::Role::Client, this);
    connect(m_socket, &http::WebSocket::binaryMessageReceived, this, &ExecSession::onMessage);
    connect(m_socket, &http::WebSocket::disconnected, this, &ExecSession::onDisconnected);
    m_state = State::Running;
    if (!m_pendingStdin.isEmpty())
        send(StdinChannel, std::exchange(m_pendingStdin, {}));
    if (m_stdinClosed && m_protocol == execV5)
        send(CloseChannel, QByteArray(1, char(StdinChannel)));
    sendSize();
    m_keepAlive.start(keepAlivePeriod);
    Q_EMIT started();
}

void ExecSession::writeStdin(const QByteArray &data)
{
    if (!m_stdinOpen || m_stdinClosed || data.isEmpty())
        return;
    if (m_state == State::Running)
        send(StdinChannel, data);
    else if (m_state == State::Connecting)
        m_pendingStdin += data;
}

void ExecSession::closeStdin()
{
    if (!m_stdinOpen || m_stdinClosed)
        return;
    m_stdinClosed = true;
    if (m_state == State::Running && m_protocol == execV5)
        send(CloseChannel, QByteArray(1, char(StdinChannel)));
}

void ExecSession::resize(int columns, int rows)
{
    if (columns <= 0 || rows <= 0)
        return;
    m_size = {columns, rows};
    sendSize();
}

void ExecSession::close()
{
    m_state = State::Done;
    m_keepAlive.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->close();
    }
}

void ExecSession::send(int channel, const QByteArray &data)
{
    if (m_socket)
        m_socket->sendBinary(char(channel) + data);
}

void ExecSession::sendSize()
{
    if (m_state != State::Running || !m_size)
        return;
    const QJsonObject size{{u"Width"_s, m_size->first}, {u"Height"_s, m_size->second}};
    send(ResizeChannel, QJsonDocument(size).toJson(QJsonDocument::Compact));
    m_size.reset();
}

void ExecSession::onMessage(const QByteArray &message)
{
    if (message.isEmpty() || m_state != State::Running)
        return;
    const QByteArray payload = message.mid(1);
    switch (quint8(message.at(0))) {
    case StdoutChannel:
        if (!payload.isEmpty())
            Q_EMIT stdoutReceived(payload);
        break;
    case StderrChannel:
        if (!payload.isEmpty())
            Q_EMIT stderrReceived(payload);
        break;
    case StatusChannel: {
        // The last message: everything the command wrote came before it.
        const QJsonObject status = QJsonDocument::fromJson(payload).object();
        if (const std::optional<int> code = exitCodeOf(status))
            return finish(*code, {});
        const QString message = status.value(u"message").toString();
        finish(-1, message.isEmpty() ? QString::fromUtf8(payload).trimmed() : message);
        break;
    }
    default:
        break;
    }
}

void ExecSession::onDisconnected()
{
    if (m_state == State::Running)
        finish(-1, Tr::tr("the connection to the container ended before the command did"));
}

void ExecSession::finish(int exitCode, const QString &error)
{
    if (m_state == State::Done)
        return;
    m_state = State::Done;
    m_keepAlive.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->close();
    }
    Q_EMIT finished(exitCode, error);
}

// --- port-forward --------------------------------------------------------------------------

// One accepted local connection and its pair of streams.
struct PortForward::Connection
{
    QTcpSocket *local = nullptr;
    QByteArray requestId;
    quint32 errorStream = 0;
    quint32 dataStream = 0;
    QByteArray errorText;
};

PortForward::PortForward(HttpsClient &client, QObject *parent) : QObject(parent), m_client(client)
{
}

PortForward::~PortForward()
{
    stop();
}

bool PortForward::isListening() const
{
    return m_server && m_server->isListening();
}

std::expected<quint16, QString> PortForward::start(const QString &ns, const QString &pod,
                                                   quint16 podPort, quint16 localPort)
{
    if (m_server)
        return std::unexpected(Tr::tr("this port-forward was started already"));
    m_ns = ns;
    m_pod = pod;
    m_podPort = podPort;
    m_server = new QTcpServer(this);
    if (!m_server->listen(QHostAddress::LocalHost, localPort))
        return std::unexpected(
            Tr::tr("unable to listen on port %1: %2").arg(localPort).arg(m_server->errorString()));
    m_localPort = m_server->serverPort();
    connect(m_server, &QTcpServer::newConnection, this, &PortForward::onAccepted);
    connectTunnel();
    return m_localPort;
}

void PortForward::stop()
{
    if (m_server)
        m_server->close();
    const QList<Connection *> connections = m_connections;
    for (Connection *c : connections) {
        c->local->disconnect(this);
        c->local->abort();
        drop(c);
    }
    if (m_tunnel) {
        m_tunnel->disconnect(this);
        m_tunnel->session().disconnect(this);
        m_tunnel->close();
        m_tunnel->deleteLater();
        m_tunnel = nullptr;
    }
    m_connecting = false;
}

void PortForward::onAccepted()
{
    while (m_server->hasPendingConnections()) {
        auto *c = new Connection;
        c->local = m_server->nextPendingConnection();
        c->local->setParent(this);
        c->requestId = QByteArray::number(m_nextRequestId++);
        m_connections.append(c);
        connect(c->local, &QIODevice::readyRead, this, [this, c] { pumpLocal(c); });
        connect(c->local, &QIODevice::bytesWritten, this, &PortForward::resumeTunnel);
        connect(c->local, &QAbstractSocket::disconnected, this, [this, c] {
            // The local side is done: the pod's side ends with it (Qt sockets do not half-close).
            if (m_tunnel && c->dataStream)
                m_tunnel->session().finish(c->dataStream);
            drop(c);
        });
        if (m_tunnel)
            openStreams(c);
        else
            connectTunnel();
    }
}

// kubectl's check first: a pod that does not run has nothing to forward to.
void PortForward::connectTunnel()
{
    if (m_connecting || m_tunnel)
        return;
    m_connecting = true;
    QPointer<PortForward> self(this);
    m_client.get(podsResource, m_ns, m_pod, [this, self](Result<QJsonObject> pod) {
        if (!self || !m_connecting)
            return;
        if (!pod)
            return failAll(pod.error().message);
        const QString phase = pod->value(u"status").toObject().value(u"phase").toString();
        if (phase != u"Running")
            return failAll(
                Tr::tr("unable to forward port because pod is not running. Current status=%1")
                    .arg(phase));
        dialTunnel(m_transport != Transport::Spdy);
    });
}

void PortForward::dialTunnel(bool webSocket)
{
    const QByteArray path = podPath(m_ns, m_pod, "portforward");
    auto done = [this, webSocket](Result<Upgraded> up) {
        if (!m_connecting) {
            if (up)
                delete up->socket;
            return;
        }
        // A server without the WebSocket tunnel answers its request with an error: SPDY then,
        // as kubectl falls back.
        if (!up && webSocket && up.error().code != 0 && m_transport == Transport::Automatic)
            return dialTunnel(false);
        if (!up)
            return failAll(up.error().message);
        onTunnelUp(up->socket, webSocket);
    };
    if (webSocket)
        dialWebSocket(m_client.access(), path, {portForwardTunnel}, this, done);
    else
        dialSpdy(m_client.access(), path, {portForwardSpdy}, this, done);
}

void PortForward::onTunnelUp(QTcpSocket *socket, bool webSocket)
{
    m_connecting = false;
    m_connectedTransport = webSocket ? Transport::WebSocket : Transport::Spdy;
    if (webSocket) {
        auto *tunnel = new http::WebSocket(socket, http::WebSocket::Role::Client);
        m_tunnel = new http::spdy::Connection(tunnel, http::spdy::Session::Role::Client, this);
    } else {
        m_tunnel = new http::spdy::Connection(socket, http::spdy::Session::Role::Client, this);
    }
    http::spdy::Session &session = m_tunnel->session();
    connect(&session, &http::spdy::Session::dataReceived, this, &PortForward::onStreamData);
    connect(&session, &http::spdy::Session::remoteFinished, this, &PortForward::onStreamFinished);
    connect(&session, &http::spdy::Session::streamReset, this,
            [this](quint32 id) { onStreamFinished(id); });
    connect(&session, &http::spdy::Session::protocolError, m_tunnel,
            &http::spdy::Connection::abort);
    connect(&session, &http::spdy::Session::goAwayReceived, m_tunnel,
            &http::spdy::Connection::close);
    connect(m_tunnel, &http::spdy::Connection::bytesWritten, this, &PortForward::onTunnelDrained);
    connect(m_tunnel, &http::spdy::Connection::disconnected, this, &PortForward::onTunnelLost);
    const bool first = !m_everUp;
    m_everUp = true;
    const QList<Connection *> waiting = m_connections;
    for (Connection *c : waiting)
        openStreams(c);
    if (first)
        Q_EMIT ready();
}

void PortForward::onTunnelLost()
{
    http::spdy::Connection *tunnel = std::exchange(m_tunnel, nullptr);
    tunnel->disconnect(this);
    tunnel->session().disconnect(this);
    tunnel->deleteLater();
    // Connections that were carried by it are broken; the next one connects anew.
    const QList<Connection *> connections = m_connections;
    for (Connection *c : connections) {
        c->local->disconnect(this);
        c->local->abort();
        drop(c);
    }
    Q_EMIT error(Tr::tr("lost connection to pod %1").arg(m_pod), false);
}

void PortForward::openStreams(Connection *c)
{
    if (c->dataStream)
        return;
    http::spdy::Session &session = m_tunnel->session();
    const QByteArray port = QByteArray::number(m_podPort);
    // The error stream only carries the server's message: this side ends it at once.
    c->errorStream = session.openStream(
        {{"streamtype", "error"}, {"port", port}, {"requestid", c->requestId}}, true);
    c->dataStream =
        session.openStream({{"streamtype", "data"}, {"port", port}, {"requestid", c->requestId}});
    m_streams.insert(c->errorStream, c);
    m_streams.insert(c->dataStream, c);
    pumpLocal(c);
}

void PortForward::pumpLocal(Connection *c)
{
    if (!m_tunnel || !c->dataStream)
        return; // what the local side sends waits in its socket
    while (c->local->bytesAvailable() > 0 && m_tunnel->bytesToWrite() < highWater)
        m_tunnel->session().sendData(c->dataStream, c->local->read(readChunk));
}

void PortForward::onTunnelDrained()
{
    if (!m_tunnel || m_tunnel->bytesToWrite() > lowWater)
        return;
    const QList<Connection *> connections = m_connections;
    for (Connection *c : connections)
        pumpLocal(c);
}

// The tunnel is read again once every local side has taken most of what it was given.
void PortForward::resumeTunnel()
{
    if (!m_tunnel)
        return;
    for (const Connection *c : std::as_const(m_connections)) {
        if (c->local->bytesToWrite() > lowWater)
            return;
    }
    m_tunnel->setReadingPaused(false);
}

void PortForward::onStreamData(quint32 id, const QByteArray &data)
{
    Connection *c = m_streams.value(id);
    if (!c)
        return;
    if (id == c->errorStream) {
        c->errorText += data;
        return;
    }
    c->local->write(data);
    // A slow local reader: the pod's data waits in the tunnel (and TCP slows the server).
    if (c->local->bytesToWrite() > highWater)
        m_tunnel->setReadingPaused(true);
}

void PortForward::onStreamFinished(quint32 id)
{
    Connection *c = m_streams.value(id);
    if (!c)
        return;
    if (id == c->errorStream && c->errorText.isEmpty())
        return; // no error: the data stream tells the end
    const QString why = QString::fromUtf8(c->errorText).trimmed();
    // What the pod sent is written first; disconnected() then drops the connection.
    m_streams.remove(c->errorStream);
    m_streams.remove(c->dataStream);
    c->local->disconnectFromHost();
    if (!why.isEmpty())
        Q_EMIT error(Tr::tr("an error occurred forwarding %1 -> %2: %3")
                         .arg(m_localPort)
                         .arg(m_podPort)
                         .arg(why),
                     false);
}

void PortForward::failAll(const QString &message)
{
    stop();
    Q_EMIT error(message, true);
}

void PortForward::drop(Connection *c)
{
    m_streams.remove(c->errorStream);
    m_streams.remove(c->dataStream);
    m_connections.removeOne(c);
    c->local->disconnect(this);
    c->local->deleteLater();
    delete c;
    resumeTunnel();
}

} // namespace timonel::client
