#include "portforward.h"

#include "http/httpserver.h"
#include "http/spdyconnection.h"
#include "http/websocket.h"

#include <QHash>
#include <QLoggingCategory>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include <sys/socket.h>

using namespace Qt::StringLiterals;

namespace timonel::kubelet {

Q_DECLARE_LOGGING_CATEGORY(lcKubeletServer)

namespace {

constexpr qint64 kHighWater = 1024 * 1024;
constexpr qint64 kLowWater = 256 * 1024;
constexpr qint64 kReadChunk = 32 * 1024;
constexpr qint64 kSocketReadBuffer = 256 * 1024;
constexpr int kStreamCreationTimeoutMs = 30000;
constexpr int kConnectTimeoutMs = 30000;

// How Go's net package words a failed dial, which is what the runtime reports.
QString dialError(QAbstractSocket::SocketError error, const QString &fallback)
{
    switch (error) {
    case QAbstractSocket::ConnectionRefusedError:
        return u"connect: connection refused"_s;
    case QAbstractSocket::SocketTimeoutError:
        return u"i/o timeout"_s;
    case QAbstractSocket::NetworkError:
        return u"connect: network is unreachable"_s;
    case QAbstractSocket::HostNotFoundError:
        return u"connect: no route to host"_s;
    default:
        return fallback;
    }
}

// One forwarded connection: its two streams and the TCP connection to the pod.
class Pair : public QObject
{
public:
    using QObject::QObject;
    QString requestId;
    quint16 port = 0;
    quint32 errorStream = 0;
    quint32 dataStream = 0;
    QTcpSocket *pod = nullptr;
    QByteArray toPod; // what the client sent before the pod answered
    QTimer timer;     // stream creation, then connection
    bool connected = false;
    bool clientDone = false; // FIN on the data stream: half-close towards the pod
    bool podWriteClosed = false;
};

class PortForwardSession : public QObject
{
public:
    PortForwardSession(http::spdy::Connection *connection, PortForwardTarget target,
                       QObject *parent)
        : QObject(parent), m_connection(connection), m_target(std::move(target))
    {
        connection->setParent(this);
        http::spdy::Session &spdy = connection->session();
        connect(&spdy, &http::spdy::Session::streamOpened, this, &PortForwardSession::onStream);
        connect(&spdy, &http::spdy::Session::dataReceived, this, &PortForwardSession::onData);
        connect(&spdy, &http::spdy::Session::remoteFinished, this,
                &PortForwardSession::onRemoteFinished);
        connect(&spdy, &http::spdy::Session::streamReset, this, [this](quint32 id) {
            if (Pair *pair = m_streams.value(id))
                end(pair);
        });
        connect(&spdy, &http::spdy::Session::protocolError, this, [this](const QString &e) {
            qCDebug(lcKubeletServer) << "port-forward: SPDY protocol error:" << e;
            m_connection->abort();
        });
        connect(&spdy, &http::spdy::Session::goAwayReceived, connection,
                &http::spdy::Connection::close);
        connect(connection, &http::spdy::Connection::bytesWritten, this,
                &PortForwardSession::onTransportDrained);
        connect(connection, &http::spdy::Connection::disconnected, this, [this] {
            const auto pairs = m_pairs;
            for (Pair *pair : pairs)
                drop(pair);
            deleteLater();
        });
    }

private:
    void onStream(quint32 id, const http::spdy::HeaderBlock &headers)
    {
        http::spdy::Session &spdy = m_connection->session();
        const QByteArray portText = http::spdy::headerValue(headers, "port");
        const QByteArray type = http::spdy::headerValue(headers, "streamtype");
        bool ok = false;
        const uint port = portText.toUInt(&ok);
        if (!ok || port < 1 || port > 65535 || (type != "error" && type != "data")) {
            qCDebug(lcKubeletServer)
                << "port-forward: stream rejected, port" << portText << "type" << type;
            spdy.reset(id, http::spdy::Cancel);
            return;
        }
        spdy.reply(id);
        QString requestId = QString::fromUtf8(http::spdy::headerValue(headers, "requestid"));
        if (requestId.isEmpty()) // old clients: streams come in consecutive odd-numbered pairs
            requestId = QString::number(type == "error" ? id : id - 2);
        Pair *pair = m_pairs.value(requestId);
        if (!pair) {
            pair = new Pair(this);
            pair->requestId = requestId;
            pair->port = quint16(port);
            m_pairs.insert(requestId, pair);
            pair->timer.setSingleShot(true);
            connect(&pair->timer, &QTimer::timeout, pair, [this, pair] {
                sendError(pair, u"(conn=%1, request=%2) timed out waiting for streams"_s
                                    .arg(quintptr(m_connection), 0, 16)
                                    .arg(pair->requestId));
                end(pair);
            });
            pair->timer.start(kStreamCreationTimeoutMs);
        }
        quint32 &slot = type == "error" ? pair->errorStream : pair->dataStream;
        if (slot) {
            sendError(pair,
                      u"error processing stream for request %1: %2 stream already assigned"_s.arg(
                          requestId, QString::fromUtf8(type)));
            spdy.reset(id, http::spdy::Cancel);
            return;
        }
        slot = id;
        m_streams.insert(id, pair);
        if (pair->errorStream && pair->dataStream)
            connectPod(pair);
    }

    void connectPod(Pair *pair)
    {
        pair->timer.disconnect();
        pair->timer.stop();
        auto *pod = new QTcpSocket(pair);
        pair->pod = pod;
        pod->setReadBufferSize(kSocketReadBuffer);
        connect(pod, &QAbstractSocket::connected, pair, [this, pair] {
            pair->connected = true;
            pair->timer.stop();
            if (!pair->toPod.isEmpty())
                pair->pod->write(std::exchange(pair->toPod, {}));
            closePodWriteWhenFlushed(pair);
            pumpFromPod(pair);
        });
        connect(pod, &QIODevice::readyRead, pair, [this, pair] { pumpFromPod(pair); });
        connect(pod, &QIODevice::bytesWritten, pair, [this, pair] {
            closePodWriteWhenFlushed(pair);
            updateTransportPause();
        });
        connect(pod, &QAbstractSocket::disconnected, pair, [this, pair] {
            pumpFromPod(pair, true);
            end(pair);
        });
        connect(pod, &QAbstractSocket::errorOccurred, pair,
                [this, pair](QAbstractSocket::SocketError error) {
                    if (!pair->connected)
                        return fail(pair, dialError(error, pair->pod->errorString()));
                    if (error != QAbstractSocket::RemoteHostClosedError) {
                        // A reset by the pod ends this connection only, as the runtime does.
                        qCDebug(lcKubeletServer) << "port-forward:" << pair->pod->errorString();
                        end(pair);
                    }
                });
        connect(&pair->timer, &QTimer::timeout, pair,
                [this, pair] { fail(pair, dialError(QAbstractSocket::SocketTimeoutError, {})); });
        pair->timer.start(kConnectTimeoutMs);
        pod->connectToHost(m_target.podIp, pair->port);
    }

    void onData(quint32 id, const QByteArray &data)
    {
        Pair *pair = m_streams.value(id);
        if (!pair || id != pair->dataStream)
            return;
        if (pair->connected)
            pair->pod->write(data);
        else
            pair->toPod.append(data);
        updateTransportPause();
    }

    void onRemoteFinished(quint32 id)
    {
        Pair *pair = m_streams.value(id);
        if (!pair || id != pair->dataStream)
            return;
        pair->clientDone = true;
        closePodWriteWhenFlushed(pair);
    }

    void closePodWriteWhenFlushed(Pair *pair)
    {
        if (!pair->clientDone || !pair->connected || pair->podWriteClosed ||
            pair->pod->bytesToWrite() > 0)
            return;
        pair->podWriteClosed = true;
        ::shutdown(int(pair->pod->socketDescriptor()), SHUT_WR);
    }

    void pumpFromPod(Pair *pair, bool force = false)
    {
        if (!pair->pod || !pair->dataStream)
            return;
        http::spdy::Session &spdy = m_connection->session();
        while (pair->pod->bytesAvailable() > 0 &&
               (force || m_connection->bytesToWrite() < kHighWater))
            spdy.sendData(pair->dataStream, pair->pod->read(kReadChunk));
        // The client is slow: what the pods send stays in their sockets until it catches up.
        if (pair->pod->bytesAvailable() > 0)
            m_podsPaused = true;
    }

    void onTransportDrained()
    {
        if (!m_podsPaused || m_connection->bytesToWrite() > kLowWater)
            return;
        m_podsPaused = false;
        const auto pairs = m_pairs;
        for (Pair *pair : pairs)
            pumpFromPod(pair);
    }

    // The client is not read while a pod cannot take what it sends.
    void updateTransportPause()
    {
        qint64 backlog = 0;
        for (Pair *pair : std::as_const(m_pairs))
            backlog =
                std::max(backlog, pair->toPod.size() + (pair->pod ? pair->pod->bytesToWrite() : 0));
        if (backlog > kHighWater)
            m_connection->setReadingPaused(true);
        else if (backlog < kLowWater)
            m_connection->setReadingPaused(false);
    }

    void sendError(Pair *pair, const QString &message)
    {
        if (pair->errorStream)
            m_connection->session().sendData(pair->errorStream, message.toUtf8());
    }

    void fail(Pair *pair, const QString &reason)
    {
        const QString message =
            u"error forwarding port %1 to pod %2, uid : dial tcp4 %3:%1: %4"_s.arg(pair->port)
                .arg(m_target.sandboxId, m_target.podIp, reason);
        qCDebug(lcKubeletServer) << "port-forward:" << message;
        sendError(pair, message);
        end(pair);
    }

    // The forwarding is over: both streams end (their FIN is what the client waits for).
    void end(Pair *pair)
    {
        http::spdy::Session &spdy = m_connection->session();
        if (pair->errorStream)
            spdy.finish(pair->errorStream);
        if (pair->dataStream)
            spdy.finish(pair->dataStream);
        drop(pair);
        updateTransportPause();
    }

    void drop(Pair *pair)
    {
        if (pair->pod) {
            pair->pod->disconnect(pair);
            pair->pod->abort();
        }
        m_streams.remove(pair->errorStream);
        m_streams.remove(pair->dataStream);
        m_pairs.remove(pair->requestId);
        pair->timer.stop();
        pair->deleteLater();
    }

    http::spdy::Connection *m_connection;
    PortForwardTarget m_target;
    QHash<QString, Pair *> m_pairs;   // by requestID
    QHash<quint32, Pair *> m_streams; // by stream id
    bool m_podsPaused = false;
};

} // namespace

void servePortForward(http::HttpExchange *exchange, const PortForwardTarget &target,
                      QObject *parent)
{
    QByteArray protocol;
    http::spdy::Connection *connection = nullptr;
    if (http::websocket::isUpgradeRequest(exchange->request())) {
        http::WebSocket *tunnel =
            http::acceptWebSocket(exchange, {"SPDY/3.1+portforward.k8s.io"}, &protocol);
        if (!tunnel)
            return;
        connection = new http::spdy::Connection(tunnel, http::spdy::Session::Role::Server);
    } else {
        QTcpSocket *socket = http::spdy::acceptUpgrade(exchange, {"portforward.k8s.io"}, &protocol);
        if (!socket)
            return;
        connection = new http::spdy::Connection(socket, http::spdy::Session::Role::Server);
    }
    new PortForwardSession(connection, target, parent);
}

} // namespace timonel::kubelet
