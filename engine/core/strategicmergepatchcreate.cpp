// Creating a strategic merge patch, as kubectl does (CreateTwoWayMergePatch): diffMaps and the
// diffs of merge lists.
#include "strategicmergepatch.h"
#include "strategicmergepatch_p.h"

using namespace Qt::StringLiterals;

namespace timonel::core {

using namespace strategicpatch;

namespace {

struct ListDiff
{
    QJsonArray patch;     // changed and added elements, then $patch: delete elements
    QJsonArray deletions; // for $deleteFromPrimitiveList
    QJsonArray order;     // for $setElementOrder
};

Expected<QJsonObject> diffMaps(const QJsonObject &original, const QJsonObject &modified,
                               const SchemaType *schema, bool buildRetainKeys);

Expected<ListDiff> diffListsOfMaps(const QJsonArray &original, const QJsonArray &modified,
                                   const SchemaType *schema, const QString &mergeKey,
                                   bool buildRetainKeys)
{
    // Both sorted by the %v text of their merge keys, to walk them side by side.
    auto byKey = [&](const QJsonValue &v) { return goString(orderValue(v, mergeKey, true)); };
    const QJsonArray originalSorted = sortedByText(original, byKey);
    const QJsonArray modifiedSorted = sortedByText(modified, byKey);
    auto element = [&](const QJsonArray &list, qsizetype i) -> Expected<QJsonObject> {
        if (!list.at(i).isObject())
            return Error(errBadArgType(mapType, list.at(i)));
        if (!list.at(i).toObject().contains(mergeKey))
            return Error(errNoMergeKey(list.at(i).toObject(), mergeKey));
        return list.at(i).toObject();
    };
    ListDiff diff;
    qsizetype o = 0, m = 0;
    while (o < originalSorted.size() || m < modifiedSorted.size()) {
        Expected<QJsonObject> before = QJsonObject(), after = QJsonObject();
        if (o < originalSorted.size() && !(before = element(originalSorted, o)))
            return Error(before.error());
        if (m < modifiedSorted.size() && !(after = element(modifiedSorted, m)))
            return Error(after.error());
        const QString beforeKey = goString(before->value(mergeKey));
        const QString afterKey = goString(after->value(mergeKey));
        if (o < originalSorted.size() && m < modifiedSorted.size() && beforeKey == afterKey) {
            auto changes = diffMaps(*before, *after, schema, buildRetainKeys);
            if (!changes)
                return Error(changes.error());
            if (!changes->isEmpty()) {
                changes->insert(mergeKey, after->value(mergeKey));
                diff.patch.append(*changes);
            }
            ++o;
            ++m;
        } else if (o >= originalSorted.size() ||
                   (m < modifiedSorted.size() && goLess(afterKey, beforeKey))) {
            diff.patch.append(*after);
            ++m;
        } else {
            diff.deletions.append(QJsonObject{{mergeKey, before->value(mergeKey)},
                                              {directiveMarker, deleteDirective}});
            ++o;
        }
    }
    return diff;
}

ListDiff diffListsOfScalars(const QJsonArray &original, const QJsonArray &modified)
{
    const QJsonArray before = sortScalars(original), after = sortScalars(modified);
    ListDiff diff;
    qsizetype o = 0, m = 0;
    while (o < before.size() || m < after.size()) {
        const QString b = o < before.size() ? goString(before.at(o)) : QString();
        const QString a = m < after.size() ? goString(after.at(m)) : QString();
        if (o < before.size() && m < after.size() && a == b) {
            ++o;
            ++m;
        } else if (o >= before.size() || (m < after.size() && goLess(a, b))) {
            diff.patch.append(after.at(m++));
        } else {
            diff.deletions.append(before.at(o++));
        }
    }
    diff.deletions = deduplicateScalars(diff.deletions);
    return diff;
}

Expected<ListDiff> diffLists(const QJsonArray &original, const QJsonArray &modified,
                             const SchemaType *schema, const QString &mergeKey,
                             bool buildRetainKeys)
{
    if (original.isEmpty())
        return ListDiff{modified, {}, {}};
    auto type = sliceElementType({original, modified});
    if (!type)
        return Error(type.error());
    if (*type == QJsonValue::Object) {
        auto diff = diffListsOfMaps(original, modified, schema, mergeKey, buildRetainKeys);
        if (!diff)
            return diff;
        auto sorted = normalizeSliceOrder(diff->patch, modified, mergeKey, true);
        if (!sorted)
            return Error(sorted.error());
        bool orderSame = original.size() == modified.size();
        for (qsizetype i = 0; orderSame && i < modified.size(); ++i) {
            auto equal = mergeKeyValueEqual(original.at(i), modified.at(i), mergeKey);
            if (!equal)
                return Error(equal.error());
            orderSame = *equal;
        }
        diff->patch = *sorted;
        for (const QJsonValue &v : std::as_const(diff->deletions))
            diff->patch.append(v);
        diff->deletions = {};
        if (!diff->patch.isEmpty() || !orderSame)
            for (const QJsonValue &v : modified)
                diff->order.append(QJsonObject{{mergeKey, v.toObject().value(mergeKey)}});
        return diff;
    }
    ListDiff diff = diffListsOfScalars(original, modified);
    auto sorted = normalizeSliceOrder(diff.patch, modified, mergeKey, false);
    if (!sorted)
        return Error(sorted.error());
    diff.patch = *sorted;
    // Go's diff sorted original in place before this comparison, so an unsorted list gets an
    // order directive even when it did not change.
    if (!diff.deletions.isEmpty() || sortScalars(original) != modified)
        diff.order = modified;
    return diff;
}

Expected<QJsonObject> diffMaps(const QJsonObject &original, const QJsonObject &modified,
                               const SchemaType *schema, bool buildRetainKeys)
{
    QJsonObject patch;
    QJsonArray retainKeys;
    for (auto it = modified.begin(); it != modified.end(); ++it) {
        const QString key = it.key();
        const QJsonValue after = it.value();
        if (buildRetainKeys && !after.isNull())
            retainKeys.append(key);
        if (!original.contains(key)) {
            patch.insert(key, after);
            continue;
        }
        const QJsonValue before = original.value(key);
        if (key == directiveMarker) {
            if (!before.isString() || !after.isString())
                return Error(u"invalid value for special key: $patch"_s);
            if (before != after)
                patch.insert(key, after);
            continue;
        }
        if (before.type() != after.type()) {
            patch.insert(key, after);
        } else if (before.isObject()) {
            const FieldMeta meta = lookup(schema, key, false);
            if (meta.strategy == replaceDirective) {
                patch.insert(key, after);
                continue;
            }
            auto changes =
                diffMaps(before.toObject(), after.toObject(), meta.type, meta.retainKeys);
            if (!changes)
                return changes;
            if (!changes->isEmpty())
                patch.insert(key, *changes);
        } else if (before.isArray()) {
            const FieldMeta meta = lookup(schema, key, true);
            if (meta.strategy != mergeDirective) {
                if (before != after)
                    patch.insert(key, after);
                continue;
            }
            auto diff = diffLists(before.toArray(), after.toArray(), meta.type, meta.mergeKey,
                                  meta.retainKeys);
            if (!diff)
                return Error(diff.error());
            if (!diff->patch.isEmpty())
                patch.insert(key, diff->patch);
            if (!diff->deletions.isEmpty())
                patch.insert(QString(deleteFromPrimitiveListPrefix) + u'/' + key, diff->deletions);
            if (!diff->order.isEmpty())
                patch.insert(QString(setElementOrderPrefix) + u'/' + key, diff->order);
        } else if (before != after) {
            patch.insert(key, after);
        }
    }
    bool originalHasMore = false; // a non-null key that modified dropped
    for (auto it = original.begin(); it != original.end(); ++it) {
        if (!modified.contains(it.key())) {
            patch.insert(it.key(), QJsonValue::Null);
            originalHasMore = originalHasMore || !it.value().isNull();
        }
    }
    if (!retainKeys.isEmpty() && (!patch.isEmpty() || originalHasMore))
        patch.insert(retainKeysDirective, sortScalars(retainKeys));
    return patch;
}

} // namespace

QJsonObject createStrategicMergePatch(const QJsonObject &original, const QJsonObject &modified,
                                      const SchemaType *schema)
{
    if (auto patch = diffMaps(original, modified, schema, false))
        return *patch;
    QJsonObject replaceAll = modified;
    replaceAll.insert(directiveMarker, replaceDirective);
    return replaceAll;
}

} // namespace timonel::core
