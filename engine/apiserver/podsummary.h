// A pod's state as `kubectl get pods` prints it: the STATUS word (Running, CrashLoopBackOff,
// Init:0/1, Terminating...), ready and total containers, and restarts, worked out in one walk
// over the container statuses as printPod does. The printers' cells and the desktop's topology
// graph both read it.
#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

namespace timonel::apiserver {

struct PodSummary
{
    QString reason;
    int ready = 0;
    int total = 0;
    qint64 restarts = 0;
    std::optional<qint64> lastRestart; // µs since the epoch; nullopt: none terminated before
};

PodSummary summarizePod(const QJsonObject &pod);

} // namespace timonel::apiserver
