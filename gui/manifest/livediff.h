// `kubectl diff` for the editor, its pure part: an object as the cluster has it now (the live
// object) against what a server-side dry-run apply of the file's object would make of it (the
// merged object), both as YAML, as a unified diff. Both sides go without the fields the server
// rewrites on every write (managedFields, resourceVersion, generation, uid, creationTimestamp),
// so what is left is what the apply would change; Secret values are masked as kubectl masks
// them. An object the cluster does not have yet is all added. Qt Core only: the requests are
// ClusterDiff's.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace timonel::manifest {

struct ObjectDiff
{
    int document = -1; // 0-based index of its YAML document in the file; -1 when unknown
    int line = 0;      // 1-based first line of that document; 0 when unknown
    QString kind;
    QString name;
    QString path;        // kubectl diff's name: "apps.v1.Deployment.default.web"
    bool exists = false; // the cluster has the object now
    QString diff;        // the unified diff; "" when applying would change nothing
    QString error;       // why it could not be compared; "" when it was

    bool isChanged() const { return !diff.isEmpty(); }
};

// The object without metadata.managedFields, resourceVersion, generation, uid and
// creationTimestamp.
QJsonObject withoutServerFields(QJsonObject object);

// A Secret's data and stringData values as kubectl diff shows them: "***" where both sides have
// the same value, "*** (before)" and "*** (after)" where they differ. Other kinds stay as they
// are.
void maskSecrets(std::optional<QJsonObject> &live, QJsonObject &merged);

// kubectl diff's name for an object: its group, version, kind, namespace and name joined by
// dots ("apps.v1.Deployment.shop.web", "v1.Namespace.shop" for a cluster-scoped one).
QString diffName(const QJsonObject &object);

// The diff of one object: `live` (nullopt: not in the cluster) against `merged`, with the
// headers "--- live/<name>" and "+++ merged/<name>".
ObjectDiff compareObjects(const std::optional<QJsonObject> &live, const QJsonObject &merged);

// Every object's diff one after the other, as `kubectl diff` prints them.
QString diffText(const QList<ObjectDiff> &diffs);

} // namespace timonel::manifest
