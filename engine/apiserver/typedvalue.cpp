#include "typedvalue_p.h"

using namespace Qt::StringLiterals;

namespace timonel::apiserver {

namespace typed {

bool isShapeTyped(const core::SchemaType *type)
{
    return !type || type->kind == Kind::FreeForm || type->kind == Kind::Any;
}

// Lists take their type from the field, as schemaconv reads x-kubernetes-list-type and,
// when it is absent, the strategic-merge-patch strategy.
static void listRelationship(const core::SchemaField *field, Atom &a)
{
    a.atomic = true;
    if (!field)
        return;
    if (field->listType == u"map") {
        a.atomic = false, a.associative = true, a.keys = field->listMapKeys;
    } else if (field->listType == u"set") {
        a.atomic = false, a.associative = true;
    } else if (field->listType.isEmpty() && field->patchStrategy.split(u',').contains(u"merge")) {
        a.atomic = false, a.associative = true;
        if (!field->patchMergeKey.isEmpty())
            a.keys = {field->patchMergeKey};
    }
}

Atom resolve(TypeRef t, const QJsonValue &v)
{
    Atom a;
    if (isShapeTyped(t.type)) {
        // structured-merge-diff prefers the map reading when the value does not decide.
        if (v.isArray())
            a.shape = Atom::Shape::List, a.atomic = true;
        else if (v.isObject() || v.isNull() || v.isUndefined())
            a.shape = Atom::Shape::Map, a.open = true;
        return a;
    }
    const bool atomicMap = t.field && t.field->atomicMap;
    switch (t.type->kind) {
    case Kind::Object:
        a.shape = Atom::Shape::Map;
        a.object = t.type;
        a.atomic = t.type->atomic || atomicMap;
        break;
    case Kind::Map:
        a.shape = Atom::Shape::Map;
        a.open = true;
        a.element = {t.type->element, nullptr};
        a.atomic = atomicMap;
        break;
    case Kind::List:
        a.shape = Atom::Shape::List;
        a.element = {t.type->element, nullptr};
        listRelationship(t.field, a);
        break;
    case Kind::String:
    case Kind::Bytes:
        a.scalar = Atom::Scalar::String;
        break;
    case Kind::Integer:
    case Kind::Number:
        a.scalar = Atom::Scalar::Numeric;
        break;
    case Kind::Boolean:
        a.scalar = Atom::Scalar::Boolean;
        break;
    default: // time, quantity, int-or-string: "untyped" scalars in Kubernetes' schema
        break;
    }
    return a;
}

bool isDeclared(const Atom &a, const QString &key)
{
    return a.object && a.object->field(key);
}

std::optional<TypeRef> childType(const Atom &a, const QString &key)
{
    if (a.object)
        if (const core::SchemaField *f = a.object->field(key))
            return TypeRef{f->type, f};
    if (a.open)
        return a.element;
    return std::nullopt;
}

TypeRef childTypeOrShape(const Atom &a, const QString &key)
{
    return childType(a, key).value_or(TypeRef{});
}

std::optional<QJsonObject> asMap(const QJsonValue &v)
{
    return v.isObject() ? std::optional(v.toObject()) : std::nullopt;
}

std::optional<QJsonArray> asList(const QJsonValue &v)
{
    return v.isArray() ? std::optional(v.toArray()) : std::nullopt;
}

std::expected<PathElement, QString> listItemElement(const Atom &list, const QJsonValue &item)
{
    if (!list.keys.isEmpty()) {
        if (item.isNull())
            return std::unexpected(u"associative list with keys may not have a null element"_s);
        if (!item.isObject())
            return std::unexpected(u"associative list with keys may not have non-map elements"_s);
        const QJsonObject o = item.toObject();
        const core::SchemaType *element = list.element.type;
        PathElement::KeyFields fields;
        for (const QString &key : list.keys) {
            if (o.contains(key)) {
                fields.append({key, o.value(key)});
                continue;
            }
            const core::SchemaField *f = element ? element->field(key) : nullptr;
            if (f && !f->defaultValue.isUndefined() && !f->defaultValue.isNull()) {
                fields.append({key, f->defaultValue});
                continue;
            }
            return std::unexpected(u"associative list with keys has an element that omits key "
                                   "field %1 (and doesn't have default value)"_s.arg(goQuote(key)));
        }
        return PathElement::key(std::move(fields));
    }
    if (item.isObject())
        return std::unexpected(u"associative list without keys has an element that's a map type"_s);
    if (item.isArray())
        return std::unexpected(u"not supported: associative list with lists as elements"_s);
    if (item.isNull())
        return std::unexpected(
            u"associative list without keys has an element that's an explicit null"_s);
    return PathElement::setValue(item);
}

} // namespace typed

using namespace typed;

namespace {

// Go's renderings of a decoded JSON value in error messages.
QString goPlain(const QJsonValue &v) // %v of the value
{
    switch (v.type()) {
    case QJsonValue::String:
        return v.toString();
    case QJsonValue::Double:
        return goNumber(v.toDouble());
    case QJsonValue::Bool:
        return v.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Array: {
        QStringList parts;
        for (const QJsonValue &item : v.toArray())
            parts.append(goPlain(item));
        return u'[' + parts.join(u' ') + u']';
    }
    case QJsonValue::Object: {
        QStringList parts;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            parts.append(it.key() + u':' + goPlain(it.value()));
        return u"map["_s + parts.join(u' ') + u']';
    }
    default:
        return u"<nil>"_s;
    }
}

QString goSyntax(const QJsonValue &v) // %#v of the value
{
    switch (v.type()) {
    case QJsonValue::String:
        return goQuote(v.toString());
    case QJsonValue::Array: {
        QStringList parts;
        for (const QJsonValue &item : v.toArray())
            parts.append(goSyntax(item));
        return u"[]interface {}{"_s + parts.join(u", "_s) + u'}';
    }
    case QJsonValue::Object: {
        QStringList parts;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            parts.append(goQuote(it.key()) + u':' + goSyntax(it.value()));
        return u"map[string]interface {}{"_s + parts.join(u", "_s) + u'}';
    }
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return u"interface {}(nil)"_s;
    default:
        return goPlain(v);
    }
}

QString goTypeName(const QJsonValue &v) // %T of the value
{
    switch (v.type()) {
    case QJsonValue::String:
        return u"string"_s;
    case QJsonValue::Double:
        return u"float64"_s;
    case QJsonValue::Bool:
        return u"bool"_s;
    case QJsonValue::Array:
        return u"[]interface {}"_s;
    case QJsonValue::Object:
        return u"map[string]interface {}"_s;
    default:
        return u"<nil>"_s;
    }
}

QString wrapped(const QJsonValue &v) // %v of structured-merge-diff's value wrapper
{
    return u"&{"_s + goPlain(v) + u'}';
}

// --- validation ---------------------------------------------------------------------------

struct ValidationError
{
    QString path;
    QString message;
};
using ValidationErrors = QList<ValidationError>;

ValidationErrors prefixed(ValidationErrors errors, const QString &prefix)
{
    for (ValidationError &e : errors)
        e.path.prepend(prefix);
    return errors;
}

ValidationErrors validateScalar(Atom::Scalar scalar, const QJsonValue &v)
{
    if (v.isNull() || v.isUndefined())
        return {};
    switch (scalar) {
    case Atom::Scalar::Numeric:
        if (!v.isDouble())
            return {{{}, u"expected numeric (int or float), got "_s + goTypeName(v)}};
        break;
    case Atom::Scalar::String:
        if (!v.isString())
            return {
                {{},
                 u"expected string, got &value.valueUnstructured{Value:"_s + goSyntax(v) + u'}'}};
        break;
    case Atom::Scalar::Boolean:
        if (!v.isBool())
            return {{{}, u"expected boolean, got "_s + wrapped(v)}};
        break;
    case Atom::Scalar::Untyped:
        if (v.isObject() || v.isArray())
            return {{{}, u"expected any scalar, got "_s + wrapped(v)}};
        break;
    }
    return {};
}

ValidationErrors validate(const QJsonValue &v, TypeRef t, Typing typing)
{
    const Atom a = resolve(t, v);
    switch (a.shape) {
    case Atom::Shape::Scalar:
        return validateScalar(a.scalar, v);
    case Atom::Shape::List: {
        if (v.isNull())
            return {};
        if (!v.isArray())
            return {{{}, u"expected list, got "_s + wrapped(v)}};
        ValidationErrors errors;
        std::map<PathElement, bool> observed;
        const QJsonArray items = v.toArray();
        for (int i = 0; i < items.size(); ++i) {
            PathElement pe = PathElement::listIndex(i);
            if (a.associative) {
                auto element = listItemElement(a, items.at(i));
                if (!element) {
                    errors.append({{}, u"element %1: %2"_s.arg(i).arg(element.error())});
                    return errors; // without its key, nothing below can be named
                }
                pe = *element;
                if (observed.contains(pe) && typing == Typing::Applied)
                    errors.append({{}, u"duplicate entries for key "_s + pe.toString()});
                observed[pe] = true;
            }
            errors += prefixed(validate(items.at(i), a.element, typing), pe.toString());
        }
        return errors;
    }
    case Atom::Shape::Map: {
        if (v.isNull())
            return {};
        if (!v.isObject())
            return {{{}, u"expected map, got "_s + wrapped(v)}};
        ValidationErrors errors;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QString prefix = u'.' + it.key();
            auto type = childType(a, it.key());
            if (!type && typing == Typing::Applied) {
                errors.append({prefix, u"field not declared in schema"_s});
                break;
            }
            errors += prefixed(validate(it.value(), type.value_or(TypeRef{}), typing), prefix);
        }
        return errors;
    }
    }
    return {};
}

// --- field sets ---------------------------------------------------------------------------

void collectFieldSet(const QJsonValue &v, TypeRef t, FieldPath &path, FieldSet &set)
{
    const Atom a = resolve(t, v);
    switch (a.shape) {
    case Atom::Shape::Scalar:
        set.insert(path);
        return;
    case Atom::Shape::List: {
        if (a.atomic) {
            set.insert(path);
            return;
        }
        const auto items = asList(v);
        if (!items)
            return;
        QList<std::optional<PathElement>> elements;
        std::map<PathElement, int> count;
        for (const QJsonValue &item : *items) {
            auto pe = listItemElement(a, item);
            elements.append(pe ? std::optional(*pe) : std::nullopt);
            if (pe)
                ++count[*pe];
        }
        for (const auto &[pe, n] : count)
            if (n > 1) // a duplicated element is owned whole
                set.insert(path + FieldPath{pe});
        for (qsizetype i = 0; i < items->size(); ++i) {
            if (!elements[i] || count[*elements[i]] > 1)
                continue;
            path.append(*elements[i]);
            collectFieldSet(items->at(i), a.element, path, set);
            set.insert(path);
            path.removeLast();
        }
        return;
    }
    case Atom::Shape::Map: {
        if (a.atomic) {
            set.insert(path);
            return;
        }
        const auto map = asMap(v);
        if (!map)
            return;
        for (auto it = map->begin(); it != map->end(); ++it) {
            path.append(PathElement::field(it.key()));
            const QJsonValue child = it.value();
            collectFieldSet(child, childTypeOrShape(a, it.key()), path, set);
            const bool emptyMap = child.isObject() && child.toObject().isEmpty();
            if (child.isNull() || emptyMap || !isDeclared(a, it.key()))
                set.insert(path);
            path.removeLast();
        }
        return;
    }
    }
}

} // namespace

std::expected<void, QString> validateTyped(const QJsonValue &value, TypeRef type, Typing typing)
{
    const ValidationErrors errors = validate(value, type, typing);
    const auto render = [](const ValidationError &e) {
        return e.path.isEmpty() ? e.message : e.path + u": "_s + e.message;
    };
    if (errors.isEmpty())
        return {};
    if (errors.size() == 1)
        return std::unexpected(render(errors.first()));
    QStringList lines{u"errors:"_s};
    for (const ValidationError &e : errors)
        lines.append(u"  "_s + render(e));
    return std::unexpected(lines.join(u'\n'));
}

FieldSet toFieldSet(const QJsonValue &value, TypeRef type)
{
    FieldSet set;
    FieldPath path;
    collectFieldSet(value, type, path, set);
    return set;
}

FieldSet ensureNamedFieldsAreMembers(const FieldSet &set, TypeRef type)
{
    const Atom a = isShapeTyped(type.type) ? Atom{} : resolve(type, QJsonValue());
    FieldSet out;
    for (const FieldSet::Entry &e : set.entries()) {
        const bool field = e.element.kind == PathElement::Kind::Field;
        if (e.member || (field && !e.children.isEmpty() && isDeclared(a, e.element.fieldName)))
            out.insertMember(e.element);
        TypeRef below;
        if (field && a.shape == Atom::Shape::Map)
            below = childTypeOrShape(a, e.element.fieldName);
        else if (e.element.kind == PathElement::Kind::Key && a.shape == Atom::Shape::List)
            below = a.element;
        out.insertBelow(e.element, ensureNamedFieldsAreMembers(e.children, below));
    }
    return out;
}

namespace {

bool isNonPointerStruct(const core::SchemaField &f)
{
    return f.type && f.type->kind == Kind::Object && f.defaultValue.isObject() &&
           f.defaultValue.toObject().isEmpty();
}

// What Go encodes for an unset non-omitempty field.
QJsonValue goZero(const core::SchemaType *type)
{
    switch (type ? type->kind : Kind::Any) {
    case Kind::String:
    case Kind::Bytes:
        return u""_s;
    case Kind::Integer:
    case Kind::Number:
    case Kind::IntOrString:
        return 0;
    case Kind::Boolean:
        return false;
    case Kind::Quantity:
        return u"0"_s;
    default: // pointers, slices, maps, times
        return QJsonValue::Null;
    }
}

} // namespace

QJsonValue goRoundTrip(const QJsonValue &value, TypeRef type)
{
    if (isShapeTyped(type.type))
        return value;
    switch (type.type->kind) {
    case Kind::Object: {
        if (!value.isObject())
            return value;
        QJsonObject out = value.toObject();
        for (const core::SchemaField &f : type.type->fields) {
            const TypeRef field{f.type, &f};
            if (out.contains(f.name))
                out.insert(f.name, goRoundTrip(out.value(f.name), field));
            else if (isNonPointerStruct(f))
                out.insert(f.name, goRoundTrip(QJsonObject(), field));
            else if (f.required)
                out.insert(f.name, goZero(f.type));
        }
        return out;
    }
    case Kind::List: {
        if (!value.isArray())
            return value;
        QJsonArray out;
        for (const QJsonValue &item : value.toArray())
            out.append(goRoundTrip(item, {type.type->element, nullptr}));
        return out;
    }
    case Kind::Map: {
        if (!value.isObject())
            return value;
        QJsonObject out = value.toObject();
        for (auto it = out.begin(); it != out.end(); ++it)
            *it = goRoundTrip(it.value(), {type.type->element, nullptr});
        return out;
    }
    default:
        return value;
    }
}

QJsonValue dropNullFields(const QJsonValue &value, TypeRef type)
{
    if (isShapeTyped(type.type))
        return value;
    const Atom a = resolve(type, value);
    if (a.shape == Atom::Shape::List && value.isArray()) {
        QJsonArray out;
        for (const QJsonValue &item : value.toArray())
            out.append(dropNullFields(item, a.element));
        return out;
    }
    if (a.shape == Atom::Shape::Map && value.isObject()) {
        QJsonObject out;
        const QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            if (!it.value().isNull())
                out.insert(it.key(), dropNullFields(it.value(), childTypeOrShape(a, it.key())));
        return out;
    }
    return value;
}

} // namespace timonel::apiserver
