// How the editor reads one YAML line for folding and typing: its indentation, whether it is
// blank or only a comment, document markers, sequence items. A line at a time, without parsing,
// so it works on text that is being typed.
#pragma once

#include <QLatin1StringView>
#include <QString>
#include <QStringView>

namespace timonel::gui::yamllines {

inline int indentOf(const QString &text)
{
    int i = 0;
    while (i < text.size() && text.at(i) == u' ')
        ++i;
    return i;
}

// Blank and comment-only lines neither start nor end a YAML block.
inline bool isInsignificant(const QString &text)
{
    const QString t = text.trimmed();
    return t.isEmpty() || t.startsWith(u'#');
}

inline bool isDocumentStart(const QString &text)
{
    return text.startsWith(QLatin1String("---")) && (text.size() == 3 || text.at(3).isSpace());
}

inline bool isDocumentEnd(const QString &text)
{
    return text.startsWith(QLatin1String("...")) && (text.size() == 3 || text.at(3).isSpace());
}

inline bool isSequenceItem(const QString &text, int indent)
{
    const QStringView rest = QStringView(text).mid(indent);
    return rest == u"-" || rest.startsWith(u"- ");
}

// The line without a trailing " # comment" (quotes aside: good enough for indentation).
inline QString codeOf(const QString &text)
{
    const qsizetype hash = text.indexOf(QLatin1String(" #"));
    return (hash < 0 ? text : text.left(hash)).trimmed();
}

} // namespace timonel::gui::yamllines
