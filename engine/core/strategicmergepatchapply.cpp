// Applying a strategic merge patch, as the API server does (StrategicMergeMapPatch): mergeMap
// and mergeSlice with their directives, and the ordering of merged lists.
#include "strategicmergepatch.h"
#include "strategicmergepatch_p.h"

#include <algorithm>
#include <optional>

using namespace Qt::StringLiterals;

namespace timonel::core {

using namespace strategicpatch;

namespace {

const QString badRetainKeys = u"invalid patch format of retainKeys"_s;

QString errBadPatchType(const QJsonValue &directive, const QJsonObject &m)
{
    const QString shown = directive.isString() ? directive.toString()
                          : directive.isNull()
                              ? u"%!s(<nil>)"_s
                              : u"%!s(%1=%2)"_s.arg(goTypeName(directive), goString(directive));
    return u"unknown patch type: %1 in map: %2"_s.arg(shown, goString(m));
}

// PatchMetaFromStruct.Name(): the Go kind of the list's element type.
QString schemaName(const SchemaType *schema)
{
    if (!schema)
        return u"struct"_s;
    switch (schema->kind) {
    case SchemaType::Kind::Map:
        return u"map"_s;
    case SchemaType::Kind::String:
        return u"string"_s;
    case SchemaType::Kind::Integer:
        return u"int64"_s;
    case SchemaType::Kind::Boolean:
        return u"bool"_s;
    default:
        return u"struct"_s;
    }
}

// ---- Ordering merged lists ----

// Interleaves the server-only elements (left) into the patch's (right), keeping both relative
// orders; a left element goes first only when the live list had it before the right one.
QJsonArray mergeSortedSlice(const QJsonArray &left, const QJsonArray &right,
                            const QJsonArray &serverOrder, const QString &mergeKey, bool maps)
{
    const QList<qsizetype> leftAt = positionsIn(serverOrder, left, mergeKey, maps);
    const QList<qsizetype> rightAt = positionsIn(serverOrder, right, mergeKey, maps);
    QJsonArray merged;
    qsizetype i = 0, j = 0;
    while (i < left.size() || j < right.size()) {
        bool takeLeft = j >= right.size();
        if (i < left.size() && j < right.size())
            takeLeft = leftAt[i] >= 0 && rightAt[j] >= 0 && leftAt[i] < rightAt[j];
        merged.append(takeLeft ? left.at(i++) : right.at(j++));
    }
    return merged;
}

Expected<QJsonArray> normalizeElementOrder(const QJsonArray &patch, const QJsonArray &serverOnly,
                                           const QJsonArray &patchOrder,
                                           const QJsonArray &serverOrder, const QString &mergeKey,
                                           bool maps)
{
    auto patchSorted = normalizeSliceOrder(patch, patchOrder, mergeKey, maps);
    if (!patchSorted)
        return patchSorted;
    auto serverSorted = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, maps);
    if (!serverSorted)
        return serverSorted;
    return mergeSortedSlice(*serverSorted, *patchSorted, serverOrder, mergeKey, maps);
}

// The index of the map whose key equals value, or -1.
Expected<qsizetype> findMapInSlice(const QJsonArray &list, const QString &key,
                                   const QJsonValue &value)
{
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (!list.at(i).isObject())
            return Error(u"value for key %1 is not a map"_s.arg(i));
        const QJsonObject m = list.at(i).toObject();
        if (m.contains(key) && m.value(key) == value)
            return i;
    }
    return -1;
}

struct Partition
{
    QJsonArray inList;
    QJsonArray serverOnly;
};

Expected<Partition> partitionByPresence(const QJsonArray &merged, const QJsonArray &partitionBy,
                                        const QString &mergeKey)
{
    const bool maps = !mergeKey.isEmpty();
    const FirstPositions first(partitionBy, mergeKey, maps);
    const bool onlyMaps = std::all_of(partitionBy.begin(), partitionBy.end(),
                                      [](const QJsonValue &v) { return v.isObject(); });
    Partition p;
    for (const QJsonValue &v : merged) {
        bool found = false;
        if (!maps) {
            found = first.of(v) >= 0;
        } else {
            if (!v.isObject())
                return Error(errBadArgType(mapType, v));
            if (!v.toObject().contains(mergeKey))
                return Error(errNoMergeKey(v.toObject(), mergeKey));
            const QJsonValue key = v.toObject().value(mergeKey);
            found = first.of(key) >= 0;
            if (!onlyMaps) { // for Go's error about the element that is not a map
                auto index = findMapInSlice(partitionBy, mergeKey, key);
                if (!index)
                    return Error(index.error());
            }
        }
        (found ? p.inList : p.serverOnly).append(v);
    }
    return p;
}

bool isDirectiveKey(const QString &key)
{
    return key == directiveMarker || key == retainKeysDirective ||
           key.startsWith(QString(setElementOrderPrefix) + u'/') ||
           key.startsWith(QString(deleteFromPrimitiveListPrefix) + u'/');
}

// ---- Merging ----

// Values taken from the patch as they are lose maps marked with $patch, at any depth.
std::optional<QJsonValue> removeDirectives(const QJsonValue &v)
{
    if (v.isObject()) {
        QJsonObject object = v.toObject();
        if (object.contains(directiveMarker))
            return std::nullopt;
        for (const QString &key : object.keys()) {
            if (auto kept = removeDirectives(object.value(key)))
                object.insert(key, *kept);
            else
                object.remove(key);
        }
        return object;
    }
    if (v.isArray()) {
        QJsonArray array;
        for (const QJsonValue &e : v.toArray())
            if (auto kept = removeDirectives(e))
                array.append(*kept);
        return array;
    }
    return v;
}

QJsonValue discardNullValues(const QJsonValue &v)
{
    if (v.isObject()) {
        QJsonObject object = v.toObject();
        for (const QString &key : object.keys()) {
            if (object.value(key).isNull())
                object.remove(key);
            else
                object.insert(key, discardNullValues(object.value(key)));
        }
        return object;
    }
    if (v.isArray()) {
        QJsonArray array;
        for (const QJsonValue &e : v.toArray())
            array.append(discardNullValues(e));
        return array;
    }
    return v;
}

// The result must not carry directives: the API server's typed decoding would drop them.
std::optional<QJsonValue> withoutDirectiveKeys(const QJsonValue &v)
{
    bool changed = false;
    if (v.isObject()) {
        QJsonObject object = v.toObject();
        for (const QString &key : object.keys()) {
            if (isDirectiveKey(key)) {
                object.remove(key);
                changed = true;
            } else if (auto clean = withoutDirectiveKeys(object.value(key))) {
                object.insert(key, *clean);
                changed = true;
            }
        }
        return changed ? std::optional<QJsonValue>(object) : std::nullopt;
    }
    if (v.isArray()) {
        QJsonArray array = v.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (auto clean = withoutDirectiveKeys(array.at(i))) {
                array.replace(i, *clean);
                changed = true;
            }
        }
        return changed ? std::optional<QJsonValue>(array) : std::nullopt;
    }
    return std::nullopt;
}

Expected<QString> extractKey(const QString &key, QLatin1StringView prefix)
{
    const qsizetype slash = key.indexOf(u'/');
    if (slash < 0 || QStringView(key).left(slash) != prefix)
        return Error(prefix == deleteFromPrimitiveListPrefix
                         ? u"invalid patch format of primitive list"_s
                         : u"invalid patch format of setElementOrder list"_s);
    return key.mid(slash + 1);
}

Expected<QJsonObject> mergeMap(QJsonObject original, QJsonObject patch, const SchemaType *schema);

// Go deletes and appends merge-list elements in place, through the caller's slice of original:
// *aliased receives what that slice shows afterwards (its length stays), which
// mergePatchIntoOriginal orders by. Only writes below the original length are visible, so this
// does not depend on the slice's capacity.
Expected<QJsonArray> mergeSlice(QJsonArray original, QJsonArray patch, const SchemaType *schema,
                                const QString &mergeKey, bool isDeleteList,
                                QJsonArray *aliased = nullptr)
{
    if (aliased)
        *aliased = original;
    if (original.isEmpty() && patch.isEmpty())
        return original;
    auto type = sliceElementType({original, patch});
    if (!type)
        return Error(type.error());
    const bool maps = *type == QJsonValue::Object;
    QJsonArray merged;
    if (!maps) {
        if (isDeleteList) {
            QJsonArray kept;
            for (const QJsonValue &v : original)
                if (!patch.contains(v))
                    kept.append(v);
            return kept;
        }
        QJsonArray both = original;
        for (const QJsonValue &v : patch)
            both.append(v);
        merged = deduplicateScalars(both);
    } else {
        if (mergeKey.isEmpty())
            return Error(u"cannot merge lists without merge key for "_s + schemaName(schema));
        // Elements carrying $patch first: delete drops matching elements from original,
        // replace makes the patch's plain elements the whole list.
        QJsonArray plain;
        bool replace = false;
        for (const QJsonValue &v : patch) {
            const QJsonObject element = v.toObject();
            if (!element.contains(directiveMarker)) {
                plain.append(v);
                continue;
            }
            const QJsonValue directive = element.value(directiveMarker);
            if (isString(directive, deleteDirective)) {
                if (!element.contains(mergeKey))
                    return Error(errNoMergeKey(element, mergeKey));
                for (;;) {
                    auto index = findMapInSlice(original, mergeKey, element.value(mergeKey));
                    if (!index)
                        return Error(index.error());
                    if (*index < 0)
                        break;
                    if (aliased) // append(s[:i], s[i+1:]...) shifts the tail, keeps the last
                        for (qsizetype j = *index; j + 1 < original.size(); ++j)
                            aliased->replace(j, original.at(j + 1));
                    original.removeAt(*index);
                }
            } else if (isString(directive, replaceDirective)) {
                replace = true;
            } else if (isString(directive, mergeDirective)) {
                return Error(u"merging lists cannot yet be specified in the patch"_s);
            } else {
                return Error(errBadPatchType(directive, element));
            }
        }
        if (replace) {
            original = plain;
            plain = {};
        }
        merged = original;
        FirstPositions positions(merged, mergeKey, true);
        for (const QJsonValue &v : plain) {
            const QJsonObject element = v.toObject();
            if (!element.contains(mergeKey))
                return Error(errNoMergeKey(element, mergeKey));
            const qsizetype index = positions.of(element.value(mergeKey));
            if (index < 0) {
                if (aliased && merged.size() < aliased->size())
                    aliased->replace(merged.size(), v);
                positions.add(v, merged.size(), mergeKey, true);
                merged.append(v);
                continue;
            }
            auto mergedElement = mergeMap(merged.at(index).toObject(), element, schema);
            if (!mergedElement)
                return Error(mergedElement.error());
            merged.replace(index, *mergedElement);
        }
        patch = plain;
    }
    auto parts = partitionByPresence(merged, patch, mergeKey);
    if (!parts)
        return Error(parts.error());
    return normalizeElementOrder(parts->inList, parts->serverOnly, patch, original, mergeKey, maps);
}

Expected<QJsonArray> mergeSliceHandler(const QJsonArray &original, const QJsonArray &patch,
                                       const FieldMeta &meta, bool isDeleteList,
                                       QJsonArray *aliased = nullptr)
{
    if (meta.strategy == mergeDirective || isDeleteList)
        return mergeSlice(original, patch, meta.type, meta.mergeKey, isDeleteList, aliased);
    return patch;
}

// $retainKeys: keys of original not listed go; the patch may only set listed keys.
Expected<void> applyRetainKeys(QJsonObject &original, QJsonObject &patch)
{
    if (!patch.contains(retainKeysDirective))
        return {};
    const QJsonValue retain = patch.take(retainKeysDirective);
    if (!retain.isArray())
        return Error(badRetainKeys);
    const QJsonArray keys = retain.toArray();
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        if (it.value().isNull() || it.key().startsWith(deleteFromPrimitiveListPrefix) ||
            it.key().startsWith(setElementOrderPrefix))
            continue;
        if (!keys.contains(QJsonValue(it.key())))
            return Error(badRetainKeys);
    }
    for (const QString &key : original.keys())
        if (!keys.contains(QJsonValue(key)))
            original.remove(key);
    return {};
}

// The order list must be a supersequence of the patch list's plain elements.
Expected<void> validatePatchWithSetOrderList(const QJsonArray &patchList, const QJsonArray &order,
                                             const QString &mergeKey)
{
    if (order.isEmpty() || patchList.isEmpty())
        return {};
    QJsonArray plain = patchList;
    if (!mergeKey.isEmpty()) {
        auto split = extractToDeleteItems(patchList);
        if (!split)
            return Error(split.error());
        plain = split->kept;
    }
    qsizetype p = 0, s = 0;
    while (p < plain.size() && s < order.size()) {
        if (plain.at(p).toObject().contains(directiveMarker)) {
            ++p;
            continue;
        }
        auto equal = mergeKeyValueEqual(plain.at(p), order.at(s), mergeKey);
        if (!equal)
            return Error(equal.error());
        if (*equal)
            ++p;
        ++s;
    }
    if (p < plain.size() && s >= order.size())
        return Error(
            u"The order in patch list:\n%1\n doesn't match $setElementOrder list:\n%2\n"_s.arg(
                goString(patchList), goString(order)));
    return {};
}

// Merges each list named by a $setElementOrder/<field> directive and puts it in that order.
Expected<void> mergePatchIntoOriginal(QJsonObject &original, QJsonObject &patch,
                                      const SchemaType *schema)
{
    for (const QString &key : patch.keys()) {
        if (!key.startsWith(setElementOrderPrefix) || !patch.contains(key))
            continue;
        const QJsonValue orderValue = patch.take(key);
        if (!orderValue.isArray())
            return Error(errBadArgType(sliceType, orderValue));
        const QJsonArray order = orderValue.toArray();
        auto field = extractKey(key, setElementOrderPrefix);
        if (!field)
            return Error(field.error());
        const bool inOriginal = original.contains(*field), inPatch = patch.contains(*field);
        const QJsonValue originalValue = original.value(*field), patchValue = patch.value(*field);
        if (inOriginal && !originalValue.isArray())
            return Error(errBadArgType(sliceType, originalValue));
        if (inPatch && !patchValue.isArray())
            return Error(errBadArgType(sliceType, patchValue));
        QJsonArray originalList = originalValue.toArray();
        const QJsonArray patchList = patchValue.toArray();
        const FieldMeta meta = lookup(schema, *field, true);
        if (auto valid = validatePatchWithSetOrderList(patchList, order, meta.mergeKey); !valid)
            return valid;

        QJsonArray merged;
        if (!inOriginal && !inPatch)
            continue;
        if (!inPatch) {
            merged = originalList;
        } else if (!inOriginal) {
            merged = removeDirectives(patchList)->toArray();
        } else {
            QJsonArray aliased = originalList;
            auto m = mergeSliceHandler(originalList, patchList, meta, false, &aliased);
            if (!m)
                return Error(m.error());
            merged = *m;
            originalList = aliased;
        }
        auto parts = partitionByPresence(merged, order, meta.mergeKey);
        if (!parts)
            return Error(parts.error());
        auto type = sliceElementType({originalList, patchList});
        if (!type)
            return Error(type.error());
        auto sorted = normalizeElementOrder(parts->inList, parts->serverOnly, order, originalList,
                                            meta.mergeKey, *type == QJsonValue::Object);
        if (!sorted)
            return Error(sorted.error());
        original.insert(*field, *sorted);
        patch.remove(*field);
    }
    return {};
}

Expected<QJsonObject> mergeMap(QJsonObject original, QJsonObject patch, const SchemaType *schema)
{
    if (patch.contains(directiveMarker)) {
        const QJsonValue directive = patch.value(directiveMarker);
        if (isString(directive, replaceDirective)) {
            patch.remove(directiveMarker);
            return patch;
        }
        if (isString(directive, deleteDirective))
            return QJsonObject();
        return Error(errBadPatchType(directive, patch));
    }
    if (auto ok = applyRetainKeys(original, patch); !ok)
        return Error(ok.error());
    if (auto ok = mergePatchIntoOriginal(original, patch, schema); !ok)
        return Error(ok.error());

    for (auto it = patch.begin(); it != patch.end(); ++it) {
        QString key = it.key();
        const QJsonValue patchValue = it.value();
        bool isDeleteList = false;
        if (key.startsWith(deleteFromPrimitiveListPrefix)) {
            auto field = extractKey(key, deleteFromPrimitiveListPrefix);
            if (!field)
                return Error(field.error());
            isDeleteList = true;
            if (!field->isEmpty())
                key = *field;
        }
        if (patchValue.isNull()) {
            original.remove(key);
            continue;
        }
        const QJsonValue originalValue = original.value(key);
        if (originalValue.isUndefined() || originalValue.type() != patchValue.type()) {
            // Absent or of another type: the patch's value, cleaned, replaces it.
            if (isDeleteList)
                continue;
            if (auto clean = removeDirectives(discardNullValues(patchValue)))
                original.insert(key, *clean);
            else
                original.remove(key);
            continue;
        }
        if (originalValue.isObject()) {
            const FieldMeta meta = lookup(schema, key, false);
            if (meta.strategy == replaceDirective) {
                original.insert(key, patchValue);
                continue;
            }
            auto merged = mergeMap(originalValue.toObject(), patchValue.toObject(), meta.type);
            if (!merged)
                return merged;
            original.insert(key, *merged);
        } else if (originalValue.isArray()) {
            auto merged = mergeSliceHandler(originalValue.toArray(), patchValue.toArray(),
                                            lookup(schema, key, true), isDeleteList);
            if (!merged)
                return Error(merged.error());
            original.insert(key, *merged);
        } else {
            original.insert(key, patchValue);
        }
    }
    return original;
}

} // namespace

std::expected<QJsonObject, QString> applyStrategicMergePatch(const QJsonObject &original,
                                                             const QJsonObject &patch,
                                                             const SchemaType *schema)
{
    auto merged = mergeMap(original, patch, schema);
    if (!merged)
        return merged;
    if (auto clean = withoutDirectiveKeys(*merged))
        return clean->toObject();
    return merged;
}

} // namespace timonel::core
