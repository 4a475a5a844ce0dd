#include "udpforwarder.h"

#include <QLoggingCategory>
#include <QNetworkDatagram>
#include <QTimer>
#include <QUdpSocket>

Q_DECLARE_LOGGING_CATEGORY(lcProxy)

namespace timonel::proxy {

namespace {

QString sessionKey(const QHostAddress &client, quint16 port)
{
    return client.toString() + u'|' + QString::number(port);
}

constexpr int kMaxDatagramsPerWake = 256; // then the event loop gets a turn

} // namespace

UdpForwarder::UdpForwarder(QHostAddress address, quint16 port, QObject *parent)
    : QObject(parent), m_address(std::move(address)), m_port(port), m_sweep(new QTimer(this))
{
    connect(m_sweep, &QTimer::timeout, this, &UdpForwarder::expireIdle);
}

UdpForwarder::~UdpForwarder() = default;

std::expected<void, QString> UdpForwarder::listen()
{
    if (isListening())
        return {};
    delete m_socket;
    m_socket = new QUdpSocket(this);
    if (!m_socket->bind(m_address, m_port, QAbstractSocket::ReuseAddressHint)) {
        const QString error = m_socket->errorString();
        delete m_socket;
        m_socket = nullptr;
        return std::unexpected(error);
    }
    connect(m_socket, &QUdpSocket::readyRead, this, &UdpForwarder::readClients);
    m_sweep->start(std::max<qint64>(1000, idleTimeout.count() / 6));
    return {};
}

quint16 UdpForwarder::port() const
{
    return isListening() ? m_socket->localPort() : m_port;
}

bool UdpForwarder::isListening() const
{
    return m_socket && m_socket->state() == QAbstractSocket::BoundState;
}

void UdpForwarder::setBackends(const QList<Backend> &backends, int affinitySeconds)
{
    m_picker.setBackends(backends, affinitySeconds);
    const QStringList keys = m_sessions.keys();
    for (const QString &key : keys)
        if (!backends.contains(m_sessions.value(key).backend))
            endSession(key);
}

void UdpForwarder::readClients()
{
    for (int i = 0; i < kMaxDatagramsPerWake && m_socket->hasPendingDatagrams(); ++i) {
        const QNetworkDatagram datagram = m_socket->receiveDatagram();
        if (!datagram.isValid())
            break;
        Session *session = sessionFor(datagram.senderAddress(), quint16(datagram.senderPort()));
        if (!session)
            continue; // no endpoints: dropped, as a UDP packet to a REJECTed service would be
        session->lastUsed = std::chrono::steady_clock::now();
        session->socket->write(datagram.data());
    }
    if (m_socket->hasPendingDatagrams())
        QMetaObject::invokeMethod(this, &UdpForwarder::readClients, Qt::QueuedConnection);
}

UdpForwarder::Session *UdpForwarder::sessionFor(const QHostAddress &client, quint16 clientPort)
{
    const QString key = sessionKey(client, clientPort);
    if (auto it = m_sessions.find(key); it != m_sessions.end())
        return &*it;
    const std::optional<Backend> backend = m_picker.pick(client);
    if (!backend)
        return nullptr;
    if (m_sessions.size() >= maxSessions) {
        auto oldest = m_sessions.begin();
        for (auto it = m_sessions.begin(); it != m_sessions.end(); ++it)
            if (it->lastUsed < oldest->lastUsed)
                oldest = it;
        endSession(oldest.key());
    }
    Session session;
    session.client = client;
    session.clientPort = clientPort;
    session.backend = *backend;
    session.lastUsed = std::chrono::steady_clock::now();
    session.socket = new QUdpSocket(this);
    // Connected, so only the backend's replies arrive here and an ICMP "port unreachable"
    // shows up as an error that ends the session.
    session.socket->connectToHost(QHostAddress(backend->ip), backend->port);
    connect(session.socket, &QUdpSocket::readyRead, this, [this, key] { relayReplies(key); });
    connect(session.socket, &QUdpSocket::errorOccurred, this,
            [this, key](QAbstractSocket::SocketError error) {
                qCDebug(lcProxy) << "UDP session" << key << "ended:" << error;
                QMetaObject::invokeMethod(
                    this, [this, key] { endSession(key); }, Qt::QueuedConnection);
            });
    return &*m_sessions.insert(key, session);
}

void UdpForwarder::relayReplies(const QString &key)
{
    auto it = m_sessions.find(key);
    if (it == m_sessions.end() || !m_socket)
        return;
    it->lastUsed = std::chrono::steady_clock::now();
    QUdpSocket *socket = it->socket;
    for (int i = 0; i < kMaxDatagramsPerWake && socket->hasPendingDatagrams(); ++i) {
        const QNetworkDatagram reply = socket->receiveDatagram();
        if (!reply.isValid())
            break;
        m_socket->writeDatagram(reply.data(), it->client, it->clientPort);
    }
    if (socket->hasPendingDatagrams())
        QMetaObject::invokeMethod(
            this, [this, key] { relayReplies(key); }, Qt::QueuedConnection);
}

void UdpForwarder::endSession(const QString &key)
{
    auto it = m_sessions.find(key);
    if (it == m_sessions.end())
        return;
    it->socket->disconnect(this);
    it->socket->deleteLater();
    m_sessions.erase(it);
}

void UdpForwarder::expireIdle()
{
    const auto now = std::chrono::steady_clock::now();
    const QStringList keys = m_sessions.keys();
    for (const QString &key : keys)
        if (now - m_sessions.value(key).lastUsed >= idleTimeout)
            endSession(key);
}

} // namespace timonel::proxy
