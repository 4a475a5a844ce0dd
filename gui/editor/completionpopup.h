// Completion in the YAML editor: a popup of items from a provider, filtered by the word before
// the cursor as it is typed, the chosen one replacing that word (later lines of a multi-line
// item indented as the word is). Ctrl+Space asks for it; typing a key opens it after a pause.
#pragma once

#include <QObject>
#include <QString>

#include <functional>

class QAbstractItemView;
class QCompleter;
class QKeyEvent;
class QPlainTextEdit;
class QStandardItemModel;
class QTimer;

namespace timonel::gui {

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

class CompletionPopup : public QObject
{
    Q_OBJECT
public:
    explicit CompletionPopup(QPlainTextEdit *editor);

    void setProvider(CompletionProvider provider);
    // Asks the provider and shows the items matching the prefix.
    void show();
    // How long typing a key pauses before the list opens by itself (< 0: never).
    void setAutoDelay(int ms);
    QAbstractItemView *popup() const;
    bool isVisible() const;
    // After the editor took a key: an open list follows the prefix; a letter typed where a key
    // goes (after indentation or "- ") opens it after the pause.
    void keyTyped(const QKeyEvent *event, bool wasVisible);

private:
    QString prefix() const;
    void refreshPrefix();
    void autoComplete();
    void insert(const QString &insertText);

    QPlainTextEdit *m_editor;
    CompletionProvider m_provider;
    QCompleter *m_completer;
    QStandardItemModel *m_items;
    QTimer *m_autoTimer;
    bool m_autoEnabled = true;
    int m_start = -1; // where the prefix being completed starts
};

} // namespace timonel::gui
