#include "manifest/livediff.h"

#include "core/yaml.h"
#include "manifest/unifieddiff.h"

using namespace Qt::StringLiterals;

namespace timonel::manifest {

namespace {

QString yamlText(const std::optional<QJsonObject> &object)
{
    return object ? QString::fromUtf8(core::toYaml(*object)) : QString();
}

} // namespace

QJsonObject withoutServerFields(QJsonObject object)
{
    QJsonObject metadata = object.value("metadata"_L1).toObject();
    for (const auto key : {"managedFields"_L1, "resourceVersion"_L1, "generation"_L1, "uid"_L1,
                           "creationTimestamp"_L1})
        metadata.remove(key);
    if (object.contains("metadata"_L1))
        object.insert("metadata"_L1, metadata);
    return object;
}

void maskSecrets(std::optional<QJsonObject> &live, QJsonObject &merged)
{
    if (merged.value("kind"_L1) != "Secret"_L1 || (live && live->value("kind"_L1) != "Secret"_L1))
        return;
    for (const auto field : {"data"_L1, "stringData"_L1}) {
        QJsonObject before = live ? live->value(field).toObject() : QJsonObject();
        QJsonObject after = merged.value(field).toObject();
        for (auto it = before.begin(); it != before.end(); ++it) {
            if (!after.contains(it.key())) {
                *it = u"***"_s;
            } else if (after.value(it.key()) == *it) {
                *it = u"***"_s;
                after.insert(it.key(), u"***"_s);
            } else {
                *it = u"*** (before)"_s;
                after.insert(it.key(), u"*** (after)"_s);
            }
        }
        for (auto it = after.begin(); it != after.end(); ++it) {
            if (!before.contains(it.key()))
                *it = u"***"_s;
        }
        if (merged.contains(field))
            merged.insert(field, after);
        if (live && live->contains(field))
            live->insert(field, before);
    }
}

QString diffName(const QJsonObject &object)
{
    const QJsonObject metadata = object.value("metadata"_L1).toObject();
    QStringList parts = {object.value("apiVersion"_L1).toString().replace(u'/', u'.'),
                         object.value("kind"_L1).toString()};
    if (const QString ns = metadata.value("namespace"_L1).toString(); !ns.isEmpty())
        parts << ns;
    parts << metadata.value("name"_L1).toString();
    return parts.join(u'.');
}

ObjectDiff compareObjects(const std::optional<QJsonObject> &live, const QJsonObject &merged)
{
    std::optional<QJsonObject> before;
    if (live)
        before = withoutServerFields(*live);
    QJsonObject after = withoutServerFields(merged);
    maskSecrets(before, after);
    ObjectDiff diff;
    diff.kind = merged.value("kind"_L1).toString();
    diff.name = merged.value("metadata"_L1)["name"_L1].toString();
    diff.path = diffName(merged);
    diff.exists = live.has_value();
    diff.diff = unifiedDiff(yamlText(before), yamlText(after), u"live/"_s + diff.path,
                            u"merged/"_s + diff.path);
    return diff;
}

QString diffText(const QList<ObjectDiff> &diffs)
{
    QString text;
    for (const ObjectDiff &diff : diffs)
        text += diff.diff;
    return text;
}

} // namespace timonel::manifest
