// The cells Kubernetes 1.32 computes in pkg/printers/internalversion/printers.go, over our JSON
// objects. The API server always prints as if for `-o wide` (pkg/printers/storage passes
// Wide: true), so nothing here is cut to a terminal's width: kubectl hides the wide columns itself.
// Each function's behaviour is specified next to its column in engine/core/schema/*.yaml.
#include "printers.h"

#include "core/labelselector.h"
#include "core/quantity.h"
#include "tableconvertor.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace timonel::apiserver {

namespace {

using O = const QJsonObject &;
using N = const QDateTime &;

// --- Reading JSON objects -------------------------------------------------------------------

QJsonValue at(const QJsonValue &value, std::initializer_list<QStringView> path)
{
    QJsonValue current = value;
    for (QStringView key : path)
        current = current.toObject().value(key);
    return current;
}

bool isSet(const QJsonValue &v)
{
    return !v.isUndefined() && !v.isNull();
}

qint64 integer(const QJsonValue &v, qint64 fallback = 0)
{
    return v.isDouble() ? v.toInteger() : fallback;
}

QString orElse(const QString &text, const QString &fallback)
{
    return text.isEmpty() ? fallback : text;
}

QString joined(const QJsonArray &values, QStringView separator = u",")
{
    QStringList texts;
    for (const QJsonValue &v : values)
        texts.append(v.toString());
    return texts.join(separator);
}

// The first condition of a type, as Kubernetes' Get*Condition helpers find it.
QJsonObject condition(const QJsonValue &conditions, QStringView type)
{
    for (const QJsonValue &c : conditions.toArray()) {
        if (c.toObject().value(u"type").toString() == type)
            return c.toObject();
    }
    return {};
}

bool conditionIsTrue(const QJsonValue &conditions, QStringView type)
{
    return condition(conditions, type).value(u"status").toString() == u"True";
}

// An RFC 3339 time (metav1.Time, or MicroTime with its fraction) in microseconds since the epoch;
// nullopt for a missing (zero) or unreadable one. QDateTime keeps only milliseconds, and a
// MicroTime's last digits can move an age across a whole second.
using Micros = std::optional<qint64>;

Micros timeOf(const QJsonValue &timestamp)
{
    QString text = timestamp.toString();
    static const QRegularExpression fraction(uR"(\.(\d+))"_s);
    qint64 fractionMicros = 0;
    if (const auto m = fraction.match(text); m.hasMatch()) {
        fractionMicros = m.captured(1).left(6).leftJustified(6, u'0').toLongLong();
        text.remove(m.capturedStart(), m.capturedLength());
    }
    const QDateTime time = QDateTime::fromString(text, Qt::ISODate);
    return time.isValid() ? Micros(time.toMSecsSinceEpoch() * 1000 + fractionMicros) : std::nullopt;
}

// The whole seconds from one time to another, truncated as Go's Duration.Seconds() conversion.
qint64 secondsBetween(qint64 fromMicros, qint64 toMicros)
{
    return (toMicros - fromMicros) / 1000000;
}

qint64 micros(N now)
{
    return now.toMSecsSinceEpoch() * 1000;
}

// translateTimestampSince: "<unknown>" for a zero (missing) time.
QString since(Micros time, N now)
{
    return time ? humanDuration(secondsBetween(*time, micros(now))) : u"<unknown>"_s;
}

QString since(const QJsonValue &timestamp, N now)
{
    return since(timeOf(timestamp), now);
}

// labels.FormatLabels: "k1=v1,k2=v2" sorted by key, "<none>" when empty.
QString formatLabels(const QJsonValue &labels)
{
    const QJsonObject map = labels.toObject();
    QStringList keys = map.keys();
    std::sort(keys.begin(), keys.end());
    QStringList pairs;
    for (const QString &k : std::as_const(keys))
        pairs.append(k + u'=' + map.value(k).toString());
    return orElse(pairs.join(u','), u"<none>"_s);
}

// metav1.LabelSelectorAsSelector(...).String(); nullopt when the selector is invalid. A missing
// selector selects nothing, which prints as "" like an empty one.
std::optional<QString> selectorText(const QJsonValue &selector)
{
    if (!selector.isObject())
        return QString();
    const auto parsed = core::LabelSelector::fromJson(selector.toObject());
    return parsed ? std::optional(parsed->toString()) : std::nullopt;
}

// metav1.FormatLabelSelector.
QString formatLabelSelector(const QJsonValue &selector)
{
    const auto text = selectorText(selector);
    return text ? orElse(*text, u"<none>"_s) : u"<error>"_s;
}

// Quantity.String() of a stored quantity; a zero (missing) quantity prints "0".
QString quantityText(const QJsonValue &value)
{
    const auto q = core::Quantity::fromJson(value.isUndefined() ? QJsonValue() : value);
    return q ? q->toString() : value.toString();
}

// An int-or-string field (intstr.IntOrString.String()).
QString intOrString(const QJsonValue &v)
{
    return v.isDouble() ? QString::number(v.toInteger()) : v.toString();
}

// helper.GetAccessModesAsString: each mode once, always in this order.
QString accessModes(const QJsonValue &modes)
{
    static const std::pair<QStringView, QStringView> names[] = {{u"ReadWriteOnce", u"RWO"},
                                                                {u"ReadOnlyMany", u"ROX"},
                                                                {u"ReadWriteMany", u"RWX"},
                                                                {u"ReadWriteOncePod", u"RWOP"}};
    const QJsonArray list = modes.toArray();
    QStringList shown;
    for (const auto &[mode, abbreviation] : names) {
        if (list.contains(QJsonValue(mode.toString())))
            shown.append(abbreviation.toString());
    }
    return shown.join(u',');
}

// "a,b,c + 2 more..." for the first `max` of `count` items; "<unset>" for none
// (listWithMoreString).
QString listWithMore(const QStringList &list, qsizetype count, qsizetype max = 3)
{
    const QString text = list.join(u',');
    if (count > max)
        return u"%1 + %2 more..."_s.arg(text).arg(count - max);
    return orElse(text, u"<unset>"_s);
}

// The load balancer ingress points, distinct and sorted (loadBalancerStatusStringer, wide).
QString loadBalancerIngress(const QJsonValue &status)
{
    QSet<QString> points;
    for (const QJsonValue &entry : status.toObject().value(u"ingress").toArray()) {
        const QString ip = entry.toObject().value(u"ip").toString();
        const QString hostname = entry.toObject().value(u"hostname").toString();
        if (!ip.isEmpty() || !hostname.isEmpty())
            points.insert(ip.isEmpty() ? hostname : ip);
    }
    QStringList sorted = points.values();
    std::sort(sorted.begin(), sorted.end());
    return sorted.join(u',');
}

// --- Printers over one field, named by a dotted path in the table ---------------------------

// A string literal usable as a template argument, so that the table can name paths as data.
template <std::size_t Size> struct Text
{
    char16_t chars[Size];
    constexpr Text(const char16_t (&text)[Size]) { std::copy_n(text, Size, chars); }
    QStringView view() const { return QStringView(chars, Size - 1); }
};

QJsonValue atPath(const QJsonValue &value, QStringView dotted)
{
    QJsonValue current = value;
    for (QStringView key : dotted.tokenize(u'.'))
        current = current.toObject().value(key);
    return current;
}

// The field's text, or `fallback` when it is empty.
template <Text path, Text fallback> QJsonValue textOr(O o, N)
{
    return orElse(atPath(o, path.view()).toString(), fallback.view().toString());
}

// The field's text (an int-or-string's too), or `fallback` when it is absent.
template <Text path, Text fallback> QJsonValue setOr(O o, N)
{
    const QJsonValue v = atPath(o, path.view());
    return isSet(v) ? intOrString(v) : fallback.view().toString();
}

template <Text path> QJsonValue labelsAt(O o, N)
{
    return formatLabels(atPath(o, path.view()));
}

template <Text path> QJsonValue selectorAt(O o, N)
{
    return formatLabelSelector(atPath(o, path.view()));
}

// The number of entries of a list or map field.
template <Text path> QJsonValue countAt(O o, N)
{
    const QJsonValue v = atPath(o, path.view());
    return v.isArray() ? v.toArray().size() : v.toObject().size();
}

template <Text path> QJsonValue quantityAt(O o, N)
{
    return quantityText(atPath(o, path.view()));
}

template <Text path> QJsonValue accessModesAt(O o, N)
{
    return accessModes(atPath(o, path.view()));
}

// --- Pods ------------------------------------------------------------------------------------

// What printPod works out in one walk over the container statuses.
struct PodSummary
{
    QString reason;
    int ready = 0;
    int total = 0;
    qint64 restarts = 0;
    Micros lastRestart; // nullopt: no container has terminated before
};

void noteLastTermination(Micros &latest, const QJsonObject &containerStatus)
{
    const QJsonValue terminated = at(containerStatus, {u"lastState", u"terminated"});
    const Micros finished = timeOf(terminated.toObject().value(u"finishedAt"));
    if (finished && (!latest || *latest < *finished))
        latest = finished;
}

// A terminated container's reason, or "Signal:<n>" / "ExitCode:<n>" when it gave none.
QString terminatedReason(const QJsonObject &terminated)
{
    const QString reason = terminated.value(u"reason").toString();
    if (!reason.isEmpty())
        return reason;
    if (const qint64 signal = integer(terminated.value(u"signal")); signal != 0)
        return u"Signal:%1"_s.arg(signal);
    return u"ExitCode:%1"_s.arg(integer(terminated.value(u"exitCode")));
}

PodSummary summarizePod(const QJsonObject &pod)
{
    const QJsonObject spec = pod.value(u"spec").toObject();
    const QJsonObject status = pod.value(u"status").toObject();
    PodSummary s;
    s.total = spec.value(u"containers").toArray().size();
    s.reason = orElse(status.value(u"reason").toString(), status.value(u"phase").toString());
    for (const QJsonValue &c : status.value(u"conditions").toArray()) {
        if (c[u"type"].toString() == u"PodScheduled" &&
            c[u"reason"].toString() == u"SchedulingGated")
            s.reason = u"SchedulingGated"_s;
    }

    // Init containers with restartPolicy Always are sidecars: they count as containers.
    QHash<QString, bool> sidecar;
    const QJsonArray initContainers = spec.value(u"initContainers").toArray();
    for (const QJsonValue &c : initContainers) {
        const bool always = c[u"restartPolicy"].toString() == u"Always";
        sidecar.insert(c[u"name"].toString(), always);
        s.total += always ? 1 : 0;
    }

    qint64 sidecarRestarts = 0;
    Micros sidecarLastRestart;
    bool initializing = false;
    const QJsonArray initStatuses = status.value(u"initContainerStatuses").toArray();
    for (qsizetype i = 0; i < initStatuses.size(); ++i) {
        const QJsonObject c = initStatuses[i].toObject();
        const bool isSidecar = sidecar.value(c.value(u"name").toString());
        s.restarts += integer(c.value(u"restartCount"));
        noteLastTermination(s.lastRestart, c);
        if (isSidecar) {
            sidecarRestarts += integer(c.value(u"restartCount"));
            noteLastTermination(sidecarLastRestart, c);
        }
        const QJsonValue terminated = at(c, {u"state", u"terminated"});
        const QString waiting = at(c, {u"state", u"waiting", u"reason"}).toString();
        if (terminated.isObject() && integer(terminated[u"exitCode"]) == 0)
            continue;
        if (isSidecar && c.value(u"started").toBool()) {
            s.ready += c.value(u"ready").toBool() ? 1 : 0;
            continue;
        }
        if (terminated.isObject())
            s.reason = u"Init:"_s + terminatedReason(terminated.toObject());
        else if (!waiting.isEmpty() && waiting != u"PodInitializing")
            s.reason = u"Init:"_s + waiting;
        else
            s.reason = u"Init:%1/%2"_s.arg(i).arg(initContainers.size());
        initializing = true;
        break;
    }

    if (!initializing || conditionIsTrue(status.value(u"conditions"), u"Initialized")) {
        // Once initialized, finished init containers no longer count towards restarts.
        s.restarts = sidecarRestarts;
        s.lastRestart = sidecarLastRestart;
        bool running = false;
        const QJsonArray statuses = status.value(u"containerStatuses").toArray();
        for (qsizetype i = statuses.size() - 1; i >= 0; --i) {
            const QJsonObject c = statuses[i].toObject();
            s.restarts += integer(c.value(u"restartCount"));
            noteLastTermination(s.lastRestart, c);
            const QJsonValue terminated = at(c, {u"state", u"terminated"});
            const QString waiting = at(c, {u"state", u"waiting", u"reason"}).toString();
            if (!waiting.isEmpty()) {
                s.reason = waiting;
            } else if (terminated.isObject()) {
                s.reason = terminatedReason(terminated.toObject());
            } else if (c.value(u"ready").toBool() && at(c, {u"state", u"running"}).isObject()) {
                running = true;
                ++s.ready;
            }
        }
        if (s.reason == u"Completed" && running) {
            bool ready = false;
            for (const QJsonValue &c : status.value(u"conditions").toArray())
                ready = ready ||
                        (c[u"type"].toString() == u"Ready" && c[u"status"].toString() == u"True");
            s.reason = ready ? u"Running"_s : u"NotReady"_s;
        }
    }

    if (isSet(at(pod, {u"metadata", u"deletionTimestamp"}))) {
        const QString phase = status.value(u"phase").toString();
        if (status.value(u"reason").toString() == u"NodeLost")
            s.reason = u"Unknown"_s;
        else if (phase != u"Succeeded" && phase != u"Failed")
            s.reason = u"Terminating"_s;
    }
    return s;
}

QJsonValue podReady(O o, N)
{
    const PodSummary s = summarizePod(o);
    return u"%1/%2"_s.arg(s.ready).arg(s.total);
}

QJsonValue podRestarts(O o, N now)
{
    const PodSummary s = summarizePod(o);
    if (s.restarts != 0 && s.lastRestart)
        return u"%1 (%2 ago)"_s.arg(s.restarts).arg(since(s.lastRestart, now));
    return QString::number(s.restarts);
}

QJsonValue podIp(O o, N)
{
    return orElse(at(o, {u"status", u"podIPs"})[0][u"ip"].toString(), u"<none>"_s);
}

QJsonValue podReadinessGates(O o, N)
{
    const QJsonArray gates = at(o, {u"spec", u"readinessGates"}).toArray();
    if (gates.isEmpty())
        return u"<none>"_s;
    const QJsonValue conditions = at(o, {u"status", u"conditions"});
    qsizetype met = 0;
    for (const QJsonValue &g : gates)
        met += conditionIsTrue(conditions, g[u"conditionType"].toString()) ? 1 : 0;
    return u"%1/%2"_s.arg(met).arg(gates.size());
}

// --- Services, endpoints, ingresses ----------------------------------------------------------

QJsonValue serviceClusterIp(O o, N)
{
    return orElse(at(o, {u"spec", u"clusterIPs"})[0].toString(), u"<none>"_s);
}

QJsonValue serviceExternalIp(O o, N)
{
    const QJsonObject spec = o.value(u"spec").toObject();
    const QString type = spec.value(u"type").toString();
    const QString externalIps = joined(spec.value(u"externalIPs").toArray());
    if (type == u"ClusterIP" || type == u"NodePort")
        return orElse(externalIps, u"<none>"_s);
    if (type == u"LoadBalancer") {
        const QString ingress = loadBalancerIngress(at(o, {u"status", u"loadBalancer"}));
        QStringList all;
        if (!ingress.isEmpty())
            all.append(ingress);
        if (!externalIps.isEmpty())
            all.append(externalIps);
        return orElse(all.join(u','), u"<pending>"_s);
    }
    if (type == u"ExternalName")
        return spec.value(u"externalName").toString();
    return u"<unknown>"_s;
}

QJsonValue servicePorts(O o, N)
{
    QStringList pieces;
    for (const QJsonValue &p : at(o, {u"spec", u"ports"}).toArray()) {
        const qint64 nodePort = integer(p[u"nodePort"]);
        const QString port = QString::number(integer(p[u"port"]));
        pieces.append((nodePort > 0 ? port + u':' + QString::number(nodePort) : port) + u'/' +
                      p[u"protocol"].toString());
    }
    return orElse(pieces.join(u','), u"<none>"_s);
}

QJsonValue endpointsAddresses(O o, N)
{
    const QJsonArray subsets = o.value(u"subsets").toArray();
    if (subsets.isEmpty())
        return u"<none>"_s;
    constexpr qsizetype max = 3;
    QStringList list;
    qsizetype count = 0;
    bool more = false;
    for (const QJsonValue &subset : subsets) {
        const QJsonArray addresses = subset[u"addresses"].toArray();
        const QJsonArray ports = subset[u"ports"].toArray();
        // A headless service may have no ports: its addresses are listed bare.
        const qsizetype rounds = ports.isEmpty() ? 1 : ports.size();
        for (qsizetype p = 0; p < rounds; ++p) {
            count += addresses.size();
            for (const QJsonValue &a : addresses) {
                if (list.size() == max) {
                    more = true;
                    break;
                }
                QString ip = a[u"ip"].toString();
                if (ports.isEmpty()) {
                    list.append(ip);
                    continue;
                }
                if (ip.contains(u':'))
                    ip = u'[' + ip + u']';
                list.append(ip + u':' + QString::number(integer(ports[p][u"port"])));
            }
        }
    }
    const QString text = list.join(u',');
    return more ? u"%1 + %2 more..."_s.arg(text).arg(count - max) : text;
}

QJsonValue endpointSlicePorts(O o, N)
{
    const QJsonArray ports = o.value(u"ports").toArray();
    QStringList list;
    for (const QJsonValue &p : ports) {
        if (list.size() == 3)
            break;
        const QJsonValue name = p[u"name"];
        list.append(isSet(p[u"port"]) ? QString::number(integer(p[u"port"]))
                    : isSet(name)     ? name.toString()
                                      : u"*"_s);
    }
    return listWithMore(list, ports.size());
}

QJsonValue endpointSliceEndpoints(O o, N)
{
    QStringList all;
    for (const QJsonValue &e : o.value(u"endpoints").toArray()) {
        for (const QJsonValue &a : e[u"addresses"].toArray())
            all.append(a.toString());
    }
    return listWithMore(all.mid(0, 3), all.size());
}

QJsonValue ingressHosts(O o, N)
{
    const QJsonArray rules = at(o, {u"spec", u"rules"}).toArray();
    QStringList hosts;
    bool more = false;
    for (const QJsonValue &rule : rules) {
        more = more || hosts.size() == 3;
        if (!more && !rule[u"host"].toString().isEmpty())
            hosts.append(rule[u"host"].toString());
    }
    if (hosts.isEmpty())
        return u"*"_s;
    return more ? u"%1 + %2 more..."_s.arg(hosts.join(u',')).arg(rules.size() - 3)
                : hosts.join(u',');
}

QJsonValue ingressAddress(O o, N)
{
    return loadBalancerIngress(at(o, {u"status", u"loadBalancer"}));
}

QJsonValue ingressPorts(O o, N)
{
    return at(o, {u"spec", u"tls"}).toArray().isEmpty() ? u"80"_s : u"80, 443"_s;
}

QJsonValue ingressClassParameters(O o, N)
{
    const QJsonValue parameters = at(o, {u"spec", u"parameters"});
    if (!parameters.isObject())
        return u"<none>"_s;
    QString text = parameters[u"kind"].toString();
    if (isSet(parameters[u"apiGroup"]))
        text += u'.' + parameters[u"apiGroup"].toString();
    return text + u'/' + parameters[u"name"].toString();
}

// --- Nodes -----------------------------------------------------------------------------------

QJsonValue nodeStatus(O o, N)
{
    // The last Ready condition wins, as a map keyed by type keeps it.
    QString ready;
    for (const QJsonValue &c : at(o, {u"status", u"conditions"}).toArray()) {
        if (c[u"type"].toString() == u"Ready")
            ready = c[u"status"].toString() == u"True" ? u"Ready"_s : u"NotReady"_s;
    }
    QStringList status{orElse(ready, u"Unknown"_s)};
    if (at(o, {u"spec", u"unschedulable"}).toBool())
        status.append(u"SchedulingDisabled"_s);
    return status.join(u',');
}

QJsonValue nodeRoles(O o, N)
{
    static constexpr QStringView prefix = u"node-role.kubernetes.io/";
    const QJsonObject labels = at(o, {u"metadata", u"labels"}).toObject();
    QSet<QString> roles;
    for (auto it = labels.begin(); it != labels.end(); ++it) {
        if (it.key().startsWith(prefix) && it.key().size() > prefix.size())
            roles.insert(it.key().mid(prefix.size()));
        else if (it.key() == u"kubernetes.io/role" && !it.value().toString().isEmpty())
            roles.insert(it.value().toString());
    }
    QStringList sorted = roles.values();
    std::sort(sorted.begin(), sorted.end());
    return orElse(sorted.join(u','), u"<none>"_s);
}

// The first address of a type, or "<none>".
template <Text type> QJsonValue nodeAddress(O o, N)
{
    for (const QJsonValue &a : at(o, {u"status", u"addresses"}).toArray()) {
        if (a[u"type"].toString() == type.view())
            return a[u"address"].toString();
    }
    return u"<none>"_s;
}

// --- Events (core/v1 and events.k8s.io/v1 name the same fields differently) ------------------

struct EventFields
{
    QStringView firstTimestamp, lastTimestamp, count, object, source, message;
    QStringView sourceComponent, sourceHost, reportingController, reportingInstance;
};

constexpr EventFields coreEvent{
    u"firstTimestamp", u"lastTimestamp", u"count", u"involvedObject",     u"source",
    u"message",        u"component",     u"host",  u"reportingComponent", u"reportingInstance"};
constexpr EventFields eventsV1Event{u"deprecatedFirstTimestamp",
                                    u"deprecatedLastTimestamp",
                                    u"deprecatedCount",
                                    u"regarding",
                                    u"deprecatedSource",
                                    u"note",
                                    u"component",
                                    u"host",
                                    u"reportingController",
                                    u"reportingInstance"};

template <const EventFields &f> QJsonValue eventFirstSeen(O o, N now)
{
    const QJsonValue first = o.value(f.firstTimestamp);
    return since(timeOf(first) ? first : o.value(u"eventTime"), now);
}

template <const EventFields &f> QJsonValue eventLastSeen(O o, N now)
{
    if (o.value(u"series").isObject())
        return since(at(o, {u"series", u"lastObservedTime"}), now);
    const QJsonValue last = o.value(f.lastTimestamp);
    return timeOf(last) ? since(last, now) : eventFirstSeen<f>(o, now);
}

template <const EventFields &f> QJsonValue eventCount(O o, N)
{
    if (o.value(u"series").isObject())
        return integer(at(o, {u"series", u"count"}));
    const qint64 count = integer(o.value(f.count));
    return count == 0 ? 1 : count; // singleton events of the new API carry no count
}

template <const EventFields &f> QJsonValue eventObject(O o, N)
{
    const QJsonObject object = o.value(f.object).toObject();
    const QString kind = object.value(u"kind").toString().toLower();
    const QString name = object.value(u"name").toString();
    return name.isEmpty() ? kind : kind + u'/' + name;
}

template <const EventFields &f> QJsonValue eventSource(O o, N)
{
    const QJsonObject source = o.value(f.source).toObject();
    const QString component = orElse(source.value(f.sourceComponent).toString(),
                                     o.value(f.reportingController).toString());
    const QString instance =
        orElse(source.value(f.sourceHost).toString(), o.value(f.reportingInstance).toString());
    return instance.isEmpty() ? component : component + u", "_s + instance;
}

template <const EventFields &f> QJsonValue eventMessage(O o, N)
{
    return o.value(f.message).toString().trimmed();
}

// --- Workloads -------------------------------------------------------------------------------

// "<ready>/<desired>"; spec.replicas defaults to 1 as Kubernetes defaults it on every read.
QJsonValue readyOfDesired(O o, N)
{
    return u"%1/%2"_s.arg(integer(at(o, {u"status", u"readyReplicas"})))
        .arg(integer(at(o, {u"spec", u"replicas"}), 1));
}

QJsonValue deploymentSelector(O o, N)
{
    return selectorText(at(o, {u"spec", u"selector"})).value_or(u"<invalid>"_s);
}

QJsonValue controllerRevisionController(O o, N)
{
    for (const QJsonValue &ref : at(o, {u"metadata", u"ownerReferences"}).toArray()) {
        if (!ref[u"controller"].toBool())
            continue;
        const QString apiVersion = ref[u"apiVersion"].toString();
        const QString group = apiVersion.contains(u'/') ? apiVersion.section(u'/', 0, 0) : u""_s;
        const QString kind = ref[u"kind"].toString();
        const QString name = ref[u"name"].toString();
        if (kind.isEmpty() && group.isEmpty())
            return name;
        return (group.isEmpty() ? kind : kind + u'.' + group).toLower() + u'/' + name;
    }
    return u"<none>"_s;
}

QJsonValue hpaReference(O o, N)
{
    const QJsonValue ref = at(o, {u"spec", u"scaleTargetRef"});
    return ref[u"kind"].toString() + u'/' + ref[u"name"].toString();
}

QJsonValue hpaTargets(O o, N)
{
    // A v1 autoscaler's one metric: CPU utilization, 80% unless set (the v2 default).
    const qint64 target = integer(at(o, {u"spec", u"targetCPUUtilizationPercentage"}), 80);
    const QJsonValue current = at(o, {u"status", u"currentCPUUtilizationPercentage"});
    return u"cpu: %1/%2%"_s
        .arg(current.isDouble() ? u"%1%"_s.arg(current.toInteger()) : u"<unknown>"_s)
        .arg(target);
}

QJsonValue jobStatus(O o, N)
{
    const QJsonValue conditions = at(o, {u"status", u"conditions"});
    if (conditionIsTrue(conditions, u"Complete"))
        return u"Complete"_s;
    if (conditionIsTrue(conditions, u"Failed"))
        return u"Failed"_s;
    if (isSet(at(o, {u"metadata", u"deletionTimestamp"})))
        return u"Terminating"_s;
    if (conditionIsTrue(conditions, u"Suspended"))
        return u"Suspended"_s;
    if (conditionIsTrue(conditions, u"FailureTarget"))
        return u"FailureTarget"_s;
    return u"Running"_s;
}

QJsonValue jobCompletions(O o, N)
{
    const qint64 succeeded = integer(at(o, {u"status", u"succeeded"}));
    const QJsonValue completions = at(o, {u"spec", u"completions"});
    if (completions.isDouble())
        return u"%1/%2"_s.arg(succeeded).arg(completions.toInteger());
    const qint64 parallelism = integer(at(o, {u"spec", u"parallelism"}));
    return parallelism > 1 ? u"%1/1 of %2"_s.arg(succeeded).arg(parallelism)
                           : u"%1/1"_s.arg(succeeded);
}

QJsonValue jobDuration(O o, N now)
{
    const Micros start = timeOf(at(o, {u"status", u"startTime"}));
    if (!start)
        return u""_s;
    const Micros completion = timeOf(at(o, {u"status", u"completionTime"}));
    return humanDuration(secondsBetween(*start, completion.value_or(micros(now))));
}

QJsonValue cronJobSuspend(O o, N)
{
    const QJsonValue suspend = at(o, {u"spec", u"suspend"});
    if (!suspend.isBool())
        return u"<unset>"_s;
    return suspend.toBool() ? u"True"_s : u"False"_s;
}

QJsonValue cronJobLastSchedule(O o, N now)
{
    const QJsonValue last = at(o, {u"status", u"lastScheduleTime"});
    return isSet(last) ? since(last, now) : u"<none>"_s;
}

QJsonValue configMapData(O o, N)
{
    return o.value(u"data").toObject().size() + o.value(u"binaryData").toObject().size();
}

// --- Storage and quotas ----------------------------------------------------------------------

QJsonValue phaseOrTerminating(O o, N)
{
    if (isSet(at(o, {u"metadata", u"deletionTimestamp"})))
        return u"Terminating"_s;
    return at(o, {u"status", u"phase"}).toString();
}

// helper.GetPersistentVolume(Claim)Class: the beta annotation, present even if empty, wins.
QJsonValue storageClassOf(O o, N)
{
    const QJsonObject annotations = at(o, {u"metadata", u"annotations"}).toObject();
    const auto beta = annotations.constFind(u"volume.beta.kubernetes.io/storage-class"_s);
    if (beta != annotations.constEnd())
        return beta->toString();
    return at(o, {u"spec", u"storageClassName"}).toString();
}

QJsonValue pvClaim(O o, N)
{
    const QJsonValue ref = at(o, {u"spec", u"claimRef"});
    if (!ref.isObject())
        return u""_s;
    return ref[u"namespace"].toString() + u'/' + ref[u"name"].toString();
}

QJsonValue pvcCapacity(O o, N)
{
    if (at(o, {u"spec", u"volumeName"}).toString().isEmpty())
        return u""_s;
    return quantityText(at(o, {u"status", u"capacity", u"storage"}));
}

QJsonValue pvcAccessModes(O o, N)
{
    if (at(o, {u"spec", u"volumeName"}).toString().isEmpty())
        return u""_s;
    return accessModes(at(o, {u"status", u"accessModes"}));
}

// "<key>: <used>/<hard>" over status.hard, keys sorted; limits.* go to the Limit column.
template <bool limits> QJsonValue quota(O o, N)
{
    const QJsonObject hard = at(o, {u"status", u"hard"}).toObject();
    const QJsonObject used = at(o, {u"status", u"used"}).toObject();
    QStringList keys = hard.keys();
    std::sort(keys.begin(), keys.end());
    QStringList parts;
    for (const QString &key : std::as_const(keys)) {
        const bool isLimit = key.contains(u'.') && key.section(u'.', 0, 0) == u"limits";
        if (isLimit == limits)
            parts.append(u"%1: %2/%3"_s.arg(key, quantityText(used.value(key)),
                                            quantityText(hard.value(key))));
    }
    return parts.join(u", ");
}

QJsonValue componentStatusStatus(O o, N)
{
    const QJsonObject healthy = condition(o.value(u"conditions"), u"Healthy");
    if (healthy.isEmpty())
        return u"Unknown"_s;
    return healthy.value(u"status").toString() == u"True" ? u"Healthy"_s : u"Unhealthy"_s;
}

template <Text field> QJsonValue healthyCondition(O o, N)
{
    return condition(o.value(u"conditions"), u"Healthy").value(field.view()).toString();
}

QJsonValue storageClassName(O o, N)
{
    const QJsonObject annotations = at(o, {u"metadata", u"annotations"}).toObject();
    const bool isDefault =
        annotations.value(u"storageclass.kubernetes.io/is-default-class").toString() == u"true" ||
        annotations.value(u"storageclass.beta.kubernetes.io/is-default-class").toString() ==
            u"true";
    const QString name = at(o, {u"metadata", u"name"}).toString();
    return isDefault ? name + u" (default)"_s : name;
}

QJsonValue storageClassAllowVolumeExpansion(O o, N)
{
    return o.value(u"allowVolumeExpansion").toBool();
}

QJsonValue csiDriverModes(O o, N)
{
    return orElse(joined(at(o, {u"spec", u"volumeLifecycleModes"}).toArray()), u"<none>"_s);
}

QJsonValue csiDriverTokenRequests(O o, N)
{
    const QJsonValue requests = at(o, {u"spec", u"tokenRequests"});
    if (!requests.isArray())
        return u"<unset>"_s;
    QStringList audiences;
    for (const QJsonValue &r : requests.toArray())
        audiences.append(r[u"audience"].toString());
    return audiences.join(u',');
}

// --- The table -------------------------------------------------------------------------------

QJsonValue podStatus(O o, N)
{
    return summarizePod(o).reason;
}

const QHash<QString, PrinterFunction> &printers()
{
    static const QHash<QString, PrinterFunction> table{
        // Pods and templates
        {u"podReady"_s, podReady},
        {u"podStatus"_s, podStatus},
        {u"podRestarts"_s, podRestarts},
        {u"podIp"_s, podIp},
        {u"podNode"_s, textOr<u"spec.nodeName", u"<none>">},
        {u"podNominatedNode"_s, textOr<u"status.nominatedNodeName", u"<none>">},
        {u"podReadinessGates"_s, podReadinessGates},
        {u"podTemplateLabels"_s, labelsAt<u"template.metadata.labels">},
        // Workloads
        {u"replicationControllerSelector"_s, labelsAt<u"spec.selector">},
        {u"deploymentReady"_s, readyOfDesired},
        {u"statefulSetReady"_s, readyOfDesired},
        {u"deploymentSelector"_s, deploymentSelector},
        {u"specSelector"_s, selectorAt<u"spec.selector">},
        {u"daemonSetNodeSelector"_s, labelsAt<u"spec.template.spec.nodeSelector">},
        {u"controllerRevisionController"_s, controllerRevisionController},
        {u"hpaReference"_s, hpaReference},
        {u"hpaTargets"_s, hpaTargets},
        {u"hpaMinPods"_s, setOr<u"spec.minReplicas", u"<unset>">},
        {u"jobStatus"_s, jobStatus},
        {u"jobCompletions"_s, jobCompletions},
        {u"jobDuration"_s, jobDuration},
        {u"cronJobTimeZone"_s, setOr<u"spec.timeZone", u"<none>">},
        {u"cronJobSuspend"_s, cronJobSuspend},
        {u"cronJobActive"_s, countAt<u"status.active">},
        {u"cronJobLastSchedule"_s, cronJobLastSchedule},
        {u"cronJobSelector"_s, selectorAt<u"spec.jobTemplate.spec.selector">},
        {u"pdbMinAvailable"_s, setOr<u"spec.minAvailable", u"N/A">},
        {u"pdbMaxUnavailable"_s, setOr<u"spec.maxUnavailable", u"N/A">},
        // Services and networking
        {u"serviceClusterIp"_s, serviceClusterIp},
        {u"serviceExternalIp"_s, serviceExternalIp},
        {u"servicePorts"_s, servicePorts},
        {u"serviceSelector"_s, labelsAt<u"spec.selector">},
        {u"endpointsAddresses"_s, endpointsAddresses},
        {u"endpointSlicePorts"_s, endpointSlicePorts},
        {u"endpointSliceEndpoints"_s, endpointSliceEndpoints},
        {u"ingressClass"_s, setOr<u"spec.ingressClassName", u"<none>">},
        {u"ingressHosts"_s, ingressHosts},
        {u"ingressAddress"_s, ingressAddress},
        {u"ingressPorts"_s, ingressPorts},
        {u"ingressClassParameters"_s, ingressClassParameters},
        {u"networkPolicyPodSelector"_s, selectorAt<u"spec.podSelector">},
        // Nodes
        {u"nodeStatus"_s, nodeStatus},
        {u"nodeRoles"_s, nodeRoles},
        {u"nodeInternalIp"_s, nodeAddress<u"InternalIP">},
        {u"nodeExternalIp"_s, nodeAddress<u"ExternalIP">},
        {u"nodeOsImage"_s, textOr<u"status.nodeInfo.osImage", u"<unknown>">},
        {u"nodeKernelVersion"_s, textOr<u"status.nodeInfo.kernelVersion", u"<unknown>">},
        {u"nodeContainerRuntime"_s,
         textOr<u"status.nodeInfo.containerRuntimeVersion", u"<unknown>">},
        // Configuration
        {u"configMapData"_s, configMapData},
        {u"secretData"_s, countAt<u"data">},
        {u"serviceAccountSecrets"_s, countAt<u"secrets">},
        // Events
        {u"eventFirstSeen"_s, eventFirstSeen<coreEvent>},
        {u"eventLastSeen"_s, eventLastSeen<coreEvent>},
        {u"eventCount"_s, eventCount<coreEvent>},
        {u"eventObject"_s, eventObject<coreEvent>},
        {u"eventSource"_s, eventSource<coreEvent>},
        {u"eventMessage"_s, eventMessage<coreEvent>},
        {u"eventV1FirstSeen"_s, eventFirstSeen<eventsV1Event>},
        {u"eventV1LastSeen"_s, eventLastSeen<eventsV1Event>},
        {u"eventV1Count"_s, eventCount<eventsV1Event>},
        {u"eventV1Object"_s, eventObject<eventsV1Event>},
        {u"eventV1Source"_s, eventSource<eventsV1Event>},
        {u"eventV1Message"_s, eventMessage<eventsV1Event>},
        // Volumes
        {u"persistentVolumeCapacity"_s, quantityAt<u"spec.capacity.storage">},
        {u"persistentVolumeAccessModes"_s, accessModesAt<u"spec.accessModes">},
        {u"persistentVolumeStatus"_s, phaseOrTerminating},
        {u"persistentVolumeClaim"_s, pvClaim},
        {u"persistentVolumeStorageClass"_s, storageClassOf},
        {u"persistentVolumeAttributesClass"_s,
         setOr<u"spec.volumeAttributesClassName", u"<unset>">},
        {u"persistentVolumeMode"_s, setOr<u"spec.volumeMode", u"<unset>">},
        {u"persistentVolumeClaimStatus"_s, phaseOrTerminating},
        {u"persistentVolumeClaimCapacity"_s, pvcCapacity},
        {u"persistentVolumeClaimAccessModes"_s, pvcAccessModes},
        {u"persistentVolumeClaimStorageClass"_s, storageClassOf},
        {u"persistentVolumeClaimAttributesClass"_s,
         setOr<u"spec.volumeAttributesClassName", u"<unset>">},
        {u"persistentVolumeClaimMode"_s, setOr<u"spec.volumeMode", u"<unset>">},
        {u"storageClassName"_s, storageClassName},
        {u"storageClassAllowVolumeExpansion"_s, storageClassAllowVolumeExpansion},
        {u"csiDriverTokenRequests"_s, csiDriverTokenRequests},
        {u"csiDriverModes"_s, csiDriverModes},
        // Quotas and component health
        {u"resourceQuotaRequest"_s, quota<false>},
        {u"resourceQuotaLimit"_s, quota<true>},
        {u"componentStatusStatus"_s, componentStatusStatus},
        {u"componentStatusMessage"_s, healthyCondition<u"message">},
        {u"componentStatusError"_s, healthyCondition<u"error">},
    };
    return table;
}

} // namespace

PrinterFunction printerFunction(QStringView name)
{
    return printers().value(name.toString());
}

QString printerFormat(QStringView name)
{
    return name == u"storageClassName" ? u"name"_s : QString();
}

QJsonArray rowConditions(QStringView group, QStringView kind, const QJsonObject &object)
{
    if (!group.isEmpty() || kind != u"Pod")
        return {};
    const QString phase = at(object, {u"status", u"phase"}).toString();
    if (phase != u"Succeeded" && phase != u"Failed")
        return {};
    return {
        QJsonObject{{u"type"_s, u"Completed"_s},
                    {u"status"_s, u"True"_s},
                    {u"reason"_s, phase},
                    {u"message"_s, phase == u"Succeeded" ? u"The pod has completed successfully."_s
                                                         : u"The pod failed."_s}}};
}

} // namespace timonel::apiserver
