#include "syncer.h"

#include "gitops/gitsource.h"
#include "gitops/pruner.h"
#include "gitops/refwatcher.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QPointer>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace timonel::gitops {

namespace {

// What a synced object says, without what the cluster keeps changing by itself: a change here
// made by someone else is drift.
QByteArray fingerprint(QJsonObject object)
{
    object.remove(u"status"_s);
    QJsonObject meta = object.value(u"metadata").toObject();
    for (const QString &volatileField :
         {u"resourceVersion"_s, u"managedFields"_s, u"generation"_s, u"creationTimestamp"_s})
        meta.remove(volatileField);
    object.insert(u"metadata"_s, meta);
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QString objectKey(const client::ApplyResult &r)
{
    const QString group =
        r.resource.resource.isEmpty() ? r.apiVersion.section(u'/', 0, -2) : r.resource.group;
    return group + u'/' + r.kind + u'/' + r.ns + u'/' + r.name;
}

} // namespace

QString statusName(SyncStatus status)
{
    switch (status) {
    case SyncStatus::Synced:
        return u"Synced"_s;
    case SyncStatus::OutOfSync:
        return u"OutOfSync"_s;
    case SyncStatus::Failed:
        return u"Failed"_s;
    }
    return {};
}

QStringList SyncReport::lines() const
{
    QStringList out;
    if (!error.isEmpty())
        out << u"error: "_s + error;
    for (const RenderProblem &p : problems)
        out << u"%1:%2: %3"_s.arg(p.file).arg(p.line).arg(p.message);
    for (const SyncedObject &o : objects)
        out << o.result.summary();
    for (const QString &name : pruned)
        out << name + (dryRun ? u" pruned (server dry run)"_s : u" pruned"_s);
    out << pruneFailures;
    return out;
}

QString SyncReport::headline() const
{
    return Syncer::tr("%1 %2 (%3): %4, %5, %n object(s) in %6 ms", nullptr, int(objects.size()))
        .arg(dryRun ? Syncer::tr("Dry run of") : Syncer::tr("Synced"), commit.left(7),
             commitSummary, statusName(status), healthName(health))
        .arg(durationMs);
}

QList<client::ApplyObject> applyObjects(const DesiredState &desired)
{
    QList<client::ApplyObject> objects;
    for (const RenderedObject &o : desired.objects)
        objects.append({o.object, {o.file, -1, o.line}});
    return objects;
}

client::ApplyOptions applyOptions(const SyncSpec &spec)
{
    client::ApplyOptions options;
    options.dryRun = spec.dryRun;
    options.force = spec.selfHeal; // git wins over a hand-made change
    options.defaultNamespace = spec.defaultNamespace;
    options.extraLabels.insert(QString(syncLabel), spec.name);
    return options;
}

struct Syncer::Run
{
    SyncReport report;
    QElapsedTimer timer;
    bool gitComplete = true; // every file read and rendered
};

Syncer::Syncer(client::ApiClient &api, SyncSpec spec, QObject *parent)
    : QObject(parent), m_api(api), m_spec(std::move(spec))
{
}

Syncer::~Syncer() = default;

void Syncer::syncNow(const QString &commit)
{
    if (m_running) {
        m_queued = commit;
        return;
    }
    startRun(commit);
}

void Syncer::startRun(const QString &requested)
{
    m_running = true;
    auto run = std::make_shared<Run>();
    run->report.dryRun = m_spec.dryRun;
    run->timer.start();
    auto fail = [this, run](const QString &error) {
        run->report.error = error;
        finish(run);
    };
    auto repository = GitRepository::open(m_spec.repository);
    if (!repository)
        return fail(repository.error());
    auto commit = repository->resolve(requested.isEmpty() ? m_spec.revision : requested);
    if (!commit)
        return fail(commit.error());
    run->report.commit = *commit;
    if (const QList<CommitInfo> info = repository->history(*commit, 1); !info.isEmpty())
        run->report.commitSummary = info.first().summary;
    Q_EMIT started(*commit);
    auto tree = repository->tree(*commit, m_spec.path);
    if (!tree)
        return fail(tree.error());
    const DesiredState desired = readDesiredState(**tree);
    run->report.problems = desired.problems;
    run->gitComplete = desired.problems.isEmpty();

    // An applier per run (its options are the run's), with the discovery the last one read.
    auto *applier = new client::Applier(m_api, applyOptions(m_spec), this);
    if (!m_discovery.isEmpty())
        applier->setDiscovery(m_discovery);
    connect(applier, &client::Applier::finished, this,
            [this, run, applier](const QList<client::ApplyResult> &results) {
                m_discovery = applier->discovery();
                applier->deleteLater();
                applied(run, results);
            });
    applier->apply(applyObjects(desired));
}

void Syncer::applied(std::shared_ptr<Run> run, const QList<client::ApplyResult> &results)
{
    for (const client::ApplyResult &r : results)
        run->report.objects.append({r, {}});
    if (!m_spec.prune)
        return readHealth(run);
    if (!run->gitComplete) {
        run->report.pruneFailures << tr(
            "prune skipped: git's state is incomplete (see the problems above)");
        return readHealth(run);
    }
    QSet<QString> desired;
    for (const client::ApplyResult &r : results)
        desired.insert(objectKey(r));
    findPrunable(m_api, m_discovery, m_spec.name, desired,
                 [this, self = QPointer(this), run](client::Result<QList<ClusterObject>> found) {
                     if (!self)
                         return;
                     if (!found) {
                         run->report.pruneFailures << tr("prune: %1").arg(found.error().message);
                         return readHealth(run);
                     }
                     for (const ClusterObject &o : *found)
                         run->report.pruned
                             << o.kind.toLower() +
                                    (o.resource.group.isEmpty() ? QString()
                                                                : u'.' + o.resource.group) +
                                    u'/' + o.name;
                     prune(m_api, *found, m_spec.dryRun,
                           [this, self, run](QStringList failures) {
                         if (!self)
                             return;
                         run->report.pruneFailures << failures;
                         readHealth(run);
                     });
                 });
}

void Syncer::readHealth(std::shared_ptr<Run> run)
{
    auto pending = std::make_shared<int>(0);
    for (qsizetype i = 0; i < run->report.objects.size(); ++i)
        if (!run->report.objects[i].result.resource.resource.isEmpty())
            ++*pending;
    if (*pending == 0)
        return finish(run);
    for (qsizetype i = 0; i < run->report.objects.size(); ++i) {
        const client::ApplyResult &r = run->report.objects[i].result;
        if (r.resource.resource.isEmpty())
            continue;
        m_api.get(r.resource, r.ns, r.name,
                  [this, self = QPointer(this), run, pending, i](client::Result<QJsonObject> live) {
                      if (!self)
                          return;
                      run->report.objects[i].health =
                          healthOf(live ? std::optional<QJsonObject>(*live) : std::nullopt);
                      if (--*pending == 0)
                          finish(run);
                  });
    }
}

void Syncer::checkHealth()
{
    if (m_spec.dryRun || m_running || m_checkingHealth || m_history.isEmpty() ||
        m_history.last().status == SyncStatus::Failed)
        return;
    QList<qsizetype> asked;
    for (qsizetype i = 0; i < m_history.last().objects.size(); ++i)
        if (!m_history.last().objects[i].result.resource.resource.isEmpty())
            asked << i;
    if (asked.isEmpty())
        return;
    m_checkingHealth = true;
    struct Check
    {
        qsizetype report; // which history entry it reads for: a run that ends first wins
        QList<ObjectHealth> health;
        qsizetype pending;
    };
    auto check = std::make_shared<Check>(
        Check{m_history.size(), QList<ObjectHealth>(m_history.last().objects.size()),
              asked.size()});
    for (qsizetype i : std::as_const(asked)) {
        const client::ApplyResult &r = m_history.last().objects[i].result;
        m_api.get(r.resource, r.ns, r.name,
                  [this, self = QPointer(this), check, i](client::Result<QJsonObject> live) {
            if (!self)
                return;
            check->health[i] = healthOf(live ? std::optional<QJsonObject>(*live) : std::nullopt);
            if (--check->pending > 0)
                return;
            m_checkingHealth = false;
            if (m_running || m_history.size() != check->report)
                return;
            SyncReport &report = m_history.last();
            bool changed = false;
            QList<Health> all;
            for (qsizetype j = 0; j < report.objects.size(); ++j) {
                ObjectHealth &now = report.objects[j].health;
                if (!report.objects[j].result.resource.resource.isEmpty() &&
                    (now.health != check->health[j].health ||
                     now.message != check->health[j].message)) {
                    now = check->health[j];
                    changed = true;
                }
                all << now.health;
            }
            report.health = overallHealth(all);
            if (changed)
                Q_EMIT healthChanged(report);
        });
    }
}

void Syncer::finish(std::shared_ptr<Run> run)
{
    SyncReport &report = run->report;
    report.durationMs = run->timer.elapsed();
    report.finishedAt = QDateTime::currentDateTimeUtc();
    QList<Health> health;
    bool changes = !report.pruned.isEmpty();
    bool failed = !report.problems.isEmpty() || !report.pruneFailures.isEmpty();
    for (const SyncedObject &o : std::as_const(report.objects)) {
        health << o.health.health;
        failed = failed || !o.result.ok;
        changes = changes || o.result.outcome == client::ApplyOutcome::Created ||
                  o.result.outcome == client::ApplyOutcome::Configured;
    }
    report.health = overallHealth(health);
    if (!report.error.isEmpty())
        report.status = SyncStatus::Failed;
    else if (failed || (m_spec.dryRun && changes))
        report.status = SyncStatus::OutOfSync;
    else
        report.status = SyncStatus::Synced;
    m_history.append(report);
    m_running = false;
    Q_EMIT finished(report);
    if (m_queued) {
        const QString next = *std::exchange(m_queued, std::nullopt);
        startRun(next);
    }
}

void Syncer::watch()
{
    delete m_watchers;
    m_watchers = new QObject(this);
    auto repository = GitRepository::open(m_spec.repository);
    if (!repository) {
        SyncReport report;
        report.error = repository.error();
        m_history.append(report);
        Q_EMIT finished(report);
        return;
    }
    auto *refs = new RefWatcher(std::move(*repository), m_spec.revision, m_watchers);
    connect(refs, &RefWatcher::changed, this, [this](const QString &commit) { syncNow(commit); });
    if (m_spec.selfHeal)
        connect(this, &Syncer::finished, m_watchers, [this] { watchObjects(); });
    syncNow();
}

void Syncer::watchObjects()
{
    // One watch per resource synced, on the sync's label; a change that moves an object away
    // from what was applied starts a run (debounced, so a burst is one run).
    static const char *const watchesName = "objectWatches";
    if (QObject *old = m_watchers->findChild<QObject *>(QLatin1String(watchesName))) {
        old->setObjectName(QString());
        old->deleteLater(); // this may run in one of its watches' signals
    }
    auto *watches = new QObject(m_watchers);
    watches->setObjectName(QLatin1String(watchesName));
    auto *debounce = new QTimer(watches);
    debounce->setSingleShot(true);
    debounce->setInterval(300);
    connect(debounce, &QTimer::timeout, this, [this] { syncNow(); });
    if (m_history.isEmpty() || m_history.last().status == SyncStatus::Failed)
        return;
    auto applied = std::make_shared<QHash<QString, QByteArray>>();
    QList<client::Resource> resources;
    for (const SyncedObject &o : m_history.last().objects) {
        if (!o.result.ok || o.result.resource.resource.isEmpty())
            continue;
        applied->insert(objectKey(o.result), fingerprint(o.result.applied));
        if (!resources.contains(o.result.resource))
            resources << o.result.resource;
    }
    client::ListQuery query;
    query.labelSelector = QString(syncLabel) + u'=' + m_spec.name;
    for (const client::Resource &resource : std::as_const(resources)) {
        query.resourceVersion = u"0"_s;
        std::unique_ptr<client::WatchHandle> handle = m_api.watch(resource, QString(), query);
        client::WatchHandle *watch = handle.release();
        watch->setParent(watches);
        connect(watch, &client::WatchHandle::event, watches,
                [applied, debounce, resource](const client::WatchEvent &event) {
                    client::ApplyResult r;
                    r.resource = resource;
                    r.kind = event.object.value(u"kind").toString();
                    const QJsonObject meta = event.object.value(u"metadata").toObject();
                    r.ns = meta.value(u"namespace").toString();
                    r.name = meta.value(u"name").toString();
                    const auto known = applied->constFind(objectKey(r));
                    if (known == applied->cend())
                        return;
                    if (event.type == u"DELETED" ||
                        (event.type == u"MODIFIED" && fingerprint(event.object) != *known))
                        debounce->start();
                });
        // The server ends watches now and then: watch again.
        connect(watch, &client::WatchHandle::finished, watches, [this, watches] {
            if (!watches->property("rewatch").toBool()) {
                watches->setProperty("rewatch", true);
                QTimer::singleShot(1000, watches, [this] { watchObjects(); });
            }
        });
    }
}

} // namespace timonel::gitops
