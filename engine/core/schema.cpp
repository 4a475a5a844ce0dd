#include "schema.h"

#include "yaml.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QFileInfo>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace timonel::core {

const SchemaField *SchemaType::field(QStringView name) const
{
    for (const SchemaField &f : fields)
        if (f.name == name)
            return &f;
    return nullptr;
}

bool SchemaType::isScalar() const
{
    switch (kind) {
    case Kind::Object:
    case Kind::List:
    case Kind::Map:
    case Kind::FreeForm:
    case Kind::Any:
        return false;
    default:
        return true;
    }
}

QString ResourceInfo::apiVersion() const
{
    return group.isEmpty() ? version : group + u'/' + version;
}

QString ResourceInfo::groupResource() const
{
    return group.isEmpty() ? plural : plural + u'.' + group;
}

struct SchemaRegistry::Private
{
    std::deque<SchemaType> types; // stable addresses
    QHash<QString, const SchemaType *> named;
    std::deque<ResourceInfo> resources;
    QList<const ResourceInfo *> resourceOrder;
    // Shared unnamed types: one per scalar kind, and one per list<T> / map<T>.
    QHash<QString, const SchemaType *> anonymous;
};

SchemaRegistry::SchemaRegistry() : d(std::make_unique<Private>()) {}
SchemaRegistry::~SchemaRegistry() = default;
SchemaRegistry::SchemaRegistry(SchemaRegistry &&) noexcept = default;
SchemaRegistry &SchemaRegistry::operator=(SchemaRegistry &&) noexcept = default;

const SchemaType *SchemaRegistry::type(QStringView qualifiedName) const
{
    return d->named.value(qualifiedName.toString());
}

const ResourceInfo *SchemaRegistry::resource(QStringView group, QStringView version,
                                             QStringView plural) const
{
    for (const ResourceInfo *r : d->resourceOrder)
        if (r->plural == plural && r->group == group && r->version == version)
            return r;
    return nullptr;
}

const ResourceInfo *SchemaRegistry::resourceForKind(QStringView group, QStringView version,
                                                    QStringView kind) const
{
    for (const ResourceInfo *r : d->resourceOrder)
        if (r->kind == kind && r->group == group && r->version == version)
            return r;
    return nullptr;
}

QList<const ResourceInfo *> SchemaRegistry::resources() const
{
    return d->resourceOrder;
}

QList<const SchemaType *> SchemaRegistry::namedTypes() const
{
    QList<const SchemaType *> out = d->named.values();
    std::sort(out.begin(), out.end(),
              [](const SchemaType *a, const SchemaType *b) { return a->name < b->name; });
    return out;
}

SchemaType *SchemaRegistry::newType()
{
    return &d->types.emplace_back();
}

void SchemaRegistry::addResource(ResourceInfo info)
{
    removeResource(info.group, info.version, info.plural);
    d->resources.push_back(std::move(info));
    d->resourceOrder.append(&d->resources.back());
}

void SchemaRegistry::removeResource(QStringView group, QStringView version, QStringView plural)
{
    // The ResourceInfo itself stays allocated: callers may still hold a pointer to it.
    d->resourceOrder.removeIf([&](const ResourceInfo *r) {
        return r->plural == plural && r->group == group && r->version == version;
    });
}

namespace {

struct ScalarSpelling
{
    const char *word;
    SchemaType::Kind kind;
    const char *format;
};

constexpr ScalarSpelling scalarSpellings[] = {
    {"string", SchemaType::Kind::String, ""},
    {"int32", SchemaType::Kind::Integer, "int32"},
    {"int64", SchemaType::Kind::Integer, "int64"},
    {"boolean", SchemaType::Kind::Boolean, ""},
    {"number", SchemaType::Kind::Number, "double"},
    {"bytes", SchemaType::Kind::Bytes, "byte"},
    {"time", SchemaType::Kind::Time, "date-time"},
    {"microtime", SchemaType::Kind::MicroTime, "date-time"},
    {"quantity", SchemaType::Kind::Quantity, ""},
    {"intorstring", SchemaType::Kind::IntOrString, "int-or-string"},
    {"object", SchemaType::Kind::FreeForm, ""},
    {"any", SchemaType::Kind::Any, ""},
};

// Loads files in two passes: declare every named type, then resolve field types, so files
// may refer to each other in any order.
class Loader
{
public:
    explicit Loader(SchemaRegistry::Private &d) : d(d) {}

    std::expected<void, QString> declare(const QString &file, const QJsonObject &doc);
    std::expected<void, QString> define(const QString &file, const QJsonObject &doc);
    QList<std::pair<QString, ResourceInfo>> resources; // (type name, info), schema resolved later

private:
    std::expected<const SchemaType *, QString> resolve(QStringView spelling, const QString &package);
    std::expected<SchemaField, QString> parseField(const QString &name, const QString &line,
                                                   const QString &package);
    std::expected<ResourceInfo, QString> parseResource(const QString &kind, const QJsonObject &r,
                                                       const QJsonObject &doc);

    SchemaRegistry::Private &d;
    QHash<QString, QStringList> packagesOfShortName;
};

QString packageOf(const QJsonObject &doc)
{
    return doc.value(u"package").toString();
}

std::expected<void, QString> Loader::declare(const QString &file, const QJsonObject &doc)
{
    const QString package = packageOf(doc);
    if (package.isEmpty())
        return std::unexpected(file + QStringLiteral(": no package"));
    const QJsonObject types = doc.value(u"types").toObject();
    for (auto it = types.begin(); it != types.end(); ++it) {
        const QString name = package + u'.' + it.key();
        if (d.named.contains(name))
            return std::unexpected(file + QStringLiteral(": type %1 declared twice").arg(name));
        SchemaType &t = d.types.emplace_back();
        t.kind = SchemaType::Kind::Object;
        t.name = name;
        d.named.insert(name, &t);
        packagesOfShortName[it.key()].append(package);
    }
    return {};
}

std::expected<const SchemaType *, QString> Loader::resolve(QStringView spelling,
                                                           const QString &package)
{
    const QString key = spelling.toString();
    if (const SchemaType *t = d.anonymous.value(key))
        return t;
    for (const ScalarSpelling &s : scalarSpellings) {
        if (spelling == QLatin1StringView(s.word)) {
            SchemaType &t = d.types.emplace_back();
            t.kind = s.kind;
            t.format = QString::fromLatin1(s.format);
            d.anonymous.insert(key, &t);
            return &t;
        }
    }
    for (auto [prefix, kind] : {std::pair{QStringView(u"list<"), SchemaType::Kind::List},
                                std::pair{QStringView(u"map<"), SchemaType::Kind::Map}}) {
        if (spelling.startsWith(prefix) && spelling.endsWith(u'>')) {
            const QStringView inner =
                spelling.mid(prefix.size(), spelling.size() - prefix.size() - 1);
            auto element = resolve(inner, package);
            if (!element)
                return element;
            SchemaType &t = d.types.emplace_back();
            t.kind = kind;
            t.element = *element;
            d.anonymous.insert(key, &t);
            return &t;
        }
    }
    if (const SchemaType *t = d.named.value(package + u'.' + key))
        return t;
    if (const SchemaType *t = d.named.value(key))
        return t;
    const QStringList packages = packagesOfShortName.value(key);
    if (packages.size() == 1)
        return d.named.value(packages.first() + u'.' + key);
    if (packages.size() > 1)
        return std::unexpected(QStringLiteral("type %1 is ambiguous (%2): qualify it")
                                   .arg(key, packages.join(QStringLiteral(", "))));
    return std::unexpected(QStringLiteral("unknown type %1").arg(key));
}

std::expected<SchemaField, QString> Loader::parseField(const QString &name, const QString &line,
                                                       const QString &package)
{
    SchemaField f;
    f.name = name;
    const qsizetype bar = line.indexOf(u'|');
    f.description = bar < 0 ? QString() : line.mid(bar + 1).trimmed();
    const QStringList words =
        (bar < 0 ? line : line.left(bar)).split(u' ', Qt::SkipEmptyParts);
    if (words.isEmpty())
        return std::unexpected(QStringLiteral("field %1 has no type").arg(name));
    auto type = resolve(words.first(), package);
    if (!type)
        return std::unexpected(QStringLiteral("field %1: %2").arg(name, type.error()));
    f.type = *type;
    QStringList strategies;
    for (const QString &w : words.mid(1)) {
        const qsizetype eq = w.indexOf(u'=');
        const QString flag = eq < 0 ? w : w.left(eq);
        const QString value = eq < 0 ? QString() : w.mid(eq + 1);
        bool ok = true;
        if (flag.startsWith(u'@')) {
            f.protoNumber = flag.mid(1).toInt(&ok);
        } else if (flag == u"required") {
            f.required = true;
        } else if (flag == u"default") {
            // A JSON scalar; bare words are strings.
            const QJsonDocument doc = QJsonDocument::fromJson("[" + value.toUtf8() + "]");
            f.defaultValue = doc.isArray() ? doc.array().at(0) : QJsonValue(value);
        } else if (flag == u"enum") {
            f.enumValues = value.split(u',');
        } else if (flag == u"min") {
            f.minimum = value.toDouble(&ok);
        } else if (flag == u"max") {
            f.maximum = value.toDouble(&ok);
        } else if (flag == u"format") {
            f.format = value;
        } else if (flag == u"merge") {
            strategies.append(QStringLiteral("merge"));
            f.patchMergeKey = value;
        } else if (flag == u"retainKeys" || flag == u"replace") {
            strategies.append(flag);
        } else if (flag == u"map") {
            f.listType = QStringLiteral("map");
            f.listMapKeys = value.split(u',');
        } else if (flag == u"set") {
            f.listType = flag;
        } else if (flag == u"atomic") {
            if (f.type->kind == SchemaType::Kind::List)
                f.listType = flag;
            else
                f.atomicMap = true;
        } else {
            ok = false;
        }
        if (!ok)
            return std::unexpected(QStringLiteral("field %1: bad flag %2").arg(name, w));
    }
    f.patchStrategy = strategies.join(u',');
    return f;
}

QStringList words(const QJsonValue &v)
{
    return v.toVariant().toString().split(u' ', Qt::SkipEmptyParts);
}

std::expected<ResourceInfo, QString> Loader::parseResource(const QString &kind,
                                                           const QJsonObject &r,
                                                           const QJsonObject &doc)
{
    ResourceInfo info;
    info.group = doc.value(u"group").toString();
    info.version = doc.value(u"version").toString();
    info.kind = kind;
    info.plural = r.value(u"plural").toString();
    info.singular = r.value(u"singular").toString(kind.toLower());
    info.shortNames = words(r.value(u"short"));
    info.categories = words(r.value(u"categories"));
    const QString scope = r.value(u"scope").toString(QStringLiteral("Namespaced"));
    if (scope != u"Namespaced" && scope != u"Cluster")
        return std::unexpected(QStringLiteral("resource %1: bad scope %2").arg(kind, scope));
    info.namespaced = scope == u"Namespaced";
    info.verbs = r.contains(u"verbs") ? words(r.value(u"verbs"))
                                      : QStringList{u"create"_s, u"delete"_s,
                                                    u"deletecollection"_s, u"get"_s,
                                                    u"list"_s, u"patch"_s, u"update"_s,
                                                    u"watch"_s};
    info.subresources = words(r.value(u"subresources"));
    info.fieldSelectors = words(r.value(u"fieldSelectors"));
    if (info.plural.isEmpty() || info.version.isEmpty())
        return std::unexpected(QStringLiteral("resource %1: plural and version are required").arg(kind));
    static const QRegularExpression columnLine(
        QStringLiteral(R"(^\s*([^|]*?)\s*\|\s*(\S+)\s*$)"));
    for (const QJsonValue &c : r.value(u"columns").toArray()) {
        const auto m = columnLine.match(c.toString());
        if (!m.hasMatch())
            return std::unexpected(
                QStringLiteral("resource %1: bad column \"%2\"").arg(kind, c.toString()));
        TableColumn column;
        column.expression = m.captured(2);
        QStringList header;
        for (const QString &w : m.captured(1).split(u' ', Qt::SkipEmptyParts)) {
            if (w == u"wide")
                column.priority = 1;
            else if (w.startsWith(u"type="))
                column.type = w.mid(5);
            else
                header.append(w);
        }
        column.name = header.join(u' ');
        if (column.expression == u"name")
            column.format = QStringLiteral("name");
        info.columns.append(column);
    }
    return info;
}

std::expected<void, QString> Loader::define(const QString &file, const QJsonObject &doc)
{
    const QString package = packageOf(doc);
    const QJsonObject types = doc.value(u"types").toObject();
    for (auto it = types.begin(); it != types.end(); ++it) {
        auto *t = const_cast<SchemaType *>(d.named.value(package + u'.' + it.key()));
        const QJsonObject fields = it.value().toObject();
        for (auto f = fields.begin(); f != fields.end(); ++f) {
            if (f.key() == u"_") {
                t->description = f.value().toString().trimmed();
                continue;
            }
            if (f.key() == u"_flags") {
                for (const QString &flag : words(f.value())) {
                    if (flag == u"atomic") {
                        t->atomic = true;
                    } else if (flag.startsWith(u"inline=") && flag.contains(u'@')) {
                        const QString spec = flag.mid(7);
                        const qsizetype at = spec.indexOf(u'@');
                        auto embedded = resolve(QStringView(spec).left(at), package);
                        if (!embedded)
                            return std::unexpected(
                                QStringLiteral("%1: %2: %3").arg(file, it.key(), embedded.error()));
                        t->inlined.append({*embedded, spec.mid(at + 1).toInt()});
                    } else {
                        return std::unexpected(QStringLiteral("%1: %2: bad type flag %3")
                                                   .arg(file, it.key(), flag));
                    }
                }
                continue;
            }
            auto field = parseField(f.key(), f.value().toString(), package);
            if (!field)
                return std::unexpected(
                    QStringLiteral("%1: %2: %3").arg(file, it.key(), field.error()));
            t->fields.append(*field);
        }
    }
    const QJsonObject res = doc.value(u"resources").toObject();
    for (auto it = res.begin(); it != res.end(); ++it) {
        auto info = parseResource(it.key(), it.value().toObject(), doc);
        if (!info)
            return std::unexpected(file + QStringLiteral(": ") + info.error());
        resources.append({package + u'.' + it.key(), *info});
    }
    return {};
}

} // namespace

std::expected<SchemaRegistry, QString> SchemaRegistry::load(const QStringList &files)
{
    SchemaRegistry registry;
    Loader loader(*registry.d);
    QList<std::pair<QString, QJsonObject>> docs;
    for (const QString &path : files) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return std::unexpected(path + QStringLiteral(": ") + f.errorString());
        auto parsed = parseYaml(f.readAll());
        if (!parsed)
            return std::unexpected(formatYamlError(parsed.error(), path));
        docs.append({QFileInfo(path).fileName(), parsed->toObject()});
    }
    for (const auto &[file, doc] : docs)
        if (auto ok = loader.declare(file, doc); !ok)
            return std::unexpected(ok.error());
    for (const auto &[file, doc] : docs)
        if (auto ok = loader.define(file, doc); !ok)
            return std::unexpected(ok.error());
    for (auto &[typeName, info] : loader.resources) {
        info.schema = registry.type(typeName);
        if (!info.schema)
            return std::unexpected(
                QStringLiteral("resource %1 has no type %2").arg(info.kind, typeName));
        if (registry.resource(info.group, info.version, info.plural))
            return std::unexpected(
                QStringLiteral("resource %1 declared twice").arg(info.groupResource()));
        registry.addResource(std::move(info));
    }
    return registry;
}

SchemaRegistry SchemaRegistry::loadBuiltIn()
{
    QStringList files;
    const QDir dir(QStringLiteral(":/timonel/schema"));
    for (const QString &name : dir.entryList({QStringLiteral("*.yaml")}, QDir::Files, QDir::Name))
        files.append(dir.filePath(name));
    auto loaded = load(files);
    // The files are compiled in and checked by tst_schema: a failure here is a build defect.
    if (!loaded)
        qFatal("built-in schema: %s", qPrintable(loaded.error()));
    return std::move(*loaded);
}

const SchemaRegistry &SchemaRegistry::builtIn()
{
    static const SchemaRegistry registry = loadBuiltIn();
    return registry;
}

namespace {

std::expected<const SchemaType *, QString> fromOpenApi(const QJsonObject &s, SchemaRegistry &registry,
                                                       const QString &path);

std::expected<SchemaField, QString> fieldFromOpenApi(const QString &name, const QJsonObject &s,
                                                     bool required, SchemaRegistry &registry,
                                                     const QString &path)
{
    auto type = fromOpenApi(s, registry, path);
    if (!type)
        return std::unexpected(type.error());
    SchemaField f;
    f.name = name;
    f.type = *type;
    f.description = s.value(u"description").toString();
    f.required = required;
    if (s.contains(u"default"))
        f.defaultValue = s.value(u"default");
    for (const QJsonValue &e : s.value(u"enum").toArray())
        f.enumValues.append(e.toVariant().toString());
    if (s.contains(u"minimum"))
        f.minimum = s.value(u"minimum").toDouble();
    if (s.contains(u"maximum"))
        f.maximum = s.value(u"maximum").toDouble();
    f.listType = s.value(u"x-kubernetes-list-type").toString();
    for (const QJsonValue &k : s.value(u"x-kubernetes-list-map-keys").toArray())
        f.listMapKeys.append(k.toString());
    f.atomicMap = s.value(u"x-kubernetes-map-type").toString() == u"atomic";
    return f;
}

std::expected<const SchemaType *, QString> fromOpenApi(const QJsonObject &s, SchemaRegistry &registry,
                                                       const QString &path)
{
    SchemaType *t = registry.newType();
    t->description = s.value(u"description").toString();
    const QString type = s.value(u"type").toString();
    if (s.value(u"x-kubernetes-int-or-string").toBool()) {
        t->kind = SchemaType::Kind::IntOrString;
    } else if (type == u"string") {
        t->kind = SchemaType::Kind::String;
        t->format = s.value(u"format").toString();
    } else if (type == u"integer") {
        t->kind = SchemaType::Kind::Integer;
        t->format = s.value(u"format").toString(u"int64"_s);
    } else if (type == u"number") {
        t->kind = SchemaType::Kind::Number;
        t->format = u"double"_s;
    } else if (type == u"boolean") {
        t->kind = SchemaType::Kind::Boolean;
    } else if (type == u"array") {
        t->kind = SchemaType::Kind::List;
        auto element = fromOpenApi(s.value(u"items").toObject(), registry, path + u"[*]"_s);
        if (!element)
            return element;
        t->element = *element;
    } else if (type == u"object" || type.isEmpty()) {
        const QJsonObject properties = s.value(u"properties").toObject();
        const QJsonValue additional = s.value(u"additionalProperties");
        if (s.value(u"x-kubernetes-preserve-unknown-fields").toBool() && properties.isEmpty()) {
            t->kind = type.isEmpty() ? SchemaType::Kind::Any : SchemaType::Kind::FreeForm;
        } else if (additional.isObject()) {
            t->kind = SchemaType::Kind::Map;
            auto element = fromOpenApi(additional.toObject(), registry, path);
            if (!element)
                return element;
            t->element = *element;
        } else if (properties.isEmpty()) {
            t->kind = type.isEmpty() ? SchemaType::Kind::Any : SchemaType::Kind::FreeForm;
        } else {
            t->kind = SchemaType::Kind::Object;
            t->atomic = s.value(u"x-kubernetes-map-type").toString() == u"atomic";
            QStringList required;
            for (const QJsonValue &r : s.value(u"required").toArray())
                required.append(r.toString());
            for (auto it = properties.begin(); it != properties.end(); ++it) {
                auto f = fieldFromOpenApi(it.key(), it.value().toObject(),
                                          required.contains(it.key()), registry,
                                          path + u'.' + it.key());
                if (!f)
                    return std::unexpected(f.error());
                t->fields.append(*f);
            }
        }
    } else {
        return std::unexpected(QStringLiteral("%1: unsupported type %2").arg(path, type));
    }
    return t;
}

} // namespace

std::expected<const SchemaType *, QString> schemaFromOpenApi(const QJsonObject &openApi,
                                                             SchemaRegistry &registry)
{
    auto root = fromOpenApi(openApi, registry, QString());
    if (!root)
        return root;
    // Every custom resource has the standard object metadata, whatever its schema says.
    auto *t = const_cast<SchemaType *>(*root);
    if (t->kind != SchemaType::Kind::Object) {
        t->kind = SchemaType::Kind::Object;
        t->fields.clear();
    }
    for (const char16_t *name : {u"apiVersion", u"kind", u"metadata"})
        t->fields.removeIf([&](const SchemaField &f) { return f.name == name; });
    const SchemaType *objectMeta = registry.type(u"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    if (!objectMeta) {
        SchemaType *freeForm = registry.newType();
        freeForm->kind = SchemaType::Kind::FreeForm;
        objectMeta = freeForm;
    }
    SchemaField apiVersion;
    apiVersion.name = u"apiVersion"_s;
    apiVersion.description = u"The versioned schema of this object."_s;
    SchemaType *stringType = registry.newType();
    stringType->kind = SchemaType::Kind::String;
    apiVersion.type = stringType;
    SchemaField kind = apiVersion;
    kind.name = u"kind"_s;
    kind.description = u"The kind of this object."_s;
    SchemaField metadata;
    metadata.name = u"metadata"_s;
    metadata.type = objectMeta;
    metadata.description = u"Standard object metadata: name, namespace, labels, annotations."_s;
    t->fields.prepend(metadata);
    t->fields.prepend(kind);
    t->fields.prepend(apiVersion);
    return t;
}

} // namespace timonel::core
