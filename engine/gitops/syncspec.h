// What one GitOps sync follows and how: a local repository, a revision and a path inside it,
// and its switches; with the checks a new sync must pass before it runs, and the `timonel sync`
// command line that does the same.
#pragma once

#include <QString>
#include <QStringList>

#include <expected>

namespace timonel::gitops {

struct CommitInfo;

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

// Opens the repository, resolves the revision and reads the path at that commit: the commit
// it is at now, or one line saying what is wrong (in libgit2's and git's terms).
std::expected<CommitInfo, QString> checkSource(const SyncSpec &spec);

// `timonel sync --repo ... --watch` for this spec, quoted for a POSIX shell.
QString syncCommandLine(const SyncSpec &spec, bool watch);

} // namespace timonel::gitops
