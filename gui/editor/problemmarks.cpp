#include "editor/problemmarks.h"

#include "editor/yamllines.h"

#include <QTextBlock>
#include <QTextDocument>

#include <algorithm>

namespace timonel::gui::problemmarks {

namespace {

constexpr int errorProperty = QTextFormat::UserProperty;

} // namespace

QColor color(bool error)
{
    return error ? QColor(0xda, 0x44, 0x53) : QColor(0xf6, 0x74, 0x00);
}

QTextEdit::ExtraSelection mark(QTextDocument *document, const EditorDiagnostic &d)
{
    const QTextBlock block =
        document->findBlockByNumber(std::clamp(d.line, 1, document->blockCount()) - 1);
    const QString text = block.text();
    int start = std::clamp(d.column - 1, 0, int(text.size()));
    int end = start;
    if (d.length > 0) {
        end = std::min(start + d.length, int(text.size()));
    } else {
        // The token there: up to a space, or to a key's colon.
        while (end < text.size() && !text.at(end).isSpace() &&
               !(text.at(end) == u':' && (end + 1 == text.size() || text.at(end + 1).isSpace())))
            ++end;
        if (end == start) // nothing there: the whole line
            start = yamllines::indentOf(text), end = int(text.size());
    }
    QTextEdit::ExtraSelection mark;
    mark.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
    mark.format.setUnderlineColor(color(d.error));
    mark.format.setToolTip(d.message);
    mark.format.setProperty(errorProperty, d.error);
    mark.cursor = QTextCursor(document);
    mark.cursor.setPosition(block.position() + start);
    mark.cursor.setPosition(block.position() + end, QTextCursor::KeepAnchor);
    return mark;
}

QHash<int, bool> lines(const QList<QTextEdit::ExtraSelection> &marks)
{
    QHash<int, bool> found;
    for (const QTextEdit::ExtraSelection &mark : marks) {
        const int line = mark.cursor.block().blockNumber();
        found[line] = found.value(line) || mark.format.property(errorProperty).toBool();
    }
    return found;
}

QString messagesOnLine(const QList<QTextEdit::ExtraSelection> &marks, int line)
{
    QStringList messages;
    for (const QTextEdit::ExtraSelection &mark : marks) {
        if (mark.cursor.blockNumber() + 1 == line)
            messages.append(mark.format.toolTip());
    }
    return messages.join(u'\n');
}

QString messagesAt(const QList<QTextEdit::ExtraSelection> &marks, int position)
{
    QStringList messages;
    for (const QTextEdit::ExtraSelection &mark : marks) {
        if (position >= mark.cursor.selectionStart() && position <= mark.cursor.selectionEnd())
            messages.append(mark.format.toolTip());
    }
    return messages.join(u'\n');
}

} // namespace timonel::gui::problemmarks
