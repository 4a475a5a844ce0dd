// A pod's cells (READY, STATUS, RESTARTS...) as printPod works them out, and the row condition
// of a finished pod.
#include "podsummary.h"
#include "printers_p.h"

#include <QHash>

using namespace Qt::StringLiterals;

namespace timonel::apiserver {

namespace printing {

namespace {

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

} // namespace

} // namespace printing

PodSummary summarizePod(const QJsonObject &pod)
{
    using namespace printing;
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

namespace printing {

QJsonValue podReady(O o, N)
{
    const PodSummary s = summarizePod(o);
    return u"%1/%2"_s.arg(s.ready).arg(s.total);
}

QJsonValue podStatus(O o, N)
{
    return summarizePod(o).reason;
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

} // namespace printing

QJsonArray rowConditions(QStringView group, QStringView kind, const QJsonObject &object)
{
    if (!group.isEmpty() || kind != u"Pod")
        return {};
    const QString phase = printing::at(object, {u"status", u"phase"}).toString();
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
