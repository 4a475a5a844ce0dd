// Folding of YAML in a QTextDocument: which lines a fold at a line covers (a line folds the
// lines below it indented deeper, a "key:" also the "- " items at its own indentation, "---"
// its document), and hiding, showing and repairing the hidden blocks. The functions change the
// blocks' visibility only; the editor relayouts the range they return.
#pragma once

#include <QTextBlock>

namespace timonel::gui::folding {

// Document positions whose layout changed; empty (from < 0) when nothing did.
struct Changed
{
    int from = -1;
    int to = -1;

    bool isEmpty() const { return from < 0; }
};

// Cheap (looks at one following line): the gutter asks this for every visible line.
bool isHeader(const QTextBlock &header);
// The last line of the block a header folds (trailing blank and comment lines stay visible);
// the header itself when it folds nothing.
QTextBlock endOf(const QTextBlock &header);
bool isFolded(const QTextBlock &header);

// Hides (or shows, nested folds included) the lines a header folds.
Changed setFolded(const QTextBlock &header, bool folded);
// The outermost blocks: each document, else each top-level key.
Changed foldAll(QTextDocument *document);
Changed unfoldAll(QTextDocument *document);
// Opens the folds hiding this block (the cursor, a match or an edit went there).
Changed reveal(const QTextBlock &block);
// After an edit of `added` characters at `position`: an edit inside a fold opens it, and lines
// left hidden behind a line that no longer folds (or a new line) are shown.
Changed repair(QTextDocument *document, int position, int added);

} // namespace timonel::gui::folding
