// What the Endpoints and EndpointSlice controllers share, as k8s.io/endpointslice/util does for
// kube-controller-manager: which pods a Service selects and which of them belong in its
// endpoints, the container port a service port leads to, the hostname rule of headless
// services, and which Services a pod event concerns.
#pragma once

#include <QJsonObject>
#include <QSet>
#include <QString>

#include <functional>
#include <optional>

class QObject;

namespace timonel::client {
class Informer;
} // namespace timonel::client

namespace timonel::controllers {

// service.kubernetes.io/headless, set on the endpoints of a Service without a cluster IP.
extern const QString headlessServiceLabel;

// The parts of a pod the endpoint controllers read (the informers' transform): metadata
// without managedFields, hostname, subdomain, nodeName, container ports, phase, IPs, conditions.
QJsonObject endpointsPodEssentials(const QJsonObject &pod);

// A nil or empty selector: such Services get no endpoints from the controllers (someone else
// writes them), as a selector map that is empty is not stored by Kubernetes.
bool hasServiceSelector(const QJsonObject &service);
// spec.clusterIP is set and not "None".
bool isServiceIPSet(const QJsonObject &service);

// Not terminal (Succeeded/Failed), has an IP, and not being deleted unless includeTerminating.
bool shouldPodBeInEndpoints(const QJsonObject &pod, bool includeTerminating);
// The pod's spec.hostname is set and its spec.subdomain names the Service (same namespace).
bool shouldSetHostname(const QJsonObject &pod, const QJsonObject &service);
// The container port a service port's targetPort names: the number itself, or the port of
// that name and protocol in the pod's containers (or sidecar init containers); nullopt when
// the pod has no such port.
std::optional<int> findPort(const QJsonObject &pod, const QJsonObject &servicePort);
// The pod's IPs (status.podIPs, or status.podIP) of one family, in canonical form.
QStringList podAddresses(const QJsonObject &pod, bool ipv6);
// Whether the Service's Endpoints use IPv6 addresses: its first IP family.
bool servesIPv6(const QJsonObject &service);

// The pods of the service's namespace that its selector matches.
QList<QJsonObject> podsSelectedBy(const client::Informer &pods, const QJsonObject &service);

// The keys of the Services a pod event concerns (oldPod empty for an addition, newPod empty for
// a deletion), as GetPodUpdateProjectionKey/GetServicesToUpdate: none when nothing that
// matters to endpoints changed; both the old and new label matches when the labels changed.
QSet<QString> servicesForPodChange(const client::Informer &services, const QJsonObject &oldPod,
                                   const QJsonObject &newPod);

// Calls `enqueue` with the keys of the Services each pod event of `pods` concerns.
void enqueueServicesOnPodEvents(client::Informer &pods, const client::Informer &services,
                                QObject *context, std::function<void(const QString &)> enqueue);

} // namespace timonel::controllers
