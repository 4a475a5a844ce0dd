#include "httpserver.h"

#include "httpconnection.h"

#include <QSslConfiguration>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>

namespace timonel::http {

QByteArray HttpRequest::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

HttpExchange::HttpExchange(HttpConnection *connection, HttpRequest request)
    : QObject(connection), m_connection(connection), m_request(std::move(request))
{
}

HttpExchange::~HttpExchange() = default;

HttpConnection *HttpExchange::liveConnection(const char *operation, State expected) const
{
    if (m_state == expected && m_connection)
        return m_connection;
    if (m_state != State::Gone)
        qCWarning(lcHttp) << operation << "ignored: the exchange is not"
                          << (expected == State::Open ? "open" : "streaming");
    return nullptr;
}

void HttpExchange::respond(int status, const HttpHeaders &headers, const QByteArray &body)
{
    if (auto *connection = liveConnection("respond", State::Open)) {
        m_state = State::Finished;
        connection->writeResponse(status, headers, body);
    }
}

void HttpExchange::beginStream(int status, const HttpHeaders &headers)
{
    if (auto *connection = liveConnection("beginStream", State::Open)) {
        m_state = State::Streaming;
        connection->writeStreamHead(status, headers);
    }
}

void HttpExchange::writeChunk(const QByteArray &data)
{
    if (auto *connection = liveConnection("writeChunk", State::Streaming))
        connection->writeChunk(data);
}

void HttpExchange::endStream()
{
    if (auto *connection = liveConnection("endStream", State::Streaming)) {
        m_state = State::Finished;
        connection->writeStreamEnd();
    }
}

qint64 HttpExchange::unsentBytes() const
{
    return m_connection ? m_connection->unsentBytes() : 0;
}

QTcpSocket *HttpExchange::takeSocket(int status, const HttpHeaders &headers)
{
    auto *connection = liveConnection("takeSocket", State::Open);
    if (!connection)
        return nullptr;
    m_state = State::Finished;
    m_connection = nullptr;
    return connection->releaseSocket(status, headers);
}

HttpServer::HttpServer(Handler handler, QObject *parent)
    : QObject(parent), m_handler(std::move(handler))
{
}

HttpServer::~HttpServer()
{
    close();
    // Connections are children; delete them while the set they leave still exists.
    const auto connections = children();
    for (QObject *child : connections) {
        if (dynamic_cast<HttpConnection *>(child))
            delete child;
    }
}

void HttpServer::setTooLargeBody(QByteArray contentType, QByteArray body)
{
    m_tooLargeType = std::move(contentType);
    m_tooLargeBody = std::move(body);
}

void HttpServer::setIdleTimeout(std::chrono::milliseconds timeout)
{
    m_idleTimeout = timeout;
    updateSweepInterval();
}

void HttpServer::setHeaderTimeout(std::chrono::milliseconds timeout)
{
    m_headerTimeout = timeout;
    updateSweepInterval();
}

void HttpServer::updateSweepInterval()
{
    if (m_sweep)
        m_sweep->setInterval(std::clamp(std::min(m_idleTimeout, m_headerTimeout) / 4,
                                        std::chrono::milliseconds(10),
                                        std::chrono::milliseconds(5000)));
}

std::expected<void, QString> HttpServer::listen(const QHostAddress &address, quint16 port,
                                                const QSslConfiguration &tls)
{
    QSslConfiguration configuration = tls;
    // Go clients would pick h2 if offered.
    configuration.setAllowedNextProtocols({QSslConfiguration::NextProtocolHttp1_1});
    auto *listener = new QSslServer(this);
    listener->setSslConfiguration(configuration);
    connect(listener, &QSslServer::errorOccurred, this,
            [](QSslSocket *socket, QAbstractSocket::SocketError) {
                qCDebug(lcHttp) << "TLS handshake failed:" << socket->errorString();
            });
    return startListening(listener, address, port);
}

std::expected<void, QString> HttpServer::listenPlain(const QHostAddress &address, quint16 port)
{
    return startListening(new QTcpServer(this), address, port);
}

std::expected<void, QString> HttpServer::startListening(QTcpServer *listener,
                                                        const QHostAddress &address, quint16 port)
{
    if (m_listener) {
        delete listener;
        return std::unexpected(QStringLiteral("the HTTP server is already listening"));
    }
    if (!listener->listen(address, port)) {
        const QString error = QStringLiteral("cannot listen on %1 port %2: %3")
                                  .arg(address.toString())
                                  .arg(port)
                                  .arg(listener->errorString());
        delete listener;
        return std::unexpected(error);
    }
    m_listener = listener;
    connect(listener, &QTcpServer::pendingConnectionAvailable, this, &HttpServer::acceptPending);
    if (!m_sweep) {
        m_sweep = new QTimer(this);
        connect(m_sweep, &QTimer::timeout, this, &HttpServer::sweepTimeouts);
    }
    updateSweepInterval();
    m_sweep->start();
    return {};
}

quint16 HttpServer::port() const
{
    return m_listener ? m_listener->serverPort() : 0;
}

void HttpServer::acceptPending()
{
    while (m_listener && m_listener->hasPendingConnections()) {
        QTcpSocket *socket = m_listener->nextPendingConnection();
        if (!socket)
            break;
        auto *connection = new HttpConnection(this, socket);
        m_connections.insert(connection);
        connection->start();
    }
}

void HttpServer::sweepTimeouts()
{
    const auto now = HttpConnection::Clock::now();
    const auto connections = m_connections; // checks may close connections
    for (HttpConnection *connection : connections)
        connection->checkTimeouts(now);
}

void HttpServer::close()
{
    if (m_listener) {
        m_listener->close();
        m_listener->deleteLater();
        m_listener = nullptr;
    }
    if (m_sweep)
        m_sweep->stop();
    const auto connections = m_connections;
    for (HttpConnection *connection : connections)
        connection->drop();
}

} // namespace timonel::http
