// What the node and its pods use of CPU and memory, measured as the kubelet's cAdvisor does: the
// Docker stats of every running container of this node's pods (runtimelabels.h), sampled on a
// worker thread every ~10 s, plus the node agent's own cgroup. Pods are sibling containers of
// the node container, not inside its cgroup, so the node's usage is its own cgroup's plus its
// pods'. The node agent serves the latest sample as the kubelet's /metrics/resource, which the
// API server's metrics.k8s.io API scrapes (the part metrics-server plays on Kubernetes).
#pragma once

#include "docker/dockerclient.h"

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>

#include <chrono>
#include <memory>
#include <optional>

class QThread;
class QTimer;

namespace timonel::kubelet {

// One measurement of a container, a pod or the node.
struct ResourceUsage
{
    QDateTime time;                 // when it was measured (UTC, milliseconds)
    quint64 cpuCoreNanoSeconds = 0; // cumulative CPU time, never decreasing
    // CPU use since the previous sample of the same thing; none for a first sample.
    std::optional<quint64> cpuNanoCores;
    quint64 memoryWorkingSetBytes = 0; // usage minus inactive file cache, as the kubelet's
};

struct ContainerResourceStats
{
    QString name;        // the spec container's name
    QDateTime startTime; // when the Docker container was created
    ResourceUsage usage;
};

struct PodResourceStats
{
    QString ns;
    QString name;
    QString uid;
    QList<ContainerResourceStats> containers; // by name
    ResourceUsage usage;                      // the containers' and the sandbox's
};

struct ResourceStats
{
    bool sampled = false; // false until the first sample, and when Docker could not be asked
    ResourceUsage node;
    QList<PodResourceStats> pods; // by namespace, then name
};

// The kubelet's /metrics/resource in the Prometheus text format (version 0.0.4), families
// sorted by name with their HELP and TYPE lines, samples with millisecond timestamps.
QByteArray resourceMetricsText(const ResourceStats &stats);
inline constexpr char resourceMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";
// A sample value as Prometheus' Go encoder writes it (strconv 'g', shortest): "0.25",
// "1.2345678e+07".
QByteArray prometheusFloat(double value);

// The cgroup usage of the process itself: cgroup v2 (cpu.stat usage_usec, memory.current,
// memory.stat inactive_file) or v1 (cpuacct.usage, memory.usage_in_bytes, total_inactive_file)
// under `root`. Nullopt when neither can be read.
struct CgroupUsage
{
    quint64 cpuCoreNanoSeconds = 0;
    quint64 memoryWorkingSetBytes = 0;
};
std::optional<CgroupUsage> readCgroupUsage(const QString &root);

struct ResourceStatsOptions
{
    QString nodeName; // pods are the containers labelled with this node
    docker::DockerClient docker;
    std::chrono::milliseconds interval{10000};
    // The node agent's own cgroup, counted into the node's usage; empty: none (tests).
    QString cgroupRoot = QStringLiteral("/sys/fs/cgroup");
};

class ResourceSampler;

class ResourceStatsCollector : public QObject
{
    Q_OBJECT
public:
    explicit ResourceStatsCollector(ResourceStatsOptions options, QObject *parent = nullptr);
    ~ResourceStatsCollector() override;

    // Samples at once, then every interval.
    void start();
    // Waits for a sample in progress (bounded by its Docker calls' timeouts).
    void stop();

    // The latest sample; `sampled` is false before the first one ends.
    const ResourceStats &stats() const { return m_stats; }

Q_SIGNALS:
    void sampled();

private:
    void tick();

    ResourceStatsOptions m_options;
    ResourceStats m_stats;
    std::unique_ptr<ResourceSampler> m_sampler; // used on the worker thread only
    QThread *m_thread = nullptr;
    QObject *m_worker = nullptr; // lives on m_thread: the context sampling runs in
    QTimer *m_timer = nullptr;
    bool m_busy = false;
};

} // namespace timonel::kubelet
