// Kubernetes' list+watch cache (client-go's reflector + store + informer) for one resource:
// what controllers and the GUI build on. It lists, then watches from the list's
// resourceVersion; keeps every object in a local cache and says what changed; resumes an ended
// watch from the last resourceVersion it saw (bookmarks included); lists again when the server
// no longer has that far back (410 Gone); and can replay the whole cache periodically (resync)
// so level-triggered handlers get another look at every object. Works over any ApiClient.
#pragma once

#include "client/apiclient.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>

#include <chrono>
#include <functional>
#include <memory>

class QTimer;

namespace timonel::client {

struct InformerOptions
{
    QString ns; // "" = every namespace (or a cluster-scoped resource)
    QString labelSelector;
    QString fieldSelector;
    // Every object is emitted as updated(o, o) this often once synced; 0 = never.
    std::chrono::milliseconds resyncPeriod{0};
    int pageSize = 500; // the list is read in pages of this many objects, as kubectl does
    // Applied to every object before it is cached and reported, as client-go's SetTransform:
    // watchers of every object, like the garbage collector, keep only what they read.
    std::function<QJsonObject(const QJsonObject &)> transform;
};

class Informer : public QObject
{
    Q_OBJECT
public:
    // `client` must outlive the informer.
    Informer(ApiClient &client, Resource resource, InformerOptions options = {},
             QObject *parent = nullptr);
    ~Informer() override;

    const Resource &resource() const { return m_resource; }

    // Lists and starts watching; again after stop() (with a fresh list).
    void start();
    // Stops watching and retrying; the cache keeps what it has.
    void stop();
    bool isRunning() const { return m_running; }

    // Whether the first list has completed (the cache is then a complete view).
    bool hasSynced() const { return m_synced; }

    // The cached object (empty when absent); ns is "" for cluster-scoped objects.
    QJsonObject get(const QString &ns, const QString &name) const;
    QList<QJsonObject> list() const;
    qsizetype size() const { return m_cache.size(); }
    // The resourceVersion the cache is at: of the last list, event or bookmark.
    QString resourceVersion() const { return m_resourceVersion; }

    // "ns/name", or "name" for cluster-scoped objects (client-go's MetaNamespaceKeyFunc).
    static QString keyOf(const QJsonObject &object);

Q_SIGNALS:
    void added(const QJsonObject &object);
    // On a change, on a relist that found a new resourceVersion, and on each resync.
    void updated(const QJsonObject &oldObject, const QJsonObject &newObject);
    // The last state known: after a relist it may be older than the actual deletion.
    void deleted(const QJsonObject &object);
    // Once, when the first list has filled the cache.
    void synced();
    // A list or watch failed; the informer retries with back-off on its own.
    void failed(const timonel::client::Error &error);

private:
    void listPage(const QString &continueToken);
    void onListed(const QJsonObject &page);
    void replace(const QHash<QString, QJsonObject> &objects);
    void startWatch();
    void onEvent(const WatchEvent &event);
    void onWatchEnded(const std::optional<Error> &error);
    void dropWatch();
    void retry(bool relist, bool failure);
    void resync();
    void upsert(const QJsonObject &object);
    QJsonObject shaped(const QJsonObject &object) const;
    void removeObject(const QJsonObject &object);

    ApiClient &m_client;
    Resource m_resource;
    InformerOptions m_options;

    QHash<QString, QJsonObject> m_cache;
    QString m_resourceVersion;
    bool m_synced = false;
    bool m_running = false;
    quint64 m_generation = 0; // bumped by stop(): answers of an earlier run are ignored

    // The list being read, page by page.
    QHash<QString, QJsonObject> m_listed;
    QString m_listResourceVersion;

    std::unique_ptr<WatchHandle> m_watch;
    bool m_watchSawEvent = false;
    std::chrono::steady_clock::time_point m_watchStarted;

    QTimer *m_retryTimer;
    bool m_retryRelists = false;
    std::chrono::milliseconds m_backoff{0};
    QTimer *m_resyncTimer;
};

} // namespace timonel::client
