#include "completion.h"

#include "core/schema.h"

#include <QCoreApplication>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace timonel::manifest {

namespace {

using core::SchemaField;
using core::SchemaType;
using Kind = SchemaType::Kind;

const QString objectMetaType = u"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"_s;

// A type's name as `kubectl explain` shows it.
QString typeName(const SchemaType *t)
{
    switch (t->kind) {
    case Kind::Object:
        return t->name.mid(t->name.lastIndexOf(u'.') + 1);
    case Kind::List:
        return u"[]"_s + typeName(t->element);
    case Kind::Map:
        return u"map[string]"_s + typeName(t->element);
    case Kind::Integer:
        return u"integer"_s;
    case Kind::Number:
        return u"number"_s;
    case Kind::Boolean:
        return u"boolean"_s;
    case Kind::Quantity:
        return u"Quantity"_s;
    case Kind::IntOrString:
        return u"IntOrString"_s;
    case Kind::FreeForm:
    case Kind::Any:
        return u"Object"_s;
    default:
        return u"string"_s;
    }
}

QString firstSentence(const QString &description)
{
    const QString text = description.simplified();
    const qsizetype end = text.indexOf(". "_L1);
    return end < 0 ? text : text.left(end + 1);
}

// The key a new item of a list of objects starts with: name when it has one, else its first
// required field.
QString firstKeyOf(const SchemaType *t)
{
    if (t->field(u"name"))
        return u"name"_s;
    for (const SchemaField &f : t->fields)
        if (f.required)
            return f.name;
    return QString();
}

QString insertTextFor(const SchemaField &f)
{
    const SchemaType *t = f.type;
    switch (t->kind) {
    case Kind::Object:
    case Kind::Map:
    case Kind::FreeForm:
        return f.name + u":\n  "_s;
    case Kind::List:
        if (t->element->kind == Kind::Object) {
            const QString key = firstKeyOf(t->element);
            return f.name + u":\n  - "_s + (key.isEmpty() ? QString() : key + u": "_s);
        }
        return f.name + u":\n  - "_s;
    default:
        return f.name + u": "_s;
    }
}

struct SchemaPlace
{
    const SchemaType *type = nullptr;
    const SchemaField *field = nullptr; // the last field on the way, for its enum values
};

SchemaPlace walk(const SchemaType *root, const QString &path)
{
    SchemaPlace place{root, nullptr};
    for (const QString &step : splitPath(path)) {
        if (!place.type)
            break;
        const bool index = step.startsWith(u'[');
        switch (place.type->kind) {
        case Kind::Object:
            place.field = index ? nullptr : place.type->field(step);
            place.type = place.field ? place.field->type : nullptr;
            break;
        case Kind::List:
            place.type = index ? place.type->element : nullptr;
            break;
        case Kind::Map:
            place.type = place.type->element;
            place.field = nullptr;
            break;
        default:
            place.type = nullptr;
        }
    }
    return place;
}

// The schema of the document's kind; without one, a type with just the fields every object
// has, so that a new document completes apiVersion, kind and metadata.
const SchemaType *rootType(const YamlDocument &document, const core::SchemaRegistry &registry,
                           SchemaType &generic)
{
    const QString group =
        document.apiVersion.contains(u'/') ? document.apiVersion.section(u'/', 0, 0) : QString();
    const QString version = document.apiVersion.section(u'/', -1);
    if (const core::ResourceInfo *r = registry.resourceForKind(group, version, document.kind))
        return r->schema;
    static const SchemaType text{.kind = Kind::String};
    generic.kind = Kind::Object;
    generic.fields = {
        {.name = u"apiVersion"_s,
         .type = &text,
         .description = QCoreApplication::translate("timonel::manifest",
                                                    "The API group and version of this object."),
         .required = true},
        {.name = u"kind"_s,
         .type = &text,
         .description =
             QCoreApplication::translate("timonel::manifest", "The kind of this object."),
         .required = true},
    };
    if (const SchemaType *meta = registry.type(objectMetaType))
        generic.fields.append(
            {.name = u"metadata"_s, .type = meta, .description = meta->description});
    return &generic;
}

QSet<QString> writtenKeys(const YamlDocument &document, const QString &mapPath)
{
    QSet<QString> keys;
    for (auto it = document.positions.cbegin(); it != document.positions.cend(); ++it) {
        const QString &path = it.key();
        if (!it->key.isValid() || path.size() <= mapPath.size() || !path.startsWith(mapPath))
            continue;
        const QString rest = mapPath.isEmpty() ? path : path.mid(mapPath.size() + 1);
        if (!mapPath.isEmpty() && path[mapPath.size()] != u'.')
            continue;
        if (!rest.contains(u'.') && !rest.contains(u'['))
            keys.insert(rest);
    }
    return keys;
}

QList<CompletionItem> fieldItems(const SchemaType *type, const QSet<QString> &written,
                                 const QString &editing, const QString &prefix)
{
    QList<CompletionItem> items;
    for (const SchemaField &f : type->fields) {
        if (written.contains(f.name) && f.name != editing)
            continue;
        items.append({f.name, typeName(f.type), firstSentence(f.description),
                      prefix + insertTextFor(f), f.required});
    }
    std::ranges::stable_sort(items, [](const CompletionItem &a, const CompletionItem &b) {
        return std::pair(!a.required, a.text) < std::pair(!b.required, b.text);
    });
    return items;
}

QList<const core::ResourceInfo *> writableResources(const core::SchemaRegistry &registry)
{
    QList<const core::ResourceInfo *> out;
    for (const core::ResourceInfo *r : registry.resources())
        if (r->verbs.contains("create"_L1) && r->verbs.contains("get"_L1))
            out.append(r);
    return out;
}

QList<CompletionItem> kindItems(const YamlDocument &document, const core::SchemaRegistry &registry)
{
    const auto resources = writableResources(registry);
    const bool known = std::ranges::any_of(resources, [&](const core::ResourceInfo *r) {
        return r->apiVersion() == document.apiVersion;
    });
    QList<CompletionItem> items;
    QSet<QString> seen;
    for (const core::ResourceInfo *r : resources) {
        if ((known && r->apiVersion() != document.apiVersion) || seen.contains(r->kind))
            continue;
        seen.insert(r->kind);
        items.append({r->kind, r->apiVersion(),
                      r->schema ? firstSentence(r->schema->description) : QString(), r->kind});
    }
    std::ranges::sort(items, {}, &CompletionItem::text);
    return items;
}

QList<CompletionItem> apiVersionItems(const YamlDocument &document,
                                      const core::SchemaRegistry &registry)
{
    const auto resources = writableResources(registry);
    const bool known = std::ranges::any_of(
        resources, [&](const core::ResourceInfo *r) { return r->kind == document.kind; });
    QList<CompletionItem> items;
    QSet<QString> seen;
    for (const core::ResourceInfo *r : resources) {
        const QString apiVersion = r->apiVersion();
        if ((known && r->kind != document.kind) || seen.contains(apiVersion))
            continue;
        seen.insert(apiVersion);
        items.append({apiVersion, known ? r->kind : QString(), QString(), apiVersion});
    }
    std::ranges::sort(items, {}, &CompletionItem::text);
    return items;
}

QList<CompletionItem> valueItems(const SchemaPlace &at)
{
    QList<CompletionItem> items;
    const QString type = typeName(at.type);
    if (at.field && !at.field->enumValues.isEmpty()) {
        for (const QString &v : at.field->enumValues)
            items.append({v, type, QString(), v});
    } else if (at.type->kind == Kind::Boolean) {
        for (const QString &v : {u"true"_s, u"false"_s})
            items.append({v, type, QString(), v});
    }
    return items;
}

QList<CompletionItem> startingWith(QList<CompletionItem> items, const QString &word)
{
    const QString prefix = word.trimmed();
    items.removeIf([&](const CompletionItem &item) {
        return !item.text.startsWith(prefix, Qt::CaseInsensitive);
    });
    return items;
}

} // namespace

QList<CompletionItem> complete(const YamlDocument &document, int line, int column,
                               const core::SchemaRegistry &registry)
{
    const CursorPlace place = pathAt(document, line, column);
    SchemaType generic;
    const SchemaType *root = rootType(document, registry, generic);

    if (place.role == CursorPlace::Role::Value) {
        if (place.path == u"kind")
            return startingWith(kindItems(document, registry), place.word);
        if (place.path == u"apiVersion")
            return startingWith(apiVersionItems(document, registry), place.word);
        const SchemaPlace at = walk(root, place.path);
        if (!at.type)
            return {};
        if (at.type->kind != Kind::Object)
            return startingWith(valueItems(at), place.word);
        if (!place.path.endsWith(u']')) // "spec: " wants a block below, not a key after it
            return {};
        // "- na": an item that is a map, its first key being typed.
        return startingWith(fieldItems(at.type, writtenKeys(document, place.path), QString(), {}),
                            place.word);
    }

    const SchemaPlace at = walk(root, place.parentPath);
    if (!at.type)
        return {};
    if (at.type->kind == Kind::Object) {
        QSet<QString> skip = writtenKeys(document, place.parentPath);
        if (place.parentPath.isEmpty())
            skip.insert(u"status"_s); // written by the cluster, not by hand
        return startingWith(fieldItems(at.type, skip, place.key, {}), place.word);
    }
    // Under a list's key, at its items' indentation: a new item.
    if (at.type->kind == Kind::List && at.type->element->kind == Kind::Object)
        return startingWith(fieldItems(at.type->element, {}, QString(), u"- "_s), place.word);
    return {};
}

} // namespace timonel::manifest
