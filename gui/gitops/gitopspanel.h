// The desktop's GitOps panel: the syncs of the connected cluster, each following a local git
// repository (engine/gitops), with its status and health, the objects of its last run, the
// repository's commits with the ones it synced marked ("sync to this commit" rolls back, Sync
// now goes back to the branch), the lines of its last run, and a diff of git against the
// cluster. Syncs are kept per context (SyncStore) and start again on the next connection.
//
// Auto-sync syncs follow their revision (and, with self-heal, their objects) through
// gitops::Syncer::watch. The others sync only when asked; until then a server dry run of each
// new commit tells whether the cluster is OutOfSync.
#pragma once

#include "gitops/syncer.h"
#include "gitops/syncstore.h"

#include <QWidget>

#include <expected>
#include <memory>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTreeWidget;

namespace timonel::gui {

class DiffView;

class GitOpsPanel : public QWidget
{
    Q_OBJECT
public:
    // The columns of syncList().
    enum SyncColumn
    {
        NameColumn,
        StatusColumn,
        HealthColumn,
        CommitColumn,
        SourceColumn,
        LastSyncColumn,
    };

    explicit GitOpsPanel(QWidget *parent = nullptr);
    ~GitOpsPanel() override;

    // The cluster the syncs apply to (nullptr: none). Every sync of the previous one stops; the
    // saved syncs of `context` start. `api` must outlive this call's effect.
    void setCluster(client::ApiClient *api, const QString &context,
                    const QString &defaultNamespace);

    // Adds a sync to the cluster, saves it and starts it; the reason when it cannot be.
    std::expected<void, QString> addSync(const SyncSettings &settings);
    // Stops and forgets a sync. What it applied stays in the cluster.
    void removeSync(const QString &name);
    // Syncs the revision's commit now, or `commit` (a rollback, or forward again).
    void syncNow(const QString &name, const QString &commit = {});
    // Compares git's objects at the revision with the cluster's (`kubectl diff`); the view
    // comes through diffReady() at once and fills in when the cluster answers.
    void showDiff(const QString &name);

    QStringList syncNames() const;
    // The selected sync ("" when none).
    QString currentSync() const;
    void selectSync(const QString &name);
    // The last report of a sync (a dry run's, for one that waits to be synced); nullptr before.
    const gitops::SyncReport *lastReport(const QString &name) const;

    // Views the tests read.
    QTreeWidget *syncList() const { return m_syncs; }
    QTreeWidget *objectList() const { return m_objects; }
    QTreeWidget *historyList() const { return m_history; }
    QPlainTextEdit *logView() const { return m_log; }
    QTabWidget *detailTabs() const { return m_details; }

Q_SIGNALS:
    // For the status bar: a line, and the command doing the same from a terminal.
    void message(const QString &text, const QString &command);
    // A new diff view for the main window to place.
    void diffReady(timonel::gui::DiffView *view);
    // Show the graph filtered by this label selector (a sync's objects).
    void showInGraph(const QString &labelSelector);
    // A sync's run ended (a dry run too).
    void syncFinished(const QString &name, const timonel::gitops::SyncReport &report);

private:
    struct Entry;
    Entry *entry(const QString &name) const;
    void start(Entry &entry);
    void finished(Entry &entry, const gitops::SyncReport &report, bool preview);
    void healthChanged(Entry &entry, const gitops::SyncReport &report);
    void checkHealth();
    void updateRow(const Entry &entry);
    void updateDetails();
    void updateHistory(const Entry &entry);
    void addFromDialog();
    void historyMenu(const QPoint &pos);
    void save() const;

    client::ApiClient *m_api = nullptr;
    QString m_context;
    QString m_defaultNamespace;
    std::vector<std::unique_ptr<Entry>> m_entries;
    int m_healthTicks = 0;

    QTreeWidget *m_syncs;
    QTabWidget *m_details;
    QTreeWidget *m_objects;
    QTreeWidget *m_history;
    QPlainTextEdit *m_log;
    QPushButton *m_add;
    QPushButton *m_syncNow;
    QPushButton *m_diff;
    QPushButton *m_graph;
    QPushButton *m_remove;
};

} // namespace timonel::gui
