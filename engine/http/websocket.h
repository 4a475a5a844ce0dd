// WebSocket (RFC 6455) for the node agent's exec, attach and port-forward streams: the server side
// of the opening handshake on a request HttpServer already parsed, a frame codec (masking,
// fragmentation, control frames) and a connection over a socket taken from an HttpExchange.
// The client role exists for tests and tools: it masks what it sends.
#pragma once

#include "httpserver.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>

#include <expected>
#include <optional>

class QTimer;

namespace timonel::http::websocket {

enum class Opcode : quint8
{
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

// Close codes (RFC 6455, 7.4.1) this code sends.
inline constexpr quint16 NormalClosure = 1000;
inline constexpr quint16 GoingAway = 1001;
inline constexpr quint16 ProtocolError = 1002;
inline constexpr quint16 MessageTooBig = 1009;

// "Upgrade: websocket" with a Connection header listing "upgrade", as Go's wsstream checks.
bool isUpgradeRequest(const HttpRequest &request);
// The subprotocols the client offers (every Sec-WebSocket-Protocol header, comma-separated).
QList<QByteArray> requestedProtocols(const HttpRequest &request);
// The first of the client's subprotocols that `supported` lists, in the client's order. A client
// offering none gets "" when "" is supported. nullopt: nothing in common.
std::optional<QByteArray> selectProtocol(const HttpRequest &request,
                                         const QList<QByteArray> &supported);
// Sec-WebSocket-Accept for a Sec-WebSocket-Key.
QByteArray acceptKey(QByteArrayView key);
// The headers of the 101 answer choosing `protocol` (none when empty), or why the request is not
// a valid opening handshake.
std::expected<HttpHeaders, QByteArray> handshakeHeaders(const HttpRequest &request,
                                                        const QByteArray &protocol);

// One frame; a client masks with `mask`.
QByteArray encodeFrame(Opcode opcode, QByteArrayView payload, bool fin = true,
                       std::optional<quint32> mask = std::nullopt);
// The payload of a Close frame.
QByteArray closePayload(quint16 code, QByteArrayView reason = {});

// A data message (fragments joined) or a control frame, unmasked.
struct Message
{
    Opcode opcode = Opcode::Binary;
    QByteArray payload;
    friend bool operator==(const Message &, const Message &) = default;
};

// Frames from a byte stream split anywhere. A server insists on masked frames, a client on
// unmasked ones; control frames may come between the fragments of a message.
class FrameDecoder
{
public:
    explicit FrameDecoder(bool expectMasked, qint64 maxMessageSize = 64 * 1024 * 1024);

    // The messages and control frames `data` completes. After an error nothing more is decoded.
    QList<Message> feed(QByteArrayView data);

    bool hasError() const { return m_errorCode != 0; }
    // The close code to answer the error with (1002 or 1009) and why.
    quint16 errorCode() const { return m_errorCode; }
    QString errorString() const { return m_error; }

private:
    bool fail(quint16 code, const QString &why);

    bool m_expectMasked;
    qint64 m_maxMessageSize;
    QByteArray m_buffer;
    qsizetype m_offset = 0; // consumed bytes at the front of m_buffer
    std::optional<Opcode> m_fragmentedOpcode;
    QByteArray m_fragments;
    quint16 m_errorCode = 0;
    QString m_error;
};

} // namespace timonel::http::websocket

namespace timonel::http {

// One WebSocket connection over an upgraded socket: answers pings, runs the closing handshake,
// and lets its user pause reading for back-pressure (what is unread stays in the kernel).
class WebSocket : public QObject
{
    Q_OBJECT
public:
    enum class Role
    {
        Server,
        Client
    };

    // Takes the socket (and what it already holds); its first messages are announced from the
    // event loop, so signals can be connected after construction.
    WebSocket(QTcpSocket *socket, Role role, QObject *parent = nullptr);
    ~WebSocket() override;

    void sendBinary(QByteArrayView payload);
    void sendText(QByteArrayView payload);
    void sendPing(QByteArrayView payload = {});
    // Sends a Close frame; the connection ends when the peer answers it, or soon after.
    void close(quint16 code = websocket::NormalClosure, QByteArrayView reason = {});
    void abort();

    bool isOpen() const { return m_socket && !m_closeSent; }
    // What was sent but has not reached the network yet.
    qint64 bytesToWrite() const;
    // While paused, nothing is read from the socket.
    void setReadingPaused(bool paused);
    // The code of the peer's Close frame; 0 if none came.
    quint16 peerCloseCode() const { return m_peerCloseCode; }

Q_SIGNALS:
    void binaryMessageReceived(const QByteArray &payload);
    void textMessageReceived(const QByteArray &payload);
    void pongReceived(const QByteArray &payload);
    // Bytes left for the network: a writer waiting on bytesToWrite() may continue.
    void bytesWritten();
    // The connection is gone (closing handshake done, error, or the peer went away). Once.
    void disconnected();

private:
    void readPending();
    void send(websocket::Opcode opcode, QByteArrayView payload);
    void handle(const websocket::Message &message);
    void finish();

    QPointer<QTcpSocket> m_socket;
    Role m_role;
    websocket::FrameDecoder m_decoder;
    QTimer *m_closeTimer = nullptr;
    bool m_paused = false;
    bool m_closeSent = false;
    bool m_finished = false;
    quint16 m_peerCloseCode = 0;
};

// Answers the opening handshake with the first of the client's subprotocols that `supported`
// lists and returns the connection, or refuses it as Go's x/net/websocket does (400 for a
// malformed handshake, 403 when no subprotocol fits) and returns null.
WebSocket *acceptWebSocket(HttpExchange *exchange, const QList<QByteArray> &supported,
                           QByteArray *protocol, QObject *parent = nullptr);

} // namespace timonel::http
