#include "schemacheck.h"

#include "core/gostrings.h"
#include "core/names.h"
#include "core/quantity.h"

#include <QDateTime>
#include <QJsonArray>

using namespace Qt::StringLiterals;
using timonel::core::SchemaField;
using timonel::core::SchemaType;

namespace timonel::apiserver {

namespace {

using Kind = SchemaType::Kind;

QString shortName(const QString &qualified)
{
    return qualified.mid(qualified.lastIndexOf(u'.') + 1);
}

// The Go type name a JSON decoding error would mention.
QString goTypeName(const SchemaType *t)
{
    switch (t->kind) {
    case Kind::Object:
        return u"v1."_s + shortName(t->name);
    case Kind::List:
        return u"[]"_s + goTypeName(t->element);
    case Kind::Map:
        return u"map[string]"_s + goTypeName(t->element);
    case Kind::String:
        return u"string"_s;
    case Kind::Integer:
        return t->format == u"int32" ? u"int32"_s : u"int64"_s;
    case Kind::Number:
        return u"float64"_s;
    case Kind::Boolean:
        return u"bool"_s;
    case Kind::Bytes:
        return u"[]uint8"_s;
    case Kind::Time:
    case Kind::MicroTime:
        return u"v1.Time"_s;
    case Kind::Quantity:
        return u"resource.Quantity"_s;
    case Kind::IntOrString:
        return u"intstr.IntOrString"_s;
    case Kind::FreeForm:
    case Kind::Any:
        return u"interface {}"_s;
    }
    return {};
}

QString openApiTypeName(const SchemaType *t)
{
    switch (t->kind) {
    case Kind::Object:
    case Kind::Map:
    case Kind::FreeForm:
        return u"object"_s;
    case Kind::List:
        return u"array"_s;
    case Kind::Integer:
        return u"integer"_s;
    case Kind::Number:
        return u"number"_s;
    case Kind::Boolean:
        return u"boolean"_s;
    default:
        return u"string"_s;
    }
}

// Where Go's base64.StdEncoding would stop decoding, or -1 when the text is valid.
qsizetype firstIllegalBase64(const QString &text)
{
    const qsizetype n = text.size();
    qsizetype padding = 0;
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = text[i];
        const bool alphabet = (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z')
                              || (c >= u'0' && c <= u'9') || c == u'+' || c == u'/';
        if (c == u'\r' || c == u'\n')
            continue; // Go skips line breaks
        if (c == u'=') {
            ++padding;
            if (i % 4 < 2) // padding cannot start a quantum's first two characters
                return i;
            continue;
        }
        if (!alphabet || padding > 0)
            return i;
    }
    if (n % 4 != 0) // an incomplete last quantum: StdEncoding wants its padding
        return (n / 4) * 4;
    return -1;
}

bool isInteger(const QJsonValue &v)
{
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    return d == double(qint64(d));
}

bool fits(const QJsonValue &v, const SchemaType *t)
{
    if (v.isNull())
        return true; // null means "unset" to Go's decoder
    switch (t->kind) {
    case Kind::Object:
    case Kind::Map:
    case Kind::FreeForm:
        return v.isObject();
    case Kind::List:
        return v.isArray();
    case Kind::String:
    case Kind::Bytes:
    case Kind::Time:
    case Kind::MicroTime:
        return v.isString();
    case Kind::Integer:
        return isInteger(v);
    case Kind::Number:
        return v.isDouble();
    case Kind::Boolean:
        return v.isBool();
    case Kind::Quantity:
    case Kind::IntOrString:
        return v.isString() || isInteger(v);
    case Kind::Any:
        return true;
    }
    return true;
}

struct Walker
{
    DecodeProblems problems;

    void value(const QJsonValue &v, const SchemaType *t, const QString &path,
               const QString &goStruct)
    {
        if (!fits(v, t) && t->kind == Kind::Quantity) {
            problems.typeErrors.append(
                {path,
                 u"quantities must match the regular expression "
                 "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"_s,
                 openApiTypeName(t), core::goJsonTypeName(v)});
            return;
        }
        if (!fits(v, t)) {
            problems.typeErrors.append(
                {path,
                 u"json: cannot unmarshal %1 into Go struct field %2.%3 of type %4"_s.arg(
                     core::goJsonTypeName(v), goStruct, path, goTypeName(t)),
                 openApiTypeName(t), core::goJsonTypeName(v)});
            return;
        }
        if (v.isNull())
            return;
        switch (t->kind) {
        case Kind::Bytes: // base64 in JSON: Go's decoder rejects anything else
            if (const qsizetype bad = firstIllegalBase64(v.toString()); bad >= 0)
                problems.typeErrors.append(
                    {path, u"illegal base64 data at input byte %1"_s.arg(bad), u"string"_s,
                     u"string"_s});
            break;
        case Kind::Quantity: // Quantity's own JSON decoder parses while decoding
            if (v.isString())
                if (auto q = core::Quantity::parse(v.toString()); !q)
                    problems.typeErrors.append({path, q.error(), u"string"_s, u"string"_s});
            break;
        case Kind::Object:
            object(v.toObject(), t, path);
            break;
        case Kind::List: {
            const QJsonArray a = v.toArray();
            for (qsizetype i = 0; i < a.size(); ++i)
                value(a[i], t->element, u"%1[%2]"_s.arg(path).arg(i), goStruct);
            break;
        }
        case Kind::Map: {
            const QJsonObject o = v.toObject();
            for (auto it = o.begin(); it != o.end(); ++it)
                value(it.value(), t->element, path + u'.' + it.key(), goStruct);
            break;
        }
        default:
            break;
        }
    }

    void object(const QJsonObject &o, const SchemaType *t, const QString &path)
    {
        const QString goStruct = shortName(t->name);
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QString childPath = path.isEmpty() ? it.key() : path + u'.' + it.key();
            const SchemaField *f = t->field(it.key());
            if (!f) {
                // apiVersion and kind are TypeMeta, present on every top-level kind.
                if (path.isEmpty() && (it.key() == u"apiVersion" || it.key() == u"kind"))
                    continue;
                problems.unknownFields.append(u"unknown field \"%1\""_s.arg(childPath));
                continue;
            }
            value(it.value(), f->type, childPath, goStruct);
        }
    }
};

void defaults(QJsonObject &o, const SchemaType *t);

void defaultsIn(QJsonValue &v, const SchemaType *t)
{
    if (t->kind == Kind::Object && v.isObject()) {
        QJsonObject o = v.toObject();
        defaults(o, t);
        v = o;
    } else if ((t->kind == Kind::List && v.isArray())) {
        QJsonArray a = v.toArray();
        if (t->element->kind != Kind::Object)
            return;
        for (qsizetype i = 0; i < a.size(); ++i) {
            QJsonValue e = a[i];
            defaultsIn(e, t->element);
            a[i] = e;
        }
        v = a;
    } else if (t->kind == Kind::Map && v.isObject() && t->element->kind == Kind::Object) {
        QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            QJsonValue e = it.value();
            defaultsIn(e, t->element);
            it.value() = e;
        }
        v = o;
    }
}

void defaults(QJsonObject &o, const SchemaType *t)
{
    for (const SchemaField &f : t->fields) {
        auto it = o.find(f.name);
        if (it == o.end() || it.value().isNull()) {
            if (f.defaultValue.isUndefined())
                continue;
            // A defaulted object (a plain Go struct) gets its own fields' defaults too.
            it = o.insert(f.name, f.defaultValue);
            if (f.type->isScalar())
                continue;
        }
        if (f.type->isScalar())
            continue;
        QJsonValue v = it.value();
        defaultsIn(v, f.type);
        it.value() = v;
    }
}

bool formatValid(const QString &format, const QString &value, QString *detail)
{
    QStringList problems;
    if (format == u"dns-label")
        problems = core::isDns1123Label(value);
    else if (format == u"dns-subdomain")
        problems = core::isDns1123Subdomain(value);
    else if (format == u"dns-1035-label")
        problems = core::isDns1035Label(value);
    else if (format == u"qualified-name")
        problems = core::isQualifiedName(value);
    else if (format == u"label-value")
        problems = core::isValidLabelValue(value);
    else if (format == u"port-name")
        problems = core::isValidPortName(value);
    else if (format == u"ip")
        problems = core::isValidIp(value);
    else if (format == u"cidr")
        problems = core::isValidCidr(value);
    *detail = problems.join(u"; "_s);
    return problems.isEmpty();
}

struct Validator
{
    FieldErrors errors;

    void field(const QJsonValue &v, const SchemaField &f, const QString &path)
    {
        if (v.isString() && !f.enumValues.isEmpty() && !f.enumValues.contains(v.toString()))
            errors.append(FieldError::notSupported(path, v, f.enumValues));
        if (v.isDouble()) {
            const double d = v.toDouble();
            if (f.minimum && d < *f.minimum)
                errors.append(FieldError::invalid(
                    path, v,
                    u"must be greater than or equal to %1"_s.arg(qint64(*f.minimum))));
            if (f.maximum && d > *f.maximum)
                errors.append(FieldError::invalid(
                    path, v, u"must be less than or equal to %1"_s.arg(qint64(*f.maximum))));
        }
        if (v.isString() && !f.format.isEmpty() && !v.toString().isEmpty()) {
            QString detail;
            if (!formatValid(f.format, v.toString(), &detail))
                errors.append(FieldError::invalid(path, v, detail));
        }
        if (f.type->kind == Kind::Quantity && (v.isString() || v.isDouble())) {
            const QString text = v.isString() ? v.toString() : QString::number(v.toDouble());
            if (auto q = core::Quantity::parse(text); !q)
                errors.append(FieldError::invalid(path, v, q.error()));
        }
        descend(v, f.type, path);
    }

    void descend(const QJsonValue &v, const SchemaType *t, const QString &path)
    {
        if (t->kind == Kind::Object && v.isObject()) {
            object(v.toObject(), t, path);
        } else if (t->kind == Kind::List && v.isArray() && t->element->kind == Kind::Object) {
            const QJsonArray a = v.toArray();
            for (qsizetype i = 0; i < a.size(); ++i)
                if (a[i].isObject())
                    object(a[i].toObject(), t->element, u"%1[%2]"_s.arg(path).arg(i));
        } else if (t->kind == Kind::Map && v.isObject() && t->element->kind == Kind::Object) {
            const QJsonObject o = v.toObject();
            for (auto it = o.begin(); it != o.end(); ++it)
                if (it.value().isObject())
                    object(it.value().toObject(), t->element, u"%1[%2]"_s.arg(path, it.key()));
        }
    }

    void object(const QJsonObject &o, const SchemaType *t, const QString &path)
    {
        for (const SchemaField &f : t->fields) {
            const QString childPath = path.isEmpty() ? f.name : path + u'.' + f.name;
            const QJsonValue v = o.value(f.name);
            const bool empty = v.isUndefined() || v.isNull()
                               || (v.isString() && v.toString().isEmpty())
                               || (v.isArray() && v.toArray().isEmpty());
            if (empty) {
                // Status is what controllers and node agents report: Kubernetes validates it
                // by hand, field by field, and never for mere presence (a PodDisruptionBudget
                // is created with an empty status, a condition may have no message).
                if (f.required && !childPath.startsWith(u"status."))
                    errors.append(FieldError::required(childPath));
                continue;
            }
            field(v, f, childPath);
        }
    }
};

void canonicalize(QJsonValue &v, const SchemaType *t)
{
    if (t->kind == Kind::Quantity && (v.isString() || v.isDouble())) {
        const QString text = v.isString() ? v.toString() : QString::number(v.toDouble());
        if (auto q = core::Quantity::parse(text))
            v = q->toString();
        return;
    }
    if (v.isObject() && (t->kind == Kind::Object || t->kind == Kind::Map)) {
        QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            const SchemaType *child = nullptr;
            if (t->kind == Kind::Map) {
                child = t->element;
            } else if (const SchemaField *f = t->field(it.key())) {
                child = f->type;
            }
            if (!child || child->kind == Kind::FreeForm || child->kind == Kind::Any
                || (child->isScalar() && child->kind != Kind::Quantity))
                continue;
            QJsonValue c = it.value();
            canonicalize(c, child);
            it.value() = c;
        }
        v = o;
    } else if (v.isArray() && t->kind == Kind::List) {
        QJsonArray a = v.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            QJsonValue c = a[i];
            canonicalize(c, t->element);
            a[i] = c;
        }
        v = a;
    }
}

} // namespace

DecodeProblems checkFields(const QJsonObject &object, const SchemaType *schema)
{
    Walker w;
    if (schema && schema->kind == Kind::Object)
        w.object(object, schema, {});
    return w.problems;
}

void applySchemaDefaults(QJsonObject &object, const SchemaType *schema)
{
    if (schema && schema->kind == Kind::Object)
        defaults(object, schema);
}

FieldErrors validateAgainstSchema(const QJsonObject &object, const SchemaType *schema)
{
    Validator v;
    if (schema && schema->kind == Kind::Object)
        v.object(object, schema, {});
    return v.errors;
}

void canonicalizeQuantities(QJsonObject &object, const SchemaType *schema)
{
    if (!schema)
        return;
    QJsonValue v = object;
    canonicalize(v, schema);
    object = v.toObject();
}

} // namespace timonel::apiserver
