#include "httpresponseparser.h"

#include <utility>

namespace timonel::docker {

namespace {

// A header section this big is not something the Docker daemon sends; stop before buffering
// without bound.
constexpr qint64 MaxHeaderBytes = 1 << 20;
// Chunk-size lines are a hex number and optional extensions.
constexpr qint64 MaxChunkLineBytes = 64 * 1024;
// 15 hex digits stay below 2^60 and cannot overflow qint64.
constexpr int MaxChunkSizeDigits = 15;
// 18 decimal digits stay below 10^18 and cannot overflow qint64.
constexpr int MaxContentLengthDigits = 18;

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isControl(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// A protocol line quoted in an error message: bounded, control characters escaped.
QString quoted(QByteArrayView line)
{
    constexpr qsizetype MaxQuoted = 80;
    QString out;
    for (char c : line.first(std::min(line.size(), MaxQuoted))) {
        if (isControl(c))
            out +=
                QStringLiteral("\\x%1").arg(static_cast<unsigned char>(c), 2, 16, QLatin1Char('0'));
        else
            out += QLatin1Char(c);
    }
    if (line.size() > MaxQuoted)
        out += QStringLiteral("...");
    return QLatin1Char('"') + out + QLatin1Char('"');
}

QByteArrayView trimmedOws(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = v.sliced(1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t'))
        v.chop(1);
    return v;
}

bool sameName(QByteArrayView a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

} // namespace

bool HttpResponseParser::isLineState() const
{
    switch (m_state) {
    case State::StatusLine:
    case State::Headers:
    case State::ChunkSize:
    case State::ChunkDataEnd:
    case State::Trailers:
        return true;
    default:
        return false;
    }
}

bool HttpResponseParser::feed(QByteArrayView data)
{
    if (m_state == State::Error)
        return false;
    if (!data.isEmpty())
        m_receivedAny = true;
    qsizetype pos = 0;
    while (pos < data.size()) {
        switch (m_state) {
        case State::Complete:
            return true;
        case State::Error:
            return false;
        case State::UntilClose: {
            const QByteArrayView rest = data.sliced(pos);
            m_body.append(rest);
            m_bodyReceived += rest.size();
            return true;
        }
        case State::LengthBody:
        case State::ChunkData: {
            const qsizetype take = std::min<qint64>(m_remaining, data.size() - pos);
            m_body.append(data.sliced(pos, take));
            m_bodyReceived += take;
            m_remaining -= take;
            pos += take;
            if (m_remaining == 0)
                m_state = m_state == State::LengthBody ? State::Complete : State::ChunkDataEnd;
            break;
        }
        default: {
            Q_ASSERT(isLineState());
            const qsizetype newline = data.indexOf('\n', pos);
            const qsizetype end = newline < 0 ? data.size() : newline + 1;
            m_line.append(data.sliced(pos, end - pos));
            pos = end;

            const bool headerSection = m_state == State::StatusLine || m_state == State::Headers ||
                                       m_state == State::Trailers;
            if (headerSection && m_headerBytes + m_line.size() > MaxHeaderBytes)
                return fail(
                    QStringLiteral("the response headers exceed %1 bytes").arg(MaxHeaderBytes));
            if (!headerSection && m_line.size() > MaxChunkLineBytes)
                return fail(
                    QStringLiteral("a chunk-size line exceeds %1 bytes").arg(MaxChunkLineBytes));
            if (m_state == State::ChunkDataEnd) {
                // Fail at the first wrong byte rather than after a whole line of garbage.
                QByteArrayView sofar = m_line;
                if (sofar.endsWith('\n'))
                    sofar.chop(1);
                if (!sofar.isEmpty() && sofar != "\r")
                    return fail(QStringLiteral("chunk data is longer than its chunk size"));
            }
            if (newline < 0)
                break;

            if (headerSection)
                m_headerBytes += m_line.size();
            const QByteArray taken = std::exchange(m_line, {});
            QByteArrayView line = taken;
            line.chop(1);
            if (line.endsWith('\r'))
                line.chop(1);
            if (!processLine(line))
                return false;
            break;
        }
        }
    }
    return m_state != State::Error;
}

bool HttpResponseParser::processLine(QByteArrayView line)
{
    switch (m_state) {
    case State::StatusLine:
        // Tolerate stray line ends before the status line (left over by a sloppy sender).
        if (line.isEmpty())
            return true;
        return parseStatusLine(line);
    case State::Headers:
        if (line.isEmpty())
            return headersDone();
        return parseHeaderLine(line, false);
    case State::ChunkSize:
        return parseChunkSize(line);
    case State::ChunkDataEnd:
        m_state = State::ChunkSize;
        return true;
    case State::Trailers:
        if (line.isEmpty()) {
            m_state = State::Complete;
            return true;
        }
        return parseHeaderLine(line, true);
    default:
        Q_UNREACHABLE_RETURN(false);
    }
}

bool HttpResponseParser::parseStatusLine(QByteArrayView line)
{
    // HTTP-version SP 3DIGIT SP reason-phrase; the reason may be empty (and its SP missing).
    const bool versionOk = line.size() >= 8 && line.startsWith("HTTP/") && isDigit(line[5]) &&
                           line[6] == '.' && isDigit(line[7]);
    if (!versionOk)
        return fail(QStringLiteral("malformed status line %1").arg(quoted(line)));
    if (line[5] != '1')
        return fail(QStringLiteral("unsupported HTTP version in %1").arg(quoted(line)));
    const bool codeOk = line.size() >= 12 && line[8] == ' ' && isDigit(line[9]) &&
                        isDigit(line[10]) && isDigit(line[11]) &&
                        (line.size() == 12 || line[12] == ' ');
    if (!codeOk)
        return fail(QStringLiteral("malformed status line %1").arg(quoted(line)));
    const QByteArrayView reason = line.size() > 13 ? line.sliced(13) : QByteArrayView();
    for (char c : reason) {
        if (isControl(c))
            return fail(QStringLiteral("malformed status line %1").arg(quoted(line)));
    }
    m_status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    if (m_status < 100)
        return fail(QStringLiteral("invalid status code in %1").arg(quoted(line)));
    m_reason = reason.toByteArray();
    m_state = State::Headers;
    return true;
}

bool HttpResponseParser::parseHeaderLine(QByteArrayView line, bool trailer)
{
    if (line.front() == ' ' || line.front() == '\t') {
        // Obsolete line folding: the line continues the previous field value.
        if (trailer)
            return true;
        if (m_headers.isEmpty())
            return fail(QStringLiteral("header continuation line before any header"));
        const QByteArrayView more = trimmedOws(line);
        for (char c : more) {
            if (isControl(c))
                return fail(QStringLiteral("invalid character in header %1").arg(quoted(line)));
        }
        QByteArray &value = m_headers.last().second;
        if (!more.isEmpty()) {
            if (!value.isEmpty())
                value += ' ';
            value += more;
        }
        return true;
    }
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0)
        return fail(QStringLiteral("malformed header line %1").arg(quoted(line)));
    const QByteArrayView name = line.first(colon);
    for (char c : name) {
        if (!isTokenChar(c))
            return fail(QStringLiteral("invalid header name in %1").arg(quoted(line)));
    }
    const QByteArrayView value = trimmedOws(line.sliced(colon + 1));
    for (char c : value) {
        if (isControl(c))
            return fail(QStringLiteral("invalid character in header %1").arg(quoted(line)));
    }
    // Trailer fields are checked but not kept: nothing Docker sends uses them.
    if (!trailer)
        m_headers.append({name.toByteArray(), value.toByteArray()});
    return true;
}

bool HttpResponseParser::headersDone()
{
    m_headerBytes = 0;
    if (m_status >= 100 && m_status < 200 && m_status != 101) {
        // An interim response (100 Continue...): the real one follows.
        m_status = 0;
        m_reason.clear();
        m_headers.clear();
        m_state = State::StatusLine;
        return true;
    }
    m_headersComplete = true;

    if (m_status == 101) {
        // Docker's hijack: the connection now carries the raw stream until it closes.
        m_raw = true;
        m_state = State::UntilClose;
        return true;
    }
    if (m_noBody || m_status == 204 || m_status == 304) {
        m_state = State::Complete;
        return true;
    }

    // Transfer-Encoding wins over Content-Length; with a final coding other than chunked the
    // body runs until the connection closes (RFC 9112, 6.3).
    bool hasTransferEncoding = false;
    QByteArrayView lastCoding;
    for (const auto &[name, value] : std::as_const(m_headers)) {
        if (!sameName(name, "Transfer-Encoding"))
            continue;
        hasTransferEncoding = true;
        const qsizetype comma = value.lastIndexOf(',');
        lastCoding = trimmedOws(QByteArrayView(value).sliced(comma + 1));
    }
    if (hasTransferEncoding) {
        if (sameName(lastCoding, "chunked")) {
            m_state = State::ChunkSize;
        } else {
            m_raw = true;
            m_state = State::UntilClose;
        }
        return true;
    }

    qint64 length = -1;
    for (const auto &[name, value] : std::as_const(m_headers)) {
        if (!sameName(name, "Content-Length"))
            continue;
        // "5, 5" (a repeated header folded by a proxy) is fine; "5, 6" is not.
        QByteArrayView rest = value;
        for (;;) {
            const qsizetype comma = rest.indexOf(',');
            const QByteArrayView item = trimmedOws(comma < 0 ? rest : rest.first(comma));
            bool digitsOnly = !item.isEmpty() && item.size() <= MaxContentLengthDigits;
            for (char c : item)
                digitsOnly = digitsOnly && isDigit(c);
            if (!digitsOnly)
                return fail(QStringLiteral("invalid Content-Length %1").arg(quoted(value)));
            const qint64 itemLength = item.toLongLong();
            if (length >= 0 && itemLength != length)
                return fail(QStringLiteral("conflicting Content-Length values"));
            length = itemLength;
            if (comma < 0)
                break;
            rest = rest.sliced(comma + 1);
        }
    }
    if (length < 0) {
        m_raw = true;
        m_state = State::UntilClose;
        return true;
    }
    m_contentLength = length;
    m_remaining = length;
    m_state = length == 0 ? State::Complete : State::LengthBody;
    return true;
}

bool HttpResponseParser::parseChunkSize(QByteArrayView line)
{
    // chunk-size [ BWS ";" chunk-ext ]
    qint64 size = 0;
    qsizetype digits = 0;
    while (digits < line.size() && hexValue(line[digits]) >= 0) {
        if (digits == MaxChunkSizeDigits)
            return fail(QStringLiteral("chunk size too large in %1").arg(quoted(line)));
        size = size * 16 + hexValue(line[digits]);
        ++digits;
    }
    if (digits == 0)
        return fail(QStringLiteral("bad chunk size %1").arg(quoted(line)));
    const QByteArrayView rest = trimmedOws(line.sliced(digits));
    if (!rest.isEmpty() && rest.front() != ';')
        return fail(QStringLiteral("bad chunk size %1").arg(quoted(line)));
    if (size == 0) {
        m_headerBytes = 0;
        m_state = State::Trailers;
    } else {
        m_remaining = size;
        m_state = State::ChunkData;
    }
    return true;
}

void HttpResponseParser::connectionClosed()
{
    switch (m_state) {
    case State::Complete:
    case State::Error:
        return;
    case State::UntilClose:
        m_state = State::Complete;
        return;
    case State::StatusLine:
    case State::Headers:
        if (!m_receivedAny)
            fail(QStringLiteral("the connection closed before any response arrived"));
        else
            fail(QStringLiteral("the connection closed in the middle of the response headers"));
        return;
    case State::LengthBody:
        fail(QStringLiteral("the connection closed after %1 of %2 body bytes")
                 .arg(m_bodyReceived)
                 .arg(m_contentLength));
        return;
    case State::ChunkSize:
    case State::ChunkData:
    case State::ChunkDataEnd:
        fail(QStringLiteral("the connection closed in the middle of a chunked body "
                            "(after %1 bytes)")
                 .arg(m_bodyReceived));
        return;
    case State::Trailers:
        // The last chunk arrived, so the body is whole; only the final empty line is missing.
        if (m_line.isEmpty())
            m_state = State::Complete;
        else
            fail(QStringLiteral("the connection closed in the middle of the trailer fields"));
        return;
    }
}

QByteArray HttpResponseParser::header(QByteArrayView name) const
{
    for (const auto &[key, value] : m_headers) {
        if (sameName(key, name))
            return value;
    }
    return {};
}

QByteArray HttpResponseParser::takeBody()
{
    return std::exchange(m_body, {});
}

bool HttpResponseParser::fail(const QString &message)
{
    m_state = State::Error;
    m_error = message;
    return false;
}

namespace {

void appendClean(QByteArray &out, QByteArrayView text)
{
    for (char c : text) {
        if (c != '\r' && c != '\n' && c != '\0')
            out += c;
    }
}

} // namespace

QByteArray buildRequest(QByteArrayView method, QByteArrayView target,
                        const QList<std::pair<QByteArray, QByteArray>> &headers,
                        QByteArrayView body)
{
    bool hasHost = false;
    bool hasLength = false;
    for (const auto &[name, value] : headers) {
        hasHost = hasHost || sameName(name, "Host");
        hasLength =
            hasLength || sameName(name, "Content-Length") || sameName(name, "Transfer-Encoding");
    }
    const bool sendsBody = method == "POST" || method == "PUT" || method == "PATCH";

    QByteArray out;
    out.reserve(256 + body.size());
    appendClean(out, method);
    out += ' ';
    appendClean(out, target);
    out += " HTTP/1.1\r\n";
    // The daemon ignores Host, but HTTP/1.1 requires one.
    if (!hasHost)
        out += "Host: docker\r\n";
    for (const auto &[name, value] : headers) {
        appendClean(out, name);
        out += ": ";
        appendClean(out, value);
        out += "\r\n";
    }
    if (!hasLength && (!body.isEmpty() || sendsBody))
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    out += "\r\n";
    out.append(body);
    return out;
}

} // namespace timonel::docker
