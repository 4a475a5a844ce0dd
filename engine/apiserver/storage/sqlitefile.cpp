#include "apiserver/storage/sqlitefile.h"

#include <QByteArrayView>
#include <QUuid>

namespace timonel::apiserver {

namespace {

// Lets a restarting API server wait for the previous process to let go of the database.
constexpr int busyTimeoutMs = 2000;

} // namespace

QString sqlError(const QString &what, const QSqlError &error)
{
    return what + QStringLiteral(": ") + error.text();
}

SqliteFile::~SqliteFile()
{
    m_put.reset();
    m_erase.reset();
    m_setMeta.reset();
    m_db.close();
    m_db = QSqlDatabase();
    if (!m_connectionName.isEmpty())
        QSqlDatabase::removeDatabase(m_connectionName);
}

std::expected<void, QString> SqliteFile::open(const QString &path)
{
    m_connectionName = QStringLiteral("timonel-storage-") + QUuid::createUuid().toString();
    m_path = path;
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    if (!m_db.isValid())
        return std::unexpected(
            QStringLiteral("the Qt SQLite driver (plugins/sqldrivers/libqsqlite.so) is missing"));
    m_db.setDatabaseName(m_path);
    m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(busyTimeoutMs));
    if (!m_db.open())
        return std::unexpected(
            sqlError(QStringLiteral("cannot open %1").arg(m_path), m_db.lastError()));

    // Exclusive locking before WAL: no shared-memory index, and the lock taken by BEGIN IMMEDIATE
    // below is kept, so a second API server on the same volume fails instead of diverging.
    // synchronous=FULL: a commit is on disk before it returns, so an acknowledged write survives
    // a power cut as well as kill -9.
    const QString inUse = QStringLiteral("%1 is in use by another process (is another API "
                                         "server running on the same data directory?)")
                              .arg(m_path);
    for (const char *statement :
         {"PRAGMA locking_mode=EXCLUSIVE", "PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
          "PRAGMA journal_size_limit=16777216", "BEGIN IMMEDIATE",
          "CREATE TABLE IF NOT EXISTS objects (key TEXT PRIMARY KEY NOT NULL, "
          "revision INTEGER NOT NULL, value BLOB NOT NULL)",
          "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY NOT NULL, value)"}) {
        QSqlQuery query(m_db);
        if (!query.exec(QString::fromLatin1(statement))) {
            if (query.lastError().nativeErrorCode() == QLatin1String("5")) // SQLITE_BUSY
                return std::unexpected(inUse);
            return std::unexpected(sqlError(QString::fromLatin1(statement), query.lastError()));
        }
        // WAL needs shared-memory-free locking the filesystem may not offer (network mounts).
        if (QByteArrayView(statement).contains("journal_mode") &&
            (!query.next() || query.value(0).toString() != QLatin1String("wal")))
            return std::unexpected(
                QStringLiteral("%1 cannot use write-ahead logging on this filesystem").arg(m_path));
    }
    m_put.emplace(m_db);
    m_erase.emplace(m_db);
    m_setMeta.emplace(m_db);
    if (!m_put->prepare(QStringLiteral(
            "INSERT OR REPLACE INTO objects (key, revision, value) VALUES (?, ?, ?)")) ||
        !m_erase->prepare(QStringLiteral("DELETE FROM objects WHERE key = ?")) ||
        !m_setMeta->prepare(
            QStringLiteral("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)")))
        return std::unexpected(
            sqlError(QStringLiteral("cannot prepare the storage statements"), m_db.lastError()));
    return {};
}

std::expected<QHash<QString, QVariant>, QString> SqliteFile::readMeta()
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT name, value FROM meta")))
        return std::unexpected(
            sqlError(QStringLiteral("cannot read %1").arg(m_path), query.lastError()));
    QHash<QString, QVariant> meta;
    while (query.next())
        meta.insert(query.value(0).toString(), query.value(1));
    return meta;
}

std::expected<void, QString> SqliteFile::readObjects(const ObjectVisitor &visit)
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT key, revision, value FROM objects")))
        return std::unexpected(
            sqlError(QStringLiteral("cannot read %1").arg(m_path), query.lastError()));
    while (query.next()) {
        if (auto visited = visit(query.value(0).toString(), query.value(1).toLongLong(),
                                 query.value(2).toByteArray());
            !visited)
            return visited;
    }
    return {};
}

std::expected<void, QString> SqliteFile::writeMeta(const QString &name, const QVariant &value)
{
    m_setMeta->bindValue(0, name);
    m_setMeta->bindValue(1, value);
    if (!m_setMeta->exec())
        return std::unexpected(
            sqlError(QStringLiteral("cannot write the storage metadata"), m_setMeta->lastError()));
    return {};
}

std::expected<void, QSqlError> SqliteFile::put(const QString &key, qint64 revision,
                                               const QByteArray &value)
{
    m_put->bindValue(0, key);
    m_put->bindValue(1, revision);
    m_put->bindValue(2, value);
    if (!m_put->exec())
        return std::unexpected(m_put->lastError());
    return {};
}

std::expected<void, QSqlError> SqliteFile::erase(const QString &key)
{
    m_erase->bindValue(0, key);
    if (!m_erase->exec())
        return std::unexpected(m_erase->lastError());
    return {};
}

std::expected<void, QSqlError> SqliteFile::transaction()
{
    if (!m_db.transaction())
        return std::unexpected(m_db.lastError());
    return {};
}

std::expected<void, QSqlError> SqliteFile::commit()
{
    if (!m_db.commit())
        return std::unexpected(m_db.lastError());
    return {};
}

void SqliteFile::rollback()
{
    m_db.rollback();
}

} // namespace timonel::apiserver
