// The node agent's Node: registration (labels, taints, podCIDR), the status it posts (capacity
// from the node container's cgroup limits, addresses, conditions, node info, the endpoint the API
// server reaches it on) and the Lease it renews every 10 s, which is how the control plane
// knows the node is alive.
#pragma once

#include "client/apiclient.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>

class QTimer;

namespace timonel::kubelet {

struct NodeConfig
{
    QString name;
    QString nodeIP;
    QString podCidr;
    bool controlPlane = false;
    QJsonObject labels; // from the cluster config
    QJsonArray taints;  // registered with the node (the control plane's, when there are workers)
    quint16 kubeletPort = 10250;
    QString containerRuntimeVersion; // "docker://28.2.2"
    QString stateDirectory;          // for ephemeral-storage capacity
};

class NodeStatusReporter : public QObject
{
    Q_OBJECT
public:
    NodeStatusReporter(client::ApiClient &api, NodeConfig config, QObject *parent = nullptr);
    ~NodeStatusReporter() override;

    // Registers the node (retrying until the API server answers), then keeps its status and
    // lease current.
    void start();
    void stop();
    bool isRegistered() const { return m_registered; }

    qint64 allocatableMilliCpu() const { return m_milliCpu; }
    qint64 allocatableMemory() const { return m_memory; }
    // Posts the status now (after a condition changed).
    void postStatus();

Q_SIGNALS:
    void registered();

private:
    void registerNode();
    void renewLease();
    QJsonObject nodeObject() const;
    QJsonObject statusObject() const;

    client::ApiClient &m_api;
    NodeConfig m_config;
    qint64 m_milliCpu = 0;
    qint64 m_memory = 0;
    qint64 m_storage = 0;
    bool m_registered = false;
    bool m_leaseExists = false;
    QString m_readySince;
    QTimer *m_leaseTimer = nullptr;
    QTimer *m_statusTimer = nullptr;
};

// The node container's limits: cgroup v2 (cpu.max, memory.max), then v1, then the machine's.
qint64 cgroupMilliCpu();
qint64 cgroupMemoryBytes();

} // namespace timonel::kubelet
