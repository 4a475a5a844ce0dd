#include "core/yaml.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>

namespace timonel::core {

namespace {
// This file's user-visible texts, translated in the "Yaml" context.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Yaml)
};
} // namespace

namespace {

// --- scalar typing ------------------------------------------------------------------------------

enum class ScalarKind
{
    Null,
    Bool,
    Int,
    Float,
    NonFiniteFloat,
    String
};

struct TypedScalar
{
    ScalarKind kind = ScalarKind::String;
    QJsonValue value;
};

bool isDigitIn(char c, int base)
{
    switch (base) {
    case 2:
        return c == '0' || c == '1';
    case 8:
        return c >= '0' && c <= '7';
    case 10:
        return c >= '0' && c <= '9';
    default:
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}

int digitValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return c - 'A' + 10;
}

// Integers beyond qint64 become doubles, as JSON numbers would.
std::optional<QJsonValue> parseInteger(std::string_view s)
{
    bool negative = false;
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        negative = s.front() == '-';
        s.remove_prefix(1);
    }
    if (s.empty())
        return std::nullopt;
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
    } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
        base = 8;
        s.remove_prefix(2);
    } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
        base = 2;
        s.remove_prefix(2);
    } else if (s.size() > 1 && s[0] == '0') {
        // YAML 1.1 octal, which is what kubectl (go-yaml v2) makes of `defaultMode: 0644`.
        // "09" is not octal; it falls through to the float rule, again like go-yaml v2.
        base = 8;
        s.remove_prefix(1);
    }
    for (char c : s) {
        if (!isDigitIn(c, base))
            return std::nullopt;
    }
    quint64 magnitude = 0;
    bool overflow = false;
    double approximate = 0;
    for (char c : s) {
        const int d = digitValue(c);
        approximate = approximate * base + d;
        if (magnitude > (std::numeric_limits<quint64>::max() - d) / base)
            overflow = true;
        else
            magnitude = magnitude * base + d;
    }
    constexpr quint64 maxPositive = quint64(std::numeric_limits<qint64>::max());
    if (!overflow && magnitude <= maxPositive)
        return QJsonValue(negative ? -qint64(magnitude) : qint64(magnitude));
    if (!overflow && negative && magnitude == maxPositive + 1)
        return QJsonValue(std::numeric_limits<qint64>::min());
    return QJsonValue(negative ? -approximate : approximate);
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?  (YAML 1.2 core schema)
bool isFloatSyntax(std::string_view s)
{
    size_t i = 0;
    auto digits = [&] {
        const size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9')
            ++i;
        return i - start;
    };
    if (i < s.size() && (s[i] == '-' || s[i] == '+'))
        ++i;
    if (i < s.size() && s[i] == '.') {
        ++i;
        if (digits() == 0)
            return false;
    } else {
        if (digits() == 0)
            return false;
        if (i < s.size() && s[i] == '.') {
            ++i;
            digits();
        }
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '-' || s[i] == '+'))
            ++i;
        if (digits() == 0)
            return false;
    }
    return i == s.size();
}

bool isNonFiniteFloatSyntax(std::string_view s)
{
    if (s == ".nan" || s == ".NaN" || s == ".NAN")
        return true;
    if (!s.empty() && (s.front() == '-' || s.front() == '+'))
        s.remove_prefix(1);
    return s == ".inf" || s == ".Inf" || s == ".INF";
}

TypedScalar resolvePlainScalar(std::string_view s)
{
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL")
        return {ScalarKind::Null, QJsonValue(QJsonValue::Null)};
    if (s == "true" || s == "True" || s == "TRUE")
        return {ScalarKind::Bool, QJsonValue(true)};
    if (s == "false" || s == "False" || s == "FALSE")
        return {ScalarKind::Bool, QJsonValue(false)};
    const char first = s.front();
    const bool numeric =
        (first >= '0' && first <= '9') || first == '-' || first == '+' || first == '.';
    if (!numeric)
        return {ScalarKind::String, QJsonValue(QString::fromUtf8(s.data(), qsizetype(s.size())))};
    if (auto integer = parseInteger(s))
        return {ScalarKind::Int, *integer};
    if (isFloatSyntax(s)) {
        std::string_view digits = s.front() == '+' ? s.substr(1) : s;
        double d = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
        if (ec == std::errc() && end == digits.data() + digits.size() && std::isfinite(d))
            return {ScalarKind::Float, QJsonValue(d)};
        // 1e999: a float to YAML, but JSON cannot hold it, so it stays text.
        return {ScalarKind::NonFiniteFloat,
                QJsonValue(QString::fromUtf8(s.data(), qsizetype(s.size())))};
    }
    const QJsonValue text(QString::fromUtf8(s.data(), qsizetype(s.size())));
    if (isNonFiniteFloatSyntax(s))
        return {ScalarKind::NonFiniteFloat, text};
    return {ScalarKind::String, text};
}

QString formatNumber(const QJsonValue &v)
{
    const double d = v.toDouble();
    if (std::isnan(d))
        return QStringLiteral(".nan");
    if (std::isinf(d))
        return d > 0 ? QStringLiteral(".inf") : QStringLiteral("-.inf");
    constexpr qint64 notIntegral = std::numeric_limits<qint64>::min();
    const qint64 i = v.toInteger(notIntegral);
    if (i != notIntegral || d == double(notIntegral))
        return QString::number(i);
    return QString::number(d, 'g', QLocale::FloatingPointShortest);
}

// --- YAML -> JSON -------------------------------------------------------------------------------

// Thrown only inside this file and turned into a YamlError at the API boundary.
struct ConversionFailure
{
    YamlError error;
};

YamlError errorAt(const YAML::Mark &mark, const QString &message)
{
    if (mark.is_null())
        return {0, 0, message};
    return {mark.line + 1, mark.column + 1, message};
}

bool isTaggedString(const YAML::Node &node)
{
    const std::string &tag = node.Tag();
    // "!" is yaml-cpp's non-specific tag for quoted and block scalars.
    return tag == "!" || tag == "tag:yaml.org,2002:str" || tag == "!!str";
}

class Converter
{
public:
    explicit Converter(qint64 budget) : m_budget(budget) {}

    QJsonValue convert(const YAML::Node &node)
    {
        // Aliases are expanded; the budget stops "billion laughs" documents.
        if (--m_budget < 0) {
            throw ConversionFailure{
                errorAt(node.Mark(), Tr::tr("the document expands to too many values (aliases "
                                            "nested too deeply?)"))};
        }
        switch (node.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null:
            return QJsonValue(QJsonValue::Null);
        case YAML::NodeType::Scalar:
            if (isTaggedString(node))
                return QJsonValue(QString::fromStdString(node.Scalar()));
            return resolvePlainScalar(node.Scalar()).value;
        case YAML::NodeType::Sequence: {
            QJsonArray array;
            for (const YAML::Node &item : node)
                array.append(convert(item));
            return array;
        }
        case YAML::NodeType::Map:
            return convertMap(node);
        }
        return QJsonValue(QJsonValue::Null);
    }

private:
    static bool isMergeKey(const YAML::Node &key)
    {
        return key.IsScalar() && key.Tag() == "?" && key.Scalar() == "<<";
    }

    // Non-string keys become their JSON text, as sigs.k8s.io/yaml does (`1: a` -> {"1": "a"}).
    static QString keyText(const YAML::Node &key)
    {
        if (key.IsNull())
            return QStringLiteral("null");
        if (isTaggedString(key))
            return QString::fromStdString(key.Scalar());
        const TypedScalar typed = resolvePlainScalar(key.Scalar());
        switch (typed.kind) {
        case ScalarKind::Null:
            return QStringLiteral("null");
        case ScalarKind::Bool:
            return typed.value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        case ScalarKind::Int:
        case ScalarKind::Float:
            return formatNumber(typed.value);
        case ScalarKind::NonFiniteFloat:
        case ScalarKind::String:
            break;
        }
        return QString::fromStdString(key.Scalar());
    }

    QJsonObject convertMap(const YAML::Node &node)
    {
        QJsonObject object;
        QList<QJsonObject> merged;
        for (const auto &pair : node) {
            const YAML::Node &key = pair.first;
            const YAML::Node &value = pair.second;
            if (isMergeKey(key)) {
                collectMerge(value, merged);
                continue;
            }
            if (!key.IsScalar() && !key.IsNull())
                throw ConversionFailure{
                    errorAt(key.Mark(), Tr::tr("mapping keys must be scalars"))};
            const QString name = keyText(key);
            if (object.contains(name))
                throw ConversionFailure{
                    errorAt(key.Mark(), Tr::tr("duplicate key \"%1\"").arg(name))};
            object.insert(name, convert(value));
        }
        // Explicit keys win over merged ones; earlier merged maps win over later ones.
        for (const QJsonObject &source : std::as_const(merged)) {
            for (auto it = source.begin(); it != source.end(); ++it) {
                if (!object.contains(it.key()))
                    object.insert(it.key(), it.value());
            }
        }
        return object;
    }

    void collectMerge(const YAML::Node &value, QList<QJsonObject> &merged)
    {
        if (value.IsMap()) {
            merged.append(convert(value).toObject());
            return;
        }
        if (value.IsSequence()) {
            for (const YAML::Node &item : value) {
                if (!item.IsMap())
                    throw ConversionFailure{
                        errorAt(item.Mark(), Tr::tr("a merge key (<<) takes mappings only"))};
                merged.append(convert(item).toObject());
            }
            return;
        }
        throw ConversionFailure{
            errorAt(value.Mark(), Tr::tr("a merge key (<<) takes a mapping or a list of them"))};
    }

    qint64 m_budget;
};

// yaml-cpp silently starts a new document when a top-level collection is followed by text it
// cannot continue ("- a" then "b: 1"); a real document boundary has a "---" or "..." line.
bool hasDocumentMarker(const QByteArray &text, int from, int to)
{
    for (qsizetype i = from; i < to && i < text.size(); ++i) {
        if (i > 0 && text.at(i - 1) != '\n')
            continue;
        const QByteArrayView rest = QByteArrayView(text).sliced(i);
        for (const QByteArrayView marker : {QByteArrayView("---"), QByteArrayView("...")}) {
            if (rest.startsWith(marker) &&
                (rest.size() == 3 || rest.at(3) == ' ' || rest.at(3) == '\t' ||
                 rest.at(3) == '\n' || rest.at(3) == '\r'))
                return true;
        }
    }
    return false;
}

struct Document
{
    QJsonValue value;
    YamlError start; // where the document starts, for messages about the stream
};

// Every non-empty document, converted.
std::expected<QList<Document>, YamlError> loadDocuments(const QByteArray &text)
{
    try {
        const std::vector<YAML::Node> documents =
            YAML::LoadAll(std::string(text.constData(), size_t(text.size())));
        // Generous for real files (a value takes several bytes of YAML), small enough that an
        // alias bomb fails fast.
        Converter converter(1'000'000 + 4 * qint64(text.size()));
        QList<Document> converted;
        int previousStart = -1;
        for (const YAML::Node &document : documents) {
            const YAML::Mark start = document.Mark();
            if (!start.is_null()) {
                if (previousStart >= 0 && !hasDocumentMarker(text, previousStart, start.pos)) {
                    throw ConversionFailure{errorAt(
                        start, Tr::tr("content after the end of the document above (check "
                                      "the indentation, or start a new document with ---)"))};
                }
                previousStart = start.pos;
            }
            if (document.IsNull() || !document.IsDefined())
                continue;
            converted.append({converter.convert(document), errorAt(start, {})});
        }
        return converted;
    } catch (const ConversionFailure &failure) {
        return std::unexpected(failure.error);
    } catch (const YAML::Exception &e) {
        return std::unexpected(errorAt(e.mark, QString::fromStdString(e.msg)));
    } catch (const std::exception &e) {
        return std::unexpected(YamlError{0, 0, QString::fromLocal8Bit(e.what())});
    }
}

// --- JSON -> YAML -------------------------------------------------------------------------------

bool isBreakLike(char32_t c)
{
    // Characters YAML 1.1 readers treat as line breaks or that must not appear raw.
    return c == 0x85 || c == 0x2028 || c == 0x2029 || c == 0xFEFF;
}

bool isPrintable(char32_t c)
{
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || isBreakLike(c))
        return false;
    return c != 0xFFFE && c != 0xFFFF && !(c >= 0xD800 && c <= 0xDFFF);
}

// Words and numbers that YAML 1.1 readers (go-yaml v2, which kubectl uses) would not read back
// as strings, even though our own resolver does.
bool isAmbiguousForYaml11(const QString &s)
{
    static const QSet<QString> words = {
        QStringLiteral("y"),   QStringLiteral("Y"),   QStringLiteral("yes"), QStringLiteral("Yes"),
        QStringLiteral("YES"), QStringLiteral("n"),   QStringLiteral("N"),   QStringLiteral("no"),
        QStringLiteral("No"),  QStringLiteral("NO"),  QStringLiteral("on"),  QStringLiteral("On"),
        QStringLiteral("ON"),  QStringLiteral("off"), QStringLiteral("Off"), QStringLiteral("OFF"),
        QStringLiteral("<<"),  QStringLiteral("="),
    };
    if (words.contains(s))
        return true;
    // Numbers with underscores, sexagesimal (1:30), dates (2024-01-02): anything that starts
    // like a number and uses only number characters.
    const QChar first = s.front();
    const bool startsLikeNumber =
        first.isDigit() || ((first == u'-' || first == u'+' || first == u'.') && s.size() > 1 &&
                            (s.at(1).isDigit() || s.at(1) == u'.'));
    if (!startsLikeNumber)
        return false;
    for (QChar c : s) {
        const char16_t u = c.unicode();
        const bool numberChar = (u >= '0' && u <= '9') || (u >= 'a' && u <= 'f') ||
                                (u >= 'A' && u <= 'F') || u == 'x' || u == 'X' || u == 'o' ||
                                u == 'O' || u == '_' || u == '.' || u == ':' || u == '+' ||
                                u == '-';
        if (!numberChar)
            return false;
    }
    return true;
}

bool canBePlain(const QString &s)
{
    if (s.isEmpty())
        return false;
    const QByteArray utf8 = s.toUtf8();
    if (resolvePlainScalar(std::string_view(utf8.constData(), size_t(utf8.size()))).kind !=
        ScalarKind::String)
        return false;
    if (isAmbiguousForYaml11(s))
        return false;
    const QChar first = s.front();
    const QChar last = s.back();
    if (first.isSpace() || last.isSpace() || last == u':')
        return false;
    if (s.startsWith(u"---") || s.startsWith(u"..."))
        return false;
    static const QString indicators = QStringLiteral("-?:,[]{}#&*!|>'\"%@`");
    if (indicators.contains(first)) {
        // "-x", "?x", ":x" may start a plain scalar; a lone indicator may not.
        const bool allowed =
            (first == u'-' || first == u'?' || first == u':') && s.size() > 1 && !s.at(1).isSpace();
        if (!allowed)
            return false;
    }
    if (s.contains(u": ") || s.contains(u" #") || s.contains(u'\t'))
        return false;
    for (char32_t c : s.toUcs4()) {
        if (!isPrintable(c))
            return false;
    }
    return true;
}

// A literal block keeps multi-line text readable (scripts, config files in ConfigMaps). Only
// used when it reads back exactly: no control characters, no trailing spaces on a line (they
// would be ambiguous), and a first line that lets the reader detect the indentation.
bool canBeLiteralBlock(const QString &s)
{
    if (!s.contains(u'\n'))
        return false;
    if (s.front().isSpace())
        return false;
    for (char32_t c : s.toUcs4()) {
        if (c != '\n' && c != '\t' && !isPrintable(c))
            return false;
    }
    for (QStringView line : QStringView(s).split(u'\n')) {
        if (!line.isEmpty() && line.back().isSpace())
            return false;
    }
    return true;
}

QByteArray doubleQuoted(const QString &s)
{
    QByteArray out = "\"";
    for (char32_t c : s.toUcs4()) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\r':
            out += "\\r";
            break;
        default:
            if (c < 0x20 || c == 0x7F)
                out += "\\x" + QByteArray::number(uint(c), 16).rightJustified(2, '0');
            else if (!isPrintable(c))
                out += "\\u" + QByteArray::number(uint(c), 16).rightJustified(4, '0');
            else
                out += QString::fromUcs4(&c, 1).toUtf8();
        }
    }
    out += '"';
    return out;
}

QByteArray scalarText(const QString &s)
{
    return canBePlain(s) ? s.toUtf8() : doubleQuoted(s);
}

constexpr qsizetype maxImplicitKeyLength = 1000;

QByteArray spaces(int n)
{
    return QByteArray(n, ' ');
}

bool isInline(const QJsonValue &v)
{
    if (v.isObject())
        return v.toObject().isEmpty();
    if (v.isArray())
        return v.toArray().isEmpty();
    if (v.isString())
        return !canBeLiteralBlock(v.toString());
    return true;
}

QByteArray inlineText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Bool:
        return v.toBool() ? "true" : "false";
    case QJsonValue::Double:
        return formatNumber(v).toUtf8();
    case QJsonValue::String:
        return scalarText(v.toString());
    case QJsonValue::Array:
        return "[]";
    case QJsonValue::Object:
        return "{}";
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return "null";
}

void writeLiteralBlock(QByteArray &out, const QString &s, int indent)
{
    qsizetype trailingBreaks = 0;
    while (trailingBreaks < s.size() && s.at(s.size() - 1 - trailingBreaks) == u'\n')
        ++trailingBreaks;
    // Chomping: "|-" strips the final break, "|" keeps one, "|+" keeps them all.
    out += trailingBreaks == 0 ? "|-\n" : trailingBreaks == 1 ? "|\n" : "|+\n";
    const QString body = trailingBreaks == 0 ? s : s.chopped(1);
    for (QStringView line : QStringView(body).split(u'\n')) {
        if (!line.isEmpty())
            out += spaces(indent) + line.toUtf8();
        out += '\n';
    }
}

void writeMapping(QByteArray &out, const QJsonObject &object, int indent, bool continuesLine);
void writeSequence(QByteArray &out, const QJsonArray &array, int indent, bool continuesLine);

// Writes what follows a "key:" or "-" written at column `indent`.
void writeAfterIndicator(QByteArray &out, const QJsonValue &value, int indent, bool inSequence)
{
    if (isInline(value)) {
        out += ' ' + inlineText(value) + '\n';
    } else if (value.isString()) {
        out += ' ';
        writeLiteralBlock(out, value.toString(), indent + 2);
    } else if (value.isObject()) {
        if (inSequence) {
            out += ' ';
            writeMapping(out, value.toObject(), indent + 2, true);
        } else {
            out += '\n';
            writeMapping(out, value.toObject(), indent + 2, false);
        }
    } else if (inSequence) {
        out += ' ';
        writeSequence(out, value.toArray(), indent + 2, true);
    } else {
        // kubectl style: a sequence under a key is not indented further.
        out += '\n';
        writeSequence(out, value.toArray(), indent, false);
    }
}

void writeMapping(QByteArray &out, const QJsonObject &object, int indent, bool continuesLine)
{
    bool first = true;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!(first && continuesLine))
            out += spaces(indent);
        first = false;
        const QByteArray key = scalarText(it.key());
        if (key.size() > maxImplicitKeyLength) {
            // YAML caps implicit keys at 1024 characters; longer ones need "? key" / ": value".
            out += "? " + key + '\n' + spaces(indent) + ':';
            writeAfterIndicator(out, it.value(), indent, true);
        } else {
            out += key + ':';
            writeAfterIndicator(out, it.value(), indent, false);
        }
    }
}

void writeSequence(QByteArray &out, const QJsonArray &array, int indent, bool continuesLine)
{
    bool first = true;
    for (const QJsonValue &item : array) {
        if (!(first && continuesLine))
            out += spaces(indent);
        first = false;
        out += '-';
        writeAfterIndicator(out, item, indent, true);
    }
}

} // namespace

QString formatYamlError(const YamlError &error, const QString &source)
{
    QString prefix = source;
    if (error.line > 0) {
        if (!prefix.isEmpty())
            prefix += u':';
        prefix += QString::number(error.line);
        if (error.column > 0)
            prefix += u':' + QString::number(error.column);
    }
    return prefix.isEmpty() ? error.message : prefix + QStringLiteral(": ") + error.message;
}

std::expected<QJsonValue, YamlError> parseYaml(const QByteArray &text)
{
    auto documents = loadDocuments(text);
    if (!documents)
        return std::unexpected(documents.error());
    if (documents->isEmpty())
        return QJsonValue(QJsonValue::Null);
    if (documents->size() > 1) {
        YamlError error = documents->at(1).start;
        error.message = Tr::tr("expected one YAML document, found %1").arg(documents->size());
        return std::unexpected(error);
    }
    return documents->front().value;
}

std::expected<QList<QJsonValue>, YamlError> parseYamlDocuments(const QByteArray &text)
{
    auto documents = loadDocuments(text);
    if (!documents)
        return std::unexpected(documents.error());
    QList<QJsonValue> values;
    values.reserve(documents->size());
    for (const Document &document : std::as_const(*documents))
        values.append(document.value);
    return values;
}

QByteArray toYaml(const QJsonValue &value)
{
    QByteArray out;
    if (isInline(value)) {
        out = inlineText(value) + '\n';
    } else if (value.isString()) {
        writeLiteralBlock(out, value.toString(), 2);
    } else if (value.isObject()) {
        writeMapping(out, value.toObject(), 0, false);
    } else {
        writeSequence(out, value.toArray(), 0, false);
    }
    return out;
}

} // namespace timonel::core
