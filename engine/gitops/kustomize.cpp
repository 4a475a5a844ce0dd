#include "kustomize.h"

#include "kustomizefile.h"
#include "kustomizegenerators.h"
#include "kustomizehash.h"
#include "kustomizenamereferences.h"
#include "kustomizeresource.h"
#include "kustomizetransformers.h"

#include <expected>

namespace timonel::gitops {

namespace {

using namespace Qt::StringLiterals;
using namespace kustomize;

QString shown(const QString &directory)
{
    return directory.isEmpty() ? u"."_s : directory;
}

bool looksRemote(const QString &entry)
{
    return entry.contains(u"://"_s) || entry.startsWith(u"git@"_s) ||
           entry.startsWith(u"github.com/"_s) || entry.startsWith(u"gitlab.com/"_s) ||
           entry.startsWith(u"bitbucket.org/"_s);
}

// One `kustomize build`: each kustomization is accumulated (its resources, recursively), then
// generated into and transformed; hashes and name references are settled once at the end.
class Build
{
public:
    Build(const SourceTree &tree, QList<RenderProblem> &problems)
        : m_tree(tree), m_problems(problems)
    {
    }

    // KustTarget.AccumulateTarget. chain holds the directories being built, outermost first.
    Resources accumulateTarget(const QString &directory, QStringList &chain)
    {
        const std::optional<Kustomization> kustomization =
            loadKustomization(m_tree, directory, m_problems);
        if (!kustomization)
            return {};
        chain.append(directory);
        Resources resources = accumulateResources(*kustomization, chain);
        chain.removeLast();
        runGenerators(*kustomization, m_tree, resources, m_problems);
        runTransformers(*kustomization, m_tree, resources, m_problems);
        return resources;
    }

private:
    Resources accumulateResources(const Kustomization &kustomization, QStringList &chain)
    {
        Resources resources;
        for (const ListEntry &entry : kustomization.resources) {
            auto more = accumulateEntry(kustomization, entry.value, chain);
            if (!more) {
                m_problems.append(
                    {kustomization.file, entry.line,
                     u"accumulating resources from '%1': %2"_s.arg(entry.value, more.error())});
                continue;
            }
            for (Resource &resource : *more) {
                const QString file = resource.file;
                const int line = resource.line;
                if (auto error = appendResource(resources, std::move(resource)))
                    m_problems.append(
                        {file, line,
                         u"merging resources from '%1': %2"_s.arg(entry.value, *error)});
            }
        }
        return resources;
    }

    // One `resources` entry: a manifest file in the kustomization's directory, or a directory
    // holding a kustomization (a base, anywhere in the tree).
    std::expected<Resources, QString> accumulateEntry(const Kustomization &kustomization,
                                                      const QString &entry, QStringList &chain)
    {
        const std::optional<QString> path = resolvePath(kustomization.directory, entry);
        if (!path)
            return std::unexpected(u"the path leaves the repository"_s);
        if (const auto bytes = m_tree.read(*path)) {
            if (!isWithin(*path, kustomization.directory))
                return std::unexpected(u"security; file '%1' is not in or below '%2'"_s.arg(
                    *path, shown(kustomization.directory)));
            return resourcesFromYaml(*bytes, *path, m_problems);
        }
        if (!m_tree.list(*path).isEmpty()) {
            if (const auto cycle = cycleWith(*path, chain))
                return std::unexpected(*cycle);
            if (!isKustomization(m_tree, *path)) {
                const QStringList names = kustomizationFileNames();
                return std::unexpected(
                    u"unable to find one of '%1', '%2' or '%3' in directory '%4'"_s.arg(
                        names[0], names[1], names[2], *path));
            }
            return accumulateTarget(*path, chain);
        }
        if (looksRemote(entry))
            return std::unexpected(u"remote resources are not supported"_s);
        return std::unexpected(u"open %1: no such file or directory"_s.arg(*path));
    }

    // The file loader's errIfArgEqualOrHigher: a kustomization may not include itself or a
    // directory above any kustomization being built.
    static std::optional<QString> cycleWith(const QString &candidate, const QStringList &chain)
    {
        for (const QString &visited : chain) {
            if (isWithin(visited, candidate))
                return u"cycle detected: candidate root '%1' contains visited root '%2'"_s.arg(
                    shown(candidate), shown(visited));
        }
        return std::nullopt;
    }

    const SourceTree &m_tree;
    QList<RenderProblem> &m_problems;
};

// HashTransformer: generated objects get "-<hash>" of their final content.
void addHashSuffixes(Resources &resources)
{
    for (Resource &resource : resources) {
        if (!resource.hashSuffix)
            continue;
        const QString hash = nameContentHash(resource.object);
        resource.storePreviousId();
        resource.setName(resource.name() + u'-' + hash);
    }
}

// Objects annotated config.kubernetes.io/local-config (other than "false") configure the build
// and are not part of its output.
bool isLocalConfig(const Resource &resource)
{
    const QJsonValue value =
        resource.metadataMap(u"annotations"_s).value(u"config.kubernetes.io/local-config"_s);
    return !value.isUndefined() && value.toString() != u"false"_s;
}

} // namespace

QStringList kustomizationFileNames()
{
    return {u"kustomization.yaml"_s, u"kustomization.yml"_s, u"Kustomization"_s};
}

bool isKustomization(const SourceTree &tree, const QString &directory)
{
    QString prefix = directory;
    while (prefix.endsWith(u'/'))
        prefix.chop(1);
    if (!prefix.isEmpty())
        prefix += u'/';
    for (const QString &name : kustomizationFileNames()) {
        if (tree.read(prefix + name))
            return true;
    }
    return false;
}

RenderResult renderKustomization(const SourceTree &tree, const QString &directory)
{
    RenderResult result;
    const std::optional<QString> root = resolvePath({}, directory);
    if (!root) {
        result.problems.append({directory, 0, u"'%1' is outside the repository"_s.arg(directory)});
        return result;
    }
    QStringList chain;
    Resources resources = Build(tree, result.problems).accumulateTarget(*root, chain);
    addHashSuffixes(resources);
    fixNameReferences(resources, result.problems);
    for (const Resource &resource : std::as_const(resources)) {
        if (!isLocalConfig(resource))
            result.objects.append({resource.object, resource.file, resource.line});
    }
    return result;
}

} // namespace timonel::gitops
