// The computed cells of `kubectl get` tables (READY "1/1", a pod's STATUS, a service's PORT(S)),
// named by the columns of the schema data (engine/core/schema/*.yaml).
#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>

namespace timonel::apiserver {

using PrinterFunction = QJsonValue (*)(const QJsonObject &object, const QDateTime &now);

// nullptr for an unknown name.
PrinterFunction printerFunction(QStringView name);

// The column format a printer's cells carry: "name" for a printer that stands in for the object's
// name (a StorageClass's "standard (default)"), "" otherwise.
QString printerFormat(QStringView name);

// The conditions of a table row (metav1.TableRowCondition as JSON), as Kubernetes attaches them:
// a Succeeded or Failed pod's row is Completed. Empty for every other object.
QJsonArray rowConditions(QStringView group, QStringView kind, const QJsonObject &object);

} // namespace timonel::apiserver
