#include "dnsserver.h"

#include "clusterdns.h"

#include <QFile>
#include <QLoggingCategory>
#include <QNetworkDatagram>
#include <QPointer>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtEndian>
#include <QTimer>
#include <QUdpSocket>

using namespace Qt::StringLiterals;

namespace timonel::dns {

Q_DECLARE_LOGGING_CATEGORY(lcDns)

namespace {

// RFC 7766 §6.2.3: servers close idle TCP connections after some seconds.
constexpr std::chrono::seconds TcpIdleTimeout{10};
// How many CNAMEs inside the cluster are followed before giving up on a loop.
constexpr int MaxCnameHops = 8;

void setId(QByteArray &wire, quint16 id)
{
    if (wire.size() >= 2)
        qToBigEndian(id, wire.data());
}

quint16 idOf(const QByteArray &wire)
{
    return wire.size() >= 2 ? qFromBigEndian<quint16>(wire.constData()) : 0;
}

bool sameQuestions(const QList<Question> &a, const QList<Question> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i)
        if (!sameName(a[i].name, b[i].name) || a[i].type != b[i].type || a[i].klass != b[i].klass)
            return false;
    return true;
}

bool inDomain(const QString &name, const QString &domain)
{
    const QString lower = name.toLower();
    return lower == domain || lower.endsWith(u'.' + domain);
}

} // namespace

DnsServer::DnsServer(ClusterDns &cluster, QObject *parent)
    : QObject(parent), m_cluster(cluster), m_udp(new QUdpSocket(this)), m_tcp(new QTcpServer(this)),
      m_upstreamSocket(new QUdpSocket(this)), m_upstreams(resolvConfNameservers())
{
    connect(m_udp, &QUdpSocket::readyRead, this, &DnsServer::onUdpReadyRead);
    connect(m_tcp, &QTcpServer::newConnection, this, &DnsServer::onNewConnection);
    connect(m_upstreamSocket, &QUdpSocket::readyRead, this, &DnsServer::onUpstreamReadyRead);
}

DnsServer::~DnsServer()
{
    close();
}

bool DnsServer::listen(const QHostAddress &address, quint16 port)
{
    close();
    // With port 0 the UDP socket picks a port the TCP listener may find taken: try a few.
    for (int attempt = 0; attempt < 10; ++attempt) {
        if (!m_udp->bind(address, port)) {
            m_error = u"cannot listen for DNS on %1 port %2 (UDP): %3"_s.arg(address.toString())
                          .arg(port)
                          .arg(m_udp->errorString());
            return false;
        }
        if (m_tcp->listen(address, m_udp->localPort())) {
            qCInfo(lcDns) << "serving DNS on" << address.toString() << m_udp->localPort();
            return true;
        }
        m_error = u"cannot listen for DNS on %1 port %2 (TCP): %3"_s.arg(address.toString())
                      .arg(m_udp->localPort())
                      .arg(m_tcp->errorString());
        m_udp->close();
        if (port != 0)
            break;
    }
    return false;
}

void DnsServer::close()
{
    m_udp->close();
    m_tcp->close();
    for (QTcpSocket *socket : m_connections.keys()) {
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
    m_connections.clear();
    for (quint16 id : m_pending.keys())
        take(id);
}

quint16 DnsServer::port() const
{
    return m_udp->localPort();
}

void DnsServer::setUpstreams(QList<Upstream> upstreams)
{
    m_upstreams = std::move(upstreams);
}

QList<Upstream> DnsServer::resolvConfNameservers(const QString &path)
{
    QList<Upstream> result;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return result;
    for (const QByteArray &line : file.readAll().split('\n')) {
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() < 2 || fields[0] != "nameserver")
            continue;
        // A zone index ("fe80::1%eth0") is kept: QHostAddress understands scope ids.
        QHostAddress address;
        if (address.setAddress(QString::fromLatin1(fields[1])))
            result.append({address, quint16(53)});
    }
    return result;
}

void DnsServer::onUdpReadyRead()
{
    while (m_udp->hasPendingDatagrams()) {
        const QNetworkDatagram datagram = m_udp->receiveDatagram();
        if (!datagram.isValid())
            continue;
        const QHostAddress peer = datagram.senderAddress();
        const quint16 peerPort = quint16(datagram.senderPort());
        Client client;
        client.limit = UdpPayloadLimit;
        client.send = [this, peer, peerPort](const QByteArray &wire) {
            m_udp->writeDatagram(wire, peer, peerPort);
        };
        handle(datagram.data(), std::move(client));
    }
}

void DnsServer::onNewConnection()
{
    while (QTcpSocket *socket = m_tcp->nextPendingConnection()) {
        m_connections.insert(socket, {});
        auto *idle = new QTimer(socket);
        idle->setSingleShot(true);
        idle->start(TcpIdleTimeout);
        connect(idle, &QTimer::timeout, socket, &QTcpSocket::disconnectFromHost);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket, idle] {
            idle->start(TcpIdleTimeout);
            onTcpReadyRead(socket);
        });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_connections.remove(socket);
            socket->deleteLater();
        });
    }
}

void DnsServer::onTcpReadyRead(QTcpSocket *socket)
{
    auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    it->append(socket->readAll());
    // Several queries may arrive on one connection, each behind its two-octet length.
    while (it->size() >= 2) {
        const int length = qFromBigEndian<quint16>(it->constData());
        if (it->size() < 2 + length)
            break;
        const QByteArray wire = it->mid(2, length);
        it->remove(0, 2 + length);
        Client client;
        client.tcp = true;
        client.send = [socket = QPointer<QTcpSocket>(socket)](const QByteArray &answer) {
            if (!socket || socket->state() != QAbstractSocket::ConnectedState)
                return;
            char prefix[2];
            qToBigEndian(quint16(answer.size()), prefix);
            socket->write(prefix, 2);
            socket->write(answer);
        };
        handle(wire, std::move(client));
        it = m_connections.find(socket); // handle() may have answered and closed
        if (it == m_connections.end())
            return;
    }
}

void DnsServer::handle(const QByteArray &wire, Client client)
{
    auto decoded = decode(wire);
    if (!decoded) {
        const auto &header = decoded.error().header;
        qCDebug(lcDns) << "malformed query:" << decoded.error().message;
        if (header && !header->response)
            reply(client, Message::responseTo(*header, ResponseCode::FormatError));
        return;
    }
    const Message &query = *decoded;
    if (query.response)
        return; // never answer an answer: that is how reflection loops start
    if (!client.tcp)
        client.limit = query.udpResponseLimit();
    if (query.opcode != 0) {
        Message response = Message::responseTo(query, ResponseCode::NotImplemented);
        response.questions.clear();
        reply(client, response);
        return;
    }
    if (query.questions.size() != 1) {
        Message response = Message::responseTo(query, ResponseCode::FormatError);
        response.questions.clear();
        reply(client, response);
        return;
    }

    std::optional<Message> answer = m_cluster.answer(query);
    if (!answer) {
        forward(query, wire, std::move(client));
        return;
    }
    // An ExternalName's CNAME: follow it, inside the cluster here, outside upstream.
    const quint16 qtype = query.questions.first().type;
    for (int hop = 0; hop < MaxCnameHops; ++hop) {
        if (answer->answers.isEmpty() || answer->answers.last().type != RecordType::CNAME ||
            qtype == RecordType::CNAME || qtype == RecordType::ANY)
            break;
        Message next;
        next.id = query.id;
        next.recursionDesired = true;
        next.ednsUdpSize = query.ednsUdpSize;
        next.questions = {Question{answer->answers.last().nameData(), qtype, ClassIn}};
        if (!inDomain(next.questions.first().name, m_cluster.clusterDomain())) {
            forward(next, encode(next), std::move(client), std::move(answer));
            return;
        }
        const std::optional<Message> more = m_cluster.answer(next);
        if (!more)
            break;
        answer->answers += more->answers;
        answer->additional += more->additional;
        answer->rcode = more->rcode;
        if (more->answers.isEmpty())
            answer->authority = more->authority;
    }
    reply(client, *answer);
}

void DnsServer::reply(const Client &client, const Message &response)
{
    client.send(encode(response, client.limit));
}

void DnsServer::forward(const Message &query, const QByteArray &wire, Client client,
                        std::optional<Message> partial)
{
    if (m_upstreams.isEmpty()) {
        qCWarning(lcDns) << "no upstream nameserver to ask for" << query.questions.first().name;
        Message failure = partial ? *partial : Message::responseTo(query);
        failure.rcode = ResponseCode::ServerFailure;
        reply(client, failure);
        return;
    }
    quint16 id;
    do {
        id = quint16(QRandomGenerator::global()->generate());
    } while (m_pending.contains(id));

    Pending pending;
    pending.client = std::move(client);
    pending.query = query;
    pending.wire = wire;
    setId(pending.wire, id);
    pending.partial = std::move(partial);
    pending.deadline = new QTimer(this);
    pending.deadline->setSingleShot(true);
    connect(pending.deadline, &QTimer::timeout, this, [this, id] { fail(id); });
    pending.deadline->start(m_timeout);
    m_pending.insert(id, std::move(pending));
    sendUpstream(id);
}

void DnsServer::sendUpstream(quint16 id)
{
    if (m_upstreamSocket->state() != QAbstractSocket::BoundState &&
        !m_upstreamSocket->bind(QHostAddress::Any, 0) &&
        !m_upstreamSocket->bind(QHostAddress::AnyIPv4, 0)) {
        qCWarning(lcDns) << "cannot open a socket towards upstream nameservers:"
                         << m_upstreamSocket->errorString();
        fail(id);
        return;
    }
    while (true) {
        auto it = m_pending.find(id);
        if (it == m_pending.end())
            return;
        const Upstream &upstream = m_upstreams.at(it->upstream);
        if (m_upstreamSocket->writeDatagram(it->wire, upstream.first, upstream.second) >= 0)
            return;
        qCDebug(lcDns) << "cannot send to" << upstream.first.toString() << upstream.second
                       << m_upstreamSocket->errorString();
        if (++it->upstream >= m_upstreams.size()) {
            fail(id);
            return;
        }
    }
}

void DnsServer::sendUpstreamTcp(quint16 id)
{
    auto it = m_pending.find(id);
    if (it == m_pending.end())
        return;
    const Upstream &upstream = m_upstreams.at(it->upstream);
    auto *socket = new QTcpSocket(this);
    it->tcp = socket;
    connect(socket, &QTcpSocket::connected, this, [socket, wire = it->wire] {
        char prefix[2];
        qToBigEndian(quint16(wire.size()), prefix);
        socket->write(prefix, 2);
        socket->write(wire);
    });
    connect(socket, &QTcpSocket::readyRead, this, [this, socket, id] {
        auto it = m_pending.find(id);
        if (it == m_pending.end() || it->tcp != socket)
            return;
        it->tcpBuffer += socket->readAll();
        if (it->tcpBuffer.size() < 2)
            return;
        const int length = qFromBigEndian<quint16>(it->tcpBuffer.constData());
        if (it->tcpBuffer.size() < 2 + length)
            return;
        onUpstreamAnswer(id, it->tcpBuffer.mid(2, length), true);
    });
    connect(socket, &QTcpSocket::errorOccurred, this, [this, socket, id] {
        auto it = m_pending.find(id);
        if (it != m_pending.end() && it->tcp == socket)
            fail(id);
    });
    socket->connectToHost(upstream.first, upstream.second);
}

void DnsServer::onUpstreamReadyRead()
{
    while (m_upstreamSocket->hasPendingDatagrams()) {
        const QNetworkDatagram datagram = m_upstreamSocket->receiveDatagram();
        const QByteArray wire = datagram.data();
        const quint16 id = idOf(wire);
        auto it = m_pending.find(id);
        if (it == m_pending.end() || it->tcp)
            continue;
        // Only the server asked may answer (a cheap guard against spoofed answers).
        const Upstream &upstream = m_upstreams.at(it->upstream);
        if (!datagram.senderAddress().isEqual(upstream.first) ||
            quint16(datagram.senderPort()) != upstream.second)
            continue;
        onUpstreamAnswer(id, wire, false);
    }
}

void DnsServer::onUpstreamAnswer(quint16 id, const QByteArray &wire, bool overTcp)
{
    auto it = m_pending.find(id);
    if (it == m_pending.end())
        return;
    auto decoded = decode(wire);
    if (!decoded || !decoded->response || !sameQuestions(decoded->questions, it->query.questions)) {
        if (overTcp)
            fail(id);
        return; // over UDP this is not the answer: keep waiting for it
    }
    const ResponseCode rcode = decoded->rcode;
    if ((rcode == ResponseCode::ServerFailure || rcode == ResponseCode::Refused) &&
        it->upstream + 1 < m_upstreams.size()) {
        ++it->upstream;
        if (it->tcp) {
            it->tcp->disconnect(this);
            it->tcp->abort();
            it->tcp->deleteLater();
            it->tcp = nullptr;
            it->tcpBuffer.clear();
        }
        sendUpstream(id);
        return;
    }
    // A TCP client must get the whole answer: ask the same upstream again over TCP.
    if (decoded->truncated && !overTcp && it->client.tcp) {
        sendUpstreamTcp(id);
        return;
    }

    Pending pending = take(id);
    if (pending.partial) {
        Message merged = *pending.partial;
        merged.answers += decoded->answers;
        merged.additional += decoded->additional;
        merged.rcode = rcode;
        if (decoded->answers.isEmpty())
            merged.authority = decoded->authority;
        merged.truncated = decoded->truncated;
        reply(pending.client, merged);
        return;
    }
    QByteArray answer = wire;
    setId(answer, pending.query.id);
    if (answer.size() > pending.client.limit) {
        Message cut = Message::responseTo(pending.query, rcode);
        cut.truncated = true;
        answer = encode(cut, pending.client.limit);
    }
    pending.client.send(answer);
}

void DnsServer::fail(quint16 id)
{
    if (!m_pending.contains(id))
        return;
    Pending pending = take(id);
    qCDebug(lcDns) << "no answer from upstream for" << pending.query.questions.first().name;
    Message failure = pending.partial ? *pending.partial : Message::responseTo(pending.query);
    failure.rcode = ResponseCode::ServerFailure;
    reply(pending.client, failure);
}

DnsServer::Pending DnsServer::take(quint16 id)
{
    Pending pending = m_pending.take(id);
    if (pending.deadline) {
        pending.deadline->stop();
        pending.deadline->deleteLater();
    }
    if (pending.tcp) {
        pending.tcp->disconnect(this);
        pending.tcp->abort();
        pending.tcp->deleteLater();
    }
    return pending;
}

} // namespace timonel::dns
