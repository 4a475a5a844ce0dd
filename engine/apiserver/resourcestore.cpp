#include "resourcestore.h"

#include "fieldmanager.h"
#include "schemacheck.h"
#include "strategy.h"

#include "core/cidr.h"
#include "core/jsonpatch.h"
#include "core/mergepatch.h"
#include "core/names.h"
#include "core/strategicmergepatch.h"
#include "core/yaml.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSet>
#include <QUuid>

using namespace Qt::StringLiterals;
using timonel::core::ResourceInfo;

namespace timonel::apiserver {

namespace {

QJsonObject meta(const QJsonObject &o)
{
    return o.value(u"metadata").toObject();
}

QString nameOf(const QJsonObject &o)
{
    return meta(o).value(u"name").toString();
}

void setMeta(QJsonObject &o, const QJsonObject &m)
{
    o.insert(u"metadata"_s, m);
}

QString now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
}

// Kubernetes' kind qualified by group, as its Invalid errors name it: "Deployment.apps".
QString qualifiedKind(const ResourceInfo &r)
{
    return r.group.isEmpty() ? r.kind : r.kind + u'.' + r.group;
}

qint64 revisionOf(const QJsonObject &o)
{
    return meta(o).value(u"resourceVersion").toString().toLongLong();
}

// Everything but metadata and status: what bumps metadata.generation when it changes.
QJsonObject specPart(QJsonObject o)
{
    o.remove(u"metadata"_s);
    o.remove(u"status"_s);
    return o;
}

bool hasSubresource(const ResourceInfo &r, QStringView sub)
{
    return r.subresources.contains(sub.toString());
}

std::expected<QJsonValue, QString> parseBody(const QByteArray &body, bool yaml)
{
    if (yaml) {
        auto v = core::parseYaml(body);
        if (!v)
            return std::unexpected(v.error().message);
        return *v;
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        return std::unexpected(error.errorString());
    return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
}

} // namespace

// ClusterIPs and NodePorts of Services, found from the stored Services each time: the storage
// is the only truth, so nothing drifts after a restart.
class ResourceStore::Allocator
{
public:
    Allocator(Storage &storage, const ClusterNetwork &network)
        : m_storage(storage), m_network(network)
    {
    }

    FieldErrors allocate(QJsonObject &service, const QJsonObject *old)
    {
        FieldErrors errors;
        QJsonObject spec = service.value(u"spec").toObject();
        const QString type = spec.value(u"type").toString(u"ClusterIP"_s);
        QSet<QString> usedIps;
        QSet<qint64> usedPorts;
        for (const StoredObject &s : m_storage.list(u"/services/"_s)) {
            if (old && meta(s.object).value(u"uid") == meta(*old).value(u"uid"))
                continue;
            const QJsonObject other = s.object.value(u"spec").toObject();
            usedIps.insert(other.value(u"clusterIP").toString());
            for (const QJsonValue &p : other.value(u"ports").toArray())
                usedPorts.insert(p.toObject().value(u"nodePort").toInteger());
        }
        if (type != u"ExternalName") {
            QString ip = spec.value(u"clusterIP").toString();
            if (old && ip.isEmpty())
                ip = old->value(u"spec").toObject().value(u"clusterIP").toString();
            if (ip.isEmpty()) {
                const auto subnet = core::Ipv4Subnet::parse(m_network.serviceSubnet);
                // The lowest free address: the `kubernetes` service, created first, gets the
                // first one as in every cluster, and a predictable order reads well in `get svc`.
                for (quint32 i = 1; subnet && i + 1 < subnet->size(); ++i) {
                    const QString candidate = subnet->address(i);
                    if (!usedIps.contains(candidate)) {
                        ip = candidate;
                        break;
                    }
                }
                if (ip.isEmpty())
                    errors.append(FieldError::invalid(u"spec.clusterIPs"_s, QJsonValue::Undefined,
                                                      u"no free addresses in the service range"_s));
            } else if (ip != u"None" && usedIps.contains(ip)) {
                errors.append(FieldError::invalid(
                    u"spec.clusterIPs"_s, QJsonArray{ip},
                    u"failed to allocate IP %1: provided IP is already allocated"_s.arg(ip)));
            }
            spec.insert(u"clusterIP"_s, ip);
            spec.insert(u"clusterIPs"_s, QJsonArray{ip});
        }
        if (type == u"NodePort" || type == u"LoadBalancer") {
            QJsonArray ports = spec.value(u"ports").toArray();
            for (qsizetype i = 0; i < ports.size(); ++i) {
                QJsonObject p = ports[i].toObject();
                qint64 nodePort = p.value(u"nodePort").toInteger();
                if (nodePort == 0) {
                    const int span = m_network.nodePortLast - m_network.nodePortFirst + 1;
                    for (int tries = 0; tries < span && nodePort == 0; ++tries) {
                        const qint64 candidate =
                            m_network.nodePortFirst + QRandomGenerator::global()->bounded(span);
                        if (!usedPorts.contains(candidate))
                            nodePort = candidate;
                    }
                } else if (usedPorts.contains(nodePort)) {
                    errors.append(FieldError::invalid(
                        u"spec.ports[%1].nodePort"_s.arg(i), nodePort,
                        u"provided port is already allocated"_s));
                } else if (nodePort < m_network.nodePortFirst || nodePort > m_network.nodePortLast) {
                    errors.append(FieldError::invalid(
                        u"spec.ports[%1].nodePort"_s.arg(i), nodePort,
                        u"provided port is not in the valid range. The range of valid ports is %1-%2"_s
                            .arg(m_network.nodePortFirst)
                            .arg(m_network.nodePortLast)));
                }
                usedPorts.insert(nodePort);
                p.insert(u"nodePort"_s, nodePort);
                ports[i] = p;
            }
            spec.insert(u"ports"_s, ports);
        }
        service.insert(u"spec"_s, spec);
        return errors;
    }

private:
    Storage &m_storage;
    ClusterNetwork m_network;
};

ResourceStore::ResourceStore(Storage &storage, core::SchemaRegistry &schemas,
                             ClusterNetwork network, QObject *parent)
    : QObject(parent), m_storage(storage), m_schemas(schemas), m_network(network),
      m_allocator(std::make_unique<Allocator>(storage, m_network))
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
    QString after;
    if (!options.continueToken.isEmpty()) {
        const QJsonObject token =
            QJsonDocument::fromJson(QByteArray::fromBase64(options.continueToken.toLatin1(),
                                                           QByteArray::Base64UrlEncoding))
                .object();
        after = token.value(u"start").toString();
        if (!after.startsWith(prefix))
            return std::unexpected(ApiError::badRequest(u"continue key is not valid"_s));
    }
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
                const qint64 rest = m_storage.list(prefix, after, 1).size();
                if (rest > 0) {
                    const QJsonObject token{{u"rv"_s, result.revision}, {u"start"_s, after}};
                    result.continueToken = QString::fromLatin1(
                        QJsonDocument(token).toJson(QJsonDocument::Compact).toBase64(
                            QByteArray::Base64UrlEncoding));
                }
                return result;
            }
        }
        if (chunk == 0 || page.size() < chunk)
            return result;
    }
}

ApiResult<std::unique_ptr<Watch>> ResourceStore::watch(const ResourceInfo &r, const QString &ns,
                                                       qint64 fromRevision)
{
    auto w = m_storage.watch(prefixFor(r, ns), fromRevision);
    if (!w)
        return std::unexpected(storageError(r, {}, w.error()));
    return std::move(*w);
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
                u"strict decoding error: "_s + problems.unknownFields.join(u", "_s)));
        if (options.fieldValidation == FieldValidation::Warn)
            warnings += problems.unknownFields;
    }
    return object;
}

FieldErrors ResourceStore::admit(const ResourceInfo &r, QJsonObject &object, const QJsonObject *old)
{
    FieldErrors errors;
    if (r.groupResource() == u"services")
        errors += m_allocator->allocate(object, old);
    return errors;
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
    if (hasSubresource(r, u"status") && r.groupResource() != u"nodes")
        object.remove(u"status"_s);
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
    if (errors.isEmpty())
        errors += admit(r, object, nullptr);
    if (!errors.isEmpty())
        return done(std::unexpected(ApiError::invalid(qualifiedKind(r), name, errors)));

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
    if (r.groupResource() == u"namespaces") {
        // The phase is the server's; spec.finalizers change only through /finalize.
        object.insert(u"status"_s, old.value(u"status"));
        if (subresource != u"finalize")
            object.insert(u"spec"_s, old.value(u"spec"));
    }

    FieldErrors errors = validateObjectMeta(object, r);
    errors += validateAgainstSchema(object, r.schema);
    if (strategy.validate)
        errors += strategy.validate(object, &old);
    if (errors.isEmpty())
        errors += admit(r, object, &old);
    if (!errors.isEmpty())
        return done(std::unexpected(ApiError::invalid(qualifiedKind(r), name, errors)));

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
        && !(r.groupResource() == u"namespaces"
             && !object.value(u"spec").toObject().value(u"finalizers").toArray().isEmpty())) {
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

void ResourceStore::patch(const ResourceInfo &r, const QString &ns, const QString &name,
                          const QString &subresource, PatchType type, const QByteArray &body,
                          const WriteOptions &options, WriteCallback done)
{
    auto parsed = parseBody(body, type == PatchType::Apply);
    if (!parsed)
        return done(std::unexpected(ApiError::badRequest(parsed.error())));
    auto old = m_storage.get(keyFor(r, ns, name));

    if (type == PatchType::Apply) {
        if (!parsed->isObject())
            return done(std::unexpected(ApiError::badRequest(u"the apply body is not an object"_s)));
        QJsonObject config = parsed->toObject();
        QStringList warnings;
        if (auto ok = decodeCheck(r, config, options, warnings); !ok)
            return done(std::unexpected(ok.error()));
        if (nameOf(config) != name)
            return done(std::unexpected(ApiError::badRequest(
                u"the name of the object (%1) does not match the name on the URL (%2)"_s.arg(
                    nameOf(config), name))));
        auto applied = applyConfiguration(old ? old->object : QJsonObject(), config,
                                          options.fieldManager, options.force, r.schema,
                                          r.apiVersion(), QDateTime::currentDateTimeUtc(),
                                          subresource);
        if (!applied) {
            const ApplyFailure &failure = applied.error();
            ApiError e{failure.code, failure.reason, failure.message, {}};
            if (!failure.conflicts.isEmpty()) {
                e = ApiError::conflict(r.groupResource(), name, {});
                e.message = failure.message;
                QJsonArray causes;
                for (const FieldConflict &c : failure.conflicts)
                    causes.append(QJsonObject{{u"reason"_s, u"FieldManagerConflict"_s},
                                              {u"message"_s, c.message()},
                                              {u"field"_s, c.field}});
                e.details.insert(u"causes"_s, causes);
            }
            return done(std::unexpected(e));
        }
        if (!old) {
            QJsonObject m = meta(*applied);
            if (r.namespaced)
                m.insert(u"namespace"_s, ns);
            setMeta(*applied, m);
            return finishCreate(r, ns, *applied, options, warnings, std::move(done));
        }
        WriteOptions o = options;
        o.fieldManager.clear(); // applyConfiguration already did the bookkeeping
        return finishUpdate(r, ns, name, subresource, old->object, *applied, o, warnings,
                            std::move(done));
    }

    if (!old)
        return done(std::unexpected(ApiError::notFound(r.groupResource(), name)));
    QJsonObject current = old->object;
    const bool scale = subresource == u"scale";
    if (scale)
        current = scaleOf(r, current);
    QJsonObject patched;
    switch (type) {
    case PatchType::Json: {
        if (!parsed->isArray())
            return done(std::unexpected(ApiError::badRequest(
                u"json: cannot unmarshal object into Go value of type jsonpatch.Patch"_s)));
        auto result = core::applyJsonPatch(current, parsed->toArray());
        if (!result)
            return done(std::unexpected(
                ApiError{422, u"Invalid"_s, result.error(), {}}));
        patched = result->toObject();
        break;
    }
    case PatchType::Merge:
        patched = core::applyMergePatch(current, *parsed).toObject();
        break;
    case PatchType::StrategicMerge: {
        auto result = core::applyStrategicMergePatch(current, parsed->toObject(),
                                                     scale ? nullptr : r.schema);
        if (!result)
            return done(std::unexpected(ApiError::badRequest(result.error())));
        patched = *result;
        break;
    }
    case PatchType::Apply:
        break;
    }
    if (scale) {
        QJsonObject target = old->object;
        QJsonObject spec = target.value(u"spec").toObject();
        spec.insert(u"replicas"_s, patched.value(u"spec").toObject().value(u"replicas"));
        target.insert(u"spec"_s, spec);
        const WriteCallback toScale = [r, done](ApiResult<Written> w) {
            if (w)
                w->object = scaleOf(r, w->object);
            done(std::move(w));
        };
        return finishUpdate(r, ns, name, u"scale"_s, old->object, target, options, {}, toScale);
    }
    if (auto ok = [&] { QStringList w; return decodeCheck(r, patched, options, w); }(); !ok)
        return done(std::unexpected(ok.error()));
    finishUpdate(r, ns, name, subresource, old->object, patched, options, {}, std::move(done));
}

void ResourceStore::remove(const ResourceInfo &r, const QString &ns, const QString &name,
                           const DeleteOptions &options, WriteCallback done)
{
    const QString key = keyFor(r, ns, name);
    auto stored = m_storage.get(key);
    if (!stored)
        return done(std::unexpected(ApiError::notFound(r.groupResource(), name)));
    QJsonObject object = stored->object;
    QJsonObject m = meta(object);
    if (!options.preconditionUid.isEmpty() && options.preconditionUid != m.value(u"uid").toString())
        return done(std::unexpected(ApiError::conflict(
            r.groupResource(), name,
            u"Precondition failed: UID in precondition: %1, UID in object meta: %2"_s.arg(
                options.preconditionUid, m.value(u"uid").toString()))));
    if (!options.preconditionResourceVersion.isEmpty()
        && options.preconditionResourceVersion != m.value(u"resourceVersion").toString())
        return done(std::unexpected(ApiError::conflict(
            r.groupResource(), name,
            u"Precondition failed: ResourceVersion in precondition: %1, ResourceVersion in "
            "object meta: %2"_s.arg(options.preconditionResourceVersion,
                                    m.value(u"resourceVersion").toString()))));

    QJsonArray finalizers = m.value(u"finalizers").toArray();
    auto addFinalizer = [&](const QString &f) {
        if (!finalizers.contains(f))
            finalizers.append(f);
    };
    if (options.propagationPolicy == u"Foreground")
        addFinalizer(u"foregroundDeletion"_s);
    else if (options.propagationPolicy == u"Orphan")
        addFinalizer(u"orphan"_s);

    // A pod on a node is stopped by its node agent first, which then deletes it with grace 0.
    qint64 grace = 0;
    if (r.groupResource() == u"pods"
        && !object.value(u"spec").toObject().value(u"nodeName").toString().isEmpty()
        && object.value(u"status").toObject().value(u"phase").toString() != u"Succeeded"
        && object.value(u"status").toObject().value(u"phase").toString() != u"Failed") {
        grace = options.gracePeriodSeconds.value_or(
            object.value(u"spec").toObject().value(u"terminationGracePeriodSeconds").toInteger(30));
    }
    const bool namespaceFinalizers =
        r.groupResource() == u"namespaces"
        && !object.value(u"spec").toObject().value(u"finalizers").toArray().isEmpty();
    if (finalizers.isEmpty() && grace == 0 && !namespaceFinalizers)
        return destroy(r, key, object, options.dryRun, std::move(done));

    // Mark for deletion: finalizers (or the node agent) finish the job.
    if (m.value(u"deletionTimestamp").isUndefined()) {
        m.insert(u"deletionTimestamp"_s,
                 QDateTime::currentDateTimeUtc().addSecs(grace).toString(Qt::ISODate));
        m.insert(u"deletionGracePeriodSeconds"_s, grace);
        if (tracksGeneration(r))
            m.insert(u"generation"_s, m.value(u"generation").toInteger(1) + 1);
    } else if (grace < m.value(u"deletionGracePeriodSeconds").toInteger()) {
        m.insert(u"deletionGracePeriodSeconds"_s, grace); // a shorter grace period wins
    }
    m.insert(u"finalizers"_s, finalizers);
    if (finalizers.isEmpty())
        m.remove(u"finalizers"_s);
    setMeta(object, m);
    if (namespaceFinalizers) {
        QJsonObject status = object.value(u"status").toObject();
        status.insert(u"phase"_s, u"Terminating"_s);
        object.insert(u"status"_s, status);
    }
    if (options.dryRun)
        return done(Written{object, {}, false, false});
    m_storage.update(key, object, revisionOf(stored->object),
                     [this, r, name, done](const StorageResult &result) {
                         if (!result)
                             return done(std::unexpected(storageError(r, name, result.error())));
                         afterWrite(r, result->object, false);
                         done(Written{result->object, {}, false, false});
                     });
}

void ResourceStore::destroy(const ResourceInfo &r, const QString &key, const QJsonObject &object,
                            bool dryRun, WriteCallback done)
{
    if (dryRun)
        return done(Written{object, {}, false, true});
    const QString name = nameOf(object);
    m_storage.remove(key, 0, [this, r, name, done](const StorageResult &result) {
        if (!result)
            return done(std::unexpected(storageError(r, name, result.error())));
        afterWrite(r, result->object, true);
        done(Written{result->object, {}, false, true});
    });
}

void ResourceStore::removeCollection(const ResourceInfo &r, const QString &ns,
                                     const ListOptions &list, const DeleteOptions &options,
                                     std::function<void(ApiResult<QJsonObject>)> done)
{
    auto items = this->list(r, ns, list);
    if (!items)
        return done(std::unexpected(items.error()));
    auto remaining = std::make_shared<qsizetype>(items->items.size());
    auto deleted = std::make_shared<QJsonArray>();
    auto failure = std::make_shared<std::optional<ApiError>>();
    if (*remaining == 0)
        return done(QJsonObject{{u"items"_s, QJsonArray()}});
    for (const QJsonObject &item : std::as_const(items->items)) {
        const QJsonObject m = meta(item);
        remove(r, m.value(u"namespace").toString(), m.value(u"name").toString(), options,
               [=](ApiResult<Written> w) {
                   if (w)
                       deleted->append(w->object);
                   else if (w.error().code != 404)
                       *failure = w.error();
                   if (--*remaining == 0) {
                       if (*failure)
                           done(std::unexpected(**failure));
                       else
                           done(QJsonObject{{u"items"_s, *deleted}});
                   }
               });
    }
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

QJsonObject ResourceStore::scaleOf(const ResourceInfo &r, const QJsonObject &object)
{
    const QJsonObject m = meta(object);
    const QJsonObject spec = object.value(u"spec").toObject();
    const QJsonObject status = object.value(u"status").toObject();
    QString selector;
    if (auto s = core::LabelSelector::fromJson(spec.value(u"selector").toObject()))
        selector = s->toString();
    QJsonObject scaleMeta;
    for (const char16_t *k : {u"name", u"namespace", u"uid", u"resourceVersion", u"creationTimestamp"})
        if (m.contains(k))
            scaleMeta.insert(QString::fromUtf16(k), m.value(k));
    Q_UNUSED(r);
    return QJsonObject{{u"kind"_s, u"Scale"_s},
                       {u"apiVersion"_s, u"autoscaling/v1"_s},
                       {u"metadata"_s, scaleMeta},
                       {u"spec"_s, QJsonObject{{u"replicas"_s, spec.value(u"replicas").toInteger(1)}}},
                       {u"status"_s, QJsonObject{{u"replicas"_s, status.value(u"replicas").toInteger()},
                                                 {u"selector"_s, selector}}}};
}

void ResourceStore::afterWrite(const ResourceInfo &r, const QJsonObject &object, bool deleted)
{
    if (r.groupResource() == u"customresourcedefinitions.apiextensions.k8s.io")
        Q_EMIT customResourceDefinitionWritten(object, deleted);
}

} // namespace timonel::apiserver
