#include "gitsource.h"

#include "gitsource_p.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QTimeZone>

namespace timonel::gitops {

namespace {
// This file's user-visible texts, translated in the "GitSource" context.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(GitSource)
};

struct Libgit2Runtime
{
    Libgit2Runtime() { git_libgit2_init(); }
    ~Libgit2Runtime() { git_libgit2_shutdown(); }
    Q_DISABLE_COPY_MOVE(Libgit2Runtime)
};

// libgit2 is initialized once, on first use (a function-local static: thread-safe), and shut
// down when both this static and every repository handle holding it are gone, so a repository
// that outlives main() (in another static) is still freed before libgit2 goes.
std::shared_ptr<const void> libgit2Runtime()
{
    static const std::shared_ptr<const void> runtime = std::make_shared<Libgit2Runtime>();
    return runtime;
}

std::expected<git_oid, QString> resolveCommit(const RepositoryHandle &handle, const QString &ref)
{
    if (ref.trimmed().isEmpty())
        return std::unexpected(Tr::tr("no branch, tag or commit given for %1").arg(handle.path));
    git_object *object = nullptr;
    const int status = git_revparse_single(&object, handle.repository, ref.toUtf8().constData());
    if (status == GIT_EAMBIGUOUS)
        return std::unexpected(Tr::tr("%1 is ambiguous in %2: give more digits of the commit id")
                                   .arg(ref, handle.path));
    if ((status == GIT_ENOTFOUND || status == GIT_EUNBORNBRANCH) && ref == u"HEAD" &&
        git_repository_head_unborn(handle.repository) == 1)
        return std::unexpected(Tr::tr("%1 has no commits yet").arg(handle.path));
    if (status == GIT_ENOTFOUND || status == GIT_EINVALIDSPEC)
        return std::unexpected(
            Tr::tr("%1 is not a branch, tag or commit of %2").arg(ref, handle.path));
    if (status < 0)
        return std::unexpected(
            Tr::tr("cannot resolve %1 in %2: %3").arg(ref, handle.path, lastGitError()));
    const GitObjectPtr owned(object);
    git_object *commit = nullptr;
    if (git_object_peel(&commit, object, GIT_OBJECT_COMMIT) < 0)
        return std::unexpected(Tr::tr("%1 does not name a commit in %2").arg(ref, handle.path));
    const GitObjectPtr ownedCommit(commit);
    return *git_object_id(commit);
}

std::expected<GitCommitPtr, QString> lookupCommit(const RepositoryHandle &handle,
                                                  const QString &ref)
{
    const std::expected<git_oid, QString> id = resolveCommit(handle, ref);
    if (!id)
        return std::unexpected(id.error());
    git_commit *commit = nullptr;
    if (git_commit_lookup(&commit, handle.repository, &*id) < 0)
        return std::unexpected(
            Tr::tr("cannot read commit %1 of %2: %3").arg(ref, handle.path, lastGitError()));
    return GitCommitPtr(commit);
}

// The id of what `path` holds in `commit` ("" is its whole tree); nullopt when nothing does.
std::optional<git_oid> idAt(const git_commit *commit, const QString &path)
{
    git_tree *tree = nullptr;
    if (git_commit_tree(&tree, commit) < 0)
        return std::nullopt;
    const GitTreePtr owned(tree);
    if (path.isEmpty())
        return *git_tree_id(tree);
    const GitTreeEntryPtr entry = entryAt(tree, path);
    if (!entry)
        return std::nullopt;
    return *git_tree_entry_id(entry.get());
}

bool changesPath(const git_commit *commit, const QString &path)
{
    const std::optional<git_oid> mine = idAt(commit, path);
    git_commit *parent = nullptr;
    if (git_commit_parentcount(commit) == 0 || git_commit_parent(&parent, commit, 0) < 0)
        return mine.has_value();
    const GitCommitPtr owned(parent);
    const std::optional<git_oid> theirs = idAt(parent, path);
    if (!mine || !theirs)
        return mine.has_value() != theirs.has_value();
    return !git_oid_equal(&*mine, &*theirs);
}

CommitInfo commitInfo(git_commit *commit)
{
    const QString id = idString(git_commit_id(commit));
    const git_signature *author = git_commit_author(commit);
    return CommitInfo{
        .id = id,
        .shortId = id.left(7),
        .summary = QString::fromUtf8(git_commit_summary(commit)),
        .author = QString::fromUtf8(author->name),
        .time = QDateTime::fromSecsSinceEpoch(author->when.time, QTimeZone::UTC),
    };
}

} // namespace

RepositoryHandle::RepositoryHandle() : runtime(libgit2Runtime()) {}

RepositoryHandle::~RepositoryHandle()
{
    git_repository_free(repository);
}

QString lastGitError()
{
    const git_error *error = git_error_last();
    return error && error->message ? QString::fromUtf8(error->message).trimmed()
                                   : Tr::tr("unknown libgit2 error");
}

QString idString(const git_oid *id)
{
    char text[GIT_OID_MAX_HEXSIZE + 1] = {};
    git_oid_tostr(text, sizeof text, id);
    return QString::fromLatin1(text);
}

std::expected<GitRepository, QString> GitRepository::open(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return std::unexpected(Tr::tr("%1 does not exist").arg(path));
    auto handle = std::make_shared<RepositoryHandle>();
    handle->path = path;
    // No search upwards: a directory inside a working tree is not the repository it belongs to.
    const int status = git_repository_open_ext(
        &handle->repository, QFile::encodeName(info.absoluteFilePath()).constData(),
        GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
    if (status == GIT_ENOTFOUND)
        return std::unexpected(Tr::tr("%1 is not a git repository").arg(path));
    if (status == GIT_EOWNER)
        return std::unexpected(Tr::tr("%1 belongs to another user, so git refuses to read it; "
                                      "trust it with: git config --global --add "
                                      "safe.directory %2")
                                   .arg(path, info.absoluteFilePath()));
    if (status < 0)
        return std::unexpected(
            Tr::tr("cannot open the git repository %1: %2").arg(path, lastGitError()));
    return GitRepository(std::move(handle));
}

GitRepository::GitRepository(std::shared_ptr<RepositoryHandle> handle) : m_handle(std::move(handle))
{
}

GitRepository::GitRepository(GitRepository &&other) noexcept = default;
GitRepository &GitRepository::operator=(GitRepository &&other) noexcept = default;
GitRepository::~GitRepository() = default;

QString GitRepository::path() const
{
    return m_handle->path;
}

std::expected<QString, QString> GitRepository::resolve(const QString &ref) const
{
    QMutexLocker lock(&m_handle->mutex);
    const std::expected<git_oid, QString> id = resolveCommit(*m_handle, ref);
    if (!id)
        return std::unexpected(id.error());
    return idString(&*id);
}

std::expected<std::unique_ptr<SourceTree>, QString> GitRepository::tree(const QString &commit,
                                                                        const QString &path) const
{
    const std::optional<QString> directory = normalizedPath(path);
    if (!directory)
        return std::unexpected(
            Tr::tr("%1 climbs out of the repository %2").arg(path, m_handle->path));
    QMutexLocker lock(&m_handle->mutex);
    const std::expected<GitCommitPtr, QString> found = lookupCommit(*m_handle, commit);
    if (!found)
        return std::unexpected(found.error());
    const QString shortId = idString(git_commit_id(found->get())).left(7);
    git_tree *root = nullptr;
    if (git_commit_tree(&root, found->get()) < 0)
        return std::unexpected(Tr::tr("cannot read the files of commit %1 of %2: %3")
                                   .arg(shortId, m_handle->path, lastGitError()));
    GitTreePtr tree(root);
    if (!directory->isEmpty()) {
        const GitTreeEntryPtr entry = entryAt(root, *directory);
        if (!entry)
            return std::unexpected(
                Tr::tr("%1 does not exist in commit %2 of %3").arg(path, shortId, m_handle->path));
        if (git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE)
            return std::unexpected(Tr::tr("%1 is not a directory in commit %2 of %3")
                                       .arg(path, shortId, m_handle->path));
        git_tree *subtree = nullptr;
        if (git_tree_lookup(&subtree, m_handle->repository, git_tree_entry_id(entry.get())) < 0)
            return std::unexpected(Tr::tr("cannot read %1 in commit %2 of %3: %4")
                                       .arg(path, shortId, m_handle->path, lastGitError()));
        tree.reset(subtree);
    }
    return std::make_unique<GitSourceTree>(m_handle, std::move(tree));
}

QList<CommitInfo> GitRepository::history(const QString &ref, int limit, const QString &path) const
{
    const std::optional<QString> filter = normalizedPath(path);
    if (!filter)
        return {};
    QMutexLocker lock(&m_handle->mutex);
    const std::expected<git_oid, QString> start = resolveCommit(*m_handle, ref);
    git_revwalk *walk = nullptr;
    if (!start || git_revwalk_new(&walk, m_handle->repository) < 0)
        return {};
    const GitRevwalkPtr ownedWalk(walk);
    git_revwalk_sorting(walk, GIT_SORT_TIME);
    if (git_revwalk_push(walk, &*start) < 0)
        return {};
    QList<CommitInfo> commits;
    git_oid id;
    while ((limit <= 0 || commits.size() < limit) && git_revwalk_next(&id, walk) == 0) {
        git_commit *commit = nullptr;
        if (git_commit_lookup(&commit, m_handle->repository, &id) < 0)
            break;
        const GitCommitPtr owned(commit);
        if (filter->isEmpty() || changesPath(commit, *filter))
            commits.append(commitInfo(commit));
    }
    return commits;
}

QStringList GitRepository::refFiles(const QString &ref) const
{
    QMutexLocker lock(&m_handle->mutex);
    const QString gitDirectory = QFile::decodeName(git_repository_path(m_handle->repository));
    const QString commonDirectory =
        QFile::decodeName(git_repository_commondir(m_handle->repository));
    // HEAD and the other one-word refs belong to each worktree; branches and tags are shared.
    const auto fileOf = [&](const QString &name) {
        return (name.contains(u'/') ? commonDirectory : gitDirectory) + name;
    };
    QStringList files{commonDirectory + QStringLiteral("packed-refs")};
    git_reference *reference = nullptr;
    if (git_reference_dwim(&reference, m_handle->repository, ref.toUtf8().constData()) < 0) {
        // No such ref now: where git would look for one by that name, so that its making shows.
        for (const char *rule : {"%1", "refs/%1", "refs/tags/%1", "refs/heads/%1",
                                 "refs/remotes/%1", "refs/remotes/%1/HEAD"})
            files.append(fileOf(QString::fromLatin1(rule).arg(ref)));
        return files;
    }
    GitReferencePtr current(reference);
    files.append(fileOf(QString::fromUtf8(git_reference_name(reference))));
    // A symbolic ref (HEAD) moves when the branch it points at does. Bounded, against cycles.
    for (int depth = 0; depth < 5 && git_reference_type(current.get()) == GIT_REFERENCE_SYMBOLIC;
         ++depth) {
        const char *target = git_reference_symbolic_target(current.get());
        files.append(fileOf(QString::fromUtf8(target)));
        if (git_reference_lookup(&reference, m_handle->repository, target) < 0)
            break;
        current.reset(reference);
    }
    return files;
}

} // namespace timonel::gitops
