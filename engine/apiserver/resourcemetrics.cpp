#include "resourcemetrics.h"

#include <QByteArray>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace timonel::apiserver {

namespace {

// A container this young at its first point is not counted from its start: its first seconds
// of CPU would read too high (metrics-server's freshContainerMinMetricsResolution).
constexpr qint64 kFreshContainerMinMs = 10000;

struct Series
{
    QByteArray name;
    QHash<QByteArray, QString> labels;
    double value = 0;
    std::optional<qint64> timestampMs;
};

bool isNameChar(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
           (!first && c >= '0' && c <= '9');
}

std::optional<double> parseValue(QByteArrayView token)
{
    if (token == "NaN")
        return std::nan("");
    if (token == "+Inf" || token == "Inf")
        return HUGE_VAL;
    if (token == "-Inf")
        return -HUGE_VAL;
    bool ok = false;
    const double value = token.toByteArray().toDouble(&ok);
    return ok ? std::optional(value) : std::nullopt;
}

// One sample line of the Prometheus text format 0.0.4: name{label="value",...} value [time].
std::expected<Series, QString> parseSeries(QByteArrayView line)
{
    Series series;
    qsizetype i = 0;
    while (i < line.size() && isNameChar(line[i], i == 0))
        ++i;
    if (i == 0)
        return std::unexpected(u"invalid metric name"_s);
    series.name = line.first(i).toByteArray();
    if (i < line.size() && line[i] == '{') {
        ++i;
        while (true) {
            while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
                ++i;
            if (i < line.size() && line[i] == '}') {
                ++i;
                break;
            }
            const qsizetype start = i;
            while (i < line.size() && isNameChar(line[i], i == start))
                ++i;
            const QByteArray key = line.sliced(start, i - start).toByteArray();
            if (key.isEmpty() || i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"')
                return std::unexpected(
                    u"invalid label in %1"_s.arg(QString::fromUtf8(series.name)));
            i += 2;
            QByteArray value;
            bool closed = false;
            while (i < line.size()) {
                const char c = line[i++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\' && i < line.size()) {
                    const char escaped = line[i++];
                    value += escaped == 'n' ? '\n' : escaped;
                    continue;
                }
                value += c;
            }
            if (!closed)
                return std::unexpected(
                    u"unterminated label value in %1"_s.arg(QString::fromUtf8(series.name)));
            series.labels.insert(key, QString::fromUtf8(value));
            if (i < line.size() && line[i] == ',')
                ++i;
        }
    }
    const QList<QByteArray> rest = line.sliced(i).toByteArray().simplified().split(' ');
    if (rest.isEmpty() || rest.size() > 2 || rest[0].isEmpty())
        return std::unexpected(u"expected a value after %1"_s.arg(QString::fromUtf8(series.name)));
    const auto value = parseValue(rest[0]);
    if (!value)
        return std::unexpected(u"invalid value %1 of %2"_s.arg(QString::fromUtf8(rest[0]),
                                                               QString::fromUtf8(series.name)));
    series.value = *value;
    if (rest.size() == 2) {
        bool ok = false;
        series.timestampMs = rest[1].toLongLong(&ok);
        if (!ok)
            return std::unexpected(u"invalid timestamp %1 of %2"_s.arg(
                QString::fromUtf8(rest[1]), QString::fromUtf8(series.name)));
    }
    return series;
}

quint64 toUnsigned(double value)
{
    return value > 0 && std::isfinite(value) ? quint64(value) : 0;
}

} // namespace

std::expected<MetricsBatch, QString> parseResourceMetrics(QByteArrayView text, qint64 defaultTimeMs)
{
    MetricsBatch batch;
    MetricsPoint node;
    int lineNumber = 0;
    for (const QByteArrayView raw : QByteArray::fromRawData(text.data(), text.size()).split('\n')) {
        ++lineNumber;
        const QByteArrayView line = raw.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        auto series = parseSeries(line);
        if (!series)
            return std::unexpected(
                u"failed parsing metrics: line %1: %2"_s.arg(lineNumber).arg(series.error()));
        const qint64 time = series->timestampMs.value_or(defaultTimeMs);
        const QByteArray &name = series->name;
        if (name == "node_cpu_usage_seconds_total") {
            node.cumulativeCpuNanoSeconds = toUnsigned(series->value * 1e9);
            node.timestampMs = time;
        } else if (name == "node_memory_working_set_bytes") {
            node.memoryBytes = toUnsigned(series->value);
            node.timestampMs = time;
        } else if (name == "container_cpu_usage_seconds_total" ||
                   name == "container_memory_working_set_bytes" ||
                   name == "container_start_time_seconds") {
            const QString pod =
                series->labels.value("namespace") + u'/' + series->labels.value("pod");
            MetricsPoint &point = batch.pods[pod][series->labels.value("container")];
            if (name == "container_start_time_seconds") {
                point.startTimeMs = qint64(std::llround(series->value * 1000));
            } else if (name == "container_cpu_usage_seconds_total") {
                point.cumulativeCpuNanoSeconds = toUnsigned(series->value * 1e9);
                point.timestampMs = time;
            } else {
                point.memoryBytes = toUnsigned(series->value);
                point.timestampMs = time;
            }
        }
    }
    if (node.timestampMs != 0 && node.cumulativeCpuNanoSeconds != 0 && node.memoryBytes != 0)
        batch.node = node;
    // A container with no CPU or no memory yet makes its whole pod incomplete.
    batch.pods.removeIf([](const auto &pod) {
        return std::any_of(pod.value().cbegin(), pod.value().cend(), [](const MetricsPoint &p) {
            return p != MetricsPoint{} && (p.cumulativeCpuNanoSeconds == 0 || p.memoryBytes == 0);
        });
    });
    return batch;
}

std::optional<ResourceUsage> usageBetween(const MetricsPoint &last, const MetricsPoint &previous)
{
    const qint64 windowMs = last.timestampMs - previous.timestampMs;
    if (last.startTimeMs < previous.startTimeMs ||
        last.cumulativeCpuNanoSeconds < previous.cumulativeCpuNanoSeconds || windowMs <= 0)
        return std::nullopt;
    const double cpu = double(last.cumulativeCpuNanoSeconds - previous.cumulativeCpuNanoSeconds) /
                       (double(windowMs) / 1000.0);
    return ResourceUsage{quint64(cpu), last.memoryBytes, last.timestampMs, windowMs};
}

void MetricsStorage::store(const QString &node, const MetricsBatch &batch)
{
    const NodePoints old = m_nodes.value(node);
    NodePoints updated;
    if (batch.node) {
        updated.last = batch.node;
        if (old.last && batch.node->timestampMs > old.last->timestampMs)
            updated.previous = old.last;
        else if (old.previous && old.previous->timestampMs < batch.node->timestampMs)
            updated.previous = old.previous;
    }
    const qint64 resolutionMs = m_resolution.count();
    for (auto pod = batch.pods.cbegin(); pod != batch.pods.cend(); ++pod) {
        const Containers oldLast = old.lastPods.value(pod.key());
        const Containers oldPrevious = old.previousPods.value(pod.key());
        Containers previous;
        for (auto c = pod.value().cbegin(); c != pod.value().cend(); ++c) {
            const MetricsPoint &point = c.value();
            const qint64 age = point.timestampMs - point.startTimeMs;
            if (point.startTimeMs != 0 && point.startTimeMs < point.timestampMs &&
                age < resolutionMs && age >= kFreshContainerMinMs) {
                // Young enough to count from its start.
                MetricsPoint start = point;
                start.timestampMs = point.startTimeMs;
                start.cumulativeCpuNanoSeconds = 0;
                previous.insert(c.key(), start);
                continue;
            }
            const auto stored = oldLast.constFind(c.key());
            // A start after the stored point is a restart: nothing to compare with.
            if (stored == oldLast.cend() || point.startTimeMs >= stored->timestampMs)
                continue;
            if (point.timestampMs > stored->timestampMs) {
                previous.insert(c.key(), *stored);
            } else if (const auto before = oldPrevious.constFind(c.key());
                       before != oldPrevious.cend() && before->timestampMs < point.timestampMs) {
                previous.insert(c.key(), *before);
            }
        }
        if (!previous.isEmpty())
            updated.previousPods.insert(pod.key(), previous);
        updated.lastPods.insert(pod.key(), pod.value());
    }
    m_nodes.insert(node, updated);
}

void MetricsStorage::forget(const QString &node)
{
    m_nodes.remove(node);
}

std::optional<ResourceUsage> MetricsStorage::nodeUsage(const QString &node) const
{
    const auto points = m_nodes.constFind(node);
    if (points == m_nodes.cend() || !points->last || !points->previous)
        return std::nullopt;
    return usageBetween(*points->last, *points->previous);
}

std::optional<PodUsage> MetricsStorage::podUsage(const QString &node, const QString &ns,
                                                 const QString &name) const
{
    const auto points = m_nodes.constFind(node);
    if (points == m_nodes.cend())
        return std::nullopt;
    const QString key = ns + u'/' + name;
    const auto last = points->lastPods.constFind(key);
    const auto previous = points->previousPods.constFind(key);
    if (last == points->lastPods.cend() || previous == points->previousPods.cend())
        return std::nullopt;
    PodUsage pod;
    for (auto c = last->cbegin(); c != last->cend(); ++c) {
        const auto before = previous->constFind(c.key());
        if (before == previous->cend())
            return std::nullopt; // every container needs two points
        const auto usage = usageBetween(c.value(), *before);
        if (!usage)
            continue;
        pod.containers.append({c.key(), *usage});
        if (pod.timestampMs == 0 || usage->timestampMs < pod.timestampMs) {
            pod.timestampMs = usage->timestampMs;
            pod.windowMs = usage->windowMs;
        }
    }
    std::sort(pod.containers.begin(), pod.containers.end(),
              [](const ContainerUsage &a, const ContainerUsage &b) { return a.name < b.name; });
    return pod;
}

} // namespace timonel::apiserver
