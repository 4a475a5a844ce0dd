#include "limitrangeadmission.h"

#include "core/quotausage.h"

#include <QJsonArray>
#include <QSet>

#include <limits>

using namespace Qt::StringLiterals;
using timonel::core::Quantity;
using timonel::core::quota::ResourceList;
using timonel::core::quota::resourceList;

namespace timonel::apiserver {

namespace {

constexpr qint64 maxMilliValue = std::numeric_limits<qint64>::max() / 1000;

QJsonObject objectAt(const QJsonObject &o, QStringView key)
{
    return o.value(key).toObject();
}

QJsonArray limitItems(const QJsonObject &limitRange)
{
    return objectAt(limitRange, u"spec").value(u"limits").toArray();
}

// requestLimitEnforcedValues: milli-units where none of the three would overflow them.
struct Compared
{
    qint64 request = 0;
    qint64 limit = 0;
    qint64 enforced = 0;
};

Compared compared(const Quantity &request, const Quantity &limit, const Quantity &enforced)
{
    Compared c{request.value(), limit.value(), enforced.value()};
    if (c.request <= maxMilliValue && c.limit <= maxMilliValue && c.enforced <= maxMilliValue)
        c = {request.milliValue(), limit.milliValue(), enforced.milliValue()};
    return c;
}

std::optional<QString> minConstraint(const QString &type, const QString &name,
                                     const Quantity &enforced, const ResourceList &requests,
                                     const ResourceList &limits)
{
    const auto c = compared(requests.value(name), limits.value(name), enforced);
    if (!requests.contains(name))
        return u"minimum %1 usage per %2 is %3.  No request is specified"_s.arg(
            name, type, enforced.toString());
    if (c.request < c.enforced)
        return u"minimum %1 usage per %2 is %3, but request is %4"_s.arg(
            name, type, enforced.toString(), requests.value(name).toString());
    if (limits.contains(name) && c.limit < c.enforced)
        return u"minimum %1 usage per %2 is %3, but limit is %4"_s.arg(
            name, type, enforced.toString(), limits.value(name).toString());
    return std::nullopt;
}

// For claims, whose limits nobody sets: the max bounds the request.
std::optional<QString> maxRequestConstraint(const QString &type, const QString &name,
                                            const Quantity &enforced, const ResourceList &requests)
{
    const auto c = compared(requests.value(name), Quantity(), enforced);
    if (!requests.contains(name))
        return u"maximum %1 usage per %2 is %3.  No request is specified"_s.arg(
            name, type, enforced.toString());
    if (c.request > c.enforced)
        return u"maximum %1 usage per %2 is %3, but request is %4"_s.arg(
            name, type, enforced.toString(), requests.value(name).toString());
    return std::nullopt;
}

std::optional<QString> maxConstraint(const QString &type, const QString &name,
                                     const Quantity &enforced, const ResourceList &requests,
                                     const ResourceList &limits)
{
    const auto c = compared(requests.value(name), limits.value(name), enforced);
    if (!limits.contains(name))
        return u"maximum %1 usage per %2 is %3.  No limit is specified"_s.arg(name, type,
                                                                              enforced.toString());
    if (c.limit > c.enforced)
        return u"maximum %1 usage per %2 is %3, but limit is %4"_s.arg(
            name, type, enforced.toString(), limits.value(name).toString());
    if (requests.contains(name) && c.request > c.enforced)
        return u"maximum %1 usage per %2 is %3, but request is %4"_s.arg(
            name, type, enforced.toString(), requests.value(name).toString());
    return std::nullopt;
}

std::optional<QString> ratioConstraint(const QString &type, const QString &name,
                                       const Quantity &enforced, const ResourceList &requests,
                                       const ResourceList &limits)
{
    const auto c = compared(requests.value(name), limits.value(name), enforced);
    if (!requests.contains(name) || c.request == 0)
        return u"%1 max limit to request ratio per %2 is %3, but no request is specified or "
               "request is 0"_s.arg(name, type, enforced.toString());
    if (!limits.contains(name) || c.limit == 0)
        return u"%1 max limit to request ratio per %2 is %3, but no limit is specified or "
               "limit is 0"_s.arg(name, type, enforced.toString());
    double observed = double(c.limit) / double(c.request);
    const double shown = observed;
    double allowed = double(enforced.value());
    if (enforced.value() <= maxMilliValue) {
        observed *= 1000;
        allowed = double(enforced.milliValue());
    }
    if (observed > allowed)
        return u"%1 max limit to request ratio per %2 is %3, but provided ratio is %4"_s.arg(
            name, type, enforced.toString(), QString::number(shown, 'f', 6));
    return std::nullopt;
}

// min, max and maxLimitRequestRatio of one item against one set of requests and limits.
void checkItem(const QJsonObject &item, const QString &type, const ResourceList &requests,
               const ResourceList &limits, QStringList &errors)
{
    auto note = [&](const std::optional<QString> &e) {
        if (e)
            errors.append(*e);
    };
    const ResourceList min = resourceList(item.value(u"min"));
    for (auto it = min.begin(); it != min.end(); ++it)
        note(minConstraint(type, it.key(), it.value(), requests, limits));
    const ResourceList max = resourceList(item.value(u"max"));
    for (auto it = max.begin(); it != max.end(); ++it)
        note(maxConstraint(type, it.key(), it.value(), requests, limits));
    const ResourceList ratios = resourceList(item.value(u"maxLimitRequestRatio"));
    for (auto it = ratios.begin(); it != ratios.end(); ++it)
        note(ratioConstraint(type, it.key(), it.value(), requests, limits));
}

// utilerrors.NewAggregate(...).Error(): one message as it is, several deduplicated in brackets.
QString aggregate(const QStringList &errors)
{
    QStringList unique;
    for (const QString &e : errors)
        if (!unique.contains(e))
            unique.append(e);
    return unique.size() == 1 ? unique.first() : u"[%1]"_s.arg(unique.join(u", "_s));
}

QStringList podViolations(const QJsonObject &limitRange, const QJsonObject &pod)
{
    QStringList errors;
    const QJsonObject spec = objectAt(pod, u"spec");
    for (const QJsonValue &v : limitItems(limitRange)) {
        const QJsonObject item = v.toObject();
        const QString type = item.value(u"type").toString();
        if (type == u"Container") {
            for (const char16_t *list : {u"containers", u"initContainers"}) {
                for (const QJsonValue &c : spec.value(list).toArray()) {
                    const QJsonObject resources = objectAt(c.toObject(), u"resources");
                    checkItem(item, type, resourceList(resources.value(u"requests")),
                              resourceList(resources.value(u"limits")), errors);
                }
            }
        } else if (type == u"Pod") {
            // The pod as the node reserves it, without its overhead.
            checkItem(item, type, core::quota::podRequests(pod, false),
                      core::quota::podLimits(pod, false), errors);
        }
    }
    return errors;
}

QStringList claimViolations(const QJsonObject &limitRange, const QJsonObject &claim)
{
    QStringList errors;
    const ResourceList requests =
        resourceList(objectAt(objectAt(claim, u"spec"), u"resources").value(u"requests"));
    for (const QJsonValue &v : limitItems(limitRange)) {
        const QJsonObject item = v.toObject();
        const QString type = item.value(u"type").toString();
        if (type != u"PersistentVolumeClaim")
            continue;
        const ResourceList min = resourceList(item.value(u"min"));
        for (auto it = min.begin(); it != min.end(); ++it)
            if (auto e = minConstraint(type, it.key(), it.value(), requests, {}))
                errors.append(*e);
        const ResourceList max = resourceList(item.value(u"max"));
        for (auto it = max.begin(); it != max.end(); ++it)
            if (auto e = maxRequestConstraint(type, it.key(), it.value(), requests))
                errors.append(*e);
    }
    return errors;
}

// mergeContainerResources: what one container leaves out, and the annotation's words for it.
void mergeContainer(QJsonObject &container, const QJsonObject &defaultLimits,
                    const QJsonObject &defaultRequests, const QString &kind,
                    QStringList &annotations)
{
    QJsonObject resources = objectAt(container, u"resources");
    QStringList setRequests, setLimits;
    auto fill = [&](const char16_t *field, const QJsonObject &defaults, QStringList &set) {
        QJsonObject values = objectAt(resources, field);
        for (auto it = defaults.begin(); it != defaults.end(); ++it) {
            if (!values.contains(it.key())) {
                values.insert(it.key(), it.value());
                set.append(it.key());
            }
        }
        if (!values.isEmpty())
            resources.insert(QString::fromUtf16(field), values);
    };
    fill(u"limits", defaultLimits, setLimits);
    fill(u"requests", defaultRequests, setRequests);
    const QString name = container.value(u"name").toString();
    if (!setRequests.isEmpty()) {
        setRequests.sort();
        annotations.append(u"%1 request for %2 %3"_s.arg(setRequests.join(u", "_s), kind, name));
    }
    if (!setLimits.isEmpty()) {
        setLimits.sort();
        annotations.append(u"%1 limit for %2 %3"_s.arg(setLimits.join(u", "_s), kind, name));
    }
    container.insert(u"resources"_s, resources);
}

} // namespace

void defaultLimitRange(QJsonObject &limitRange)
{
    QJsonObject spec = objectAt(limitRange, u"spec");
    QJsonArray items = spec.value(u"limits").toArray();
    for (qsizetype i = 0; i < items.size(); ++i) {
        QJsonObject item = items[i].toObject();
        if (item.value(u"type").toString() != u"Container")
            continue;
        QJsonObject defaults = objectAt(item, u"default");
        QJsonObject defaultRequests = objectAt(item, u"defaultRequest");
        auto takeMissing = [](QJsonObject &into, const QJsonObject &from) {
            for (auto it = from.begin(); it != from.end(); ++it)
                if (!into.contains(it.key()))
                    into.insert(it.key(), it.value());
        };
        takeMissing(defaults, objectAt(item, u"max"));
        takeMissing(defaultRequests, defaults);
        takeMissing(defaultRequests, objectAt(item, u"min"));
        if (!defaults.isEmpty())
            item.insert(u"default"_s, defaults);
        if (!defaultRequests.isEmpty())
            item.insert(u"defaultRequest"_s, defaultRequests);
        items[i] = item;
    }
    spec.insert(u"limits"_s, items);
    limitRange.insert(u"spec"_s, spec);
}

FieldErrors validateLimitRange(const QJsonObject &limitRange)
{
    FieldErrors errors;
    QSet<QString> types;
    const QJsonArray items = limitItems(limitRange);
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QJsonObject item = items[i].toObject();
        const QString path = u"spec.limits[%1]"_s.arg(i);
        const QString type = item.value(u"type").toString();
        if (types.contains(type))
            errors.append(FieldError::duplicate(path + u".type"_s, type));
        types.insert(type);

        const ResourceList min = resourceList(item.value(u"min"));
        const ResourceList max = resourceList(item.value(u"max"));
        ResourceList defaults, defaultRequests;
        if (type == u"Pod") {
            if (!objectAt(item, u"default").isEmpty())
                errors.append(FieldError::forbidden(
                    path + u".default"_s, u"may not be specified when `type` is 'Pod'"_s));
            if (!objectAt(item, u"defaultRequest").isEmpty())
                errors.append(FieldError::forbidden(
                    path + u".defaultRequest"_s, u"may not be specified when `type` is 'Pod'"_s));
        } else {
            defaults = resourceList(item.value(u"default"));
            defaultRequests = resourceList(item.value(u"defaultRequest"));
        }
        if (type == u"PersistentVolumeClaim" && !min.contains(u"storage"_s) &&
            !max.contains(u"storage"_s))
            errors.append(FieldError::required(
                path + u".limits"_s,
                u"either minimum or maximum storage value is required, but neither was provided"_s));
        const ResourceList ratios = resourceList(item.value(u"maxLimitRequestRatio"));

        QStringList keys;
        for (const ResourceList *list : std::initializer_list<const ResourceList *>{
                 &max, &min, &defaults, &defaultRequests, &ratios})
            for (const QString &k : list->keys())
                if (!keys.contains(k))
                    keys.append(k);
        keys.sort();
        auto at = [&](const char *field, const QString &key) {
            return u"%1.%2[%3]"_s.arg(path, QLatin1StringView(field), key);
        };
        for (const QString &k : std::as_const(keys)) {
            const bool hasMin = min.contains(k), hasMax = max.contains(k);
            const bool hasDefault = defaults.contains(k), hasRequest = defaultRequests.contains(k);
            const Quantity lo = min.value(k), hi = max.value(k), def = defaults.value(k),
                           req = defaultRequests.value(k);
            if (hasMin && hasMax && lo > hi)
                errors.append(
                    FieldError::invalid(at("min", k), lo.toString(),
                                        u"min value %1 is greater than max value %2"_s.arg(
                                            lo.toString(), hi.toString())));
            if (hasRequest && hasMin && lo > req)
                errors.append(FieldError::invalid(
                    at("defaultRequest", k), req.toString(),
                    u"min value %1 is greater than default request value %2"_s.arg(
                        lo.toString(), req.toString())));
            if (hasRequest && hasMax && req > hi)
                errors.append(FieldError::invalid(
                    at("defaultRequest", k), req.toString(),
                    u"default request value %1 is greater than max value %2"_s.arg(req.toString(),
                                                                                   hi.toString())));
            if (hasRequest && hasDefault && req > def)
                errors.append(FieldError::invalid(
                    at("defaultRequest", k), req.toString(),
                    u"default request value %1 is greater than default limit value %2"_s.arg(
                        req.toString(), def.toString())));
            if (hasDefault && hasMin && lo > def)
                errors.append(
                    FieldError::invalid(at("default", k), lo.toString(),
                                        u"min value %1 is greater than default value %2"_s.arg(
                                            lo.toString(), def.toString())));
            if (hasDefault && hasMax && def > hi)
                errors.append(
                    FieldError::invalid(at("default", k), hi.toString(),
                                        u"default value %1 is greater than max value %2"_s.arg(
                                            def.toString(), hi.toString())));
            if (ratios.contains(k) && ratios.value(k) < Quantity::fromValue(1))
                errors.append(FieldError::invalid(
                    at("maxLimitRequestRatio", k), ratios.value(k).toString(),
                    u"ratio %1 is less than 1"_s.arg(ratios.value(k).toString())));
        }
    }
    return errors;
}

bool limitRangerHandles(const QString &groupResource, const QString &subresource,
                        const QJsonObject *old)
{
    if (!subresource.isEmpty())
        return false;
    if (old && objectAt(*old, u"metadata").contains(u"deletionTimestamp"))
        return false;
    // A pod's containers cannot change after creation: updates have nothing to default or check.
    if (groupResource == u"pods")
        return !old;
    return groupResource == u"persistentvolumeclaims";
}

bool applyLimitRangeDefaults(QJsonObject &pod, const QList<QJsonObject> &limitRanges)
{
    bool changed = false;
    for (const QJsonObject &limitRange : limitRanges) {
        QJsonObject defaultLimits, defaultRequests;
        for (const QJsonValue &v : limitItems(limitRange)) {
            const QJsonObject item = v.toObject();
            if (item.value(u"type").toString() != u"Container")
                continue;
            const QJsonObject requests = objectAt(item, u"defaultRequest");
            for (auto it = requests.begin(); it != requests.end(); ++it)
                defaultRequests.insert(it.key(), it.value());
            const QJsonObject limits = objectAt(item, u"default");
            for (auto it = limits.begin(); it != limits.end(); ++it)
                defaultLimits.insert(it.key(), it.value());
        }
        QStringList annotations;
        QJsonObject spec = objectAt(pod, u"spec");
        for (const auto &[list, kind] : {std::pair{u"containers", u"container"},
                                         std::pair{u"initContainers", u"init container"}}) {
            if (!spec.contains(list))
                continue;
            QJsonArray containers = spec.value(list).toArray();
            for (qsizetype i = 0; i < containers.size(); ++i) {
                QJsonObject c = containers[i].toObject();
                mergeContainer(c, defaultLimits, defaultRequests, QString::fromUtf16(kind),
                               annotations);
                containers[i] = c;
            }
            spec.insert(QString::fromUtf16(list), containers);
        }
        pod.insert(u"spec"_s, spec);
        if (annotations.isEmpty())
            continue;
        changed = true;
        QJsonObject meta = objectAt(pod, u"metadata");
        QJsonObject podAnnotations = objectAt(meta, u"annotations");
        podAnnotations.insert(u"kubernetes.io/limit-ranger"_s,
                              u"LimitRanger plugin set: "_s + annotations.join(u"; "_s));
        meta.insert(u"annotations"_s, podAnnotations);
        pod.insert(u"metadata"_s, meta);
    }
    return changed;
}

std::optional<QString> limitRangeViolation(const QString &groupResource, const QJsonObject &object,
                                           const QList<QJsonObject> &limitRanges)
{
    for (const QJsonObject &limitRange : limitRanges) {
        const QStringList errors = groupResource == u"pods" ? podViolations(limitRange, object)
                                                            : claimViolations(limitRange, object);
        if (!errors.isEmpty())
            return aggregate(errors);
    }
    return std::nullopt;
}

} // namespace timonel::apiserver
