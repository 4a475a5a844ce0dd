#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <utility>

namespace timonel::docker {

// Incremental parser for one HTTP/1.1 response, as the Docker daemon sends them on its unix
// socket. Bytes may arrive split anywhere, down to one at a time.
//
// Bodies are framed by Content-Length, chunked transfer coding, or the end of the connection.
// A 101 response (Docker's "UPGRADED" answer to a hijacked exec/attach) and a response without
// any framing are raw: every byte after the headers is body, handed out by takeBody() as it
// arrives, and the response is complete only at connectionClosed().
//
// The parser handles a single response: bytes after a complete one are ignored.
class HttpResponseParser
{
public:
    // Returns false on a protocol error (see errorString()); further calls then keep failing.
    bool feed(QByteArrayView data);
    // End of the connection: completes a read-until-close body, and is an error if the headers
    // or a Content-Length/chunked body were cut short.
    void connectionClosed();

    bool headersComplete() const { return m_headersComplete; }
    // The status of the response (interim 1xx responses other than 101 are skipped); 0 until
    // its status line arrived.
    int statusCode() const { return m_status; }
    QByteArray reasonPhrase() const { return m_reason; }
    // Case-insensitive; the first value; empty when absent.
    QByteArray header(QByteArrayView name) const;
    QList<std::pair<QByteArray, QByteArray>> headers() const { return m_headers; }

    // The decoded (de-chunked) body bytes received so far, handing them over.
    QByteArray takeBody();
    bool isComplete() const { return m_state == State::Complete; }
    bool isRaw() const { return m_raw; }
    // For a response to HEAD: complete right after the headers whatever they announce.
    void setNoBody(bool noBody) { m_noBody = noBody; }

    bool hasError() const { return m_state == State::Error; }
    QString errorString() const { return m_error; }

private:
    enum class State
    {
        StatusLine,
        Headers,
        LengthBody,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        UntilClose,
        Complete,
        Error,
    };

    bool processLine(QByteArrayView line);
    bool parseStatusLine(QByteArrayView line);
    bool parseHeaderLine(QByteArrayView line, bool trailer);
    bool headersDone();
    bool parseChunkSize(QByteArrayView line);
    bool fail(const QString &message);
    bool isLineState() const;

    State m_state = State::StatusLine;
    int m_status = 0;
    QByteArray m_reason;
    QList<std::pair<QByteArray, QByteArray>> m_headers;
    QByteArray m_line;           // the incomplete line being read (line states only)
    qint64 m_headerBytes = 0;    // size of the current header (or trailer) section
    qint64 m_remaining = 0;      // body or chunk bytes still expected
    qint64 m_bodyReceived = 0;   // for error messages
    qint64 m_contentLength = -1; // for error messages
    QByteArray m_body;
    bool m_headersComplete = false;
    bool m_raw = false;
    bool m_receivedAny = false;
    bool m_noBody = false;
    QString m_error;
};

// Serialises a request for the Docker daemon:
//   "METHOD target HTTP/1.1\r\nHost: docker\r\n" + headers + Content-Length + "\r\n" + body.
// Content-Length is added when the body is non-empty or the method is POST, PUT or PATCH, unless
// `headers` already carry Content-Length or Transfer-Encoding (a streamed upload); Host is
// added unless `headers` carry one. CR, LF and NUL are dropped from the request line and the
// headers so that a value can never start a header or request of its own.
QByteArray buildRequest(QByteArrayView method, QByteArrayView target,
                        const QList<std::pair<QByteArray, QByteArray>> &headers,
                        QByteArrayView body);

} // namespace timonel::docker
