// The ProbeManager and its workers, as the kubelet's prober_manager.go and worker.go: one
// worker per probe per container on its own timer, the success and failure thresholds, startup
// before liveness and readiness, and the signals the node agent acts on.
#include "prober.h"

#include "prober_p.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QTimer>

#include <array>

namespace timonel::kubelet {

Q_LOGGING_CATEGORY(lcProber, "timonel.kubelet", QtInfoMsg)

// One probe of one container, on its own timer: the kubelet's prober worker.
class ProbeWorker : public QObject
{
public:
    ProbeWorker(ProbeManager *manager, const QString &podUid, const QString &containerName,
                ProbeType type, const QJsonObject &probe)
        : QObject(manager), m_manager(manager), m_podUid(podUid), m_containerName(containerName),
          m_type(type), m_probe(probe), m_settings(settingsOf(probe))
    {
        connect(&m_timer, &QTimer::timeout, this, &ProbeWorker::tick);
        m_timer.start(m_settings.initialDelaySeconds * 1000);
    }

    void stop()
    {
        m_stopped = true;
        m_timer.stop();
    }

    // Probes at once, unless still in its initial delay (startup just succeeded).
    void probeNow()
    {
        if (m_delayPassed)
            QTimer::singleShot(0, this, [this] { probe(); });
    }

private:
    void tick()
    {
        if (!m_delayPassed) {
            m_delayPassed = true;
            m_timer.start(m_settings.periodSeconds * 1000);
        }
        probe();
    }

    void probe();
    void onResult(const ProbeResult &result);

    ProbeManager *m_manager;
    QString m_podUid;
    QString m_containerName;
    ProbeType m_type;
    QJsonObject m_probe;
    ProbeSettings m_settings;
    QTimer m_timer;
    bool m_delayPassed = false;
    bool m_inFlight = false;
    bool m_stopped = false;
    // After a liveness or startup failure, until the container is replaced (a new worker).
    bool m_onHold = false;
    int m_lastResult = -1; // 1 success, 0 failure, -1 none yet
    int m_run = 0;         // how many times in a row
};

struct ProbeManager::ContainerProbes
{
    ProbeTarget target;
    bool started = false;
    bool ready = false;
    std::array<QPointer<ProbeWorker>, 3> workers; // by ProbeType

    ~ContainerProbes()
    {
        // Later: a worker may be the one whose signal led here.
        for (const QPointer<ProbeWorker> &w : workers)
            if (w) {
                w->stop();
                w->deleteLater();
            }
    }
};

void ProbeWorker::probe()
{
    if (m_stopped || m_inFlight || m_onHold)
        return;
    const ProbeManager::ContainerProbes *c = m_manager->find(m_podUid, m_containerName);
    if (!c)
        return;
    // Startup probes stop once the container started; the others wait for that.
    if (m_type == ProbeType::Startup ? c->started : !c->started)
        return;
    m_inFlight = true;
    runProbe(m_manager->m_docker, m_type, m_probe, c->target, this,
             [this](const ProbeResult &result) {
                 m_inFlight = false;
                 onResult(result);
             });
}

void ProbeWorker::onResult(const ProbeResult &result)
{
    ProbeManager::ContainerProbes *c = m_manager->find(m_podUid, m_containerName);
    if (m_stopped || !c)
        return;
    if (result.errored) {
        Q_EMIT m_manager->probeErrored(m_podUid, m_containerName, m_type, result.message);
        return;
    }
    const int outcome = result.success ? 1 : 0;
    if (outcome == m_lastResult) {
        ++m_run;
    } else {
        m_lastResult = outcome;
        m_run = 1;
    }
    const bool reached =
        m_run >= (result.success ? m_settings.successThreshold : m_settings.failureThreshold);
    bool changed = false;
    bool unhealthy = false;
    QPointer<ProbeWorker> readiness;
    if (reached) {
        switch (m_type) {
        case ProbeType::Readiness:
            changed = c->ready != result.success;
            c->ready = result.success;
            break;
        case ProbeType::Startup:
            unhealthy = !result.success;
            changed = result.success && !c->started;
            c->started = c->started || result.success;
            // The kubelet probes readiness as soon as the container counts as started.
            if (changed)
                readiness = c->workers[int(ProbeType::Readiness)];
            break;
        case ProbeType::Liveness:
            unhealthy = !result.success;
            break;
        }
        if (unhealthy) { // no more probes until the container is replaced
            m_onHold = true;
            m_run = 0;
        }
    }
    // Signals last: their slots may remove this container (the workers go later).
    ProbeManager *manager = m_manager;
    const QString uid = m_podUid, name = m_containerName;
    const ProbeType type = m_type;
    if (result.warning)
        Q_EMIT manager->probeWarning(uid, name, type, result.message);
    if (!result.success)
        Q_EMIT manager->probeFailed(uid, name, type, result.message);
    if (unhealthy)
        Q_EMIT manager->containerUnhealthy(uid, name, type);
    if (changed)
        Q_EMIT manager->resultChanged(uid, name);
    if (readiness)
        readiness->probeNow();
}

ProbeManager::ProbeManager(docker::DockerClient docker, QObject *parent)
    : QObject(parent), m_docker(std::move(docker))
{
}

ProbeManager::~ProbeManager()
{
    m_containers.clear();
}

ProbeManager::ContainerProbes *ProbeManager::find(const QString &podUid,
                                                  const QString &containerName) const
{
    const auto pod = m_containers.constFind(podUid);
    if (pod == m_containers.cend())
        return nullptr;
    const auto c = pod->constFind(containerName);
    return c == pod->cend() ? nullptr : c->get();
}

void ProbeManager::addContainer(const ProbeTarget &target)
{
    removeContainer(target.podUid, target.containerName);
    auto c = std::make_shared<ContainerProbes>();
    c->target = target;
    auto probeOf = [&](QStringView key) { return target.container.value(key).toObject(); };
    const std::array<std::pair<ProbeType, QJsonObject>, 3> probes{
        std::pair{ProbeType::Startup, probeOf(u"startupProbe")},
        std::pair{ProbeType::Liveness, probeOf(u"livenessProbe")},
        std::pair{ProbeType::Readiness, probeOf(u"readinessProbe")}};
    for (const auto &[type, probe] : probes)
        if (!probe.isEmpty())
            c->workers[int(type)] =
                new ProbeWorker(this, target.podUid, target.containerName, type, probe);
    c->started = !c->workers[int(ProbeType::Startup)];
    c->ready = !c->workers[int(ProbeType::Readiness)];
    m_containers[target.podUid].insert(target.containerName, c);
    qCDebug(lcProber) << "probing" << target.containerName << "of pod" << target.podUid;
    if (c->started) // not false any more, as it was before the container was added
        Q_EMIT resultChanged(target.podUid, target.containerName);
}

void ProbeManager::removeContainer(const QString &podUid, const QString &containerName)
{
    auto pod = m_containers.find(podUid);
    if (pod == m_containers.end())
        return;
    pod->remove(containerName);
    if (pod->isEmpty())
        m_containers.erase(pod);
}

void ProbeManager::removePod(const QString &podUid)
{
    m_containers.remove(podUid);
}

bool ProbeManager::isReady(const QString &podUid, const QString &containerName) const
{
    const ContainerProbes *c = find(podUid, containerName);
    return c && c->started && c->ready;
}

bool ProbeManager::isStarted(const QString &podUid, const QString &containerName) const
{
    const ContainerProbes *c = find(podUid, containerName);
    return c && c->started;
}

} // namespace timonel::kubelet
