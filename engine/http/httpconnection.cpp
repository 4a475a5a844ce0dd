#include "httpconnection.h"

#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>

#include <cstdio>
#include <ctime>

#ifdef Q_OS_LINUX
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

namespace timonel::http {

Q_LOGGING_CATEGORY(lcHttp, "timonel.apiserver.http", QtInfoMsg)

using namespace httpsyntax;

namespace {

using namespace std::chrono_literals;

// Caps what the socket buffers while a handler runs, so a client cannot pile up data.
constexpr qint64 kSocketReadBuffer = 256 * 1024;
// Bodies up to this size go out in the same write as the head.
constexpr qsizetype kCoalescedBody = 16 * 1024;
// After a closing response, how long to keep reading (and dropping) what the client still
// sends, so that closing with unread data does not reset the connection before the client read
// the response. Go's server waits the same.
constexpr auto kLinger = 500ms;

QByteArrayView reasonPhrase(int status)
{
    static constexpr std::pair<int, const char *> phrases[] = {
        {100, "Continue"},
        {101, "Switching Protocols"},
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {204, "No Content"},
        {206, "Partial Content"},
        {301, "Moved Permanently"},
        {302, "Found"},
        {304, "Not Modified"},
        {307, "Temporary Redirect"},
        {308, "Permanent Redirect"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {406, "Not Acceptable"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {410, "Gone"},
        {411, "Length Required"},
        {412, "Precondition Failed"},
        {413, "Request Entity Too Large"},
        {414, "Request URI Too Long"},
        {415, "Unsupported Media Type"},
        {416, "Requested Range Not Satisfiable"},
        {417, "Expectation Failed"},
        {422, "Unprocessable Entity"},
        {426, "Upgrade Required"},
        {428, "Precondition Required"},
        {429, "Too Many Requests"},
        {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
        {505, "HTTP Version Not Supported"}};
    for (const auto &[code, phrase] : phrases) {
        if (code == status)
            return phrase;
    }
    return "";
}

// Formatted once a second: every response carries it.
QByteArray httpDate()
{
    static constexpr const char *days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    thread_local std::time_t cachedSecond = -1;
    thread_local QByteArray cached;
    const std::time_t now = std::time(nullptr);
    if (now != cachedSecond) {
        std::tm t{};
        gmtime_r(&now, &t);
        char text[40];
        const int n = std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                                    days[t.tm_wday], t.tm_mday, months[t.tm_mon], t.tm_year + 1900,
                                    t.tm_hour, t.tm_min, t.tm_sec);
        cached = QByteArray(text, n);
        cachedSecond = now;
    }
    return cached;
}

void appendHeader(QByteArray &out, QByteArrayView name, QByteArrayView value)
{
    // A value carrying a line break would let request data forge response headers.
    if (!isToken(name) || !isFieldValue(value)) {
        qCWarning(lcHttp) << "dropping invalid response header" << name;
        return;
    }
    out.append(name).append(": ").append(value).append("\r\n");
}

} // namespace

HttpConnection::HttpConnection(HttpServer *server, QTcpSocket *socket)
    : QObject(server), m_server(server), m_socket(socket)
{
    socket->setParent(this);
    socket->setReadBufferSize(kSocketReadBuffer);
    // Watch events and small responses must not wait for Nagle; dead peers of long watches
    // are noticed by keep-alive probes (every 15 s, as Go's listeners).
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    socket->setSocketOption(QAbstractSocket::KeepAliveOption, 1);
#ifdef Q_OS_LINUX
    const int seconds = 15;
    ::setsockopt(int(socket->socketDescriptor()), IPPROTO_TCP, TCP_KEEPIDLE, &seconds,
                 sizeof seconds);
    ::setsockopt(int(socket->socketDescriptor()), IPPROTO_TCP, TCP_KEEPINTVL, &seconds,
                 sizeof seconds);
#endif
    m_peerAddress = socket->peerAddress();
    if (auto *tls = qobject_cast<QSslSocket *>(socket)) {
        // With QueryPeer the handshake succeeds whatever the client presents; a certificate
        // counts only when verifying it against the client CA raised no error.
        const QSslCertificate certificate = tls->peerCertificate();
        if (!certificate.isNull() && tls->sslHandshakeErrors().isEmpty())
            m_clientCertificate = certificate;
        else if (!certificate.isNull())
            qCDebug(lcHttp) << "client certificate rejected:" << tls->sslHandshakeErrors();
    }
    connect(socket, &QIODevice::readyRead, this, &HttpConnection::onReadyRead);
    connect(socket, &QAbstractSocket::disconnected, this, &HttpConnection::teardown);
    connect(socket, &QAbstractSocket::errorOccurred, this, &HttpConnection::teardown);
}

HttpConnection::~HttpConnection()
{
    m_server->m_connections.remove(this);
}

void HttpConnection::start()
{
    // Whatever arrived during the TLS handshake announced itself before we listened.
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        teardown();
    else
        onReadyRead();
}

void HttpConnection::onReadyRead()
{
    if (!m_socket)
        return;
    const auto now = Clock::now();
    if (m_state == State::Reading && m_parser.isIdle())
        m_requestStart = now;
    m_lastActivity = now;
    if (m_state == State::Closing)
        m_socket->skip(m_socket->bytesAvailable());
    else
        processInput();
}

void HttpConnection::processInput()
{
    while (m_socket && m_state == State::Reading) {
        switch (m_parser.read(*m_socket, m_server->m_maxBodySize)) {
        case HttpRequestParser::Progress::NeedMore:
            return;
        case HttpRequestParser::Progress::ContinueWanted:
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
            break;
        case HttpRequestParser::Progress::Complete:
            dispatch();
            break;
        case HttpRequestParser::Progress::Failed:
            return fail(m_parser.failureStatus(), m_parser.failureDetail());
        }
    }
}

void HttpConnection::dispatch()
{
    m_state = State::Handling;
    m_closeAfter = m_closeAfter || m_parser.closeRequested();
    HttpRequest request = m_parser.takeRequest();
    request.clientCertificate = m_clientCertificate;
    request.peerAddress = m_peerAddress;
    auto *exchange = new HttpExchange(this, std::move(request));
    m_exchange = exchange;
    // A handler answering at once finishes the exchange inside this call; processInput() then
    // goes on with the next request instead of finishExchange() recursing into it.
    m_dispatching = true;
    m_server->m_handler(exchange);
    m_dispatching = false;
}

void HttpConnection::fail(int status, QByteArrayView detail)
{
    QByteArray type = "text/plain; charset=utf-8";
    QByteArray body = QByteArray::number(status) + ' ' + reasonPhrase(status).toByteArray();
    if (!detail.isEmpty())
        body += ": " + detail.toByteArray();
    if (status == 413) {
        type = m_server->m_tooLargeType;
        body = m_server->m_tooLargeBody;
        if (body.isEmpty()) {
            type = "text/plain; charset=utf-8";
            body =
                "Request entity too large: limit is " + QByteArray::number(m_server->m_maxBodySize);
        }
    }
    qCDebug(lcHttp) << m_peerAddress << "request refused:" << body;
    m_closeAfter = true;
    QByteArray out = responseHead(status, {{"Content-Type", type}}, body.size());
    m_socket->write(out + body);
    closeGracefully();
}

QByteArray HttpConnection::responseHead(int status, const HttpHeaders &headers,
                                        qint64 contentLength)
{
    QByteArray out;
    out.reserve(160 + headers.size() * 48);
    out.append(m_parser.isHttp10() ? "HTTP/1.0 " : "HTTP/1.1 ")
        .append(QByteArray::number(status))
        .append(' ')
        .append(reasonPhrase(status))
        .append("\r\n");
    appendHeader(out, "Date", httpDate());
    for (const auto &[name, value] : headers) {
        if (name.compare("Content-Length", Qt::CaseInsensitive) == 0 ||
            name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0)
            continue;
        if (name.compare("Connection", Qt::CaseInsensitive) == 0) {
            m_closeAfter = m_closeAfter || listsToken(value, "close");
            continue;
        }
        appendHeader(out, name, value);
    }
    if (contentLength >= 0)
        appendHeader(out, "Content-Length", QByteArray::number(contentLength));
    else if (m_chunkedResponse)
        appendHeader(out, "Transfer-Encoding", "chunked");
    if (m_closeAfter)
        appendHeader(out, "Connection", "close");
    else if (m_parser.isHttp10())
        appendHeader(out, "Connection", "keep-alive");
    out.append("\r\n");
    return out;
}

void HttpConnection::writeResponse(int status, const HttpHeaders &headers, const QByteArray &body)
{
    // 1xx, 204 and 304 responses never have a body (RFC 9110, 6.4.1).
    const bool bodyless = status < 200 || status == 204 || status == 304;
    QByteArray out = responseHead(status, headers, bodyless ? -1 : body.size());
    if (bodyless || m_parser.isHeadRequest()) {
        m_socket->write(out);
    } else if (body.size() <= kCoalescedBody) {
        m_socket->write(out + body);
    } else {
        m_socket->write(out);
        m_socket->write(body); // shared, not copied
    }
    finishExchange();
}

void HttpConnection::writeStreamHead(int status, const HttpHeaders &headers)
{
    // HTTP/1.0 has no chunked coding: the body ends with the connection.
    m_chunkedResponse = !m_parser.isHttp10();
    if (m_parser.isHttp10())
        m_closeAfter = true;
    m_socket->write(responseHead(status, headers, -1));
}

void HttpConnection::writeChunk(const QByteArray &data)
{
    if (data.isEmpty() || m_parser.isHeadRequest())
        return; // an empty chunk would end the stream
    if (!m_chunkedResponse) {
        m_socket->write(data);
        return;
    }
    QByteArray size = QByteArray::number(data.size(), 16) + "\r\n";
    if (data.size() <= kCoalescedBody) {
        m_socket->write(size + data + "\r\n");
    } else {
        m_socket->write(size);
        m_socket->write(data);
        m_socket->write("\r\n");
    }
}

void HttpConnection::writeStreamEnd()
{
    if (m_chunkedResponse && !m_parser.isHeadRequest())
        m_socket->write("0\r\n\r\n");
    finishExchange();
}

QTcpSocket *HttpConnection::releaseSocket(int status, const HttpHeaders &headers)
{
    QByteArray out;
    out.append("HTTP/1.1 ")
        .append(QByteArray::number(status))
        .append(' ')
        .append(reasonPhrase(status))
        .append("\r\n");
    appendHeader(out, "Date", httpDate());
    for (const auto &[name, value] : headers)
        appendHeader(out, name, value);
    out.append("\r\n");
    QTcpSocket *socket = std::exchange(m_socket, nullptr);
    socket->write(out);
    socket->disconnect(this);
    socket->setParent(nullptr);
    socket->setReadBufferSize(0);
    if (m_exchange)
        m_exchange->deleteLater();
    m_state = State::Closing;
    m_server->m_connections.remove(this);
    deleteLater();
    return socket;
}

qint64 HttpConnection::unsentBytes() const
{
    if (!m_socket)
        return 0;
    const auto *tls = qobject_cast<const QSslSocket *>(m_socket);
    return m_socket->bytesToWrite() + (tls ? tls->encryptedBytesToWrite() : 0);
}

void HttpConnection::finishExchange()
{
    if (m_exchange)
        m_exchange->deleteLater();
    m_exchange = nullptr;
    m_lastActivity = m_requestStart = Clock::now();
    if (m_closeAfter)
        return closeGracefully();
    m_state = State::Reading;
    m_chunkedResponse = false;
    m_parser.reset();
    // What the client pipelined meanwhile announced itself already; read it outside the
    // handler's call stack.
    if (!m_dispatching && m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::processInput, Qt::QueuedConnection);
}

void HttpConnection::closeGracefully()
{
    m_state = State::Closing;
    m_socket->skip(m_socket->bytesAvailable());
    // A QSslSocket's bytesWritten() comes while the encrypted bytes are still on their way to
    // the TCP socket: only encryptedBytesWritten() means they left.
    if (auto *tls = qobject_cast<QSslSocket *>(m_socket)) {
        connect(tls, &QSslSocket::encryptedBytesWritten, this,
                &HttpConnection::shutdownWhenFlushed);
    } else {
        connect(m_socket, &QIODevice::bytesWritten, this, &HttpConnection::shutdownWhenFlushed);
    }
    m_socket->flush();
    shutdownWhenFlushed();
}

void HttpConnection::shutdownWhenFlushed()
{
    if (!m_socket || m_shutdownSent)
        return;
    m_lastActivity = Clock::now();
    auto *tls = qobject_cast<QSslSocket *>(m_socket);
    if (m_socket->bytesToWrite() > 0 || (tls && tls->encryptedBytesToWrite() > 0))
        return;
    m_shutdownSent = true;
    // Half-close, so the client sees the end of the response, then give it a moment to stop
    // sending before the socket closes for good.
#ifdef Q_OS_LINUX
    ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
#endif
    QTimer::singleShot(kLinger, this, &HttpConnection::teardown);
}

void HttpConnection::checkTimeouts(Clock::time_point now)
{
    const bool idle = m_state == State::Reading && m_parser.isIdle();
    const bool readingHead = m_state == State::Reading && m_parser.isReadingHead();
    const bool readingBody = m_state != State::Handling && !idle && !readingHead;
    if ((idle || readingBody) && now - m_lastActivity > m_server->m_idleTimeout) {
        qCDebug(lcHttp) << m_peerAddress << "idle connection closed";
        teardown();
    } else if (readingHead && now - m_requestStart > m_server->m_headerTimeout) {
        qCDebug(lcHttp) << m_peerAddress << "request head too slow, connection closed";
        teardown();
    }
}

void HttpConnection::drop()
{
    teardown();
}

void HttpConnection::teardown()
{
    if (!m_socket)
        return;
    QTcpSocket *socket = std::exchange(m_socket, nullptr);
    socket->disconnect(this);
    // A socket reporting its own end is closing already; aborting it inside its signal is not
    // needed. Either way it goes with this connection.
    if (sender() != socket)
        socket->abort();
    m_state = State::Closing;
    if (m_exchange && !m_exchange->isFinished()) {
        m_exchange->m_state = HttpExchange::State::Gone;
        m_exchange->m_connection = nullptr;
        Q_EMIT m_exchange->clientGone();
    }
    m_server->m_connections.remove(this);
    deleteLater();
}

} // namespace timonel::http
