#include "client/upgradedialer.h"

#include "client/statuserror.h"
#include "http/websocket.h"

#include <QCoreApplication>
#include <QRandomGenerator>
#include <QSslSocket>
#include <QTimer>

#include <chrono>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace timonel::client {

namespace {

// This file's and podstreams.cpp's user-visible texts, translated in the "PodStreams" context.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(PodStreams)
};

// Connecting, the TLS handshake and the answer's head take at most this long.
constexpr auto dialTimeout = 30s;
constexpr qsizetype maxHead = 64 * 1024;
// An error answer is read up to this much; Status bodies are far smaller.
constexpr qsizetype maxErrorBody = 64 * 1024;

using HeaderList = QList<std::pair<QByteArray, QByteArray>>;

QByteArray headerValue(const HeaderList &headers, QByteArrayView name)
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

// A chunked body as far as it is complete; `complete` says whether the last chunk came.
QByteArray dechunk(const QByteArray &raw, bool *complete)
{
    QByteArray out;
    qsizetype at = 0;
    *complete = false;
    while (true) {
        const qsizetype lineEnd = raw.indexOf("\r\n", at);
        if (lineEnd < 0)
            return out;
        bool ok = false;
        const qsizetype size =
            raw.mid(at, lineEnd - at).split(';').value(0).trimmed().toLongLong(&ok, 16);
        if (!ok)
            return out;
        if (size == 0) {
            *complete = true;
            return out;
        }
        if (raw.size() < lineEnd + 2 + size)
            return out;
        out += raw.mid(lineEnd + 2, size);
        at = lineEnd + 2 + size + 2;
    }
}

class UpgradeCall : public QObject
{
public:
    enum class Kind
    {
        WebSocket,
        Spdy
    };

    UpgradeCall(const ClusterAccess &access, Kind kind, const QByteArray &pathAndQuery,
                QList<QByteArray> protocols, QObject *context,
                std::function<void(Result<Upgraded>)> done)
        : QObject(context), m_server(access.server), m_kind(kind),
          m_protocols(std::move(protocols)), m_done(std::move(done))
    {
        QByteArray prefix = access.server.path(QUrl::FullyEncoded).toUtf8();
        while (prefix.endsWith('/'))
            prefix.chop(1);
        m_request = requestText(access, prefix + pathAndQuery);
        if (access.server.scheme() == u"http") {
            m_socket = new QTcpSocket(this);
            connect(m_socket, &QTcpSocket::connected, this, &UpgradeCall::send);
        } else {
            auto *tls = new QSslSocket(this);
            tls->setSslConfiguration(tlsConfiguration(access));
            connect(tls, &QSslSocket::encrypted, this, &UpgradeCall::send);
            connect(tls, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
                for (const QSslError &e : errors)
                    m_tlsErrors.append(e.errorString());
            });
            m_socket = tls;
            m_peerName = access.tlsServerName;
        }
        connect(m_socket, &QIODevice::readyRead, this, &UpgradeCall::onReadyRead);
        connect(m_socket, &QAbstractSocket::errorOccurred, this, &UpgradeCall::onError);
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this,
                [this] { fail(unreachable(Tr::tr("no answer in time"))); });
        // Started from the event loop, so that `done` is never called from inside the dial.
        QMetaObject::invokeMethod(this, &UpgradeCall::start, Qt::QueuedConnection);
    }

private:
    QByteArray requestText(const ClusterAccess &access, const QByteArray &target)
    {
        const bool webSocket = m_kind == Kind::WebSocket;
        QByteArray out = (webSocket ? "GET " : "POST ") + target + " HTTP/1.1\r\n";
        out += "Host: " +
               QUrl(access.server)
                   .adjusted(QUrl::RemoveUserInfo)
                   .authority(QUrl::FullyEncoded)
                   .toUtf8() +
               "\r\n";
        out += "User-Agent: timonel/" TIMONEL_VERSION "\r\n";
        if (const QByteArray authorization = authorizationHeader(access); !authorization.isEmpty())
            out += "Authorization: " + authorization + "\r\n";
        out += "Connection: Upgrade\r\n";
        if (webSocket) {
            QByteArray nonce(16, Qt::Uninitialized);
            QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(nonce.data()), 4);
            m_key = nonce.toBase64();
            out += "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n";
            out += "Sec-WebSocket-Key: " + m_key + "\r\n";
            out += "Sec-WebSocket-Protocol: " + m_protocols.join(", ") + "\r\n";
        } else {
            out += "Upgrade: SPDY/3.1\r\n";
            for (const QByteArray &protocol : std::as_const(m_protocols))
                out += "X-Stream-Protocol-Version: " + protocol + "\r\n";
            out += "Content-Length: 0\r\n";
        }
        return out + "\r\n";
    }

    void start()
    {
        m_timer.start(dialTimeout);
        const quint16 port = m_server.port(m_server.scheme() == u"http" ? 80 : 443);
        if (auto *tls = qobject_cast<QSslSocket *>(m_socket))
            tls->connectToHostEncrypted(m_server.host(), port,
                                        m_peerName.isEmpty() ? m_server.host() : m_peerName);
        else
            m_socket->connectToHost(m_server.host(), port);
    }

    void send() { m_socket->write(m_request); }

    Error unreachable(const QString &why) const
    {
        return {0,
                {},
                Tr::tr("cannot reach the Kubernetes API at %1: %2").arg(m_server.toString(), why),
                {}};
    }

    void onError(QAbstractSocket::SocketError error)
    {
        if (m_status != 0) {
            // An error answer whose body ends with the connection.
            if (error == QAbstractSocket::RemoteHostClosedError)
                return readErrorBody(true);
            return finishErrorBody();
        }
        if (!m_tlsErrors.isEmpty())
            return fail(unreachable(
                Tr::tr("its TLS certificate is not trusted: %1").arg(m_tlsErrors.join(u"; "_s))));
        if (error == QAbstractSocket::RemoteHostClosedError)
            return fail(unreachable(Tr::tr("the server closed the connection without an answer")));
        fail(unreachable(m_socket->errorString()));
    }

    void onReadyRead()
    {
        if (m_status != 0)
            return readErrorBody(false);
        // Line by line, so that what follows the head stays in the socket for the new protocol.
        while (m_socket->canReadLine()) {
            const QByteArray line = m_socket->readLine().trimmed();
            m_headSize += line.size();
            if (m_firstLine.isEmpty()) {
                m_firstLine = line;
                continue;
            }
            if (!line.isEmpty()) {
                const qsizetype colon = line.indexOf(':');
                if (colon > 0)
                    m_headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
                continue;
            }
            m_timer.stop();
            const int status = m_firstLine.split(' ').value(1).toInt();
            if (status == 101)
                return upgraded();
            m_status = status > 0 ? status : 500;
            return readErrorBody(false);
        }
        if (m_headSize + m_socket->bytesAvailable() > maxHead)
            fail(unreachable(Tr::tr("the answer is not HTTP")));
    }

    void upgraded()
    {
        QByteArray protocol;
        if (m_kind == Kind::WebSocket) {
            protocol = headerValue(m_headers, "Sec-WebSocket-Protocol");
            if (headerValue(m_headers, "Sec-WebSocket-Accept") != http::websocket::acceptKey(m_key))
                return fail(unreachable(Tr::tr("the WebSocket handshake failed")));
        } else {
            protocol = headerValue(m_headers, "X-Stream-Protocol-Version");
        }
        if (!m_protocols.contains(protocol))
            return fail({0,
                         {},
                         Tr::tr("the server speaks none of the protocols %1 (it chose \"%2\")")
                             .arg(QString::fromLatin1(m_protocols.join(", ")),
                                  QString::fromLatin1(protocol)),
                         {}});
        QTcpSocket *socket = std::exchange(m_socket, nullptr);
        socket->disconnect(this);
        socket->setParent(nullptr);
        finish(Upgraded{socket, protocol});
    }

    void readErrorBody(bool closed)
    {
        m_body += m_socket->read(maxErrorBody - m_body.size() + 1);
        const QByteArray length = headerValue(m_headers, "Content-Length");
        bool complete = closed || m_body.size() > maxErrorBody;
        if (headerValue(m_headers, "Transfer-Encoding").contains("chunked")) {
            bool last = false;
            dechunk(m_body, &last);
            complete = complete || last;
        } else if (!length.isEmpty()) {
            complete = complete || m_body.size() >= length.toLongLong();
        }
        if (complete)
            finishErrorBody();
    }

    void finishErrorBody()
    {
        QByteArray body = m_body.left(maxErrorBody);
        if (headerValue(m_headers, "Transfer-Encoding").contains("chunked")) {
            bool last = false;
            body = dechunk(body, &last);
        }
        fail(errorFromResponse(m_status, headerValue(m_headers, "Content-Type"), body));
    }

    void fail(const Error &error) { finish(std::unexpected(error)); }

    void finish(Result<Upgraded> result)
    {
        if (!m_done)
            return;
        if (m_socket)
            m_socket->disconnect(this);
        m_timer.stop();
        auto done = std::move(m_done);
        m_done = nullptr;
        // The callback may destroy the context, and this with it: nothing of this after it.
        deleteLater();
        done(std::move(result));
    }

    QUrl m_server;
    Kind m_kind;
    QList<QByteArray> m_protocols;
    std::function<void(Result<Upgraded>)> m_done;
    QByteArray m_request;
    QByteArray m_key; // Sec-WebSocket-Key
    QString m_peerName;
    QTcpSocket *m_socket = nullptr;
    QTimer m_timer;
    QStringList m_tlsErrors;
    QByteArray m_firstLine;
    qsizetype m_headSize = 0;
    HeaderList m_headers;
    int m_status = 0; // of an answer other than 101
    QByteArray m_body;
};

} // namespace

void dialWebSocket(const ClusterAccess &access, const QByteArray &pathAndQuery,
                   const QList<QByteArray> &protocols, QObject *context,
                   std::function<void(Result<Upgraded>)> done)
{
    new UpgradeCall(access, UpgradeCall::Kind::WebSocket, pathAndQuery, protocols, context,
                    std::move(done));
}

void dialSpdy(const ClusterAccess &access, const QByteArray &pathAndQuery,
              const QList<QByteArray> &protocols, QObject *context,
              std::function<void(Result<Upgraded>)> done)
{
    new UpgradeCall(access, UpgradeCall::Kind::Spdy, pathAndQuery, protocols, context,
                    std::move(done));
}

} // namespace timonel::client
