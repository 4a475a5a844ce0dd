// Values written as block YAML lines in the style of the document they go into, and scalars and
// flow collections as the text of one line. Quoting is core::toYaml's, so what is written reads
// back (core::parseYaml) as the value given.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

namespace timonel::manifest::detail {

struct Style
{
    int step = 2;                   // indentation of a map under its key
    bool indentedSequences = false; // "key:\n  - a" rather than kubectl's "key:\n- a"
};

QString spaces(int n);
// core::toYaml's lines for the value, without the final empty one.
QStringList yamlLines(const QJsonValue &value);
// Written on the line of its key: scalars that fit one line, {} and [].
bool isInlineValue(const QJsonValue &value);
QString inlineText(const QJsonValue &value);
QString doubleQuoted(const QString &s);
QString keyText(const QString &key);
// The keys in the order kubectl writes them: apiVersion, kind, metadata, name, then the rest.
QStringList keyOrder(const QJsonObject &object);
// The value in flow style, on one line: {a: 1, b: [x, y]}.
QString flowText(const QJsonValue &value);

// Writes `value` after `head`, a line ending in "key:" or "-" written at column `indent`;
// `trailing` (a comment, with its leading spaces) stays on the head's line.
void writeValue(QStringList &out, const QString &head, const QString &trailing,
                const QJsonValue &value, int indent, bool item, const Style &style);
void writeMap(QStringList &out, const QJsonObject &object, int indent, const Style &style);
void writeSequence(QStringList &out, const QJsonArray &array, int indent, const Style &style);

} // namespace timonel::manifest::detail
