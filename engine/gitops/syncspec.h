// What one GitOps sync follows and how: a local repository, a revision and a path inside it,
// and its switches; with the checks a new sync must pass before it runs, and the `timonel sync`
// command line that does the same.
#pragma once

#include "gitops/gitsource.h"

#include <QString>
#include <QStringList>

#include <expected>
#include <memory>

namespace timonel::gitops {


struct SyncSpec
{
    QString name; // labels what this sync applies; several syncs run side by side
    QString repository;
    QString revision = QStringLiteral("HEAD"); // a branch, tag or commit
    QString path;                              // inside the repository; "" is its root
    QString defaultNamespace = QStringLiteral("default");
    bool prune = false;
    bool selfHeal = false;
    bool dryRun = false; // the server's dry run: what would change, nothing stored
};

// A sync's name from its repository and path ("shop-deploy-prod" for ~/shop and deploy/prod):
// a valid label value, since it labels what the sync applies.
QString defaultSyncName(const QString &repository, const QString &path);

// Why `name` cannot name a sync (Kubernetes' label value rules: it becomes one), "" if it can.
QString syncNameProblem(const QString &name);

// A sync's source at one commit: the commit and the directory of the sync's path in it.
struct SourceAt
{
    CommitInfo commit;
    std::unique_ptr<SourceTree> tree;
};

// Opens the repository, resolves the revision (the spec's, or `revision`) and reads the path at
// that commit; or one line saying what is wrong (in libgit2's and git's terms). What a new sync
// is checked with, and what the desktop's diff reads.
std::expected<SourceAt, QString> openSource(const SyncSpec &spec, const QString &revision = {});

// `timonel sync --repo ... --watch` for this spec, quoted for a POSIX shell.
QString syncCommandLine(const SyncSpec &spec, bool watch);

} // namespace timonel::gitops
