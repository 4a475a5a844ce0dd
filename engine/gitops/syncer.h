// One GitOps sync: keeps a cluster as a local repository's commit says, reading the commit's tree
// through libgit2 (never a checkout: uncommitted edits do not count).
//
// A sync run reads what git wants (desiredstate.h), applies it with server-side apply (field
// manager "timonel", Namespaces and CRDs first) labelling every object with the sync's name,
// then, when prune is on, deletes the labelled objects git no longer has, and reads every
// object's health. A broken file is a problem with its file and line: the rest still applies,
// and nothing is pruned while git's state is incomplete. In watch mode a new commit on the
// revision starts a run within a second; with self-heal, a change made to a synced object in
// the cluster (its generation or labels moved) applies git's version again.
#pragma once

#include "client/applier.h"
#include "gitops/desiredstate.h"
#include "gitops/health.h"
#include "gitops/kustomize.h"
#include "gitops/syncspec.h"

#include <QDateTime>
#include <QObject>

#include <memory>

namespace timonel::gitops {

enum class SyncStatus
{
    Synced,    // the cluster is as the commit says
    OutOfSync, // a dry run found changes, or an object failed to apply, or prune was skipped
    Failed,    // the repository, revision or path could not be read
};

struct SyncedObject
{
    client::ApplyResult result;
    ObjectHealth health;
};

struct SyncReport
{
    QString commit;
    QString commitSummary;
    QDateTime finishedAt;
    SyncStatus status = SyncStatus::Failed;
    Health health = Health::Healthy;
    QString error; // Failed: why, one line
    QList<RenderProblem> problems;
    QList<SyncedObject> objects;
    QStringList pruned;        // "deployment.apps/web" (or would be, in a dry run)
    QStringList pruneFailures; // one line each
    qint64 durationMs = 0;
    bool dryRun = false; // the sync's server dry run: nothing was stored

    // kubectl-like lines: "deployment.apps/web configured", "x.yaml:3: message", ...
    QStringList lines() const;
    // One line for the whole run: "Synced 1a2b3c4 (message): Synced, Healthy, 3 objects in
    // 58 ms", "Dry run of ..." for a dry run.
    QString headline() const;
};

QString statusName(SyncStatus status); // "Synced", "OutOfSync", "Failed"

// What a sync hands the Applier: git's objects, each with its file and line, and the options a
// sync applies with (field manager "timonel", the sync's label, the spec's default namespace
// and dry run; with self-heal, git's version wins over fields other managers took).
QList<client::ApplyObject> applyObjects(const DesiredState &desired);
client::ApplyOptions applyOptions(const SyncSpec &spec);

class Syncer : public QObject
{
    Q_OBJECT
public:
    // `api` must outlive the syncer.
    Syncer(client::ApiClient &api, SyncSpec spec, QObject *parent = nullptr);
    ~Syncer() override;

    const SyncSpec &spec() const { return m_spec; }
    // Syncs the revision's current commit, or `commit` (a rollback, or back). A run asked for
    // while one is under way starts when it ends.
    void syncNow(const QString &commit = {});
    // Follows the revision (and, with self-heal, the synced objects) until destroyed.
    void watch();
    bool isRunning() const { return m_running; }
    // Reads the health of the last run's objects again, since they move on after a sync (a
    // rollout ends, a pod starts crashing); healthChanged() follows when any differs. Nothing
    // happens for a dry run, or while a run or another check is under way.
    void checkHealth();
    const QList<SyncReport> &history() const { return m_history; }

Q_SIGNALS:
    void started(const QString &commit);
    void finished(const timonel::gitops::SyncReport &report);
    // The last report (history().last()) with its objects' health read again.
    void healthChanged(const timonel::gitops::SyncReport &report);

private:
    struct Run;
    void startRun(const QString &commit);
    void applied(std::shared_ptr<Run> run, const QList<client::ApplyResult> &results);
    void pruned(std::shared_ptr<Run> run);
    void readHealth(std::shared_ptr<Run> run);
    void finish(std::shared_ptr<Run> run);
    void watchObjects();

    client::ApiClient &m_api;
    SyncSpec m_spec;
    QList<client::ServedResource> m_discovery; // the last run's, for the next one and prune
    bool m_running = false;
    bool m_checkingHealth = false;
    std::optional<QString> m_queued; // a run asked for while one runs ("" = the revision's)
    QList<SyncReport> m_history;
    QObject *m_watchers = nullptr; // the ref watcher and object watches, children of it
};

} // namespace timonel::gitops
