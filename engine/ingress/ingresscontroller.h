// The ingress controller's control loop: watches Ingresses, IngressClasses, Services,
// EndpointSlices and Secrets, recomputes the RoutingTable when any of them changes (changes
// coalesced), and writes the address it publishes into status.loadBalancer.ingress of every
// Ingress it serves, as ingress-nginx's status sync does.
#pragma once

#include "ingressrules.h"

#include "client/apiclient.h"

#include <QHash>
#include <QObject>
#include <QSet>

#include <chrono>

class QTimer;

namespace timonel::client {
class Informer;
}

namespace timonel::ingress {

struct IngressControllerOptions
{
    // How long changes gather before the table is recomputed.
    std::chrono::milliseconds coalesce{100};
};

class IngressController : public QObject
{
    Q_OBJECT
public:
    // `api` must outlive the controller.
    explicit IngressController(client::ApiClient &api, IngressControllerOptions options = {},
                               QObject *parent = nullptr);
    ~IngressController() override;

    void start();
    void stop();

    // The address clients reach the proxy at: an IP goes into `ip`, anything else into
    // `hostname`; "" writes no status.
    void setPublishedAddress(const QString &address);
    QString publishedAddress() const { return m_address; }

    const RoutingTable &routingTable() const { return m_table; }
    // Whether the IngressClass `timonel` is marked as the default class.
    bool isDefaultClass() const;

Q_SIGNALS:
    // After every recomputation once all informers have synced (also when nothing changed).
    void routingTableChanged(const timonel::ingress::RoutingTable &table);

private:
    void schedule();
    void rebuild();
    void syncStatus();

    client::ApiClient &m_api;
    IngressControllerOptions m_options;
    client::Informer *m_ingresses;
    client::Informer *m_classes;
    client::Informer *m_services;
    client::Informer *m_slices;
    client::Informer *m_secrets;
    QTimer *m_coalesce;
    RoutingTable m_table;
    QString m_address;
    QSet<QString> m_statusInFlight; // "ns/name" with a status write under way
};

} // namespace timonel::ingress
