#include "strategicmergepatch.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

using namespace Qt::StringLiterals;

// Follows k8s.io/apimachinery/pkg/util/strategicpatch/patch.go function by function (mergeMap,
// mergeSlice, diffMaps, ...), because kubectl's patches rely on its exact list ordering and
// error texts. Go prints values with %v in its errors and sorts scalars by their %v text;
// goString() reproduces that.

namespace timonel::core {

namespace {

template <typename T> using Expected = std::expected<T, QString>;
using Error = std::unexpected<QString>;

constexpr auto directiveMarker = "$patch"_L1;
constexpr auto deleteDirective = "delete"_L1;
constexpr auto replaceDirective = "replace"_L1;
constexpr auto mergeDirective = "merge"_L1;
constexpr auto retainKeysDirective = "$retainKeys"_L1;
constexpr auto deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList"_L1;
constexpr auto setElementOrderPrefix = "$setElementOrder"_L1;

const QString badRetainKeys = u"invalid patch format of retainKeys"_s;

// ---- Go's fmt, as it shows in apimachinery's errors and orderings ----

// The API server decodes whole numbers as int64 and the others as float64.
bool isGoInt(double d)
{
    return std::isfinite(d) && d == std::trunc(d) && std::abs(d) < 9.2e18;
}

QString goFloat(double d)
{
    if (isGoInt(d))
        return QString::number(qint64(d));
    const QString e = QString::number(d, 'e', QLocale::FloatingPointShortest);
    const int exponent = e.mid(e.indexOf(u'e') + 1).toInt();
    return exponent < -4 || exponent >= 6 ? e
                                          : QString::number(d, 'f', QLocale::FloatingPointShortest);
}

QString goString(const QJsonValue &v) // %v
{
    QStringList parts;
    switch (v.type()) {
    case QJsonValue::Bool:
        return v.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Double:
        return goFloat(v.toDouble());
    case QJsonValue::String:
        return v.toString();
    case QJsonValue::Array:
        for (const QJsonValue &e : v.toArray())
            parts.append(goString(e));
        return u'[' + parts.join(u' ') + u']';
    case QJsonValue::Object: {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            parts.append(it.key() + u':' + goString(it.value()));
        return u"map["_s + parts.join(u' ') + u']';
    }
    default:
        return u"<nil>"_s;
    }
}

QString goTypeName(const QJsonValue &v) // reflect.TypeOf(v) under %s
{
    switch (v.type()) {
    case QJsonValue::Bool:
        return u"bool"_s;
    case QJsonValue::Double:
        return isGoInt(v.toDouble()) ? u"int64"_s : u"float64"_s;
    case QJsonValue::String:
        return u"string"_s;
    case QJsonValue::Array:
        return u"[]interface {}"_s;
    case QJsonValue::Object:
        return u"map[string]interface {}"_s;
    default:
        return u"%!s(<nil>)"_s;
    }
}

// Go compares strings bytewise.
bool goLess(const QString &a, const QString &b)
{
    return a.toUtf8() < b.toUtf8();
}

bool isString(const QJsonValue &v, QLatin1StringView s)
{
    return v.isString() && v.toString() == s;
}

const QString sliceType = u"[]interface {}"_s;
const QString mapType = u"map[string]interface {}"_s;

QString errBadArgType(const QString &expected, const QJsonValue &actual)
{
    return u"expected a %1, but received a %2"_s.arg(expected, goTypeName(actual));
}

QString errNoMergeKey(const QJsonObject &m, const QString &key)
{
    return u"map: %1 does not contain declared merge key: %2"_s.arg(goString(m), key);
}

QString errBadPatchType(const QJsonValue &directive, const QJsonObject &m)
{
    const QString shown = directive.isString() ? directive.toString()
                          : directive.isNull()
                              ? u"%!s(<nil>)"_s
                              : u"%!s(%1=%2)"_s.arg(goTypeName(directive), goString(directive));
    return u"unknown patch type: %1 in map: %2"_s.arg(shown, goString(m));
}

// ---- The schema, as LookupPatchMetadataForStruct / ForSlice see it ----

struct FieldMeta
{
    const SchemaType *type = nullptr; // the element type for a list looked up as a slice
    QString strategy;                 // "merge", "replace" or ""
    bool retainKeys = false;
    QString mergeKey;
};

// Fields the schema does not know (only present when something stored them unpruned) and
// values of FreeForm/Any fields get no metadata, so they merge like a JSON merge patch.
FieldMeta lookup(const SchemaType *schema, const QString &key, bool asSlice)
{
    FieldMeta meta;
    if (schema && schema->kind == SchemaType::Kind::Map) {
        meta.type = schema->element;
    } else if (schema && schema->kind == SchemaType::Kind::Object) {
        const SchemaField *field = schema->field(key);
        if (!field)
            return meta;
        meta.type = field->type;
        meta.mergeKey = field->patchMergeKey;
        for (const QString &s : field->patchStrategy.split(u',', Qt::SkipEmptyParts)) {
            if (s == u"retainKeys")
                meta.retainKeys = true;
            else
                meta.strategy = s;
        }
    }
    if (asSlice && meta.type && meta.type->kind == SchemaType::Kind::List)
        meta.type = meta.type->element;
    return meta;
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

// ---- Helpers shared by applying and creating patches ----

// The type every element of the lists shares: Object for lists of maps.
Expected<QJsonValue::Type> sliceElementType(const QList<QJsonArray> &slices)
{
    std::optional<QJsonValue::Type> type;
    for (const QJsonArray &slice : slices) {
        for (const QJsonValue &v : slice) {
            if (!type) {
                type = v.type();
                if (v.isArray())
                    return Error(u"lists of lists are not supported"_s);
            } else if (*type != v.type()) {
                QJsonArray all;
                for (const QJsonArray &s : slices)
                    all.append(s);
                return Error(u"list element types are not identical: "_s + goString(all));
            }
        }
    }
    if (!type)
        return Error(u"no elements in any of the given slices"_s);
    return *type;
}

// The value a list element is ordered by: its merge key for maps, itself otherwise.
QJsonValue orderValue(const QJsonValue &item, const QString &mergeKey, bool maps)
{
    if (!maps)
        return item;
    const QJsonValue v = item.toObject().value(mergeKey);
    return v.isUndefined() ? QJsonValue(QJsonValue::Null) : v;
}

// Go's "clever" in-place deduplication, which moves the last element into each duplicate's
// place: the order of $deleteFromPrimitiveList lists depends on it.
QJsonArray deduplicateScalars(QJsonArray s)
{
    qsizetype length = s.size() - 1;
    for (qsizetype i = 0; i < length; ++i) {
        for (qsizetype j = i + 1; j <= length; ++j) {
            if (s.at(i) == s.at(j)) {
                s[j] = s.at(length);
                s.removeLast();
                --length;
                --j;
            }
        }
    }
    return s;
}

// The list stably sorted by Go's string order of text(element).
template <typename Text> QJsonArray sortedByText(const QJsonArray &list, Text text)
{
    QList<std::pair<QByteArray, QJsonValue>> items;
    for (const QJsonValue &v : list)
        items.append({text(v).toUtf8(), v});
    std::stable_sort(items.begin(), items.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    QJsonArray sorted;
    for (const auto &item : std::as_const(items))
        sorted.append(item.second);
    return sorted;
}

// Scalars ordered by their %v text, as SortableSliceOfScalars.
QJsonArray sortScalars(const QJsonArray &s)
{
    return sortedByText(s, goString);
}

Expected<bool> mergeKeyValueEqual(const QJsonValue &left, const QJsonValue &right,
                                  const QString &mergeKey)
{
    if (mergeKey.isEmpty())
        return left == right;
    if (!left.isObject())
        return Error(errBadArgType(mapType, left));
    if (!right.isObject())
        return Error(errBadArgType(mapType, right));
    const QJsonObject l = left.toObject(), r = right.toObject();
    if (!l.contains(mergeKey))
        return Error(errNoMergeKey(l, mergeKey));
    if (!r.contains(mergeKey))
        return Error(errNoMergeKey(r, mergeKey));
    return l.value(mergeKey) == r.value(mergeKey);
}

struct Split
{
    QJsonArray kept;
    QJsonArray deleted; // elements with $patch: delete
};

Expected<Split> extractToDeleteItems(const QJsonArray &list)
{
    Split split;
    for (const QJsonValue &v : list) {
        if (!v.isObject())
            return Error(errBadArgType(mapType, v));
        if (isString(v.toObject().value(directiveMarker), deleteDirective))
            split.deleted.append(v);
        else
            split.kept.append(v);
    }
    return split;
}

// JSON text tells values apart as == does (numbers by value), so lookups can hash it.
QByteArray identity(const QJsonValue &v)
{
    return QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
}

// The first position of each value in a list, as Go's linear searches find it: for maps the
// merge key's value (only elements that have the key), for scalars the element itself.
class FirstPositions
{
public:
    FirstPositions(const QJsonArray &list, const QString &mergeKey, bool maps)
    {
        for (qsizetype i = 0; i < list.size(); ++i)
            add(list.at(i), i, mergeKey, maps);
    }
    void add(const QJsonValue &item, qsizetype position, const QString &mergeKey, bool maps)
    {
        if (maps && !item.toObject().contains(mergeKey))
            return;
        const QByteArray key = identity(maps ? item.toObject().value(mergeKey) : item);
        if (!m_first.contains(key))
            m_first.insert(key, position);
    }
    qsizetype of(const QJsonValue &value) const { return m_first.value(identity(value), -1); }

private:
    QHash<QByteArray, qsizetype> m_first;
};

// The position of each item in order (by merge key for maps, a missing key matching a missing
// key as Go's nil does), or -1.
QList<qsizetype> positionsIn(const QJsonArray &order, const QJsonArray &items,
                             const QString &mergeKey, bool maps)
{
    QJsonArray keys;
    for (const QJsonValue &v : order)
        keys.append(orderValue(v, mergeKey, maps));
    const FirstPositions first(keys, {}, false);
    QList<qsizetype> positions;
    for (const QJsonValue &item : items)
        positions.append(first.of(orderValue(item, mergeKey, maps)));
    return positions;
}

// Sorts toSort by the positions of its elements in order (deletions last). Go sorts with a
// "less" that is true whenever either element is missing from order: when one is, an insertion
// sort (what Go's sort.SliceStable does up to 20 elements) gives Go's result; otherwise any
// stable sort does.
Expected<QJsonArray> normalizeSliceOrder(const QJsonArray &toSort, const QJsonArray &order,
                                         const QString &mergeKey, bool maps)
{
    QJsonArray kept = toSort;
    QJsonArray deleted;
    if (maps) {
        for (const QJsonArray &list : {toSort, order}) {
            for (const QJsonValue &item : list) {
                if (!item.isObject())
                    return Error(errBadArgType(mapType, item));
                if (!item.toObject().contains(mergeKey))
                    return Error(errNoMergeKey(item.toObject(), mergeKey));
            }
        }
        auto split = extractToDeleteItems(toSort);
        if (!split)
            return Error(split.error());
        kept = split->kept;
        deleted = split->deleted;
    }
    const QList<qsizetype> positions = positionsIn(order, kept, mergeKey, maps);
    QList<qsizetype> indices(kept.size());
    std::iota(indices.begin(), indices.end(), 0);
    if (!positions.contains(-1)) {
        std::stable_sort(indices.begin(), indices.end(),
                         [&](qsizetype a, qsizetype b) { return positions[a] < positions[b]; });
    } else {
        auto less = [&](qsizetype a, qsizetype b) {
            return positions[a] >= 0 && positions[b] >= 0 ? positions[a] < positions[b] : true;
        };
        for (qsizetype i = 1; i < indices.size(); ++i)
            for (qsizetype j = i; j > 0 && less(indices[j], indices[j - 1]); --j)
                indices.swapItemsAt(j, j - 1);
    }
    QJsonArray sorted;
    for (qsizetype i : indices)
        sorted.append(kept.at(i));
    for (const QJsonValue &v : deleted)
        sorted.append(v);
    return sorted;
}

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

// ---- Applying ----

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

// ---- Creating ----

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
