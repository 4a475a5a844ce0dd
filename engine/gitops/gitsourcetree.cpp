#include "gitsource_p.h"

#include <algorithm>

namespace timonel::gitops {

namespace {

bool isFile(const git_tree_entry *entry)
{
    const git_filemode_t mode = git_tree_entry_filemode(entry);
    return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE;
}

} // namespace

std::optional<QString> normalizedPath(const QString &path)
{
    QStringList parts;
    for (const QString &part : path.split(u'/', Qt::SkipEmptyParts)) {
        if (part == u"..")
            return std::nullopt;
        if (part != u".")
            parts.append(part);
    }
    return parts.join(u'/');
}

GitTreeEntryPtr entryAt(const git_tree *root, const QString &path)
{
    git_tree_entry *entry = nullptr;
    if (path.isEmpty() || git_tree_entry_bypath(&entry, root, path.toUtf8().constData()) < 0)
        return nullptr;
    return GitTreeEntryPtr(entry);
}

GitSourceTree::GitSourceTree(std::shared_ptr<RepositoryHandle> handle, GitTreePtr root)
    : m_handle(std::move(handle)), m_root(std::move(root))
{
}

GitSourceTree::~GitSourceTree()
{
    QMutexLocker lock(&m_handle->mutex);
    m_root.reset();
}

std::optional<QByteArray> GitSourceTree::read(const QString &path) const
{
    const std::optional<QString> normalized = normalizedPath(path);
    if (!normalized)
        return std::nullopt;
    QMutexLocker lock(&m_handle->mutex);
    const GitTreeEntryPtr entry = entryAt(m_root.get(), *normalized);
    if (!entry || !isFile(entry.get()))
        return std::nullopt;
    git_blob *blob = nullptr;
    if (git_blob_lookup(&blob, m_handle->repository, git_tree_entry_id(entry.get())) < 0)
        return std::nullopt;
    const GitBlobPtr owned(blob);
    return QByteArray(static_cast<const char *>(git_blob_rawcontent(blob)),
                      qsizetype(git_blob_rawsize(blob)));
}

QStringList GitSourceTree::list(const QString &directory) const
{
    const std::optional<QString> normalized = normalizedPath(directory);
    if (!normalized)
        return {};
    QMutexLocker lock(&m_handle->mutex);
    const git_tree *tree = m_root.get();
    GitTreePtr subtree;
    if (!normalized->isEmpty()) {
        const GitTreeEntryPtr entry = entryAt(m_root.get(), *normalized);
        git_tree *found = nullptr;
        if (!entry || git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE ||
            git_tree_lookup(&found, m_handle->repository, git_tree_entry_id(entry.get())) < 0)
            return {};
        subtree.reset(found);
        tree = found;
    }
    QStringList names;
    for (size_t i = 0, count = git_tree_entrycount(tree); i < count; ++i) {
        const git_tree_entry *entry = git_tree_entry_byindex(tree, i);
        const QString name = QString::fromUtf8(git_tree_entry_name(entry));
        if (git_tree_entry_type(entry) == GIT_OBJECT_TREE)
            names.append(name + u'/');
        else if (isFile(entry))
            names.append(name);
    }
    // Git's order is nearly this one, but by UTF-8 bytes: sort as the callers compare.
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace timonel::gitops
