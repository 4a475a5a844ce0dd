#include "spdyconnection.h"

#include "httpconnection.h"
#include "websocket.h"

#include <QSslSocket>

namespace timonel::http::spdy {

namespace {
constexpr qint64 kReadChunk = 256 * 1024;
constexpr qint64 kSocketReadBuffer = 256 * 1024;
} // namespace

QTcpSocket *acceptUpgrade(HttpExchange *exchange, const QList<QByteArray> &supported,
                          QByteArray *protocol)
{
    const HttpRequest &request = exchange->request();
    QList<QByteArray> offered;
    for (const auto &[name, value] : request.headers) {
        if (name.compare("X-Stream-Protocol-Version", Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray &part : value.split(','))
            offered.append(part.trimmed());
    }
    QByteArray chosen;
    bool found = offered.isEmpty(); // no header: the legacy protocol, ""
    for (const QByteArray &p : offered) {
        if (supported.contains(p)) {
            chosen = p;
            found = true;
            break;
        }
    }
    auto goList = [](const QList<QByteArray> &list) { return '[' + list.join(' ') + ']'; };
    if (!found) {
        HttpHeaders headers{{"Content-Type", "text/plain; charset=utf-8"}};
        for (const QByteArray &p : supported)
            headers.append({"X-Accepted-Stream-Protocol-Versions", p});
        exchange->respond(403, headers,
                          "unable to upgrade: unable to negotiate protocol: client supports " +
                              goList(offered) + ", server accepts " + goList(supported) + '\n');
        return nullptr;
    }
    bool connectionUpgrade = false;
    for (const QByteArray &token : request.header("Connection").split(','))
        connectionUpgrade =
            connectionUpgrade || token.trimmed().compare("upgrade", Qt::CaseInsensitive) == 0;
    if (!connectionUpgrade ||
        request.header("Upgrade").trimmed().compare("SPDY/3.1", Qt::CaseInsensitive) != 0) {
        exchange->respond(400, {{"Content-Type", "text/plain; charset=utf-8"}},
                          "unable to upgrade: missing upgrade headers in request\n");
        return nullptr;
    }
    HttpHeaders headers{{"Connection", "Upgrade"}, {"Upgrade", "SPDY/3.1"}};
    if (!chosen.isEmpty())
        headers.append({"X-Stream-Protocol-Version", chosen});
    QTcpSocket *socket = exchange->takeSocket(101, headers);
    if (socket && protocol)
        *protocol = chosen;
    return socket;
}

Connection::Connection(QTcpSocket *socket, Session::Role role, QObject *parent)
    : QObject(parent), m_session(role), m_socket(socket)
{
    socket->setParent(this);
    socket->setReadBufferSize(kSocketReadBuffer);
    connect(socket, &QIODevice::readyRead, this, &Connection::readPending);
    connect(socket, &QAbstractSocket::disconnected, this, &Connection::finish);
    connect(socket, &QAbstractSocket::errorOccurred, this, &Connection::finish);
    connect(socket, &QIODevice::bytesWritten, this, &Connection::bytesWritten);
    if (auto *tls = qobject_cast<QSslSocket *>(socket))
        connect(tls, &QSslSocket::encryptedBytesWritten, this, &Connection::bytesWritten);
    connect(&m_session, &Session::outgoing, this, [this](const QByteArray &bytes) {
        if (m_socket)
            m_socket->write(bytes);
    });
    QMetaObject::invokeMethod(this, &Connection::readPending, Qt::QueuedConnection);
}

Connection::Connection(WebSocket *tunnel, Session::Role role, QObject *parent)
    : QObject(parent), m_session(role), m_tunnel(tunnel)
{
    tunnel->setParent(this);
    // The tunnel is a byte stream: message boundaries mean nothing to the frames inside.
    connect(tunnel, &WebSocket::binaryMessageReceived, this,
            [this](const QByteArray &bytes) { m_session.receive(bytes); });
    connect(tunnel, &WebSocket::disconnected, this, &Connection::finish);
    connect(tunnel, &WebSocket::bytesWritten, this, &Connection::bytesWritten);
    connect(&m_session, &Session::outgoing, this, [this](const QByteArray &bytes) {
        if (m_tunnel)
            m_tunnel->sendBinary(bytes);
    });
}

Connection::~Connection()
{
    if (m_socket)
        m_socket->disconnect(this);
    if (m_tunnel)
        m_tunnel->disconnect(this);
}

qint64 Connection::bytesToWrite() const
{
    if (m_tunnel)
        return m_tunnel->bytesToWrite();
    if (!m_socket)
        return 0;
    const auto *tls = qobject_cast<const QSslSocket *>(m_socket.data());
    return m_socket->bytesToWrite() + (tls ? tls->encryptedBytesToWrite() : 0);
}

void Connection::setReadingPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (m_tunnel)
        m_tunnel->setReadingPaused(paused);
    else if (!paused)
        QMetaObject::invokeMethod(this, &Connection::readPending, Qt::QueuedConnection);
}

void Connection::readPending()
{
    QPointer<Connection> self(this);
    while (self && m_socket && !m_paused && m_socket->bytesAvailable() > 0)
        m_session.receive(m_socket->read(kReadChunk));
}

void Connection::close()
{
    if (m_finished)
        return;
    m_session.goAway();
    if (m_tunnel)
        m_tunnel->close(websocket::NormalClosure);
    else if (m_socket)
        m_socket->disconnectFromHost();
}

void Connection::abort()
{
    if (m_tunnel)
        m_tunnel->abort();
    else if (m_socket)
        m_socket->abort();
    finish();
}

void Connection::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    Q_EMIT disconnected();
}

} // namespace timonel::http::spdy
