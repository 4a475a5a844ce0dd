// One client connection of an HttpServer: internal to the server, not for other code.
#pragma once

#include "httprequestparser.h"
#include "httpserver.h"

#include <QHostAddress>
#include <QLoggingCategory>
#include <QObject>
#include <QPointer>
#include <QSslCertificate>

#include <chrono>

class QTcpSocket;

namespace timonel::http {

Q_DECLARE_LOGGING_CATEGORY(lcHttp)

// Reads the connection's requests one after the other, hands each to the handler as an
// HttpExchange and writes what the exchange answers. The parser reads straight from the
// socket's buffer, never past the current request, so a taken socket still holds what followed.
class HttpConnection : public QObject
{
public:
    using Clock = std::chrono::steady_clock;

    HttpConnection(HttpServer *server, QTcpSocket *socket);
    ~HttpConnection() override;

    void start();
    void drop();
    void checkTimeouts(Clock::time_point now);

    void writeResponse(int status, const HttpHeaders &headers, const QByteArray &body);
    void writeStreamHead(int status, const HttpHeaders &headers);
    void writeChunk(const QByteArray &data);
    void writeStreamEnd();
    QTcpSocket *releaseSocket(int status, const HttpHeaders &headers);
    qint64 unsentBytes() const;

private:
    enum class State
    {
        Reading,
        Handling,
        Closing
    };

    void onReadyRead();
    void processInput();
    void dispatch();
    void fail(int status, QByteArrayView detail = {});
    QByteArray responseHead(int status, const HttpHeaders &headers, qint64 contentLength);
    void finishExchange();
    void closeGracefully();
    void shutdownWhenFlushed();
    void teardown();

    HttpServer *m_server;
    QTcpSocket *m_socket;
    QSslCertificate m_clientCertificate;
    QHostAddress m_peerAddress;
    State m_state = State::Reading;
    HttpRequestParser m_parser;
    QPointer<HttpExchange> m_exchange;
    bool m_closeAfter = false;
    bool m_chunkedResponse = false;
    bool m_dispatching = false;
    bool m_shutdownSent = false;
    Clock::time_point m_lastActivity = Clock::now();
    Clock::time_point m_requestStart = Clock::now();
};

} // namespace timonel::http
