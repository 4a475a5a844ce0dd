#include "resourcestats.h"

#include "runtimelabels.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QThread>
#include <QTimer>
#include <QTimeZone>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace Qt::StringLiterals;

namespace timonel::kubelet {

Q_LOGGING_CATEGORY(lcResourceStats, "timonel.kubelet", QtInfoMsg)

namespace {

constexpr int kStatsTimeoutMs = 5000;
constexpr qsizetype kParallelStats = 16; // Docker stats requests at once

// --- Prometheus text ----------------------------------------------------------------------------

QByteArray escapeLabel(const QString &value)
{
    QByteArray out;
    for (const char c : value.toUtf8()) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

struct Sample
{
    QList<std::pair<QByteArray, QString>> labels; // sorted by name, as the Go client sorts them
    double value = 0;
    QDateTime time; // invalid: no timestamp
};

struct Family
{
    const char *name;
    const char *type;
    const char *help;
    QList<Sample> samples;
};

void writeFamily(QByteArray &out, Family family)
{
    if (family.samples.isEmpty())
        return; // the Go client leaves out families without samples
    std::sort(family.samples.begin(), family.samples.end(), [](const Sample &a, const Sample &b) {
        for (qsizetype i = 0; i < a.labels.size() && i < b.labels.size(); ++i) {
            if (a.labels[i].second != b.labels[i].second)
                return a.labels[i].second < b.labels[i].second;
        }
        return false;
    });
    out += "# HELP "_ba + family.name + ' ' + family.help + '\n';
    out += "# TYPE "_ba + family.name + ' ' + family.type + '\n';
    for (const Sample &s : std::as_const(family.samples)) {
        out += family.name;
        if (!s.labels.isEmpty()) {
            out += '{';
            for (qsizetype i = 0; i < s.labels.size(); ++i) {
                if (i > 0)
                    out += ',';
                out += s.labels[i].first + "=\"" + escapeLabel(s.labels[i].second) + '"';
            }
            out += '}';
        }
        out += ' ' + prometheusFloat(s.value);
        if (s.time.isValid())
            out += ' ' + QByteArray::number(s.time.toMSecsSinceEpoch());
        out += '\n';
    }
}

double seconds(quint64 nanoseconds)
{
    return double(nanoseconds) / 1e9;
}

// --- Docker stats and cgroup files ---------------------------------------------------------------

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A "key value" line of cpu.stat or memory.stat.
std::optional<quint64> statValue(const QByteArray &text, QByteArrayView key)
{
    for (const QByteArray &line : text.split('\n')) {
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() == 2 && fields[0] == key) {
            bool ok = false;
            const quint64 value = fields[1].toULongLong(&ok);
            if (ok)
                return value;
        }
    }
    return std::nullopt;
}

quint64 workingSet(quint64 usage, quint64 inactiveFile)
{
    return usage > inactiveFile ? usage - inactiveFile : 0;
}

// Docker's "read": RFC 3339 with nanoseconds, kept to the millisecond.
QDateTime parseDockerTime(const QString &text)
{
    QString trimmed = text;
    const qsizetype dot = text.indexOf(u'.');
    if (dot >= 0) {
        qsizetype end = dot + 1;
        while (end < text.size() && text[end].isDigit())
            ++end;
        trimmed = text.left(dot) + text.mid(dot, std::min<qsizetype>(4, end - dot)) + text.mid(end);
    }
    QDateTime time = QDateTime::fromString(trimmed, Qt::ISODateWithMs);
    // Stopped containers report the zero time.
    return time.isValid() && time.date().year() > 1 ? time.toUTC() : QDateTime();
}

// One Docker stats answer: the daemon's read time, cumulative CPU and the working set.
std::optional<ResourceUsage> parseStats(const QJsonObject &stats)
{
    ResourceUsage usage;
    usage.time = parseDockerTime(stats.value(u"read").toString());
    if (!usage.time.isValid())
        return std::nullopt;
    usage.cpuCoreNanoSeconds = quint64(stats.value(u"cpu_stats")
                                           .toObject()
                                           .value(u"cpu_usage")
                                           .toObject()
                                           .value(u"total_usage")
                                           .toDouble());
    const QJsonObject memory = stats.value(u"memory_stats").toObject();
    const QJsonObject memoryStats = memory.value(u"stats").toObject();
    // cgroup v1 reports the hierarchy's total_inactive_file, v2 inactive_file.
    const QJsonValue inactive = memoryStats.contains(u"total_inactive_file")
                                    ? memoryStats.value(u"total_inactive_file")
                                    : memoryStats.value(u"inactive_file");
    usage.memoryWorkingSetBytes =
        workingSet(quint64(memory.value(u"usage").toDouble()), quint64(inactive.toDouble()));
    return usage;
}

std::optional<quint64> rate(quint64 previousCpu, const QDateTime &previousTime, quint64 cpu,
                            const QDateTime &time)
{
    const qint64 elapsedMs = previousTime.isValid() ? previousTime.msecsTo(time) : 0;
    if (elapsedMs <= 0 || cpu < previousCpu)
        return std::nullopt;
    return quint64(std::llround(double(cpu - previousCpu) * 1000.0 / double(elapsedMs)));
}

} // namespace

QByteArray prometheusFloat(double value)
{
    if (value == 0)
        return "0";
    if (value == 1)
        return "1";
    if (value == -1)
        return "-1";
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    // The shortest digits that read back the same, then Go's choice between %e and %f: %e when
    // the exponent is below -4 or at least 6 (the "shortest" precision rule of strconv).
    const QByteArray e = QByteArray::number(std::fabs(value), 'e', QLocale::FloatingPointShortest);
    const qsizetype mark = e.indexOf('e');
    QByteArray digits = e.left(mark);
    digits.replace(".", "");
    const int exponent = e.mid(mark + 1).toInt();
    QByteArray out = value < 0 ? "-" : "";
    if (exponent < -4 || exponent >= 6) {
        out += digits.left(1);
        if (digits.size() > 1)
            out += '.' + digits.mid(1);
        out += exponent < 0 ? "e-" : "e+";
        out += QByteArray::number(std::abs(exponent)).rightJustified(2, '0');
    } else if (exponent >= 0) {
        const QByteArray whole = digits.left(exponent + 1).leftJustified(exponent + 1, '0');
        const QByteArray fraction = digits.mid(exponent + 1);
        out += whole;
        if (!fraction.isEmpty())
            out += '.' + fraction;
    } else {
        out += "0." + QByteArray(-exponent - 1, '0') + digits;
    }
    return out;
}

QByteArray resourceMetricsText(const ResourceStats &stats)
{
    Family containerCpu{"container_cpu_usage_seconds_total",
                        "counter",
                        "[STABLE] Cumulative cpu time consumed by the container in core-seconds",
                        {}};
    Family containerMemory{"container_memory_working_set_bytes",
                           "gauge",
                           "[STABLE] Current working set of the container in bytes",
                           {}};
    Family containerStart{"container_start_time_seconds",
                          "gauge",
                          "[STABLE] Start time of the container since unix epoch in seconds",
                          {}};
    Family nodeCpu{"node_cpu_usage_seconds_total",
                   "counter",
                   "[STABLE] Cumulative cpu time consumed by the node in core-seconds",
                   {}};
    Family nodeMemory{"node_memory_working_set_bytes",
                      "gauge",
                      "[STABLE] Current working set of the node in bytes",
                      {}};
    Family podCpu{"pod_cpu_usage_seconds_total",
                  "counter",
                  "[STABLE] Cumulative cpu time consumed by the pod in core-seconds",
                  {}};
    Family podMemory{"pod_memory_working_set_bytes",
                     "gauge",
                     "[STABLE] Current working set of the pod in bytes",
                     {}};
    Family scrapeError{"resource_scrape_error",
                       "gauge",
                       "[STABLE] 1 if there was an error while getting container metrics, 0 "
                       "otherwise",
                       {{{}, stats.sampled ? 0.0 : 1.0, {}}}};
    if (stats.sampled) {
        nodeCpu.samples.append({{}, seconds(stats.node.cpuCoreNanoSeconds), stats.node.time});
        nodeMemory.samples.append({{}, double(stats.node.memoryWorkingSetBytes), stats.node.time});
        for (const PodResourceStats &pod : stats.pods) {
            const QList<std::pair<QByteArray, QString>> podLabels{{"namespace", pod.ns},
                                                                  {"pod", pod.name}};
            podCpu.samples.append(
                {podLabels, seconds(pod.usage.cpuCoreNanoSeconds), pod.usage.time});
            podMemory.samples.append(
                {podLabels, double(pod.usage.memoryWorkingSetBytes), pod.usage.time});
            for (const ContainerResourceStats &c : pod.containers) {
                const QList<std::pair<QByteArray, QString>> labels{
                    {"container", c.name}, {"namespace", pod.ns}, {"pod", pod.name}};
                if (c.startTime.isValid())
                    containerStart.samples.append(
                        {labels, double(c.startTime.toMSecsSinceEpoch()) / 1000.0, {}});
                containerCpu.samples.append(
                    {labels, seconds(c.usage.cpuCoreNanoSeconds), c.usage.time});
                containerMemory.samples.append(
                    {labels, double(c.usage.memoryWorkingSetBytes), c.usage.time});
            }
        }
    }
    QByteArray out;
    for (Family *family : {&containerCpu, &containerMemory, &containerStart, &nodeCpu, &nodeMemory,
                           &podCpu, &podMemory, &scrapeError})
        writeFamily(out, std::move(*family));
    return out;
}

std::optional<CgroupUsage> readCgroupUsage(const QString &root)
{
    if (root.isEmpty())
        return std::nullopt;
    // cgroup v2: the unified hierarchy's files at the root of the node container's namespace.
    const QByteArray cpuStat = readFile(root + u"/cpu.stat"_s);
    const QByteArray memoryCurrent = readFile(root + u"/memory.current"_s).trimmed();
    if (const auto usec = statValue(cpuStat, "usage_usec"); usec && !memoryCurrent.isEmpty()) {
        const QByteArray memoryStat = readFile(root + u"/memory.stat"_s);
        return CgroupUsage{*usec * 1000,
                           workingSet(memoryCurrent.toULongLong(),
                                      statValue(memoryStat, "inactive_file").value_or(0))};
    }
    // cgroup v1: one hierarchy per controller.
    QByteArray cpu = readFile(root + u"/cpuacct/cpuacct.usage"_s).trimmed();
    if (cpu.isEmpty())
        cpu = readFile(root + u"/cpu,cpuacct/cpuacct.usage"_s).trimmed();
    const QByteArray memory = readFile(root + u"/memory/memory.usage_in_bytes"_s).trimmed();
    if (cpu.isEmpty() || memory.isEmpty())
        return std::nullopt;
    const QByteArray memoryStat = readFile(root + u"/memory/memory.stat"_s);
    return CgroupUsage{
        cpu.toULongLong(),
        workingSet(memory.toULongLong(), statValue(memoryStat, "total_inactive_file").value_or(0))};
}

// The sampling itself, on the worker thread: Docker calls block there. It keeps the previous
// sample of every container for rates, and the CPU time of containers that went away, so that
// the pod's and node's counters never decrease, as their cgroups' do not on a real node.
class ResourceSampler
{
public:
    explicit ResourceSampler(ResourceStatsOptions options) : m_options(std::move(options)) {}

    ResourceStats sample();

private:
    struct Measured
    {
        QString id;
        QString podUid;
        QString ns;
        QString pod;
        QString container; // "POD" for the sandbox
        bool sandbox = false;
        qint64 created = 0;
        QDateTime startTime;
        ResourceUsage usage;
    };
    struct Seen
    {
        QString podUid;
        quint64 cpu = 0;
        QDateTime time;
    };

    QList<std::optional<ResourceUsage>> containerUsages(const QStringList &ids) const;

    ResourceStatsOptions m_options;
    QHash<QString, Seen> m_seen;             // by container id
    QHash<QString, quint64> m_departedByPod; // CPU time of containers gone, by pod uid
    quint64 m_departed = 0;
    QHash<QString, ResourceUsage> m_previousPods; // by uid
    std::optional<ResourceUsage> m_previousNode;
};

QList<std::optional<ResourceUsage>> ResourceSampler::containerUsages(const QStringList &ids) const
{
    // One sample each without the second that stream=false otherwise waits for (precpu_stats):
    // rates come from our own previous sample. The daemon answers a one-shot request at its
    // next collection tick (up to a second), so the requests of a batch run side by side.
    QList<std::optional<ResourceUsage>> usages(ids.size());
    for (qsizetype first = 0; first < ids.size(); first += kParallelStats) {
        std::vector<std::unique_ptr<docker::DockerCall>> calls;
        for (qsizetype i = first; i < std::min(ids.size(), first + kParallelStats); ++i) {
            auto call = m_options.docker.call(
                "GET", u"/containers/%1/stats?stream=false&one-shot=true"_s.arg(ids[i]));
            if (call)
                call->start();
            calls.push_back(std::move(call));
        }
        const QDeadlineTimer deadline(kStatsTimeoutMs);
        for (size_t i = 0; i < calls.size(); ++i) {
            docker::DockerCall *call = calls[i].get();
            if (!call ||
                !call->waitForFinished(int(std::max<qint64>(deadline.remainingTime(), 1))) ||
                call->error())
                continue;
            usages[first + qsizetype(i)] =
                parseStats(QJsonDocument::fromJson(call->body()).object());
        }
    }
    return usages;
}

ResourceStats ResourceSampler::sample()
{
    ResourceStats result;
    auto listed = m_options.docker.listContainers(
        docker::labelFilter(labels::node, m_options.nodeName), false);
    if (!listed) {
        qCWarning(lcResourceStats).noquote()
            << "cannot list the pods' containers for resource metrics:" << listed.error().message;
        return result;
    }
    QList<Measured> listedContainers;
    QStringList ids;
    for (const QJsonValue &v : std::as_const(*listed)) {
        const QJsonObject c = v.toObject();
        const QJsonObject l = c.value(u"Labels").toObject();
        Measured m;
        m.id = c.value(u"Id").toString();
        m.podUid = l.value(labels::podUid).toString();
        m.ns = l.value(labels::podNamespace).toString();
        m.pod = l.value(labels::podName).toString();
        m.container = l.value(labels::containerName).toString();
        m.sandbox = l.value(labels::containerType).toString() == labels::sandboxType;
        m.created = c.value(u"Created").toInteger();
        m.startTime = QDateTime::fromSecsSinceEpoch(m.created, QTimeZone::UTC);
        if (m.podUid.isEmpty() || m.pod.isEmpty())
            continue;
        listedContainers.append(m);
        ids.append(m.id);
    }
    const QList<std::optional<ResourceUsage>> usages = containerUsages(ids);
    QList<Measured> measured;
    QHash<QString, Seen> seen;
    for (qsizetype i = 0; i < listedContainers.size(); ++i) {
        Measured &m = listedContainers[i];
        if (!usages[i]) {
            // Gone since the listing, or Docker was slow: not counted as departed while listed.
            if (m_seen.contains(m.id))
                seen.insert(m.id, m_seen.value(m.id));
            continue;
        }
        m.usage = *usages[i];
        if (auto previous = m_seen.constFind(m.id); previous != m_seen.cend())
            m.usage.cpuNanoCores =
                rate(previous->cpu, previous->time, m.usage.cpuCoreNanoSeconds, m.usage.time);
        seen.insert(m.id, {m.podUid, m.usage.cpuCoreNanoSeconds, m.usage.time});
        measured.append(m);
    }
    for (auto it = m_seen.cbegin(); it != m_seen.cend(); ++it) {
        if (!seen.contains(it.key())) {
            m_departed += it->cpu;
            m_departedByPod[it->podUid] += it->cpu;
        }
    }
    m_seen = seen;

    // A pod name taken over by a new pod while the old one's containers linger: the newest
    // sandbox names the pod, as the node agent's server decides.
    QHash<QString, std::pair<qint64, QString>> newestUid; // "ns/name" -> (created, uid)
    for (const Measured &m : std::as_const(measured)) {
        auto &newest = newestUid[m.ns + u'/' + m.pod];
        if (newest.second.isEmpty() || (m.sandbox && m.created > newest.first))
            newest = {m.sandbox ? m.created : -1, m.podUid};
    }
    QHash<QString, PodResourceStats> pods; // by uid
    for (const Measured &m : std::as_const(measured)) {
        if (newestUid.value(m.ns + u'/' + m.pod).second != m.podUid)
            continue;
        PodResourceStats &pod = pods[m.podUid];
        pod.ns = m.ns;
        pod.name = m.pod;
        pod.uid = m.podUid;
        pod.usage.cpuCoreNanoSeconds += m.usage.cpuCoreNanoSeconds;
        pod.usage.memoryWorkingSetBytes += m.usage.memoryWorkingSetBytes;
        if (!pod.usage.time.isValid() || m.usage.time > pod.usage.time)
            pod.usage.time = m.usage.time;
        if (m.sandbox)
            continue;
        // Two instances of one container while a restart settles: the newest counts.
        auto same =
            std::find_if(pod.containers.begin(), pod.containers.end(),
                         [&](const ContainerResourceStats &c) { return c.name == m.container; });
        if (same == pod.containers.end())
            pod.containers.append({m.container, m.startTime, m.usage});
        else if (m.startTime > same->startTime)
            *same = {m.container, m.startTime, m.usage};
    }
    QHash<QString, ResourceUsage> previousPods;
    for (PodResourceStats &pod : pods) {
        pod.usage.cpuCoreNanoSeconds += m_departedByPod.value(pod.uid);
        if (auto previous = m_previousPods.constFind(pod.uid); previous != m_previousPods.cend())
            pod.usage.cpuNanoCores = rate(previous->cpuCoreNanoSeconds, previous->time,
                                          pod.usage.cpuCoreNanoSeconds, pod.usage.time);
        previousPods.insert(pod.uid, pod.usage);
        std::sort(pod.containers.begin(), pod.containers.end(),
                  [](const auto &a, const auto &b) { return a.name < b.name; });
        result.pods.append(pod);
    }
    m_previousPods = previousPods;
    m_departedByPod.removeIf([&](const auto &it) { return !pods.contains(it.key()); });
    std::sort(result.pods.begin(), result.pods.end(), [](const auto &a, const auto &b) {
        return std::pair(a.ns, a.name) < std::pair(b.ns, b.name);
    });

    ResourceUsage &node = result.node;
    node.time = QDateTime::currentDateTimeUtc();
    node.cpuCoreNanoSeconds = m_departed;
    for (const Measured &m : std::as_const(measured)) {
        node.cpuCoreNanoSeconds += m.usage.cpuCoreNanoSeconds;
        node.memoryWorkingSetBytes += m.usage.memoryWorkingSetBytes;
    }
    if (const auto own = readCgroupUsage(m_options.cgroupRoot)) {
        node.cpuCoreNanoSeconds += own->cpuCoreNanoSeconds;
        node.memoryWorkingSetBytes += own->memoryWorkingSetBytes;
    }
    if (m_previousNode)
        node.cpuNanoCores = rate(m_previousNode->cpuCoreNanoSeconds, m_previousNode->time,
                                 node.cpuCoreNanoSeconds, node.time);
    m_previousNode = node;
    result.sampled = true;
    return result;
}

ResourceStatsCollector::ResourceStatsCollector(ResourceStatsOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options)),
      m_sampler(std::make_unique<ResourceSampler>(m_options)), m_timer(new QTimer(this))
{
    m_timer->setInterval(m_options.interval);
    connect(m_timer, &QTimer::timeout, this, &ResourceStatsCollector::tick);
}

ResourceStatsCollector::~ResourceStatsCollector()
{
    stop();
}

void ResourceStatsCollector::start()
{
    if (!m_thread) {
        m_thread = new QThread(this);
        m_thread->setObjectName(u"resource-stats"_s);
        m_worker = new QObject;
        m_worker->moveToThread(m_thread);
        connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
        m_thread->start();
    }
    m_timer->start();
    tick();
}

void ResourceStatsCollector::stop()
{
    m_timer->stop();
    if (!m_thread)
        return;
    // Quitting also ends the local event loop of a Docker call in progress.
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_worker = nullptr;
    m_busy = false;
}

void ResourceStatsCollector::tick()
{
    // A slow Docker skips a beat rather than queueing samples behind each other.
    if (m_busy || !m_thread)
        return;
    m_busy = true;
    ResourceSampler *sampler = m_sampler.get();
    QMetaObject::invokeMethod(m_worker, [this, sampler] {
        ResourceStats stats = sampler->sample();
        // Posted to the collector's thread; dropped if the collector is gone by then (its
        // destructor waits for this thread first, so `this` is alive while posting).
        QMetaObject::invokeMethod(
            this,
            [this, stats = std::move(stats)] {
                m_busy = false;
                m_stats = stats;
                Q_EMIT sampled();
            },
            Qt::QueuedConnection);
    });
}

} // namespace timonel::kubelet
