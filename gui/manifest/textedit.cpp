#include "manifest/textedit.h"

#include "manifest/yamlstructure_p.h"

namespace timonel::manifest {

namespace {

bool isSeparator(QStringView line)
{
    if (line.endsWith(u'\r'))
        line.chop(1);
    return (line.startsWith(u"---") || line.startsWith(u"...")) &&
           (line.size() == 3 || line[3].isSpace());
}

} // namespace

QStringList splitLines(const QString &text)
{
    if (text.isEmpty())
        return {};
    QStringList lines = text.split(u'\n');
    if (text.endsWith(u'\n'))
        lines.removeLast();
    return lines;
}

int lineCount(const QString &text)
{
    return int(splitLines(text).size());
}

QString applyEdit(const QString &text, const TextEdit &edit)
{
    QStringList lines = splitLines(text);
    const bool finalNewline = text.isEmpty() || text.endsWith(u'\n');
    const int first = qBound(1, edit.firstLine, int(lines.size()) + 1);
    const int last = qBound(first - 1, edit.lastLine, int(lines.size()));
    lines.remove(first - 1, last - first + 1);
    const QStringList replacement = splitLines(edit.text);
    for (qsizetype i = 0; i < replacement.size(); ++i)
        lines.insert(first - 1 + i, replacement[i]);
    if (lines.isEmpty())
        return {};
    return lines.join(u'\n') + (finalNewline ? QStringLiteral("\n") : QString());
}

TextEdit lineDiff(const QString &before, const QString &after)
{
    const QStringList a = splitLines(before), b = splitLines(after);
    qsizetype prefix = 0;
    while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix])
        ++prefix;
    qsizetype suffix = 0;
    // A line gaining or losing the final newline is a changed line too.
    const bool sameEnd =
        (before.isEmpty() || before.endsWith(u'\n')) == (after.isEmpty() || after.endsWith(u'\n'));
    while (sameEnd && suffix < a.size() - prefix && suffix < b.size() - prefix &&
           a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
        ++suffix;
    TextEdit edit{int(prefix) + 1, int(a.size() - suffix), QString()};
    for (qsizetype i = prefix; i < b.size() - suffix; ++i)
        edit.text += b[i] + u'\n';
    return edit;
}

QList<LineRange> documentRanges(const QString &text)
{
    const QStringList lines = splitLines(text);
    QList<LineRange> ranges;
    LineRange current{1, 0};
    bool content = false;
    const auto close = [&] {
        if (content)
            ranges.append(current);
    };
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (isSeparator(lines[i])) {
            close();
            current = {int(i) + 2, int(i) + 1};
            content = false;
            continue;
        }
        current.last = int(i) + 1;
        content = content || (!detail::isBlankOrComment(lines[i]) && !lines[i].startsWith(u'%'));
    }
    close();
    return ranges;
}

} // namespace timonel::manifest
