#include "form/fieldvalue.h"

#include "core/quantity.h"

#include <QCoreApplication>
#include <QRegularExpression>

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace timonel::gui::form {

namespace {

// This file's user-visible texts, translated in the "FieldValue" context.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(FieldValue)
};

std::expected<QJsonValue, QString> portName(const QString &name)
{
    // Kubernetes' IsValidPortName, with its messages.
    static const QRegularExpression allowed(u"^[-a-z0-9]+$"_s);
    static const QRegularExpression letter(u"[a-z]"_s);
    if (name.size() > 15)
        return std::unexpected(Tr::tr("must be no more than 15 characters"));
    if (!allowed.match(name).hasMatch())
        return std::unexpected(
            Tr::tr("must contain only alphanumeric characters (a-z, 0-9), and hyphens (-)"));
    if (!letter.match(name).hasMatch())
        return std::unexpected(Tr::tr("must contain at least one letter (a-z)"));
    if (name.contains(u"--"_s))
        return std::unexpected(Tr::tr("must not contain consecutive hyphens"));
    if (name.startsWith(u'-') || name.endsWith(u'-'))
        return std::unexpected(Tr::tr("must not begin or end with a hyphen"));
    return QJsonValue(name);
}

} // namespace

std::expected<QJsonValue, QString> fieldValue(FieldType type, const QString &input)
{
    const QString text = type == FieldType::Text ? input : input.trimmed();
    if (text.isEmpty())
        return QJsonValue(QJsonValue::Null);
    switch (type) {
    case FieldType::Text:
    case FieldType::Choice:
        return QJsonValue(text);
    case FieldType::Quantity:
        if (const auto quantity = core::Quantity::parse(text); !quantity)
            return std::unexpected(quantity.error());
        return QJsonValue(text);
    case FieldType::Protocol:
        if (text != u"TCP" && text != u"UDP" && text != u"SCTP")
            return std::unexpected(
                Tr::tr("Unsupported value: \"%1\": supported values: \"SCTP\", \"TCP\", \"UDP\"")
                    .arg(text));
        return QJsonValue(text);
    case FieldType::Count:
    case FieldType::Port:
    case FieldType::PortOrName:
        break;
    }
    bool number = false;
    const qint64 n = text.toLongLong(&number);
    if (!number && type == FieldType::PortOrName)
        return portName(text);
    if (!number)
        return std::unexpected(Tr::tr("must be an integer"));
    if (type == FieldType::Count) {
        if (n < 0)
            return std::unexpected(Tr::tr("must be greater than or equal to 0"));
        if (n > std::numeric_limits<qint32>::max())
            return std::unexpected(
                Tr::tr("must be less than or equal to %1").arg(std::numeric_limits<qint32>::max()));
        return QJsonValue(n);
    }
    if (n < 1 || n > 65535)
        return std::unexpected(Tr::tr("must be between %1 and %2, inclusive").arg(1).arg(65535));
    return QJsonValue(n);
}

QString display(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isBool())
        return value.toBool() ? u"true"_s : u"false"_s;
    if (value.isDouble()) {
        const double d = value.toDouble();
        if (std::trunc(d) == d && std::abs(d) < 1e15)
            return QString::number(qint64(d));
        return QString::number(d, 'g', 15);
    }
    return {};
}

} // namespace timonel::gui::form
