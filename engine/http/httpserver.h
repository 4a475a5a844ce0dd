// The API server's HTTP/1.1 server, over TLS with client certificates.
//
// Our own rather than QHttpServer because the Kubernetes API needs long chunked watch streams
// that end when the client goes away, connections handed over raw after an upgrade (WebSocket,
// SPDY/3.1), a request body limit enforced before the body is buffered, the identity of a
// verified client certificate, keep-alive, and little per-request overhead.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSet>
#include <QSslCertificate>
#include <QString>
#include <QUrlQuery>

#include <chrono>
#include <expected>
#include <functional>
#include <utility>

class QSslConfiguration;
class QTcpServer;
class QTcpSocket;
class QTimer;

namespace timonel::http {

class HttpConnection;

using HttpHeaders = QList<std::pair<QByteArray, QByteArray>>;

struct HttpRequest
{
    QByteArray method;   // "GET"
    QByteArray target;   // the raw request-target: "/api/v1/pods?limit=500"
    QString path;        // the percent-decoded path: "/api/v1/pods"
    QUrlQuery query;     // '+' already means a space, as in Go's url.ParseQuery: read values
                         // with QUrl::FullyDecoded
    HttpHeaders headers; // as received
    QByteArray body;     // de-chunked
    // Set only when the client presented a certificate that verified against the client CA.
    QSslCertificate clientCertificate;
    QHostAddress peerAddress;

    // Case-insensitive; the first value; empty when absent.
    QByteArray header(QByteArrayView name) const;
};

// One request and its response. The connection owns it and deletes it (with deleteLater())
// once the response has finished or the client went away, so a handler that answers later
// keeps a QPointer or listens to clientGone(). Every handler must eventually respond(),
// stream (beginStream ... endStream) or takeSocket(); calls made after that, or after the
// client went away, are ignored.
class HttpExchange : public QObject
{
    Q_OBJECT
public:
    ~HttpExchange() override;

    const HttpRequest &request() const { return m_request; }

    // Content-Length, Date and the connection's framing headers are added; a Content-Length or
    // Transfer-Encoding among `headers` is dropped, a "Connection: close" closes the connection
    // after the response.
    void respond(int status, const HttpHeaders &headers, const QByteArray &body);

    // A chunked response of unknown length (a plain read-until-close body for HTTP/1.0 clients).
    void beginStream(int status, const HttpHeaders &headers);
    // Handed to the socket at once, so small watch events reach the client promptly.
    void writeChunk(const QByteArray &data);
    void endStream();

    // Writes the response head (status line, Date and exactly `headers`) and hands the socket
    // over with no further HTTP processing: a QSslSocket on TLS listeners. The caller owns it.
    // Bytes the client sent after the request may already wait in it: read bytesAvailable()
    // at once, as no readyRead() announces them again. Null if the exchange already finished.
    QTcpSocket *takeSocket(int status, const HttpHeaders &headers);

    // What was written but has not reached the network yet: lets a watch end a client that
    // stopped reading, rather than buffer for it without bound.
    qint64 unsentBytes() const;

    bool isFinished() const { return m_state == State::Finished || m_state == State::Gone; }
    bool isStreaming() const { return m_state == State::Streaming; }
    bool isClientGone() const { return m_state == State::Gone; }

Q_SIGNALS:
    // The client closed the connection (a half-close counts: Qt sockets cannot keep writing
    // after the peer's end), the connection broke, or the server closed, before the response
    // finished. The exchange is deleted soon after.
    void clientGone();

private:
    friend class HttpConnection;
    enum class State
    {
        Open,
        Streaming,
        Finished,
        Gone
    };

    HttpExchange(HttpConnection *connection, HttpRequest request);
    HttpConnection *liveConnection(const char *operation, State expected) const;

    HttpConnection *m_connection;
    HttpRequest m_request;
    State m_state = State::Open;
};

class HttpServer : public QObject
{
    Q_OBJECT
public:
    // Called once per request, with the whole body read. It must eventually respond, stream or
    // take the socket; requests on one connection are handled one after the other.
    using Handler = std::function<void(HttpExchange *)>;

    explicit HttpServer(Handler handler, QObject *parent = nullptr);
    ~HttpServer() override;

    // A larger Content-Length, or a chunked body growing past it, is answered 413 with the
    // body below, without reading the body, and the connection closes. Default 3 MiB, as the
    // kube-apiserver's MaxRequestBodyBytes.
    void setMaxBodySize(qint64 bytes) { m_maxBodySize = bytes; }
    qint64 maxBodySize() const { return m_maxBodySize; }
    void setTooLargeBody(QByteArray contentType, QByteArray body);

    // Keep-alive connections waiting for a request, and bodies making no progress, are closed
    // after the idle timeout (default 90 s); a request head must arrive within the header
    // timeout (default 32 s). Both as the kube-apiserver's http.Server.
    void setIdleTimeout(std::chrono::milliseconds timeout);
    void setHeaderTimeout(std::chrono::milliseconds timeout);

    // `tls` carries the certificate, key, client CA and peerVerifyMode (QueryPeer to let
    // anonymous clients reach a 401). Only http/1.1 is offered by ALPN.
    std::expected<void, QString> listen(const QHostAddress &address, quint16 port,
                                        const QSslConfiguration &tls);
    // Plain HTTP, for tests and benchmarks.
    std::expected<void, QString> listenPlain(const QHostAddress &address, quint16 port);
    quint16 port() const;
    // Stops listening and drops every connection; unfinished exchanges see clientGone().
    void close();

    qsizetype connectionCount() const { return m_connections.size(); }

private:
    friend class HttpConnection;

    std::expected<void, QString> startListening(QTcpServer *listener, const QHostAddress &address,
                                                quint16 port);
    void acceptPending();
    void sweepTimeouts();
    void updateSweepInterval();

    Handler m_handler;
    qint64 m_maxBodySize = 3 * 1024 * 1024;
    QByteArray m_tooLargeType;
    QByteArray m_tooLargeBody;
    std::chrono::milliseconds m_idleTimeout{90'000};
    std::chrono::milliseconds m_headerTimeout{32'000};
    QTcpServer *m_listener = nullptr;
    QTimer *m_sweep = nullptr;
    QSet<HttpConnection *> m_connections;
};

} // namespace timonel::http
