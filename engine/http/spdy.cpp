#include "spdy.h"

#include <QPointer>
#include <QtEndian>

#include <zlib.h>

namespace timonel::http::spdy {

namespace {

constexpr quint16 kVersion = 3;
constexpr qsizetype kFrameHeader = 8;
// Data frames are cut at this size so that one stream's burst does not delay the others long.
constexpr qsizetype kDataPiece = 32 * 1024;
constexpr qsizetype kCompactAfter = 64 * 1024;

// The dictionary: SPDY/3's length-prefixed header names and common values, then a run of
// frequent value fragments.
QByteArray buildDictionary()
{
    // Each word goes in with a big-endian 32-bit length before it.
    static constexpr QByteArrayView words =
        "options|head|post|put|delete|trace|accept|accept-charset|accept-encoding|"
        "accept-language|accept-ranges|age|allow|authorization|cache-control|connection|"
        "content-base|content-encoding|content-language|content-length|content-location|"
        "content-md5|content-range|content-type|date|etag|expect|expires|from|host|if-match|"
        "if-modified-since|if-none-match|if-range|if-unmodified-since|last-modified|location|"
        "max-forwards|pragma|proxy-authenticate|proxy-authorization|range|referer|retry-after|"
        "server|te|trailer|transfer-encoding|upgrade|user-agent|vary|via|warning|"
        "www-authenticate|method|get|status|200 OK|version|HTTP/1.1|url|public|set-cookie|"
        "keep-alive|origin";
    static constexpr QByteArrayView tail =
        "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504"
        "505203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request"
        "401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented"
        "503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, "
        "Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,image/jpg,image/gif,"
        "application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age="
        "gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";
    QByteArray dictionary;
    for (const QByteArray &w : words.toByteArray().split('|')) {
        char length[4];
        qToBigEndian(quint32(w.size()), length);
        dictionary.append(length, 4).append(w);
    }
    return dictionary.append(tail);
}

void appendU32(QByteArray &out, quint32 value)
{
    char bytes[4];
    qToBigEndian(value, bytes);
    out.append(bytes, 4);
}

quint32 readU32(QByteArrayView bytes, qsizetype at)
{
    return qFromBigEndian<quint32>(bytes.data() + at);
}

QByteArray controlFrame(FrameType type, quint8 flags, const QByteArray &body)
{
    QByteArray out;
    out.reserve(kFrameHeader + body.size());
    char head[4];
    qToBigEndian(quint16(0x8000 | kVersion), head);
    qToBigEndian(quint16(type), head + 2);
    out.append(head, 4);
    appendU32(out, quint32(flags) << 24 | quint32(body.size()));
    out.append(body);
    return out;
}

} // namespace

QByteArrayView headerDictionary()
{
    static const QByteArray dictionary = buildDictionary();
    return dictionary;
}

QByteArray headerValue(const HeaderBlock &headers, QByteArrayView name)
{
    for (const auto &[key, value] : headers) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QByteArray encodeHeaderBlock(const HeaderBlock &headers)
{
    QByteArray block;
    appendU32(block, quint32(headers.size()));
    for (const auto &[name, value] : headers) {
        appendU32(block, quint32(name.size()));
        block.append(name.toLower());
        appendU32(block, quint32(value.size()));
        block.append(value);
    }
    return block;
}

std::expected<HeaderBlock, QString> decodeHeaderBlock(QByteArrayView block)
{
    auto truncated = [] { return std::unexpected(QStringLiteral("truncated header block")); };
    if (block.size() < 4)
        return truncated();
    const quint32 count = readU32(block, 0);
    qsizetype at = 4;
    HeaderBlock headers;
    for (quint32 i = 0; i < count; ++i) {
        if (block.size() - at < 4)
            return truncated();
        const quint32 nameLength = readU32(block, at);
        at += 4;
        if (quint64(block.size() - at) < quint64(nameLength) + 4)
            return truncated();
        QByteArray name = block.sliced(at, nameLength).toByteArray();
        at += nameLength;
        const quint32 valueLength = readU32(block, at);
        at += 4;
        if (quint64(block.size() - at) < valueLength)
            return truncated();
        if (name.isEmpty())
            return std::unexpected(QStringLiteral("empty header name"));
        headers.append({name.toLower(), block.sliced(at, valueLength).toByteArray()});
        at += valueLength;
    }
    return headers;
}

struct HeaderCompressor::State
{
    z_stream z{};
    bool ok = false;
};

HeaderCompressor::HeaderCompressor() : d(std::make_unique<State>())
{
    d->ok = deflateInit(&d->z, Z_BEST_COMPRESSION) == Z_OK;
    const QByteArrayView dictionary = headerDictionary();
    if (d->ok)
        d->ok = deflateSetDictionary(&d->z, reinterpret_cast<const Bytef *>(dictionary.data()),
                                     uInt(dictionary.size())) == Z_OK;
}

HeaderCompressor::~HeaderCompressor()
{
    deflateEnd(&d->z);
}

QByteArray HeaderCompressor::compress(const HeaderBlock &headers)
{
    QByteArray input = encodeHeaderBlock(headers);
    QByteArray out;
    if (!d->ok)
        return out;
    d->z.next_in = reinterpret_cast<Bytef *>(input.data());
    d->z.avail_in = uInt(input.size());
    char buffer[4096];
    do {
        d->z.next_out = reinterpret_cast<Bytef *>(buffer);
        d->z.avail_out = sizeof buffer;
        if (deflate(&d->z, Z_SYNC_FLUSH) == Z_STREAM_ERROR)
            break;
        out.append(buffer, qsizetype(sizeof buffer - d->z.avail_out));
    } while (d->z.avail_out == 0);
    return out;
}

struct HeaderDecompressor::State
{
    z_stream z{};
    bool ok = false;
};

HeaderDecompressor::HeaderDecompressor() : d(std::make_unique<State>())
{
    d->ok = inflateInit(&d->z) == Z_OK;
}

HeaderDecompressor::~HeaderDecompressor()
{
    inflateEnd(&d->z);
}

std::expected<HeaderBlock, QString> HeaderDecompressor::decompress(QByteArrayView compressed)
{
    if (!d->ok)
        return std::unexpected(QStringLiteral("header decompression failed earlier"));
    QByteArray out;
    d->z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(compressed.data()));
    d->z.avail_in = uInt(compressed.size());
    char buffer[4096];
    while (d->z.avail_in > 0) {
        d->z.next_out = reinterpret_cast<Bytef *>(buffer);
        d->z.avail_out = sizeof buffer;
        int result = inflate(&d->z, Z_SYNC_FLUSH);
        if (result == Z_NEED_DICT) {
            const QByteArrayView dictionary = headerDictionary();
            result = inflateSetDictionary(&d->z, reinterpret_cast<const Bytef *>(dictionary.data()),
                                          uInt(dictionary.size()));
            if (result == Z_OK)
                continue;
        }
        if (result != Z_OK && result != Z_BUF_ERROR) {
            d->ok = false;
            return std::unexpected(
                QStringLiteral("bad compressed header block: %1")
                    .arg(QString::fromLatin1(d->z.msg ? d->z.msg : "zlib error")));
        }
        out.append(buffer, qsizetype(sizeof buffer - d->z.avail_out));
        if (result == Z_BUF_ERROR && d->z.avail_out != 0)
            break; // no progress possible with the input given
    }
    return decodeHeaderBlock(out);
}

QByteArray FrameWriter::encode(const Frame &frame)
{
    QByteArray body;
    switch (frame.type) {
    case FrameType::Data: {
        QByteArray out;
        out.reserve(kFrameHeader + frame.data.size());
        appendU32(out, frame.streamId & 0x7FFFFFFF);
        appendU32(out, quint32(frame.flags) << 24 | quint32(frame.data.size()));
        out.append(frame.data);
        return out;
    }
    case FrameType::SynStream:
        appendU32(body, frame.streamId & 0x7FFFFFFF);
        appendU32(body, frame.associatedStreamId & 0x7FFFFFFF);
        body.append(char((frame.priority & 0x7) << 5)).append(char(0)); // priority, slot
        body.append(m_compressor.compress(frame.headers));
        break;
    case FrameType::SynReply:
    case FrameType::Headers:
        appendU32(body, frame.streamId & 0x7FFFFFFF);
        body.append(m_compressor.compress(frame.headers));
        break;
    case FrameType::RstStream:
        appendU32(body, frame.streamId & 0x7FFFFFFF);
        appendU32(body, frame.status);
        break;
    case FrameType::Settings:
        appendU32(body, quint32(frame.settings.size()));
        for (const Setting &s : frame.settings) {
            appendU32(body, quint32(s.flags) << 24 | (s.id & 0xFFFFFF));
            appendU32(body, s.value);
        }
        break;
    case FrameType::Ping:
        appendU32(body, frame.value);
        break;
    case FrameType::GoAway:
        appendU32(body, frame.value & 0x7FFFFFFF);
        appendU32(body, frame.status);
        break;
    case FrameType::WindowUpdate:
        appendU32(body, frame.streamId & 0x7FFFFFFF);
        appendU32(body, frame.value & 0x7FFFFFFF);
        break;
    }
    return controlFrame(frame.type, frame.flags, body);
}

bool FrameReader::fail(const QString &why)
{
    m_error = why;
    m_buffer.clear();
    m_offset = 0;
    return false;
}

std::optional<Frame> FrameReader::parse(FrameType type, quint8 flags, QByteArrayView body,
                                        bool &skip)
{
    Frame frame;
    frame.type = type;
    frame.flags = flags;
    auto needs = [&](qsizetype size, bool exact = false) {
        if (body.size() < size || (exact && body.size() != size)) {
            fail(QStringLiteral("invalid control frame of type %1").arg(int(type)));
            return false;
        }
        return true;
    };
    auto headers = [&](qsizetype at) {
        auto decoded = m_decompressor.decompress(body.sliced(at));
        if (!decoded) {
            fail(decoded.error());
            return false;
        }
        frame.headers = std::move(*decoded);
        return true;
    };
    switch (type) {
    case FrameType::SynStream:
        if (!needs(10))
            return std::nullopt;
        frame.streamId = readU32(body, 0) & 0x7FFFFFFF;
        frame.associatedStreamId = readU32(body, 4) & 0x7FFFFFFF;
        frame.priority = quint8(body[8]) >> 5;
        if (!headers(10))
            return std::nullopt;
        break;
    case FrameType::SynReply:
    case FrameType::Headers:
        if (!needs(4))
            return std::nullopt;
        frame.streamId = readU32(body, 0) & 0x7FFFFFFF;
        if (!headers(4))
            return std::nullopt;
        break;
    case FrameType::RstStream:
    case FrameType::WindowUpdate:
        if (!needs(8, true))
            return std::nullopt;
        frame.streamId = readU32(body, 0) & 0x7FFFFFFF;
        if (type == FrameType::RstStream)
            frame.status = readU32(body, 4);
        else
            frame.value = readU32(body, 4) & 0x7FFFFFFF;
        break;
    case FrameType::Settings: {
        if (!needs(4))
            return std::nullopt;
        const quint32 count = readU32(body, 0);
        if (!needs(4 + qsizetype(count) * 8, true))
            return std::nullopt;
        for (quint32 i = 0; i < count; ++i) {
            const quint32 flagsAndId = readU32(body, 4 + i * 8);
            frame.settings.append(
                {quint8(flagsAndId >> 24), flagsAndId & 0xFFFFFF, readU32(body, 8 + i * 8)});
        }
        break;
    }
    case FrameType::Ping:
        if (!needs(4, true))
            return std::nullopt;
        frame.value = readU32(body, 0);
        break;
    case FrameType::GoAway:
        if (!needs(4))
            return std::nullopt;
        frame.value = readU32(body, 0) & 0x7FFFFFFF;
        if (body.size() >= 8)
            frame.status = readU32(body, 4);
        break;
    default:
        skip = true; // unknown control frames are ignored
        return std::nullopt;
    }
    return frame;
}

QList<Frame> FrameReader::feed(QByteArrayView data)
{
    QList<Frame> frames;
    if (hasError())
        return frames;
    m_buffer.append(data);
    while (m_buffer.size() - m_offset >= kFrameHeader) {
        const QByteArrayView view(m_buffer.constData() + m_offset, m_buffer.size() - m_offset);
        const quint32 first = readU32(view, 0);
        const quint32 second = readU32(view, 4);
        const quint8 flags = quint8(second >> 24);
        const qsizetype length = second & 0xFFFFFF;
        if (view.size() < kFrameHeader + length)
            break;
        const QByteArrayView body = view.sliced(kFrameHeader, length);
        m_offset += kFrameHeader + length;
        if (first & 0x80000000) {
            const quint16 version = quint16(first >> 16) & 0x7FFF;
            if (version != kVersion) {
                fail(QStringLiteral("unsupported SPDY version %1").arg(version));
                break;
            }
            bool skip = false;
            auto frame = parse(FrameType(first & 0xFFFF), flags, body, skip);
            if (frame)
                frames.append(std::move(*frame));
            else if (!skip)
                break;
        } else {
            Frame frame;
            frame.type = FrameType::Data;
            frame.streamId = first & 0x7FFFFFFF;
            frame.flags = flags;
            frame.data = body.toByteArray();
            frames.append(std::move(frame));
        }
    }
    if (m_offset == m_buffer.size()) {
        m_buffer.clear();
        m_offset = 0;
    } else if (m_offset > kCompactAfter) {
        m_buffer.remove(0, m_offset);
        m_offset = 0;
    }
    return frames;
}

Session::Session(Role role, QObject *parent)
    : QObject(parent), m_role(role), m_nextStreamId(role == Role::Server ? 2 : 1)
{
}

Session::~Session() = default;

void Session::write(const Frame &frame)
{
    Q_EMIT outgoing(m_writer.encode(frame));
}

void Session::receive(QByteArrayView bytes)
{
    const QList<Frame> frames = m_reader.feed(bytes);
    QPointer<Session> self(this);
    for (const Frame &frame : frames) {
        handle(frame);
        if (!self)
            return;
    }
    if (m_reader.hasError())
        Q_EMIT protocolError(m_reader.errorString());
}

void Session::handle(const Frame &frame)
{
    const bool peerParity = (frame.streamId % 2 == 1) == (m_role == Role::Server);
    switch (frame.type) {
    case FrameType::SynStream:
        if (!peerParity || frame.streamId <= m_lastPeerStreamId || m_goneAway) {
            reset(frame.streamId, ProtocolError);
            return;
        }
        m_lastPeerStreamId = frame.streamId;
        m_streams.insert(frame.streamId, Stream{bool(frame.flags & FlagUnidirectional), false});
        Q_EMIT streamOpened(frame.streamId, frame.headers);
        if (frame.fin())
            markRemoteFin(frame.streamId);
        break;
    case FrameType::SynReply:
        Q_EMIT streamReplied(frame.streamId, frame.headers);
        if (frame.fin())
            markRemoteFin(frame.streamId);
        break;
    case FrameType::Headers:
        if (frame.fin())
            markRemoteFin(frame.streamId);
        break;
    case FrameType::Data:
        if (!m_streams.contains(frame.streamId))
            return; // a stream already gone, as spdystream drops such data
        if (!frame.data.isEmpty())
            Q_EMIT dataReceived(frame.streamId, frame.data);
        if (frame.fin())
            markRemoteFin(frame.streamId);
        break;
    case FrameType::RstStream:
        m_streams.remove(frame.streamId);
        Q_EMIT streamReset(frame.streamId, frame.status);
        break;
    case FrameType::Ping:
        // The peer's pings carry its parity (a client's are odd): answer them; ours come back.
        if ((frame.value % 2 == 1) == (m_role == Role::Server))
            write(frame);
        else
            Q_EMIT pingReceived(frame.value);
        break;
    case FrameType::GoAway:
        m_goneAway = true;
        Q_EMIT goAwayReceived();
        break;
    case FrameType::Settings:
    case FrameType::WindowUpdate:
        break;
    }
}

void Session::markRemoteFin(quint32 streamId)
{
    auto it = m_streams.find(streamId);
    if (it == m_streams.end() || it->remoteFin)
        return;
    it->remoteFin = true;
    if (it->localFin)
        m_streams.erase(it);
    Q_EMIT remoteFinished(streamId);
}

void Session::markLocalFin(quint32 streamId)
{
    auto it = m_streams.find(streamId);
    if (it == m_streams.end())
        return;
    it->localFin = true;
    if (it->remoteFin)
        m_streams.erase(it);
}

bool Session::isLocallyFinished(quint32 streamId) const
{
    auto it = m_streams.constFind(streamId);
    return it == m_streams.cend() || it->localFin;
}

void Session::reply(quint32 streamId, const HeaderBlock &headers)
{
    Frame frame;
    frame.type = FrameType::SynReply;
    frame.streamId = streamId;
    frame.headers = headers;
    write(frame);
}

quint32 Session::openStream(const HeaderBlock &headers, bool fin)
{
    const quint32 id = m_nextStreamId;
    m_nextStreamId += 2;
    m_streams.insert(id, Stream{});
    Frame frame;
    frame.type = FrameType::SynStream;
    frame.streamId = id;
    frame.headers = headers;
    frame.flags = fin ? FlagFin : 0;
    write(frame);
    if (fin)
        markLocalFin(id);
    return id;
}

void Session::sendData(quint32 streamId, QByteArrayView data, bool fin)
{
    if (isLocallyFinished(streamId))
        return;
    qsizetype at = 0;
    do {
        const qsizetype piece = std::min(kDataPiece, data.size() - at);
        Frame frame;
        frame.streamId = streamId;
        frame.data = data.sliced(at, piece).toByteArray();
        at += piece;
        frame.flags = fin && at == data.size() ? FlagFin : 0;
        write(frame);
    } while (at < data.size());
    if (fin)
        markLocalFin(streamId);
}

void Session::finish(quint32 streamId)
{
    if (!isLocallyFinished(streamId))
        sendData(streamId, {}, true);
}

void Session::reset(quint32 streamId, quint32 status)
{
    m_streams.remove(streamId);
    Frame frame;
    frame.type = FrameType::RstStream;
    frame.streamId = streamId;
    frame.status = status;
    write(frame);
}

void Session::sendPing(quint32 id)
{
    Frame frame;
    frame.type = FrameType::Ping;
    frame.value = id;
    write(frame);
}

void Session::goAway()
{
    Frame frame;
    frame.type = FrameType::GoAway;
    frame.value = m_lastPeerStreamId;
    frame.status = 0; // OK
    write(frame);
}

} // namespace timonel::http::spdy
