#pragma once

#include "fieldset.h"

#include <QJsonValue>
#include <QString>

#include <expected>

namespace timonel::core {
class SchemaType;
struct SchemaField;
} // namespace timonel::core

// The schema-aware operations of server-side apply, after structured-merge-diff's typed
// package: objects merge by field, map<T> by key, lists by their list type (map: by the
// key fields, set: by value, atomic or unspecified: whole). A value whose type is unknown
// (free-form objects, preserved unknown fields) is typed by its shape: objects merge by
// key, lists are atomic.
namespace timonel::apiserver {

// Where a value sits in the schema. List and map flags belong to the field that holds the
// value in Kubernetes' OpenAPI, so the field travels with the type.
struct TypeRef
{
    const core::SchemaType *type = nullptr; // nullptr: typed by the value's shape
    const core::SchemaField *field = nullptr;
};

enum class Typing
{
    Applied, // an applied configuration: unknown fields and duplicate list keys are errors
    Stored,  // a stored object: duplicates allowed, unknown fields typed by their shape
};

// Checks that value can be typed; the error is Kubernetes' text, e.g.
// ".spec.replicas: expected numeric (int or float), got string".
std::expected<void, QString> validateTyped(const QJsonValue &value, TypeRef type, Typing typing);

// Every leaf and list element value mentions (ToFieldSet).
FieldSet toFieldSet(const QJsonValue &value, TypeRef type);

// rhs merged onto lhs: rhs wins on leaves and atomic values; list-map elements and set
// values keep lhs's order with rhs's new ones placed as structured-merge-diff does.
QJsonValue mergeTyped(const QJsonValue &lhs, const QJsonValue &rhs, TypeRef type);

struct Comparison
{
    FieldSet added;
    FieldSet modified;
    FieldSet removed;
};
Comparison compareTyped(const QJsonValue &lhs, const QJsonValue &rhs, TypeRef type);

// value without the members of toRemove (whole subtrees).
QJsonValue removeItems(const QJsonValue &value, const FieldSet &toRemove, TypeRef type);

// set plus every declared object field that has members below it.
FieldSet ensureNamedFieldsAreMembers(const FieldSet &set, TypeRef type);

// value as Kubernetes sees it after decoding it into its Go type and encoding it again:
// non-pointer struct fields (declared `default={}` in the schema) present, other
// non-omitempty (`required`) fields at their zero value. Kubernetes compares such objects,
// which is why a created Deployment's managedFields have no "." under f:spec or
// f:containers; a value without schema is left as it is.
QJsonValue goRoundTrip(const QJsonValue &value, TypeRef type);

// value without null fields in typed objects and maps, as decoding into Go types drops them.
QJsonValue dropNullFields(const QJsonValue &value, TypeRef type);

} // namespace timonel::apiserver
