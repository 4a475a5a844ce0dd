// A local git repository read through libgit2, as a GitOps sync reads it: refs resolved to
// commits, a commit's files as a SourceTree, and the commit history. Nothing is checked out, so
// uncommitted edits in a working tree are never seen.
//
// Threading: any object here may be created and used on any thread, the GUI's or a worker's.
// libgit2 forbids using one git_repository from two threads at once, so a GitRepository and the
// trees it hands out share a mutex that every call holds; calls from several threads are safe
// but run one after another. libgit2 itself is initialized on first use and shut down after the
// last repository is gone.
#pragma once

#include "sourcetree.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <expected>
#include <memory>

namespace timonel::gitops {

struct RepositoryHandle;

struct CommitInfo
{
    QString id;      // the full commit id
    QString shortId; // its first 7 digits
    QString summary; // the first paragraph of the message, on one line
    QString author;  // the author's name
    QDateTime time;  // when it was authored, in UTC
};

class GitRepository
{
public:
    // `path` is a working tree or a bare repository (not a directory inside one). Errors read
    // "/x is not a git repository".
    static std::expected<GitRepository, QString> open(const QString &path);

    // Move-only. A moved-from repository may only be destroyed or assigned to.
    GitRepository(GitRepository &&other) noexcept;
    GitRepository &operator=(GitRepository &&other) noexcept;
    GitRepository(const GitRepository &) = delete;
    GitRepository &operator=(const GitRepository &) = delete;
    ~GitRepository();

    // The path it was opened at.
    QString path() const;

    // The full commit id that `ref` names: a branch ("main"), a full ref name ("refs/heads/main",
    // "refs/remotes/origin/main"), a tag (annotated or lightweight), a full or abbreviated commit
    // id, "HEAD", or any other expression git rev-parse takes ("main~2").
    std::expected<QString, QString> resolve(const QString &ref) const;

    // The directory `path` ("" for the root) of the commit that `commit` resolves to, read
    // lazily. The tree stays usable after this repository is moved or destroyed.
    std::expected<std::unique_ptr<SourceTree>, QString> tree(const QString &commit,
                                                             const QString &path = {}) const;

    // Up to `limit` commits reachable from `ref` (all of them when `limit` <= 0), newest first.
    // With `path`, only the commits that changed something under it, compared with their first
    // parent. Empty when `ref` does not resolve.
    QList<CommitInfo> history(const QString &ref, int limit, const QString &path = {}) const;

    // The files whose rewriting can move `ref`: its loose ref files, following HEAD to the
    // branch it points at, and packed-refs. Some may not exist. What a RefWatcher watches.
    QStringList refFiles(const QString &ref) const;

private:
    explicit GitRepository(std::shared_ptr<RepositoryHandle> handle);

    std::shared_ptr<RepositoryHandle> m_handle;
};

// The manifest files under `directory` of `tree`, recursively: *.yaml, *.yml and *.json, as
// paths from the tree's root, sorted. Hidden files and directories (".github/") are skipped.
QStringList manifestFiles(const SourceTree &tree, const QString &directory = {});

} // namespace timonel::gitops
