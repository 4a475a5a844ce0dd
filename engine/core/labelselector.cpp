#include "labelselector.h"

#include "gostrings.h"

#include "names.h"

#include <QJsonArray>

#include <algorithm>

namespace timonel::core {

namespace {

using Operator = LabelRequirement::Operator;

// Go's %#v of a []string, as field.Invalid prints a list of values.
QString goStringSlice(const QStringList &values)
{
    if (values.isEmpty())
        return QStringLiteral("[]string(nil)");
    QStringList quoted;
    for (const QString &value : values)
        quoted << goQuote(value);
    return QStringLiteral("[]string{") + quoted.join(QStringLiteral(", ")) + QLatin1Char('}');
}

// field.Invalid(path, value, detail).Error()
QString invalid(const QString &path, const QString &value, const QString &detail)
{
    return path + QStringLiteral(": Invalid value: ") + value + QStringLiteral(": ") + detail;
}

// utilerrors.NewAggregate(errors).Error(): one message alone, several in brackets, no repeats.
QString aggregate(const QStringList &errors)
{
    QStringList unique;
    for (const QString &error : errors) {
        if (!unique.contains(error))
            unique << error;
    }
    return unique.size() == 1
               ? unique.front()
               : QLatin1Char('[') + unique.join(QStringLiteral(", ")) + QLatin1Char(']');
}

// strconv.ParseInt(text, 10, 64)
std::optional<qint64> parseGoInt64(QStringView text)
{
    bool negative = false;
    if (!text.isEmpty() && (text[0] == u'+' || text[0] == u'-')) {
        negative = text[0] == u'-';
        text = text.mid(1);
    }
    if (text.isEmpty())
        return std::nullopt;
    quint64 magnitude = 0;
    const quint64 limit = negative ? quint64(1) << 63 : (quint64(1) << 63) - 1;
    for (QChar c : text) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
        const quint64 digit = c.unicode() - u'0';
        if (magnitude > (limit - digit) / 10)
            return std::nullopt;
        magnitude = magnitude * 10 + digit;
    }
    return negative ? qint64(0 - magnitude) : qint64(magnitude);
}

std::optional<QString> keyError(const QString &path, const QString &key)
{
    const QStringList errors = isQualifiedName(key);
    if (errors.isEmpty())
        return std::nullopt;
    return invalid(path, goQuote(key), errors.join(QStringLiteral("; ")));
}

// labels.NewRequirement: the checks and messages of Kubernetes, with its nil field path.
std::expected<LabelRequirement, QString> makeRequirement(const QString &key, Operator op,
                                                         const QStringList &values)
{
    QStringList errors;
    if (const auto error = keyError(QStringLiteral("key"), key))
        errors << *error;
    const QString valuesPath = QStringLiteral("values");
    switch (op) {
    case Operator::In:
    case Operator::NotIn:
        if (values.isEmpty())
            errors << invalid(valuesPath, goStringSlice(values),
                              QStringLiteral("for 'in', 'notin' operators, values set can't be "
                                             "empty"));
        break;
    case Operator::Equals:
    case Operator::NotEquals:
        if (values.size() != 1)
            errors << invalid(valuesPath, goStringSlice(values),
                              QStringLiteral("exact-match compatibility requires one single "
                                             "value"));
        break;
    case Operator::Exists:
    case Operator::DoesNotExist:
        if (!values.isEmpty())
            errors << invalid(valuesPath, goStringSlice(values),
                              QStringLiteral("values set must be empty for exists and does not "
                                             "exist"));
        break;
    case Operator::GreaterThan:
    case Operator::LessThan:
        if (values.size() != 1)
            errors << invalid(valuesPath, goStringSlice(values),
                              QStringLiteral("for 'Gt', 'Lt' operators, exactly one value is "
                                             "required"));
        for (qsizetype i = 0; i < values.size(); ++i) {
            if (!parseGoInt64(values[i]))
                errors << invalid(QStringLiteral("values[%1]").arg(i), goQuote(values[i]),
                                  QStringLiteral("for 'Gt', 'Lt' operators, the value must be "
                                                 "an integer"));
        }
        break;
    }
    for (qsizetype i = 0; i < values.size(); ++i) {
        const QStringList valueErrors = isValidLabelValue(values[i]);
        if (!valueErrors.isEmpty())
            errors << invalid(QStringLiteral("values[%1][%2]").arg(i).arg(key), goQuote(values[i]),
                              valueErrors.join(QStringLiteral("; ")));
    }
    if (!errors.isEmpty())
        return std::unexpected(aggregate(errors));
    return LabelRequirement{key, op, values};
}

bool requirementMatches(const LabelRequirement &requirement, const QJsonObject &labels)
{
    const auto found = labels.constFind(requirement.key);
    const bool exists = found != labels.constEnd();
    const QString value = exists ? found->toString() : QString();
    switch (requirement.op) {
    case Operator::Equals:
    case Operator::In:
        return exists && requirement.values.contains(value);
    case Operator::NotEquals:
    case Operator::NotIn:
        return !exists || !requirement.values.contains(value);
    case Operator::Exists:
        return exists;
    case Operator::DoesNotExist:
        return !exists;
    case Operator::GreaterThan:
    case Operator::LessThan: {
        if (!exists || requirement.values.size() != 1)
            return false;
        const auto actual = parseGoInt64(value);
        const auto bound = parseGoInt64(requirement.values.front());
        if (!actual || !bound)
            return false;
        return requirement.op == Operator::GreaterThan ? *actual > *bound : *actual < *bound;
    }
    }
    return false;
}

QString requirementToString(const LabelRequirement &requirement)
{
    // Indexed by Operator: Equals, NotEquals, In, NotIn, Exists, DoesNotExist, Gt, Lt.
    static const char *const operators[] = {"=", "!=", " in ", " notin ", "", "", ">", "<"};
    const bool set = requirement.op == Operator::In || requirement.op == Operator::NotIn;
    QString text = requirement.op == Operator::DoesNotExist ? QStringLiteral("!") : QString();
    text += requirement.key + QLatin1String(operators[int(requirement.op)]);
    if (requirement.op == Operator::Exists || requirement.op == Operator::DoesNotExist)
        return text;
    QStringList values = requirement.values;
    std::sort(values.begin(), values.end());
    return text + (set ? QStringLiteral("(") : QString()) + values.join(QLatin1Char(',')) +
           (set ? QStringLiteral(")") : QString());
}

// --- The lexer and parser of k8s.io/apimachinery/pkg/labels/selector.go ---

enum class Token
{
    EndOfString,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    GreaterThan,
    Identifier,
    In,
    LessThan,
    NotEquals,
    NotIn,
    OpenPar,
};

struct ScannedItem
{
    Token token;
    QString literal;
};

std::optional<Token> tokenFor(QStringView literal)
{
    static const QList<std::pair<QLatin1StringView, Token>> tokens = {
        {QLatin1StringView(")"), Token::ClosedPar},
        {QLatin1StringView(","), Token::Comma},
        {QLatin1StringView("!"), Token::DoesNotExist},
        {QLatin1StringView("=="), Token::DoubleEquals},
        {QLatin1StringView("="), Token::Equals},
        {QLatin1StringView(">"), Token::GreaterThan},
        {QLatin1StringView("in"), Token::In},
        {QLatin1StringView("<"), Token::LessThan},
        {QLatin1StringView("!="), Token::NotEquals},
        {QLatin1StringView("notin"), Token::NotIn},
        {QLatin1StringView("("), Token::OpenPar},
    };
    for (const auto &[text, token] : tokens) {
        if (literal == text)
            return token;
    }
    return std::nullopt;
}

bool isWhitespace(QChar c)
{
    return c == u' ' || c == u'\t' || c == u'\r' || c == u'\n';
}

bool isSpecialSymbol(QChar c)
{
    return c == u'=' || c == u'!' || c == u'(' || c == u')' || c == u',' || c == u'>' || c == u'<';
}

class Lexer
{
public:
    explicit Lexer(QStringView text) : m_text(text) {}

    ScannedItem lex()
    {
        QChar c = read();
        while (isWhitespace(c))
            c = read();
        // Like Go's lexer, a NUL ends the input.
        if (c.isNull())
            return {Token::EndOfString, {}};
        --m_pos;
        return isSpecialSymbol(c) ? scanSpecialSymbol() : scanIdentifierOrKeyword();
    }

private:
    QChar read() { return m_pos < m_text.size() ? m_text[m_pos++] : QChar(); }

    ScannedItem scanIdentifierOrKeyword()
    {
        QString buffer;
        for (;;) {
            const QChar c = read();
            if (c.isNull())
                break;
            if (isSpecialSymbol(c) || isWhitespace(c)) {
                --m_pos;
                break;
            }
            buffer += c;
        }
        if (const auto token = tokenFor(buffer))
            return {*token, buffer};
        return {Token::Identifier, buffer};
    }

    // The longest operator at the current position: "!=" rather than "!".
    ScannedItem scanSpecialSymbol()
    {
        QString buffer;
        std::optional<ScannedItem> longest;
        for (;;) {
            const QChar c = read();
            if (c.isNull())
                break;
            if (!isSpecialSymbol(c)) {
                --m_pos;
                break;
            }
            buffer += c;
            if (const auto token = tokenFor(buffer)) {
                longest = ScannedItem{*token, buffer};
            } else if (longest) {
                --m_pos;
                break;
            }
        }
        // Every single special symbol is an operator, so something always matched.
        return *longest;
    }

    QStringView m_text;
    qsizetype m_pos = 0;
};

class Parser
{
public:
    explicit Parser(QStringView text)
    {
        Lexer lexer(text);
        for (;;) {
            m_items << lexer.lex();
            if (m_items.back().token == Token::EndOfString)
                break;
        }
    }

    std::expected<QList<LabelRequirement>, QString> parse()
    {
        QList<LabelRequirement> requirements;
        for (;;) {
            const auto [token, literal] = lookahead(Context::Values);
            if (token == Token::EndOfString)
                return requirements;
            if (token != Token::Identifier && token != Token::DoesNotExist)
                return std::unexpected(
                    QStringLiteral("found '%1', expected: !, identifier, or 'end of string'")
                        .arg(literal));
            auto requirement = parseRequirement();
            if (!requirement)
                return std::unexpected(QStringLiteral("unable to parse requirement: ") +
                                       requirement.error());
            requirements << *requirement;
            const auto [next, nextLiteral] = consume(Context::Values);
            if (next == Token::EndOfString)
                return requirements;
            if (next != Token::Comma)
                return std::unexpected(
                    QStringLiteral("found '%1', expected: ',' or 'end of string'")
                        .arg(nextLiteral));
            const auto [afterComma, afterCommaLiteral] = lookahead(Context::Values);
            if (afterComma != Token::Identifier && afterComma != Token::DoesNotExist)
                return std::unexpected(QStringLiteral("found '%1', expected: identifier after ','")
                                           .arg(afterCommaLiteral));
        }
    }

private:
    // "in" and "notin" are operators after a key but plain words where a value is expected:
    // "x in (in)" is valid.
    enum class Context
    {
        KeyAndOperator,
        Values
    };

    ScannedItem lookahead(Context context) const { return inContext(m_items[m_pos], context); }
    ScannedItem consume(Context context) { return inContext(m_items[m_pos++], context); }

    static ScannedItem inContext(ScannedItem item, Context context)
    {
        if (context == Context::Values && (item.token == Token::In || item.token == Token::NotIn))
            item.token = Token::Identifier;
        return item;
    }

    std::expected<LabelRequirement, QString> parseRequirement()
    {
        // The key, and the operator when it is implied: "!key" or a bare "key".
        std::optional<Operator> op;
        ScannedItem item = consume(Context::Values);
        if (item.token == Token::DoesNotExist) {
            op = Operator::DoesNotExist;
            item = consume(Context::Values);
        }
        const QString key = item.literal;
        if (item.token != Token::Identifier)
            return std::unexpected(QStringLiteral("found '%1', expected: identifier").arg(key));
        // Kubernetes validates the key here with no field path, hence "<nil>".
        if (const auto error = keyError(QStringLiteral("<nil>"), key))
            return std::unexpected(*error);
        const Token next = lookahead(Context::Values).token;
        if ((next == Token::EndOfString || next == Token::Comma) && !op)
            op = Operator::Exists;
        if (op)
            return makeRequirement(key, *op, {});

        const auto [opToken, opLiteral] = consume(Context::KeyAndOperator);
        std::expected<QStringList, QString> values;
        switch (opToken) {
        case Token::In:
        case Token::NotIn:
            op = opToken == Token::In ? Operator::In : Operator::NotIn;
            values = parseValues();
            break;
        case Token::Equals:
        case Token::DoubleEquals:
        case Token::NotEquals:
        case Token::GreaterThan:
        case Token::LessThan:
            op = opToken == Token::NotEquals     ? Operator::NotEquals
                 : opToken == Token::GreaterThan ? Operator::GreaterThan
                 : opToken == Token::LessThan    ? Operator::LessThan
                                                 : Operator::Equals;
            values = parseExactValue();
            break;
        default:
            return std::unexpected(
                QStringLiteral("found '%1', expected: in, notin, =, ==, !=, gt, lt")
                    .arg(opLiteral));
        }
        if (!values)
            return std::unexpected(values.error());
        // Kubernetes collects values in a set: sorted, duplicates gone.
        QStringList sorted = *values;
        std::sort(sorted.begin(), sorted.end());
        sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
        return makeRequirement(key, *op, sorted);
    }

    // "(a,b)"; empty entries stand for the empty value: "()" and "(a,)" include "".
    std::expected<QStringList, QString> parseValues()
    {
        const auto [open, openLiteral] = consume(Context::Values);
        if (open != Token::OpenPar)
            return std::unexpected(QStringLiteral("found '%1' expected: '('").arg(openLiteral));
        const auto [token, literal] = lookahead(Context::Values);
        if (token == Token::ClosedPar) {
            consume(Context::Values);
            return QStringList{QString()};
        }
        if (token != Token::Identifier && token != Token::Comma)
            return std::unexpected(
                QStringLiteral("found '%1', expected: ',', ')' or identifier").arg(literal));
        auto values = parseIdentifiersList();
        if (!values)
            return values;
        if (consume(Context::Values).token != Token::ClosedPar)
            return std::unexpected(QStringLiteral("found '%1', expected: ')'").arg(literal));
        return values;
    }

    // As Kubernetes 1.32 does it: ",," consumes its second comma at once, so "(a,,)" is an
    // error there (later versions accept it).
    std::expected<QStringList, QString> parseIdentifiersList()
    {
        QStringList values;
        for (;;) {
            const auto [token, literal] = consume(Context::Values);
            if (token == Token::Identifier) {
                values << literal;
                const auto [next, nextLiteral] = lookahead(Context::Values);
                if (next == Token::ClosedPar)
                    return values;
                if (next != Token::Comma)
                    return std::unexpected(
                        QStringLiteral("found '%1', expected: ',' or ')'").arg(nextLiteral));
            } else if (token == Token::Comma) {
                if (values.isEmpty())
                    values << QString();
                const Token next = lookahead(Context::Values).token;
                if (next == Token::ClosedPar) {
                    values << QString();
                    return values;
                }
                if (next == Token::Comma) {
                    consume(Context::Values);
                    values << QString();
                }
            } else {
                return std::unexpected(
                    QStringLiteral("found '%1', expected: ',', or identifier").arg(literal));
            }
        }
    }

    // The one value after "=", "!=", ">"...; nothing before a ',' or the end is "".
    std::expected<QStringList, QString> parseExactValue()
    {
        const Token next = lookahead(Context::Values).token;
        if (next == Token::EndOfString || next == Token::Comma)
            return QStringList{QString()};
        const auto [token, literal] = consume(Context::Values);
        if (token == Token::Identifier)
            return QStringList{literal};
        return std::unexpected(QStringLiteral("found '%1', expected: identifier").arg(literal));
    }

    QList<ScannedItem> m_items;
    qsizetype m_pos = 0;
};

void sortByKey(QList<LabelRequirement> &requirements)
{
    std::stable_sort(requirements.begin(), requirements.end(),
                     [](const auto &a, const auto &b) { return a.key < b.key; });
}

} // namespace

std::expected<LabelSelector, QString> LabelSelector::parse(QStringView text)
{
    auto requirements = Parser(text).parse();
    if (!requirements)
        return std::unexpected(requirements.error());
    LabelSelector selector;
    selector.m_requirements = std::move(*requirements);
    sortByKey(selector.m_requirements);
    return selector;
}

std::expected<LabelSelector, QString> LabelSelector::fromJson(const QJsonObject &selector)
{
    const QJsonObject matchLabels = selector.value(QLatin1String("matchLabels")).toObject();
    const QJsonArray matchExpressions = selector.value(QLatin1String("matchExpressions")).toArray();
    LabelSelector result;
    for (auto it = matchLabels.begin(); it != matchLabels.end(); ++it) {
        auto requirement = makeRequirement(it.key(), Operator::Equals, {it.value().toString()});
        if (!requirement)
            return std::unexpected(requirement.error());
        result.m_requirements << *requirement;
    }
    for (const QJsonValue &entry : matchExpressions) {
        const QJsonObject expression = entry.toObject();
        const QString name = expression.value(QLatin1String("operator")).toString();
        Operator op;
        if (name == QLatin1String("In"))
            op = Operator::In;
        else if (name == QLatin1String("NotIn"))
            op = Operator::NotIn;
        else if (name == QLatin1String("Exists"))
            op = Operator::Exists;
        else if (name == QLatin1String("DoesNotExist"))
            op = Operator::DoesNotExist;
        else
            return std::unexpected(goQuote(name) +
                                   QStringLiteral(" is not a valid label selector operator"));
        QStringList values;
        for (const QJsonValue &value : expression.value(QLatin1String("values")).toArray())
            values << value.toString();
        auto requirement =
            makeRequirement(expression.value(QLatin1String("key")).toString(), op, values);
        if (!requirement)
            return std::unexpected(requirement.error());
        result.m_requirements << *requirement;
    }
    sortByKey(result.m_requirements);
    return result;
}

LabelSelector LabelSelector::fromSet(const QJsonObject &labels)
{
    LabelSelector selector;
    for (auto it = labels.begin(); it != labels.end(); ++it)
        selector.m_requirements << LabelRequirement{
            it.key(), Operator::Equals, {it.value().toString()}};
    sortByKey(selector.m_requirements);
    return selector;
}

LabelSelector LabelSelector::nothing()
{
    LabelSelector selector;
    selector.m_nothing = true;
    return selector;
}

bool LabelSelector::matches(const QJsonObject &labels) const
{
    if (m_nothing)
        return false;
    return std::all_of(m_requirements.begin(), m_requirements.end(), [&](const auto &requirement) {
        return requirementMatches(requirement, labels);
    });
}

QString LabelSelector::toString() const
{
    QStringList parts;
    for (const LabelRequirement &requirement : m_requirements)
        parts << requirementToString(requirement);
    return parts.join(QLatin1Char(','));
}

std::optional<QString> LabelSelector::exactValue(QStringView key) const
{
    for (const LabelRequirement &requirement : m_requirements) {
        if (requirement.key != key)
            continue;
        if ((requirement.op == Operator::Equals || requirement.op == Operator::In) &&
            requirement.values.size() == 1)
            return requirement.values.front();
        return std::nullopt;
    }
    return std::nullopt;
}

} // namespace timonel::core
