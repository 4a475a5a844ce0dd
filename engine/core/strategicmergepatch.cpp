// What applying and creating strategic merge patches share: Go's %v formatting, the patch
// metadata of the schema, and the ordering of merge lists.
#include "strategicmergepatch_p.h"

#include <QJsonDocument>

#include <cmath>
#include <numeric>
#include <optional>

using namespace Qt::StringLiterals;

namespace timonel::core::strategicpatch {

namespace {

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

// JSON text tells values apart as == does (numbers by value), so lookups can hash it.
QByteArray identity(const QJsonValue &v)
{
    return QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
}

} // namespace

// ---- Go's fmt ----

QString goString(const QJsonValue &v)
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

QString goTypeName(const QJsonValue &v)
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

bool goLess(const QString &a, const QString &b)
{
    return a.toUtf8() < b.toUtf8();
}

bool isString(const QJsonValue &v, QLatin1StringView s)
{
    return v.isString() && v.toString() == s;
}

QString errBadArgType(const QString &expected, const QJsonValue &actual)
{
    return u"expected a %1, but received a %2"_s.arg(expected, goTypeName(actual));
}

QString errNoMergeKey(const QJsonObject &m, const QString &key)
{
    return u"map: %1 does not contain declared merge key: %2"_s.arg(goString(m), key);
}

// ---- The schema ----

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

// ---- Lists ----

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

QJsonValue orderValue(const QJsonValue &item, const QString &mergeKey, bool maps)
{
    if (!maps)
        return item;
    const QJsonValue v = item.toObject().value(mergeKey);
    return v.isUndefined() ? QJsonValue(QJsonValue::Null) : v;
}

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

FirstPositions::FirstPositions(const QJsonArray &list, const QString &mergeKey, bool maps)
{
    for (qsizetype i = 0; i < list.size(); ++i)
        add(list.at(i), i, mergeKey, maps);
}

void FirstPositions::add(const QJsonValue &item, qsizetype position, const QString &mergeKey,
                         bool maps)
{
    if (maps && !item.toObject().contains(mergeKey))
        return;
    const QByteArray key = identity(maps ? item.toObject().value(mergeKey) : item);
    if (!m_first.contains(key))
        m_first.insert(key, position);
}

qsizetype FirstPositions::of(const QJsonValue &value) const
{
    return m_first.value(identity(value), -1);
}

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

// Go sorts with a "less" that is true whenever either element is missing from order: when one
// is, an insertion sort (what Go's sort.SliceStable does up to 20 elements) gives Go's result;
// otherwise any stable sort does.
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

} // namespace timonel::core::strategicpatch
