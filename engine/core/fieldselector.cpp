#include "fieldselector.h"

#include <QLocale>

#include <algorithm>
#include <cmath>

namespace timonel::core {

namespace {

using Operator = FieldRequirement::Operator;

// Splits at commas that are not escaped; the escapes stay in the terms.
QList<QStringView> splitTerms(QStringView selector)
{
    QList<QStringView> terms;
    if (selector.isEmpty())
        return terms;
    qsizetype start = 0;
    bool inSlash = false;
    for (qsizetype i = 0; i < selector.size(); ++i) {
        if (inSlash)
            inSlash = false;
        else if (selector[i] == u'\\')
            inSlash = true;
        else if (selector[i] == u',') {
            terms << selector.sliced(start, i - start);
            start = i + 1;
        }
    }
    terms << selector.sliced(start);
    return terms;
}

struct Term
{
    QStringView field;
    Operator op;
    QStringView value;
};

// The first operator in the term splits it; "!=" and "==" are tried before "=" at each place.
std::optional<Term> splitTerm(QStringView term)
{
    for (qsizetype i = 0; i < term.size(); ++i) {
        const QStringView rest = term.sliced(i);
        if (rest.startsWith(u"!="))
            return Term{term.first(i), Operator::NotEquals, rest.sliced(2)};
        if (rest.startsWith(u"=="))
            return Term{term.first(i), Operator::Equals, rest.sliced(2)};
        if (rest.startsWith(u"="))
            return Term{term.first(i), Operator::Equals, rest.sliced(1)};
    }
    return std::nullopt;
}

std::expected<QString, QString> unescapeValue(QStringView value)
{
    QString result;
    bool inSlash = false;
    for (QChar c : value) {
        if (inSlash) {
            if (c != u'\\' && c != u',' && c != u'=')
                return std::unexpected(
                    QStringLiteral("invalid field selector: invalid escape sequence: \\") + c);
            result += c;
            inSlash = false;
        } else if (c == u'\\') {
            inSlash = true;
        } else if (c == u',' || c == u'=') {
            // Go prints the rune as a number.
            return std::unexpected(
                QStringLiteral("invalid field selector: unescaped character in value: %1")
                    .arg(c.unicode()));
        } else {
            result += c;
        }
    }
    if (inSlash)
        return std::unexpected(
            QStringLiteral("invalid field selector: invalid escape sequence: \\"));
    return result;
}

QString escapeValue(const QString &value)
{
    QString escaped;
    for (QChar c : value) {
        if (c == u'\\' || c == u',' || c == u'=')
            escaped += QLatin1Char('\\');
        escaped += c;
    }
    return escaped;
}

} // namespace

std::expected<FieldSelector, QString> FieldSelector::parse(QStringView text)
{
    QList<QStringView> parts = splitTerms(text);
    std::sort(parts.begin(), parts.end(),
              [](QStringView a, QStringView b) { return a.compare(b) < 0; });
    FieldSelector selector;
    for (QStringView part : parts) {
        if (part.isEmpty())
            continue;
        const auto term = splitTerm(part);
        if (!term)
            return std::unexpected(QStringLiteral("invalid selector: '%1'; can't understand '%2'")
                                       .arg(text.toString(), part.toString()));
        auto value = unescapeValue(term->value);
        if (!value)
            return std::unexpected(value.error());
        // Kubernetes drops a term whose field and value are both empty ("=").
        if (term->field.isEmpty() && value->isEmpty())
            continue;
        selector.m_requirements << FieldRequirement{term->field.toString(), term->op, *value};
    }
    return selector;
}

FieldSelector FieldSelector::nothing()
{
    FieldSelector selector;
    selector.m_nothing = true;
    return selector;
}

bool FieldSelector::matches(
    const std::function<std::optional<QString>(QStringView field)> &valueOf) const
{
    if (m_nothing)
        return false;
    for (const FieldRequirement &requirement : m_requirements) {
        const QString actual = valueOf(requirement.field).value_or(QString());
        if ((actual == requirement.value) != (requirement.op == Operator::Equals))
            return false;
    }
    return true;
}

bool FieldSelector::matches(const QJsonObject &object) const
{
    return matches([&](QStringView field) { return fieldValue(object, field); });
}

QStringList FieldSelector::fields() const
{
    QStringList fields;
    for (const FieldRequirement &requirement : m_requirements)
        fields << requirement.field;
    return fields;
}

std::optional<QString> FieldSelector::exactValue(QStringView field) const
{
    for (const FieldRequirement &requirement : m_requirements) {
        if (requirement.op == Operator::Equals && requirement.field == field)
            return requirement.value;
    }
    return std::nullopt;
}

QString FieldSelector::toString() const
{
    QStringList terms;
    for (const FieldRequirement &requirement : m_requirements) {
        terms << requirement.field +
                     (requirement.op == Operator::Equals ? QStringLiteral("=")
                                                         : QStringLiteral("!=")) +
                     escapeValue(requirement.value);
    }
    return terms.join(QLatin1Char(','));
}

std::optional<QString> fieldValue(const QJsonObject &object, QStringView dottedPath)
{
    QJsonValue value = object;
    for (QStringView key : dottedPath.split(u'.')) {
        if (!value.isObject())
            return std::nullopt;
        const QJsonObject parent = value.toObject();
        const auto found = parent.constFind(key);
        if (found == parent.constEnd())
            return std::nullopt;
        value = *found;
    }
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        const double number = value.toDouble();
        if (std::trunc(number) == number && std::abs(number) < 9.2e18)
            return QString::number(qint64(number));
        return QString::number(number, 'g', QLocale::FloatingPointShortest);
    }
    default:
        return std::nullopt;
    }
}

} // namespace timonel::core
