// libgit2 plumbing shared by gitsource.cpp and gitsourcetree.cpp: the open repository that a
// GitRepository and its trees share, owning pointers for libgit2 objects, the tree itself.
#pragma once

#include "sourcetree.h"

#include <QMutex>
#include <QString>

#include <git2.h>

#include <memory>
#include <optional>

namespace timonel::gitops {

template <typename T, void (*release)(T *)> struct GitRelease
{
    void operator()(T *object) const { release(object); }
};
template <typename T, void (*release)(T *)>
using GitPtr = std::unique_ptr<T, GitRelease<T, release>>;

using GitBlobPtr = GitPtr<git_blob, git_blob_free>;
using GitCommitPtr = GitPtr<git_commit, git_commit_free>;
using GitObjectPtr = GitPtr<git_object, git_object_free>;
using GitReferencePtr = GitPtr<git_reference, git_reference_free>;
using GitRevwalkPtr = GitPtr<git_revwalk, git_revwalk_free>;
using GitTreeEntryPtr = GitPtr<git_tree_entry, git_tree_entry_free>;
using GitTreePtr = GitPtr<git_tree, git_tree_free>;

struct RepositoryHandle
{
    RepositoryHandle();
    ~RepositoryHandle();
    Q_DISABLE_COPY_MOVE(RepositoryHandle)

    // Declared first, released last: libgit2 stays initialized until the repository is freed.
    const std::shared_ptr<const void> runtime;
    git_repository *repository = nullptr;
    QString path;
    // Held by every call into libgit2 on `repository` or an object read from it.
    QMutex mutex;
};

// libgit2's message about the last call that failed on this thread.
QString lastGitError();

QString idString(const git_oid *id);

// "a/./b//c/" → "a/b/c"; "" for the root; nullopt when it climbs out with "..".
std::optional<QString> normalizedPath(const QString &path);

// The entry at `path` ("" is not one) inside `root`; null when there is none.
GitTreeEntryPtr entryAt(const git_tree *root, const QString &path);

// One commit's directory, its blobs read when asked for. Symbolic links and submodules are left
// out: they are not files of the commit a sync could apply.
class GitSourceTree final : public SourceTree
{
public:
    GitSourceTree(std::shared_ptr<RepositoryHandle> handle, GitTreePtr root);
    ~GitSourceTree() override;

    std::optional<QByteArray> read(const QString &path) const override;
    QStringList list(const QString &directory) const override;

private:
    std::shared_ptr<RepositoryHandle> m_handle;
    GitTreePtr m_root;
};

} // namespace timonel::gitops
