// A pod's status as the kubelet reports it (generateAPIPodStatus): phase, conditions, and the
// state of every container, from what Docker says and what the node agent remembers (why a
// container waits, its back-off).
#pragma once

#include "runtime.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QString>

namespace timonel::kubelet {

// What the node agent remembers about one spec container between syncs.
struct ContainerMemory
{
    int backoffSeconds = 0; // the CrashLoopBackOff step reached (0: none yet)
    QDateTime backoffUntil; // no restart before this
    int imageBackoffSeconds = 0;
    QDateTime imageBackoffUntil;
    QString waitingReason; // shown while the container does not run (ErrImagePull...)
    QString waitingMessage;
};

struct PodMemory
{
    QHash<QString, ContainerMemory> containers; // by memoryKey()
    QString startTime;                          // when the node agent first took the pod
    bool terminal = false;                      // Succeeded or Failed: never restarted again

    static QString memoryKey(const QString &name, bool init)
    {
        return init ? QStringLiteral("init:") + name : name;
    }
};

struct StatusInputs
{
    QJsonObject pod;
    PodRecord record;
    PodMemory memory;
    QString nodeIP;
    QString podIP;
    QHash<QString, bool> ready;   // readiness by container name (probes)
    QHash<QString, bool> started; // startup by container name (probes)
    QDateTime now;
};

QJsonObject generatePodStatus(const StatusInputs &in);

// Succeeded or Failed from the containers' ends (restartPolicy Never/OnFailure), else "".
QString terminalPhase(const QJsonObject &status);

} // namespace timonel::kubelet
