#include "applier.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QTimer>

#include <algorithm>

Q_DECLARE_LOGGING_CATEGORY(lcClient)

using namespace Qt::StringLiterals;

namespace timonel::client {

namespace {

// What has to exist before the objects that follow can be applied, first to last: Namespaces
// hold namespaced objects, CustomResourceDefinitions serve custom resources. kubectl and Argo
// CD apply these two first too.
struct Tier
{
    QLatin1StringView group;
    QLatin1StringView kind;
};
constexpr Tier EarlyKinds[] = {
    {""_L1, "Namespace"_L1},
    {"apiextensions.k8s.io"_L1, "CustomResourceDefinition"_L1},
};
constexpr int LateTier = int(std::size(EarlyKinds));

QString groupOf(const QString &apiVersion)
{
    return apiVersion.contains(u'/') ? apiVersion.section(u'/', 0, 0) : QString();
}

QString versionOf(const QString &apiVersion)
{
    return apiVersion.section(u'/', -1);
}

int tierOf(const QJsonObject &object)
{
    const QString kind = object.value("kind"_L1).toString();
    const QString group = groupOf(object.value("apiVersion"_L1).toString());
    for (int t = 0; t < LateTier; ++t)
        if (kind == EarlyKinds[t].kind && group == EarlyKinds[t].group)
            return t;
    return LateTier;
}

bool isCustomResourceDefinition(const QJsonObject &object)
{
    return tierOf(object) == 1;
}

const ServedResource *mapKind(const QList<ServedResource> &served, const QString &kind,
                              const QString &apiVersion)
{
    const QString group = groupOf(apiVersion);
    const QString version = versionOf(apiVersion);
    auto it = std::ranges::find_if(served, [&](const ServedResource &r) {
        return r.kind == kind && r.resource.group == group && r.resource.version == version;
    });
    return it == served.end() ? nullptr : &*it;
}

// meta.NoKindMatchError, as kubectl's RESTMapper says it.
Error noKindMatch(const QString &kind, const QString &apiVersion)
{
    return Error{0,
                 QString(NoKindMatchReason),
                 u"no matches for kind \"%1\" in version \"%2\""_s.arg(kind, apiVersion),
                 {}};
}

Error clientError(const QString &message)
{
    return Error{0, {}, message, {}};
}

// What kubectl refuses before sending anything (apimachinery's and kubectl's own texts).
std::optional<Error> malformed(const QJsonObject &object)
{
    const auto compact = [&] {
        return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
    };
    if (object.value("apiVersion"_L1).toString().isEmpty())
        return clientError(u"Object 'apiVersion' is missing in '%1'"_s.arg(compact()));
    if (object.value("kind"_L1).toString().isEmpty())
        return clientError(u"Object 'Kind' is missing in '%1'"_s.arg(compact()));
    const QJsonObject meta = object.value("metadata"_L1).toObject();
    if (meta.value("name"_L1).toString().isEmpty()) {
        const QString generateName = meta.value("generateName"_L1).toString();
        return clientError(
            generateName.isEmpty()
                ? u"resource name may not be empty"_s
                : u"from %1: cannot use generate name with apply"_s.arg(generateName));
    }
    return std::nullopt;
}

// The object as it is sent: the namespace settled by the resource's scope, the extra labels.
QJsonObject prepared(QJsonObject object, const ServedResource &served, const ApplyOptions &options)
{
    QJsonObject meta = object.value("metadata"_L1).toObject();
    if (served.namespaced) {
        if (meta.value("namespace"_L1).toString().isEmpty())
            meta.insert("namespace"_L1, options.defaultNamespace.isEmpty()
                                            ? u"default"_s
                                            : options.defaultNamespace);
    } else {
        meta.remove("namespace"_L1); // kubectl drops it too
    }
    if (!options.extraLabels.isEmpty()) {
        QJsonObject labels = meta.value("labels"_L1).toObject();
        for (auto it = options.extraLabels.cbegin(); it != options.extraLabels.cend(); ++it)
            labels.insert(it.key(), it.value());
        meta.insert("labels"_L1, labels);
    }
    object.insert("metadata"_L1, meta);
    return object;
}

// The object without what changes on every write or only records ownership.
QJsonObject content(QJsonObject object)
{
    QJsonObject meta = object.value("metadata"_L1).toObject();
    meta.remove("resourceVersion"_L1);
    meta.remove("managedFields"_L1);
    object.insert("metadata"_L1, meta);
    return object;
}

// See ApplyOutcome. `before` is nullopt when the object did not exist; `known` is false when
// the read before failed for another reason (a change is then assumed).
ApplyOutcome outcomeOf(const std::optional<QJsonObject> &before, bool known,
                       const QJsonObject &after)
{
    if (!known)
        return ApplyOutcome::Configured;
    if (!before)
        return ApplyOutcome::Created;
    return content(*before) == content(after) ? ApplyOutcome::Unchanged : ApplyOutcome::Configured;
}

bool isEstablished(const QJsonObject &crd)
{
    const QJsonArray conditions =
        crd.value("status"_L1).toObject().value("conditions"_L1).toArray();
    return std::ranges::any_of(conditions, [](const QJsonValue &c) {
        return c["type"_L1] == "Established"_L1 && c["status"_L1] == "True"_L1;
    });
}

QList<ApplyObject> expandLists(const QList<ApplyObject> &objects)
{
    QList<ApplyObject> out;
    for (const ApplyObject &o : objects) {
        // What `kubectl get -o yaml` writes for several objects; kubectl applies the items.
        if (o.object.value("kind"_L1) == "List"_L1 && o.object.value("items"_L1).isArray()) {
            for (const QJsonValue &item : o.object.value("items"_L1).toArray())
                out.append({item.toObject(), o.source});
        } else {
            out.append(o);
        }
    }
    return out;
}

} // namespace

QString ApplyResult::summary(bool dryRun) const
{
    switch (outcome) {
    case ApplyOutcome::Created:
    case ApplyOutcome::Configured:
    case ApplyOutcome::Unchanged: {
        // kubectl's name printer: lower-case kind, dot, group.
        const QString group = groupOf(apiVersion);
        QString line = kind.toLower() + (group.isEmpty() ? QString() : u'.' + group) + u'/' + name +
                       u" serverside-applied"_s;
        if (dryRun)
            line += u" (server dry run)"_s;
        return line;
    }
    case ApplyOutcome::Skipped:
        return QCoreApplication::translate("timonel::client::Applier",
                                           "%1/%2 not applied: the run was cancelled")
            .arg(kind.toLower(), name);
    case ApplyOutcome::Failed:
        break;
    }
    if (error.reason == NoKindMatchReason)
        return u"error: resource mapping not found for name: \"%1\" namespace: \"%2\" from "
               "\"%3\": %4"_s.arg(name, ns, source.file, error.message);
    if (error.code == 0)
        return u"error: "_s + error.message;
    if (error.reason.isEmpty())
        return u"Error from server: "_s + error.message;
    return u"Error from server (%1): %2"_s.arg(error.reason, error.message);
}

QString ApplyResult::outcomeText() const
{
    switch (outcome) {
    case ApplyOutcome::Created:
        return QCoreApplication::translate("timonel::client::Applier", "created");
    case ApplyOutcome::Configured:
        return QCoreApplication::translate("timonel::client::Applier", "configured");
    case ApplyOutcome::Unchanged:
        return QCoreApplication::translate("timonel::client::Applier", "unchanged");
    case ApplyOutcome::Failed:
        return QCoreApplication::translate("timonel::client::Applier", "failed");
    case ApplyOutcome::Skipped:
        break;
    }
    return QCoreApplication::translate("timonel::client::Applier", "not applied");
}

Applier::Applier(ApiClient &api, ApplyOptions options, QObject *parent)
    : QObject(parent), m_api(api), m_options(std::move(options))
{
}

void Applier::setDiscovery(QList<ServedResource> served)
{
    m_served = std::move(served);
    m_haveDiscovery = true;
}

bool Applier::apply(const QList<QJsonObject> &objects)
{
    QList<ApplyObject> sourced;
    sourced.reserve(objects.size());
    for (const QJsonObject &o : objects)
        sourced.append({o, {}});
    return apply(sourced);
}

bool Applier::apply(const QList<ApplyObject> &objects)
{
    if (m_running)
        return false;
    m_running = true;
    m_cancelled = false;
    m_objects = expandLists(objects);
    m_results.clear();
    m_order.clear();
    m_position = 0;
    m_done = 0;
    m_unestablished.clear();
    m_discoveryError.reset();

    for (int t = 0; t <= LateTier; ++t)
        for (int i = 0; i < m_objects.size(); ++i)
            if (tierOf(m_objects.at(i).object) == t)
                m_order.append(i);
    for (int i = 0; i < m_objects.size(); ++i) {
        const ApplyObject &o = m_objects.at(i);
        const QJsonObject meta = o.object.value("metadata"_L1).toObject();
        ApplyResult r;
        r.index = i;
        r.source = o.source;
        r.kind = o.object.value("kind"_L1).toString();
        r.apiVersion = o.object.value("apiVersion"_L1).toString();
        r.name = meta.value("name"_L1).toString();
        r.ns = meta.value("namespace"_L1).toString();
        r.dryRun = m_options.dryRun;
        r.error = clientError(QCoreApplication::translate("timonel::client::Applier",
                                                          "not applied: the run was cancelled"));
        m_results.append(r);
    }

    if (m_haveDiscovery) {
        // A cache may be stale: an unknown kind makes the run ask the server once.
        m_discoveryFresh = false;
        QTimer::singleShot(0, this, &Applier::next);
    } else {
        discover([this] { next(); });
    }
    return true;
}

void Applier::cancel()
{
    if (m_running)
        m_cancelled = true;
}

void Applier::discover(std::function<void()> then)
{
    QPointer<Applier> self(this);
    m_api.resources([self, then = std::move(then)](Result<QList<ServedResource>> served) {
        if (!self)
            return;
        self->m_discoveryFresh = true;
        if (served) {
            self->m_served = *served;
            self->m_haveDiscovery = true;
            self->m_discoveryError.reset();
        } else if (!self->m_haveDiscovery) {
            // Nothing to map with: every object fails with the server's answer.
            self->m_discoveryError = served.error();
            qCWarning(lcClient).noquote() << "discovery failed:" << served.error().message;
        }
        then();
    });
}

void Applier::next()
{
    if (m_cancelled || m_position >= m_order.size())
        return finish();
    const int index = m_order.at(m_position);
    ApplyResult &result = m_results[index];
    const QJsonObject &object = m_objects.at(index).object;

    if (auto error = malformed(object)) {
        ++m_position;
        result.error = *error;
        result.outcome = ApplyOutcome::Failed;
        QTimer::singleShot(0, this, [this, index] { objectDone(index); });
        return;
    }
    if (m_discoveryError) {
        ++m_position;
        result.error = *m_discoveryError;
        result.outcome = ApplyOutcome::Failed;
        QTimer::singleShot(0, this, [this, index] { objectDone(index); });
        return;
    }
    const ServedResource *served = mapKind(m_served, result.kind, result.apiVersion);
    if (!served && !m_discoveryFresh) {
        // Custom resources of CRDs this run wrote: discovery again, once they are served.
        awaitEstablished([this] { discover([this] { next(); }); });
        return;
    }
    ++m_position;
    if (!served) {
        result.error = noKindMatch(result.kind, result.apiVersion);
        result.outcome = ApplyOutcome::Failed;
        QTimer::singleShot(0, this, [this, index] { objectDone(index); });
        return;
    }
    applyObject(index, *served);
}

void Applier::applyObject(int index, const ServedResource &served)
{
    const QJsonObject object = prepared(m_objects.at(index).object, served, m_options);
    ApplyResult &result = m_results[index];
    result.resource = served.resource;
    result.ns = object.value("metadata"_L1).toObject().value("namespace"_L1).toString();

    WriteQuery query;
    query.fieldManager = m_options.fieldManager;
    query.dryRun = m_options.dryRun;
    query.force = m_options.force;
    const Resource resource = served.resource;
    const bool crd = isCustomResourceDefinition(object);
    QPointer<Applier> self(this);
    // The read first tells Created from Configured from Unchanged (see ApplyOutcome).
    m_api.get(resource, result.ns, result.name, [=](Result<QJsonObject> live) {
        if (!self)
            return;
        std::optional<QJsonObject> before;
        bool known = true;
        if (live)
            before = *live;
        else if (!live.error().isNotFound())
            known = false;
        self->m_api.apply(resource, object, query, [=](Result<QJsonObject> applied) {
            if (!self)
                return;
            ApplyResult &r = self->m_results[index];
            if (applied) {
                r.applied = *applied;
                r.outcome = outcomeOf(before, known, *applied);
                r.ok = true;
                r.error = {};
                if (crd && !query.dryRun && r.outcome != ApplyOutcome::Unchanged) {
                    self->m_crdResource = resource;
                    self->m_unestablished.append(r.name);
                    self->m_discoveryFresh = false;
                }
            } else {
                r.outcome = ApplyOutcome::Failed;
                r.error = applied.error();
            }
            self->objectDone(index);
        });
    });
}

void Applier::objectDone(int index)
{
    ++m_done;
    Q_EMIT objectApplied(m_results.at(index));
    Q_EMIT progress(m_done, int(m_order.size()));
    next();
}

void Applier::awaitEstablished(std::function<void()> then)
{
    m_establishDeadline = std::chrono::steady_clock::now() + m_options.establishTimeout;
    pollEstablished(std::move(then));
}

// Reads each CRD not yet seen Established, again every 100 ms until all are or the deadline
// passes; then `then` (discovery) runs either way.
void Applier::pollEstablished(std::function<void()> then)
{
    if (m_cancelled)
        return finish();
    if (m_unestablished.isEmpty())
        return then();
    if (std::chrono::steady_clock::now() >= m_establishDeadline) {
        qCWarning(lcClient).noquote()
            << "CustomResourceDefinitions not Established in time:" << m_unestablished.join(u", ");
        m_unestablished.clear();
        return then();
    }
    auto pending = std::make_shared<int>(int(m_unestablished.size()));
    QPointer<Applier> self(this);
    const QStringList names = m_unestablished;
    for (const QString &name : names) {
        m_api.get(m_crdResource, {}, name, [self, name, pending, then](Result<QJsonObject> crd) {
            if (!self)
                return;
            // A CRD gone (or unreadable) is not waited for: its kinds fail to map.
            if (!crd || isEstablished(*crd))
                self->m_unestablished.removeAll(name);
            if (--*pending > 0)
                return;
            if (self->m_unestablished.isEmpty())
                return self->pollEstablished(then);
            QTimer::singleShot(100, self, [self, then] { self->pollEstablished(then); });
        });
    }
}

void Applier::finish()
{
    m_running = false;
    m_unestablished.clear();
    // Queued: finished() never comes from inside apply() and never re-enters a slot of ours.
    QTimer::singleShot(0, this, [this, results = m_results] { Q_EMIT finished(results); });
}

void Applier::apply(ApiClient &api, const QList<ApplyObject> &objects, ApplyOptions options,
                    std::function<void(const QList<ApplyResult> &)> done)
{
    // Parented to the client: gone with it, and `done` with it.
    auto *applier = new Applier(api, std::move(options), &api);
    connect(applier, &Applier::finished, applier,
            [applier, done = std::move(done)](const QList<ApplyResult> &results) {
                applier->deleteLater();
                if (done)
                    done(results);
            });
    applier->apply(objects);
}

void Applier::fetchLive(ApiClient &api, const QJsonObject &object,
                        Callback<std::optional<QJsonObject>> done, const QString &defaultNamespace)
{
    const QString kind = object.value("kind"_L1).toString();
    const QString apiVersion = object.value("apiVersion"_L1).toString();
    if (auto error = malformed(object)) {
        QTimer::singleShot(0, &api, [done, error = *error] { done(std::unexpected(error)); });
        return;
    }
    QPointer<ApiClient> client(&api);
    api.resources([=](Result<QList<ServedResource>> served) {
        if (!client)
            return;
        if (!served)
            return done(std::unexpected(served.error()));
        const ServedResource *mapped = mapKind(*served, kind, apiVersion);
        if (!mapped)
            return done(std::unexpected(noKindMatch(kind, apiVersion)));
        ApplyOptions options;
        options.defaultNamespace = defaultNamespace;
        const QJsonObject meta = prepared(object, *mapped, options).value("metadata"_L1).toObject();
        client->get(mapped->resource, meta.value("namespace"_L1).toString(),
                    meta.value("name"_L1).toString(), [done](Result<QJsonObject> live) {
                        if (live)
                            return done(std::optional<QJsonObject>(*live));
                        if (live.error().isNotFound())
                            return done(std::optional<QJsonObject>());
                        done(std::unexpected(live.error()));
                    });
    });
}

void Applier::dryRunApply(ApiClient &api, const QJsonObject &object, ApplyOptions options,
                          Callback<QJsonObject> done)
{
    options.dryRun = true;
    apply(api, {ApplyObject{object, {}}}, std::move(options),
          [done = std::move(done)](const QList<ApplyResult> &results) {
              if (results.isEmpty()) // a `kind: List` without items
                  return done(std::unexpected(clientError(QCoreApplication::translate(
                      "timonel::client::Applier", "there is nothing to apply"))));
              const ApplyResult &r = results.first();
              if (r.ok)
                  return done(r.applied);
              done(std::unexpected(r.error));
          });
}

} // namespace timonel::client
