// LoadBalancer Services on the user's machine (what cloud-provider-kind adds to KinD): each one
// gets its own loopback address (127.x.y.z: all of 127.0.0.0/8 is local on Linux, so two
// services can both have port 80) published by a small `timonel-node lb` container of the
// cluster, which forwards each port to the service's NodePort on every Ready node. The address
// shows in status.loadBalancer.ingress. Runs in the control plane, which reaches Docker.
#pragma once

#include "docker/dockerclient.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <memory>

namespace timonel::client {
class ApiClient;
class Informer;
class WorkQueue;
} // namespace timonel::client

namespace timonel::node {

struct ServiceLoadBalancerOptions
{
    QString cluster; // labels the containers (io.timonel.cluster): deleting the cluster finds them
    QString network; // the cluster's Docker network
    QString image;   // the node image, whose timonel-node runs `lb`
};

// The desired `lb` container of one Service: its listening ports and their backends.
struct LoadBalancerSpec
{
    QString service; // "namespace/name"
    QString address; // 127.x.y.z
    struct Port
    {
        int port = 0;
        QString protocol;     // "tcp" or "udp", as Docker names a port's protocol
        QStringList backends; // "nodeIP:nodePort"
    };
    QList<Port> ports;

    // The `timonel-node lb` arguments and a digest of everything, to tell when to recreate.
    QStringList arguments() const;
    QString digest() const;
};

// The LoadBalancer spec of `service` given the Ready nodes' InternalIPs; empty ports when the
// service is not a LoadBalancer or has no TCP or UDP port with a NodePort yet.
LoadBalancerSpec loadBalancerSpecOf(const QJsonObject &service, const QStringList &nodeIPs,
                                    const QString &address);

// The address a LoadBalancer Service shows: status.loadBalancer.ingress[0].ip, or "".
QString publishedAddress(const QJsonObject &service);

// The lowest 127.x.y.z in 127.1.0.1 .. 127.1.255.254 not in `taken`.
QString nextLoopbackAddress(const QSet<QString> &taken);

class ServiceLoadBalancers : public QObject
{
    Q_OBJECT
public:
    ServiceLoadBalancers(client::ApiClient &api, ServiceLoadBalancerOptions options,
                         docker::DockerClient docker = docker::DockerClient(),
                         QObject *parent = nullptr);
    ~ServiceLoadBalancers() override;

    void start();

private:
    void enqueueAll();
    void sync(const QString &key, std::function<void(bool retry)> done);
    void reportAddress(const QString &ns, const QString &name, const QString &address);
    QStringList readyNodeIPs() const;

    client::ApiClient &m_api;
    ServiceLoadBalancerOptions m_options;
    docker::DockerClient m_docker;
    std::unique_ptr<client::Informer> m_services;
    std::unique_ptr<client::Informer> m_nodes;
    std::unique_ptr<client::WorkQueue> m_queue;
};

} // namespace timonel::node
