// A container's environment as the kubelet builds it: envFrom first (ConfigMaps and Secrets,
// with prefixes), then env in order (value with $(VAR) references to earlier variables,
// fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef). A missing required object or key
// is the CreateContainerConfigError the kubelet reports, with its message.
#pragma once

#include "volumes.h"

#include <QJsonObject>
#include <QStringList>

#include <expected>

namespace timonel::kubelet {

struct EnvContext
{
    QString nodeIP;
    QString podIP;
    // Node allocatable cpu (millicores) and memory (bytes), for resourceFieldRef without limits.
    qint64 nodeMilliCpu = 0;
    qint64 nodeMemory = 0;
};

// "NAME=value" entries in Kubernetes' order (later entries win for duplicates).
std::expected<QStringList, QString> containerEnvironment(const QJsonObject &pod,
                                                         const QJsonObject &container,
                                                         const VolumeSources &sources,
                                                         const EnvContext &context);

// A fieldRef's value (metadata.name, metadata.labels['app'], status.podIP...): shared with the
// downward API.
std::expected<QString, QString> podFieldValue(const QJsonObject &pod, const QString &fieldPath,
                                              const EnvContext &context);

} // namespace timonel::kubelet
