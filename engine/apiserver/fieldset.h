#pragma once

#include "core/gostrings.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <expected>
#include <utility>
#include <vector>

// Field paths and sets of them, as server-side apply records ownership: the model of
// sigs.k8s.io/structured-merge-diff's fieldpath package and its FieldsV1 JSON encoding
// (metadata.managedFields[].fieldsV1).
namespace timonel::apiserver {

// One step of a field path: a field name (f:), the key fields of an element of a
// list-map (k:), the value of an element of a set (v:) or a list index (i:).
struct PathElement
{
    enum class Kind
    {
        Field,
        Key,
        Value,
        Index
    };
    using KeyFields = QList<std::pair<QString, QJsonValue>>;

    Kind kind = Kind::Field;
    QString fieldName;
    KeyFields keys; // sorted by name
    QJsonValue value;
    int index = 0;

    static PathElement field(const QString &name);
    static PathElement key(KeyFields keys);
    static PathElement setValue(const QJsonValue &value);
    static PathElement listIndex(int index);

    // As Kubernetes prints paths in conflicts: .spec, [name="c"], [="x"], [0].
    QString toString() const;
    // As FieldsV1 spells it: f:spec, k:{"name":"c"}, v:"x", i:0.
    QString serialized() const;
    // The inverse of serialized(). An unknown prefix fails with unknownKindError.
    static std::expected<PathElement, QString> parse(const QString &serialized);
    static QString unknownKindError();
};

// Total order of path elements (fields, then keys, then values, then indexes).
int compare(const PathElement &a, const PathElement &b);
inline bool operator==(const PathElement &a, const PathElement &b)
{
    return compare(a, b) == 0;
}
inline bool operator<(const PathElement &a, const PathElement &b)
{
    return compare(a, b) < 0;
}

using FieldPath = QList<PathElement>;
QString pathToString(const FieldPath &path); // .spec.containers[name="c"].image

// A set of field paths. A path is a member when the field itself is owned; the set also
// holds the members below each element, so ".spec.replicas" being a member does not make
// ".spec" one. Elements are kept sorted, which fixes the FieldsV1 and iteration order.
class FieldSet
{
public:
    struct Entry;

    void insert(const FieldPath &path);
    bool has(const FieldPath &path) const;
    bool hasMember(const PathElement &element) const;
    bool isEmpty() const;
    // The set below element (fieldpath's WithPrefix); empty when there is none.
    FieldSet below(const PathElement &element) const;

    FieldSet united(const FieldSet &other) const;
    FieldSet intersected(const FieldSet &other) const;
    // Members of this set that are not members of other; members of other do not take
    // their descendants away (fieldpath's Difference).
    FieldSet subtracted(const FieldSet &other) const;

    // Every member, in structured-merge-diff's iteration order: the members of a level
    // first, then each child level in order.
    QList<FieldPath> paths() const;

    const std::vector<Entry> &entries() const { return m_entries; }
    void insertMember(const PathElement &element);
    void insertBelow(const PathElement &element, const FieldSet &children);

    // {"f:spec":{"f:replicas":{}}, "k:{\"name\":\"c\"}":{".":{},"f:image":{}}}
    QJsonObject toFieldsV1() const;
    static std::expected<FieldSet, QString> fromFieldsV1(const QJsonObject &fields);

    friend bool operator==(const FieldSet &a, const FieldSet &b);

private:
    Entry &descend(const PathElement &element);
    void dropEmpty();

    std::vector<Entry> m_entries; // sorted by element, none without a member below
};

struct FieldSet::Entry
{
    PathElement element;
    bool member = false;
    FieldSet children;
};

// Go's encodings, which Kubernetes' messages and annotations are written in.
// A JSON value as Go's encoding/json writes it: compact, sorted keys, <>& escaped.
QString goJson(const QJsonValue &value);
// A string as Go's %q quotes it.
using core::goQuote;
// A JSON number as Go prints a float64 or int64 with %v.
QString goNumber(double number);

} // namespace timonel::apiserver
