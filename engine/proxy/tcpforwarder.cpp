#include "tcpforwarder.h"

#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTimer>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

Q_DECLARE_LOGGING_CATEGORY(lcProxy)

namespace timonel::proxy {

namespace {

// Bytes are relayed as they come: Nagle's algorithm would hold back the second small write of
// a response (headers, then body) for the peer's delayed ACK.
void sendAtOnce(int fd)
{
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

} // namespace

namespace {

constexpr qsizetype kBufferSize = 256 * 1024; // per direction
constexpr qsizetype kPiece = 64 * 1024;

// A QTcpServer that hands over the accepted descriptor instead of wrapping it in a socket.
class Listener : public QTcpServer
{
public:
    Listener(std::function<void(qintptr)> onAccept, QObject *parent)
        : QTcpServer(parent), m_onAccept(std::move(onAccept))
    {
    }

protected:
    void incomingConnection(qintptr descriptor) override { m_onAccept(descriptor); }

private:
    std::function<void(qintptr)> m_onAccept;
};

socklen_t toSockaddr(const QHostAddress &address, quint16 port, sockaddr_storage &storage)
{
    std::memset(&storage, 0, sizeof storage);
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, bytes.c, 16);
        return sizeof(sockaddr_in6);
    }
    auto *in = reinterpret_cast<sockaddr_in *>(&storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    in->sin_addr.s_addr = htonl(address.toIPv4Address());
    return sizeof(sockaddr_in);
}

// Closing with linger 0 sends a reset: the peer sees "connection reset"/"refused", as it
// would from kube-proxy's REJECT of a service without endpoints.
void closeWithReset(int fd)
{
    if (fd < 0)
        return;
    linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
}

} // namespace

// One client connection: connecting to a backend, then copying both ways until both
// directions have ended.
class TcpConnection : public QObject
{
public:
    TcpConnection(TcpForwarder *forwarder, int clientFd, QHostAddress client)
        : QObject(forwarder), m_forwarder(forwarder), m_client(std::move(client))
    {
        m_fd[0] = clientFd;
    }
    ~TcpConnection() override
    {
        // Notifiers go before their descriptors.
        for (int side = 0; side < 2; ++side) {
            delete m_read[side];
            delete m_write[side];
            if (m_fd[side] >= 0 && m_ended)
                ::close(m_fd[side]);
            else
                closeWithReset(m_fd[side]);
        }
    }

    void start() { connectToBackend(std::nullopt, 0); }

private:
    // One direction: bytes read from `from` waiting to be written to the other side.
    struct Direction
    {
        QByteArray buffer;
        qsizetype sent = 0;
        bool eof = false;
        bool shutDown = false; // the other side was told: nothing more comes
    };

    void connectToBackend(const std::optional<Backend> &failed, int attempt)
    {
        const std::optional<Backend> backend =
            m_forwarder->m_picker.pick(m_client, BackendPicker::Clock::now(), failed);
        if (!backend || attempt > 1) {
            end(false);
            return;
        }
        m_backend = *backend;
        const QHostAddress address(backend->ip);
        sockaddr_storage storage;
        const socklen_t length = toSockaddr(address, backend->port, storage);
        const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            end(false);
            return;
        }
        m_fd[1] = fd;
        sendAtOnce(fd);
        if (::connect(fd, reinterpret_cast<sockaddr *>(&storage), length) == 0) {
            connected();
            return;
        }
        if (errno != EINPROGRESS) {
            retry(attempt, strerror(errno));
            return;
        }
        // Writable once the handshake ended either way; the timer bounds a silent backend.
        auto *writable = new QSocketNotifier(fd, QSocketNotifier::Write, this);
        auto *timer = new QTimer(this);
        timer->setSingleShot(true);
        auto settle = [writable, timer] {
            writable->setEnabled(false);
            writable->disconnect();
            timer->disconnect();
            writable->deleteLater();
            timer->deleteLater();
        };
        connect(timer, &QTimer::timeout, this, [this, settle, attempt] {
            settle();
            retry(attempt, QStringLiteral("no answer in time"));
        });
        connect(writable, &QSocketNotifier::activated, this, [this, settle, attempt] {
            settle();
            int error = 0;
            socklen_t size = sizeof error;
            ::getsockopt(m_fd[1], SOL_SOCKET, SO_ERROR, &error, &size);
            if (error != 0)
                retry(attempt, strerror(error));
            else
                connected();
        });
        timer->start(m_forwarder->connectTimeout);
    }

    void retry(int attempt, const QString &why)
    {
        qCDebug(lcProxy).noquote()
            << "backend" << m_backend.ip + u':' + QString::number(m_backend.port)
            << "failed:" << why;
        ::close(m_fd[1]);
        m_fd[1] = -1;
        connectToBackend(m_backend, attempt + 1);
    }

    void connected()
    {
        for (int side = 0; side < 2; ++side) {
            const int flags = ::fcntl(m_fd[side], F_GETFL);
            ::fcntl(m_fd[side], F_SETFL, flags | O_NONBLOCK);
            m_read[side] = new QSocketNotifier(m_fd[side], QSocketNotifier::Read);
            m_write[side] = new QSocketNotifier(m_fd[side], QSocketNotifier::Write);
            m_write[side]->setEnabled(false);
            // Reading side s feeds direction s; writing side s drains direction 1 - s.
            connect(m_read[side], &QSocketNotifier::activated, this, [this, side] { pump(side); });
            connect(m_write[side], &QSocketNotifier::activated, this,
                    [this, side] { pump(1 - side); });
        }
        pump(0);
        pump(1);
    }

    // Moves what it can of direction `d` (from side d to side 1 - d) and arms the notifiers.
    void pump(int d)
    {
        Direction &dir = m_dir[d];
        const int from = m_fd[d];
        const int to = m_fd[1 - d];
        for (int round = 0; round < 64; ++round) {
            bool progressed = false;
            if (!dir.eof && dir.buffer.size() < kBufferSize) {
                char piece[kPiece];
                const qsizetype room = std::min(kPiece, kBufferSize - dir.buffer.size());
                const ssize_t n = ::recv(from, piece, size_t(room), 0);
                if (n > 0) {
                    dir.buffer.append(piece, n);
                    progressed = true;
                } else if (n == 0) {
                    dir.eof = true;
                    progressed = true;
                } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                    end(false);
                    return;
                }
            }
            while (dir.sent < dir.buffer.size()) {
                const ssize_t n = ::send(to, dir.buffer.constData() + dir.sent,
                                         size_t(dir.buffer.size() - dir.sent), MSG_NOSIGNAL);
                if (n > 0) {
                    dir.sent += n;
                    progressed = true;
                    continue;
                }
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
                    break;
                end(false);
                return;
            }
            if (dir.sent == dir.buffer.size()) {
                dir.buffer.clear();
                dir.sent = 0;
            }
            if (!progressed)
                break;
        }
        if (dir.eof && dir.buffer.isEmpty() && !dir.shutDown) {
            dir.shutDown = true;
            ::shutdown(to, SHUT_WR);
        }
        m_read[d]->setEnabled(!dir.eof && dir.buffer.size() < kBufferSize);
        m_write[1 - d]->setEnabled(!dir.buffer.isEmpty());
        if (m_dir[0].shutDown && m_dir[1].shutDown)
            end(true);
    }

    void end(bool clean)
    {
        if (m_finished)
            return;
        m_finished = true;
        m_ended = clean;
        for (QSocketNotifier *n : {m_read[0], m_read[1], m_write[0], m_write[1]})
            if (n)
                n->setEnabled(false);
        m_forwarder->connectionEnded(this);
    }

    TcpForwarder *m_forwarder;
    QHostAddress m_client;
    Backend m_backend;
    int m_fd[2] = {-1, -1}; // client, backend
    QSocketNotifier *m_read[2] = {nullptr, nullptr};
    QSocketNotifier *m_write[2] = {nullptr, nullptr};
    Direction m_dir[2];
    bool m_finished = false;
    bool m_ended = false; // both directions ended cleanly: close without a reset
};

TcpForwarder::TcpForwarder(QHostAddress address, quint16 port, QObject *parent)
    : QObject(parent), m_address(std::move(address)), m_port(port)
{
}

TcpForwarder::~TcpForwarder()
{
    const QSet<TcpConnection *> connections = m_connections;
    m_connections.clear();
    qDeleteAll(connections);
}

std::expected<void, QString> TcpForwarder::listen()
{
    if (isListening())
        return {};
    if (!m_server)
        m_server = new Listener([this](qintptr d) { accept(d); }, this);
    // A backlog as deep as a busy service needs; the default 50 drops bursts.
    m_server->setListenBacklogSize(1024);
    if (!m_server->listen(m_address, m_port))
        return std::unexpected(m_server->errorString());
    return {};
}

quint16 TcpForwarder::port() const
{
    return isListening() ? m_server->serverPort() : m_port;
}

bool TcpForwarder::isListening() const
{
    return m_server && m_server->isListening();
}

void TcpForwarder::setBackends(const QList<Backend> &backends, int affinitySeconds)
{
    m_picker.setBackends(backends, affinitySeconds);
}

void TcpForwarder::retire()
{
    m_retired = true;
    if (m_server)
        m_server->close();
    if (m_connections.isEmpty())
        deleteLater();
}

void TcpForwarder::accept(qintptr descriptor)
{
    const int fd = int(descriptor);
    sockaddr_storage peer;
    socklen_t length = sizeof peer;
    if (::getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &length) != 0) {
        ::close(fd);
        return;
    }
    QHostAddress client(reinterpret_cast<const sockaddr *>(&peer));
    sendAtOnce(fd);
    auto *connection = new TcpConnection(this, fd, client);
    m_connections.insert(connection);
    connection->start();
}

void TcpForwarder::connectionEnded(TcpConnection *connection)
{
    if (!m_connections.remove(connection))
        return;
    connection->deleteLater();
    if (m_retired && m_connections.isEmpty())
        deleteLater();
}

} // namespace timonel::proxy
