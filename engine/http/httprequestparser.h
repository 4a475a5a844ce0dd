// The API server's HTTP/1.1 request parser (RFC 9112): request line, headers, and a body framed by
// Content-Length or chunked coding, with the limits and refusals of the kube-apiserver's Go
// server. It reads straight from the connection's socket and never past the end of the current
// request, so a socket taken over after an upgrade still holds what the client sent after it.
#pragma once

#include "httpserver.h"

#include <QByteArray>
#include <QByteArrayView>

class QIODevice;

namespace timonel::http {

class HttpRequestParser
{
public:
    enum class Progress
    {
        NeedMore,       // the device holds no more of the request yet
        ContinueWanted, // the client waits for "100 Continue" before it sends the body
        Complete,       // takeRequest() has it; nothing more is read until reset()
        Failed,         // answer with failureStatus(), then close: the stream is out of sync
    };

    // Reads what `device` holds of the current request. A Content-Length, or a chunked body
    // growing, past maxBodySize fails with 413 before the body is read.
    Progress read(QIODevice &device, qint64 maxBodySize);

    // The request read, body de-chunked; after Complete.
    HttpRequest takeRequest();
    // Ready for the next request on the connection.
    void reset();

    // What a refusal answers: the status (400, 413, 414, 431, 501, 505...) and for some a detail
    // ("malformed request line").
    int failureStatus() const { return m_failureStatus; }
    QByteArray failureDetail() const { return m_failureDetail; }

    // Nothing of the next request has arrived yet.
    bool isIdle() const { return m_state == State::RequestLine && m_line.isEmpty(); }
    // The request line or the headers are on their way.
    bool isReadingHead() const
    {
        return m_state == State::Headers || (m_state == State::RequestLine && !m_line.isEmpty());
    }

    // What the response depends on, known from the request line (version, method) or the
    // headers (Connection: close, or HTTP/1.0 without keep-alive) on.
    bool isHttp10() const { return m_http10; }
    bool isHeadRequest() const { return m_headRequest; }
    bool closeRequested() const { return m_closeRequested; }

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
        Complete,
        Failed
    };
    enum class Line
    {
        Complete,
        Partial,
        TooLong
    };

    Line readLine(QIODevice &device, qsizetype limit);
    QByteArrayView currentLine() const;
    bool parseRequestLine(QByteArrayView line);
    bool parseHeaderLine(QByteArrayView line);
    bool headersComplete(qint64 maxBodySize);
    bool startChunk(QByteArrayView line, qint64 maxBodySize);
    bool fail(int status, QByteArrayView detail = {});

    State m_state = State::RequestLine;
    QByteArray m_line; // the line being read, capacity kept between lines
    HttpRequest m_request;
    qsizetype m_headBytes = 0;
    qint64 m_remaining = 0; // body or chunk bytes still to read
    bool m_http10 = false;
    bool m_headRequest = false;
    bool m_closeRequested = false;
    bool m_chunked = false;
    bool m_continueWanted = false;
    int m_failureStatus = 0;
    QByteArray m_failureDetail;
};

// HTTP/1.1 field syntax (RFC 9110, 5), which the response writer checks too.
namespace httpsyntax {

bool isToken(QByteArrayView text);
// Field values may hold visible characters, spaces and tabs (and obs-text), no other controls.
bool isFieldValue(QByteArrayView text);
// Whether a comma-separated header value (Connection) lists `token`.
bool listsToken(QByteArrayView list, QByteArrayView token);

} // namespace httpsyntax

} // namespace timonel::http
