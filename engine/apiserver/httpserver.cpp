#include "httpserver.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QSslConfiguration>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <cstdio>
#include <ctime>

#ifdef Q_OS_LINUX
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

namespace timonel::apiserver {

namespace {

Q_LOGGING_CATEGORY(lcHttp, "timonel.apiserver.http", QtInfoMsg)

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr qsizetype kMaxRequestLine = 64 * 1024;   // 414 beyond
constexpr qsizetype kMaxHeaderBytes = 1024 * 1024; // 431 beyond, as kube-apiserver's MaxHeaderBytes
constexpr qsizetype kMaxChunkSizeLine = 4096;
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

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken(QByteArrayView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), isTokenChar);
}

// Field values may hold visible characters, spaces and tabs (and obs-text), no other controls.
bool isFieldValue(QByteArrayView text)
{
    return std::none_of(text.begin(), text.end(), [](char c) {
        const auto u = uchar(c);
        return (u < 0x20 && c != '\t') || u == 0x7f;
    });
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t';
}

QByteArrayView trimmed(QByteArrayView text)
{
    while (!text.isEmpty() && isSpace(text.front()))
        text = text.sliced(1);
    while (!text.isEmpty() && isSpace(text.back()))
        text.chop(1);
    return text;
}

// Whether a comma-separated header value (Connection) lists `token`.
bool listsToken(QByteArrayView list, QByteArrayView token)
{
    while (!list.isEmpty()) {
        const qsizetype comma = list.indexOf(',');
        const QByteArrayView item = comma < 0 ? list : list.first(comma);
        if (trimmed(item).compare(token, Qt::CaseInsensitive) == 0)
            return true;
        list = comma < 0 ? QByteArrayView() : list.sliced(comma + 1);
    }
    return false;
}

// Percent escapes must be complete, as Go's url.PathUnescape demands.
bool hasValidEscapes(QByteArrayView text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] != '%')
            continue;
        if (i + 2 >= text.size() || !isxdigit(uchar(text[i + 1])) || !isxdigit(uchar(text[i + 2])))
            return false;
        i += 2;
    }
    return true;
}

bool parseDecimal(QByteArrayView text, qint64 *value)
{
    if (text.isEmpty() || text.size() > 18)
        return false;
    qint64 v = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *value = v;
    return true;
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

QByteArray HttpRequest::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

// One client connection: parses its requests one after the other, hands each to the handler
// as an HttpExchange and writes what the exchange answers. Reads straight from the socket's
// buffer, never past the current request, so a taken socket still holds what followed it.
class HttpConnection : public QObject
{
public:
    HttpConnection(HttpServer *server, QTcpSocket *socket);
    ~HttpConnection() override;

    void start();
    void drop();
    void checkTimeouts(Clock::time_point now);

    void writeResponse(int status, const HttpHeaders &headers, const QByteArray &body);
    void writeStreamHead(int status, const HttpHeaders &headers);
    void writeChunk(const QByteArray &data);
    void writeStreamEnd();
    QTcpSocket *releaseSocket(int status, const HttpHeaders &headers);
    qint64 unsentBytes() const;

private:
    enum class State
    {
        RequestLine,
        Headers,
        Body,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        Handling,
        Closing
    };
    enum class Line
    {
        Complete,
        Partial,
        TooLong
    };

    void onReadyRead();
    void processInput();
    Line readLine(qsizetype limit);
    QByteArrayView currentLine() const;
    bool parseRequestLine(QByteArrayView line);
    bool parseHeaderLine(QByteArrayView line);
    bool headersComplete();
    bool startChunk(QByteArrayView line);
    void dispatch();
    void fail(int status, QByteArrayView detail = {});
    QByteArray responseHead(int status, const HttpHeaders &headers, qint64 contentLength);
    void finishExchange();
    void closeGracefully();
    void shutdownWhenFlushed();
    void teardown();

    HttpServer *m_server;
    QTcpSocket *m_socket;
    QSslCertificate m_clientCertificate;
    QHostAddress m_peerAddress;
    State m_state = State::RequestLine;
    QByteArray m_line; // the line being read, capacity kept between lines
    HttpRequest m_request;
    QPointer<HttpExchange> m_exchange;
    qsizetype m_headBytes = 0;
    qint64 m_remaining = 0; // body or chunk bytes still to read
    bool m_http10 = false;
    bool m_chunkedRequest = false;
    bool m_expectContinue = false;
    bool m_closeAfter = false;
    bool m_headRequest = false;
    bool m_chunkedResponse = false;
    bool m_dispatching = false;
    bool m_shutdownSent = false;
    Clock::time_point m_lastActivity = Clock::now();
    Clock::time_point m_requestStart = Clock::now();
};

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
    if (m_state == State::RequestLine && m_line.isEmpty())
        m_requestStart = now;
    m_lastActivity = now;
    if (m_state == State::Closing)
        m_socket->skip(m_socket->bytesAvailable());
    else
        processInput();
}

HttpConnection::Line HttpConnection::readLine(qsizetype limit)
{
    for (;;) {
        const qint64 available = m_socket->bytesAvailable();
        if (available <= 0)
            return Line::Partial;
        const qsizetype used = m_line.size();
        const qsizetype room = limit - used;
        if (room <= 0)
            return Line::TooLong;
        // Small steps: the buffer may hold a large body after the line.
        const qsizetype want = qsizetype(qMin<qint64>(qMin(room, 4096), available));
        m_line.resize(used + want + 1); // readLine() adds a terminating NUL
        const qint64 got = m_socket->readLine(m_line.data() + used, want + 1);
        m_line.resize(used + qMax<qint64>(got, 0));
        if (got <= 0)
            return Line::Partial;
        if (m_line.endsWith('\n'))
            return Line::Complete;
    }
}

QByteArrayView HttpConnection::currentLine() const
{
    QByteArrayView line(m_line);
    line.chop(1);
    if (line.endsWith('\r'))
        line.chop(1);
    return line;
}

void HttpConnection::processInput()
{
    while (m_socket) {
        switch (m_state) {
        case State::RequestLine: {
            const Line result = readLine(kMaxRequestLine);
            if (result == Line::TooLong)
                return fail(414);
            if (result == Line::Partial)
                return;
            // Empty lines before a request are tolerated (RFC 9112, 2.2).
            if (!currentLine().isEmpty()) {
                if (!parseRequestLine(currentLine()))
                    return;
                m_headBytes = m_line.size();
                m_state = State::Headers;
            }
            m_line.resize(0);
            break;
        }
        case State::Headers:
        case State::Trailers: {
            const Line result = readLine(kMaxHeaderBytes - m_headBytes);
            if (result == Line::TooLong)
                return fail(431);
            if (result == Line::Partial)
                return;
            m_headBytes += m_line.size();
            const QByteArrayView line = currentLine();
            if (line.isEmpty()) {
                m_line.resize(0);
                if (m_state == State::Trailers)
                    dispatch();
                else if (!headersComplete())
                    return;
                break;
            }
            // Trailer fields are read and dropped: nothing in the API uses them.
            if (m_state == State::Headers && !parseHeaderLine(line))
                return;
            m_line.resize(0);
            break;
        }
        case State::Body:
        case State::ChunkData: {
            QByteArray &body = m_request.body;
            const qint64 got = m_socket->read(body.data() + body.size() - m_remaining, m_remaining);
            if (got <= 0)
                return;
            m_remaining -= got;
            if (m_remaining == 0) {
                if (m_state == State::Body)
                    dispatch();
                else
                    m_state = State::ChunkDataEnd;
            }
            break;
        }
        case State::ChunkSize:
        case State::ChunkDataEnd: {
            const Line result = readLine(kMaxChunkSizeLine);
            if (result == Line::TooLong)
                return fail(400, "chunk size line too long");
            if (result == Line::Partial)
                return;
            const QByteArrayView line = currentLine();
            if (m_state == State::ChunkDataEnd) {
                if (!line.isEmpty())
                    return fail(400, "malformed chunked encoding");
                m_state = State::ChunkSize;
            } else if (!startChunk(line)) {
                return;
            }
            m_line.resize(0);
            break;
        }
        case State::Handling:
        case State::Closing:
            return;
        }
    }
}

bool HttpConnection::parseRequestLine(QByteArrayView line)
{
    // method SP request-target SP HTTP-version, the target without spaces.
    const qsizetype first = line.indexOf(' ');
    const qsizetype last = line.lastIndexOf(' ');
    if (first <= 0 || last <= first + 1 || line.sliced(first + 1, last - first - 1).contains(' ')) {
        fail(400, "malformed request line");
        return false;
    }
    const QByteArrayView method = line.first(first);
    QByteArrayView target = line.sliced(first + 1, last - first - 1);
    const QByteArrayView version = line.sliced(last + 1);
    if (!isToken(method)) {
        fail(400, "invalid method");
        return false;
    }
    if (version.size() != 8 || !version.startsWith("HTTP/") || !isdigit(uchar(version[5])) ||
        version[6] != '.' || !isdigit(uchar(version[7]))) {
        fail(400, "malformed HTTP version");
        return false;
    }
    if (version[5] != '1') {
        fail(505);
        return false;
    }
    m_http10 = version[7] == '0';
    if (std::any_of(target.begin(), target.end(),
                    [](char c) { return uchar(c) <= 0x20 || c == 0x7f; })) {
        fail(400, "invalid character in request target");
        return false;
    }
    QByteArrayView pathAndQuery = target;
    if (!target.startsWith('/')) {
        // The absolute form proxies send; "*" only for OPTIONS.
        const bool absolute = target.startsWith("http://") || target.startsWith("https://");
        const qsizetype authority = target.indexOf("//") + 2;
        const qsizetype slash = target.indexOf('/', authority);
        if (absolute)
            pathAndQuery = slash < 0 ? QByteArrayView("/") : target.sliced(slash);
        else if (!(target == "*" && method == "OPTIONS")) {
            fail(400, "invalid request target");
            return false;
        }
    }
    const qsizetype question = pathAndQuery.indexOf('?');
    const QByteArrayView rawPath = question < 0 ? pathAndQuery : pathAndQuery.first(question);
    if (!hasValidEscapes(rawPath)) {
        fail(400, "invalid URL escape");
        return false;
    }
    m_request.method = method.toByteArray();
    m_request.target = target.toByteArray();
    m_request.path = QString::fromUtf8(QByteArray::fromPercentEncoding(rawPath.toByteArray()));
    if (question >= 0) {
        // Go clients encode spaces in query values as '+'.
        QByteArray rawQuery = pathAndQuery.sliced(question + 1).toByteArray();
        rawQuery.replace('+', "%20");
        m_request.query.setQuery(QString::fromUtf8(rawQuery));
    }
    m_headRequest = method == "HEAD";
    return true;
}

bool HttpConnection::parseHeaderLine(QByteArrayView line)
{
    const qsizetype colon = line.indexOf(':');
    // Also refuses obsolete line folding (a line starting with whitespace).
    if (colon <= 0 || !isToken(line.first(colon))) {
        fail(400, "malformed header line");
        return false;
    }
    const QByteArrayView value = trimmed(line.sliced(colon + 1));
    if (!isFieldValue(value)) {
        fail(400, "invalid header value");
        return false;
    }
    m_request.headers.append({line.first(colon).toByteArray(), value.toByteArray()});
    return true;
}

bool HttpConnection::headersComplete()
{
    qsizetype hosts = 0;
    const QByteArray *contentLength = nullptr;
    const QByteArray *transferEncoding = nullptr;
    for (const auto &[name, value] : std::as_const(m_request.headers)) {
        if (name.compare("Host", Qt::CaseInsensitive) == 0) {
            ++hosts;
        } else if (name.compare("Content-Length", Qt::CaseInsensitive) == 0) {
            if (contentLength && *contentLength != value) {
                fail(400, "conflicting Content-Length");
                return false;
            }
            contentLength = &value;
        } else if (name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0) {
            if (transferEncoding) {
                fail(501, "unsupported transfer encoding");
                return false;
            }
            transferEncoding = &value;
        } else if (name.compare("Connection", Qt::CaseInsensitive) == 0) {
            m_closeAfter = m_closeAfter || listsToken(value, "close");
        } else if (name.compare("Expect", Qt::CaseInsensitive) == 0 && !m_http10) {
            if (value.compare("100-continue", Qt::CaseInsensitive) != 0) {
                fail(417);
                return false;
            }
            m_expectContinue = true;
        }
    }
    // HTTP/1.0 closes unless the client asked to keep the connection.
    if (m_http10 && !listsToken(m_request.header("Connection"), "keep-alive"))
        m_closeAfter = true;
    if (!m_http10 && hosts != 1) {
        fail(400, hosts == 0 ? "missing required Host header" : "too many Host headers");
        return false;
    }

    qint64 length = 0;
    if (transferEncoding) {
        if (transferEncoding->compare("chunked", Qt::CaseInsensitive) != 0) {
            fail(501, "unsupported transfer encoding");
            return false;
        }
        // Both framings at once is how requests get smuggled past proxies (RFC 9112, 6.3).
        if (contentLength) {
            fail(400, "both Transfer-Encoding and Content-Length");
            return false;
        }
        m_chunkedRequest = true;
    } else if (contentLength && !parseDecimal(*contentLength, &length)) {
        fail(400, "bad Content-Length");
        return false;
    }
    if (length > m_server->m_maxBodySize) {
        fail(413);
        return false;
    }
    if (m_expectContinue && (m_chunkedRequest || length > 0))
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    if (m_chunkedRequest) {
        m_state = State::ChunkSize;
    } else if (length > 0) {
        m_request.body.resize(length);
        m_remaining = length;
        m_state = State::Body;
    } else {
        dispatch();
    }
    return true;
}

bool HttpConnection::startChunk(QByteArrayView line)
{
    // chunk-size [; extensions]: the extensions mean nothing to us.
    const qsizetype semicolon = line.indexOf(';');
    const QByteArrayView digits = trimmed(semicolon < 0 ? line : line.first(semicolon));
    if (digits.isEmpty() || digits.size() > 15 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return isxdigit(uchar(c)); })) {
        fail(400, "malformed chunked encoding");
        return false;
    }
    const qint64 size = digits.toLongLong(nullptr, 16);
    if (size == 0) {
        m_state = State::Trailers;
        return true;
    }
    if (m_request.body.size() + size > m_server->m_maxBodySize) {
        fail(413);
        return false;
    }
    m_request.body.resize(m_request.body.size() + size);
    m_remaining = size;
    m_state = State::ChunkData;
    return true;
}

void HttpConnection::dispatch()
{
    m_state = State::Handling;
    m_request.clientCertificate = m_clientCertificate;
    m_request.peerAddress = m_peerAddress;
    auto *exchange = new HttpExchange(this, std::exchange(m_request, HttpRequest()));
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
    out.append(m_http10 ? "HTTP/1.0 " : "HTTP/1.1 ")
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
    else if (m_http10)
        appendHeader(out, "Connection", "keep-alive");
    out.append("\r\n");
    return out;
}

void HttpConnection::writeResponse(int status, const HttpHeaders &headers, const QByteArray &body)
{
    // 1xx, 204 and 304 responses never have a body (RFC 9110, 6.4.1).
    const bool bodyless = status < 200 || status == 204 || status == 304;
    QByteArray out = responseHead(status, headers, bodyless ? -1 : body.size());
    if (bodyless || m_headRequest) {
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
    m_chunkedResponse = !m_http10;
    if (m_http10)
        m_closeAfter = true;
    m_socket->write(responseHead(status, headers, -1));
}

void HttpConnection::writeChunk(const QByteArray &data)
{
    if (data.isEmpty() || m_headRequest)
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
    if (m_chunkedResponse && !m_headRequest)
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
    m_state = State::RequestLine;
    m_headBytes = 0;
    m_remaining = 0;
    m_http10 = m_chunkedRequest = m_expectContinue = false;
    m_headRequest = m_chunkedResponse = false;
    if (m_line.capacity() > 16 * 1024)
        m_line = QByteArray(); // after a huge header, do not keep its buffer
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
    const bool idle = m_state == State::RequestLine && m_line.isEmpty();
    const bool readingHead =
        m_state == State::Headers || (m_state == State::RequestLine && !m_line.isEmpty());
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
    const auto now = Clock::now();
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

} // namespace timonel::apiserver
