#include "httprequestparser.h"

#include <QIODevice>

#include <algorithm>
#include <utility>

namespace timonel::http {

namespace {

constexpr qsizetype kMaxRequestLine = 64 * 1024;   // 414 beyond
constexpr qsizetype kMaxHeaderBytes = 1024 * 1024; // 431 beyond, as kube-apiserver's MaxHeaderBytes
constexpr qsizetype kMaxChunkSizeLine = 4096;

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
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

} // namespace

namespace httpsyntax {

bool isToken(QByteArrayView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), isTokenChar);
}

bool isFieldValue(QByteArrayView text)
{
    return std::none_of(text.begin(), text.end(), [](char c) {
        const auto u = uchar(c);
        return (u < 0x20 && c != '\t') || u == 0x7f;
    });
}

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

} // namespace httpsyntax

using namespace httpsyntax;

HttpRequestParser::Progress HttpRequestParser::read(QIODevice &device, qint64 maxBodySize)
{
    for (;;) {
        switch (m_state) {
        case State::RequestLine: {
            const Line result = readLine(device, kMaxRequestLine);
            if (result == Line::TooLong) {
                fail(414);
                return Progress::Failed;
            }
            if (result == Line::Partial)
                return Progress::NeedMore;
            // Empty lines before a request are tolerated (RFC 9112, 2.2).
            if (!currentLine().isEmpty()) {
                if (!parseRequestLine(currentLine()))
                    return Progress::Failed;
                m_headBytes = m_line.size();
                m_state = State::Headers;
            }
            m_line.resize(0);
            break;
        }
        case State::Headers:
        case State::Trailers: {
            const Line result = readLine(device, kMaxHeaderBytes - m_headBytes);
            if (result == Line::TooLong) {
                fail(431);
                return Progress::Failed;
            }
            if (result == Line::Partial)
                return Progress::NeedMore;
            m_headBytes += m_line.size();
            const QByteArrayView line = currentLine();
            if (line.isEmpty()) {
                m_line.resize(0);
                if (m_state == State::Trailers)
                    m_state = State::Complete;
                else if (!headersComplete(maxBodySize))
                    return Progress::Failed;
                else if (std::exchange(m_continueWanted, false))
                    return Progress::ContinueWanted;
                break;
            }
            // Trailer fields are read and dropped: nothing in the API uses them.
            if (m_state == State::Headers && !parseHeaderLine(line))
                return Progress::Failed;
            m_line.resize(0);
            break;
        }
        case State::Body:
        case State::ChunkData: {
            QByteArray &body = m_request.body;
            const qint64 got = device.read(body.data() + body.size() - m_remaining, m_remaining);
            if (got <= 0)
                return Progress::NeedMore;
            m_remaining -= got;
            if (m_remaining == 0)
                m_state = m_state == State::Body ? State::Complete : State::ChunkDataEnd;
            break;
        }
        case State::ChunkSize:
        case State::ChunkDataEnd: {
            const Line result = readLine(device, kMaxChunkSizeLine);
            if (result == Line::TooLong) {
                fail(400, "chunk size line too long");
                return Progress::Failed;
            }
            if (result == Line::Partial)
                return Progress::NeedMore;
            const QByteArrayView line = currentLine();
            if (m_state == State::ChunkDataEnd) {
                if (!line.isEmpty()) {
                    fail(400, "malformed chunked encoding");
                    return Progress::Failed;
                }
                m_state = State::ChunkSize;
            } else if (!startChunk(line, maxBodySize)) {
                return Progress::Failed;
            }
            m_line.resize(0);
            break;
        }
        case State::Complete:
            return Progress::Complete;
        case State::Failed:
            return Progress::Failed;
        }
    }
}

HttpRequest HttpRequestParser::takeRequest()
{
    return std::exchange(m_request, HttpRequest());
}

void HttpRequestParser::reset()
{
    m_state = State::RequestLine;
    m_headBytes = 0;
    m_remaining = 0;
    m_http10 = m_headRequest = m_closeRequested = false;
    m_chunked = m_continueWanted = false;
    if (m_line.capacity() > 16 * 1024)
        m_line = QByteArray(); // after a huge header, do not keep its buffer
}

HttpRequestParser::Line HttpRequestParser::readLine(QIODevice &device, qsizetype limit)
{
    for (;;) {
        const qint64 available = device.bytesAvailable();
        if (available <= 0)
            return Line::Partial;
        const qsizetype used = m_line.size();
        const qsizetype room = limit - used;
        if (room <= 0)
            return Line::TooLong;
        // Small steps: the buffer may hold a large body after the line.
        const qsizetype want = qsizetype(qMin<qint64>(qMin(room, 4096), available));
        m_line.resize(used + want + 1); // readLine() adds a terminating NUL
        const qint64 got = device.readLine(m_line.data() + used, want + 1);
        m_line.resize(used + qMax<qint64>(got, 0));
        if (got <= 0)
            return Line::Partial;
        if (m_line.endsWith('\n'))
            return Line::Complete;
    }
}

QByteArrayView HttpRequestParser::currentLine() const
{
    QByteArrayView line(m_line);
    line.chop(1);
    if (line.endsWith('\r'))
        line.chop(1);
    return line;
}

bool HttpRequestParser::parseRequestLine(QByteArrayView line)
{
    // method SP request-target SP HTTP-version, the target without spaces.
    const qsizetype first = line.indexOf(' ');
    const qsizetype last = line.lastIndexOf(' ');
    if (first <= 0 || last <= first + 1 || line.sliced(first + 1, last - first - 1).contains(' '))
        return fail(400, "malformed request line");
    const QByteArrayView method = line.first(first);
    QByteArrayView target = line.sliced(first + 1, last - first - 1);
    const QByteArrayView version = line.sliced(last + 1);
    if (!isToken(method))
        return fail(400, "invalid method");
    if (version.size() != 8 || !version.startsWith("HTTP/") || !isdigit(uchar(version[5])) ||
        version[6] != '.' || !isdigit(uchar(version[7])))
        return fail(400, "malformed HTTP version");
    if (version[5] != '1')
        return fail(505);
    m_http10 = version[7] == '0';
    if (std::any_of(target.begin(), target.end(),
                    [](char c) { return uchar(c) <= 0x20 || c == 0x7f; }))
        return fail(400, "invalid character in request target");
    QByteArrayView pathAndQuery = target;
    if (!target.startsWith('/')) {
        // The absolute form proxies send; "*" only for OPTIONS.
        const bool absolute = target.startsWith("http://") || target.startsWith("https://");
        const qsizetype authority = target.indexOf("//") + 2;
        const qsizetype slash = target.indexOf('/', authority);
        if (absolute)
            pathAndQuery = slash < 0 ? QByteArrayView("/") : target.sliced(slash);
        else if (!(target == "*" && method == "OPTIONS"))
            return fail(400, "invalid request target");
    }
    const qsizetype question = pathAndQuery.indexOf('?');
    const QByteArrayView rawPath = question < 0 ? pathAndQuery : pathAndQuery.first(question);
    if (!hasValidEscapes(rawPath))
        return fail(400, "invalid URL escape");
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

bool HttpRequestParser::parseHeaderLine(QByteArrayView line)
{
    const qsizetype colon = line.indexOf(':');
    // Also refuses obsolete line folding (a line starting with whitespace).
    if (colon <= 0 || !isToken(line.first(colon)))
        return fail(400, "malformed header line");
    const QByteArrayView value = trimmed(line.sliced(colon + 1));
    if (!isFieldValue(value))
        return fail(400, "invalid header value");
    m_request.headers.append({line.first(colon).toByteArray(), value.toByteArray()});
    return true;
}

// Checks the head and works out how the body is framed.
bool HttpRequestParser::headersComplete(qint64 maxBodySize)
{
    qsizetype hosts = 0;
    const QByteArray *contentLength = nullptr;
    const QByteArray *transferEncoding = nullptr;
    bool expectContinue = false;
    for (const auto &[name, value] : std::as_const(m_request.headers)) {
        if (name.compare("Host", Qt::CaseInsensitive) == 0) {
            ++hosts;
        } else if (name.compare("Content-Length", Qt::CaseInsensitive) == 0) {
            if (contentLength && *contentLength != value)
                return fail(400, "conflicting Content-Length");
            contentLength = &value;
        } else if (name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0) {
            if (transferEncoding)
                return fail(501, "unsupported transfer encoding");
            transferEncoding = &value;
        } else if (name.compare("Connection", Qt::CaseInsensitive) == 0) {
            m_closeRequested = m_closeRequested || listsToken(value, "close");
        } else if (name.compare("Expect", Qt::CaseInsensitive) == 0 && !m_http10) {
            if (value.compare("100-continue", Qt::CaseInsensitive) != 0)
                return fail(417);
            expectContinue = true;
        }
    }
    // HTTP/1.0 closes unless the client asked to keep the connection.
    if (m_http10 && !listsToken(m_request.header("Connection"), "keep-alive"))
        m_closeRequested = true;
    if (!m_http10 && hosts != 1)
        return fail(400, hosts == 0 ? "missing required Host header" : "too many Host headers");

    qint64 length = 0;
    if (transferEncoding) {
        if (transferEncoding->compare("chunked", Qt::CaseInsensitive) != 0)
            return fail(501, "unsupported transfer encoding");
        // Both framings at once is how requests get smuggled past proxies (RFC 9112, 6.3).
        if (contentLength)
            return fail(400, "both Transfer-Encoding and Content-Length");
        m_chunked = true;
    } else if (contentLength && !parseDecimal(*contentLength, &length)) {
        return fail(400, "bad Content-Length");
    }
    if (length > maxBodySize)
        return fail(413);
    m_continueWanted = expectContinue && (m_chunked || length > 0);
    if (m_chunked) {
        m_state = State::ChunkSize;
    } else if (length > 0) {
        m_request.body.resize(length);
        m_remaining = length;
        m_state = State::Body;
    } else {
        m_state = State::Complete;
    }
    return true;
}

bool HttpRequestParser::startChunk(QByteArrayView line, qint64 maxBodySize)
{
    // chunk-size [; extensions]: the extensions mean nothing to us.
    const qsizetype semicolon = line.indexOf(';');
    const QByteArrayView digits = trimmed(semicolon < 0 ? line : line.first(semicolon));
    if (digits.isEmpty() || digits.size() > 15 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return isxdigit(uchar(c)); }))
        return fail(400, "malformed chunked encoding");
    const qint64 size = digits.toLongLong(nullptr, 16);
    if (size == 0) {
        m_state = State::Trailers;
        return true;
    }
    if (m_request.body.size() + size > maxBodySize)
        return fail(413);
    m_request.body.resize(m_request.body.size() + size);
    m_remaining = size;
    m_state = State::ChunkData;
    return true;
}

bool HttpRequestParser::fail(int status, QByteArrayView detail)
{
    m_state = State::Failed;
    m_failureStatus = status;
    m_failureDetail = detail.toByteArray();
    return false;
}

} // namespace timonel::http
