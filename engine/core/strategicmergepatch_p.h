#pragma once

// Internals shared by applying (strategicmergepatchapply.cpp) and creating
// (strategicmergepatchcreate.cpp) strategic merge patches.
//
// Both follow k8s.io/apimachinery/pkg/util/strategicpatch/patch.go function by function
// (mergeMap, mergeSlice, diffMaps, ...), because kubectl's patches rely on its exact list
// ordering and error texts. Go prints values with %v in its errors and sorts scalars by their %v
// text; goString() reproduces that.

#include "schema.h"

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <algorithm>
#include <expected>
#include <utility>

namespace timonel::core::strategicpatch {

template <typename T> using Expected = std::expected<T, QString>;
using Error = std::unexpected<QString>;

inline constexpr QLatin1StringView directiveMarker("$patch");
inline constexpr QLatin1StringView deleteDirective("delete");
inline constexpr QLatin1StringView replaceDirective("replace");
inline constexpr QLatin1StringView mergeDirective("merge");
inline constexpr QLatin1StringView retainKeysDirective("$retainKeys");
inline constexpr QLatin1StringView deleteFromPrimitiveListPrefix("$deleteFromPrimitiveList");
inline constexpr QLatin1StringView setElementOrderPrefix("$setElementOrder");

// ---- Go's fmt, as it shows in apimachinery's errors and orderings ----

QString goString(const QJsonValue &v);   // %v
QString goTypeName(const QJsonValue &v); // reflect.TypeOf(v) under %s
// Go compares strings bytewise.
bool goLess(const QString &a, const QString &b);
bool isString(const QJsonValue &v, QLatin1StringView s);

inline const QString sliceType = QStringLiteral("[]interface {}");
inline const QString mapType = QStringLiteral("map[string]interface {}");

QString errBadArgType(const QString &expected, const QJsonValue &actual);
QString errNoMergeKey(const QJsonObject &m, const QString &key);

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
FieldMeta lookup(const SchemaType *schema, const QString &key, bool asSlice);

// ---- Lists ----

// The type every element of the lists shares: Object for lists of maps.
Expected<QJsonValue::Type> sliceElementType(const QList<QJsonArray> &slices);

// The value a list element is ordered by: its merge key for maps, itself otherwise.
QJsonValue orderValue(const QJsonValue &item, const QString &mergeKey, bool maps);

// Go's "clever" in-place deduplication, which moves the last element into each duplicate's
// place: the order of $deleteFromPrimitiveList lists depends on it.
QJsonArray deduplicateScalars(QJsonArray s);

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
QJsonArray sortScalars(const QJsonArray &s);

Expected<bool> mergeKeyValueEqual(const QJsonValue &left, const QJsonValue &right,
                                  const QString &mergeKey);

struct Split
{
    QJsonArray kept;
    QJsonArray deleted; // elements with $patch: delete
};

Expected<Split> extractToDeleteItems(const QJsonArray &list);

// The first position of each value in a list, as Go's linear searches find it: for maps the
// merge key's value (only elements that have the key), for scalars the element itself.
class FirstPositions
{
public:
    FirstPositions(const QJsonArray &list, const QString &mergeKey, bool maps);
    void add(const QJsonValue &item, qsizetype position, const QString &mergeKey, bool maps);
    qsizetype of(const QJsonValue &value) const;

private:
    QHash<QByteArray, qsizetype> m_first;
};

// The position of each item in order (by merge key for maps, a missing key matching a missing
// key as Go's nil does), or -1.
QList<qsizetype> positionsIn(const QJsonArray &order, const QJsonArray &items,
                             const QString &mergeKey, bool maps);

// Sorts toSort by the positions of its elements in order (deletions last).
Expected<QJsonArray> normalizeSliceOrder(const QJsonArray &toSort, const QJsonArray &order,
                                         const QString &mergeKey, bool maps);

} // namespace timonel::core::strategicpatch
