// Field paths as the API server's field errors write them:
// "spec.template.spec.containers[0].image", "metadata.labels.app"; keys holding dots, brackets or
// quotes go in brackets, quoted or not: metadata.labels["app.kubernetes.io/name"].
#pragma once

#include <QJsonValue>
#include <QString>

namespace timonel::manifest {

// "spec.containers" + "image"; a key holding dots, brackets or quotes in brackets
// (metadata.labels["app.kubernetes.io/name"]).
QString fieldPath(const QString &parent, const QString &key);
// "spec.containers" + 1: "spec.containers[1]".
QString itemPath(const QString &parent, int index);
// The value at path in a JSON tree; undefined when it is missing (or the path is invalid).
QJsonValue valueAt(const QJsonValue &root, const QString &path);

} // namespace timonel::manifest
