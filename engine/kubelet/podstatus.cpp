#include "podstatus.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace timonel::kubelet {

namespace {

QString rfc3339(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODate);
}

QJsonObject terminatedState(const ContainerRecord &c)
{
    QString reason = c.exitCode == 0 ? u"Completed"_s : u"Error"_s;
    if (c.oomKilled)
        reason = u"OOMKilled"_s;
    else if (!c.error.isEmpty() && !c.startedAt.isValid())
        reason = u"ContainerCannotRun"_s;
    QJsonObject terminated{{u"exitCode"_s, c.exitCode},
                           {u"reason"_s, reason},
                           {u"containerID"_s, u"docker://"_s + c.id}};
    if (!c.error.isEmpty())
        terminated.insert(u"message"_s, c.error);
    if (c.startedAt.isValid())
        terminated.insert(u"startedAt"_s, rfc3339(c.startedAt));
    if (c.finishedAt.isValid())
        terminated.insert(u"finishedAt"_s, rfc3339(c.finishedAt));
    return {{u"terminated"_s, terminated}};
}

const ContainerRecord *previousOf(const PodRecord &record, const ContainerRecord &c)
{
    const ContainerRecord *best = nullptr;
    for (const ContainerRecord &other : record.containers)
        if (other.name == c.name && other.init == c.init && other.restartCount < c.restartCount &&
            (!best || other.restartCount > best->restartCount))
            best = &other;
    return best;
}

struct Counts
{
    int running = 0;
    int waiting = 0; // waiting and never ran
    int stopped = 0; // terminated, or waiting to restart after terminating
    int succeeded = 0;
    int failed = 0;
};

QJsonObject containerStatus(const StatusInputs &in, const QJsonObject &spec, bool init,
                            const QString &defaultWaiting, Counts *counts, bool *ready,
                            bool *completed)
{
    const QString name = spec.value(u"name").toString();
    const ContainerMemory memory = in.memory.containers.value(PodMemory::memoryKey(name, init));
    const ContainerRecord *c = in.record.latest(name, init);
    QJsonObject status{{u"name"_s, name},         {u"image"_s, spec.value(u"image")},
                       {u"imageID"_s, QString()}, {u"restartCount"_s, c ? c->restartCount : 0},
                       {u"ready"_s, false},       {u"started"_s, false}};
    *ready = false;
    *completed = false;
    QJsonObject state;
    QJsonObject lastState;
    if (c) {
        status.insert(u"containerID"_s, u"docker://"_s + c->id);
        if (!c->imageId.isEmpty())
            status.insert(u"imageID"_s, u"docker://"_s + c->imageId);
    }
    if (c && c->running()) {
        state = {{u"running"_s,
                  QJsonObject{{u"startedAt"_s,
                               rfc3339(c->startedAt.isValid() ? c->startedAt : c->createdAt)}}}};
        const bool started = in.started.value(name, true);
        *ready = started && in.ready.value(name, true);
        status.insert(u"started"_s, started);
        status.insert(u"ready"_s, *ready);
        ++counts->running;
        if (const ContainerRecord *previous = previousOf(in.record, *c))
            lastState = terminatedState(*previous);
    } else if (c && c->exited() && memory.waitingReason.isEmpty()) {
        state = terminatedState(*c);
        ++counts->stopped;
        (c->exitCode == 0 ? counts->succeeded : counts->failed) += 1;
        *completed = c->exitCode == 0;
        if (const ContainerRecord *previous = previousOf(in.record, *c))
            lastState = terminatedState(*previous);
    } else {
        QJsonObject waiting{
            {u"reason"_s, memory.waitingReason.isEmpty() ? defaultWaiting : memory.waitingReason}};
        if (!memory.waitingMessage.isEmpty())
            waiting.insert(u"message"_s, memory.waitingMessage);
        state = {{u"waiting"_s, waiting}};
        if (c && c->exited()) {
            // Waiting to be restarted: the last run is what describe shows as Last State.
            lastState = terminatedState(*c);
            ++counts->stopped;
            (c->exitCode == 0 ? counts->succeeded : counts->failed) += 1;
        } else {
            ++counts->waiting;
        }
    }
    status.insert(u"state"_s, state);
    status.insert(u"lastState"_s, lastState);
    return status;
}

QJsonObject condition(const QString &type, bool value, const QString &reason = {},
                      const QString &message = {})
{
    QJsonObject c{{u"type"_s, type},
                  {u"status"_s, value ? u"True"_s : u"False"_s},
                  {u"lastProbeTime"_s, QJsonValue::Null}};
    if (!reason.isEmpty())
        c.insert(u"reason"_s, reason);
    if (!message.isEmpty())
        c.insert(u"message"_s, message);
    return c;
}

} // namespace

QString terminalPhase(const QJsonObject &status)
{
    const QString phase = status.value(u"phase").toString();
    return phase == u"Succeeded" || phase == u"Failed" ? phase : QString();
}

QJsonObject generatePodStatus(const StatusInputs &in)
{
    const QJsonObject spec = in.pod.value(u"spec").toObject();
    const QJsonObject previous = in.pod.value(u"status").toObject();
    const QString restartPolicy = spec.value(u"restartPolicy").toString(u"Always"_s);

    // Init containers: done in order; the first not done holds the regular ones back.
    QJsonArray initStatuses;
    QStringList incompleteInit;
    bool initFailed = false;
    for (const QJsonValue &v : spec.value(u"initContainers").toArray()) {
        bool ready = false, completed = false;
        Counts counts;
        initStatuses.append(containerStatus(in, v.toObject(), true, u"PodInitializing"_s, &counts,
                                            &ready, &completed));
        if (!completed)
            incompleteInit.append(v.toObject().value(u"name").toString());
        const ContainerRecord *c = in.record.latest(v.toObject().value(u"name").toString(), true);
        if (c && c->exited() && c->exitCode != 0 && restartPolicy == u"Never")
            initFailed = true;
    }
    // Init containers still waiting show "Init:0/1"; the app containers wait with
    // PodInitializing while they run.
    const bool initialized = incompleteInit.isEmpty();
    QJsonArray statuses;
    QStringList unready;
    Counts counts;
    for (const QJsonValue &v : spec.value(u"containers").toArray()) {
        bool ready = false, completed = false;
        statuses.append(containerStatus(in, v.toObject(), false,
                                        initialized ? u"ContainerCreating"_s : u"PodInitializing"_s,
                                        &counts, &ready, &completed));
        if (!ready)
            unready.append(v.toObject().value(u"name").toString());
    }

    QString phase = u"Pending"_s;
    const int total = int(statuses.size());
    if (initFailed)
        phase = u"Failed"_s;
    else if (!initialized || counts.waiting > 0)
        phase = u"Pending"_s;
    else if (counts.running > 0)
        phase = u"Running"_s;
    else if (counts.stopped == total && total > 0) {
        if (restartPolicy == u"Always")
            phase = u"Running"_s;
        else if (counts.succeeded == total)
            phase = u"Succeeded"_s;
        else if (restartPolicy == u"OnFailure")
            phase = u"Running"_s;
        else
            phase = u"Failed"_s;
    }
    // A pod that ended stays ended, whatever its containers do after (they are not restarted).
    if (!terminalPhase(previous).isEmpty())
        phase = terminalPhase(previous);

    const bool sandboxReady = in.record.liveSandbox() != nullptr;
    const bool containersReady = unready.isEmpty() && phase == u"Running";
    QJsonArray conditions;
    conditions.append(condition(u"PodReadyToStartContainers"_s, sandboxReady));
    conditions.append(initialized
                          ? condition(u"Initialized"_s, true)
                          : condition(u"Initialized"_s, false, u"ContainersNotInitialized"_s,
                                      u"containers with incomplete status: [%1]"_s.arg(
                                          incompleteInit.join(u' '))));
    const QString unreadyMessage =
        u"containers with unready status: [%1]"_s.arg(unready.join(u' '));
    if (phase == u"Succeeded" || phase == u"Failed") {
        conditions.append(condition(u"Ready"_s, false, u"PodCompleted"_s));
        conditions.append(condition(u"ContainersReady"_s, false, u"PodCompleted"_s));
    } else if (containersReady) {
        conditions.append(condition(u"Ready"_s, true));
        conditions.append(condition(u"ContainersReady"_s, true));
    } else {
        conditions.append(condition(u"Ready"_s, false, u"ContainersNotReady"_s, unreadyMessage));
        conditions.append(
            condition(u"ContainersReady"_s, false, u"ContainersNotReady"_s, unreadyMessage));
    }
    for (const QJsonValue &v : previous.value(u"conditions").toArray())
        if (v.toObject().value(u"type").toString() == u"PodScheduled")
            conditions.append(v);
    // A condition keeps its transition time while its status stays the same.
    const QString now = rfc3339(in.now);
    for (qsizetype i = 0; i < conditions.size(); ++i) {
        QJsonObject c = conditions[i].toObject();
        if (c.contains(u"lastTransitionTime"))
            continue;
        QString since = now;
        for (const QJsonValue &old : previous.value(u"conditions").toArray())
            if (old.toObject().value(u"type") == c.value(u"type") &&
                old.toObject().value(u"status") == c.value(u"status"))
                since = old.toObject().value(u"lastTransitionTime").toString(now);
        c.insert(u"lastTransitionTime"_s, since);
        conditions[i] = c;
    }

    QJsonObject status{{u"phase"_s, phase},
                       {u"conditions"_s, conditions},
                       {u"hostIP"_s, in.nodeIP},
                       {u"hostIPs"_s, QJsonArray{QJsonObject{{u"ip"_s, in.nodeIP}}}},
                       {u"startTime"_s, in.memory.startTime.isEmpty() ? now : in.memory.startTime},
                       {u"containerStatuses"_s, statuses}};
    if (!initStatuses.isEmpty())
        status.insert(u"initContainerStatuses"_s, initStatuses);
    if (!in.podIP.isEmpty()) {
        status.insert(u"podIP"_s, in.podIP);
        status.insert(u"podIPs"_s, QJsonArray{QJsonObject{{u"ip"_s, in.podIP}}});
    }
    if (previous.contains(u"qosClass"))
        status.insert(u"qosClass"_s, previous.value(u"qosClass"));
    return status;
}

} // namespace timonel::kubelet
