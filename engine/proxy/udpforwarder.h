// One UDP frontend of a service: datagrams to an address and port go to a backend chosen per
// client address (a session, as conntrack keeps one), and the backend's replies go back to the
// client from the frontend's address. Sessions end after a quiet spell; their number is bounded.
#pragma once

#include "servicetable.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>

#include <chrono>
#include <expected>

class QTimer;
class QUdpSocket;

namespace timonel::proxy {

class UdpForwarder : public QObject
{
    Q_OBJECT
public:
    UdpForwarder(QHostAddress address, quint16 port, QObject *parent = nullptr);
    ~UdpForwarder() override;

    QHostAddress address() const { return m_address; }
    // The bound port once listening (the one asked for, or the one the system chose for 0).
    quint16 port() const;

    std::expected<void, QString> listen();
    bool isListening() const;

    // New sessions use these; a session whose backend is no longer among them ends (kube-proxy
    // clears the conntrack entries of removed UDP endpoints the same way).
    void setBackends(const QList<Backend> &backends, int affinitySeconds);
    const QList<Backend> &backends() const { return m_picker.backends(); }

    int sessionCount() const { return int(m_sessions.size()); }

    std::chrono::milliseconds idleTimeout{30000};
    int maxSessions = 1024; // the least recently used session ends to make room

private:
    struct Session
    {
        QHostAddress client;
        quint16 clientPort = 0;
        Backend backend;
        QUdpSocket *socket = nullptr;
        std::chrono::steady_clock::time_point lastUsed;
    };

    void readClients();
    Session *sessionFor(const QHostAddress &client, quint16 clientPort);
    void relayReplies(const QString &key);
    void endSession(const QString &key);
    void expireIdle();

    QHostAddress m_address;
    quint16 m_port;
    QUdpSocket *m_socket = nullptr;
    QTimer *m_sweep;
    BackendPicker m_picker;
    QHash<QString, Session> m_sessions; // by "client address|port"
};

} // namespace timonel::proxy
