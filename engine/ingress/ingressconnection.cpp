#include "ingressconnection.h"

#include "ingressproxy.h"

#include "http/splice.h"

#include <QDateTime>
#include <QLocale>
#include <QSet>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace timonel::ingress {

namespace {

constexpr qint64 kHighWater = 1024 * 1024;
constexpr qint64 kPiece = 64 * 1024;
constexpr qint64 kUpstreamReadBuffer = 256 * 1024; // an unread backend waits in the kernel
constexpr qsizetype kMaxResponseHead = 64 * 1024;

// What a socket still has to send, encrypted or not.
qint64 pending(const QTcpSocket *socket)
{
    const auto *tls = qobject_cast<const QSslSocket *>(socket);
    return socket->bytesToWrite() + (tls ? tls->encryptedBytesToWrite() : 0);
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 408: return "Request Time-out";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Large";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Temporarily Unavailable";
    case 504: return "Gateway Time-out";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

// The error page nginx writes, which clients of ingress-nginx are used to seeing.
QByteArray errorPage(int status)
{
    const QByteArray title = QByteArray::number(status) + ' ' + reasonPhrase(status);
    return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" +
           title + "</h1></center>\r\n<hr><center>timonel</center>\r\n</body>\r\n</html>\r\n";
}

QByteArray httpDate()
{
    return QLocale::c()
        .toString(QDateTime::currentDateTimeUtc(), u"ddd, dd MMM yyyy hh:mm:ss 'GMT'"_s)
        .toLatin1();
}

// Hop-by-hop headers (RFC 9110, 7.6.1), and those a Connection header names, do not travel
// through a proxy.
QSet<QByteArray> hopByHop(const QByteArray &connectionHeader)
{
    QSet<QByteArray> names{"connection", "keep-alive",        "proxy-connection", "te",
                           "trailer",    "transfer-encoding", "upgrade"};
    for (const QByteArray &token : connectionHeader.split(','))
        if (const QByteArray t = token.trimmed().toLower(); !t.isEmpty())
            names.insert(t);
    return names;
}

} // namespace

IngressConnection::IngressConnection(IngressProxy *proxy, QTcpSocket *client, bool https)
    : QObject(proxy), m_proxy(proxy), m_client(client), m_https(https), m_timer(new QTimer(this))
{
    m_client->setParent(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &IngressConnection::timedOut);
}

IngressConnection::~IngressConnection()
{
    dropBackend();
}

void IngressConnection::start()
{
    connect(m_client, &QIODevice::readyRead, this, [this] {
        if (m_state == State::Reading)
            processInput();
    });
    connect(m_client, &QIODevice::bytesWritten, this, &IngressConnection::pumpBody);
    if (auto *tls = qobject_cast<QSslSocket *>(m_client))
        connect(tls, &QSslSocket::encryptedBytesWritten, this, &IngressConnection::pumpBody);
    connect(m_client, &QAbstractSocket::disconnected, this, &IngressConnection::clientGone);
    restartTimer(m_proxy->options().keepAliveTimeout);
    if (m_client->state() != QAbstractSocket::ConnectedState)
        return clientGone();
    processInput();
}

void IngressConnection::processInput()
{
    while (m_state == State::Reading && m_proxy) {
        switch (m_parser.read(*m_client, m_proxy->options().maxBodySize)) {
        case http::HttpRequestParser::Progress::NeedMore:
            if (!m_parser.isIdle())
                restartTimer(m_proxy->options().keepAliveTimeout);
            return;
        case http::HttpRequestParser::Progress::ContinueWanted:
            m_client->write("HTTP/1.1 100 Continue\r\n\r\n");
            break;
        case http::HttpRequestParser::Progress::Complete:
            m_headRequest = m_parser.isHeadRequest();
            m_closeAfter = m_parser.closeRequested();
            handleRequest(m_parser.takeRequest());
            break;
        case http::HttpRequestParser::Progress::Failed:
            m_closeAfter = true;
            return respondLocally(m_parser.failureStatus(), "text/html", errorPage(m_parser.failureStatus()));
        }
    }
}

void IngressConnection::handleRequest(http::HttpRequest request)
{
    m_request = std::move(request);
    const QString host = hostWithoutPort(QString::fromLatin1(m_request.header("host")));
    const auto backend = m_proxy->routingTable().match(host, m_request.path);
    const QByteArray connection = m_request.header("connection");
    m_upgradeRequested = !m_request.header("upgrade").isEmpty() &&
                         http::httpsyntax::listsToken(connection, "upgrade");
    if (!backend) {
        qCDebug(lcIngress) << "no route for" << host << m_request.path;
        return respondLocally(404, "text/plain; charset=utf-8", "default backend - 404");
    }
    if (backend->endpoints.isEmpty()) {
        qCDebug(lcIngress) << "no endpoints for" << backend->displayName();
        return respondLocally(503, "text/html", errorPage(503));
    }
    m_backend = *backend;
    m_attempts = 0;
    m_state = State::Forwarding;
    connectBackend();
}

void IngressConnection::connectBackend()
{
    dropBackend();
    const auto endpoint = m_proxy->pickEndpoint(m_backend);
    if (!endpoint)
        return respondLocally(503, "text/html", errorPage(503));
    m_endpoint = *endpoint;
    ++m_attempts;
    m_upstream = new QTcpSocket(this);
    m_upstream->setReadBufferSize(kUpstreamReadBuffer);
    m_upstreamConnected = false;
    m_headWritten = false;
    m_responseHead.clear();
    connect(m_upstream, &QAbstractSocket::connected, this, &IngressConnection::sendRequest);
    connect(m_upstream, &QIODevice::readyRead, this, &IngressConnection::readBackend);
    connect(m_upstream, &QAbstractSocket::errorOccurred, this, [this] {
        if (m_upstream && m_upstream->error() != QAbstractSocket::RemoteHostClosedError)
            backendFailed(m_upstream->errorString());
    });
    connect(m_upstream, &QAbstractSocket::disconnected, this, [this] {
        readBackend(); // what arrived with the close; pumpBody() ends the response
        // A body still waiting for the client to read is sent on as it does.
        if (m_upstream && m_state == State::Forwarding &&
            !(m_headWritten && m_upstream->bytesAvailable() > 0))
            backendFailed(u"the backend closed the connection"_s);
    });
    restartTimer(m_proxy->options().connectTimeout);
    m_upstream->connectToHost(m_endpoint.ip, m_endpoint.port);
}

void IngressConnection::sendRequest()
{
    m_upstreamConnected = true;
    restartTimer(m_proxy->options().readTimeout);
    const http::HttpRequest &r = m_request;
    QSet<QByteArray> skip = hopByHop(r.header("connection"));
    for (const char *name : {"content-length", "expect", "x-forwarded-for", "x-forwarded-host",
                             "x-forwarded-port", "x-forwarded-proto", "x-forwarded-scheme",
                             "x-real-ip"})
        skip.insert(name);

    QByteArray out = r.method + ' ' + r.target + " HTTP/1.1\r\n";
    for (const auto &[name, value] : r.headers)
        if (!skip.contains(name.toLower()))
            out += name + ": " + value + "\r\n";
    // As ingress-nginx sets them by default: the client is the peer, not what it claims.
    const QByteArray client = m_client->peerAddress().toString().toLatin1();
    const QByteArray scheme = m_https ? "https" : "http";
    out += "X-Real-IP: " + client + "\r\nX-Forwarded-For: " + client +
           "\r\nX-Forwarded-Host: " + hostWithoutPort(QString::fromLatin1(r.header("host"))).toLatin1() +
           "\r\nX-Forwarded-Port: " + QByteArray::number(m_client->localPort()) +
           "\r\nX-Forwarded-Proto: " + scheme + "\r\nX-Forwarded-Scheme: " + scheme + "\r\n";
    if (!r.body.isEmpty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH")
        out += "Content-Length: " + QByteArray::number(r.body.size()) + "\r\n";
    if (m_upgradeRequested)
        out += "Connection: Upgrade\r\nUpgrade: " + r.header("upgrade") + "\r\n";
    else
        out += "Connection: close\r\n";
    out += "\r\n";
    m_upstream->write(out);
    if (!r.body.isEmpty())
        m_upstream->write(r.body);
}

void IngressConnection::backendFailed(const QString &why)
{
    if (m_state != State::Forwarding || !m_upstream)
        return;
    qCDebug(lcIngress) << "backend" << m_endpoint.ip << m_endpoint.port << "of"
                       << m_backend.displayName() << "failed:" << why;
    if (m_headWritten) {
        // Part of the response is out: the client can only learn by the connection closing.
        dropBackend();
        m_closeAfter = true;
        return closeClient();
    }
    // As proxy_next_upstream: another endpoint, when the request has not reached this one.
    if (!m_upstreamConnected && m_attempts < m_backend.endpoints.size())
        return connectBackend();
    dropBackend();
    respondLocally(502, "text/html", errorPage(502));
}

void IngressConnection::readBackend()
{
    if (!m_upstream || m_state != State::Forwarding)
        return;
    restartTimer(m_proxy->options().readTimeout);
    if (!m_headWritten && !readResponseHead())
        return;
    pumpBody();
}

// Reads the response head; true once it is written to the client.
bool IngressConnection::readResponseHead()
{
    while (m_upstream->canReadLine()) {
        const QByteArray line = m_upstream->readLine(kMaxResponseHead);
        m_responseHead += line;
        if (m_responseHead.size() > kMaxResponseHead) {
            backendFailed(u"response head too large"_s);
            return false;
        }
        if (line != "\r\n" && line != "\n")
            continue;
        const QList<QByteArray> lines = m_responseHead.trimmed().split('\n');
        const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
        bool ok = false;
        m_status = statusLine.value(1).toInt(&ok);
        if (!lines.value(0).startsWith("HTTP/1.") || !ok || m_status < 100) {
            backendFailed(u"malformed status line"_s);
            return false;
        }
        const QByteArray reason = lines.value(0).trimmed().mid(
            statusLine.value(0).size() + statusLine.value(1).size() + 2);
        if (m_status < 200 && m_status != 101) {
            m_responseHead.clear(); // 100 Continue and hints: the final response follows
            continue;
        }
        http::HttpHeaders headers;
        QByteArray connection;
        QByteArray transferEncoding;
        qint64 contentLength = -1;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray headerLine = lines.at(i).trimmed();
            const qsizetype colon = headerLine.indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = headerLine.left(colon).trimmed();
            const QByteArray value = headerLine.mid(colon + 1).trimmed();
            const QByteArray lower = name.toLower();
            if (lower == "connection")
                connection = value;
            else if (lower == "transfer-encoding")
                transferEncoding = value;
            else if (lower == "content-length") {
                const qint64 length = value.toLongLong(&ok);
                contentLength = ok ? length : -1;
            }
            headers.append({name, value});
        }
        if (m_status == 101) {
            QByteArray head = "HTTP/1.1 101 " + reason + "\r\n";
            for (const auto &[name, value] : headers)
                head += name + ": " + value + "\r\n";
            m_client->write(head + "\r\n");
            upgrade();
            return false;
        }
        if (m_headRequest || m_status == 204 || m_status == 304)
            m_body = Body::None;
        else if (http::httpsyntax::listsToken(transferEncoding, "chunked"))
            m_body = Body::Chunked;
        else if (contentLength >= 0)
            m_body = contentLength == 0 ? Body::None : Body::Length;
        else
            m_body = Body::UntilClose;
        m_remaining = m_body == Body::Length ? contentLength : 0;
        m_chunk = Chunk::Size;
        m_chunkLine.clear();
        m_chunkedDone = false;
        if (m_body == Body::UntilClose)
            m_closeAfter = true;

        const QSet<QByteArray> skip = hopByHop(connection);
        QByteArray head = "HTTP/1.1 " + QByteArray::number(m_status) + ' ' + reason + "\r\n";
        for (const auto &[name, value] : headers)
            if (!skip.contains(name.toLower()) || name.toLower() == "transfer-encoding")
                head += name + ": " + value + "\r\n";
        if (m_closeAfter)
            head += "Connection: close\r\n";
        m_client->write(head + "\r\n");
        m_headWritten = true;
        if (m_body == Body::None)
            finishResponse();
        return m_headWritten && m_body != Body::None;
    }
    return false;
}

void IngressConnection::pumpBody()
{
    if (m_state != State::Forwarding || !m_headWritten || !m_upstream)
        return;
    while (m_upstream && m_upstream->bytesAvailable() > 0 && pending(m_client) < kHighWater) {
        qint64 want = kPiece;
        if (m_body == Body::Length)
            want = std::min(want, m_remaining);
        QByteArray piece = m_upstream->read(want);
        bool done = false;
        if (m_body == Body::Chunked) {
            const qsizetype used = consumeChunked(piece);
            if (used < 0) {
                backendFailed(u"malformed chunked body"_s);
                return;
            }
            done = m_chunkedDone;
            piece.truncate(used);
        } else if (m_body == Body::Length) {
            m_remaining -= piece.size();
            done = m_remaining == 0;
        }
        m_client->write(piece);
        if (done)
            return finishResponse();
    }
    if (m_upstream && m_upstream->state() == QAbstractSocket::UnconnectedState &&
        m_upstream->bytesAvailable() == 0) {
        if (m_body == Body::UntilClose)
            finishResponse();
        else
            backendFailed(u"the backend closed the connection"_s);
    }
}

// Follows the chunked framing through `data`: how many of its bytes belong to the message
// (fewer once it ends, which sets m_chunkedDone), or -1 when it is malformed.
qsizetype IngressConnection::consumeChunked(QByteArrayView data)
{
    qsizetype i = 0;
    while (i < data.size()) {
        switch (m_chunk) {
        case Chunk::Size:
        case Chunk::Trailer:
        case Chunk::DataEnd: {
            const qsizetype newline = data.indexOf('\n', i);
            const qsizetype end = newline < 0 ? data.size() : newline + 1;
            m_chunkLine += data.sliced(i, end - i);
            i = end;
            if (m_chunkLine.size() > 8192)
                return -1;
            if (newline < 0)
                break;
            const QByteArray line = m_chunkLine.trimmed();
            m_chunkLine.clear();
            if (m_chunk == Chunk::DataEnd) {
                m_chunk = Chunk::Size;
            } else if (m_chunk == Chunk::Trailer) {
                if (line.isEmpty()) {
                    m_chunkedDone = true;
                    return i;
                }
            } else {
                bool ok = false;
                const qint64 size = line.left(line.indexOf(';') < 0 ? line.size()
                                                                    : line.indexOf(';'))
                                        .trimmed()
                                        .toLongLong(&ok, 16);
                if (!ok || size < 0)
                    return -1;
                m_remaining = size;
                m_chunk = size == 0 ? Chunk::Trailer : Chunk::Data;
            }
            break;
        }
        case Chunk::Data: {
            const qsizetype take = std::min<qint64>(m_remaining, data.size() - i);
            i += take;
            m_remaining -= take;
            if (m_remaining == 0)
                m_chunk = Chunk::DataEnd;
            break;
        }
        }
    }
    return i;
}

void IngressConnection::finishResponse()
{
    dropBackend();
    if (m_closeAfter)
        return closeClient();
    m_state = State::Reading;
    m_parser.reset();
    m_request = http::HttpRequest();
    restartTimer(m_proxy->options().keepAliveTimeout);
    // A pipelined request may already wait in the socket.
    QMetaObject::invokeMethod(this, &IngressConnection::processInput, Qt::QueuedConnection);
}

void IngressConnection::upgrade()
{
    m_timer->stop();
    m_state = State::Closing;
    m_client->disconnect(this);
    m_upstream->disconnect(this);
    // The splice outlives this connection; the proxy owns it.
    new http::Splice(m_client, m_upstream, {}, m_proxy);
    m_client = nullptr;
    m_upstream = nullptr;
    deleteLater();
}

void IngressConnection::respondLocally(int status, const QByteArray &contentType,
                                       const QByteArray &body)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) +
                     "\r\nDate: " + httpDate() + "\r\nContent-Type: " + contentType +
                     "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    if (m_closeAfter)
        out += "Connection: close\r\n";
    out += "\r\n";
    if (!m_headRequest)
        out += body;
    m_client->write(out);
    finishResponse();
}

void IngressConnection::closeClient()
{
    m_state = State::Closing;
    m_timer->stop();
    dropBackend();
    if (m_client) {
        m_client->disconnectFromHost(); // once what it still has to send has left
        if (m_client->state() == QAbstractSocket::UnconnectedState)
            clientGone();
    }
}

void IngressConnection::clientGone()
{
    m_state = State::Closing;
    m_timer->stop();
    dropBackend();
    deleteLater();
}

void IngressConnection::restartTimer(std::chrono::milliseconds timeout)
{
    m_timer->start(timeout);
}

void IngressConnection::timedOut()
{
    switch (m_state) {
    case State::Reading:
        m_closeAfter = true;
        if (m_parser.isIdle())
            return closeClient();
        return respondLocally(408, "text/html", errorPage(408));
    case State::Forwarding:
        if (!m_upstreamConnected)
            return backendFailed(u"connect timed out"_s);
        if (!m_headWritten) {
            dropBackend();
            return respondLocally(504, "text/html", errorPage(504));
        }
        return backendFailed(u"read timed out"_s);
    case State::Closing:
        if (m_client)
            m_client->abort();
        return clientGone();
    }
}

void IngressConnection::dropBackend()
{
    if (!m_upstream)
        return;
    m_upstream->disconnect(this);
    m_upstream->abort();
    m_upstream->deleteLater();
    m_upstream = nullptr;
}

} // namespace timonel::ingress
