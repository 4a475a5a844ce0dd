#include "manifest/yamlwriter_p.h"

#include "core/yaml.h"

#include <algorithm>

namespace timonel::manifest::detail {

QString spaces(int n)
{
    return QString(n, u' ');
}

// core::toYaml decides quoting exactly as the engine reads YAML back.
QStringList yamlLines(const QJsonValue &value)
{
    QStringList lines = QString::fromUtf8(core::toYaml(value)).split(u'\n');
    lines.removeLast();
    return lines;
}

bool isInlineValue(const QJsonValue &value)
{
    if (value.isObject())
        return value.toObject().isEmpty();
    if (value.isArray())
        return value.toArray().isEmpty();
    return yamlLines(value).size() == 1;
}

QString inlineText(const QJsonValue &value)
{
    return yamlLines(value).constFirst();
}

QString doubleQuoted(const QString &s)
{
    QString out = QStringLiteral("\"");
    for (QChar c : s) {
        if (c == u'"' || c == u'\\')
            out += u'\\' + QString(c);
        else if (c == u'\n')
            out += u"\\n";
        else if (c == u'\t')
            out += u"\\t";
        else if (c.unicode() < 0x20 || c.unicode() == 0x7F)
            out += QStringLiteral("\\x") + QString::number(c.unicode(), 16).rightJustified(2, u'0');
        else
            out += c;
    }
    return out + u'"';
}

QString keyText(const QString &key)
{
    const QJsonValue value(key);
    return isInlineValue(value) ? inlineText(value) : doubleQuoted(key);
}

// QJsonObject keeps keys sorted; these go first.
QStringList keyOrder(const QJsonObject &object)
{
    static const QStringList leading = {QStringLiteral("apiVersion"), QStringLiteral("kind"),
                                        QStringLiteral("metadata"), QStringLiteral("name")};
    QStringList keys;
    for (const QString &key : leading) {
        if (object.contains(key))
            keys << key;
    }
    for (const QString &key : object.keys()) {
        if (!leading.contains(key))
            keys << key;
    }
    return keys;
}

// Inside [] and {} a plain scalar must not hold flow indicators either.
QString flowText(const QJsonValue &value)
{
    QStringList parts;
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (const QString &key : keyOrder(object))
            parts << flowText(key) + QStringLiteral(": ") + flowText(object.value(key));
        return u'{' + parts.join(u", ") + u'}';
    }
    if (value.isArray()) {
        for (const QJsonValue &item : value.toArray())
            parts << flowText(item);
        return u'[' + parts.join(u", ") + u']';
    }
    if (!value.isString())
        return inlineText(value);
    if (isInlineValue(value)) {
        const QString text = inlineText(value);
        static const QString indicators = QStringLiteral(",[]{}");
        if (text.startsWith(u'"') ||
            std::none_of(text.begin(), text.end(), [](QChar c) { return indicators.contains(c); }))
            return text;
    }
    return doubleQuoted(value.toString());
}

void writeValue(QStringList &out, const QString &head, const QString &trailing,
                const QJsonValue &value, int indent, bool item, const Style &style)
{
    if (isInlineValue(value)) {
        out << head + u' ' + inlineText(value) + trailing;
        return;
    }
    if (value.isString()) { // a literal block
        const QStringList block = yamlLines(value);
        out << head + u' ' + block.first() + trailing;
        const int bodyIndent = indent + (item ? 2 : style.step);
        for (const QString &line : block.mid(1))
            out << (line.isEmpty() ? line : spaces(bodyIndent) + line.mid(2));
        return;
    }
    const int childIndent = item                      ? indent + 2
                            : value.isObject()        ? indent + style.step
                            : style.indentedSequences ? indent + style.step
                                                      : indent;
    QStringList lines;
    if (value.isObject())
        writeMap(lines, value.toObject(), childIndent, style);
    else
        writeSequence(lines, value.toArray(), childIndent, style);
    if (item && trailing.isEmpty()) // "- name: x": the first key on the dash's line
        lines[0] = head + u' ' + lines[0].mid(childIndent);
    else
        out << head + trailing;
    out += lines;
}

void writeMap(QStringList &out, const QJsonObject &object, int indent, const Style &style)
{
    for (const QString &key : keyOrder(object))
        writeValue(out, spaces(indent) + keyText(key) + u':', {}, object.value(key), indent, false,
                   style);
}

void writeSequence(QStringList &out, const QJsonArray &array, int indent, const Style &style)
{
    for (const QJsonValue &item : array)
        writeValue(out, spaces(indent) + u'-', {}, item, indent, true, style);
}

} // namespace timonel::manifest::detail
