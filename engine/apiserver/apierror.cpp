#include "apierror.h"

#include "core/gostrings.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace timonel::apiserver {

namespace {

// How Go's %v prints a field value in validation messages: strings quoted, numbers bare.
QString printValue(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::String:
        return core::goQuote(v.toString());
    case QJsonValue::Double: {
        const double d = v.toDouble();
        return d == double(qint64(d)) ? QString::number(qint64(d)) : QString::number(d);
    }
    case QJsonValue::Bool:
        return v.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return u"null"_s;
    default:
        return QString::fromUtf8(QJsonDocument::fromVariant(v.toVariant()).toJson(QJsonDocument::Compact));
    }
}

QJsonObject detailsOf(const QString &groupResource, const QString &name)
{
    // details.kind is the resource and details.group its group, as apimachinery's errors do.
    const qsizetype dot = groupResource.indexOf(u'.');
    QJsonObject d{{u"name"_s, name},
                  {u"kind"_s, dot < 0 ? groupResource : groupResource.left(dot)}};
    if (dot >= 0)
        d.insert(u"group"_s, groupResource.mid(dot + 1));
    return d;
}

} // namespace

FieldError FieldError::required(QString field, QString detail)
{
    return {Type::Required, std::move(field), QJsonValue::Undefined, std::move(detail), {}};
}

FieldError FieldError::invalid(QString field, QJsonValue value, QString detail)
{
    return {Type::Invalid, std::move(field), std::move(value), std::move(detail), {}};
}

FieldError FieldError::notSupported(QString field, QJsonValue value, QStringList supported)
{
    return {Type::NotSupported, std::move(field), std::move(value), {}, std::move(supported)};
}

FieldError FieldError::duplicate(QString field, QJsonValue value)
{
    return {Type::Duplicate, std::move(field), std::move(value), {}, {}};
}

FieldError FieldError::forbidden(QString field, QString detail)
{
    return {Type::Forbidden, std::move(field), QJsonValue::Undefined, std::move(detail), {}};
}

FieldError FieldError::tooLong(QString field, QJsonValue value, int max)
{
    return {Type::TooLong, std::move(field), std::move(value),
            u"may not be more than %1 bytes"_s.arg(max), {}};
}

QString FieldError::reason() const
{
    switch (type) {
    case Type::Required:
        return u"FieldValueRequired"_s;
    case Type::Invalid:
        return u"FieldValueInvalid"_s;
    case Type::NotSupported:
        return u"FieldValueNotSupported"_s;
    case Type::Duplicate:
        return u"FieldValueDuplicate"_s;
    case Type::Forbidden:
        return u"FieldValueForbidden"_s;
    case Type::TooLong:
        return u"FieldValueTooLong"_s;
    case Type::TooMany:
        return u"FieldValueTooMany"_s;
    case Type::NotFound:
        return u"FieldValueNotFound"_s;
    }
    return {};
}

QString FieldError::body() const
{
    QString s;
    switch (type) {
    case Type::Required:
        s = u"Required value"_s;
        break;
    case Type::Invalid:
        s = u"Invalid value"_s;
        break;
    case Type::NotSupported:
        s = u"Unsupported value"_s;
        break;
    case Type::Duplicate:
        s = u"Duplicate value"_s;
        break;
    case Type::Forbidden:
        s = u"Forbidden"_s;
        break;
    case Type::TooLong:
        s = u"Too long"_s;
        break;
    case Type::TooMany:
        s = u"Too many"_s;
        break;
    case Type::NotFound:
        s = u"Not found"_s;
        break;
    }
    const bool showValue = type != Type::Required && type != Type::Forbidden
                           && type != Type::TooMany && !value.isUndefined();
    if (showValue)
        s += u": "_s + printValue(value);
    if (type == Type::NotSupported && !supported.isEmpty()) {
        QStringList quoted;
        for (const QString &v : supported)
            quoted.append(u'"' + v + u'"');
        s += u": supported values: "_s + quoted.join(u", "_s);
    }
    if (!detail.isEmpty())
        s += u": "_s + detail;
    return s;
}

QJsonObject ApiError::toStatus() const
{
    QJsonObject status{{u"kind"_s, u"Status"_s},
                       {u"apiVersion"_s, u"v1"_s},
                       {u"metadata"_s, QJsonObject()},
                       {u"status"_s, u"Failure"_s},
                       {u"message"_s, message},
                       {u"code"_s, code}};
    if (!reason.isEmpty())
        status.insert(u"reason"_s, reason);
    if (!details.isEmpty())
        status.insert(u"details"_s, details);
    return status;
}

ApiError ApiError::notFound(const QString &groupResource, const QString &name)
{
    return {404, u"NotFound"_s, u"%1 \"%2\" not found"_s.arg(groupResource, name),
            detailsOf(groupResource, name)};
}

ApiError ApiError::alreadyExists(const QString &groupResource, const QString &name)
{
    return {409, u"AlreadyExists"_s, u"%1 \"%2\" already exists"_s.arg(groupResource, name),
            detailsOf(groupResource, name)};
}

ApiError ApiError::conflict(const QString &groupResource, const QString &name, const QString &why)
{
    return {409, u"Conflict"_s,
            u"Operation cannot be fulfilled on %1 \"%2\": %3"_s.arg(groupResource, name, why),
            detailsOf(groupResource, name)};
}

ApiError ApiError::invalid(const QString &qualifiedKind, const QString &name,
                           const FieldErrors &errors)
{
    QJsonArray causes;
    QStringList texts;
    for (const FieldError &e : errors) {
        causes.append(QJsonObject{
            {u"reason"_s, e.reason()}, {u"message"_s, e.body()}, {u"field"_s, e.field}});
        texts.append(e.toString());
    }
    // Go's utilerrors.Aggregate: one error bare, several in brackets.
    const QString all = texts.size() == 1 ? texts.first() : u'[' + texts.join(u", "_s) + u']';
    const qsizetype dot = qualifiedKind.indexOf(u'.');
    QJsonObject details{{u"name"_s, name},
                        {u"kind"_s, dot < 0 ? qualifiedKind : qualifiedKind.left(dot)},
                        {u"causes"_s, causes}};
    if (dot >= 0)
        details.insert(u"group"_s, qualifiedKind.mid(dot + 1));
    return {422, u"Invalid"_s, u"%1 \"%2\" is invalid: %3"_s.arg(qualifiedKind, name, all),
            details};
}

ApiError ApiError::badRequest(const QString &message)
{
    return {400, u"BadRequest"_s, message, {}};
}

ApiError ApiError::unauthorized()
{
    return {401, u"Unauthorized"_s, u"Unauthorized"_s, {}};
}

ApiError ApiError::forbidden(const QString &groupResource, const QString &name, const QString &why)
{
    const QString what = name.isEmpty() ? groupResource : u"%1 \"%2\""_s.arg(groupResource, name);
    return {403, u"Forbidden"_s, u"%1 is forbidden: %2"_s.arg(what, why),
            detailsOf(groupResource, name)};
}

ApiError ApiError::methodNotAllowed(const QString &method, const QString &what)
{
    return {405, u"MethodNotAllowed"_s,
            u"%1 is not supported on resources of kind \"%2\""_s.arg(method, what), {}};
}

ApiError ApiError::notAcceptable(const QString &message)
{
    return {406, u"NotAcceptable"_s, message, {}};
}

ApiError ApiError::unsupportedMediaType(const QString &message)
{
    return {415, u"UnsupportedMediaType"_s, message, {}};
}

ApiError ApiError::tooLarge()
{
    return {413, u"RequestEntityTooLarge"_s, u"Request entity too large: limit is 3145728"_s, {}};
}

ApiError ApiError::gone(const QString &message)
{
    return {410, u"Expired"_s, message, {}};
}

ApiError ApiError::internal(const QString &message)
{
    return {500, u"InternalError"_s, u"Internal error occurred: "_s + message, {}};
}

ApiError ApiError::pathNotFound()
{
    return {404, u"NotFound"_s, u"the server could not find the requested resource"_s, {}};
}

QJsonObject successStatus(const QJsonObject &details)
{
    QJsonObject status{{u"kind"_s, u"Status"_s},
                       {u"apiVersion"_s, u"v1"_s},
                       {u"metadata"_s, QJsonObject()},
                       {u"status"_s, u"Success"_s}};
    if (!details.isEmpty())
        status.insert(u"details"_s, details);
    return status;
}

} // namespace timonel::apiserver
