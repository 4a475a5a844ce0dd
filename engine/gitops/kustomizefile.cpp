#include "kustomizefile.h"

#include "core/gostrings.h"
#include "core/yaml.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <cmath>

namespace timonel::gitops::kustomize {

namespace {

using namespace Qt::StringLiterals;

// Fields kustomize knows that Timonel does not render: reported, then ignored.
const QStringList unsupportedFields = {
    u"openapi"_s,        u"replacements"_s, u"vars"_s,         u"components"_s,
    u"crds"_s,           u"helmGlobals"_s,  u"helmCharts"_s,   u"helmChartInflationGenerator"_s,
    u"configurations"_s, u"generators"_s,   u"transformers"_s, u"validators"_s,
    u"buildMetadata"_s,
};

// Lines of the top-level keys and of the items of top-level block sequences, found in the
// text: the parsed JSON has no positions.
struct KeyLines
{
    QMap<QString, int> keys;
    QMap<QString, QList<int>> items;

    int item(const QString &key, qsizetype index) const
    {
        const QList<int> lines = items.value(key);
        return index < lines.size() ? lines[index] : keys.value(key);
    }
};

KeyLines findKeyLines(const QByteArray &text)
{
    static const QRegularExpression keyPattern(u"^([A-Za-z0-9_]+)\\s*:"_s);
    KeyLines result;
    QString key;
    int itemIndent = -1;
    const QList<QByteArray> lines = text.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString line = QString::fromUtf8(lines[i]);
        const QString trimmed = line.trimmed();
        if (trimmed.isEmpty() || trimmed.startsWith(u'#') || line.startsWith(u"---"_s))
            continue;
        qsizetype indent = 0;
        while (indent < line.size() && line[indent] == u' ')
            ++indent;
        const bool isItem = trimmed == u"-"_s || trimmed.startsWith(u"- "_s);
        if (indent == 0 && !isItem) {
            const auto match = keyPattern.match(line);
            if (match.hasMatch()) {
                key = match.captured(1);
                result.keys.insert(key, int(i) + 1);
                itemIndent = -1;
            }
            continue;
        }
        if (!isItem || key.isEmpty())
            continue;
        if (itemIndent < 0)
            itemIndent = int(indent);
        if (indent == itemIndent)
            result.items[key].append(int(i) + 1);
    }
    return result;
}

// Reads the parsed kustomization as Go's encoding/json would decode it into kustomize's
// types (unknown fields disallowed), reporting what does not fit.
class Reader
{
public:
    Reader(const QString &file, QList<RenderProblem> &problems) : m_file(file), m_problems(problems)
    {
    }

    int line = 0;

    void problem(const QString &message) { m_problems.append({m_file, line, message}); }

    void invalid(const QString &message) { problem(u"invalid Kustomization: json: "_s + message); }

    // False (with the problem reported) when value is neither null nor of the JSON type.
    bool expect(const QJsonValue &value, QJsonValue::Type type, const QString &field,
                const QString &goType)
    {
        if (value.isNull() || value.isUndefined() || value.type() == type)
            return true;
        invalid(u"cannot unmarshal %1 into Go struct field %2 of type %3"_s.arg(
            core::goJsonTypeName(value), field, goType));
        return false;
    }

    bool knownFields(const QJsonObject &object, const QStringList &known)
    {
        bool ok = true;
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (!known.contains(it.key())) {
                invalid(u"unknown field \"%1\""_s.arg(it.key()));
                ok = false;
            }
        }
        return ok;
    }

    QString string(const QJsonValue &value, const QString &field)
    {
        return expect(value, QJsonValue::String, field, u"string"_s) ? value.toString() : QString();
    }

    bool boolean(const QJsonValue &value, const QString &field)
    {
        return expect(value, QJsonValue::Bool, field, u"bool"_s) && value.toBool();
    }

    QJsonArray array(const QJsonValue &value, const QString &field, const QString &goType)
    {
        return expect(value, QJsonValue::Array, field, goType) ? value.toArray() : QJsonArray();
    }

    QJsonObject object(const QJsonValue &value, const QString &field, const QString &goType)
    {
        return expect(value, QJsonValue::Object, field, goType) ? value.toObject() : QJsonObject();
    }

    QStringList strings(const QJsonValue &value, const QString &field)
    {
        QStringList result;
        for (const QJsonValue &item : array(value, field, u"[]string"_s)) {
            if (expect(item, QJsonValue::String, field, u"string"_s))
                result.append(item.toString());
        }
        return result;
    }

    StringMap stringMap(const QJsonValue &value, const QString &field)
    {
        StringMap result;
        const QJsonObject map = object(value, field, u"map[string]string"_s);
        for (auto it = map.begin(); it != map.end(); ++it) {
            if (expect(it.value(), QJsonValue::String, field, u"string"_s))
                result.insert(it.key(), it.value().toString());
        }
        return result;
    }

private:
    QString m_file;
    QList<RenderProblem> &m_problems;
};

GeneratorOptions readOptions(Reader &reader, const QJsonObject &object, const QString &field)
{
    reader.knownFields(object,
                       {u"labels"_s, u"annotations"_s, u"disableNameSuffixHash"_s, u"immutable"_s});
    GeneratorOptions options;
    options.labels = reader.stringMap(object.value(u"labels"_s), field + u".labels"_s);
    options.annotations =
        reader.stringMap(object.value(u"annotations"_s), field + u".annotations"_s);
    options.disableNameSuffixHash = reader.boolean(object.value(u"disableNameSuffixHash"_s),
                                                   field + u".disableNameSuffixHash"_s);
    options.immutable = reader.boolean(object.value(u"immutable"_s), field + u".immutable"_s);
    return options;
}

QList<GeneratorArgs> readGenerators(Reader &reader, const QJsonValue &value, const QString &key,
                                    const KeyLines &lines, bool secrets)
{
    QList<GeneratorArgs> generators;
    const QString field = u"Kustomization."_s + key;
    const QJsonArray entries = reader.array(value, field, u"[]types.GeneratorArgs"_s);
    for (qsizetype i = 0; i < entries.size(); ++i) {
        reader.line = lines.item(key, i);
        const QJsonObject entry = reader.object(entries[i], field, u"types.GeneratorArgs"_s);
        QStringList known = {u"name"_s,  u"namespace"_s, u"behavior"_s, u"literals"_s,
                             u"files"_s, u"envs"_s,      u"env"_s,      u"options"_s};
        if (secrets)
            known.append(u"type"_s);
        reader.knownFields(entry, known);
        GeneratorArgs args;
        args.line = reader.line;
        args.name = reader.string(entry.value(u"name"_s), field + u".name"_s);
        args.ns = reader.string(entry.value(u"namespace"_s), field + u".namespace"_s);
        args.behavior = reader.string(entry.value(u"behavior"_s), field + u".behavior"_s);
        args.type = reader.string(entry.value(u"type"_s), field + u".type"_s);
        args.literals = reader.strings(entry.value(u"literals"_s), field + u".literals"_s);
        args.files = reader.strings(entry.value(u"files"_s), field + u".files"_s);
        args.envs = reader.strings(entry.value(u"envs"_s), field + u".envs"_s);
        const QString env = reader.string(entry.value(u"env"_s), field + u".env"_s);
        if (!env.isEmpty())
            args.envs.append(env);
        const QJsonValue options = entry.value(u"options"_s);
        if (options.isObject())
            args.options = readOptions(reader, options.toObject(), field + u".options"_s);
        else
            reader.expect(options, QJsonValue::Object, field + u".options"_s,
                          u"types.GeneratorOptions"_s);
        generators.append(args);
    }
    return generators;
}

QList<ImageOverride> readImages(Reader &reader, const QJsonValue &value, const QString &key,
                                const KeyLines &lines)
{
    QList<ImageOverride> images;
    const QString field = u"Kustomization."_s + key;
    const QJsonArray entries = reader.array(value, field, u"[]types.Image"_s);
    for (qsizetype i = 0; i < entries.size(); ++i) {
        reader.line = lines.item(key, i);
        const QJsonObject entry = reader.object(entries[i], field, u"types.Image"_s);
        reader.knownFields(entry, {u"name"_s, u"newName"_s, u"newTag"_s, u"digest"_s});
        ImageOverride image;
        image.line = reader.line;
        image.name = reader.string(entry.value(u"name"_s), field + u".name"_s);
        image.newName = reader.string(entry.value(u"newName"_s), field + u".newName"_s);
        image.newTag = reader.string(entry.value(u"newTag"_s), field + u".newTag"_s);
        image.digest = reader.string(entry.value(u"digest"_s), field + u".digest"_s);
        images.append(image);
    }
    return images;
}

FieldSpecs readFieldSpecs(Reader &reader, const QJsonValue &value, const QString &field)
{
    FieldSpecs specs;
    for (const QJsonValue &item : reader.array(value, field, u"[]types.FieldSpec"_s)) {
        const QJsonObject entry = reader.object(item, field, u"types.FieldSpec"_s);
        reader.knownFields(entry, {u"group"_s, u"version"_s, u"kind"_s, u"path"_s, u"create"_s});
        specs.append({{reader.string(entry.value(u"group"_s), field + u".group"_s),
                       reader.string(entry.value(u"version"_s), field + u".version"_s),
                       reader.string(entry.value(u"kind"_s), field + u".kind"_s)},
                      reader.string(entry.value(u"path"_s), field + u".path"_s),
                      reader.boolean(entry.value(u"create"_s), field + u".create"_s)});
    }
    return specs;
}

QList<LabelSet> readLabels(Reader &reader, const QJsonValue &value, const KeyLines &lines)
{
    QList<LabelSet> labels;
    const QString field = u"Kustomization.labels"_s;
    const QJsonArray entries = reader.array(value, field, u"[]types.Label"_s);
    for (qsizetype i = 0; i < entries.size(); ++i) {
        reader.line = lines.item(u"labels"_s, i);
        const QJsonObject entry = reader.object(entries[i], field, u"types.Label"_s);
        reader.knownFields(entry, {u"pairs"_s, u"includeSelectors"_s, u"includeTemplates"_s,
                                   u"includeVolumeClaimTemplates"_s, u"fields"_s});
        LabelSet set;
        set.line = reader.line;
        set.pairs = reader.stringMap(entry.value(u"pairs"_s), field + u".pairs"_s);
        set.includeSelectors =
            reader.boolean(entry.value(u"includeSelectors"_s), field + u".includeSelectors"_s);
        set.includeTemplates =
            reader.boolean(entry.value(u"includeTemplates"_s), field + u".includeTemplates"_s);
        set.includeVolumeClaimTemplates =
            reader.boolean(entry.value(u"includeVolumeClaimTemplates"_s),
                           field + u".includeVolumeClaimTemplates"_s);
        set.fields = readFieldSpecs(reader, entry.value(u"fields"_s), field + u".fields"_s);
        labels.append(set);
    }
    return labels;
}

std::optional<PatchTarget> readTarget(Reader &reader, const QJsonValue &value, const QString &field)
{
    if (value.isNull() || value.isUndefined())
        return std::nullopt;
    const QJsonObject entry = reader.object(value, field, u"types.Selector"_s);
    reader.knownFields(entry, {u"group"_s, u"version"_s, u"kind"_s, u"name"_s, u"namespace"_s,
                               u"labelSelector"_s, u"annotationSelector"_s});
    PatchTarget target;
    target.group = reader.string(entry.value(u"group"_s), field + u".group"_s);
    target.version = reader.string(entry.value(u"version"_s), field + u".version"_s);
    target.kind = reader.string(entry.value(u"kind"_s), field + u".kind"_s);
    target.name = reader.string(entry.value(u"name"_s), field + u".name"_s);
    target.ns = reader.string(entry.value(u"namespace"_s), field + u".namespace"_s);
    target.labelSelector =
        reader.string(entry.value(u"labelSelector"_s), field + u".labelSelector"_s);
    target.annotationSelector =
        reader.string(entry.value(u"annotationSelector"_s), field + u".annotationSelector"_s);
    return target;
}

QList<PatchArgs> readPatches(Reader &reader, const QJsonValue &value, const QString &key,
                             const KeyLines &lines)
{
    QList<PatchArgs> patches;
    const QString field = u"Kustomization."_s + key;
    const QJsonArray entries = reader.array(value, field, u"[]types.Patch"_s);
    for (qsizetype i = 0; i < entries.size(); ++i) {
        reader.line = lines.item(key, i);
        PatchArgs patch;
        patch.line = reader.line;
        const QJsonObject entry = reader.object(entries[i], field, u"types.Patch"_s);
        reader.knownFields(entry, {u"path"_s, u"patch"_s, u"target"_s, u"options"_s});
        patch.path = reader.string(entry.value(u"path"_s), field + u".path"_s);
        patch.patch = reader.string(entry.value(u"patch"_s), field + u".patch"_s);
        patch.target = readTarget(reader, entry.value(u"target"_s), field + u".target"_s);
        const QJsonObject options =
            reader.object(entry.value(u"options"_s), field + u".options"_s, u"types.PatchArgs"_s);
        reader.knownFields(options, {u"allowNameChange"_s, u"allowKindChange"_s});
        patch.allowNameChange = reader.boolean(options.value(u"allowNameChange"_s),
                                               field + u".options.allowNameChange"_s);
        patch.allowKindChange = reader.boolean(options.value(u"allowKindChange"_s),
                                               field + u".options.allowKindChange"_s);
        patches.append(patch);
    }
    return patches;
}

QList<ListEntry> readEntries(Reader &reader, const QJsonValue &value, const QString &key,
                             const KeyLines &lines)
{
    QList<ListEntry> entries;
    const QJsonArray items = reader.array(value, u"Kustomization."_s + key, u"[]string"_s);
    for (qsizetype i = 0; i < items.size(); ++i) {
        reader.line = lines.item(key, i);
        const QString entry = reader.string(items[i], u"Kustomization."_s + key);
        if (!entry.isEmpty())
            entries.append({entry, reader.line});
    }
    return entries;
}

QList<ReplicaCount> readReplicas(Reader &reader, const QJsonValue &value, const KeyLines &lines)
{
    QList<ReplicaCount> replicas;
    const QString field = u"Kustomization.replicas"_s;
    const QJsonArray entries = reader.array(value, field, u"[]types.Replica"_s);
    for (qsizetype i = 0; i < entries.size(); ++i) {
        reader.line = lines.item(u"replicas"_s, i);
        const QJsonObject entry = reader.object(entries[i], field, u"types.Replica"_s);
        reader.knownFields(entry, {u"name"_s, u"count"_s});
        ReplicaCount replica;
        replica.line = reader.line;
        replica.name = reader.string(entry.value(u"name"_s), field + u".name"_s);
        const QJsonValue count = entry.value(u"count"_s);
        const double number = count.toDouble();
        if (reader.expect(count, QJsonValue::Double, field + u".count"_s, u"int64"_s) &&
            number != std::floor(number)) {
            reader.invalid(
                u"cannot unmarshal number %1 into Go struct field %2 of type int64"_s.arg(number)
                    .arg(field + u".count"_s));
        }
        replica.count = qint64(number);
        replicas.append(replica);
    }
    return replicas;
}

Kustomization readKustomization(Reader &reader, const QJsonObject &root, const KeyLines &lines)
{
    Kustomization k;
    for (auto it = root.begin(); it != root.end(); ++it) {
        reader.line = lines.keys.value(it.key());
        const QString &key = it.key();
        const QJsonValue value = it.value();
        const QString field = u"Kustomization."_s + key;
        if (key == u"apiVersion"_s || key == u"kind"_s) {
            reader.string(value, field);
        } else if (key == u"metadata"_s) {
            reader.object(value, field, u"types.ObjectMeta"_s);
        } else if (key == u"resources"_s || key == u"bases"_s) {
            k.resources += readEntries(reader, value, key, lines);
        } else if (key == u"namespace"_s) {
            k.ns = reader.string(value, field);
        } else if (key == u"namePrefix"_s) {
            k.namePrefix = reader.string(value, field);
        } else if (key == u"nameSuffix"_s) {
            k.nameSuffix = reader.string(value, field);
        } else if (key == u"commonLabels"_s) {
            k.commonLabels = reader.stringMap(value, field);
        } else if (key == u"labels"_s) {
            k.labels = readLabels(reader, value, lines);
        } else if (key == u"commonAnnotations"_s) {
            k.commonAnnotations = reader.stringMap(value, field);
        } else if (key == u"images"_s || key == u"imageTags"_s) {
            k.images += readImages(reader, value, key, lines);
        } else if (key == u"replicas"_s) {
            k.replicas = readReplicas(reader, value, lines);
        } else if (key == u"configMapGenerator"_s || key == u"secretGenerator"_s) {
            const bool secrets = key == u"secretGenerator"_s;
            (secrets ? k.secretGenerator : k.configMapGenerator) =
                readGenerators(reader, value, key, lines, secrets);
        } else if (key == u"generatorOptions"_s) {
            const QJsonObject options = reader.object(value, field, u"types.GeneratorOptions"_s);
            if (value.isObject())
                k.generatorOptions = readOptions(reader, options, field);
        } else if (key == u"patchesStrategicMerge"_s) {
            for (const ListEntry &entry : readEntries(reader, value, key, lines))
                k.patchesStrategicMerge.append({entry.value, {}, {}, false, false, entry.line});
        } else if (key == u"patches"_s) {
            k.patches = readPatches(reader, value, key, lines);
        } else if (key == u"patchesJson6902"_s) {
            k.patchesJson6902 = readPatches(reader, value, key, lines);
        } else if (key == u"sortOptions"_s) {
            const QJsonObject options = reader.object(value, field, u"types.SortOptions"_s);
            if (options.value(u"order"_s).toString() == u"legacy"_s)
                reader.problem(u"sortOptions order 'legacy' is not supported; "
                               "resources keep their order"_s);
        } else if (unsupportedFields.contains(key)) {
            if (!value.isNull())
                reader.problem(u"'%1' is not supported; it is ignored"_s.arg(key));
        } else {
            reader.invalid(u"unknown field \"%1\""_s.arg(key));
        }
    }
    return k;
}

} // namespace

std::optional<QString> resolvePath(const QString &directory, const QString &relative)
{
    if (relative.startsWith(u'/'))
        return std::nullopt;
    QStringList parts = directory.split(u'/', Qt::SkipEmptyParts);
    for (const QString &part : relative.split(u'/', Qt::SkipEmptyParts)) {
        if (part == u"."_s)
            continue;
        if (part == u".."_s) {
            if (parts.isEmpty())
                return std::nullopt;
            parts.removeLast();
        } else {
            parts.append(part);
        }
    }
    return parts.join(u'/');
}

bool isWithin(const QString &path, const QString &directory)
{
    return directory.isEmpty() || path == directory || path.startsWith(directory + u'/');
}

std::expected<QByteArray, QString> readKustomizationFile(const SourceTree &tree,
                                                         const Kustomization &kustomization,
                                                         const QString &relative)
{
    const QString directory = kustomization.directory.isEmpty() ? u"."_s : kustomization.directory;
    const auto path = resolvePath(kustomization.directory, relative);
    if (!path || !isWithin(*path, kustomization.directory))
        return std::unexpected(u"security; file '%1' is not in or below '%2'"_s.arg(
            path.value_or(relative), directory));
    const auto bytes = tree.read(*path);
    if (!bytes)
        return std::unexpected(u"open %1: no such file or directory"_s.arg(*path));
    return *bytes;
}

namespace {

// The one kustomization file of directory, with its text.
std::optional<std::pair<QString, QByteArray>> findKustomizationFile(const SourceTree &tree,
                                                                    const QString &directory,
                                                                    QList<RenderProblem> &problems)
{
    std::optional<std::pair<QString, QByteArray>> found;
    const QString shownDirectory = directory.isEmpty() ? u"."_s : directory;
    const QStringList names = kustomizationFileNames();
    for (const QString &name : names) {
        const QString path = directory.isEmpty() ? name : directory + u'/' + name;
        const auto bytes = tree.read(path);
        if (!bytes)
            continue;
        if (found) {
            problems.append(
                {found->first, 0,
                 u"Found multiple kustomization files under: %1"_s.arg(shownDirectory)});
            return std::nullopt;
        }
        found = std::pair{path, *bytes};
    }
    if (!found) {
        problems.append({shownDirectory, 0,
                         u"unable to find one of '%1', '%2' or '%3' in directory '%4'"_s.arg(
                             names[0], names[1], names[2], shownDirectory)});
    }
    return found;
}

// kustomize's CheckEmpty and EnforceFields.
std::optional<QString> typeMetaError(const QJsonObject &root, const QString &directory)
{
    QJsonObject fields = root;
    fields.remove(u"apiVersion"_s);
    fields.remove(u"kind"_s);
    if (fields.isEmpty())
        return u"kustomization.yaml is empty"_s;
    const QString kind = root.value(u"kind"_s).toString();
    const QString shownDirectory = directory.isEmpty() ? u"."_s : directory;
    if (kind == u"Component"_s)
        return u"expected kind != 'Component' for path '%1'"_s.arg(shownDirectory);
    if (!kind.isEmpty() && kind != u"Kustomization"_s)
        return u"Failed to read kustomization file under %1: kind should be Kustomization or "
               "Component"_s.arg(shownDirectory);
    const QString apiVersion = root.value(u"apiVersion"_s).toString();
    if (!apiVersion.isEmpty() && apiVersion != u"kustomize.config.k8s.io/v1beta1"_s)
        return u"Failed to read kustomization file under %1: apiVersion for Kustomization "
               "should be kustomize.config.k8s.io/v1beta1"_s.arg(shownDirectory);
    return std::nullopt;
}

} // namespace

std::optional<Kustomization> loadKustomization(const SourceTree &tree, const QString &directory,
                                               QList<RenderProblem> &problems)
{
    const auto found = findKustomizationFile(tree, directory, problems);
    if (!found)
        return std::nullopt;
    const auto &[file, text] = *found;
    const auto parsed = core::parseYaml(text);
    if (!parsed) {
        problems.append({file, parsed.error().line,
                         u"invalid Kustomization: MalformedYAMLError: yaml: line %1: %2"_s
                             .arg(parsed.error().line)
                             .arg(parsed.error().message)});
        return std::nullopt;
    }
    if (!parsed->isObject() && !parsed->isNull()) {
        problems.append({file, 1,
                         u"invalid Kustomization: json: cannot unmarshal %1 into Go value of "
                         "type types.Kustomization"_s.arg(core::goJsonTypeName(*parsed))});
        return std::nullopt;
    }
    const QJsonObject root = parsed->toObject();
    const KeyLines lines = findKeyLines(text);
    if (const auto error = typeMetaError(root, directory)) {
        problems.append({file, lines.keys.value(u"kind"_s), *error});
        return std::nullopt;
    }
    Reader reader(file, problems);
    Kustomization k = readKustomization(reader, root, lines);
    k.directory = directory;
    k.file = file;
    return k;
}

} // namespace timonel::gitops::kustomize
