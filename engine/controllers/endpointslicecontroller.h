// The EndpointSlice controller, as kube-controller-manager's (pkg/controller/endpointslice with
// the reconciler of k8s.io/endpointslice): every Service with a selector has discovery.k8s.io/v1
// EndpointSlices (generateName "<service>-", labelled kubernetes.io/service-name and
// endpointslice.kubernetes.io/managed-by, owned by the Service so the garbage collector removes
// them with it) listing the pods it selects, terminating ones included, with their ready /
// serving / terminating conditions, node, zone, hostname and pod reference. Pods are grouped by
// the ports they resolve to, at most maxEndpointsPerSlice per slice; slices are updated in place,
// filled before new ones are made, and a Service without endpoints keeps one empty placeholder.
// A generation tracker keeps it from acting on a cache that has not seen its own writes.
#pragma once

#include "client/apiclient.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
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

struct EndpointSliceControllerOptions
{
    int maxEndpointsPerSlice = 100; // kube-controller-manager's --max-endpoints-per-slice
};

class EndpointSliceController : public QObject
{
    Q_OBJECT
public:
    explicit EndpointSliceController(client::ApiClient &api, QObject *parent = nullptr);
    EndpointSliceController(client::ApiClient &api, EndpointSliceControllerOptions options,
                            QObject *parent = nullptr);
    ~EndpointSliceController() override;

    void start();
    void stop();

    // endpointslice.kubernetes.io/managed-by of the slices this controller owns.
    static const QString controllerName;

    // The slice endpoint of a pod for a service (podToEndpoint): addresses of the address type,
    // conditions, targetRef, nodeName, zone (from the node's topology.kubernetes.io/zone) and
    // hostname.
    static QJsonObject podToEndpoint(const QJsonObject &pod, const QJsonObject &node,
                                     const QJsonObject &service, const QString &addressType);

private:
    struct Plan;

    bool synced() const;
    void enqueue(const QString &key);
    void enqueueForSlice(const QJsonObject &slice);
    void sync(const QString &key, std::function<void(bool retry)> done);
    void reconcileByAddressType(const QJsonObject &service, const QList<QJsonObject> &pods,
                                const QList<QJsonObject> &existing, const QString &addressType,
                                Plan &plan, QStringList &errors) const;
    void reconcileByPortMapping(const QJsonObject &service, const QList<QJsonObject> &existing,
                                QMap<QString, QJsonObject> desired, const QJsonArray &ports,
                                const QString &addressType, Plan &plan) const;
    void finalize(const QJsonObject &service, Plan plan, std::function<void(bool retry)> done);

    // EndpointSliceTracker: the generation of each slice this controller last wrote, per
    // service key, or deletionExpected.
    bool staleSlices(const QString &serviceKey, const QList<QJsonObject> &slices) const;
    bool shouldSync(const QJsonObject &slice) const;

    // Wraps a callback so that it does nothing once the controller is gone.
    template <typename F> auto guarded(F f)
    {
        return [self = QPointer<EndpointSliceController>(this), f = std::move(f)](auto &&...args) {
            if (self)
                f(std::forward<decltype(args)>(args)...);
        };
    }

    client::ApiClient &m_api;
    EndpointSliceControllerOptions m_options;
    std::unique_ptr<client::Informer> m_services;
    std::unique_ptr<client::Informer> m_pods;
    std::unique_ptr<client::Informer> m_nodes;
    std::unique_ptr<client::Informer> m_slices;
    std::unique_ptr<client::WorkQueue> m_queue;
    std::unique_ptr<client::EventRecorder> m_recorder;
    QHash<QString, QHash<QString, qint64>> m_generations; // service key -> slice uid -> gen
    bool m_running = false;
};

} // namespace timonel::controllers
