// The manifest editor: a plain-text editor with YAML highlighting from KDE's
// KSyntaxHighlighting (its theme follows the palette, dark or light), a gutter with line
// numbers, problem markers and fold markers, folding by YAML block and by "---" document,
// two-space indentation kept on Enter, comment toggling, problems underlined where they are
// (their message as a tooltip), completion from a provider, and a find/replace bar.
#pragma once

#include <QList>
#include <QPlainTextEdit>
#include <QPointer>

#include <functional>

class QCompleter;
class QAbstractItemView;
class QStandardItemModel;
class QTimer;

namespace KSyntaxHighlighting {
class SyntaxHighlighter;
}

namespace timonel::gui {

class FindBar;
class EditorGutter;

struct EditorDiagnostic
{
    int line = 1;      // 1-based
    int column = 1;    // 1-based
    int length = 0;    // 0: to the end of the token there (the whole line past its end)
    bool error = true; // else a warning
    QString message;
};

struct CompletionItem
{
    QString text;       // shown and matched against the typed prefix
    QString detail;     // shown dimmed beside it
    QString insertText; // replaces the prefix; `text` when empty. Later lines get the
                        // indentation of the prefix.
};

// Items for the 1-based line and column of the cursor; the word before the cursor is the
// prefix the popup filters by.
using CompletionProvider = std::function<QList<CompletionItem>(int line, int column)>;

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
    void relayout(const QTextBlock &from, const QTextBlock &to);
    void revealBlock(const QTextBlock &block);
    void repairFolds(int position, int added);
    bool insertNewline();
    void insertCompletion(const QString &insertText);
    QString completionPrefix() const;
    void refreshCompletionPrefix();
    void maybeAutoComplete();

    KSyntaxHighlighting::SyntaxHighlighter *m_highlighter;
    EditorGutter *m_gutter;
    QPointer<FindBar> m_findBar;
    QList<EditorDiagnostic> m_diagnostics;
    QList<QTextEdit::ExtraSelection> m_diagnosticMarks; // one per diagnostic, same order
    QList<QTextEdit::ExtraSelection> m_searchMarks;
    CompletionProvider m_provider;
    QCompleter *m_completer = nullptr;
    QStandardItemModel *m_completions = nullptr;
    QTimer *m_autoComplete = nullptr;
    bool m_autoCompleteEnabled = true;
    int m_completionStart = -1; // where the prefix being completed starts
    QColor m_currentLineColor;
    QColor m_searchColor;
    bool m_applyingTheme = false;
};

} // namespace timonel::gui
