#include "customresources.h"

#include "resourcestore.h"

#include "core/schema.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcApiServer)

namespace timonel::apiserver {

namespace {

QJsonObject specOf(const QJsonObject &crd)
{
    return crd.value(u"spec").toObject();
}

QStringList strings(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &s : v.toArray())
        out.append(s.toString());
    return out;
}

// "example.com" + v1 + Widget -> "com.example.v1.Widget", as Kubernetes names CR schemas.
QString schemaName(const QString &group, const QString &version, const QString &kind)
{
    QStringList parts = group.split(u'.');
    std::reverse(parts.begin(), parts.end());
    return parts.join(u'.') + u'.' + version + u'.' + kind;
}

const core::ResourceInfo *crdResource(const core::SchemaRegistry &schemas)
{
    return schemas.resource(u"apiextensions.k8s.io", u"v1", u"customresourcedefinitions");
}

} // namespace

CustomResources::CustomResources(ResourceStore &store, core::SchemaRegistry &schemas,
                                 QObject *parent)
    : QObject(parent), m_store(store), m_schemas(schemas)
{
}

void CustomResources::loadAll()
{
    const core::ResourceInfo *crds = crdResource(m_schemas);
    if (!crds)
        return;
    auto all = m_store.list(*crds, {}, {});
    if (!all)
        return;
    for (const QJsonObject &crd : std::as_const(all->items))
        onWritten(crd, false);
}

void CustomResources::onWritten(const QJsonObject &crd, bool deleted)
{
    unregister(crd);
    if (deleted) {
        deleteInstances(crd);
    } else {
        registerVersions(crd);
        reportEstablished(crd);
    }
    Q_EMIT resourcesChanged();
}

void CustomResources::unregister(const QJsonObject &crd)
{
    const QJsonObject spec = specOf(crd);
    const QString group = spec.value(u"group").toString();
    const QString plural = spec.value(u"names").toObject().value(u"plural").toString();
    for (const core::ResourceInfo *r : m_schemas.resources())
        if (r->custom && r->group == group && r->plural == plural)
            m_schemas.removeResource(group, r->version, plural);
}

void CustomResources::registerVersions(const QJsonObject &crd)
{
    const QJsonObject spec = specOf(crd);
    const QJsonObject names = spec.value(u"names").toObject();
    for (const QJsonValue &v : spec.value(u"versions").toArray()) {
        const QJsonObject version = v.toObject();
        if (!version.value(u"served").toBool())
            continue;
        core::ResourceInfo info;
        info.custom = true;
        info.group = spec.value(u"group").toString();
        info.version = version.value(u"name").toString();
        info.kind = names.value(u"kind").toString();
        info.plural = names.value(u"plural").toString();
        info.singular = names.value(u"singular").toString(info.kind.toLower());
        info.shortNames = strings(names.value(u"shortNames"));
        info.categories = strings(names.value(u"categories"));
        info.namespaced = spec.value(u"scope").toString() != u"Cluster";
        info.verbs = QStringList{u"create"_s, u"delete"_s, u"deletecollection"_s, u"get"_s,
                                 u"list"_s, u"patch"_s, u"update"_s, u"watch"_s};
        const QJsonObject subresources = version.value(u"subresources").toObject();
        if (subresources.contains(u"status"))
            info.subresources.append(u"status"_s);
        if (subresources.contains(u"scale"))
            info.subresources.append(u"scale"_s);

        // Name always comes first; the CRD's columns replace the default Age column.
        info.columns.append({u"Name"_s, u"string"_s, u"name"_s, 0, {}, u"name"_s});
        const QJsonArray printerColumns = version.value(u"additionalPrinterColumns").toArray();
        for (const QJsonValue &c : printerColumns) {
            const QJsonObject column = c.toObject();
            info.columns.append({column.value(u"name").toString(),
                                 column.value(u"type").toString(u"string"_s),
                                 column.value(u"format").toString(),
                                 column.value(u"priority").toInt(),
                                 column.value(u"description").toString(),
                                 column.value(u"jsonPath").toString()});
        }
        if (printerColumns.isEmpty())
            info.columns.append({u"Age"_s, u"date"_s, {}, 0, {}, u"age"_s});

        const QJsonObject openApi =
            version.value(u"schema").toObject().value(u"openAPIV3Schema").toObject();
        auto schema = core::schemaFromOpenApi(
            openApi.isEmpty() ? QJsonObject{{u"type"_s, u"object"_s},
                                            {u"x-kubernetes-preserve-unknown-fields"_s, true}}
                              : openApi,
            m_schemas);
        if (!schema) {
            qCWarning(lcApiServer).noquote()
                << "CRD" << info.groupResource() << "has an unusable schema:" << schema.error();
            continue;
        }
        auto *root = const_cast<core::SchemaType *>(*schema);
        root->name = schemaName(info.group, info.version, info.kind);
        if (root->description.isEmpty())
            root->description = u"%1 is a custom resource of %2."_s.arg(info.kind, info.group);
        info.schema = root;
        m_schemas.addResource(std::move(info));
    }
}

void CustomResources::reportEstablished(const QJsonObject &crd)
{
    const QJsonObject status = crd.value(u"status").toObject();
    for (const QJsonValue &c : status.value(u"conditions").toArray())
        if (c.toObject().value(u"type") == u"Established"_s
            && c.toObject().value(u"status") == u"True"_s)
            return;
    const core::ResourceInfo *crds = crdResource(m_schemas);
    if (!crds)
        return;
    const QJsonObject spec = specOf(crd);
    QJsonObject names = spec.value(u"names").toObject();
    if (!names.contains(u"singular"))
        names.insert(u"singular"_s, names.value(u"kind").toString().toLower());
    if (!names.contains(u"listKind"))
        names.insert(u"listKind"_s, names.value(u"kind").toString() + u"List"_s);
    QString storage;
    for (const QJsonValue &v : spec.value(u"versions").toArray())
        if (v.toObject().value(u"storage").toBool())
            storage = v.toObject().value(u"name").toString();
    const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    QJsonObject updated = crd;
    updated.insert(
        u"status"_s,
        QJsonObject{
            {u"acceptedNames"_s, names},
            {u"storedVersions"_s, QJsonArray{storage}},
            {u"conditions"_s,
             QJsonArray{QJsonObject{{u"type"_s, u"NamesAccepted"_s},
                                    {u"status"_s, u"True"_s},
                                    {u"reason"_s, u"NoConflicts"_s},
                                    {u"message"_s, u"no conflicts found"_s},
                                    {u"lastTransitionTime"_s, now}},
                        QJsonObject{{u"type"_s, u"Established"_s},
                                    {u"status"_s, u"True"_s},
                                    {u"reason"_s, u"InitialNamesAccepted"_s},
                                    {u"message"_s, u"the initial names have been accepted"_s},
                                    {u"lastTransitionTime"_s, now}}}}});
    WriteOptions options;
    options.fieldManager = u"kube-apiserver"_s;
    const QString name = crd.value(u"metadata").toObject().value(u"name").toString();
    m_store.update(*crds, {}, name, u"status"_s, updated, options, [name](ApiResult<Written> w) {
        if (!w && w.error().code != 409 && w.error().code != 404)
            qCWarning(lcApiServer).noquote()
                << "cannot set the status of CRD" << name << w.error().message;
    });
}

void CustomResources::deleteInstances(const QJsonObject &crd)
{
    // The registration is gone; remove what was stored under it, straight from storage.
    const QJsonObject spec = specOf(crd);
    const QString prefix = u"/%1.%2/"_s.arg(spec.value(u"names").toObject().value(u"plural").toString(),
                                            spec.value(u"group").toString());
    for (const StoredObject &o : m_store.storage().list(prefix))
        m_store.storage().remove(o.key, 0, [](const StorageResult &) {});
}

} // namespace timonel::apiserver
