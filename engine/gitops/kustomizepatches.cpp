#include "kustomizepatches.h"

#include "kustomizeconfig.h"

#include "core/jsonpatch.h"
#include "core/labelselector.h"
#include "core/schema.h"
#include "core/strategicmergepatch.h"
#include "core/yaml.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <expected>

namespace timonel::gitops::kustomize {

namespace {

using namespace Qt::StringLiterals;

struct ParsedPatch
{
    QList<QJsonObject> strategic; // documents, each naming its target by its own id
    std::optional<QJsonArray> operations;
};

// The patch text of an entry: inline, or from the file it names.
std::expected<QByteArray, QString>
patchText(const PatchArgs &args, const Kustomization &kustomization, const SourceTree &tree)
{
    const QString inlinePatch = args.patch.trimmed();
    if (inlinePatch.isEmpty() && args.path.isEmpty())
        return std::unexpected(u"must specify one of patch and path"_s);
    if (!inlinePatch.isEmpty() && !args.path.isEmpty())
        return std::unexpected(u"patch and path can't be set at the same time"_s);
    if (!inlinePatch.isEmpty())
        return inlinePatch.toUtf8();
    const auto bytes = readKustomizationFile(tree, kustomization, args.path);
    if (!bytes)
        return std::unexpected(
            u"failed to get the patch file from path(%1): %2"_s.arg(args.path, bytes.error()));
    return *bytes;
}

bool isPatchObject(const QJsonValue &document)
{
    const QJsonObject object = document.toObject();
    return document.isObject() && !object.value(u"kind"_s).toString().isEmpty() &&
           !object.value(u"metadata"_s).toObject().value(u"name"_s).toString().isEmpty();
}

// A YAML or JSON list of operations is a JSON patch; objects with a kind and a name are
// strategic merge patches.
std::optional<ParsedPatch> parsePatch(const QByteArray &text)
{
    const auto documents = core::parseYamlDocuments(text);
    if (!documents || documents->isEmpty())
        return std::nullopt;
    ParsedPatch parsed;
    if (documents->size() == 1 && documents->front().isArray()) {
        parsed.operations = documents->front().toArray();
        return parsed;
    }
    for (const QJsonValue &document : *documents) {
        if (!isPatchObject(document))
            return std::nullopt;
        parsed.strategic.append(document.toObject());
    }
    return parsed;
}

QString patchSource(const PatchArgs &args)
{
    return args.path.isEmpty() ? u"[patch: \"%1\"]"_s.arg(args.patch.trimmed())
                               : u"[path: \"%1\"]"_s.arg(args.path);
}

ResId patchId(const QJsonObject &patch)
{
    Resource resource{patch, {}, 0};
    return resource.currentId();
}

bool matchesPattern(const QString &pattern, const QString &value)
{
    if (pattern.isEmpty())
        return true;
    const QRegularExpression expression(u"^(?:"_s + pattern + u")$"_s);
    return expression.isValid() && expression.match(value).hasMatch();
}

std::expected<bool, QString> matchesSelector(const QString &selector, const QJsonObject &map)
{
    if (selector.isEmpty())
        return true;
    const auto parsed = core::LabelSelector::parse(selector);
    if (!parsed)
        return std::unexpected(parsed.error());
    return parsed->matches(map);
}

// resWrangler.Select: namespace and name as regular expressions against the original or
// current id, group/version/kind against the current one, then the selectors.
std::expected<QList<qsizetype>, QString> select(const PatchTarget &target,
                                                const Resources &resources)
{
    QList<qsizetype> selected;
    for (qsizetype i = 0; i < resources.size(); ++i) {
        const Resource &resource = resources[i];
        const ResId current = resource.currentId();
        const ResId original = resource.originalId();
        if (!matchesPattern(target.ns, original.effectiveNamespace()) &&
            !matchesPattern(target.ns, current.effectiveNamespace()))
            continue;
        if (!matchesPattern(target.name, original.name) &&
            !matchesPattern(target.name, current.name))
            continue;
        if (!matchesPattern(target.group, current.group) ||
            !matchesPattern(target.version, current.version) ||
            !matchesPattern(target.kind, current.kind))
            continue;
        const auto labels =
            matchesSelector(target.labelSelector, resource.metadataMap(u"labels"_s));
        if (!labels)
            return std::unexpected(labels.error());
        const auto annotations =
            matchesSelector(target.annotationSelector, resource.metadataMap(u"annotations"_s));
        if (!annotations)
            return std::unexpected(annotations.error());
        if (*labels && *annotations)
            selected.append(i);
    }
    return selected;
}

// Resource.ApplySmPatch: the patch takes the target's group and version, and the target keeps
// its name, kind and namespace unless the patch may change them. An empty result (a patch
// with `$patch: delete`) removes the object.
std::optional<QString> applyStrategicMerge(Resource &resource, QJsonObject patch,
                                           const PatchArgs &args)
{
    const QString name = resource.name();
    const QString ns = resource.ns();
    const QString kind = resource.kind();
    if (args.allowNameChange || args.allowKindChange)
        resource.storePreviousId();
    patch.insert(u"apiVersion"_s, resource.apiVersion());
    const ResId id = resource.currentId();
    const core::ResourceInfo *info =
        core::SchemaRegistry::builtIn().resourceForKind(id.group, id.version, id.kind);
    const auto merged =
        core::applyStrategicMergePatch(resource.object, patch, info ? info->schema : nullptr);
    if (!merged)
        return merged.error();
    resource.object = *merged;
    if (resource.object.isEmpty())
        return std::nullopt;
    if (!args.allowKindChange)
        resource.object.insert(u"kind"_s, kind);
    if (!args.allowNameChange)
        resource.setName(name);
    resource.setNamespace(ns);
    return std::nullopt;
}

std::optional<QString> applyOperations(Resource &resource, const QJsonArray &operations)
{
    const auto patched = core::applyJsonPatch(resource.object, operations);
    if (!patched)
        return patched.error();
    resource.object = patched->toObject();
    return std::nullopt;
}

void removeDeleted(Resources &resources)
{
    resources.removeIf([](const Resource &resource) { return resource.object.isEmpty(); });
}

// A strategic merge patch without a target: the one object whose current or previous id is
// the patch's own.
std::optional<QString> applyToOwnTarget(Resources &resources, const QJsonObject &patch,
                                        const PatchArgs &args)
{
    const ResId id = patchId(patch);
    const QList<qsizetype> matches = indexesMatchingAnyId(resources, id);
    if (matches.size() != 1)
        return u"%1 for Id %2; failed to find unique target for patch %2"_s.arg(
            matches.isEmpty() ? u"no matches"_s : u"multiple matches"_s, id.toString());
    return applyStrategicMerge(resources[matches.front()], patch, args);
}

std::optional<QString> applyOne(const PatchArgs &args, const Kustomization &kustomization,
                                const SourceTree &tree, Resources &resources)
{
    const auto text = patchText(args, kustomization, tree);
    if (!text)
        return text.error();
    const std::optional<ParsedPatch> patch = parsePatch(*text);
    if (!patch)
        return u"unable to parse SM or JSON patch from %1"_s.arg(patchSource(args));

    if (patch->operations) {
        if (!args.target)
            return u"must specify a target for JSON patch %1"_s.arg(patchSource(args));
        const auto selected = select(*args.target, resources);
        if (!selected)
            return selected.error();
        for (qsizetype index : *selected) {
            resources[index].storePreviousId();
            if (auto error = applyOperations(resources[index], *patch->operations))
                return error;
        }
        return std::nullopt;
    }

    if (args.target) {
        if (patch->strategic.size() > 1)
            return u"Multiple Strategic-Merge Patches in one `patches` entry is not allowed to "
                   "set `patches.target` field: %1"_s.arg(patchSource(args));
        const auto selected = select(*args.target, resources);
        if (!selected)
            return selected.error();
        for (qsizetype index : *selected) {
            if (auto error = applyStrategicMerge(resources[index], patch->strategic.front(), args))
                return error;
        }
        removeDeleted(resources);
        return std::nullopt;
    }
    for (const QJsonObject &document : patch->strategic) {
        if (auto error = applyToOwnTarget(resources, document, args))
            return error;
        removeDeleted(resources);
    }
    return std::nullopt;
}

} // namespace

void applyStrategicMergePatches(const Kustomization &kustomization, const SourceTree &tree,
                                Resources &resources, QList<RenderProblem> &problems)
{
    for (const PatchArgs &entry : kustomization.patchesStrategicMerge) {
        // An entry is an inline patch when it parses as one, else the path of a file.
        const std::optional<ParsedPatch> inlinePatch = parsePatch(entry.path.toUtf8());
        PatchArgs args = entry;
        if (inlinePatch && !inlinePatch->strategic.isEmpty()) {
            args.patch = entry.path;
            args.path.clear();
        }
        const auto text = args.path.isEmpty()
                              ? std::expected<QByteArray, QString>(args.patch.toUtf8())
                              : readKustomizationFile(tree, kustomization, args.path);
        std::optional<QString> error;
        if (!text) {
            error = text.error();
        } else if (const auto patch = parsePatch(*text); !patch || patch->operations) {
            error = u"unable to parse strategic merge patch from %1"_s.arg(patchSource(args));
        } else {
            for (const QJsonObject &document : patch->strategic) {
                error = applyToOwnTarget(resources, document, args);
                removeDeleted(resources);
                if (error)
                    break;
            }
        }
        if (error)
            problems.append({kustomization.file, entry.line, *error});
    }
}

void applyPatches(const Kustomization &kustomization, const SourceTree &tree, Resources &resources,
                  QList<RenderProblem> &problems)
{
    for (const PatchArgs &args : kustomization.patches) {
        if (auto error = applyOne(args, kustomization, tree, resources))
            problems.append({kustomization.file, args.line, *error});
    }
}

void applyJson6902Patches(const Kustomization &kustomization, const SourceTree &tree,
                          Resources &resources, QList<RenderProblem> &problems)
{
    for (const PatchArgs &args : kustomization.patchesJson6902) {
        std::optional<QString> error;
        if (!args.target || args.target->name.isEmpty()) {
            error = u"must specify the target name"_s;
        } else if (const auto text = patchText(args, kustomization, tree); !text) {
            error = text.error();
        } else if (const auto patch = parsePatch(*text); !patch || !patch->operations) {
            error = u"decoding %1: not a list of JSON patch operations"_s.arg(patchSource(args));
        } else if (const auto selected = select(*args.target, resources); !selected) {
            error = selected.error();
        } else {
            for (qsizetype index : *selected) {
                if ((error = applyOperations(resources[index], *patch->operations)))
                    break;
            }
        }
        if (error)
            problems.append({kustomization.file, args.line, *error});
    }
}

} // namespace timonel::gitops::kustomize
