// The Endpoints controller, as kube-controller-manager's (pkg/controller/endpoint): the v1
// Endpoints of every Service with a selector list the IPs of the pods it selects, ready ones in
// `addresses` and the others in `notReadyAddresses` (all in `addresses` with
// publishNotReadyAddresses), grouped in subsets by the ports they serve. It carries the
// Service's labels (plus service.kubernetes.io/headless without a cluster IP), is written only
// when that content changes, and is deleted with its Service. Services without a selector and
// ExternalName Services are left alone: their Endpoints are someone else's.
#pragma once

#include "client/apiclient.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>

namespace timonel::client {
class EventRecorder;
class Informer;
class WorkQueue;
} // namespace timonel::client

namespace timonel::controllers {

class EndpointsController : public QObject
{
    Q_OBJECT
public:
    explicit EndpointsController(client::ApiClient &api, QObject *parent = nullptr);
    ~EndpointsController() override;

    void start();
    void stop();

    // The subsets of the service's Endpoints for these pods (already selected by it), in the
    // canonical layout of Kubernetes' RepackSubsets: one subset per set of addresses sharing
    // the same ports, addresses sorted by IP then pod uid, ports by name then number.
    static QJsonArray desiredSubsets(const QJsonObject &service, const QList<QJsonObject> &pods);

private:
    bool synced() const;
    void sync(const QString &key, std::function<void(bool retry)> done);
    void write(const QJsonObject &service, const QJsonObject &current, const QJsonArray &subsets,
               std::function<void(bool retry)> done);

    // Wraps a callback so that it does nothing once the controller is gone.
    template <typename F> auto guarded(F f)
    {
        return [self = QPointer<EndpointsController>(this), f = std::move(f)](auto &&...args) {
            if (self)
                f(std::forward<decltype(args)>(args)...);
        };
    }

    client::ApiClient &m_api;
    std::unique_ptr<client::Informer> m_services;
    std::unique_ptr<client::Informer> m_pods;
    std::unique_ptr<client::Informer> m_endpoints;
    std::unique_ptr<client::WorkQueue> m_queue;
    std::unique_ptr<client::EventRecorder> m_recorder;
    // Endpoints written whose new state the cache has not shown yet: key -> the resourceVersion
    // it had before ("" after a create). Acting on the older state would only conflict.
    QHash<QString, QString> m_written;
    bool m_running = false;
};

} // namespace timonel::controllers
