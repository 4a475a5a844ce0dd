// The cluster DNS server: UDP and TCP (RFC 1035 §4.2, RFC 7766) on one address and port.
// Cluster names are answered from ClusterDns; everything else is relayed to the upstream
// servers (by default the node's /etc/resolv.conf nameservers, Docker's embedded DNS in a node
// container) under a fresh query id, and the answer goes back under the client's id. An upstream
// that does not answer in time yields SERVFAIL. UDP answers larger than the client accepts are
// cut with the TC bit set so the client asks again over TCP. ExternalName CNAMEs pointing
// outside the cluster are followed upstream, as CoreDNS does, since stub resolvers do not chase.
#pragma once

#include "dnsmessage.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>

#include <chrono>
#include <functional>
#include <utility>

class QTcpServer;
class QTcpSocket;
class QTimer;
class QUdpSocket;

namespace timonel::dns {

class ClusterDns;

using Upstream = std::pair<QHostAddress, quint16>;

class DnsServer : public QObject
{
    Q_OBJECT
public:
    // `cluster` must outlive the server.
    explicit DnsServer(ClusterDns &cluster, QObject *parent = nullptr);
    ~DnsServer() override;

    // Serves UDP and TCP on `address` and `port` (0: a free port, the same for both).
    bool listen(const QHostAddress &address, quint16 port);
    void close();
    quint16 port() const;
    QString errorString() const { return m_error; }

    // Tried in order: the next one when one fails (SERVFAIL, REFUSED, unreachable).
    void setUpstreams(QList<Upstream> upstreams);
    QList<Upstream> upstreams() const { return m_upstreams; }
    // How long a forwarded query may take before the client gets SERVFAIL (default 2 s).
    void setUpstreamTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }

    // The nameservers of a resolv.conf file, on port 53.
    static QList<Upstream>
    resolvConfNameservers(const QString &path = QStringLiteral("/etc/resolv.conf"));

private:
    // Where an answer goes: a UDP peer or a TCP connection, and how large it may be.
    struct Client
    {
        std::function<void(const QByteArray &)> send;
        int limit = 65535;
        bool tcp = false;
    };
    // A query relayed upstream, keyed by the id it was sent under.
    struct Pending
    {
        Client client;
        Message query;    // the client's query
        QByteArray wire;  // what goes upstream (the upstream id already in place)
        int upstream = 0; // index into m_upstreams
        QTimer *deadline = nullptr;
        QTcpSocket *tcp = nullptr; // when asking again over TCP after a truncated UDP answer
        QByteArray tcpBuffer;
        // Set when chasing an ExternalName: the cluster's part of the answer.
        std::optional<Message> partial;
    };

    void onUdpReadyRead();
    void onNewConnection();
    void onTcpReadyRead(QTcpSocket *socket);
    void handle(const QByteArray &wire, Client client);
    void reply(const Client &client, const Message &response);
    void forward(const Message &query, const QByteArray &wire, Client client,
                 std::optional<Message> partial = std::nullopt);
    void sendUpstream(quint16 id);
    void sendUpstreamTcp(quint16 id);
    void onUpstreamReadyRead();
    void onUpstreamAnswer(quint16 id, const QByteArray &wire, bool overTcp);
    void fail(quint16 id);
    Pending take(quint16 id);

    ClusterDns &m_cluster;
    QUdpSocket *m_udp;
    QTcpServer *m_tcp;
    QUdpSocket *m_upstreamSocket;
    QList<Upstream> m_upstreams;
    std::chrono::milliseconds m_timeout{2000};
    QHash<quint16, Pending> m_pending;
    QHash<QTcpSocket *, QByteArray> m_connections; // client TCP connections and what they sent
    QString m_error;
};

} // namespace timonel::dns
