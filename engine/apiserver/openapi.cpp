#include "openapi.h"

#include "discovery.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

using namespace Qt::StringLiterals;
using timonel::core::ResourceInfo;
using timonel::core::SchemaField;
using timonel::core::SchemaType;

namespace timonel::apiserver {

namespace {

using Kind = SchemaType::Kind;

QJsonObject objectSchema(const SchemaType *t, QSet<const SchemaType *> *reached);

QString refTo(const SchemaType *t)
{
    return u"#/components/schemas/"_s + t->name;
}

QJsonObject typeSchema(const SchemaType *t, QSet<const SchemaType *> *reached)
{
    switch (t->kind) {
    case Kind::Object:
        if (t->name.isEmpty()) // the nested objects of a CRD's schema have no names
            return objectSchema(t, reached);
        if (reached)
            reached->insert(t);
        return QJsonObject{{u"$ref"_s, refTo(t)}};
    case Kind::List:
        return QJsonObject{{u"type"_s, u"array"_s},
                           {u"items"_s, typeSchema(t->element, reached)}};
    case Kind::Map:
        return QJsonObject{{u"type"_s, u"object"_s},
                           {u"additionalProperties"_s, typeSchema(t->element, reached)}};
    case Kind::String:
        return QJsonObject{{u"type"_s, u"string"_s}};
    case Kind::Integer:
        return QJsonObject{{u"type"_s, u"integer"_s}, {u"format"_s, t->format}};
    case Kind::Number:
        return QJsonObject{{u"type"_s, u"number"_s}, {u"format"_s, u"double"_s}};
    case Kind::Boolean:
        return QJsonObject{{u"type"_s, u"boolean"_s}};
    case Kind::Bytes:
        return QJsonObject{{u"type"_s, u"string"_s}, {u"format"_s, u"byte"_s}};
    case Kind::Time:
    case Kind::MicroTime:
        return QJsonObject{{u"type"_s, u"string"_s}, {u"format"_s, u"date-time"_s}};
    case Kind::Quantity:
        return QJsonObject{{u"type"_s, u"string"_s}, {u"x-kubernetes-int-or-string"_s, true}};
    case Kind::IntOrString:
        return QJsonObject{{u"type"_s, u"string"_s},
                           {u"format"_s, u"int-or-string"_s},
                           {u"x-kubernetes-int-or-string"_s, true}};
    case Kind::FreeForm:
        return QJsonObject{{u"type"_s, u"object"_s},
                           {u"x-kubernetes-preserve-unknown-fields"_s, true}};
    case Kind::Any:
        return QJsonObject{{u"x-kubernetes-preserve-unknown-fields"_s, true}};
    }
    return {};
}

QJsonObject fieldSchema(const SchemaField &f, QSet<const SchemaType *> *reached)
{
    QJsonObject s = typeSchema(f.type, reached);
    if (s.contains(u"$ref")) // $ref siblings are ignored by OpenAPI 3.0: wrap as Kubernetes does
        s = QJsonObject{{u"allOf"_s, QJsonArray{s}}};
    if (!f.description.isEmpty())
        s.insert(u"description"_s, f.description);
    if (!f.defaultValue.isUndefined())
        s.insert(u"default"_s, f.defaultValue);
    if (!f.enumValues.isEmpty())
        s.insert(u"enum"_s, QJsonArray::fromStringList(f.enumValues));
    if (f.minimum)
        s.insert(u"minimum"_s, *f.minimum);
    if (f.maximum)
        s.insert(u"maximum"_s, *f.maximum);
    if (!f.patchStrategy.isEmpty())
        s.insert(u"x-kubernetes-patch-strategy"_s, f.patchStrategy);
    if (!f.patchMergeKey.isEmpty())
        s.insert(u"x-kubernetes-patch-merge-key"_s, f.patchMergeKey);
    if (!f.listType.isEmpty())
        s.insert(u"x-kubernetes-list-type"_s, f.listType);
    if (!f.listMapKeys.isEmpty())
        s.insert(u"x-kubernetes-list-map-keys"_s, QJsonArray::fromStringList(f.listMapKeys));
    if (f.atomicMap)
        s.insert(u"x-kubernetes-map-type"_s, u"atomic"_s);
    return s;
}

QJsonObject objectSchema(const SchemaType *t, QSet<const SchemaType *> *reached)
{
    QJsonObject properties;
    QJsonArray required;
    for (const SchemaField &f : t->fields) {
        properties.insert(f.name, fieldSchema(f, reached));
        if (f.required)
            required.append(f.name);
    }
    QJsonObject s{{u"type"_s, u"object"_s}};
    if (!t->description.isEmpty())
        s.insert(u"description"_s, t->description);
    if (!properties.isEmpty())
        s.insert(u"properties"_s, properties);
    if (!required.isEmpty())
        s.insert(u"required"_s, required);
    if (t->atomic)
        s.insert(u"x-kubernetes-map-type"_s, u"atomic"_s);
    return s;
}

QJsonObject gvk(const ResourceInfo &r)
{
    return QJsonObject{{u"group"_s, r.group}, {u"version"_s, r.version}, {u"kind"_s, r.kind}};
}

QJsonObject queryParameter(const QString &name, const QString &description)
{
    return QJsonObject{{u"name"_s, name},
                       {u"in"_s, u"query"_s},
                       {u"description"_s, description},
                       {u"schema"_s, QJsonObject{{u"type"_s, u"string"_s},
                                                 {u"uniqueItems"_s, true}}}};
}

QJsonObject jsonContent(const QJsonObject &schema)
{
    return QJsonObject{{u"application/json"_s, QJsonObject{{u"schema"_s, schema}}},
                       {u"application/yaml"_s, QJsonObject{{u"schema"_s, schema}}}};
}

QJsonObject operation(const ResourceInfo &r, const QString &action, const QString &summary,
                      QJsonArray parameters, const QJsonObject &responseSchema)
{
    return QJsonObject{
        {u"description"_s, summary},
        {u"operationId"_s, action + r.kind},
        {u"parameters"_s, parameters},
        {u"responses"_s,
         QJsonObject{{u"200"_s, QJsonObject{{u"description"_s, u"OK"_s},
                                            {u"content"_s, jsonContent(responseSchema)}}},
                     {u"401"_s, QJsonObject{{u"description"_s, u"Unauthorized"_s}}}}},
        {u"x-kubernetes-action"_s, action},
        {u"x-kubernetes-group-version-kind"_s, gvk(r)}};
}

QJsonObject pathsFor(const ResourceInfo &r, QSet<const SchemaType *> *reached)
{
    const QString base = r.group.isEmpty() ? u"/api/"_s + r.version
                                           : u"/apis/%1/%2"_s.arg(r.group, r.version);
    const QString collection =
        base + (r.namespaced ? u"/namespaces/{namespace}/"_s : u"/"_s) + r.plural;
    const QString item = collection + u"/{name}"_s;
    const QJsonObject self = typeSchema(r.schema, reached);
    const QJsonArray writeParams{
        queryParameter(u"dryRun"_s, u"When All, the request is checked but nothing is stored."_s),
        queryParameter(u"fieldManager"_s, u"The name of the actor making the change."_s),
        queryParameter(u"fieldValidation"_s,
                       u"What to do with unknown or duplicate fields: Ignore, Warn or Strict."_s)};
    QJsonArray patchParams = writeParams;
    patchParams.append(
        queryParameter(u"force"_s, u"Server-side apply: take over conflicting fields."_s));

    QJsonObject collectionOps;
    QJsonObject itemOps;
    const auto can = [&](const char16_t *verb) { return r.verbs.contains(QString::fromUtf16(verb)); };
    if (can(u"list"))
        collectionOps.insert(u"get"_s, operation(r, u"list"_s, u"Lists objects of kind "_s + r.kind,
                                                 {}, QJsonObject{{u"type"_s, u"object"_s}}));
    if (can(u"create")) {
        QJsonObject op = operation(r, u"post"_s, u"Creates a "_s + r.kind, writeParams, self);
        op.insert(u"requestBody"_s, QJsonObject{{u"content"_s, jsonContent(self)}});
        collectionOps.insert(u"post"_s, op);
    }
    if (can(u"deletecollection"))
        collectionOps.insert(u"delete"_s, operation(r, u"deletecollection"_s,
                                                    u"Deletes a collection of "_s + r.kind, {},
                                                    QJsonObject{{u"type"_s, u"object"_s}}));
    if (can(u"get"))
        itemOps.insert(u"get"_s, operation(r, u"get"_s, u"Reads a "_s + r.kind, {}, self));
    if (can(u"update")) {
        QJsonObject op = operation(r, u"put"_s, u"Replaces a "_s + r.kind, writeParams, self);
        op.insert(u"requestBody"_s, QJsonObject{{u"content"_s, jsonContent(self)}});
        itemOps.insert(u"put"_s, op);
    }
    if (can(u"patch")) {
        QJsonObject op = operation(r, u"patch"_s, u"Partially updates a "_s + r.kind, patchParams, self);
        const QJsonObject patchSchema{{u"type"_s, u"object"_s}};
        QJsonObject content;
        QStringList types{u"application/apply-patch+yaml"_s, u"application/json-patch+json"_s,
                          u"application/merge-patch+json"_s};
        // Custom resources have no strategic merge keys: kubectl then sends merge patches.
        if (!r.custom)
            types.append(u"application/strategic-merge-patch+json"_s);
        for (const QString &type : types)
            content.insert(type, QJsonObject{{u"schema"_s, patchSchema}});
        op.insert(u"requestBody"_s, QJsonObject{{u"content"_s, content}, {u"required"_s, true}});
        itemOps.insert(u"patch"_s, op);
    }
    if (can(u"delete"))
        itemOps.insert(u"delete"_s, operation(r, u"delete"_s, u"Deletes a "_s + r.kind, writeParams,
                                              QJsonObject{{u"type"_s, u"object"_s}}));
    QJsonObject paths;
    if (!collectionOps.isEmpty())
        paths.insert(collection, collectionOps);
    if (!itemOps.isEmpty())
        paths.insert(item, itemOps);
    return paths;
}

QByteArray hashOf(const QJsonObject &doc)
{
    return QCryptographicHash::hash(QJsonDocument(doc).toJson(QJsonDocument::Compact),
                                    QCryptographicHash::Sha512)
        .toHex()
        .toUpper()
        .left(128);
}

} // namespace

QJsonObject openApiSchema(const SchemaType *type)
{
    if (type->kind == Kind::Object)
        return objectSchema(type, nullptr);
    return typeSchema(type, nullptr);
}

QJsonObject openApiDocument(const core::SchemaRegistry &registry, const QString &group,
                            const QString &version)
{
    QJsonObject paths;
    QSet<const SchemaType *> reached;
    QHash<const SchemaType *, QJsonArray> kinds;
    for (const ResourceInfo *r : registry.resources()) {
        if (r->group != group || r->version != version || !r->schema)
            continue;
        const QJsonObject p = pathsFor(*r, &reached);
        for (auto it = p.begin(); it != p.end(); ++it)
            paths.insert(it.key(), it.value());
        kinds[r->schema].append(gvk(*r));
    }
    if (paths.isEmpty())
        return {};
    // Every type reachable from the kinds, breadth first.
    QJsonObject schemas;
    QList<const SchemaType *> queue(reached.begin(), reached.end());
    QSet<const SchemaType *> done;
    while (!queue.isEmpty()) {
        const SchemaType *t = queue.takeFirst();
        if (done.contains(t))
            continue;
        done.insert(t);
        QSet<const SchemaType *> more;
        QJsonObject s = objectSchema(t, &more);
        if (kinds.contains(t))
            s.insert(u"x-kubernetes-group-version-kind"_s, kinds.value(t));
        schemas.insert(t->name, s);
        for (const SchemaType *m : std::as_const(more))
            if (!done.contains(m))
                queue.append(m);
    }
    return QJsonObject{
        {u"openapi"_s, u"3.0.0"_s},
        {u"info"_s, QJsonObject{{u"title"_s, u"Kubernetes"_s}, {u"version"_s, u"v1.32.0"_s}}},
        {u"paths"_s, paths},
        {u"components"_s, QJsonObject{{u"schemas"_s, schemas}}}};
}

QJsonObject openApiRoot(const core::SchemaRegistry &registry)
{
    QJsonObject paths;
    for (const QString &group : servedGroups(registry)) {
        for (const QString &version : servedVersions(registry, group)) {
            const QString path = group.isEmpty() ? u"api/"_s + version
                                                 : u"apis/%1/%2"_s.arg(group, version);
            const QByteArray hash = hashOf(openApiDocument(registry, group, version));
            paths.insert(path, QJsonObject{{u"serverRelativeURL"_s,
                                            u"/openapi/v3/%1?hash=%2"_s.arg(
                                                path, QString::fromLatin1(hash))}});
        }
    }
    return QJsonObject{{u"paths"_s, paths}};
}

} // namespace timonel::apiserver
