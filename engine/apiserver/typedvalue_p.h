#pragma once

// Internals shared by the typed walkers (typedvalue.cpp, typedmerge.cpp).

#include "typedvalue.h"

#include "core/schema.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace timonel::apiserver::typed {

using Kind = core::SchemaType::Kind;

// What structured-merge-diff calls an atom: how one value is walked.
struct Atom
{
    enum class Shape
    {
        Scalar,
        Map,
        List
    };
    enum class Scalar
    {
        String,
        Numeric,
        Boolean,
        Untyped
    };

    Shape shape = Shape::Scalar;
    Scalar scalar = Scalar::Untyped;
    const core::SchemaType *object = nullptr; // declared fields of a typed object
    bool open = false;                        // keys other than declared fields allowed
    TypeRef element;                          // type of open keys' values, of list items
    bool atomic = false;
    bool associative = false; // list-map or set
    QStringList keys;         // list-map keys; empty for a set
};

// No schema, a free-form object or any value: typed by the value's shape.
bool isShapeTyped(const core::SchemaType *type);
Atom resolve(TypeRef t, const QJsonValue &v);
bool isDeclared(const Atom &a, const QString &key);
// The type of the value under key; nullopt for an undeclared field of a closed object.
std::optional<TypeRef> childType(const Atom &a, const QString &key);
TypeRef childTypeOrShape(const Atom &a, const QString &key);
std::optional<QJsonObject> asMap(const QJsonValue &v);
std::optional<QJsonArray> asList(const QJsonValue &v);
// The path element naming item in list a: its key fields (defaults filled in) or its value.
std::expected<PathElement, QString> listItemElement(const Atom &a, const QJsonValue &item);

} // namespace timonel::apiserver::typed
