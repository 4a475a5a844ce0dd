// Adding a GitOps sync from the desktop: the repository (a working tree or a bare one), the
// branch, tag or commit to follow, the directory inside it, and the switches (auto-sync, prune,
// self-heal). What is wrong shows as one line while typing, with Add disabled; what is right
// shows the commit the sync would apply and the `timonel sync` command that does the same.
#pragma once

#include "gitops/syncstore.h"

#include <QDialog>

#include <expected>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace timonel::gui {

class SyncDialog : public QDialog
{
    Q_OBJECT
public:
    // `takenNames`: the syncs this cluster has already (a name labels one sync's objects).
    explicit SyncDialog(const QStringList &takenNames, QWidget *parent = nullptr);

    // The sync the form describes, or its first problem as one line.
    std::expected<SyncSettings, QString> settings() const;

    // Widgets the tests drive.
    QLineEdit *repositoryEdit() const { return m_repository; }
    QLineEdit *revisionEdit() const { return m_revision; }
    QLineEdit *pathEdit() const { return m_path; }
    QLineEdit *nameEdit() const { return m_name; }
    QCheckBox *autoSyncBox() const { return m_autoSync; }
    QCheckBox *pruneBox() const { return m_prune; }
    QCheckBox *selfHealBox() const { return m_selfHeal; }
    QPushButton *addButton() const { return m_add; }
    QLabel *problemLabel() const { return m_problem; }
    QLabel *commitLabel() const { return m_commit; }
    QString commandLine() const;

private:
    std::expected<std::pair<SyncSettings, gitops::CommitInfo>, QString> check() const;
    void revalidate();

    QStringList m_taken;
    QLineEdit *m_repository;
    QLineEdit *m_revision;
    QLineEdit *m_path;
    QLineEdit *m_name;
    bool m_nameEdited = false;
    QCheckBox *m_autoSync;
    QCheckBox *m_prune;
    QCheckBox *m_selfHeal;
    QLabel *m_problem;
    QLabel *m_commit;
    QLabel *m_command;
    QPushButton *m_add;
};

} // namespace timonel::gui
