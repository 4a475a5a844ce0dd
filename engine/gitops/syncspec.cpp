#include "syncspec.h"

#include "core/names.h"
#include "core/shellquote.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace timonel::gitops {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(SyncSpec)
};

} // namespace

QString defaultSyncName(const QString &repository, const QString &path)
{
    QString name = QFileInfo(QDir::cleanPath(repository)).fileName();
    if (const QString inside = QDir::cleanPath(path); !path.isEmpty() && inside != u".")
        name += u'-' + QString(inside).replace(u'/', u'-');
    name = name.toLower();
    for (QChar &c : name)
        if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != u'-' && c != u'.' && c != u'_')
            c = u'-';
    // A label value starts and ends with a letter or digit.
    name = name.left(63);
    while (!name.isEmpty() && !name.front().isLetterOrNumber())
        name.remove(0, 1);
    while (!name.isEmpty() && !name.back().isLetterOrNumber())
        name.chop(1);
    return name.isEmpty() ? u"sync"_s : name;
}

QString syncNameProblem(const QString &name)
{
    if (name.isEmpty())
        return Tr::tr("a sync needs a name");
    const QStringList problems = core::isValidLabelValue(name);
    return problems.isEmpty() ? QString()
                              : Tr::tr("\"%1\" cannot name a sync: %2").arg(name, problems.first());
}

std::expected<SourceAt, QString> openSource(const SyncSpec &spec, const QString &revision)
{
    if (spec.repository.trimmed().isEmpty())
        return std::unexpected(Tr::tr("choose a git repository"));
    auto repository = GitRepository::open(spec.repository);
    if (!repository)
        return std::unexpected(repository.error());
    auto commit = repository->resolve(revision.isEmpty() ? spec.revision : revision);
    if (!commit)
        return std::unexpected(commit.error());
    auto tree = repository->tree(*commit, spec.path);
    if (!tree)
        return std::unexpected(tree.error());
    const QList<CommitInfo> info = repository->history(*commit, 1);
    return SourceAt{info.isEmpty() ? CommitInfo{*commit, commit->left(7), {}, {}, {}}
                                   : info.first(),
                    std::move(*tree)};
}

QString syncCommandLine(const SyncSpec &spec, bool watch)
{
    QStringList words{u"timonel"_s, u"sync"_s, u"--repo"_s, core::shellQuoted(spec.repository)};
    if (!spec.revision.isEmpty() && spec.revision != u"HEAD")
        words << u"--branch"_s << core::shellQuoted(spec.revision);
    if (!spec.path.isEmpty())
        words << u"--path"_s << core::shellQuoted(spec.path);
    if (spec.name != defaultSyncName(spec.repository, spec.path))
        words << u"--name"_s << core::shellQuoted(spec.name);
    if (spec.prune)
        words << u"--prune"_s;
    if (spec.selfHeal && watch)
        words << u"--self-heal"_s;
    if (spec.dryRun)
        words << u"--dry-run"_s;
    words << (watch ? u"--watch"_s : u"--once"_s);
    return words.join(u' ');
}

} // namespace timonel::gitops
