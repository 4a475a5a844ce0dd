// Errors of the Kubernetes API as values: each becomes a meta/v1 Status on the wire, with the
// reason, code and message kubectl turns into "Error from server (NotFound): ...".
#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <expected>

namespace timonel::apiserver {

// One problem with one field, as k8s.io/apimachinery/pkg/util/validation/field.Error.
struct FieldError
{
    enum class Type { Required, Invalid, NotSupported, Duplicate, Forbidden, TooLong, TooMany, NotFound };

    Type type = Type::Invalid;
    QString field; // "spec.containers[0].image"
    QJsonValue value = QJsonValue::Undefined;
    QString detail;
    QStringList supported; // NotSupported: the allowed values

    static FieldError required(QString field, QString detail = {});
    static FieldError invalid(QString field, QJsonValue value, QString detail);
    static FieldError notSupported(QString field, QJsonValue value, QStringList supported);
    static FieldError duplicate(QString field, QJsonValue value);
    static FieldError forbidden(QString field, QString detail);
    static FieldError tooLong(QString field, QJsonValue value, int max);

    QString reason() const; // "FieldValueRequired"
    QString body() const;   // "Required value", "Invalid value: \"x\": detail"
    QString toString() const { return field + QStringLiteral(": ") + body(); }
};
using FieldErrors = QList<FieldError>;

struct ApiError
{
    int code = 500;
    QString reason; // "NotFound", "" for a plain 500
    QString message;
    QJsonObject details;

    QJsonObject toStatus() const;

    static ApiError notFound(const QString &groupResource, const QString &name);
    static ApiError alreadyExists(const QString &groupResource, const QString &name);
    // The optimistic-concurrency conflict of an update with a stale resourceVersion.
    static ApiError conflict(const QString &groupResource, const QString &name, const QString &why);
    static ApiError invalid(const QString &qualifiedKind, const QString &name,
                            const FieldErrors &errors);
    static ApiError badRequest(const QString &message);
    static ApiError unauthorized();
    static ApiError forbidden(const QString &groupResource, const QString &name,
                              const QString &why);
    static ApiError methodNotAllowed(const QString &method, const QString &what);
    static ApiError notAcceptable(const QString &message);
    static ApiError unsupportedMediaType(const QString &message);
    static ApiError tooLarge();
    static ApiError gone(const QString &message);
    static ApiError internal(const QString &message);
    static ApiError pathNotFound(); // 404 for a path that names no resource
};

template<typename T>
using ApiResult = std::expected<T, ApiError>;

// A meta/v1 Status for a successful operation (delete of some kinds).
QJsonObject successStatus(const QJsonObject &details = {});

} // namespace timonel::apiserver
