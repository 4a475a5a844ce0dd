#include "kustomizegenerators.h"

#include <QSet>
#include <QStringDecoder>

#include <expected>

namespace timonel::gitops::kustomize {

namespace {

using namespace Qt::StringLiterals;

struct Pair
{
    QString key;
    QByteArray value;
};

bool isUtf8(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString decoded = decoder(bytes);
    Q_UNUSED(decoded);
    return !decoder.hasError();
}

// kv.parseLiteralSource: key=value, with one pair of matching quotes around the value removed.
std::expected<Pair, QString> parseLiteral(const QString &source)
{
    const qsizetype equals = source.indexOf(u'=');
    if (equals <= 0)
        return std::unexpected(u"invalid literal source %1, expected key=value"_s.arg(source));
    QString value = source.mid(equals + 1);
    if (value.size() >= 2 && value.front() == value.back() &&
        (value.front() == u'"' || value.front() == u'\''))
        value = value.mid(1, value.size() - 2);
    return Pair{source.left(equals), value.toUtf8()};
}

// generators.ParseFileSource: "path" (keyed by its base name) or "key=path".
std::expected<std::pair<QString, QString>, QString> parseFileSource(const QString &source)
{
    const qsizetype separators = source.count(u'=');
    if (separators == 0)
        return std::pair{source.section(u'/', -1), source};
    if (separators == 1 && source.startsWith(u'='))
        return std::unexpected(
            u"missing key name for file path \"%1\" in source \"%2\""_s.arg(source.mid(1), source));
    if (separators == 1 && source.endsWith(u'='))
        return std::unexpected(u"missing file path for key name \"%1\" in source \"%2\""_s.arg(
            source.chopped(1), source));
    if (separators > 1)
        return std::unexpected(u"source \"%1\" key name or file path contains '='"_s.arg(source));
    return std::pair{source.section(u'=', 0, 0), source.section(u'=', 1)};
}

// kv.keyValuesFromLines: KEY=value lines; blank lines and # comments skipped, leading
// whitespace dropped, nothing else trimmed, a line without '=' an empty value.
std::expected<QList<Pair>, QString> parseEnvFile(QByteArray content)
{
    QList<Pair> pairs;
    QList<QByteArray> lines = content.split('\n');
    if (!lines.isEmpty() && lines.back().isEmpty())
        lines.removeLast();
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QByteArray line = lines[i];
        if (line.endsWith('\r'))
            line.chop(1);
        if (!isUtf8(line))
            return std::unexpected(u"line %1 has invalid utf8 bytes"_s.arg(i));
        if (i == 0 && line.startsWith("\xEF\xBB\xBF"))
            line.remove(0, 3);
        QString text = QString::fromUtf8(line);
        qsizetype start = 0;
        while (start < text.size() && text[start].isSpace())
            ++start;
        text = text.mid(start);
        if (text.isEmpty() || text.startsWith(u'#'))
            continue;
        const qsizetype equals = text.indexOf(u'=');
        if (equals < 0)
            pairs.append({text, {}});
        else
            pairs.append({text.left(equals), text.mid(equals + 1).toUtf8()});
    }
    return pairs;
}

// kv.Load: env files, then literals, then files; a key may appear once.
std::expected<QList<Pair>, QString>
loadPairs(const GeneratorArgs &args, const Kustomization &kustomization, const SourceTree &tree)
{
    QList<Pair> pairs;
    for (const QString &path : args.envs) {
        const auto content = readKustomizationFile(tree, kustomization, path);
        if (!content)
            return std::unexpected(u"env source files: [%1]: %2"_s.arg(path, content.error()));
        const auto more = parseEnvFile(*content);
        if (!more)
            return std::unexpected(u"env source files: [%1]: %2"_s.arg(path, more.error()));
        pairs += *more;
    }
    for (const QString &literal : args.literals) {
        const auto pair = parseLiteral(literal);
        if (!pair)
            return std::unexpected(pair.error());
        pairs.append(*pair);
    }
    for (const QString &source : args.files) {
        const auto parsed = parseFileSource(source);
        if (!parsed)
            return std::unexpected(parsed.error());
        const auto content = readKustomizationFile(tree, kustomization, parsed->second);
        if (!content)
            return std::unexpected(content.error());
        pairs.append({parsed->first, *content});
    }
    QSet<QString> keys;
    for (const Pair &pair : std::as_const(pairs)) {
        if (keys.contains(pair.key))
            return std::unexpected(
                u"configmap %1 illegally repeats the key `%2`"_s.arg(args.name, pair.key));
        keys.insert(pair.key);
    }
    return pairs;
}

// types.MergeGlobalOptionsIntoLocal: the entry's own labels and annotations win.
std::optional<GeneratorOptions> effectiveOptions(const GeneratorArgs &args,
                                                 const Kustomization &kustomization)
{
    if (!kustomization.generatorOptions)
        return args.options;
    const GeneratorOptions &global = *kustomization.generatorOptions;
    GeneratorOptions local = args.options.value_or(GeneratorOptions{});
    for (auto it = global.labels.begin(); it != global.labels.end(); ++it) {
        if (!local.labels.contains(it.key()))
            local.labels.insert(it.key(), it.value());
    }
    for (auto it = global.annotations.begin(); it != global.annotations.end(); ++it) {
        if (!local.annotations.contains(it.key()))
            local.annotations.insert(it.key(), it.value());
    }
    local.disableNameSuffixHash = local.disableNameSuffixHash || global.disableNameSuffixHash;
    local.immutable = local.immutable || global.immutable;
    return local;
}

QJsonObject toJson(const StringMap &map)
{
    QJsonObject object;
    for (auto it = map.begin(); it != map.end(); ++it)
        object.insert(it.key(), it.value());
    return object;
}

std::optional<Behavior> parseBehavior(const QString &behavior)
{
    if (behavior.isEmpty())
        return Behavior::Unspecified;
    if (behavior == u"create"_s)
        return Behavior::Create;
    if (behavior == u"merge"_s)
        return Behavior::Merge;
    if (behavior == u"replace"_s)
        return Behavior::Replace;
    return std::nullopt;
}

QString behaviorName(Behavior behavior)
{
    switch (behavior) {
    case Behavior::Create:
        return u"create"_s;
    case Behavior::Merge:
        return u"merge"_s;
    case Behavior::Replace:
        return u"replace"_s;
    case Behavior::Unspecified:
        break;
    }
    return u"unspecified"_s;
}

std::expected<Resource, QString> generate(const GeneratorArgs &args, bool secret,
                                          const Kustomization &kustomization,
                                          const SourceTree &tree)
{
    if (args.name.isEmpty())
        return std::unexpected(u"a configmap must have a name"_s);
    const auto pairs = loadPairs(args, kustomization, tree);
    if (!pairs)
        return std::unexpected(pairs.error());

    QJsonObject metadata{{u"name"_s, args.name}};
    if (!args.ns.isEmpty())
        metadata.insert(u"namespace"_s, args.ns);
    const std::optional<GeneratorOptions> options = effectiveOptions(args, kustomization);
    if (options && !options->labels.isEmpty())
        metadata.insert(u"labels"_s, toJson(options->labels));
    if (options && !options->annotations.isEmpty())
        metadata.insert(u"annotations"_s, toJson(options->annotations));

    QJsonObject object{{u"apiVersion"_s, u"v1"_s},
                       {u"kind"_s, secret ? u"Secret"_s : u"ConfigMap"_s},
                       {u"metadata"_s, metadata}};
    QJsonObject data;
    QJsonObject binaryData;
    for (const Pair &pair : *pairs) {
        // Secrets hold base64 always; ConfigMaps keep text as is and binary as base64.
        if (secret)
            data.insert(pair.key, wrappedBase64(pair.value));
        else if (isUtf8(pair.value))
            data.insert(pair.key, QString::fromUtf8(pair.value));
        else
            binaryData.insert(pair.key, wrappedBase64(pair.value));
    }
    if (secret) {
        object.insert(u"type"_s, args.type.isEmpty() ? u"Opaque"_s : args.type);
        object.insert(u"data"_s, data);
    } else {
        if (!data.isEmpty())
            object.insert(u"data"_s, data);
        if (!binaryData.isEmpty())
            object.insert(u"binaryData"_s, binaryData);
    }
    if (options && options->immutable)
        object.insert(u"immutable"_s, true);

    Resource resource{object, kustomization.file, args.line};
    resource.hashSuffix = !options || !options->disableNameSuffixHash;
    resource.behavior = parseBehavior(args.behavior).value_or(Behavior::Unspecified);
    return resource;
}

QJsonObject mergedMap(const QJsonObject &old, const QJsonObject &newer)
{
    QJsonObject merged = old;
    for (auto it = newer.begin(); it != newer.end(); ++it)
        merged.insert(it.key(), it.value());
    return merged;
}

// Resource.CopyMergeMetaDataFieldsFrom: the new object takes the old one's name, namespace
// and build history, and the union of their labels and annotations.
void copyMergeMetadata(Resource &resource, const Resource &old)
{
    for (const QString &field : {u"labels"_s, u"annotations"_s})
        resource.setMetadataMap(field,
                                mergedMap(old.metadataMap(field), resource.metadataMap(field)));
    resource.setName(old.name());
    resource.setNamespace(old.ns());
    resource.previousNames = old.previousNames;
    resource.prefixes = old.prefixes;
    resource.suffixes = old.suffixes;
    resource.hashSuffix = resource.hashSuffix && old.hashSuffix;
}

void mergeDataField(Resource &resource, const Resource &old, const QString &field)
{
    const QJsonObject merged =
        mergedMap(old.object.value(field).toObject(), resource.object.value(field).toObject());
    if (merged.isEmpty())
        resource.object.remove(field);
    else
        resource.object.insert(field, merged);
}

// resWrangler.appendReplaceOrMerge.
std::optional<QString> absorb(Resources &resources, Resource resource)
{
    const ResId id = resource.currentId();
    const QList<qsizetype> matches = indexesMatchingAnyId(resources, id);
    if (matches.isEmpty()) {
        if (resource.behavior == Behavior::Merge || resource.behavior == Behavior::Replace)
            return u"id %1 does not exist; cannot merge or replace"_s.arg(id.toString());
        return appendResource(resources, std::move(resource));
    }
    if (matches.size() > 1)
        return u"found multiple objects that could accept merge of %1"_s.arg(id.toString());
    const Resource &old = resources[matches.front()];
    switch (resource.behavior) {
    case Behavior::Replace:
        copyMergeMetadata(resource, old);
        break;
    case Behavior::Merge:
        copyMergeMetadata(resource, old);
        mergeDataField(resource, old, u"data"_s);
        mergeDataField(resource, old, u"binaryData"_s);
        break;
    default:
        return u"id %1 exists; can not use behavior: '%2', behavior must be merge or replace"_s.arg(
            id.toString(), behaviorName(resource.behavior));
    }
    resources[matches.front()] = std::move(resource);
    return std::nullopt;
}

} // namespace

QString wrappedBase64(const QByteArray &data)
{
    constexpr qsizetype lineLength = 70;
    const QByteArray encoded = data.toBase64();
    if (encoded.size() < lineLength)
        return QString::fromLatin1(encoded);
    QByteArray wrapped;
    for (qsizetype i = 0; i < encoded.size(); i += lineLength)
        wrapped += encoded.mid(i, lineLength) + '\n';
    return QString::fromLatin1(wrapped);
}

void runGenerators(const Kustomization &kustomization, const SourceTree &tree, Resources &resources,
                   QList<RenderProblem> &problems)
{
    const auto run = [&](const QList<GeneratorArgs> &generators, bool secret) {
        for (const GeneratorArgs &args : generators) {
            if (!parseBehavior(args.behavior)) {
                problems.append(
                    {kustomization.file, args.line,
                     u"unknown generator behavior '%1' for %2 %3: must be create, "
                     "merge or replace"_s.arg(args.behavior, secret ? u"secret"_s : u"configmap"_s,
                                              args.name)});
                continue;
            }
            auto resource = generate(args, secret, kustomization, tree);
            std::optional<QString> error;
            if (!resource)
                error = resource.error();
            else
                error = absorb(resources, std::move(*resource));
            if (error)
                problems.append({kustomization.file, args.line, *error});
        }
    };
    run(kustomization.configMapGenerator, false);
    run(kustomization.secretGenerator, true);
}

} // namespace timonel::gitops::kustomize
