// Requests and allocatable resources: NodeResourcesFit (filter and least-allocated score) and
// NodeResourcesBalancedAllocation, as kube-scheduler's noderesources plugins.
#include "schedulingplugins.h"

#include "core/quantity.h"

#include <cmath>

using namespace Qt::StringLiterals;

namespace timonel::scheduler {

namespace {

// Kubernetes' DefaultMilliCPURequest and DefaultMemoryRequest (pkg/scheduler/util).
constexpr qint64 defaultMilliCpuRequest = 100;
constexpr qint64 defaultMemoryRequest = 200 * 1024 * 1024;

// Only these, and what looks like an extended resource or hugepages, count.
bool isScalarResource(const QString &name)
{
    return name.startsWith(u"hugepages-") || name.contains(u'/')
           || name.startsWith(u"attachable-volumes-");
}

qint64 amount(const QString &name, const QJsonValue &value)
{
    const auto q = core::Quantity::fromJson(value);
    if (!q)
        return 0;
    return name == u"cpu" ? q->milliValue() : q->value();
}

Resources resourceList(const QJsonObject &list)
{
    Resources r;
    for (auto it = list.begin(); it != list.end(); ++it)
        r.set(it.key(), amount(it.key(), it.value()));
    return r;
}

// A container's requests, with its limits standing in for missing requests (SetDefaults_Pod)
// and, for scoring, the default CPU and memory for what is still missing.
Resources containerRequests(const QJsonObject &container, bool nonZero)
{
    const QJsonObject resources = container.value(u"resources").toObject();
    QJsonObject requests = resources.value(u"requests").toObject();
    const QJsonObject limits = resources.value(u"limits").toObject();
    for (auto it = limits.begin(); it != limits.end(); ++it)
        if (!requests.contains(it.key()))
            requests.insert(it.key(), it.value());
    Resources r = resourceList(requests);
    if (nonZero) {
        if (!requests.contains(u"cpu"))
            r.milliCpu = defaultMilliCpuRequest;
        if (!requests.contains(u"memory"))
            r.memory = defaultMemoryRequest;
    }
    return r;
}

void maxInto(Resources &target, const Resources &other)
{
    target.milliCpu = std::max(target.milliCpu, other.milliCpu);
    target.memory = std::max(target.memory, other.memory);
    target.ephemeralStorage = std::max(target.ephemeralStorage, other.ephemeralStorage);
    for (auto it = other.scalar.begin(); it != other.scalar.end(); ++it)
        target.scalar[it.key()] = std::max(target.scalar.value(it.key()), it.value());
}

Resources requestsOf(const QJsonObject &pod, bool nonZero)
{
    const QJsonObject spec = pod.value(u"spec").toObject();
    Resources total;
    for (const QJsonValue &c : spec.value(u"containers").toArray())
        total += containerRequests(c.toObject(), nonZero);
    // While the i-th init container runs, the sidecars started before it run too.
    Resources sidecars;
    Resources initPeak;
    for (const QJsonValue &v : spec.value(u"initContainers").toArray()) {
        const QJsonObject c = v.toObject();
        const Resources own = containerRequests(c, nonZero);
        if (c.value(u"restartPolicy").toString() == u"Always") {
            total += own;
            sidecars += own;
            maxInto(initPeak, sidecars);
        } else {
            Resources running = own;
            running += sidecars;
            maxInto(initPeak, running);
        }
    }
    maxInto(total, initPeak);
    total += resourceList(spec.value(u"overhead").toObject());
    return total;
}

// leastRequestedScore: the share of the node left free, 0..100.
qint64 leastRequested(qint64 requested, qint64 capacity)
{
    if (capacity == 0 || requested > capacity)
        return 0;
    return (capacity - requested) * 100 / capacity;
}

} // namespace

Resources &Resources::operator+=(const Resources &other)
{
    milliCpu += other.milliCpu;
    memory += other.memory;
    ephemeralStorage += other.ephemeralStorage;
    for (auto it = other.scalar.begin(); it != other.scalar.end(); ++it)
        scalar[it.key()] += it.value();
    return *this;
}

qint64 Resources::get(const QString &name) const
{
    if (name == u"cpu")
        return milliCpu;
    if (name == u"memory")
        return memory;
    if (name == u"ephemeral-storage")
        return ephemeralStorage;
    return scalar.value(name);
}

void Resources::set(const QString &name, qint64 value)
{
    if (name == u"cpu")
        milliCpu = value;
    else if (name == u"memory")
        memory = value;
    else if (name == u"ephemeral-storage")
        ephemeralStorage = value;
    else if (isScalarResource(name))
        scalar.insert(name, value);
}

Resources podRequests(const QJsonObject &pod)
{
    return requestsOf(pod, false);
}

Resources nonZeroPodRequests(const QJsonObject &pod)
{
    return requestsOf(pod, true);
}

PodInfo PodInfo::from(const QJsonObject &pod)
{
    const QJsonObject meta = pod.value(u"metadata").toObject();
    return {pod,
            meta.value(u"namespace").toString() + u'/' + meta.value(u"name").toString(),
            pod.value(u"spec").toObject().value(u"nodeName").toString(),
            podRequests(pod),
            nonZeroPodRequests(pod)};
}

NodeInfo NodeInfo::fromNode(const QJsonObject &node)
{
    NodeInfo info;
    info.node = node;
    const QJsonObject meta = node.value(u"metadata").toObject();
    info.name = meta.value(u"name").toString();
    info.labels = meta.value(u"labels").toObject();
    const QJsonObject spec = node.value(u"spec").toObject();
    const QJsonObject status = node.value(u"status").toObject();
    info.taints = spec.value(u"taints").toArray();

    // TaintNodesByCondition: a node that is not Ready takes no new pods, whether or not the
    // node lifecycle controller has written the taint yet. A node without a Ready condition
    // has just registered, which a kubelet does with the not-ready taint.
    QString ready = u"False"_s;
    for (const QJsonValue &c : status.value(u"conditions").toArray())
        if (c.toObject().value(u"type").toString() == u"Ready")
            ready = c.toObject().value(u"status").toString();
    if (ready != u"True") {
        const QString key = ready == u"Unknown" ? u"node.kubernetes.io/unreachable"_s
                                                : u"node.kubernetes.io/not-ready"_s;
        bool present = false;
        for (const QJsonValue &t : std::as_const(info.taints))
            present = present
                      || (t.toObject().value(u"key").toString() == key
                          && t.toObject().value(u"effect").toString() == u"NoSchedule");
        if (!present)
            info.taints.append(QJsonObject{{u"key"_s, key}, {u"effect"_s, u"NoSchedule"_s}});
    }

    const QJsonObject allocatable = status.contains(u"allocatable")
                                        ? status.value(u"allocatable").toObject()
                                        : status.value(u"capacity").toObject();
    info.allocatable = resourceList(allocatable);
    info.allowedPods = amount(u"pods"_s, allocatable.value(u"pods"));
    return info;
}

void NodeInfo::addPod(const PodInfo &pod)
{
    pods.append(pod);
    requested += pod.requests;
    nonZeroRequested += pod.nonZeroRequests;
}

Status filterNodeResources(const PodInfo &pod, const NodeInfo &node)
{
    QStringList reasons;
    if (node.pods.size() + 1 > node.allowedPods)
        reasons.append(u"Too many pods"_s);
    const Resources &want = pod.requests;
    const Resources &free = node.allocatable;
    const Resources &used = node.requested;
    if (want.milliCpu > 0 && want.milliCpu > free.milliCpu - used.milliCpu)
        reasons.append(u"Insufficient cpu"_s);
    if (want.memory > 0 && want.memory > free.memory - used.memory)
        reasons.append(u"Insufficient memory"_s);
    if (want.ephemeralStorage > 0
        && want.ephemeralStorage > free.ephemeralStorage - used.ephemeralStorage)
        reasons.append(u"Insufficient ephemeral-storage"_s);
    QStringList scalars = want.scalar.keys();
    scalars.sort();
    for (const QString &name : std::as_const(scalars)) {
        const qint64 quantity = want.scalar.value(name);
        if (quantity > 0 && quantity > free.scalar.value(name) - used.scalar.value(name))
            reasons.append(u"Insufficient "_s + name);
    }
    if (reasons.isEmpty())
        return Status::success();
    return Status::unschedulable(reasons);
}

qint64 leastAllocatedScore(const PodInfo &pod, const NodeInfo &node)
{
    // cpu and memory, weight 1 each (the default NodeResourcesFitArgs).
    qint64 total = 0;
    qint64 weights = 0;
    if (node.allocatable.milliCpu > 0) {
        total += leastRequested(node.nonZeroRequested.milliCpu + pod.nonZeroRequests.milliCpu,
                                node.allocatable.milliCpu);
        ++weights;
    }
    if (node.allocatable.memory > 0) {
        total += leastRequested(node.nonZeroRequested.memory + pod.nonZeroRequests.memory,
                                node.allocatable.memory);
        ++weights;
    }
    return weights == 0 ? 0 : total / weights;
}

qint64 balancedAllocationScore(const PodInfo &pod, const NodeInfo &node)
{
    // A pod that requests nothing is skipped (the same score everywhere).
    if (pod.requests.milliCpu == 0 && pod.requests.memory == 0)
        return 0;
    QList<double> fractions;
    const std::pair<qint64, qint64> pairs[] = {
        {node.requested.milliCpu + pod.requests.milliCpu, node.allocatable.milliCpu},
        {node.requested.memory + pod.requests.memory, node.allocatable.memory}};
    for (const auto &[requested, allocatable] : pairs) {
        if (allocatable == 0)
            continue;
        fractions.append(std::min(1.0, double(requested) / double(allocatable)));
    }
    const double deviation =
        fractions.size() == 2 ? std::abs((fractions[0] - fractions[1]) / 2) : 0.0;
    return qint64((1 - deviation) * 100);
}

} // namespace timonel::scheduler
