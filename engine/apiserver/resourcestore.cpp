#include "resourcestore.h"

#include "fieldmanager.h"
#include "limitrangeadmission.h"
#include "quotaadmission.h"
#include "resourcestore_p.h"
#include "schemacheck.h"
#include "serviceallocator.h"
#include "strategy.h"

#include "core/names.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUuid>

using namespace Qt::StringLiterals;
using timonel::core::ResourceInfo;
using namespace timonel::apiserver::detail;

namespace timonel::apiserver {

namespace {

// Continue tokens are opaque to clients: the list's revision and the last key returned.
QString continueToken(qint64 revision, const QString &lastKey)
{
    const QJsonObject token{{u"rv"_s, revision}, {u"start"_s, lastKey}};
    return QString::fromLatin1(QJsonDocument(token).toJson(QJsonDocument::Compact).toBase64(
        QByteArray::Base64UrlEncoding));
}

std::expected<QString, ApiError> continueKey(const QString &prefix, const QString &token)
{
    if (token.isEmpty())
        return QString();
    const QJsonObject t = QJsonDocument::fromJson(
                              QByteArray::fromBase64(token.toLatin1(), QByteArray::Base64UrlEncoding))
                              .object();
    const QString after = t.value(u"start").toString();
    if (!after.startsWith(prefix))
        return std::unexpected(ApiError::badRequest(u"continue key is not valid"_s));
    return after;
}

// Everything but metadata and status: what bumps metadata.generation when it changes.
QJsonObject specPart(QJsonObject o)
{
    o.remove(u"metadata"_s);
    o.remove(u"status"_s);
    return o;
}

} // namespace

ResourceStore::ResourceStore(Storage &storage, core::SchemaRegistry &schemas,
                             ClusterNetwork network, QObject *parent)
    : QObject(parent), m_storage(storage), m_schemas(schemas), m_network(network),
      m_allocator(std::make_unique<ServiceAllocator>(storage, m_network))
{
}

ResourceStore::~ResourceStore() = default;

QString ResourceStore::keyFor(const ResourceInfo &r, const QString &ns, const QString &name)
{
    return r.namespaced ? u"/%1/%2/%3"_s.arg(r.groupResource(), ns, name)
                        : u"/%1/%2"_s.arg(r.groupResource(), name);
}

QString ResourceStore::prefixFor(const ResourceInfo &r, const QString &ns)
{
    return r.namespaced && !ns.isEmpty() ? u"/%1/%2/"_s.arg(r.groupResource(), ns)
                                         : u"/%1/"_s.arg(r.groupResource());
}

ApiError ResourceStore::storageError(const ResourceInfo &r, const QString &name,
                                     const StorageError &e) const
{
    switch (e.code) {
    case StorageErrorCode::NotFound:
        return ApiError::notFound(r.groupResource(), name);
    case StorageErrorCode::AlreadyExists:
        return ApiError::alreadyExists(r.groupResource(), name);
    case StorageErrorCode::Conflict:
        return ApiError::conflict(r.groupResource(), name,
                                  u"the object has been modified; please apply your changes to "
                                  "the latest version and try again"_s);
    case StorageErrorCode::Gone:
        return ApiError::gone(e.message);
    case StorageErrorCode::Internal:
        break;
    }
    return ApiError::internal(e.message);
}

ApiResult<QJsonObject> ResourceStore::get(const ResourceInfo &r, const QString &ns,
                                          const QString &name) const
{
    auto stored = m_storage.get(keyFor(r, ns, name));
    if (!stored)
        return std::unexpected(ApiError::notFound(r.groupResource(), name));
    return stored->object;
}

bool ResourceStore::supportsField(const ResourceInfo &r, QStringView field)
{
    if (field == u"metadata.name" || (r.namespaced && field == u"metadata.namespace"))
        return true;
    return r.fieldSelectors.contains(field.toString());
}

bool ResourceStore::matches(const ResourceInfo &, const QJsonObject &object,
                            const ListOptions &options) const
{
    if (!options.labels.matches(meta(object).value(u"labels").toObject()))
        return false;
    if (options.fields.isEmpty())
        return true;
    return options.fields.matches(
        [&](QStringView field) { return core::fieldValue(object, field); });
}

ApiResult<JsonListResult> ResourceStore::listJson(const ResourceInfo &r, const QString &ns,
                                                 const ListOptions &options) const
{
    Q_ASSERT(options.labels.isEmpty() && options.fields.isEmpty());
    JsonListResult result;
    result.revision = m_storage.currentRevision();
    const QString prefix = prefixFor(r, ns);
    auto after = continueKey(prefix, options.continueToken);
    if (!after)
        return std::unexpected(after.error());
    result.items = m_storage.listJson(prefix, *after, options.limit);
    if (options.limit > 0 && result.items.size() == options.limit
        && m_storage.count(prefix, result.items.last().key) > 0)
        result.continueToken = continueToken(result.revision, result.items.last().key);
    return result;
}

ApiResult<ListResult> ResourceStore::list(const ResourceInfo &r, const QString &ns,
                                          const ListOptions &options) const
{
    for (const QString &field : options.fields.fields())
        if (!supportsField(r, field))
            return std::unexpected(ApiError::badRequest(
                u"field label not supported: %1"_s.arg(field)));
    ListResult result;
    result.revision = m_storage.currentRevision();
    const QString prefix = prefixFor(r, ns);
    auto start = continueKey(prefix, options.continueToken);
    if (!start)
        return std::unexpected(start.error());
    QString after = *start;
    // The fast path of `metadata.name=x` (kubectl's delete and rollout waits).
    if (const auto name = options.fields.exactValue(u"metadata.name");
        name && (!r.namespaced || !ns.isEmpty())) {
        if (auto stored = m_storage.get(keyFor(r, ns, *name)); stored && matches(r, stored->object, options))
            result.items.append(stored->object);
        return result;
    }
    const int chunk = options.limit > 0 ? qMax(options.limit, 100) : 0;
    while (true) {
        const QList<StoredObject> page = m_storage.list(prefix, after, chunk);
        for (const StoredObject &s : page) {
            after = s.key;
            if (!matches(r, s.object, options))
                continue;
            result.items.append(s.object);
            if (options.limit > 0 && result.items.size() == options.limit) {
                const qint64 rest = m_storage.count(prefix, after);
                if (rest > 0)
                    result.continueToken = continueToken(result.revision, after);
                return result;
            }
        }
        if (chunk == 0 || page.size() < chunk)
            return result;
    }
}

ApiResult<ResourceStore::WatchStart> ResourceStore::watch(const ResourceInfo &r, const QString &ns,
                                                          const ListOptions &options,
                                                          const QString &resourceVersion)
{
    WatchStart start;
    start.fromRevision = resourceVersion.toLongLong();
    if (resourceVersion.isEmpty() || resourceVersion == u"0") {
        auto current = list(r, ns, options);
        if (!current)
            return std::unexpected(current.error());
        start.initial = std::move(current->items);
        start.fromRevision = current->revision;
    }
    auto w = m_storage.watch(prefixFor(r, ns), start.fromRevision);
    if (!w)
        return std::unexpected(storageError(r, {}, w.error()));
    start.watch = std::move(*w);
    return start;
}

QJsonObject ResourceStore::listMetadata(qint64 revision, const QString &continueToken)
{
    QJsonObject meta{{u"resourceVersion"_s, QString::number(revision)}};
    if (!continueToken.isEmpty())
        meta.insert(u"continue"_s, continueToken);
    return meta;
}

QJsonObject ResourceStore::listDocument(const ResourceInfo &r, const ListResult &result)
{
    QJsonArray items;
    for (const QJsonObject &o : result.items)
        items.append(o);
    return QJsonObject{{u"kind"_s, r.kind + u"List"_s},
                       {u"apiVersion"_s, r.apiVersion()},
                       {u"metadata"_s, listMetadata(result.revision, result.continueToken)},
                       {u"items"_s, items}};
}

ApiResult<QJsonObject> ResourceStore::decodeCheck(const ResourceInfo &r, QJsonObject &object,
                                                  const WriteOptions &options,
                                                  QStringList &warnings) const
{
    const QString apiVersion = object.value(u"apiVersion").toString();
    const QString kind = object.value(u"kind").toString();
    if ((!apiVersion.isEmpty() && apiVersion != r.apiVersion())
        || (!kind.isEmpty() && kind != r.kind)) {
        return std::unexpected(ApiError::badRequest(
            u"the API version in the data (%1) does not match the expected API version (%2)"_s
                .arg(apiVersion, r.apiVersion())));
    }
    object.insert(u"apiVersion"_s, r.apiVersion());
    object.insert(u"kind"_s, r.kind);
    const DecodeProblems problems = checkFields(object, r.schema);
    if (!problems.typeErrors.isEmpty()) {
        if (r.custom) { // validated against its OpenAPI schema, as the CRD's structural schema
            FieldErrors errors;
            for (const TypeMismatch &m : problems.typeErrors)
                errors.append(FieldError::invalid(
                    m.path, m.jsonType,
                    u"%1 in body must be of type %2: \"%3\""_s.arg(m.path, m.openApiType,
                                                                     m.jsonType)));
            return std::unexpected(ApiError::invalid(qualifiedKind(r), nameOf(object), errors));
        }
        return std::unexpected(ApiError::badRequest(
            u"%1 in version \"%2\" cannot be handled as a %1: %3"_s.arg(
                r.kind, r.version, problems.typeErrors.first().goMessage)));
    }
    if (!problems.unknownFields.isEmpty()) {
        if (options.fieldValidation == FieldValidation::Strict)
            return std::unexpected(ApiError::badRequest(
                u"%1 in version \"%2\" cannot be handled as a %1: strict decoding error: %3"_s.arg(
                    r.kind, r.version, problems.unknownFields.join(u", "_s))));
        if (options.fieldValidation == FieldValidation::Warn)
            warnings += problems.unknownFields;
    }
    return object;
}

std::optional<ApiError> ResourceStore::admit(const ResourceInfo &r, QJsonObject &object,
                                             const QJsonObject *old, const QString &subresource,
                                             bool dryRun)
{
    const QString resource = r.groupResource();
    const QString name = nameOf(object);
    auto invalid = [&](const FieldErrors &errors) {
        return ApiError::invalid(qualifiedKind(r), name, errors);
    };
    if (resource == u"services")
        if (const FieldErrors errors = m_allocator->allocate(object, old); !errors.isEmpty())
            return invalid(errors);
    // The DefaultStorageClass admission plugin: a new claim without a class gets the default.
    if (!old && resource == u"persistentvolumeclaims")
        if (const auto *classes = m_schemas.resource(u"storage.k8s.io"_s, u"v1"_s, u"storageclasses"_s))
            if (auto listed = list(*classes, {}, {}))
                defaultStorageClass(object, listed->items);
    // A LimitRange's own API defaults, which its validation judges (SetDefaults_LimitRangeItem).
    if (resource == u"limitranges" && subresource.isEmpty()) {
        defaultLimitRange(object);
        if (const FieldErrors errors = validateLimitRange(object); !errors.isEmpty())
            return invalid(errors);
    }
    if (!r.namespaced)
        return std::nullopt;

    const QString ns = meta(object).value(u"namespace").toString();
    auto inNamespace = [&](const QString &plural) {
        if (const auto *info = m_schemas.resource(QString(), u"v1"_s, plural))
            if (auto listed = list(*info, ns, {}))
                return listed->items;
        return QList<QJsonObject>();
    };

    // LimitRanger: defaults for a new pod's containers (after which the pod's QoS class and
    // validation are what they would be had the user written them), then the limits.
    if (limitRangerHandles(resource, subresource, old)) {
        const QList<QJsonObject> limitRanges = inNamespace(u"limitranges"_s);
        if (resource == u"pods" && applyLimitRangeDefaults(object, limitRanges)) {
            const KindStrategy &strategy = strategyFor(r);
            if (strategy.prepareForCreate)
                strategy.prepareForCreate(object);
            if (strategy.validate)
                if (const FieldErrors errors = strategy.validate(object, old); !errors.isEmpty())
                    return invalid(errors);
        }
        if (const auto violation = limitRangeViolation(resource, object, limitRanges))
            return ApiError::forbidden(resource, name, *violation);
    }

    // ResourceQuota, last: what it charges is what gets stored.
    const QuotaRequest request{resource, subresource, object, old};
    const auto *quotas = m_schemas.resource(QString(), u"v1"_s, u"resourcequotas"_s);
    if (!quotas || !quotaHandles(request))
        return std::nullopt;
    const auto charged =
        chargeQuotas(request, inNamespace(u"resourcequotas"_s), QDateTime::currentDateTimeUtc());
    if (!charged)
        return charged.error();
    // A create that will fail as AlreadyExists is refused by quota as Kubernetes would, but
    // charges nothing: the quota would stay wrong until the controller's next recount.
    const bool exists = !old && m_storage.get(keyFor(r, ns, name)).has_value();
    if (!dryRun && !exists)
        storeQuotaCharges(m_storage, *quotas, *charged);
    return std::nullopt;
}

void ResourceStore::create(const ResourceInfo &r, const QString &ns, QJsonObject object,
                           const WriteOptions &options, WriteCallback done)
{
    QStringList warnings;
    if (auto ok = decodeCheck(r, object, options, warnings); !ok)
        return done(std::unexpected(ok.error()));
    QJsonObject m = meta(object);
    if (r.namespaced) {
        const QString bodyNs = m.value(u"namespace").toString();
        if (!bodyNs.isEmpty() && bodyNs != ns)
            return done(std::unexpected(ApiError::badRequest(
                u"the namespace of the provided object does not match the namespace sent on the "
                "request"_s)));
        m.insert(u"namespace"_s, ns);
    }
    if (!m.value(u"resourceVersion").toString().isEmpty())
        return done(std::unexpected(
            ApiError::badRequest(u"resourceVersion should not be set on objects to be created"_s)));
    if (m.value(u"name").toString().isEmpty() && !m.value(u"generateName").toString().isEmpty())
        m.insert(u"name"_s, core::generateName(m.value(u"generateName").toString()));
    setMeta(object, m);
    finishCreate(r, ns, std::move(object), options, std::move(warnings), std::move(done));
}

void ResourceStore::finishCreate(const ResourceInfo &r, const QString &ns, QJsonObject object,
                                 const WriteOptions &options, QStringList warnings,
                                 WriteCallback done)
{
    QJsonObject m = meta(object);
    const QString name = m.value(u"name").toString();
    for (const char16_t *server : {u"uid", u"creationTimestamp", u"deletionTimestamp",
                                   u"deletionGracePeriodSeconds", u"generation", u"selfLink"})
        m.remove(QString::fromUtf16(server));
    m.insert(u"uid"_s, QUuid::createUuid().toString(QUuid::WithoutBraces));
    m.insert(u"creationTimestamp"_s, now());
    if (tracksGeneration(r))
        m.insert(u"generation"_s, 1);
    setMeta(object, m);

    if (r.namespaced) {
        const auto *namespaces = m_schemas.resource(u"", u"v1", u"namespaces");
        auto owner = namespaces ? m_storage.get(keyFor(*namespaces, {}, ns)) : std::nullopt;
        if (!owner)
            return done(std::unexpected(ApiError::notFound(u"namespaces"_s, ns)));
        if (!meta(owner->object).value(u"deletionTimestamp").isUndefined())
            return done(std::unexpected(ApiError::forbidden(
                r.groupResource(), name,
                u"unable to create new content in namespace %1 because it is being terminated"_s
                    .arg(ns))));
    }

    const KindStrategy &strategy = strategyFor(r);
    // New objects start without status, except where their creator reports it (Nodes).
    if (hasSubresource(r, u"status") && !strategy.statusFromCreator) {
        // Kubernetes resets it to the empty struct, which its JSON shows as {}.
        object.remove(u"status"_s);
        if (!r.custom)
            object.insert(u"status"_s, QJsonObject());
    }
    if (strategy.prepareForCreate)
        strategy.prepareForCreate(object);
    if (strategy.defaults)
        strategy.defaults(object);
    applySchemaDefaults(object, r.schema);
    canonicalizeQuantities(object, r.schema);

    FieldErrors errors = validateObjectMeta(object, r);
    errors += validateAgainstSchema(object, r.schema);
    if (strategy.validate)
        errors += strategy.validate(object, nullptr);
    if (!errors.isEmpty())
        return done(std::unexpected(ApiError::invalid(qualifiedKind(r), name, errors)));
    if (auto refused = admit(r, object, nullptr, {}, options.dryRun))
        return done(std::unexpected(*refused));

    if (!options.fieldManager.isEmpty())
        object = updateManagedFields({}, object, options.fieldManager, r.schema, r.apiVersion(),
                                     QDateTime::currentDateTimeUtc());
    if (options.dryRun)
        return done(Written{object, warnings, true, false});
    m_storage.create(keyFor(r, ns, name), object,
                     [this, r, name, warnings, done](const StorageResult &result) {
                         if (!result)
                             return done(std::unexpected(storageError(r, name, result.error())));
                         afterWrite(r, result->object, false);
                         done(Written{result->object, warnings, true, false});
                     });
}

void ResourceStore::update(const ResourceInfo &r, const QString &ns, const QString &name,
                           const QString &subresource, QJsonObject object,
                           const WriteOptions &options, WriteCallback done)
{
    QStringList warnings;
    if (auto ok = decodeCheck(r, object, options, warnings); !ok)
        return done(std::unexpected(ok.error()));
    const QString bodyName = nameOf(object);
    if (bodyName != name)
        return done(std::unexpected(ApiError::badRequest(
            u"the name of the object (%1) does not match the name on the URL (%2)"_s.arg(bodyName,
                                                                                          name))));
    auto old = m_storage.get(keyFor(r, ns, name));
    if (!old)
        return done(std::unexpected(ApiError::notFound(r.groupResource(), name)));
    finishUpdate(r, ns, name, subresource, old->object, std::move(object), options,
                 std::move(warnings), std::move(done));
}

void ResourceStore::finishUpdate(const ResourceInfo &r, const QString &ns, const QString &name,
                                 const QString &subresource, const QJsonObject &old,
                                 QJsonObject object, const WriteOptions &options,
                                 QStringList warnings, WriteCallback done)
{
    QJsonObject m = meta(object);
    const QJsonObject oldMeta = meta(old);
    const QString rv = m.value(u"resourceVersion").toString();
    if (!rv.isEmpty() && rv != oldMeta.value(u"resourceVersion").toString())
        return done(std::unexpected(storageError(r, name, {StorageErrorCode::Conflict, {}, 0})));
    if (r.namespaced && !m.value(u"namespace").toString().isEmpty()
        && m.value(u"namespace").toString() != ns)
        return done(std::unexpected(ApiError::badRequest(
            u"the namespace of the provided object does not match the namespace sent on the "
            "request"_s)));

    if (subresource == u"status") {
        // A status write changes only the status.
        QJsonObject merged = old;
        merged.insert(u"status"_s, object.value(u"status"));
        QJsonObject mm = oldMeta;
        mm.insert(u"resourceVersion"_s, rv);
        if (m.contains(u"managedFields"))
            mm.insert(u"managedFields"_s, m.value(u"managedFields"));
        object = merged;
        m = mm;
    } else if (hasSubresource(r, u"status")) {
        object.insert(u"status"_s, old.value(u"status"));
        if (old.value(u"status").isUndefined())
            object.remove(u"status"_s);
    }
    // What the server owns stays as it was.
    for (const char16_t *server : {u"uid", u"creationTimestamp", u"deletionTimestamp",
                                   u"deletionGracePeriodSeconds", u"generation", u"name",
                                   u"namespace"}) {
        const QString key = QString::fromUtf16(server);
        if (oldMeta.contains(key))
            m.insert(key, oldMeta.value(key));
        else
            m.remove(key);
    }
    setMeta(object, m);

    const KindStrategy &strategy = strategyFor(r);
    if (strategy.defaults)
        strategy.defaults(object);
    applySchemaDefaults(object, r.schema);
    canonicalizeQuantities(object, r.schema);
    if (strategy.prepareForUpdate)
        strategy.prepareForUpdate(object, old, subresource);

    FieldErrors errors = validateObjectMeta(object, r);
    errors += validateAgainstSchema(object, r.schema);
    if (strategy.validate)
        errors += strategy.validate(object, &old);
    if (!errors.isEmpty())
        return done(std::unexpected(ApiError::invalid(qualifiedKind(r), name, errors)));
    if (auto refused = admit(r, object, &old, subresource, options.dryRun))
        return done(std::unexpected(*refused));

    if (tracksGeneration(r) && specPart(object) != specPart(old)) {
        QJsonObject mm = meta(object);
        mm.insert(u"generation"_s, oldMeta.value(u"generation").toInteger(1) + 1);
        setMeta(object, mm);
    }
    if (!options.fieldManager.isEmpty())
        object = updateManagedFields(old, object, options.fieldManager, r.schema, r.apiVersion(),
                                     QDateTime::currentDateTimeUtc(), subresource);

    // The last finalizer removed from an object being deleted: it goes now.
    const QJsonObject nm = meta(object);
    if (!nm.value(u"deletionTimestamp").isUndefined()
        && nm.value(u"finalizers").toArray().isEmpty()
        && !(strategy.holdsDeletion && strategy.holdsDeletion(object))) {
        return destroy(r, keyFor(r, ns, name), object, options.dryRun, std::move(done));
    }
    if (options.dryRun)
        return done(Written{object, warnings, false, false});
    m_storage.update(keyFor(r, ns, name), object, revisionOf(old),
                     [this, r, name, warnings, done](const StorageResult &result) {
                         if (!result)
                             return done(std::unexpected(storageError(r, name, result.error())));
                         afterWrite(r, result->object, false);
                         done(Written{result->object, warnings, false, false});
                     });
}

QString ResourceStore::eventTypeFor(const ResourceInfo &r, const WatchEvent &e,
                                   const ListOptions &options) const
{
    const bool now = e.type != WatchEventType::Deleted && matches(r, e.object, options);
    const bool before = !e.previous.isEmpty() && matches(r, e.previous, options);
    if (e.type == WatchEventType::Deleted)
        return before || matches(r, e.object, options) ? u"DELETED"_s : QString();
    if (now)
        return before ? u"MODIFIED"_s : u"ADDED"_s;
    return before ? u"DELETED"_s : QString(); // it no longer matches the selectors
}

void ResourceStore::afterWrite(const ResourceInfo &r, const QJsonObject &object, bool deleted)
{
    if (r.groupResource() == u"customresourcedefinitions.apiextensions.k8s.io")
        Q_EMIT customResourceDefinitionWritten(object, deleted);
}


} // namespace timonel::apiserver
