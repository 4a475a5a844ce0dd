#include "editor/linecommands.h"

#include "editor/yamllines.h"

#include <QPlainTextEdit>
#include <QTextBlock>

#include <algorithm>
#include <limits>

namespace timonel::gui::linecommands {

using namespace yamllines;

namespace {

// The lines a selection touches (a selection ending at a line's start leaves that line out).
std::pair<QTextBlock, QTextBlock> selectedBlocks(const QTextCursor &cursor)
{
    QTextDocument *doc = cursor.document();
    const QTextBlock first = doc->findBlock(cursor.selectionStart());
    QTextBlock last = doc->findBlock(cursor.selectionEnd());
    if (cursor.hasSelection() && last != first && cursor.selectionEnd() == last.position())
        last = last.previous();
    return {first, last};
}

template <typename Edit> void editLines(QPlainTextEdit *editor, Edit edit)
{
    const auto [first, last] = selectedBlocks(editor->textCursor());
    QTextCursor c(editor->document());
    c.beginEditBlock();
    for (QTextBlock b = first;; b = b.next()) {
        edit(c, b);
        if (b == last)
            break;
    }
    c.endEditBlock();
}

} // namespace

void insertNewline(QPlainTextEdit *editor)
{
    QTextCursor c = editor->textCursor();
    const QString before = c.block().text().left(c.positionInBlock());
    if (!c.hasSelection() && before.trimmed().isEmpty()) {
        // Inside the indentation: the line moves down whole, an empty line above it.
        const int column = c.positionInBlock();
        c.movePosition(QTextCursor::StartOfBlock);
        c.insertBlock();
        c.setPosition(c.block().position() + column);
        editor->setTextCursor(c);
        return;
    }
    const QString code = codeOf(before);
    int indent = indentOf(before);
    if (code == u"-" || code.startsWith(QLatin1String("- ")))
        indent += 2; // inside the item, where its keys line up
    if (code.endsWith(u':'))
        indent += indentWidth;
    c.beginEditBlock();
    c.removeSelectedText();
    c.insertBlock();
    // The rest of the line moves down under the new indentation.
    while (c.block().text().startsWith(u' '))
        c.deleteChar();
    c.insertText(QString(indent, u' '));
    c.endEditBlock();
    editor->setTextCursor(c);
    editor->ensureCursorVisible();
}

void indentSelection(QPlainTextEdit *editor)
{
    editLines(editor, [](QTextCursor &c, const QTextBlock &b) {
        if (b.text().trimmed().isEmpty())
            return;
        c.setPosition(b.position());
        c.insertText(QString(indentWidth, u' '));
    });
}

void unindentSelection(QPlainTextEdit *editor)
{
    editLines(editor, [](QTextCursor &c, const QTextBlock &b) {
        c.setPosition(b.position());
        c.setPosition(b.position() + std::min(indentOf(b.text()), indentWidth),
                      QTextCursor::KeepAnchor);
        c.removeSelectedText();
    });
}

void toggleComment(QPlainTextEdit *editor)
{
    const auto [first, last] = selectedBlocks(editor->textCursor());
    bool allCommented = true;
    int column = std::numeric_limits<int>::max();
    for (QTextBlock b = first;; b = b.next()) {
        if (!b.text().trimmed().isEmpty()) {
            allCommented = allCommented && b.text().trimmed().startsWith(u'#');
            column = std::min(column, indentOf(b.text()));
        }
        if (b == last)
            break;
    }
    if (column == std::numeric_limits<int>::max())
        return; // only blank lines
    editLines(editor, [&](QTextCursor &c, const QTextBlock &b) {
        const QString text = b.text();
        if (text.trimmed().isEmpty())
            return;
        if (allCommented) {
            const int hash = indentOf(text);
            const bool space = hash + 1 < text.size() && text.at(hash + 1) == u' ';
            c.setPosition(b.position() + hash);
            c.setPosition(b.position() + hash + (space ? 2 : 1), QTextCursor::KeepAnchor);
            c.removeSelectedText();
        } else {
            // At the shallowest indentation, so that commented blocks stay aligned.
            c.setPosition(b.position() + column);
            c.insertText(QStringLiteral("# "));
        }
    });
}

} // namespace timonel::gui::linecommands
