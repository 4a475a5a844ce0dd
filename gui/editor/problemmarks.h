// Problems marked in the editor's text: each one underlined where it is (a wavy line, red for
// errors, orange for warnings) with its message as a tooltip. The marks are text cursors, so
// they move with edits until the problems are checked again.
#pragma once

#include <QColor>
#include <QHash>
#include <QList>
#include <QString>
#include <QTextEdit>

class QTextDocument;

namespace timonel::gui {

struct EditorDiagnostic
{
    int line = 1;      // 1-based
    int column = 1;    // 1-based
    int length = 0;    // 0: to the end of the token there (the whole line past its end)
    bool error = true; // else a warning
    QString message;
};

namespace problemmarks {

// The colour of a problem's marks, under the text and in the gutter.
QColor color(bool error);
// The mark of one problem: the token at its line and column (up to a space or a key's colon),
// `length` characters when it says, the whole line when nothing is there.
QTextEdit::ExtraSelection mark(QTextDocument *document, const EditorDiagnostic &diagnostic);
// The 0-based lines with marks now, and whether one of those is an error.
QHash<int, bool> lines(const QList<QTextEdit::ExtraSelection> &marks);
// The messages of the marks on a 1-based line, or over a document position, one a line.
QString messagesOnLine(const QList<QTextEdit::ExtraSelection> &marks, int line);
QString messagesAt(const QList<QTextEdit::ExtraSelection> &marks, int position);

} // namespace problemmarks

} // namespace timonel::gui
