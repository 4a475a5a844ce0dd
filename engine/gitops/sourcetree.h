// The files a sync reads: one commit's tree (gitsource.h), or a directory on disk in tests.
// Paths are relative to the tree's root, with "/" separators and no leading "/".
#pragma once

#include <QByteArray>
#include <QStringList>

#include <optional>

namespace timonel::gitops {

class SourceTree
{
public:
    virtual ~SourceTree() = default;
    // A file's bytes; nullopt when there is no such file.
    virtual std::optional<QByteArray> read(const QString &path) const = 0;
    // The names in a directory, sorted; directories end with "/". Empty when there is none.
    virtual QStringList list(const QString &directory) const = 0;
};

} // namespace timonel::gitops
