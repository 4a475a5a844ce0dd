// The service proxy of a node (what kube-proxy is to a Kubernetes node): watches Services and
// EndpointSlices and keeps one listener per frontend — each ClusterIP at its port, and each
// node address at a NodePort — forwarding to the service's usable endpoints. ClusterIPs are
// bindable because the node routes the whole service subnet to lo (netlinkroutes.h).
// With kernel forwarding on, the kernel serves the TCP frontends it can (kernelservices.h)
// ahead of the listeners, which then see only the rest.
#pragma once

#include "servicetable.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <chrono>
#include <memory>

class QTimer;

namespace timonel::client {
class ApiClient;
class Informer;
} // namespace timonel::client

namespace timonel::proxy {

class Nftables;
class TcpForwarder;
class UdpForwarder;

struct ServiceProxyOptions
{
    QList<QHostAddress> nodeAddresses; // where NodePorts listen
    // Services ("namespace/name") the node serves on their ClusterIP itself (kube-dns).
    QSet<QString> servedByNode;
    // Changes seen within this long are applied together.
    std::chrono::milliseconds coalesce{100};
    // How often a listener that could not bind is tried again.
    std::chrono::milliseconds bindRetry{5000};
    // Whether to install the nftables fast path in this network namespace (needs
    // CAP_NET_ADMIN and IPv4 forwarding). If the kernel refuses it, the listeners serve all.
    bool kernelForwarding = false;
};

class ServiceProxy : public QObject
{
    Q_OBJECT
public:
    // `api` must outlive the proxy.
    ServiceProxy(client::ApiClient &api, ServiceProxyOptions options, QObject *parent = nullptr);
    ~ServiceProxy() override;

    void start();
    // Stops watching and closes every listener (and the connections through them).
    void stop();

    // The frontends of the last sync (for status and tests).
    const QList<Frontend> &frontends() const { return m_frontends; }
    // Whether a listener is open at that protocol, address and port.
    bool isListening(Protocol protocol, const QHostAddress &address, quint16 port) const;
    // Whether the kernel fast path is installed and current.
    bool isKernelForwarding() const { return !m_kernelScript.isEmpty(); }

Q_SIGNALS:
    // After each sync of the listeners with the informers' view.
    void synced();

private:
    struct Listener
    {
        Protocol protocol = Protocol::Tcp;
        QHostAddress address;
        quint16 port = 0;
        QString owner; // the frontend's display name, for the logs
        QList<Backend> backends;
        int affinitySeconds = 0;
        QPointer<TcpForwarder> tcp;
        QPointer<UdpForwarder> udp;
        bool bindFailed = false; // logged once; retried by the timer
    };

    void scheduleSync();
    void sync();
    static QString listenerKey(Protocol protocol, const QHostAddress &address, quint16 port);
    void open(Listener &listener);
    void close(Listener &listener);
    void syncKernel();
    void stopKernel();

    client::ApiClient &m_api;
    ServiceProxyOptions m_options;
    std::unique_ptr<client::Informer> m_services;
    std::unique_ptr<client::Informer> m_slices;
    QTimer *m_coalesce;
    QTimer *m_retry;
    QList<Frontend> m_frontends;
    QHash<QString, Listener> m_listeners; // by listenerKey
    std::unique_ptr<Nftables> m_nftables; // while kernel forwarding is on
    QString m_kernelScript;               // what the kernel has; empty: nothing
};

} // namespace timonel::proxy
