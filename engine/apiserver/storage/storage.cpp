#include "apiserver/storage/storage.h"

#include "apiserver/storage/sqlitefile.h"

#include <QDir>
#include <QJsonDocument>
#include <QLoggingCategory>

#include <algorithm>

namespace timonel::apiserver {

namespace {

Q_LOGGING_CATEGORY(lcStorage, "timonel.apiserver.storage", QtInfoMsg)

constexpr int schemaVersion = 1;
const QByteArray keyCheckPlain = QByteArrayLiteral("timonel storage key check");
const QByteArray keyCheckAssociatedData = QByteArrayLiteral("meta/keycheck");

// Kubernetes' text for a stale resourceVersion (storage.OptimisticLockErrorMsg): the API server
// puts it after 'Operation cannot be fulfilled on pods "x": '.
const QString conflictMessage = QStringLiteral(
    "the object has been modified; please apply your changes to the latest version and try again");

QJsonObject parse(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

QByteArray serialize(const QJsonObject &object)
{
    // Kept in memory for as long as the object lives: without the writer's spare capacity.
    QByteArray json = QJsonDocument(object).toJson(QJsonDocument::Compact);
    json.squeeze();
    return json;
}

void setResourceVersion(QJsonObject &object, qint64 revision)
{
    QJsonObject metadata = object.value(QLatin1String("metadata")).toObject();
    metadata.insert(QLatin1String("resourceVersion"), QString::number(revision));
    object.insert(QLatin1String("metadata"), metadata);
}

StorageError error(StorageErrorCode code, QString message, qint64 currentRevision = 0)
{
    return StorageError{code, std::move(message), currentRevision};
}

} // namespace

// storage.h's name for the file.
struct Storage::Database : SqliteFile
{
};

// --- Watch -----------------------------------------------------------------------------------

Watch::Watch(Storage *storage, QString prefix, qint64 after)
    : m_storage(storage), m_prefix(std::move(prefix)), m_after(after)
{
}

Watch::~Watch()
{
    if (m_storage)
        m_storage->detach(this);
}

void Watch::enqueue(WatchEvent event)
{
    m_pending.append(std::move(event));
    if (m_flushQueued)
        return;
    m_flushQueued = true;
    // One signal per event-loop turn carries every event of that turn; queued so that a watch
    // created with a replay can be connected before its first batch arrives.
    QMetaObject::invokeMethod(
        this, [this] { flush(); }, Qt::QueuedConnection);
}

void Watch::flush()
{
    m_flushQueued = false;
    const QList<WatchEvent> batch = std::exchange(m_pending, {});
    if (!batch.isEmpty())
        Q_EMIT events(batch);
}

// --- opening ---------------------------------------------------------------------------------

std::expected<std::unique_ptr<Storage>, QString> Storage::open(const QString &directory,
                                                               QByteArray secretKey,
                                                               QStringList encryptedPrefixes,
                                                               int historySize)
{
    qRegisterMetaType<WatchEvent>();
    qRegisterMetaType<QList<WatchEvent>>();

    auto cipher = SecretCipher::create(std::move(secretKey));
    if (!cipher)
        return std::unexpected(cipher.error());
    if (!QDir().mkpath(directory))
        return std::unexpected(QStringLiteral("cannot create the directory %1").arg(directory));

    auto database = std::make_unique<Database>();
    if (auto opened = database->open(QDir(directory).filePath(QStringLiteral("timonel.db")));
        !opened)
        return std::unexpected(opened.error());

    std::unique_ptr<Storage> storage(new Storage(std::move(database), std::move(*cipher),
                                                 std::move(encryptedPrefixes),
                                                 std::max(0, historySize)));
    if (auto loaded = storage->load(); !loaded) {
        storage->m_database->rollback();
        return std::unexpected(loaded.error());
    }
    if (auto committed = storage->m_database->commit(); !committed)
        return std::unexpected(
            sqlError(QStringLiteral("cannot initialise %1").arg(storage->m_database->path()),
                     committed.error()));
    qCInfo(lcStorage) << "opened" << storage->m_database->path() << "at revision"
                      << storage->m_revision << "with" << storage->m_objects.size() << "objects";
    return storage;
}

Storage::Storage(std::unique_ptr<Database> database, SecretCipher cipher,
                 QStringList encryptedPrefixes, int historySize)
    : m_database(std::move(database)), m_cipher(std::move(cipher)),
      m_encryptedPrefixes(std::move(encryptedPrefixes)), m_historySize(historySize)
{
}

Storage::~Storage()
{
    // Writes already applied are kept; their callbacks may point at objects that are gone.
    for (PendingWrite &write : m_pending)
        write.done = nullptr;
    commitPending(false);
    for (Watch *watch : std::as_const(m_watches))
        watch->m_storage = nullptr;
}

// Inside open()'s transaction: checks the schema and the key, reads every object into memory,
// and encrypts values left in clear under an encrypted prefix (one added since they were written).
std::expected<void, QString> Storage::load()
{
    const QString &path = m_database->path();
    const auto meta = m_database->readMeta();
    if (!meta)
        return std::unexpected(meta.error());
    if (meta->value(QStringLiteral("schema")).toInt() > schemaVersion)
        return std::unexpected(
            QStringLiteral("%1 was written by a newer Timonel (storage schema %2)")
                .arg(path, meta->value(QStringLiteral("schema")).toString()));
    if (meta->contains(QStringLiteral("revision")))
        m_revision = meta->value(QStringLiteral("revision")).toLongLong();
    const QByteArray keyCheck = meta->value(QStringLiteral("keycheck")).toByteArray();
    const QString wrongKey = QStringLiteral(
        "the secret encryption key does not match the one the data in %1 was encrypted with");
    if (keyCheck.isEmpty()) {
        auto sealed = m_cipher.encrypt(keyCheckPlain, keyCheckAssociatedData);
        if (!sealed)
            return std::unexpected(sealed.error());
        if (auto written = m_database->writeMeta(QStringLiteral("keycheck"), *sealed); !written)
            return written;
        if (auto written = m_database->writeMeta(QStringLiteral("schema"), schemaVersion); !written)
            return written;
    } else if (auto opened = m_cipher.decrypt(keyCheck, keyCheckAssociatedData);
               !opened || *opened != keyCheckPlain) {
        return std::unexpected(wrongKey.arg(path));
    }

    QStringList toEncrypt;
    auto read = m_database->readObjects([&](const QString &key, qint64 revision,
                                            QByteArray value) -> std::expected<void, QString> {
        if (SecretCipher::isEnvelope(value)) {
            auto plain = m_cipher.decrypt(value, key.toUtf8());
            if (!plain)
                return std::unexpected(
                    QStringLiteral("cannot decrypt %1 in %2: %3").arg(key, path, plain.error()));
            value = std::move(*plain);
        } else if (isEncrypted(key)) {
            toEncrypt.append(key);
        }
        m_revision = std::max(m_revision, revision);
        m_objects.insert_or_assign(key, Entry{revision, std::move(value)});
        return {};
    });
    if (!read)
        return read;
    for (const QString &key : std::as_const(toEncrypt)) {
        const Entry &entry = m_objects.at(key);
        auto sealed = databaseValueFor(key, entry.json);
        if (!sealed)
            return std::unexpected(sealed.error().message);
        if (auto written = m_database->put(key, entry.revision, *sealed); !written)
            return std::unexpected(
                sqlError(QStringLiteral("cannot encrypt %1").arg(key), written.error()));
    }
    if (!toEncrypt.isEmpty())
        qCInfo(lcStorage) << "encrypted" << toEncrypt.size() << "values stored in clear";
    m_committedRevision = m_revision;
    m_historyBase = m_revision;
    return {};
}

// --- reads -----------------------------------------------------------------------------------

std::optional<StoredObject> Storage::get(const QString &key) const
{
    const auto it = m_objects.find(key);
    if (it == m_objects.end())
        return std::nullopt;
    return StoredObject{key, it->second.revision, parse(it->second.json), it->second.json};
}

namespace {
// Walks the keys under `prefix` after `afterKey`, at most `limit` of them.
template <typename Map, typename Visit>
void forEachUnder(const Map &objects, const QString &prefix, const QString &afterKey, int limit,
                  Visit visit)
{
    auto it = afterKey < prefix ? objects.lower_bound(prefix) : objects.upper_bound(afterKey);
    for (int visited = 0; it != objects.end() && it->first.startsWith(prefix); ++it) {
        if (limit > 0 && visited++ == limit)
            break;
        visit(it->first, it->second);
    }
}
} // namespace

QList<StoredObject> Storage::list(const QString &prefix, const QString &afterKey, int limit) const
{
    QList<StoredObject> result;
    forEachUnder(m_objects, prefix, afterKey, limit, [&](const QString &key, const Entry &entry) {
        result.append(StoredObject{key, entry.revision, parse(entry.json), entry.json});
    });
    return result;
}

QList<StoredJson> Storage::listJson(const QString &prefix, const QString &afterKey, int limit) const
{
    QList<StoredJson> result;
    forEachUnder(m_objects, prefix, afterKey, limit, [&](const QString &key, const Entry &entry) {
        result.append(StoredJson{key, entry.revision, entry.json});
    });
    return result;
}

qint64 Storage::count(const QString &prefix, const QString &afterKey) const
{
    qint64 n = 0;
    forEachUnder(m_objects, prefix, afterKey, 0, [&](const QString &, const Entry &) { ++n; });
    return n;
}

// --- writes ----------------------------------------------------------------------------------

bool Storage::isEncrypted(const QString &key) const
{
    return std::ranges::any_of(m_encryptedPrefixes,
                               [&](const QString &prefix) { return key.startsWith(prefix); });
}

std::expected<QByteArray, StorageError> Storage::databaseValueFor(const QString &key,
                                                                  const QByteArray &json) const
{
    if (!isEncrypted(key))
        return json;
    auto sealed = m_cipher.encrypt(json, key.toUtf8());
    if (!sealed)
        return std::unexpected(error(StorageErrorCode::Internal, sealed.error()));
    return *sealed;
}

// Applies a write to memory and queues it for the next commit.
void Storage::recordWrite(HistoryEntry change, std::optional<Entry> before,
                          QByteArray databaseValue, const StoredObject &stored, QJsonObject parsed)
{
    if (change.type == WatchEventType::Deleted)
        m_objects.erase(change.key);
    else
        m_objects.insert_or_assign(change.key, Entry{change.revision, change.object});
    m_history.push_back(change);
    while (m_history.size() > size_t(m_historySize)) {
        m_historyBase = m_history.front().revision;
        m_history.pop_front();
    }
    if (m_history.empty())
        m_historyBase = m_revision;
    m_pending.push_back(PendingWrite{std::move(change),
                                     std::move(before),
                                     std::move(databaseValue),
                                     stored,
                                     {},
                                     std::move(parsed)});
}

StorageResult Storage::applyCreate(const QString &key, QJsonObject object)
{
    if (m_objects.contains(key))
        return std::unexpected(
            error(StorageErrorCode::AlreadyExists, QStringLiteral("key exists")));
    const qint64 revision = m_revision + 1;
    setResourceVersion(object, revision);
    QByteArray json = serialize(object);
    auto value = databaseValueFor(key, json);
    if (!value)
        return std::unexpected(value.error());
    m_revision = revision;
    StoredObject stored{key, revision, object, json};
    recordWrite({WatchEventType::Added, revision, key, json, {}}, std::nullopt, std::move(*value),
                stored, std::move(object));
    return stored;
}

StorageResult Storage::applyUpdate(const QString &key, QJsonObject object, qint64 expectedRevision)
{
    const auto it = m_objects.find(key);
    if (it == m_objects.end())
        return std::unexpected(error(StorageErrorCode::NotFound, QStringLiteral("key not found")));
    const Entry before = it->second;
    if (expectedRevision != 0 && expectedRevision != before.revision)
        return std::unexpected(error(StorageErrorCode::Conflict, conflictMessage, before.revision));

    // Kubernetes skips writes that change nothing: no new revision, no watch event.
    setResourceVersion(object, before.revision);
    if (serialize(object) == before.json)
        return StoredObject{key, before.revision, std::move(object), before.json};

    const qint64 revision = m_revision + 1;
    setResourceVersion(object, revision);
    QByteArray json = serialize(object);
    auto value = databaseValueFor(key, json);
    if (!value)
        return std::unexpected(value.error());
    m_revision = revision;
    StoredObject stored{key, revision, object, json};
    recordWrite({WatchEventType::Modified, revision, key, json, before.json}, before,
                std::move(*value), stored, std::move(object));
    return stored;
}

StorageResult Storage::applyRemove(const QString &key, qint64 expectedRevision)
{
    const auto it = m_objects.find(key);
    if (it == m_objects.end())
        return std::unexpected(error(StorageErrorCode::NotFound, QStringLiteral("key not found")));
    const Entry before = it->second;
    if (expectedRevision != 0 && expectedRevision != before.revision)
        return std::unexpected(error(StorageErrorCode::Conflict, conflictMessage, before.revision));

    const qint64 revision = ++m_revision;
    QJsonObject last = parse(before.json);
    StoredObject stored{key, revision, last, before.json};
    recordWrite({WatchEventType::Deleted, revision, key, before.json, before.json}, before, {},
                stored, std::move(last));
    return stored;
}

StorageResult Storage::create(const QString &key, QJsonObject object)
{
    return commitNow(applyCreate(key, std::move(object)));
}

StorageResult Storage::update(const QString &key, QJsonObject object, qint64 expectedRevision)
{
    return commitNow(applyUpdate(key, std::move(object), expectedRevision));
}

StorageResult Storage::remove(const QString &key, qint64 expectedRevision)
{
    return commitNow(applyRemove(key, expectedRevision));
}

void Storage::create(const QString &key, QJsonObject object, StorageCallback done)
{
    finishLater([&] { return applyCreate(key, std::move(object)); }, std::move(done));
}

void Storage::update(const QString &key, QJsonObject object, qint64 expectedRevision,
                     StorageCallback done)
{
    finishLater([&] { return applyUpdate(key, std::move(object), expectedRevision); },
                std::move(done));
}

void Storage::remove(const QString &key, qint64 expectedRevision, StorageCallback done)
{
    finishLater([&] { return applyRemove(key, expectedRevision); }, std::move(done));
}

// Hooks `done` to the write `apply` made, or queues its bare result (an error, an unchanged
// update) so that it too is reported after the commit, in order.
void Storage::finishLater(const std::function<StorageResult()> &apply, StorageCallback done)
{
    const size_t queuedBefore = m_pending.size();
    StorageResult result = apply();
    if (m_pending.size() > queuedBefore)
        m_pending.back().done = std::move(done);
    else
        m_pending.push_back(PendingWrite{{}, std::nullopt, {}, std::move(result), std::move(done)});
    if (m_commitQueued)
        return;
    m_commitQueued = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_commitQueued = false;
            commitPending(true);
        },
        Qt::QueuedConnection);
}

StorageResult Storage::commitNow(StorageResult result)
{
    auto committed = commitPending(false);
    if (!committed && result)
        return std::unexpected(error(StorageErrorCode::Internal, committed.error()));
    return result;
}

std::expected<void, QString> Storage::commitPending(bool fromEventLoop)
{
    std::vector<PendingWrite> writes = std::exchange(m_pending, {});
    std::expected<void, QString> committed;
    if (std::ranges::any_of(writes, [](const PendingWrite &w) { return w.change.revision > 0; }))
        committed = writeToDatabase(writes);
    if (committed) {
        m_committedRevision = m_revision;
        deliver(writes);
    } else {
        qCWarning(lcStorage).noquote() << committed.error();
        rollBack(writes, committed.error());
    }
    for (PendingWrite &write : writes) {
        if (!write.done)
            continue;
        if (fromEventLoop)
            write.done(write.result);
        else
            QMetaObject::invokeMethod(
                this,
                [done = std::move(write.done), result = std::move(write.result)] { done(result); },
                Qt::QueuedConnection);
    }
    return committed;
}

std::expected<void, QString> Storage::writeToDatabase(const std::vector<PendingWrite> &writes)
{
    SqliteFile &file = *m_database;
    if (auto begun = file.transaction(); !begun)
        return std::unexpected(sqlError(
            QStringLiteral("cannot begin a transaction on %1").arg(file.path()), begun.error()));
    for (const PendingWrite &write : writes) {
        if (write.change.revision == 0)
            continue;
        const auto written =
            write.change.type == WatchEventType::Deleted
                ? file.erase(write.change.key)
                : file.put(write.change.key, write.change.revision, write.databaseValue);
        if (!written) {
            const QString message =
                sqlError(QStringLiteral("cannot write to %1").arg(file.path()), written.error());
            file.rollback();
            return std::unexpected(message);
        }
    }
    // Deletions leave no row behind, so the counter is stored on its own.
    if (auto written = file.writeMeta(QStringLiteral("revision"), m_revision); !written) {
        file.rollback();
        return written;
    }
    if (auto committed = file.commit(); !committed) {
        const QString message =
            sqlError(QStringLiteral("cannot commit to %1").arg(file.path()), committed.error());
        file.rollback();
        return std::unexpected(message);
    }
    return {};
}

// The commit failed: memory goes back to the last committed state and every write fails.
void Storage::rollBack(std::vector<PendingWrite> &writes, const QString &reason)
{
    for (auto it = writes.rbegin(); it != writes.rend(); ++it) {
        if (it->change.revision == 0)
            continue;
        if (it->before)
            m_objects.insert_or_assign(it->change.key, *it->before);
        else
            m_objects.erase(it->change.key);
        if (it->result)
            it->result = std::unexpected(error(StorageErrorCode::Internal, reason));
    }
    while (!m_history.empty() && m_history.back().revision > m_committedRevision)
        m_history.pop_back();
    m_revision = m_committedRevision;
    if (m_history.empty() || m_historyBase > m_revision) {
        m_history.clear();
        m_historyBase = m_revision;
    }
    // The revisions will be reused: watches "from now" must not skip them.
    for (Watch *watch : std::as_const(m_watches))
        watch->m_after = std::min(watch->m_after, m_revision);
}

// --- watches ---------------------------------------------------------------------------------

WatchEvent Storage::eventFrom(const HistoryEntry &change, const QJsonObject &parsed) const
{
    WatchEvent event{change.type, change.revision, change.key, {}, {}, change.object};
    switch (change.type) {
    case WatchEventType::Added:
        event.object = parsed.isEmpty() ? parse(change.object) : parsed;
        break;
    case WatchEventType::Modified:
        event.object = parsed.isEmpty() ? parse(change.object) : parsed;
        event.previous = parse(change.previous);
        break;
    case WatchEventType::Deleted:
        event.previous = parsed.isEmpty() ? parse(change.previous) : parsed;
        event.object = event.previous;
        setResourceVersion(event.object, change.revision);
        event.json = serialize(event.object);
        break;
    }
    return event;
}

void Storage::deliver(const std::vector<PendingWrite> &writes)
{
    if (m_watches.isEmpty())
        return;
    for (const PendingWrite &write : writes) {
        if (write.change.revision == 0)
            continue;
        std::optional<WatchEvent> event; // built once, shared by every watcher
        for (Watch *watch : std::as_const(m_watches)) {
            if (write.change.revision <= watch->m_after ||
                !write.change.key.startsWith(watch->m_prefix))
                continue;
            if (!event)
                event = eventFrom(write.change, write.parsed);
            watch->enqueue(*event);
        }
    }
    for (Watch *watch : std::as_const(m_watches))
        watch->m_after = std::max(watch->m_after, m_committedRevision);
}

std::expected<std::unique_ptr<Watch>, StorageError> Storage::watch(const QString &prefix,
                                                                   qint64 fromRevision)
{
    if (fromRevision != 0 && fromRevision < m_historyBase)
        return std::unexpected(error(StorageErrorCode::Gone,
                                     QStringLiteral("too old resource version: %1 (%2)")
                                         .arg(fromRevision)
                                         .arg(m_historyBase),
                                     m_historyBase));
    // From now: after every applied write, including pending ones a list has already seen.
    const qint64 after = fromRevision == 0 ? m_revision : fromRevision;
    std::unique_ptr<Watch> watch(new Watch(this, prefix, after));
    if (fromRevision != 0) {
        // History holds every revision after m_historyBase, one entry each, in order.
        const qint64 skipped =
            std::min<qint64>(fromRevision - m_historyBase, qint64(m_history.size()));
        for (auto it = m_history.begin() + skipped;
             it < m_history.end() && it->revision <= m_committedRevision; ++it) {
            if (it->key.startsWith(prefix))
                watch->enqueue(eventFrom(*it, {}));
        }
        watch->m_after = std::max(after, m_committedRevision);
    }
    m_watches.append(watch.get());
    return watch;
}

void Storage::detach(Watch *watch)
{
    m_watches.removeOne(watch);
}

} // namespace timonel::apiserver
