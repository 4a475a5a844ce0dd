#include "client/informer.h"

#include "client/statuserror.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QRandomGenerator>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

Q_DECLARE_LOGGING_CATEGORY(lcClient)

namespace timonel::client {

namespace {

// client-go's reflector: back-off from 800 ms to 30 s between failed attempts.
constexpr auto initialBackoff = 800ms;
constexpr auto maxBackoff = 30s;
// A watch that ends this soon without any event counts as a failure, so that a server closing
// watches at once is not hammered.
constexpr auto shortWatch = 1s;

QString resourceVersionOf(const QJsonObject &object)
{
    return object.value(u"metadata").toObject().value(u"resourceVersion").toString();
}

bool isExpired(const Error &e)
{
    return e.isGone() || e.reason == u"Expired" || e.reason == u"Gone";
}

} // namespace

Informer::Informer(ApiClient &client, Resource resource, InformerOptions options, QObject *parent)
    : QObject(parent), m_client(client), m_resource(std::move(resource)),
      m_options(std::move(options)), m_retryTimer(new QTimer(this)), m_resyncTimer(new QTimer(this))
{
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, [this] {
        if (!m_retryRelists)
            return startWatch();
        m_listed.clear();
        m_listResourceVersion.clear();
        listPage({});
    });
    connect(m_resyncTimer, &QTimer::timeout, this, &Informer::resync);
}

Informer::~Informer()
{
    dropWatch();
}

QString Informer::keyOf(const QJsonObject &object)
{
    const QJsonObject meta = object.value(u"metadata").toObject();
    const QString ns = meta.value(u"namespace").toString();
    const QString name = meta.value(u"name").toString();
    return ns.isEmpty() ? name : ns + u'/' + name;
}

QJsonObject Informer::get(const QString &ns, const QString &name) const
{
    return m_cache.value(ns.isEmpty() ? name : ns + u'/' + name);
}

QList<QJsonObject> Informer::list() const
{
    return m_cache.values();
}

void Informer::start()
{
    if (m_running)
        return;
    m_running = true;
    m_backoff = 0ms;
    m_retryRelists = true;
    m_retryTimer->start(0);
}

void Informer::stop()
{
    m_running = false;
    ++m_generation;
    dropWatch();
    m_retryTimer->stop();
    m_resyncTimer->stop();
}

void Informer::listPage(const QString &continueToken)
{
    ListQuery query;
    query.labelSelector = m_options.labelSelector;
    query.fieldSelector = m_options.fieldSelector;
    query.limit = m_options.pageSize;
    query.continueToken = continueToken;
    const QPointer<Informer> self(this);
    const quint64 generation = m_generation;
    m_client.list(m_resource, m_options.ns, query,
                  [self, generation, continueToken](Result<QJsonObject> page) {
                      if (!self || self->m_generation != generation)
                          return;
                      if (page)
                          return self->onListed(*page);
                      qCInfo(lcClient).noquote() << "listing" << self->m_resource.resource
                                                 << "failed:" << page.error().message;
                      // An expired continue token is not a failure: the list starts over.
                      const bool expired = !continueToken.isEmpty() && isExpired(page.error());
                      if (!expired)
                          Q_EMIT self->failed(page.error());
                      if (self && self->m_generation == generation)
                          self->retry(true, !expired);
                  });
}

void Informer::onListed(const QJsonObject &page)
{
    const QJsonObject meta = page.value(u"metadata").toObject();
    // Every page of a list is one snapshot: the first page's resourceVersion is the list's.
    if (m_listResourceVersion.isEmpty())
        m_listResourceVersion = meta.value(u"resourceVersion").toString();
    // Items of a List carry no kind; watch events do. Give them one so that both look alike.
    QString kind = page.value(u"kind").toString();
    if (kind.endsWith(u"List"))
        kind.chop(4);
    const QJsonValue apiVersion = page.value(u"apiVersion");
    for (const QJsonValue &v : page.value(u"items").toArray()) {
        QJsonObject object = v.toObject();
        if (!object.contains(u"kind") && !kind.isEmpty()) {
            object.insert(u"kind"_s, kind);
            object.insert(u"apiVersion"_s, apiVersion);
        }
        m_listed.insert(keyOf(object), shaped(object));
    }
    const QString next = meta.value(u"continue").toString();
    if (!next.isEmpty())
        return listPage(next);

    const QHash<QString, QJsonObject> listed = std::exchange(m_listed, {});
    m_resourceVersion = m_listResourceVersion;
    m_backoff = 0ms;
    const QPointer<Informer> self(this);
    const quint64 generation = m_generation;
    replace(listed);
    if (!self || m_generation != generation)
        return;
    if (!m_synced) {
        m_synced = true;
        if (m_options.resyncPeriod > 0ms)
            m_resyncTimer->start(m_options.resyncPeriod);
        Q_EMIT synced();
        if (!self || m_generation != generation)
            return;
    } else if (m_options.resyncPeriod > 0ms && !m_resyncTimer->isActive()) {
        m_resyncTimer->start(m_options.resyncPeriod);
    }
    startWatch();
}

void Informer::replace(const QHash<QString, QJsonObject> &objects)
{
    // The cache is complete before any handler runs, so handlers see the new state.
    QList<QJsonObject> gone;
    for (auto it = m_cache.cbegin(); it != m_cache.cend(); ++it)
        if (!objects.contains(it.key()))
            gone.append(it.value());
    QList<std::pair<QJsonObject, QJsonObject>> changed; // (old or empty, new)
    for (auto it = objects.cbegin(); it != objects.cend(); ++it) {
        const auto old = m_cache.constFind(it.key());
        if (old == m_cache.cend())
            changed.append({{}, it.value()});
        else if (resourceVersionOf(*old) != resourceVersionOf(it.value()))
            changed.append({*old, it.value()});
    }
    m_cache = objects;

    const QPointer<Informer> self(this);
    const quint64 generation = m_generation;
    for (const QJsonObject &o : std::as_const(gone)) {
        Q_EMIT deleted(o);
        if (!self || m_generation != generation)
            return;
    }
    for (const auto &[old, now] : std::as_const(changed)) {
        if (old.isEmpty())
            Q_EMIT added(now);
        else
            Q_EMIT updated(old, now);
        if (!self || m_generation != generation)
            return;
    }
}

void Informer::startWatch()
{
    ListQuery query;
    query.labelSelector = m_options.labelSelector;
    query.fieldSelector = m_options.fieldSelector;
    query.resourceVersion = m_resourceVersion;
    // As client-go's reflector: the server ends each watch after 5-10 minutes, which spreads
    // the re-watches of many clients and finds dead connections.
    query.timeoutSeconds = 300 + QRandomGenerator::global()->bounded(300);
    m_watch = m_client.watch(m_resource, m_options.ns, query);
    m_watchSawEvent = false;
    m_watchStarted = std::chrono::steady_clock::now();
    connect(m_watch.get(), &WatchHandle::event, this, &Informer::onEvent);
    connect(m_watch.get(), &WatchHandle::finished, this, &Informer::onWatchEnded);
}

void Informer::dropWatch()
{
    if (!m_watch)
        return;
    m_watch->disconnect(this);
    // Not deleted at once: this may run inside one of its signals.
    m_watch.release()->deleteLater();
}

void Informer::onEvent(const WatchEvent &event)
{
    const QString &type = event.type;
    if (type == u"ERROR") {
        return onWatchEnded(errorFromStatus(event.object));
    }
    m_watchSawEvent = true;
    m_backoff = 0ms;
    if (const QString rv = resourceVersionOf(event.object); !rv.isEmpty())
        m_resourceVersion = rv;
    if (type == u"ADDED" || type == u"MODIFIED")
        upsert(shaped(event.object));
    else if (type == u"DELETED")
        removeObject(shaped(event.object));
}

void Informer::onWatchEnded(const std::optional<Error> &error)
{
    dropWatch();
    if (!error) {
        const bool tooShort =
            !m_watchSawEvent && std::chrono::steady_clock::now() - m_watchStarted < shortWatch;
        return retry(false, tooShort);
    }
    // The server no longer has the history from our resourceVersion: only a new list can
    // tell what happened meanwhile.
    if (isExpired(*error)) {
        qCInfo(lcClient).noquote()
            << "watch of" << m_resource.resource << "expired, listing again:" << error->message;
        return retry(true, false);
    }
    qCInfo(lcClient).noquote() << "watch of" << m_resource.resource << "failed:" << error->message;
    const QPointer<Informer> self(this);
    const quint64 generation = m_generation;
    Q_EMIT failed(*error);
    if (self && m_generation == generation)
        retry(false, true);
}

void Informer::retry(bool relist, bool failure)
{
    m_retryRelists = relist;
    if (failure)
        m_backoff = std::min<std::chrono::milliseconds>(
            maxBackoff,
            m_backoff == 0ms ? std::chrono::milliseconds(initialBackoff) : m_backoff * 2);
    else
        m_backoff = 0ms;
    m_retryTimer->start(m_backoff);
}

void Informer::resync()
{
    if (!m_synced)
        return;
    const QPointer<Informer> self(this);
    const quint64 generation = m_generation;
    const QList<QJsonObject> objects = m_cache.values();
    for (const QJsonObject &o : objects) {
        Q_EMIT updated(o, o);
        if (!self || m_generation != generation)
            return;
    }
}

QJsonObject Informer::shaped(const QJsonObject &object) const
{
    return m_options.transform ? m_options.transform(object) : object;
}

void Informer::upsert(const QJsonObject &object)
{
    const QString key = keyOf(object);
    auto it = m_cache.find(key);
    if (it == m_cache.end()) {
        m_cache.insert(key, object);
        Q_EMIT added(object);
        return;
    }
    const QJsonObject old = std::exchange(*it, object);
    Q_EMIT updated(old, object);
}

void Informer::removeObject(const QJsonObject &object)
{
    m_cache.remove(keyOf(object));
    Q_EMIT deleted(object);
}

} // namespace timonel::client
