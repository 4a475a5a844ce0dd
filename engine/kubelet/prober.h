// Container probes (startup, liveness, readiness) as the kubelet's prober: exec (a command in
// the container, success on exit 0), httpGet (2xx or 3xx), tcpSocket (connects). One worker per
// probe per container: it waits initialDelaySeconds, then probes every periodSeconds with
// timeoutSeconds, and flips its result after successThreshold successes or failureThreshold
// failures (Kubernetes' defaults: period 10 s, timeout 1 s, success 1, failure 3). Liveness and
// readiness do not run until the startup probe (if any) has succeeded. Readiness starts as
// failure, liveness and startup as success... until probed.
#pragma once

#include "docker/dockerclient.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace timonel::kubelet {

enum class ProbeType
{
    Startup,
    Liveness,
    Readiness
};

struct ProbeResult
{
    bool success = false;
    // The kubelet's text for events and describe: "HTTP probe failed with statuscode: 404",
    // "dial tcp 10.244.1.5:8080: connect: connection refused", the exec's output.
    QString message;
    // A success with a warning (an HTTP redirect to another host, not followed): "Probe
    // terminated redirects, Response body: ...", for a ProbeWarning event.
    bool warning = false;
    // The probe could not run (a named port the container lacks, Docker failing the exec, a
    // grpc probe): as the kubelet does, the result is not counted ("probe errored").
    bool errored = false;
};

// What a probe reaches: the pod's IP (httpGet without host, tcpSocket) and the container's
// Docker id (exec). `ports` names container ports for named probe ports.
struct ProbeTarget
{
    QString podUid;
    QString podIP;
    QString containerName;
    QString containerId;
    QJsonObject container; // the spec container, with its probes and ports
};

// Runs one probe once. Asynchronous; exec probes run on a worker thread. `done` is called
// once, later, on `context`'s thread, unless `context` is destroyed first.
void runProbe(const docker::DockerClient &docker, ProbeType type, const QJsonObject &probe,
              const ProbeTarget &target, QObject *context, std::function<void(ProbeResult)> done);

class ProbeManager : public QObject
{
    Q_OBJECT
public:
    explicit ProbeManager(docker::DockerClient docker, QObject *parent = nullptr);
    ~ProbeManager() override;

    // Starts the container's probe workers (again, after a restart: new containerId).
    void addContainer(const ProbeTarget &target);
    void removeContainer(const QString &podUid, const QString &containerName);
    void removePod(const QString &podUid);

    // Readiness as last probed: true once successThreshold readiness successes (true at once
    // without a readiness probe, after startup); false for a container not added.
    bool isReady(const QString &podUid, const QString &containerName) const;
    // Whether the startup probe has succeeded (true without one): the `started` field; false
    // for a container not added.
    bool isStarted(const QString &podUid, const QString &containerName) const;

Q_SIGNALS:
    // A probe failed (every failure, for the Unhealthy events: "Liveness probe failed: ...").
    void probeFailed(const QString &podUid, const QString &containerName,
                     timonel::kubelet::ProbeType type, const QString &message);
    // Liveness or startup reached failureThreshold: the node agent kills and restarts the
    // container ("Container nginx failed liveness probe, will be restarted").
    void containerUnhealthy(const QString &podUid, const QString &containerName,
                            timonel::kubelet::ProbeType type);
    // Readiness or startup changed: the pod's status needs an update. Also emitted by
    // addContainer for a container without a startup probe (started at once), since
    // isReady/isStarted answer false for containers not added yet.
    void resultChanged(const QString &podUid, const QString &containerName);
    // The probe could not run ("Liveness probe errored: ..."); the result is not counted.
    void probeErrored(const QString &podUid, const QString &containerName,
                      timonel::kubelet::ProbeType type, const QString &message);
    // A success with a warning, for the ProbeWarning event ("Readiness probe warning: ...").
    void probeWarning(const QString &podUid, const QString &containerName,
                      timonel::kubelet::ProbeType type, const QString &message);

private:
    friend class ProbeWorker;
    struct ContainerProbes;
    ContainerProbes *find(const QString &podUid, const QString &containerName) const;

    docker::DockerClient m_docker;
    // pod uid -> container name -> its probes
    QHash<QString, QHash<QString, std::shared_ptr<ContainerProbes>>> m_containers;
};

} // namespace timonel::kubelet
