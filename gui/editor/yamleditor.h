// The manifest editor: a plain-text editor with YAML highlighting from KDE's
// KSyntaxHighlighting (its theme follows the palette, dark or light), a gutter with line
// numbers, problem markers and fold markers, folding by YAML block and by "---" document,
// two-space indentation kept on Enter, comment toggling, problems underlined where they are
// (their message as a tooltip), completion from a provider, and a find/replace bar.
//
// Its parts: the gutter (editorgutter.h), problem marks (problemmarks.h), folding (folding.h),
// the completion popup (completionpopup.h), the typing aids on lines (linecommands.h) and the
// find bar (findbar.h).
#pragma once

#include "editor/completionpopup.h"
#include "editor/problemmarks.h"

#include <QHash>
#include <QList>
#include <QPlainTextEdit>
#include <QPointer>

class QAbstractItemView;

namespace KSyntaxHighlighting {
class SyntaxHighlighter;
}

namespace timonel::gui {

class FindBar;
class EditorGutter;
namespace folding {
struct Changed;
}

class YamlEditor : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit YamlEditor(QWidget *parent = nullptr);
    ~YamlEditor() override;

    // --- text
    QString text() const { return toPlainText(); }
    // With keepUndo, only the lines that differ are replaced, as one undo step, and the
    // cursor, folds and scroll position stay; otherwise the document starts afresh
    // (unmodified, empty undo history).
    void setText(const QString &text, bool keepUndo = false);
    bool isModified() const;
    void setModified(bool modified);
    int cursorLine() const;   // 1-based
    int cursorColumn() const; // 1-based
    void goToLine(int line, int column = 1);
    // Replaces the 1-based lines firstLine..lastLine (inclusive) with `text`, whole lines
    // ("a\nb" or "a\nb\n" are two lines, "" removes them; lastLine = firstLine - 1 inserts
    // before firstLine), as one undo step. The cursor stays on its line and column when that
    // line still exists. False when the range is not in the document.
    bool replaceLines(int firstLine, int lastLine, const QString &text);

    // --- problems
    void setDiagnostics(const QList<EditorDiagnostic> &diagnostics);
    const QList<EditorDiagnostic> &diagnostics() const { return m_diagnostics; }
    // The messages of the problems marked on this 1-based line, one a line.
    // Marks move with edits until the next setDiagnostics().
    QString diagnosticsAt(int line) const;

    // --- folding (1-based lines). A line folds the lines below it that are indented deeper
    // (and a "key:" the "- " items at its own indentation); "---" folds its document.
    // Unfolding shows everything inside, nested folds included; moving the cursor or editing
    // inside a fold opens it.
    bool isFoldable(int line) const;
    bool isFolded(int line) const;
    // The last line a fold at `line` hides; `line` itself when it folds nothing.
    int foldEnd(int line) const;
    void fold(int line);
    void unfold(int line);
    void toggleFold(int line);
    void foldAll(); // the outermost blocks: each document, else each top-level key
    void unfoldAll();

    // --- completion
    void setCompletionProvider(CompletionProvider provider);
    // Asks the provider and shows the items matching the prefix (Ctrl+Space).
    void showCompletions();
    // How long typing a key pauses before the list opens by itself (300 ms; < 0: never).
    void setAutoCompletionDelay(int ms);
    QAbstractItemView *completionPopup() const;

    // --- commands bound to keys
    void toggleComment();     // Ctrl+/
    void indentSelection();   // Tab with a selection
    void unindentSelection(); // Shift+Tab
    // The find bar, docked below the text unless the owner reparents it into its own layout.
    FindBar *findBar();
    void openFind();    // Ctrl+F
    void openReplace(); // Ctrl+H

    // Matches the find bar highlights (kept apart from the cursor and problem marks).
    void setSearchHighlights(const QList<QTextCursor> &matches);

    int gutterWidth() const;
    // The name of the KSyntaxHighlighting theme in use.
    QString themeName() const;

Q_SIGNALS:
    void cursorMoved(int line, int column);

protected:
    void resizeEvent(QResizeEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void changeEvent(QEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    friend class EditorGutter;
    void applyTheme();
    void updateMargins();
    void updateSelections();
    void setFolded(const QTextBlock &header, bool folded);
    void relayout(const folding::Changed &changed);
    void revealBlock(const QTextBlock &block);
    void repairFolds(int position, int added);
    // The 0-based lines with problems marked now, and whether one of them is an error.
    QHash<int, bool> problemLines() const;

    KSyntaxHighlighting::SyntaxHighlighter *m_highlighter;
    EditorGutter *m_gutter;
    QPointer<FindBar> m_findBar;
    QList<EditorDiagnostic> m_diagnostics;
    QList<QTextEdit::ExtraSelection> m_diagnosticMarks; // one per diagnostic, same order
    QList<QTextEdit::ExtraSelection> m_searchMarks;
    CompletionPopup *m_completion;
    QColor m_currentLineColor;
    QColor m_searchColor;
    bool m_applyingTheme = false;
};

} // namespace timonel::gui
