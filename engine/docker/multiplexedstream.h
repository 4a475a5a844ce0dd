#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

namespace timonel::docker {

// Docker's "stdcopy" framing of a container's output when it has no TTY (logs, attach, exec):
// each frame is an 8-byte header [stream, 0, 0, 0, big-endian uint32 size] and its payload.
enum StreamType : int
{
    StdinStream = 0,
    StdoutStream = 1,
    StderrStream = 2,
    SystemErrorStream = 3
};

class MultiplexedStreamDecoder
{
public:
    struct Frame
    {
        int stream = StdoutStream;
        QByteArray payload;
        friend bool operator==(const Frame &, const Frame &) = default;
    };

    // Bytes may arrive split anywhere; returns the frames they complete. A header with a stream
    // type other than 0-3 (e.g. a TTY stream decoded by mistake) is an error: nothing more is
    // decoded.
    QList<Frame> feed(QByteArrayView data);
    bool hasPartialFrame() const { return m_headerFill > 0; }
    bool hasError() const { return !m_error.isEmpty(); }
    QString errorString() const { return m_error; }

private:
    static constexpr qsizetype HeaderSize = 8;
    char m_header[HeaderSize] = {};
    qsizetype m_headerFill = 0; // header bytes buffered; HeaderSize while reading the payload
    qint64 m_payloadSize = 0;
    QByteArray m_payload;
    QString m_error;
};

QByteArray encodeFrame(int stream, QByteArrayView payload);

// Splits a byte stream into lines (logs, JSON-lines progress streams). Lines come without their
// "\n" or "\r\n"; empty lines are kept.
class LineSplitter
{
public:
    QList<QByteArray> feed(QByteArrayView data);
    // The unterminated last line, if any, handing it over.
    QByteArray takeRest();

private:
    QByteArray m_partial;
};

} // namespace timonel::docker
