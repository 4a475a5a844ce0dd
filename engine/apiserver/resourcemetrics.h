// The part of metrics-server that turns node agents' /metrics/resource into usage: the
// Prometheus text parsed into cumulative points, the last two points of each node and container
// kept, and CPU usage as the rate between them (memory is the last working set). Its rules are
// metrics-server's: a pod is reported only when every container has two points, a container
// younger than one resolution counts from its start, a restart or a counter that went back
// drops the container until it has two points again.
#pragma once

#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <chrono>
#include <expected>
#include <optional>

namespace timonel::apiserver {

// One cumulative measurement, as a node agent exposes it.
struct MetricsPoint
{
    qint64 startTimeMs = 0;               // the container's start; 0 when unknown
    qint64 timestampMs = 0;               // when it was measured
    quint64 cumulativeCpuNanoSeconds = 0; // CPU time since start
    quint64 memoryBytes = 0;              // working set
    friend bool operator==(const MetricsPoint &, const MetricsPoint &) = default;
};

// What one scrape of one node gave: the node's point and its pods' containers' points.
struct MetricsBatch
{
    std::optional<MetricsPoint> node;
    // "namespace/name" -> container name -> point
    QHash<QString, QHash<QString, MetricsPoint>> pods;
};

// The kubelet's /metrics/resource text as metrics-server decodes it: samples without a
// timestamp take `defaultTimeMs`; an incomplete node point (no time, no CPU or no memory) is
// left out, and so is a pod with an incomplete container.
std::expected<MetricsBatch, QString> parseResourceMetrics(QByteArrayView text,
                                                          qint64 defaultTimeMs);

struct ResourceUsage
{
    quint64 cpuNanoCores = 0;
    quint64 memoryBytes = 0;
    qint64 timestampMs = 0; // the newer point's
    qint64 windowMs = 0;    // between the two points
};

struct ContainerUsage
{
    QString name;
    ResourceUsage usage;
};

struct PodUsage
{
    qint64 timestampMs = 0; // the earliest of its containers'
    qint64 windowMs = 0;
    QList<ContainerUsage> containers; // by name
};

// The points of every node's last two scrapes.
class MetricsStorage
{
public:
    // `resolution` is the scrape period: containers started less than that before their first
    // point (and at least 10 s before it) count from their start, with no CPU used then.
    explicit MetricsStorage(std::chrono::milliseconds resolution = std::chrono::seconds(15))
        : m_resolution(resolution)
    {
    }

    void store(const QString &node, const MetricsBatch &batch);
    // A node that was not scraped in a round loses its points, as in metrics-server's batches.
    void forget(const QString &node);
    QStringList nodes() const { return m_nodes.keys(); }

    std::optional<ResourceUsage> nodeUsage(const QString &node) const;
    std::optional<PodUsage> podUsage(const QString &node, const QString &ns,
                                     const QString &name) const;

private:
    using Containers = QHash<QString, MetricsPoint>;
    struct NodePoints
    {
        std::optional<MetricsPoint> last; // none when the last scrape had no complete one
        std::optional<MetricsPoint> previous;
        QHash<QString, Containers> lastPods;     // "namespace/name" -> containers
        QHash<QString, Containers> previousPods; // points that precede lastPods'
    };

    std::chrono::milliseconds m_resolution;
    QHash<QString, NodePoints> m_nodes;
};

// The usage between two points of the same node or container; nullopt when it cannot be
// computed (a restart, a counter that went back, no time between them).
std::optional<ResourceUsage> usageBetween(const MetricsPoint &last, const MetricsPoint &previous);

} // namespace timonel::apiserver
