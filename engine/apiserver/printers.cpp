// The cells Kubernetes 1.32 computes in pkg/printers/internalversion/printers.go, over our JSON
// objects. The API server always prints as if for `-o wide` (pkg/printers/storage passes
// Wide: true), so nothing here is cut to a terminal's width: kubectl hides the wide columns itself.
// Each function's behaviour is specified next to its column in engine/core/schema/*.yaml.
//
// This file holds the table from the names the schema data uses to the printer functions, and the
// printers made from templates for it; printers_p.h lists where the others live.
#include "printers.h"
#include "printers_p.h"

#include <QHash>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace timonel::apiserver {

namespace {

using namespace printing;

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

// --- Configuration ---------------------------------------------------------------------------

QJsonValue configMapData(O o, N)
{
    return o.value(u"data").toObject().size() + o.value(u"binaryData").toObject().size();
}

// --- Quotas and component health -------------------------------------------------------------

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

// --- The table -------------------------------------------------------------------------------

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

} // namespace timonel::apiserver
