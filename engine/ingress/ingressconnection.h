// One client connection of the IngressProxy: internal to the proxy, not for other code.
#pragma once

#include "ingressrules.h"

#include "http/httprequestparser.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>

class QTcpSocket;
class QTimer;

namespace timonel::ingress {

class IngressProxy;

// Reads the client's requests one after the other; each goes to an endpoint of its backend over
// a new backend connection ("Connection: close"), and the response is streamed back as it
// arrives, its framing kept (Content-Length, chunked, or until the backend closes). A 101
// response joins both connections (WebSocket and other upgrades).
class IngressConnection : public QObject
{
public:
    IngressConnection(IngressProxy *proxy, QTcpSocket *client, bool https);
    ~IngressConnection() override;

    void start();

private:
    enum class State
    {
        Reading,    // waiting for (the rest of) a request
        Forwarding, // a request is with a backend
        Closing
    };
    enum class Body
    {
        None,
        Length,
        Chunked,
        UntilClose
    };

    void processInput();
    void handleRequest(timonel::http::HttpRequest request);
    void connectBackend();
    void sendRequest();
    void backendFailed(const QString &why);
    void readBackend();
    bool readResponseHead();
    void pumpBody();
    qsizetype consumeChunked(QByteArrayView data);
    void finishResponse();
    void upgrade();
    void respondLocally(int status, const QByteArray &contentType, const QByteArray &body);
    void closeClient();
    void clientGone();
    void restartTimer(std::chrono::milliseconds timeout);
    void timedOut();
    void dropBackend();

    QPointer<IngressProxy> m_proxy;
    QTcpSocket *m_client;
    bool m_https;
    State m_state = State::Reading;
    timonel::http::HttpRequestParser m_parser;
    QTimer *m_timer;

    // The request being forwarded.
    timonel::http::HttpRequest m_request;
    Backend m_backend;
    Endpoint m_endpoint;
    int m_attempts = 0;
    bool m_headRequest = false;
    bool m_closeAfter = false;
    bool m_upgradeRequested = false;

    // Its response.
    QTcpSocket *m_upstream = nullptr;
    bool m_upstreamConnected = false;
    bool m_headWritten = false;
    QByteArray m_responseHead;
    int m_status = 0;
    Body m_body = Body::None;
    qint64 m_remaining = 0; // of a Content-Length body, or of the current chunk's data
    // Where in the chunked framing the forwarded bytes are.
    enum class Chunk
    {
        Size,
        Data,
        DataEnd,
        Trailer
    } m_chunk = Chunk::Size;
    QByteArray m_chunkLine;
    bool m_chunkedDone = false;
};

} // namespace timonel::ingress
