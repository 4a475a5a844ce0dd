#include "fieldmanager.h"

#include "fieldset.h"
#include "typedvalue.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <map>
#include <variant>

using namespace Qt::StringLiterals;

namespace timonel::apiserver {

namespace {

const QString lastAppliedAnnotation = u"kubectl.kubernetes.io/last-applied-configuration"_s;
// Only kubectl's own server-side apply takes over from its client-side apply.
const QString kubectlManager = u"kubectl"_s;
const QString beforeFirstApplyManager = u"before-first-apply"_s;
const QString ancientChangesManager = u"ancient-changes"_s;
const QString applyOperation = u"Apply"_s;
const QString updateOperation = u"Update"_s;
constexpr int maxUpdateManagers = 10;
constexpr qsizetype totalAnnotationSizeLimit = 256 * 1024;

// Who wrote a set of fields. Its identity is the JSON Kubernetes keys managers by: Apply
// managers keep one entry whatever apiVersion they apply with.
struct ManagerId
{
    QString manager;
    QString operation;
    QString apiVersion; // part of the identity of Update managers only
    QString subresource;

    QString key() const
    {
        // Go's encoding of a ManagedFieldsEntry: empty fields are left out.
        QString json = u"{"_s;
        if (!manager.isEmpty())
            json += u"\"manager\":"_s + goJson(manager) + u',';
        json += u"\"operation\":"_s + goJson(operation);
        if (operation != applyOperation && !apiVersion.isEmpty())
            json += u",\"apiVersion\":"_s + goJson(apiVersion);
        if (!subresource.isEmpty())
            json += u",\"subresource\":"_s + goJson(subresource);
        return json + u'}';
    }

    QString printed() const
    {
        QString out = goQuote(manager);
        if (!subresource.isEmpty())
            out += u" with subresource "_s + goQuote(subresource);
        if (operation == updateOperation)
            out += u" using "_s + apiVersion;
        return out;
    }
};

ManagerId makeId(const QString &manager, const QString &operation, const QString &apiVersion,
                 const QString &subresource)
{
    ManagerId id{manager.isEmpty() ? u"unknown"_s : manager, operation, {}, subresource};
    if (operation == updateOperation)
        id.apiVersion = apiVersion;
    return id;
}

struct ManagedEntry
{
    ManagerId id;
    FieldSet fields;
    QString apiVersion;
    QString time; // as stored; empty when the entry has none
};

using Managers = std::map<QString, ManagedEntry>; // by ManagerId::key()

struct Conflict
{
    ManagerId id;
    FieldPath path;
};
using Conflicts = QList<Conflict>;

std::expected<Managers, QString> decodeManagedFields(const QJsonValue &value)
{
    Managers managers;
    const QJsonArray entries = value.toArray();
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QJsonObject e = entries.at(i).toObject();
        const QString operation = e.value(u"operation").toString();
        if (operation != applyOperation && operation != updateOperation)
            return std::unexpected(u"operation must be `Apply` or `Update`"_s);
        const QString apiVersion = e.value(u"apiVersion").toString();
        if (apiVersion.isEmpty())
            return std::unexpected(u"apiVersion must not be empty"_s);
        const QString fieldsType = e.value(u"fieldsType").toString();
        if (fieldsType.isEmpty())
            return std::unexpected(u"missing fieldsType in managed fields entry %1"_s.arg(i));
        if (fieldsType != u"FieldsV1")
            return std::unexpected(
                u"invalid fieldsType %1 in managed fields entry %2"_s.arg(goQuote(fieldsType))
                    .arg(i));
        auto fields = FieldSet::fromFieldsV1(e.value(u"fieldsV1").toObject());
        if (!fields)
            return std::unexpected(u"error decoding set: "_s + fields.error());
        ManagerId id{
            e.value(u"manager").toString(), operation, {}, e.value(u"subresource").toString()};
        if (operation == updateOperation)
            id.apiVersion = apiVersion;
        managers[id.key()] = ManagedEntry{id, *fields, apiVersion, e.value(u"time").toString()};
    }
    return managers;
}

qint64 secondsOf(const QString &time)
{
    const QDateTime t = QDateTime::fromString(time, Qt::ISODate);
    return t.isValid() ? t.toSecsSinceEpoch() : 0;
}

QJsonArray encodeManagedFields(const Managers &managers)
{
    QList<const ManagedEntry *> sorted;
    for (const auto &[key, entry] : managers)
        sorted.append(&entry);
    std::sort(sorted.begin(), sorted.end(), [](const ManagedEntry *p, const ManagedEntry *q) {
        if (p->id.operation != q->id.operation)
            return p->id.operation < q->id.operation;
        if (secondsOf(p->time) != secondsOf(q->time))
            return secondsOf(p->time) < secondsOf(q->time);
        if (p->id.manager != q->id.manager)
            return p->id.manager < q->id.manager;
        if (p->apiVersion != q->apiVersion)
            return p->apiVersion < q->apiVersion;
        return p->id.subresource < q->id.subresource;
    });
    QJsonArray out;
    for (const ManagedEntry *e : sorted) {
        QJsonObject o{{u"manager"_s, e->id.manager},
                      {u"operation"_s, e->id.operation},
                      {u"apiVersion"_s, e->apiVersion},
                      {u"fieldsType"_s, u"FieldsV1"_s},
                      {u"fieldsV1"_s, e->fields.toFieldsV1()}};
        if (!e->time.isEmpty())
            o.insert(u"time"_s, e->time);
        if (!e->id.subresource.isEmpty())
            o.insert(u"subresource"_s, e->id.subresource);
        out.append(o);
    }
    return out;
}

QJsonObject withManagedFields(QJsonObject object, const Managers &managers)
{
    if (managers.empty() && !object.contains(u"metadata"))
        return object;
    QJsonObject metadata = object.value(u"metadata").toObject();
    if (managers.empty())
        metadata.remove(u"managedFields");
    else
        metadata.insert(u"managedFields"_s, encodeManagedFields(managers));
    object.insert(u"metadata"_s, metadata);
    return object;
}

QJsonObject withoutManagedFields(QJsonObject object)
{
    QJsonObject metadata = object.value(u"metadata").toObject();
    if (!metadata.contains(u"managedFields"))
        return object;
    metadata.remove(u"managedFields");
    object.insert(u"metadata"_s, metadata);
    return object;
}

// Metadata the server owns is never recorded as a manager's.
const FieldSet &strippedFields()
{
    static const FieldSet set = [] {
        FieldSet s;
        for (const QString &top : {u"apiVersion"_s, u"kind"_s, u"metadata"_s})
            s.insert({PathElement::field(top)});
        for (const QString &meta :
             {u"name"_s, u"namespace"_s, u"creationTimestamp"_s, u"selfLink"_s, u"uid"_s,
              u"clusterName"_s, u"generation"_s, u"managedFields"_s, u"resourceVersion"_s})
            s.insert({PathElement::field(u"metadata"_s), PathElement::field(meta)});
        return s;
    }();
    return set;
}

void dropEmptyManagers(Managers &managers)
{
    std::erase_if(managers, [](const auto &item) { return item.second.fields.isEmpty(); });
}

// Fields that change leave the other managers; without force, changing fields another
// manager owns is a conflict (structured-merge-diff's Updater.update).
std::expected<void, Conflicts> moveOwnership(const Comparison &change, Managers &managers,
                                             const QString &workflowKey, bool force)
{
    const FieldSet changed = change.modified.united(change.added);
    Conflicts conflicts;
    std::map<QString, FieldSet> conflicting;
    for (const auto &[key, entry] : managers) {
        if (key == workflowKey)
            continue;
        const FieldSet owned = entry.fields.intersected(changed);
        if (owned.isEmpty())
            continue;
        conflicting[key] = owned;
        for (const FieldPath &path : owned.paths())
            conflicts.append({entry.id, path});
    }
    if (!force && !conflicts.isEmpty())
        return std::unexpected(conflicts);
    for (auto &[key, entry] : managers) {
        if (key == workflowKey)
            continue;
        if (auto it = conflicting.find(key); it != conflicting.end())
            entry.fields = entry.fields.subtracted(it->second);
        entry.fields = entry.fields.subtracted(change.removed);
    }
    dropEmptyManagers(managers);
    return {};
}

// Beyond ten Update managers the oldest merge, per apiVersion, into "ancient-changes".
void capUpdateManagers(Managers &managers)
{
    QList<QString> updaters;
    for (const auto &[key, entry] : managers)
        if (entry.id.operation == updateOperation)
            updaters.append(key);
    if (updaters.size() <= maxUpdateManagers)
        return;
    std::sort(updaters.begin(), updaters.end(), [&](const QString &a, const QString &b) {
        const qint64 ta = secondsOf(managers[a].time), tb = secondsOf(managers[b].time);
        return ta != tb ? ta < tb : a < b;
    });
    std::map<QString, QString> firstOfVersion;
    qsizetype length = updaters.size();
    for (qsizetype i = 0; i < updaters.size() && length > maxUpdateManagers; ++i) {
        const ManagedEntry entry = managers[updaters[i]];
        const ManagerId bucketId{ancientChangesManager, updateOperation, entry.apiVersion, {}};
        const QString bucket = bucketId.key();
        auto first = firstOfVersion.find(entry.apiVersion);
        if (first == firstOfVersion.end()) {
            firstOfVersion[entry.apiVersion] = updaters[i];
            continue;
        }
        if (!managers.contains(bucket)) {
            ManagedEntry moved = managers[first->second];
            managers.erase(first->second);
            moved.id = bucketId;
            managers[bucket] = moved;
        }
        managers[bucket].fields = managers[bucket].fields.united(entry.fields);
        managers[bucket].time = entry.time;
        managers.erase(updaters[i]);
        --length;
    }
}

struct Target
{
    TypeRef root;
    QString apiVersion;
    QString subresource;
    QString now;
};

// An ordinary write by id from before to after: what Kubernetes' Update does below its
// request handling (structured merge, metadata stripping, entry merging, capping).
Managers recordUpdate(const QJsonValue &before, const QJsonValue &after, Managers managers,
                      const ManagerId &id, const Target &target)
{
    const Comparison change = compareTyped(before, after, target.root);
    const QString self = u"current-operation"_s; // never a real identifier: those are JSON
    (void)moveOwnership(change, managers, self, true);
    const FieldSet written = change.modified.united(change.added).subtracted(strippedFields());
    if (!written.isEmpty()) {
        const QString key = id.key();
        ManagedEntry &entry = managers[key];
        entry.fields = written.united(entry.fields);
        entry.id = id;
        entry.apiVersion = target.apiVersion;
        entry.time = target.now;
    }
    capUpdateManagers(managers);
    return managers;
}

QString groupVersionKind(const QString &apiVersion, const QString &kind)
{
    const qsizetype slash = apiVersion.indexOf(u'/');
    const QString group = slash < 0 ? QString() : apiVersion.left(slash);
    const QString version = slash < 0 ? apiVersion : apiVersion.mid(slash + 1);
    return group + u'/' + version + u", Kind="_s + kind;
}

// namespace/name; group/version, Kind=kind: how Kubernetes names an object in these errors.
QString objectName(const QJsonObject &object, const QString &apiVersion, const QString &kind)
{
    const QJsonObject metadata = object.value(u"metadata").toObject();
    return metadata.value(u"namespace").toString() + u'/' + metadata.value(u"name").toString() +
           u"; "_s + groupVersionKind(apiVersion, kind);
}

ApplyFailure failure(int code, const QString &reason, const QString &message)
{
    return ApplyFailure{code, reason, {}, message};
}

ApplyFailure conflictFailure(const Conflicts &conflicts)
{
    ApplyFailure f{409, u"Conflict"_s, {}, {}};
    for (const Conflict &c : conflicts)
        f.conflicts.append({c.id.manager, c.id.operation, c.id.apiVersion, c.id.subresource,
                            pathToString(c.path)});
    if (conflicts.size() == 1) {
        f.message = u"Apply failed with 1 conflict: conflict with %1: %2"_s.arg(
            conflicts.first().id.printed(), pathToString(conflicts.first().path));
        return f;
    }
    QStringList lines;
    QString current;
    for (const Conflict &c : conflicts) { // grouped by manager already
        if (c.id.key() != current) {
            current = c.id.key();
            lines.append(u"conflicts with %1:"_s.arg(c.id.printed()));
        }
        lines.append(u"- "_s + pathToString(c.path));
    }
    f.message =
        u"Apply failed with %1 conflicts: %2"_s.arg(conflicts.size()).arg(lines.join(u'\n'));
    return f;
}

struct ApplyRequest
{
    QJsonObject live; // without managedFields
    QJsonObject config;
    Managers managers;
    ManagerId id;
    QString kind;
};

struct Applied
{
    QJsonObject object;
    Managers managers;
};

// structured-merge-diff's Updater.Apply with Kubernetes' layers below the client-side apply
// upgrade: ownership of an untracked object, typing, merge, prune, conflicts.
std::expected<Applied, std::variant<ApplyFailure, Conflicts>>
applyOnce(const ApplyRequest &r, bool force, const Target &target)
{
    // Kubernetes works on the live object as decoded into its Go type.
    const QJsonValue live = goRoundTrip(r.live, target.root);
    Managers managers = r.managers;
    if (managers.empty() && !r.live.isEmpty()) {
        const ManagerId before =
            makeId(beforeFirstApplyManager, updateOperation, target.apiVersion, target.subresource);
        managers =
            recordUpdate(goRoundTrip(QJsonObject(), target.root), live, managers, before, target);
    }
    if (auto ok = validateTyped(r.config, target.root, Typing::Applied); !ok)
        return std::unexpected(
            failure(500, {},
                    u"failed to create typed patch object (%1): %2"_s.arg(
                        objectName(r.config, r.config.value(u"apiVersion").toString(), r.kind),
                        ok.error())));
    if (auto ok = validateTyped(r.live, target.root, Typing::Stored); !ok)
        return std::unexpected(
            failure(500, {},
                    u"failed to create typed live object (%1): %2"_s.arg(
                        objectName(r.live, target.apiVersion, r.kind), ok.error())));

    const QString key = r.id.key();
    QJsonValue merged = mergeTyped(live, r.config, target.root);
    std::optional<FieldSet> lastSet;
    if (auto it = managers.find(key); it != managers.end())
        lastSet = it->second.fields;
    ManagedEntry &applier = managers[key];
    applier.id = r.id;
    applier.apiVersion = target.apiVersion;
    applier.fields = toFieldSet(r.config, target.root);

    if (lastSet && !lastSet->isEmpty()) {
        // Prune what the applier applied last time and no longer does, unless someone
        // (the applier included) still owns it.
        const auto named = [&](const FieldSet &s) {
            return ensureNamedFieldsAreMembers(s, target.root);
        };
        const auto setOf = [&](const QJsonValue &v) { return named(toFieldSet(v, target.root)); };
        FieldSet owned;
        for (const auto &[k, entry] : managers)
            owned = owned.united(entry.fields);
        QJsonValue pruned = removeItems(merged, named(*lastSet), target.root);
        pruned = removeItems(merged, setOf(merged).subtracted(setOf(pruned).united(named(owned))),
                             target.root);
        merged = removeItems(merged,
                             setOf(merged).subtracted(setOf(pruned)).intersected(named(*lastSet)),
                             target.root);
    }

    const Comparison change = compareTyped(live, merged, target.root);
    if (auto moved = moveOwnership(change, managers, key, force); !moved)
        return std::unexpected(moved.error());

    const bool unchanged = merged == live;
    if (auto it = managers.find(key); it != managers.end()) {
        it->second.fields = it->second.fields.subtracted(strippedFields());
        if (!unchanged)
            it->second.time = target.now;
        if (it->second.fields.isEmpty())
            managers.erase(it);
    }
    return Applied{unchanged ? r.live : merged.toObject(), managers};
}

// The fields of the client-side-apply annotation whose live values still equal it: kubectl
// wrote them, so kubectl's server-side apply may take them over.
std::optional<FieldSet> fieldsStillAsLastApplied(const QJsonObject &live, const Target &target)
{
    const QString annotation = live.value(u"metadata")
                                   .toObject()
                                   .value(u"annotations")
                                   .toObject()
                                   .value(lastAppliedAnnotation)
                                   .toString();
    if (annotation.isEmpty())
        return std::nullopt;
    const QJsonDocument doc = QJsonDocument::fromJson(annotation.toUtf8());
    const QJsonObject lastApplied = doc.object();
    if (!doc.isObject() || lastApplied.value(u"apiVersion").toString() != target.apiVersion)
        return std::nullopt;
    if (!validateTyped(live, target.root, Typing::Stored) ||
        !validateTyped(lastApplied, target.root, Typing::Applied))
        return std::nullopt;
    const Comparison change =
        compareTyped(lastApplied, goRoundTrip(live, target.root), target.root);
    return toFieldSet(lastApplied, target.root)
        .subtracted(change.modified)
        .subtracted(change.added)
        .subtracted(change.removed);
}

// What kubectl's client-side apply would have written for config.
QString lastAppliedValue(QJsonObject config)
{
    QJsonObject metadata = config.value(u"metadata").toObject();
    if (metadata.contains(u"annotations")) {
        QJsonObject annotations = metadata.value(u"annotations").toObject();
        annotations.remove(lastAppliedAnnotation);
        metadata.insert(u"annotations"_s, annotations);
        config.insert(u"metadata"_s, metadata);
    }
    return goJson(config) + u'\n';
}

QJsonObject withLastApplied(QJsonObject object, const QString &value)
{
    QJsonObject metadata = object.value(u"metadata").toObject();
    QJsonObject annotations = metadata.value(u"annotations").toObject();
    annotations.insert(lastAppliedAnnotation, value);
    qsizetype total = 0;
    for (auto it = annotations.begin(); it != annotations.end(); ++it)
        total += it.key().toUtf8().size() + it.value().toString().toUtf8().size();
    if (total > totalAnnotationSizeLimit)
        annotations.remove(lastAppliedAnnotation); // as Kubernetes drops an oversized one
    metadata.insert(u"annotations"_s, annotations);
    object.insert(u"metadata"_s, metadata);
    return object;
}

bool isResetManagedFields(const QJsonValue &managedFields)
{
    if (!managedFields.isArray())
        return false;
    const QJsonArray entries = managedFields.toArray();
    return entries.isEmpty() || (entries.size() == 1 && entries.first().isObject() &&
                                 entries.first().toObject().isEmpty());
}

} // namespace

QString FieldConflict::message() const
{
    return u"conflict with "_s + ManagerId{manager, operation, apiVersion, subresource}.printed();
}

std::expected<QJsonObject, ApplyFailure>
applyConfiguration(const QJsonObject &live, const QJsonObject &config, const QString &manager,
                   bool force, const core::SchemaType *schema, const QString &apiVersion,
                   const QDateTime &now, const QString &subresource)
{
    const Target target{
        {schema, nullptr}, apiVersion, subresource, now.toUTC().toString(Qt::ISODate)};
    const QString configApiVersion = config.value(u"apiVersion").toString();
    const QString configKind = config.value(u"kind").toString();
    const QString kind = live.value(u"kind").toString();
    if (configApiVersion != apiVersion || (!kind.isEmpty() && configKind != kind))
        return std::unexpected(
            failure(400, u"BadRequest"_s,
                    u"invalid object type: "_s + groupVersionKind(configApiVersion, configKind)));
    if (config.value(u"metadata").toObject().value(u"managedFields").isArray())
        return std::unexpected(
            failure(400, u"BadRequest"_s, u"metadata.managedFields must be nil"_s));
    auto managers = decodeManagedFields(live.value(u"metadata").toObject().value(u"managedFields"));
    if (!managers)
        return std::unexpected(
            failure(500, {}, u"failed to decode managed fields: "_s + managers.error()));

    const ApplyRequest request{withoutManagedFields(live), config, *managers,
                               makeId(manager, applyOperation, apiVersion, subresource),
                               configKind};
    auto applied = applyOnce(request, force, target);
    if (!applied && std::holds_alternative<Conflicts>(applied.error()) &&
        manager == kubectlManager) {
        // The upgrade from client-side apply: conflicts on fields kubectl itself last
        // applied, and nobody changed since, are not conflicts.
        const Conflicts conflicts = std::get<Conflicts>(applied.error());
        if (const auto allowed = fieldsStillAsLastApplied(request.live, target)) {
            Conflicts remaining;
            for (const Conflict &c : conflicts)
                if (!allowed->has(c.path))
                    remaining.append(c);
            if (remaining.isEmpty())
                applied = applyOnce(request, true, target);
            else
                applied = std::unexpected(std::variant<ApplyFailure, Conflicts>(remaining));
        }
    }
    if (!applied) {
        if (const auto *conflicts = std::get_if<Conflicts>(&applied.error()))
            return std::unexpected(conflictFailure(*conflicts));
        return std::unexpected(std::get<ApplyFailure>(applied.error()));
    }

    // The result is decoded into its Go type before it is stored.
    QJsonObject result =
        dropNullFields(goRoundTrip(applied->object, target.root), target.root).toObject();
    const QJsonObject annotations =
        result.value(u"metadata").toObject().value(u"annotations").toObject();
    if (manager == kubectlManager && !annotations.value(lastAppliedAnnotation).toString().isEmpty())
        result = withLastApplied(result, lastAppliedValue(config));
    return withManagedFields(result, applied->managers);
}

QJsonObject updateManagedFields(const QJsonObject &oldObject, const QJsonObject &newObject,
                                const QString &manager, const core::SchemaType *schema,
                                const QString &apiVersion, const QDateTime &now,
                                const QString &subresource)
{
    const Target target{
        {schema, nullptr}, apiVersion, subresource, now.toUTC().toString(Qt::ISODate)};
    const auto managedFieldsOf = [](const QJsonObject &o) {
        return o.value(u"metadata").toObject().value(u"managedFields");
    };
    const auto decodeOrEmpty = [](const QJsonValue &v) {
        return decodeManagedFields(v).value_or(Managers());
    };
    Managers managers;
    const QJsonValue requested = managedFieldsOf(newObject);
    if (!subresource.isEmpty()) {
        managers = decodeOrEmpty(managedFieldsOf(oldObject));
    } else if (!isResetManagedFields(requested)) {
        auto given = decodeManagedFields(requested);
        managers = given && !given->empty() ? *given : decodeOrEmpty(managedFieldsOf(oldObject));
    }

    const QJsonObject after = withoutManagedFields(newObject);
    const QJsonObject before = withoutManagedFields(oldObject);
    const bool existed =
        !oldObject.value(u"metadata").toObject().value(u"uid").toString().isEmpty();
    if (managers.empty() && existed)
        return after; // Kubernetes starts tracking an object on create or first apply only
    // A write Kubernetes cannot type keeps no managedFields rather than failing.
    if (!validateTyped(after, target.root, Typing::Stored) ||
        !validateTyped(before, target.root, Typing::Stored))
        return after;
    // Kubernetes compares the objects as decoded into their Go type; a created object
    // against a freshly allocated one.
    const QJsonValue from = goRoundTrip(before, target.root);
    const QJsonValue to = goRoundTrip(after, target.root);
    const ManagerId id = makeId(manager, updateOperation, apiVersion, subresource);
    return withManagedFields(after, recordUpdate(from, to, managers, id, target));
}

QString fieldManagerFromUserAgent(const QString &userAgent)
{
    QString out;
    qsizetype bytes = 0;
    for (const char32_t c : userAgent.section(u'/', 0, 0).toUcs4()) {
        if (!QChar::isPrint(c))
            continue;
        const QString character = QString::fromUcs4(&c, 1);
        const qsizetype size = character.toUtf8().size();
        if (bytes + size > 128)
            break;
        out += character;
        bytes += size;
    }
    return out;
}

} // namespace timonel::apiserver
