// The API server's storage, what etcd is to Kubernetes: every object as JSON under a key, in
// SQLite (WAL, synchronous=FULL) in the control plane's data volume. One global revision counter
// numbers every write and is the objects' metadata.resourceVersion; a bounded in-memory history
// of recent writes lets watches resume from a past revision. Objects under the encrypted
// prefixes (Secrets) are stored with AES-256-GCM.
//
// All current objects are kept in memory as compact JSON, so reads never touch the disk; the
// database is only written (and read once, at open). A Storage and its watches belong to the
// thread that opened it.
#pragma once

#include "apiserver/storage/secretcipher.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <deque>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace timonel::apiserver {

struct StoredObject
{
    QString key;
    qint64 revision = 0; // the revision of the write that returned it (= metadata.resourceVersion)
    QJsonObject object;
    QByteArray json; // `object` as compact JSON, ready for a response body
};

// An object as the storage keeps it: compact JSON, with metadata.resourceVersion set. For
// responses that pass objects through unchanged, without parsing and serializing them again.
struct StoredJson
{
    QString key;
    qint64 revision = 0;
    QByteArray json;
};

enum class StorageErrorCode
{
    NotFound,
    AlreadyExists,
    Conflict,
    Gone,
    Internal
};

// Messages: Conflict carries Kubernetes' "the object has been modified; please apply your changes
// to the latest version and try again" (the API server prefixes 'Operation cannot be fulfilled on
// pods "x": '); Gone carries Kubernetes' "too old resource version: 5 (9)". NotFound and
// AlreadyExists say "key not found" / "key exists": the API server words those itself
// (pods "x" not found), as it knows the resource and the name.
struct StorageError
{
    StorageErrorCode code = StorageErrorCode::Internal;
    QString message;
    qint64 currentRevision = 0; // Conflict: the object's revision; Gone: the oldest watchable one
};

enum class WatchEventType
{
    Added,
    Modified,
    Deleted
};

struct WatchEvent
{
    WatchEventType type = WatchEventType::Added;
    qint64 revision = 0;
    QString key;
    // Added/Modified: the new object. Deleted: the last state, with metadata.resourceVersion
    // set to the deletion's revision (as Kubernetes sends it).
    QJsonObject object;
    // Modified: the object before the write. Deleted: the last state as it was stored.
    // Added: empty. The API server needs it to tell a selector's watchers that an object left.
    QJsonObject previous;
    QByteArray json; // `object` as compact JSON: serialized once for every watcher
};

using StorageResult = std::expected<StoredObject, StorageError>;
using StorageCallback = std::function<void(const StorageResult &)>;

class Storage;

// One watcher's stream of events, in revision order, batched per event-loop turn. Emitted from
// the storage's thread; the types are registered so a QueuedConnection works. Deleting the
// Watch stops it.
class Watch : public QObject
{
    Q_OBJECT
public:
    ~Watch() override;

    QString prefix() const { return m_prefix; }

Q_SIGNALS:
    void events(const QList<timonel::apiserver::WatchEvent> &batch);

private:
    friend class Storage;
    Watch(Storage *storage, QString prefix, qint64 after);
    void enqueue(WatchEvent event);
    void flush();

    Storage *m_storage;
    QString m_prefix;
    qint64 m_after; // every event up to this revision has been queued
    QList<WatchEvent> m_pending;
    bool m_flushQueued = false;
};

class Storage : public QObject
{
    Q_OBJECT
public:
    static constexpr int defaultHistorySize = 10000;

    // `directory` holds timonel.db (created if missing); `secretKey` is the cluster's 32-byte key;
    // values under `encryptedPrefixes` (plain string prefixes of keys) are encrypted. Fails when
    // the database cannot be opened, another process has it open, or it was written with another
    // key. `historySize` is how many past writes watches can resume from; the history shares the
    // JSON of current objects, so only superseded versions cost memory while they stay in it.
    static std::expected<std::unique_ptr<Storage>, QString>
    open(const QString &directory, QByteArray secretKey, QStringList encryptedPrefixes,
         int historySize = defaultHistorySize);
    ~Storage() override;

    // Reads see every applied write, including those whose group commit is still pending in
    // this event-loop turn.
    qint64 currentRevision() const { return m_revision; }
    std::optional<StoredObject> get(const QString &key) const;
    // Ordered by key. Objects with a key under `prefix` and after `afterKey` (empty: from the
    // start), at most `limit` (0: all): the building block of paginated lists.
    QList<StoredObject> list(const QString &prefix, const QString &afterKey = {},
                             int limit = 0) const;
    QList<StoredJson> listJson(const QString &prefix, const QString &afterKey = {},
                               int limit = 0) const;
    // How many objects list(prefix, afterKey) would return: a list's remainingItemCount.
    qint64 count(const QString &prefix, const QString &afterKey = {}) const;

    // Synchronous writes: committed (fsync'ed) before they return. Each sets
    // metadata.resourceVersion of the stored object to the new revision (a decimal string) and
    // returns it. expectedRevision 0 = unconditional. An update that changes nothing writes
    // nothing and returns the object at its current revision, as Kubernetes does. remove()
    // returns the last state of the object (with its own resourceVersion) and the deletion's
    // revision in StoredObject::revision.
    StorageResult create(const QString &key, QJsonObject object);
    StorageResult update(const QString &key, QJsonObject object, qint64 expectedRevision);
    StorageResult remove(const QString &key, qint64 expectedRevision);

    // Group-committed writes, what the API server should use: applied at once (later reads see
    // them), committed together with every other write of this event-loop turn in one
    // transaction (one fsync), and `done` is called after that commit, from the event loop,
    // never from inside the call. Errors (NotFound, Conflict...) are reported the same way.
    void create(const QString &key, QJsonObject object, StorageCallback done);
    void update(const QString &key, QJsonObject object, qint64 expectedRevision,
                StorageCallback done);
    void remove(const QString &key, qint64 expectedRevision, StorageCallback done);

    // Events with a revision above `fromRevision` under `prefix` are delivered, then every new
    // one; 0 means from the current revision. Only committed writes are delivered. A revision
    // older than oldestWatchableRevision() fails with Gone; one above currentRevision() just
    // waits for it (rejecting "too large resource versions" is the API server's call). Prefixes
    // are plain string prefixes: a watch of "/pods/ns/x" also sees "/pods/ns/x2".
    std::expected<std::unique_ptr<Watch>, StorageError> watch(const QString &prefix,
                                                              qint64 fromRevision);
    qint64 oldestWatchableRevision() const { return m_historyBase; }

private:
    struct Database;
    struct Entry
    {
        qint64 revision = 0;
        QByteArray json;
    };
    struct HistoryEntry
    {
        WatchEventType type = WatchEventType::Added;
        qint64 revision = 0;
        QString key;
        QByteArray object;   // Deleted: the last state as it was stored
        QByteArray previous; // Modified and Deleted
    };
    // One write (or one rejected write) waiting for the end-of-turn commit.
    struct PendingWrite
    {
        HistoryEntry change;         // revision 0: nothing to write (an error, an unchanged update)
        std::optional<Entry> before; // to undo the write if the commit fails
        QByteArray databaseValue;    // empty: delete the row
        StorageResult result;
        StorageCallback done;
        QJsonObject parsed; // the new object (Added, Modified) or the last state (Deleted)
    };

    Storage(std::unique_ptr<Database> database, SecretCipher cipher, QStringList encryptedPrefixes,
            int historySize);
    std::expected<void, QString> load();

    // Each checks a write, applies it to memory and queues it for the next commit.
    StorageResult applyCreate(const QString &key, QJsonObject object);
    StorageResult applyUpdate(const QString &key, QJsonObject object, qint64 expectedRevision);
    StorageResult applyRemove(const QString &key, qint64 expectedRevision);
    void recordWrite(HistoryEntry change, std::optional<Entry> before, QByteArray databaseValue,
                     const StoredObject &stored, QJsonObject parsed);
    std::expected<QByteArray, StorageError> databaseValueFor(const QString &key,
                                                             const QByteArray &json) const;
    bool isEncrypted(const QString &key) const;

    StorageResult commitNow(StorageResult result);
    void finishLater(const std::function<StorageResult()> &apply, StorageCallback done);
    // Writes every pending write in one transaction, delivers their watch events and reports
    // them: directly when called from the event loop, queued otherwise.
    std::expected<void, QString> commitPending(bool fromEventLoop);
    std::expected<void, QString> writeToDatabase(const std::vector<PendingWrite> &writes);
    void rollBack(std::vector<PendingWrite> &writes, const QString &reason);

    void deliver(const std::vector<PendingWrite> &writes);
    WatchEvent eventFrom(const HistoryEntry &change, const QJsonObject &parsed) const;
    void detach(Watch *watch);

    std::unique_ptr<Database> m_database;
    SecretCipher m_cipher;
    QStringList m_encryptedPrefixes;
    int m_historySize;

    std::map<QString, Entry> m_objects;
    qint64 m_revision = 0;
    qint64 m_committedRevision = 0;
    std::deque<HistoryEntry> m_history; // revisions m_historyBase+1 .. m_revision, in order
    qint64 m_historyBase = 0;
    std::vector<PendingWrite> m_pending;
    bool m_commitQueued = false;
    QList<Watch *> m_watches;

    friend class Watch;
};

} // namespace timonel::apiserver
