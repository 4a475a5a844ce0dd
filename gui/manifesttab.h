// One manifest file in a tab: the YAML editor, its problems checked as you type (shown in the
// editor and in the problems panel), completion of keys and values from the schema, and the
// file's open / save state. Beside the editor, a form for the object of the YAML document under
// the cursor: it follows the cursor and the typing after a short pause, and each change made in
// it is one edit of the text (one undo step) that keeps comments and the other lines. And the
// file's objects compared with the cluster, as `kubectl diff -f` compares them.
#pragma once

#include "manifest/textedit.h"
#include "manifest/validator.h"

#include <QWidget>

class QAction;
class QSplitter;
class QTimer;

namespace timonel::client {
class ApiClient;
struct ApplyOptions;
} // namespace timonel::client

namespace timonel::gui {

class DiffView;
class ObjectForm;
class YamlEditor;

class ManifestTab : public QWidget
{
    Q_OBJECT
public:
    // How long the form waits after a keystroke or a cursor move before it follows.
    static constexpr int formDelayMs = 150;

    explicit ManifestTab(QWidget *parent = nullptr);

    YamlEditor *editor() const { return m_editor; }
    ObjectForm *form() const { return m_form; }
    QString filePath() const { return m_path; }
    // The file name, "Untitled" before the first save; with "*" when modified.
    QString title() const;
    const QList<manifest::Problem> &problems() const { return m_problems; }

    // Reads a file; the error is one line.
    bool open(const QString &path, QString *error);
    // Writes to `path` ("" = the file it came from).
    bool save(const QString &path, QString *error);
    void setText(const QString &text);
    // Checks now rather than after the typing pause.
    void check();

    // --- the form
    // Shows and hides the form (checkable, Ctrl+Shift+F while the tab has the focus; also in
    // the editor's context menu). The choice is kept for the next tabs ("manifest/formVisible"
    // in QSettings); without one, the form shows on screens wide enough for both.
    QAction *formAction() const { return m_formAction; }
    bool isFormVisible() const;
    void setFormVisible(bool visible);
    // Shows the document under the cursor in the form now rather than after the pause.
    void updateForm();

    // --- the diff against the cluster
    // Compares every object of the file with what the cluster has (Manifest > Diff against
    // cluster): the live object against a server-side dry-run apply with `options`, as
    // `kubectl diff --server-side -f FILE` does. Returns a view of its own, for the caller to
    // place (a tab, a dialog), that fills in once the cluster has answered; diffFinished()
    // comes then. A file that does not parse is not sent: the view says where it fails, and no
    // diffFinished() comes.
    DiffView *showDiff(client::ApiClient &api, const client::ApplyOptions &options);

Q_SIGNALS:
    void problemsChanged(const QList<manifest::Problem> &problems);
    void titleChanged(const QString &title);
    // A diff of showDiff() is complete: how many objects would be created or changed, and how
    // many could not be compared.
    void diffFinished(int changed, int failed);

private:
    void applyFormEdit(const manifest::TextEdit &edit);
    void showEditorMenu(const QPoint &position);

    YamlEditor *m_editor;
    ObjectForm *m_form;
    QSplitter *m_splitter;
    QTimer *m_checkTimer;
    QTimer *m_formTimer;
    QAction *m_formAction;
    QString m_formText; // the text the form shows, as it was last given or edited there
    QString m_path;
    QList<manifest::Problem> m_problems;
};

} // namespace timonel::gui
