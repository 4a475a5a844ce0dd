// Find and replace for the YAML editor: incremental search that highlights every match,
// next/previous (F3/Shift+F3, Enter/Shift+Enter), case sensitivity and regular expressions
// (replacements may use \1..\9), replace and replace all (one undo step). Escape closes it.
#pragma once

#include <QList>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRegularExpression;
class QRegularExpressionMatch;
class QTimer;
class QToolButton;

namespace timonel::gui {

class YamlEditor;

class FindBar : public QWidget
{
    Q_OBJECT
public:
    // Works on `editor`, which must outlive it (the editor makes and docks its own: see
    // YamlEditor::findBar()).
    explicit FindBar(YamlEditor *editor, QWidget *parent = nullptr);
    ~FindBar() override;

    // Shows the bar (with the replace row for openReplace), takes a one-line selection as the
    // text to find, and focuses the find field.
    void openFind();
    void openReplace();
    // Hides the bar, drops the highlights and gives the focus back to the editor.
    void closeBar();

    QLineEdit *findField() const { return m_find; }
    QLineEdit *replaceField() const { return m_replace; }
    void setCaseSensitive(bool on);
    void setRegularExpression(bool on);

    // Select the next/previous match, wrapping around; false when there is none.
    bool findNext();
    bool findPrevious();
    // Replaces the selected match and selects the next one (only selects, when the selection
    // is not a match).
    bool replaceCurrent();
    // Replaces every match as one undo step; how many were replaced.
    int replaceAll();
    int matchCount();
    // "3 of 12", "No matches", or why the pattern is not valid.
    QString status() const;

Q_SIGNALS:
    void closed();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    struct Match
    {
        int start;
        int length;
    };
    QRegularExpression pattern() const;
    const QList<Match> &matches();
    void search(bool fromSelectionStart);
    void select(const Match &match);
    void refresh();
    QString replacementFor(const QRegularExpressionMatch &match) const;

    YamlEditor *m_editor;
    QLineEdit *m_find;
    QLineEdit *m_replace;
    QCheckBox *m_case;
    QCheckBox *m_regex;
    QLabel *m_status;
    QLabel *m_replaceLabel;
    QPushButton *m_replaceButton;
    QPushButton *m_replaceAllButton;
    QTimer *m_refresh;
    QList<Match> m_matches;
    bool m_stale = true;
};

} // namespace timonel::gui
