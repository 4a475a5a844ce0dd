// What the prober's files share: a probe's timing settings with the kubelet's defaults.
#pragma once

#include <QJsonObject>

namespace timonel::kubelet {

struct ProbeSettings
{
    int initialDelaySeconds = 0;
    int periodSeconds = 10;
    int timeoutSeconds = 1;
    int successThreshold = 1;
    int failureThreshold = 3;
};

// The probe's settings; missing or non-positive values take the defaults.
ProbeSettings settingsOf(const QJsonObject &probe);

} // namespace timonel::kubelet
