#include "gostrings.h"

namespace timonel::core {

QString goQuote(const QString &text)
{
    static const QString named = QStringLiteral("\"\\\a\b\f\n\r\t\v");
    static const QString letters = QStringLiteral("\"\\abfnrtv");
    QString quoted = QStringLiteral("\"");
    for (char32_t c : text.toUcs4()) {
        if (const qsizetype i = c < 0x80 ? named.indexOf(QChar(char16_t(c))) : -1; i >= 0)
            quoted += QLatin1Char('\\') + letters[i];
        else if (c >= 0x20 && c != 0x7f && QChar::isPrint(c))
            quoted += QString::fromUcs4(&c, 1);
        else if (c < 0x80)
            quoted += QStringLiteral("\\x%1").arg(uint(c), 2, 16, QLatin1Char('0'));
        else if (c < 0x10000)
            quoted += QStringLiteral("\\u%1").arg(uint(c), 4, 16, QLatin1Char('0'));
        else
            quoted += QStringLiteral("\\U%1").arg(uint(c), 8, 16, QLatin1Char('0'));
    }
    return quoted + QLatin1Char('"');
}

QString goJsonTypeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        return QStringLiteral("bool");
    case QJsonValue::Double:
        return QStringLiteral("number");
    case QJsonValue::String:
        return QStringLiteral("string");
    case QJsonValue::Array:
        return QStringLiteral("array");
    case QJsonValue::Object:
        return QStringLiteral("object");
    default:
        return QStringLiteral("null");
    }
}

} // namespace timonel::core
