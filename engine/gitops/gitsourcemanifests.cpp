// Which files of a source tree are manifests: the extensions kubectl apply -f <directory> reads.
#include "gitsource.h"

#include <algorithm>

namespace timonel::gitops {

namespace {

bool isManifest(const QString &name)
{
    return name.endsWith(u".yaml") || name.endsWith(u".yml") || name.endsWith(u".json");
}

void collectManifests(const SourceTree &tree, const QString &directory, QStringList &files)
{
    const QString prefix = directory.isEmpty() ? QString() : directory + u'/';
    for (const QString &name : tree.list(directory)) {
        if (name.startsWith(u'.'))
            continue;
        if (name.endsWith(u'/'))
            collectManifests(tree, prefix + name.chopped(1), files);
        else if (isManifest(name))
            files.append(prefix + name);
    }
}

} // namespace

QStringList manifestFiles(const SourceTree &tree, const QString &directory)
{
    QStringList parts = directory.split(u'/', Qt::SkipEmptyParts);
    parts.removeAll(QStringLiteral("."));
    QStringList files;
    collectManifests(tree, parts.join(u'/'), files);
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace timonel::gitops
