// Which pod and pod port a Service's port leads to, as `kubectl port-forward svc/NAME PORT`
// picks them: port-forward reaches pods, not Services.
#pragma once

#include "client/apiclient.h"

#include <QString>

namespace timonel::client {

struct ServiceBackend
{
    QString pod;
    quint16 port = 0;
};

// Resolves `servicePort` (a port number or name of the Service's spec.ports) to the targetPort
// (a named targetPort through the pod's container ports) on a pod the Service's selector picks:
// a ready one, else a running one. Errors: no such Service or port, no selector, no running pod.
void resolveServiceBackend(ApiClient &api, const QString &ns, const QString &service,
                           const QString &servicePort, Callback<ServiceBackend> done);

} // namespace timonel::client
