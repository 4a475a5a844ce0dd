#include "websocket.h"

#include "httpconnection.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QSslSocket>
#include <QTcpSocket>
#include <QtEndian>
#include <QTimer>

#include <cstring>

namespace timonel::http::websocket {

namespace {

constexpr qsizetype kReadChunk = 256 * 1024;
constexpr qsizetype kCompactAfter = 64 * 1024;

bool listsToken(QByteArrayView list, QByteArrayView token)
{
    for (QByteArrayView part : QByteArray(list).split(',')) {
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

void applyMask(char *data, qsizetype size, quint32 mask)
{
    const uchar key[4] = {uchar(mask >> 24), uchar(mask >> 16), uchar(mask >> 8), uchar(mask)};
    qsizetype i = 0;
    // Eight bytes at a time: the key repeats every four, so a doubled key lines up.
    quint64 wide;
    uchar doubled[8] = {key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3]};
    std::memcpy(&wide, doubled, 8);
    for (; i + 8 <= size; i += 8) {
        quint64 chunk;
        std::memcpy(&chunk, data + i, 8);
        chunk ^= wide;
        std::memcpy(data + i, &chunk, 8);
    }
    for (; i < size; ++i)
        data[i] = char(uchar(data[i]) ^ key[i % 4]);
}

bool isControl(Opcode opcode)
{
    return quint8(opcode) & 0x8;
}

bool isKnown(quint8 opcode)
{
    return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
}

} // namespace

bool isUpgradeRequest(const HttpRequest &request)
{
    return request.header("Upgrade").trimmed().compare("websocket", Qt::CaseInsensitive) == 0 &&
           listsToken(request.header("Connection"), "upgrade");
}

QList<QByteArray> requestedProtocols(const HttpRequest &request)
{
    QList<QByteArray> protocols;
    for (const auto &[name, value] : request.headers) {
        if (name.compare("Sec-WebSocket-Protocol", Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray &part : value.split(',')) {
            if (const QByteArray p = part.trimmed(); !p.isEmpty())
                protocols.append(p);
        }
    }
    return protocols;
}

std::optional<QByteArray> selectProtocol(const HttpRequest &request,
                                         const QList<QByteArray> &supported)
{
    QList<QByteArray> offered = requestedProtocols(request);
    if (offered.isEmpty())
        offered.append(QByteArray());
    for (const QByteArray &protocol : offered) {
        if (supported.contains(protocol))
            return protocol;
    }
    return std::nullopt;
}

QByteArray acceptKey(QByteArrayView key)
{
    static constexpr QByteArrayView guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(key);
    sha1.addData(guid);
    return sha1.result().toBase64();
}

std::expected<HttpHeaders, QByteArray> handshakeHeaders(const HttpRequest &request,
                                                        const QByteArray &protocol)
{
    if (!isUpgradeRequest(request))
        return std::unexpected(QByteArray("missing websocket upgrade headers"));
    if (request.method != "GET")
        return std::unexpected(QByteArray("websocket handshake needs GET"));
    const QByteArray key = request.header("Sec-WebSocket-Key").trimmed();
    if (QByteArray::fromBase64(key).size() != 16)
        return std::unexpected(QByteArray("invalid Sec-WebSocket-Key"));
    if (request.header("Sec-WebSocket-Version").trimmed() != "13")
        return std::unexpected(QByteArray("unsupported Sec-WebSocket-Version"));
    HttpHeaders headers{{"Upgrade", "websocket"},
                        {"Connection", "Upgrade"},
                        {"Sec-WebSocket-Accept", acceptKey(key)}};
    if (!protocol.isEmpty())
        headers.append({"Sec-WebSocket-Protocol", protocol});
    return headers;
}

QByteArray encodeFrame(Opcode opcode, QByteArrayView payload, bool fin, std::optional<quint32> mask)
{
    const qsizetype size = payload.size();
    QByteArray frame;
    frame.reserve(size + 14);
    frame.append(char((fin ? 0x80 : 0x00) | quint8(opcode)));
    const char maskBit = mask ? char(0x80) : char(0);
    if (size < 126) {
        frame.append(char(maskBit | char(size)));
    } else if (size <= 0xFFFF) {
        frame.append(char(maskBit | 126));
        char length[2];
        qToBigEndian(quint16(size), length);
        frame.append(length, 2);
    } else {
        frame.append(char(maskBit | 127));
        char length[8];
        qToBigEndian(quint64(size), length);
        frame.append(length, 8);
    }
    if (mask) {
        char key[4];
        qToBigEndian(*mask, key);
        frame.append(key, 4);
    }
    const qsizetype start = frame.size();
    frame.append(payload);
    if (mask)
        applyMask(frame.data() + start, size, *mask);
    return frame;
}

QByteArray closePayload(quint16 code, QByteArrayView reason)
{
    char bytes[2];
    qToBigEndian(code, bytes);
    QByteArray payload(bytes, 2);
    payload.append(reason.left(123));
    return payload;
}

FrameDecoder::FrameDecoder(bool expectMasked, qint64 maxMessageSize)
    : m_expectMasked(expectMasked), m_maxMessageSize(maxMessageSize)
{
}

bool FrameDecoder::fail(quint16 code, const QString &why)
{
    m_errorCode = code;
    m_error = why;
    m_buffer.clear();
    m_offset = 0;
    m_fragments.clear();
    return false;
}

QList<Message> FrameDecoder::feed(QByteArrayView data)
{
    QList<Message> out;
    if (hasError())
        return out;
    m_buffer.append(data);
    while (true) {
        const qsizetype available = m_buffer.size() - m_offset;
        if (available < 2)
            break;
        const auto *p = reinterpret_cast<const uchar *>(m_buffer.constData() + m_offset);
        const bool fin = p[0] & 0x80;
        if (p[0] & 0x70) {
            fail(ProtocolError, QStringLiteral("reserved bits set without an extension"));
            break;
        }
        const quint8 rawOpcode = p[0] & 0x0F;
        if (!isKnown(rawOpcode)) {
            fail(ProtocolError, QStringLiteral("unknown opcode %1").arg(rawOpcode));
            break;
        }
        const auto opcode = Opcode(rawOpcode);
        const bool masked = p[1] & 0x80;
        if (masked != m_expectMasked) {
            fail(ProtocolError, m_expectMasked ? QStringLiteral("a client frame was not masked")
                                               : QStringLiteral("a server frame was masked"));
            break;
        }
        quint64 length = p[1] & 0x7F;
        qsizetype header = 2;
        if (length == 126) {
            if (available < 4)
                break;
            length = qFromBigEndian<quint16>(p + 2);
            header = 4;
        } else if (length == 127) {
            if (available < 10)
                break;
            length = qFromBigEndian<quint64>(p + 2);
            header = 10;
            if (length >> 63) {
                fail(ProtocolError, QStringLiteral("frame length out of range"));
                break;
            }
        }
        if (isControl(opcode) && (!fin || length > 125)) {
            fail(ProtocolError, QStringLiteral("fragmented or oversized control frame"));
            break;
        }
        const qint64 pending = isControl(opcode) ? 0 : m_fragments.size();
        if (qint64(length) + pending > m_maxMessageSize) {
            fail(MessageTooBig,
                 QStringLiteral("message larger than %1 bytes").arg(m_maxMessageSize));
            break;
        }
        const qsizetype maskSize = masked ? 4 : 0;
        if (quint64(available) < quint64(header + maskSize) + length)
            break;
        QByteArray payload(m_buffer.constData() + m_offset + header + maskSize, qsizetype(length));
        if (masked)
            applyMask(payload.data(), payload.size(), qFromBigEndian<quint32>(p + header));
        m_offset += header + maskSize + qsizetype(length);

        if (isControl(opcode)) {
            out.append({opcode, std::move(payload)});
        } else if (opcode == Opcode::Continuation) {
            if (!m_fragmentedOpcode) {
                fail(ProtocolError, QStringLiteral("continuation frame without a message"));
                break;
            }
            m_fragments.append(payload);
            if (fin) {
                out.append({*m_fragmentedOpcode, std::exchange(m_fragments, {})});
                m_fragmentedOpcode.reset();
            }
        } else if (m_fragmentedOpcode) {
            fail(ProtocolError, QStringLiteral("new message inside a fragmented one"));
            break;
        } else if (fin) {
            out.append({opcode, std::move(payload)});
        } else {
            m_fragmentedOpcode = opcode;
            m_fragments = std::move(payload);
        }
    }
    if (m_offset == m_buffer.size()) {
        m_buffer.clear();
        m_offset = 0;
    } else if (m_offset > kCompactAfter) {
        m_buffer.remove(0, m_offset);
        m_offset = 0;
    }
    return out;
}

} // namespace timonel::http::websocket

namespace timonel::http {

using namespace websocket;

namespace {
// How long a Close frame waits for the peer's answer before the connection just ends.
constexpr int kCloseWaitMs = 2000;
constexpr qint64 kSocketReadBuffer = 256 * 1024;
} // namespace

WebSocket::WebSocket(QTcpSocket *socket, Role role, QObject *parent)
    : QObject(parent), m_socket(socket), m_role(role), m_decoder(role == Role::Server)
{
    socket->setParent(this);
    // Bounded, so that a paused reader leaves the rest in the kernel and TCP slows the peer.
    socket->setReadBufferSize(kSocketReadBuffer);
    connect(socket, &QIODevice::readyRead, this, &WebSocket::readPending);
    connect(socket, &QAbstractSocket::disconnected, this, &WebSocket::finish);
    connect(socket, &QAbstractSocket::errorOccurred, this, &WebSocket::finish);
    connect(socket, &QIODevice::bytesWritten, this, &WebSocket::bytesWritten);
    if (auto *tls = qobject_cast<QSslSocket *>(socket))
        connect(tls, &QSslSocket::encryptedBytesWritten, this, &WebSocket::bytesWritten);
    QMetaObject::invokeMethod(this, &WebSocket::readPending, Qt::QueuedConnection);
}

WebSocket::~WebSocket()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

qint64 WebSocket::bytesToWrite() const
{
    if (!m_socket)
        return 0;
    const auto *tls = qobject_cast<const QSslSocket *>(m_socket.data());
    return m_socket->bytesToWrite() + (tls ? tls->encryptedBytesToWrite() : 0);
}

void WebSocket::setReadingPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (!paused)
        QMetaObject::invokeMethod(this, &WebSocket::readPending, Qt::QueuedConnection);
}

void WebSocket::send(Opcode opcode, QByteArrayView payload)
{
    if (!m_socket || m_closeSent)
        return;
    std::optional<quint32> mask;
    if (m_role == Role::Client)
        mask = QRandomGenerator::global()->generate();
    m_socket->write(encodeFrame(opcode, payload, true, mask));
}

void WebSocket::sendBinary(QByteArrayView payload)
{
    send(Opcode::Binary, payload);
}

void WebSocket::sendText(QByteArrayView payload)
{
    send(Opcode::Text, payload);
}

void WebSocket::sendPing(QByteArrayView payload)
{
    send(Opcode::Ping, payload.left(125));
}

void WebSocket::close(quint16 code, QByteArrayView reason)
{
    if (!m_socket || m_closeSent)
        return;
    send(Opcode::Close, closePayload(code, reason));
    m_closeSent = true;
    if (m_peerCloseCode != 0) {
        m_socket->disconnectFromHost();
        return;
    }
    m_closeTimer = new QTimer(this);
    m_closeTimer->setSingleShot(true);
    connect(m_closeTimer, &QTimer::timeout, this, [this] {
        if (m_socket)
            m_socket->disconnectFromHost();
    });
    m_closeTimer->start(kCloseWaitMs);
}

void WebSocket::abort()
{
    if (m_socket)
        m_socket->abort();
    finish();
}

void WebSocket::readPending()
{
    QPointer<WebSocket> self(this);
    while (self && m_socket && !m_paused && m_socket->bytesAvailable() > 0) {
        const QByteArray data = m_socket->read(kReadChunk);
        const QList<Message> messages = m_decoder.feed(data);
        for (const Message &message : messages) {
            handle(message);
            if (!self || !m_socket || m_peerCloseCode != 0)
                return;
        }
        if (m_decoder.hasError()) {
            qCDebug(lcHttp) << "websocket protocol error:" << m_decoder.errorString();
            close(m_decoder.errorCode(), m_decoder.errorString().toUtf8());
            m_socket->disconnectFromHost();
            return;
        }
    }
}

void WebSocket::handle(const Message &message)
{
    switch (message.opcode) {
    case Opcode::Binary:
        Q_EMIT binaryMessageReceived(message.payload);
        break;
    case Opcode::Text:
        Q_EMIT textMessageReceived(message.payload);
        break;
    case Opcode::Ping:
        send(Opcode::Pong, message.payload);
        break;
    case Opcode::Pong:
        Q_EMIT pongReceived(message.payload);
        break;
    case Opcode::Close: {
        m_peerCloseCode = message.payload.size() >= 2
                              ? qFromBigEndian<quint16>(message.payload.constData())
                              : quint16(1005); // "no status received"
        if (!m_closeSent) {
            // Echo the code, then end the connection: nothing more comes from the peer.
            send(Opcode::Close,
                 m_peerCloseCode == 1005 ? QByteArray() : closePayload(m_peerCloseCode));
            m_closeSent = true;
        }
        if (m_socket)
            m_socket->disconnectFromHost();
        break;
    }
    case Opcode::Continuation:
        break;
    }
}

WebSocket *acceptWebSocket(HttpExchange *exchange, const QList<QByteArray> &supported,
                           QByteArray *protocol, QObject *parent)
{
    const HttpRequest &request = exchange->request();
    const std::optional<QByteArray> chosen = selectProtocol(request, supported);
    auto headers = handshakeHeaders(request, chosen.value_or(QByteArray()));
    if (!headers) {
        exchange->respond(400,
                          {{"Content-Type", "text/plain; charset=utf-8"}, {"Connection", "close"}},
                          headers.error());
        return nullptr;
    }
    if (!chosen) {
        exchange->respond(403, {{"Connection", "close"}}, {});
        return nullptr;
    }
    QTcpSocket *socket = exchange->takeSocket(101, *headers);
    if (!socket)
        return nullptr;
    if (protocol)
        *protocol = *chosen;
    return new WebSocket(socket, WebSocket::Role::Server, parent);
}

void WebSocket::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_closeSent = true;
    if (m_closeTimer)
        m_closeTimer->stop();
    Q_EMIT disconnected();
}

} // namespace timonel::http
