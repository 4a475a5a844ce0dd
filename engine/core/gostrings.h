// How Go prints values in the messages Kubernetes sends: clients match on these texts, so
// Timonel words its errors the same way.
#pragma once

#include <QJsonValue>
#include <QString>

namespace timonel::core {

// Go's %q: a double-quoted string with Go's escapes ("a\"b", "\n", "\x01", "\u00a0").
QString goQuote(const QString &text);

// The JSON type names Go's encoding/json puts in its unmarshal errors: bool, number, string,
// array, object, null.
QString goJsonTypeName(const QJsonValue &value);

} // namespace timonel::core
