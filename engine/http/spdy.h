// SPDY/3.1, as Kubernetes still speaks it for exec, attach and port-forward (Go's spdystream):
// the frames, the name/value header blocks with their zlib compression (the SPDY/3 dictionary,
// one compression context per direction for the whole connection), and a session that tracks
// streams over any byte transport (a raw upgraded socket, or WebSocket binary messages).
//
// Like spdystream, the session does no flow control: WINDOW_UPDATE and SETTINGS are read and
// ignored, and data is never held back for a window.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <expected>
#include <memory>
#include <utility>

namespace timonel::http::spdy {

enum class FrameType : quint16
{
    Data = 0,
    SynStream = 1,
    SynReply = 2,
    RstStream = 3,
    Settings = 4,
    Ping = 6,
    GoAway = 7,
    Headers = 8,
    WindowUpdate = 9,
};

inline constexpr quint8 FlagFin = 0x01;
inline constexpr quint8 FlagUnidirectional = 0x02; // SYN_STREAM

// RST_STREAM status codes.
enum RstStatus : quint32
{
    ProtocolError = 1,
    InvalidStream = 2,
    RefusedStream = 3,
    UnsupportedVersion = 4,
    Cancel = 5,
    InternalError = 6,
    FlowControlError = 7,
    StreamInUse = 8,
    StreamAlreadyClosed = 9,
};

// Name/value pairs; names lower-case, several values of one name joined by NUL.
using HeaderBlock = QList<std::pair<QByteArray, QByteArray>>;
// The value of `name` (case-insensitive), empty when absent.
QByteArray headerValue(const HeaderBlock &headers, QByteArrayView name);

struct Setting
{
    quint8 flags = 0;
    quint32 id = 0;
    quint32 value = 0;
    friend bool operator==(const Setting &, const Setting &) = default;
};

struct Frame
{
    FrameType type = FrameType::Data;
    quint8 flags = 0;
    quint32 streamId = 0;           // Data, SynStream, SynReply, RstStream, Headers, WindowUpdate
    quint32 associatedStreamId = 0; // SynStream
    quint8 priority = 0;            // SynStream, 0 (highest) to 7
    HeaderBlock headers;            // SynStream, SynReply, Headers
    QByteArray data;                // Data
    quint32 status = 0;             // RstStream, GoAway
    quint32 value = 0;              // Ping id, GoAway last-good-stream-id, WindowUpdate delta
    QList<Setting> settings;        // Settings

    bool fin() const { return flags & FlagFin; }
    friend bool operator==(const Frame &, const Frame &) = default;
};

// The zlib dictionary of SPDY/3 header blocks (draft-mbelshe-httpbis-spdy-00, 2.6.10.1).
QByteArrayView headerDictionary();

// Header blocks before compression.
QByteArray encodeHeaderBlock(const HeaderBlock &headers);
std::expected<HeaderBlock, QString> decodeHeaderBlock(QByteArrayView block);

// One direction's compression context: every header block of a connection continues the same
// zlib stream, each ending with a sync flush.
class HeaderCompressor
{
public:
    HeaderCompressor();
    ~HeaderCompressor();
    QByteArray compress(const HeaderBlock &headers);

private:
    struct State;
    std::unique_ptr<State> d;
};

class HeaderDecompressor
{
public:
    HeaderDecompressor();
    ~HeaderDecompressor();
    std::expected<HeaderBlock, QString> decompress(QByteArrayView compressed);

private:
    struct State;
    std::unique_ptr<State> d;
};

// Frames to bytes, header blocks compressed.
class FrameWriter
{
public:
    QByteArray encode(const Frame &frame);

private:
    HeaderCompressor m_compressor;
};

// Bytes split anywhere to frames. Unknown control frame types are skipped, as the spec asks;
// a bad frame is an error after which nothing more is decoded.
class FrameReader
{
public:
    QList<Frame> feed(QByteArrayView data);
    bool hasError() const { return !m_error.isEmpty(); }
    QString errorString() const { return m_error; }

private:
    bool fail(const QString &why);
    std::optional<Frame> parse(FrameType type, quint8 flags, QByteArrayView body, bool &skip);

    HeaderDecompressor m_decompressor;
    QByteArray m_buffer;
    qsizetype m_offset = 0;
    QString m_error;
};

// The streams of one SPDY/3.1 connection. It neither owns nor knows the transport: feed what
// arrives to receive() and write what outgoing() hands out. Pings from the peer are answered.
class Session : public QObject
{
    Q_OBJECT
public:
    enum class Role
    {
        Server, // opens even-numbered streams, answers the peer's odd-numbered ones
        Client
    };

    explicit Session(Role role, QObject *parent = nullptr);
    ~Session() override;

    void receive(QByteArrayView bytes);

    // Answers a stream the peer opened (SYN_REPLY).
    void reply(quint32 streamId, const HeaderBlock &headers = {});
    // Opens a stream (SYN_STREAM); returns its id.
    quint32 openStream(const HeaderBlock &headers, bool fin = false);
    // Data on a stream, split into frames; `fin` ends this side of the stream.
    void sendData(quint32 streamId, QByteArrayView data, bool fin = false);
    // Ends this side of the stream (an empty DATA frame with FIN) unless it ended already.
    void finish(quint32 streamId);
    void reset(quint32 streamId, quint32 status = Cancel);
    void sendPing(quint32 id);
    void goAway();

    bool isLocallyFinished(quint32 streamId) const;

Q_SIGNALS:
    // Bytes for the transport, in order.
    void outgoing(const QByteArray &bytes);
    // The peer opened a stream; answer with reply() or reset(..., RefusedStream).
    void streamOpened(quint32 streamId, const timonel::http::spdy::HeaderBlock &headers);
    void streamReplied(quint32 streamId, const timonel::http::spdy::HeaderBlock &headers);
    void dataReceived(quint32 streamId, const QByteArray &data);
    // The peer ended its side of the stream (FIN).
    void remoteFinished(quint32 streamId);
    void streamReset(quint32 streamId, quint32 status);
    void pingReceived(quint32 id);
    void goAwayReceived();
    // The bytes could not be decoded; the connection should end.
    void protocolError(const QString &message);

private:
    struct Stream
    {
        bool localFin = false;
        bool remoteFin = false;
    };
    void write(const Frame &frame);
    void handle(const Frame &frame);
    void markLocalFin(quint32 streamId);
    void markRemoteFin(quint32 streamId);

    Role m_role;
    FrameReader m_reader;
    FrameWriter m_writer;
    QHash<quint32, Stream> m_streams;
    quint32 m_nextStreamId;
    quint32 m_lastPeerStreamId = 0;
    bool m_goneAway = false;
};

} // namespace timonel::http::spdy
