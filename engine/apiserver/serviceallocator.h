#pragma once

#include "apierror.h"
#include "resourcestore.h"

namespace timonel::apiserver {

// ClusterIPs and NodePorts of Services, found from the stored Services each time: the storage
// is the only truth, so nothing drifts after a restart.
class ServiceAllocator
{
public:
    ServiceAllocator(Storage &storage, const ClusterNetwork &network);

    // Fills spec.clusterIP(s) and the NodePorts a Service needs, keeping those it already has
    // (`old` on update); errors for addresses or ports that are taken or out of range.
    FieldErrors allocate(QJsonObject &service, const QJsonObject *old);

private:
    Storage &m_storage;
    ClusterNetwork m_network;
};

} // namespace timonel::apiserver
