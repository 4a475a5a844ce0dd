// The storage's SQLite file: the objects table (key, revision, value) and the meta table (name,
// value), with the statements every commit runs prepared once. It knows SQL, not objects: what
// the values mean, their encryption and the revision counter are the storage's.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QVariant>

#include <expected>
#include <functional>
#include <optional>

namespace timonel::apiserver {

class SqliteFile
{
public:
    SqliteFile() = default;
    ~SqliteFile();
    Q_DISABLE_COPY_MOVE(SqliteFile)

    // Opens the file at `path`, creating it and its tables if missing, and begins the
    // transaction in which the caller reads it: commit() or rollback() ends it. Fails when
    // another process has the file open or the filesystem cannot do write-ahead logging.
    std::expected<void, QString> open(const QString &path);
    const QString &path() const { return m_path; }

    // The meta table's values by name.
    std::expected<QHash<QString, QVariant>, QString> readMeta();
    using ObjectVisitor = std::function<std::expected<void, QString>(
        const QString &key, qint64 revision, QByteArray value)>;
    // Every row of the objects table, until `visit` fails.
    std::expected<void, QString> readObjects(const ObjectVisitor &visit);

    std::expected<void, QString> writeMeta(const QString &name, const QVariant &value);
    // These report SQLite's error for the caller to say what failed.
    std::expected<void, QSqlError> put(const QString &key, qint64 revision,
                                       const QByteArray &value);
    std::expected<void, QSqlError> erase(const QString &key);

    std::expected<void, QSqlError> transaction();
    std::expected<void, QSqlError> commit();
    void rollback();

private:
    QString m_connectionName;
    QString m_path;
    QSqlDatabase m_db;
    std::optional<QSqlQuery> m_put;
    std::optional<QSqlQuery> m_erase;
    std::optional<QSqlQuery> m_setMeta;
};

// "<what>: <SQLite's text>".
QString sqlError(const QString &what, const QSqlError &error);

} // namespace timonel::apiserver
