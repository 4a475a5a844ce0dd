// The ResourceList arithmetic of k8s.io/apiserver/pkg/quota/v1/resources.go and the pod
// resource sums of k8s.io/component-helpers/resource, for quotausage.h.
#include "quotausage.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace timonel::core::quota {

namespace {

QJsonObject objectAt(const QJsonObject &o, QStringView key)
{
    return o.value(key).toObject();
}

ResourceList requestsOf(const QJsonObject &container)
{
    return resourceList(objectAt(container, u"resources").value(u"requests"));
}

ResourceList limitsOf(const QJsonObject &container)
{
    return resourceList(objectAt(container, u"resources").value(u"limits"));
}

// maxResourceList: every quantity of `other` that `list` lacks or holds less of.
void maxInto(ResourceList &list, const ResourceList &other)
{
    for (auto it = other.begin(); it != other.end(); ++it)
        if (!list.contains(it.key()) || it.value() > list.value(it.key()))
            list.insert(it.key(), it.value());
}

// AggregateContainerRequests/Limits: containers and restartable init containers (sidecars) run
// together; each other init container runs alone beside the sidecars started before it.
ResourceList aggregate(const QJsonObject &pod, ResourceList (*of)(const QJsonObject &))
{
    const QJsonObject spec = objectAt(pod, u"spec");
    ResourceList total;
    for (const QJsonValue &c : spec.value(u"containers").toArray())
        total = add(total, of(c.toObject()));
    ResourceList sidecars;
    ResourceList initMax;
    for (const QJsonValue &v : spec.value(u"initContainers").toArray()) {
        const QJsonObject c = v.toObject();
        ResourceList use = of(c);
        if (c.value(u"restartPolicy").toString() == u"Always") {
            total = add(total, use);
            sidecars = add(sidecars, use);
            use = sidecars;
        } else {
            use = add(use, sidecars);
        }
        maxInto(initMax, use);
    }
    maxInto(total, initMax);
    return total;
}

} // namespace

ResourceList resourceList(const QJsonValue &json)
{
    ResourceList list;
    const QJsonObject o = json.toObject();
    for (auto it = o.begin(); it != o.end(); ++it)
        if (auto q = Quantity::fromJson(it.value()))
            list.insert(it.key(), *q);
    return list;
}

QJsonObject toJson(const ResourceList &list)
{
    QJsonObject o;
    for (auto it = list.begin(); it != list.end(); ++it)
        o.insert(it.key(), it.value().toString());
    return o;
}

QString prettyPrint(const ResourceList &list)
{
    QStringList parts;
    for (auto it = list.begin(); it != list.end(); ++it)
        parts.append(it.key() + u'=' + it.value().toString());
    return parts.join(u',');
}

ResourceList add(const ResourceList &a, const ResourceList &b)
{
    ResourceList result = a;
    for (auto it = b.begin(); it != b.end(); ++it) {
        auto found = result.find(it.key());
        if (found == result.end())
            result.insert(it.key(), it.value());
        else
            *found += it.value();
    }
    return result;
}

ResourceList subtractNonNegative(const ResourceList &a, const ResourceList &b)
{
    ResourceList result;
    for (auto it = a.begin(); it != a.end(); ++it) {
        Quantity q = it.value();
        if (b.contains(it.key()))
            q -= b.value(it.key());
        if (q.sign() < 0)
            q = Quantity::fromValue(0, q.format());
        result.insert(it.key(), q);
    }
    for (auto it = b.begin(); it != b.end(); ++it)
        if (!result.contains(it.key()))
            result.insert(it.key(), Quantity::fromValue(0, it.value().format()));
    return result;
}

ResourceList mask(const ResourceList &list, const QStringList &names)
{
    ResourceList result;
    for (auto it = list.begin(); it != list.end(); ++it)
        if (names.contains(it.key()))
            result.insert(it.key(), it.value());
    return result;
}

ResourceList removeZeros(const ResourceList &list)
{
    ResourceList result;
    for (auto it = list.begin(); it != list.end(); ++it)
        if (!it.value().isZero())
            result.insert(it.key(), it.value());
    return result;
}

QStringList negatives(const ResourceList &list)
{
    QStringList result;
    for (auto it = list.begin(); it != list.end(); ++it)
        if (it.value().sign() < 0)
            result.append(it.key());
    return result;
}

QStringList exceeding(const ResourceList &a, const ResourceList &b)
{
    QStringList result;
    for (auto it = a.begin(); it != a.end(); ++it)
        if (b.contains(it.key()) && it.value() > b.value(it.key()))
            result.append(it.key());
    return result;
}

bool equals(const ResourceList &a, const ResourceList &b)
{
    if (a.size() != b.size())
        return false;
    for (auto it = a.begin(); it != a.end(); ++it)
        if (!b.contains(it.key()) || b.value(it.key()) != it.value())
            return false;
    return true;
}

ResourceList podRequests(const QJsonObject &pod, bool withOverhead)
{
    ResourceList requests = aggregate(pod, requestsOf);
    if (withOverhead)
        requests = add(requests, resourceList(objectAt(pod, u"spec").value(u"overhead")));
    return requests;
}

ResourceList podLimits(const QJsonObject &pod, bool withOverhead)
{
    ResourceList limits = aggregate(pod, limitsOf);
    if (withOverhead) {
        // Overhead only raises limits that are set: an unset limit stays unlimited.
        const ResourceList overhead = resourceList(objectAt(pod, u"spec").value(u"overhead"));
        for (auto it = overhead.begin(); it != overhead.end(); ++it)
            if (limits.contains(it.key()))
                limits[it.key()] += it.value();
    }
    return limits;
}

bool isBestEffort(const QJsonObject &pod)
{
    // qos.GetPodQOS: the class the API server recorded at creation, else computed.
    const QString recorded = objectAt(pod, u"status").value(u"qosClass").toString();
    if (!recorded.isEmpty())
        return recorded == u"BestEffort";
    const QJsonObject spec = objectAt(pod, u"spec");
    for (const char16_t *list : {u"containers", u"initContainers"}) {
        for (const QJsonValue &c : spec.value(list).toArray()) {
            for (const ResourceList &r : {requestsOf(c.toObject()), limitsOf(c.toObject())})
                for (const QString &name : {u"cpu"_s, u"memory"_s})
                    if (r.contains(name) && r.value(name).sign() > 0)
                        return false;
        }
    }
    return true;
}

} // namespace timonel::core::quota
