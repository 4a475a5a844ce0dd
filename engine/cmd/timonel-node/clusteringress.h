// The cluster's built-in ingress controller, on the control plane (DESIGN.md, Networking): the
// IngressClass `timonel` (the default class), the controller and its HTTP(S) proxy on the
// node's ports 80 and 443, and the LoadBalancer Service kube-system/timonel-ingress in front
// of them, whose loopback address is the one every served Ingress shows in its status.
#pragma once

#include <QObject>
#include <QString>

#include <expected>
#include <memory>

namespace timonel::client {
class ApiClient;
class Informer;
} // namespace timonel::client

namespace timonel::ingress {
class IngressController;
class IngressProxy;
} // namespace timonel::ingress

namespace timonel::node {

class ClusterIngress : public QObject
{
    Q_OBJECT
public:
    ClusterIngress(client::ApiClient &api, QString nodeIP, QObject *parent = nullptr);
    ~ClusterIngress() override;

    std::expected<void, QString> start();

private:
    void ensureObjects();

    client::ApiClient &m_api;
    QString m_nodeIP;
    std::unique_ptr<ingress::IngressController> m_controller;
    std::unique_ptr<ingress::IngressProxy> m_proxy;
    std::unique_ptr<client::Informer> m_service; // kube-system/timonel-ingress, for its address
};

} // namespace timonel::node
