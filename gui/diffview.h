// A read-only view of `kubectl diff`'s output for a manifest: a summary of what applying it
// would do (objects created, changed, unchanged, not compared, with the reasons), and the
// unified diff of every object that would change, added lines green, removed lines red, hunk
// headers marked. The main window places it in a tab or a dialog.
#pragma once

#include "manifest/livediff.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace timonel::gui {

class DiffView : public QWidget
{
    Q_OBJECT
public:
    explicit DiffView(QWidget *parent = nullptr);

    // What the view shows the diff of, for its tab or window: "Diff of shop.yaml".
    QString title() const { return m_title; }
    void setTitle(const QString &title);

    // While the cluster is asked, or when nothing could be asked: the message, no diff.
    void showMessage(const QString &message);
    void setDiffs(const QList<manifest::ObjectDiff> &diffs);
    const QList<manifest::ObjectDiff> &diffs() const { return m_diffs; }

    QString summary() const;  // the line above the diff
    QString diffText() const; // the unified diff as shown
    QPlainTextEdit *textView() const { return m_text; }

private:
    QString m_title;
    QList<manifest::ObjectDiff> m_diffs;
    QLabel *m_summary;
    QLabel *m_errors;
    QPlainTextEdit *m_text;
};

} // namespace timonel::gui
