#include "mergepatch.h"

#include <QJsonArray>
#include <QJsonObject>

namespace timonel::core {

namespace {

// What json-patch v4 does to a value it adds where the target had nothing: null members of
// objects go, at any depth (also inside arrays); null array elements stay.
QJsonValue pruneNulls(const QJsonValue &value)
{
    if (value.isObject()) {
        QJsonObject object;
        const QJsonObject source = value.toObject();
        for (auto it = source.begin(); it != source.end(); ++it)
            if (!it.value().isNull())
                object.insert(it.key(), pruneNulls(it.value()));
        return object;
    }
    if (value.isArray()) {
        QJsonArray array;
        for (const QJsonValue &element : value.toArray())
            array.append(element.isNull() ? element : pruneNulls(element));
        return array;
    }
    return value;
}

QJsonObject mergeObjects(QJsonObject target, const QJsonObject &patch)
{
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        const QJsonValue current = target.value(it.key());
        if (it.value().isNull())
            target.remove(it.key());
        else if (current.isUndefined() || current.isNull())
            target.insert(it.key(), pruneNulls(it.value()));
        else if (!current.isObject())
            target.insert(it.key(), pruneNulls(it.value()));
        else if (!it.value().isObject())
            target.insert(it.key(), it.value()); // v4 keeps nulls of an array replacing an object
        else
            target.insert(it.key(), mergeObjects(current.toObject(), it.value().toObject()));
    }
    return target;
}

} // namespace

QJsonValue applyMergePatch(const QJsonValue &target, const QJsonValue &patch)
{
    if (patch.isObject() && target.isObject())
        return mergeObjects(target.toObject(), patch.toObject());
    return pruneNulls(patch);
}

QJsonValue createMergePatch(const QJsonValue &original, const QJsonValue &modified)
{
    if (!original.isObject() || !modified.isObject())
        return modified;
    const QJsonObject before = original.toObject();
    const QJsonObject after = modified.toObject();
    QJsonObject patch;
    for (auto it = after.begin(); it != after.end(); ++it) {
        const QJsonValue old = before.value(it.key());
        if (old.isObject() && it.value().isObject()) {
            const QJsonObject nested = createMergePatch(old, it.value()).toObject();
            if (!nested.isEmpty())
                patch.insert(it.key(), nested);
        } else if (old.isUndefined() || old != it.value()) {
            patch.insert(it.key(), it.value());
        }
    }
    for (auto it = before.begin(); it != before.end(); ++it)
        if (!after.contains(it.key()))
            patch.insert(it.key(), QJsonValue::Null);
    return patch;
}

} // namespace timonel::core
