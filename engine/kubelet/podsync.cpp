#include "podsync.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QThread>

#include <memory>
#include <vector>

using namespace Qt::StringLiterals;

namespace timonel::kubelet {

namespace {

// The kubelet's container restart back-off: 10 s doubling to 5 minutes, forgotten after a
// container has run for 10 minutes.
constexpr int initialBackoffSeconds = 10;
constexpr int maxBackoffSeconds = 300;
constexpr int backoffResetSeconds = 600;
constexpr int defaultGraceSeconds = 30;

QString fieldPath(const QString &name, bool init)
{
    return (init ? u"spec.initContainers{%1}"_s : u"spec.containers{%1}"_s).arg(name);
}

QString podDescription(const QJsonObject &pod)
{
    const QJsonObject meta = pod.value(u"metadata").toObject();
    return u"%1_%2(%3)"_s.arg(meta.value(u"name").toString(), meta.value(u"namespace").toString(),
                              meta.value(u"uid").toString());
}

int nextBackoff(int current)
{
    return current == 0 ? initialBackoffSeconds : std::min(maxBackoffSeconds, current * 2);
}

QString pullPolicyOf(const QJsonObject &container)
{
    const QString policy = container.value(u"imagePullPolicy").toString();
    if (!policy.isEmpty())
        return policy;
    const QString image = container.value(u"image").toString();
    const QString last = image.section(u'/', -1);
    return !last.contains(u':') || last.endsWith(u":latest") ? u"Always"_s : u"IfNotPresent"_s;
}

int graceSecondsOf(const QJsonObject &pod)
{
    const QJsonObject meta = pod.value(u"metadata").toObject();
    if (meta.contains(u"deletionGracePeriodSeconds"))
        return meta.value(u"deletionGracePeriodSeconds").toInt();
    return pod.value(u"spec")
        .toObject()
        .value(u"terminationGracePeriodSeconds")
        .toInt(defaultGraceSeconds);
}

QJsonObject specContainer(const QJsonObject &pod, const QString &name, bool init)
{
    const QJsonArray list =
        pod.value(u"spec").toObject().value(init ? u"initContainers" : u"containers").toArray();
    for (const QJsonValue &v : list)
        if (v.toObject().value(u"name").toString() == name)
            return v.toObject();
    return {};
}

} // namespace

PodSyncer::PodSyncer(const Runtime &runtime, const VolumeManager &volumes, ClusterDnsConfig dns)
    : m_runtime(runtime), m_volumes(volumes), m_dns(std::move(dns))
{
}

PodSyncOutput PodSyncer::sync(const PodSyncInput &in) const
{
    PodSyncOutput out;
    out.memory = in.memory;
    auto record = m_runtime.inspectPod(in.uid);
    if (!record) {
        out.error = record.error();
        out.requeueAfterMs = 2000;
        return out;
    }
    const QJsonObject meta = in.pod.value(u"metadata").toObject();
    if (in.pod.isEmpty() || meta.contains(u"deletionTimestamp")) {
        tearDown(in, *record, out);
        return out;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (out.memory.startTime.isEmpty())
        out.memory.startTime = now.toString(Qt::ISODate);
    const QJsonObject spec = in.pod.value(u"spec").toObject();
    const QString restartPolicy = spec.value(u"restartPolicy").toString(u"Always"_s);
    bool changed = false;

    // A new sandbox starts on another thread while the volumes are prepared and the containers
    // created, which Docker allows on a sandbox that does not run yet: the containers start as
    // soon as it runs.
    // (A QThread, not std::async: the Docker client waits in a Qt event loop.)
    std::unique_ptr<QThread> sandboxStarting;
    RuntimeResult sandboxStarted;
    std::optional<QString> sandboxError;
    auto sandboxRuns = [&] {
        if (sandboxStarting) {
            sandboxStarting->wait();
            sandboxStarting.reset();
            if (!sandboxStarted)
                sandboxError = sandboxStarted.error();
        }
        if (sandboxError && !out.sandboxFailed) {
            out.events.append({u"Warning"_s,
                               u"FailedCreatePodSandBox"_s,
                               u"Failed to create pod sandbox: "_s + *sandboxError,
                               {}});
            out.requeueAfterMs = 5000;
            out.sandboxFailed = true;
        }
        return !sandboxError;
    };

    auto finish = [&](PodRecord current) {
        sandboxRuns();
        if (changed) {
            if (auto again = m_runtime.inspectPod(in.uid))
                current = *again;
        }
        const SandboxRecord *live = current.liveSandbox();
        out.podIP = live ? live->ip : QString();
        out.status = generatePodStatus(
            {in.pod, current, out.memory, in.env.nodeIP, out.podIP, in.ready, in.started, now});
        for (const ContainerRecord &c : current.containers)
            if (c.running())
                out.running.append({c.name, c.id, c.init});
        // Wake up when the earliest back-off ends.
        for (const ContainerMemory &m : std::as_const(out.memory.containers))
            for (const QDateTime &until : {m.backoffUntil, m.imageBackoffUntil})
                if (until.isValid() && until > now) {
                    const int ms = int(now.msecsTo(until)) + 50;
                    out.requeueAfterMs = std::min(out.requeueAfterMs.value_or(ms), ms);
                }
        return out;
    };

    // An ended pod keeps its containers (for logs) but nothing runs again.
    if (!terminalPhase(in.pod.value(u"status").toObject()).isEmpty()) {
        for (const ContainerRecord &c : record->containers)
            if (c.running()) {
                m_runtime.stopContainer(c.id, graceSecondsOf(in.pod));
                changed = true;
            }
        if (const SandboxRecord *live = record->liveSandbox()) {
            m_runtime.stopContainer(live->id, 0);
            changed = true;
        }
        return finish(*record);
    }

    // The sandbox: the pod's network namespace and IP.
    SandboxRecord sandbox;
    if (const SandboxRecord *live = record->liveSandbox()) {
        sandbox = *live;
    } else {
        int attempt = 0;
        if (!record->sandboxes.isEmpty()) {
            attempt = record->sandboxes.first().attempt + 1;
            // The containers lost their network with their sandbox: they go too.
            for (const ContainerRecord &c : record->containers)
                if (c.running())
                    m_runtime.stopContainer(c.id, 0);
            for (const SandboxRecord &old : record->sandboxes)
                m_runtime.docker().removeContainer(old.id, true, true);
            out.events.append({u"Normal"_s,
                               u"SandboxChanged"_s,
                               u"Pod sandbox changed, it will be killed and re-created."_s,
                               {}});
        }
        auto held = m_volumes.sandboxMounts(in.pod);
        if (!held) {
            out.events.append({u"Warning"_s, u"FailedMount"_s, held.error().message, {}});
            out.requeueAfterMs = 5000;
            return finish(*record);
        }
        auto created = m_runtime.createSandbox(in.pod, in.podIP, attempt, *held);
        if (!created) {
            sandboxError = created.error();
            changed = true;
            return finish(*record);
        }
        sandbox = *created;
        sandboxStarting.reset(QThread::create([this, id = sandbox.id, &sandboxStarted] {
            sandboxStarted = m_runtime.startSandbox(id);
        }));
        sandboxStarting->start();
        changed = true;
    }

    auto volumes = m_volumes.prepare(in.pod, in.sources);
    if (!volumes) {
        out.events.append({u"Warning"_s, u"FailedMount"_s, volumes.error().message, {}});
        out.requeueAfterMs = 5000;
        return finish(*record);
    }
    // The pod's resolv.conf, unless it is the node's, which Docker gives the sandbox anyway.
    if (const QString resolv = podResolvConf(in.pod, m_dns).toString();
        resolv != m_dns.node.toString()) {
        auto file = m_volumes.writePodFile(in.uid, u"resolv.conf"_s, resolv.toUtf8());
        if (!file) {
            out.events.append({u"Warning"_s, u"FailedMount"_s, file.error(), {}});
            out.requeueAfterMs = 5000;
            return finish(*record);
        }
        file->insert(u"Target"_s, u"/etc/resolv.conf"_s);
        volumes->podMounts.append(*file);
    }

    // Containers the probes gave up on are killed, then restarted by the rules below.
    for (auto it = in.kill.begin(); it != in.kill.end(); ++it) {
        const ContainerRecord *c = record->latest(it.key(), false);
        if (!c || !c->running())
            continue;
        out.events.append({u"Normal"_s, u"Killing"_s, it.value(), fieldPath(it.key(), false)});
        const QJsonObject container = specContainer(in.pod, it.key(), false);
        const QJsonObject preStop =
            container.value(u"lifecycle").toObject().value(u"preStop").toObject();
        if (!preStop.isEmpty())
            m_runtime.runHook(preStop, *c, sandbox.ip, container);
        m_runtime.stopContainer(c->id, graceSecondsOf(in.pod));
        changed = true;
    }
    if (changed) {
        if (auto again = m_runtime.inspectPod(in.uid))
            *record = *again;
        changed = false;
    }

    // Init containers, one at a time and in order; the app containers wait for all of them.
    QList<CreatedContainer> created;
    bool initialized = true;
    for (const QJsonValue &v : spec.value(u"initContainers").toArray()) {
        const QJsonObject container = v.toObject();
        const ContainerRecord *c = record->latest(container.value(u"name").toString(), true);
        if (c && c->exited() && c->exitCode == 0 && c->error.isEmpty())
            continue;
        initialized = false;
        if (c && c->running())
            break;
        if (c && c->exited()) {
            if (restartPolicy != u"Never" && backoffAllows(in.pod, *c, true, out))
                changed |= create(in, container, true, sandbox, c->restartCount + 1, *volumes, out,
                                  created);
            break;
        }
        changed |= create(in, container, true, sandbox, 0, *volumes, out, created);
        break;
    }
    if (initialized) {
        for (const QJsonValue &v : spec.value(u"containers").toArray()) {
            const QJsonObject container = v.toObject();
            const QString name = container.value(u"name").toString();
            const ContainerRecord *c = record->latest(name, false);
            if (!c) {
                changed |= create(in, container, false, sandbox, 0, *volumes, out, created);
                continue;
            }
            ContainerMemory &memory = out.memory.containers[PodMemory::memoryKey(name, false)];
            if (c->running()) {
                memory.waitingReason.clear();
                memory.waitingMessage.clear();
                continue;
            }
            const bool restart =
                restartPolicy == u"Always" || (restartPolicy == u"OnFailure" && c->exitCode != 0);
            if (!restart) {
                memory.waitingReason.clear();
                memory.waitingMessage.clear();
                continue;
            }
            if (backoffAllows(in.pod, *c, false, out))
                changed |= create(in, container, false, sandbox, c->restartCount + 1, *volumes, out,
                                  created);
        }
    }
    if (!sandboxRuns()) {
        for (const CreatedContainer &c : std::as_const(created))
            m_runtime.docker().removeContainer(c.id, true, true);
        return finish(*record);
    }
    // In spec order, each after the previous one's postStart hook, as the kubelet does.
    for (const CreatedContainer &c : std::as_const(created))
        run(in, c, sandbox, out);
    collectGarbage(*record);
    return finish(*record);
}

bool PodSyncer::backoffAllows(const QJsonObject &pod, const ContainerRecord &ended, bool init,
                              PodSyncOutput &out) const
{
    ContainerMemory &memory = out.memory.containers[PodMemory::memoryKey(ended.name, init)];
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QDateTime finished = ended.finishedAt.isValid() ? ended.finishedAt : now;
    if (ended.startedAt.isValid() && ended.startedAt.secsTo(finished) >= backoffResetSeconds)
        memory.backoffSeconds = 0;
    if (memory.backoffSeconds > 0) {
        memory.backoffUntil = finished.addSecs(memory.backoffSeconds);
        if (now < memory.backoffUntil) {
            memory.waitingReason = u"CrashLoopBackOff"_s;
            memory.waitingMessage = u"back-off %1s restarting failed container=%2 pod=%3"_s.arg(
                QString::number(memory.backoffSeconds), ended.name, podDescription(pod));
            out.events.append({u"Warning"_s, u"BackOff"_s,
                               u"Back-off restarting failed container %1 in pod %2"_s.arg(
                                   ended.name, podDescription(pod)),
                               fieldPath(ended.name, init)});
            return false;
        }
    }
    memory.backoffSeconds = nextBackoff(memory.backoffSeconds);
    memory.backoffUntil = {};
    return true;
}

bool PodSyncer::create(const PodSyncInput &in, const QJsonObject &container, bool init,
                       const SandboxRecord &sandbox, int restartCount,
                       const PreparedVolumes &volumes, PodSyncOutput &out,
                       QList<CreatedContainer> &created) const
{
    const QString name = container.value(u"name").toString();
    const QString path = fieldPath(name, init);
    const QString image = container.value(u"image").toString();
    ContainerMemory &memory = out.memory.containers[PodMemory::memoryKey(name, init)];
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto waitWith = [&](const QString &reason, const QString &message) {
        memory.waitingReason = reason;
        memory.waitingMessage = message;
        out.events.append({u"Warning"_s, u"Failed"_s, u"Error: "_s + reason, path});
        return false;
    };

    if (memory.imageBackoffUntil.isValid() && now < memory.imageBackoffUntil) {
        memory.waitingReason = u"ImagePullBackOff"_s;
        memory.waitingMessage = u"Back-off pulling image \"%1\""_s.arg(image);
        out.events.append({u"Normal"_s, u"BackOff"_s, memory.waitingMessage, path});
        return false;
    }
    QElapsedTimer pullTime;
    pullTime.start();
    bool pulled = false;
    auto imageId = m_runtime.ensureImage(image, pullPolicyOf(container), &pulled);
    if (!imageId) {
        const ContainerStartError &e = imageId.error();
        if (e.reason == u"ErrImagePull") {
            out.events.append(
                {u"Normal"_s, u"Pulling"_s, u"Pulling image \"%1\""_s.arg(image), path});
            out.events.append({u"Warning"_s, u"Failed"_s,
                               u"Failed to pull image \"%1\": %2"_s.arg(image, e.message), path});
            memory.imageBackoffSeconds = nextBackoff(memory.imageBackoffSeconds);
            memory.imageBackoffUntil = now.addSecs(memory.imageBackoffSeconds);
        } else {
            out.events.append({u"Warning"_s,
                               e.reason == u"InvalidImageName" ? u"InspectFailed"_s : e.reason,
                               e.message, path});
        }
        return waitWith(e.reason, e.message);
    }
    memory.imageBackoffSeconds = 0;
    memory.imageBackoffUntil = {};
    if (pulled) {
        const double seconds = pullTime.elapsed() / 1000.0;
        out.events.append({u"Normal"_s, u"Pulling"_s, u"Pulling image \"%1\""_s.arg(image), path});
        out.events.append(
            {u"Normal"_s, u"Pulled"_s,
             u"Successfully pulled image \"%1\" in %2s"_s.arg(image).arg(seconds, 0, 'f', 3),
             path});
    } else {
        out.events.append({u"Normal"_s, u"Pulled"_s,
                           u"Container image \"%1\" already present on machine"_s.arg(image),
                           path});
    }

    EnvContext envContext = in.env;
    envContext.podIP = sandbox.ip;
    auto env = containerEnvironment(in.pod, container, in.sources, envContext);
    if (!env)
        return waitWith(u"CreateContainerConfigError"_s, env.error());
    auto mounts = m_volumes.mountsFor(in.pod, container, volumes);
    if (!mounts)
        return waitWith(u"CreateContainerConfigError"_s, mounts.error());
    for (const QJsonValue &mount : volumes.podMounts)
        mounts->append(mount);

    auto id =
        m_runtime.createContainer(in.pod, container, init, sandbox, restartCount, *env, *mounts);
    if (!id) {
        memory.waitingReason = id.error().reason;
        memory.waitingMessage = id.error().message;
        out.events.append({u"Warning"_s, u"Failed"_s, u"Error: "_s + id.error().message, path});
        return false;
    }
    memory.waitingReason.clear();
    memory.waitingMessage.clear();
    out.events.append({u"Normal"_s, u"Created"_s, u"Created container "_s + name, path});
    created.append({*id, container, init});
    return true;
}

void PodSyncer::run(const PodSyncInput &in, const CreatedContainer &created,
                    const SandboxRecord &sandbox, PodSyncOutput &out) const
{
    const QString name = created.spec.value(u"name").toString();
    const QString path = fieldPath(name, created.init);
    if (auto started = m_runtime.startContainer(created.id); !started) {
        ContainerMemory &memory = out.memory.containers[PodMemory::memoryKey(name, created.init)];
        memory.waitingReason = started.error().reason;
        memory.waitingMessage = started.error().message;
        out.events.append(
            {u"Warning"_s, u"Failed"_s, u"Error: "_s + started.error().message, path});
        return; // the container failed in Docker, where its status shows it
    }
    out.events.append({u"Normal"_s, u"Started"_s, u"Started container "_s + name, path});

    const QJsonObject postStart =
        created.spec.value(u"lifecycle").toObject().value(u"postStart").toObject();
    if (!postStart.isEmpty()) {
        ContainerRecord started;
        started.id = created.id;
        started.name = name;
        if (auto failed = m_runtime.runHook(postStart, started, sandbox.ip, created.spec)) {
            out.events.append({u"Warning"_s, u"FailedPostStartHook"_s, *failed, path});
            out.events.append({u"Normal"_s, u"Killing"_s, u"FailedPostStartHook"_s, path});
            m_runtime.stopContainer(created.id, graceSecondsOf(in.pod));
        }
    }
}

void PodSyncer::tearDown(const PodSyncInput &in, const PodRecord &record, PodSyncOutput &out) const
{
    const int grace = in.pod.isEmpty() ? 0 : graceSecondsOf(in.pod);
    const SandboxRecord *live = record.liveSandbox();
    const QString podIP = live ? live->ip : QString();
    // Every container stops at once, each after its preStop hook, within the grace period.
    std::vector<std::unique_ptr<QThread>> stops;
    for (const ContainerRecord &c : record.containers) {
        if (!c.running())
            continue;
        const QJsonObject container = specContainer(in.pod, c.name, c.init);
        out.events.append({u"Normal"_s, u"Killing"_s, u"Stopping container "_s + c.name,
                           fieldPath(c.name, c.init)});
        const QJsonObject preStop =
            container.value(u"lifecycle").toObject().value(u"preStop").toObject();
        stops.emplace_back(QThread::create([this, c, container, preStop, grace, podIP] {
            QElapsedTimer elapsed;
            elapsed.start();
            if (!preStop.isEmpty() && grace > 0)
                m_runtime.runHook(preStop, c, podIP, container);
            m_runtime.stopContainer(c.id, std::max(0, grace - int(elapsed.elapsed() / 1000)));
        }));
        stops.back()->start();
    }
    for (auto &thread : stops)
        thread->wait();
    if (auto removed = m_runtime.removePod(record, 0); !removed)
        out.error = removed.error();
    m_volumes.cleanup(in.uid);
    out.tornDown = out.error.isEmpty();
    if (!out.tornDown)
        out.requeueAfterMs = 2000;
}

void PodSyncer::collectGarbage(const PodRecord &record) const
{
    // The latest instance of each container and the one before it (for logs --previous) stay.
    QHash<QString, int> seen;
    for (const ContainerRecord &c : record.containers) { // newest first
        const int count = ++seen[PodMemory::memoryKey(c.name, c.init)];
        if (count > 2 && !c.running())
            m_runtime.removeContainer(c.id);
    }
    for (const SandboxRecord &s : record.sandboxes)
        if (!s.running && record.liveSandbox())
            m_runtime.docker().removeContainer(s.id, true, true);
}

} // namespace timonel::kubelet
