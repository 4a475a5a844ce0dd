// What the form's fields take and show: the kinds of value a field holds, checked as the API
// server checks them (with its messages), and a document's scalar as a field shows it.
#pragma once

#include <QJsonValue>
#include <QString>

#include <expected>

namespace timonel::gui::form {

enum class FieldType
{
    Text,
    Count,      // an integer >= 0
    Port,       // 1..65535
    PortOrName, // a port, or an IANA service name as targetPort and probe ports take
    Quantity,
    Protocol,
    Choice // a combo box's text
};

// What a field's text writes: the value, null to remove the field (empty text), or the
// message shown on the field.
std::expected<QJsonValue, QString> fieldValue(FieldType type, const QString &input);

// A scalar as a field shows it; "" for missing, null, maps and lists.
QString display(const QJsonValue &value);

} // namespace timonel::gui::form
