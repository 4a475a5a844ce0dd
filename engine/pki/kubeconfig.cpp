#include "pki/kubeconfig.h"

#include "core/yaml.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QSaveFile>
#include <QThread>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace timonel::pki {

namespace {
// This file's user-visible texts, translated in the "Kubeconfig" context.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Kubeconfig)
};
} // namespace

namespace {

const QString clustersKey = QStringLiteral("clusters");
const QString usersKey = QStringLiteral("users");
const QString contextsKey = QStringLiteral("contexts");
const QString currentContextKey = QStringLiteral("current-context");

constexpr int lockTimeoutMs = 5000;
constexpr int lockPollMs = 50;

// kubectl's convention (client-go clientcmd): whoever creates "<path>.lock" with O_EXCL may
// write the file. It is advisory, so a crashed writer leaves a stale lock behind; the error
// says how to clear it.
class KubeconfigLock
{
public:
    static std::expected<KubeconfigLock, QString> acquire(const QString &path)
    {
        const QString lockPath = path + QStringLiteral(".lock");
        const QByteArray native = QFile::encodeName(lockPath);
        const QDeadlineTimer deadline(lockTimeoutMs);
        for (;;) {
            const int fd =
                ::open(native.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            if (fd >= 0) {
                ::close(fd);
                return KubeconfigLock(lockPath);
            }
            if (errno != EEXIST) {
                return std::unexpected(
                    Tr::tr("cannot create the kubeconfig lock %1: %2")
                        .arg(lockPath, QString::fromLocal8Bit(std::strerror(errno))));
            }
            if (deadline.hasExpired()) {
                return std::unexpected(
                    Tr::tr("kubeconfig %1 is locked by another program (%2 exists); if no "
                           "kubectl or Timonel is writing it, delete %2")
                        .arg(path, lockPath));
            }
            // Blocking is acceptable here: the wait is bounded and only for a file lock.
            QThread::msleep(lockPollMs);
        }
    }

    KubeconfigLock(KubeconfigLock &&other) noexcept
        : m_lockPath(std::exchange(other.m_lockPath, {}))
    {
    }
    KubeconfigLock &operator=(KubeconfigLock &&) = delete;
    ~KubeconfigLock()
    {
        if (!m_lockPath.isEmpty())
            QFile::remove(m_lockPath);
    }

private:
    explicit KubeconfigLock(QString lockPath) : m_lockPath(std::move(lockPath)) {}
    QString m_lockPath;
};

std::expected<QByteArray, QString> readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::unexpected(
            Tr::tr("cannot read kubeconfig %1: %2").arg(path, file.errorString()));
    return file.readAll();
}

// The config as one JSON object; a missing or empty file is an empty config.
std::expected<QJsonObject, QString> loadConfig(const QString &path)
{
    if (!QFileInfo::exists(path))
        return QJsonObject();
    auto bytes = readFile(path);
    if (!bytes)
        return std::unexpected(bytes.error());
    auto parsed = core::parseYaml(*bytes);
    if (!parsed) {
        return std::unexpected(Tr::tr("cannot parse kubeconfig %1 (left unchanged; fix or "
                                      "move it and try again)")
                                   .arg(core::formatYamlError(parsed.error(), path)));
    }
    if (parsed->isNull())
        return QJsonObject();
    if (!parsed->isObject())
        return std::unexpected(
            QStringLiteral(
                "%1 is not a kubeconfig: its top level is not a mapping (left unchanged)")
                .arg(path));
    const QJsonObject config = parsed->toObject();
    for (const QString &key : {clustersKey, usersKey, contextsKey}) {
        const QJsonValue list = config.value(key);
        if (!list.isUndefined() && !list.isNull() && !list.isArray()) {
            return std::unexpected(
                QStringLiteral(
                    "%1 is not a valid kubeconfig: \"%2\" is not a list (left unchanged)")
                    .arg(path, key));
        }
    }
    return config;
}

std::expected<void, QString> writeConfig(const QString &path, const QJsonObject &config)
{
    const QFileInfo info(path);
    const bool existed = info.exists();
    QSaveFile file(path); // writes a temporary file and renames it: readers never see half a file
    if (!file.open(QIODevice::WriteOnly))
        return std::unexpected(
            Tr::tr("cannot write kubeconfig %1: %2").arg(path, file.errorString()));
    // It holds client keys. An existing file keeps its own permissions (QSaveFile copies them).
    if (!existed)
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(core::toYaml(config));
    if (!file.commit())
        return std::unexpected(
            Tr::tr("cannot write kubeconfig %1: %2").arg(path, file.errorString()));
    return {};
}

QJsonObject namedEntry(const QString &name, const QString &field, const QJsonObject &value)
{
    return QJsonObject{{QStringLiteral("name"), name}, {field, value}};
}

QJsonObject clusterEntry(const KubeconfigEntry &entry)
{
    QJsonObject cluster{{QStringLiteral("server"), entry.server}};
    if (!entry.caPem.isEmpty())
        cluster.insert(QStringLiteral("certificate-authority-data"),
                       QString::fromLatin1(entry.caPem.toBase64()));
    return namedEntry(entry.contextName, QStringLiteral("cluster"), cluster);
}

QJsonObject userEntry(const KubeconfigEntry &entry)
{
    QJsonObject user;
    if (!entry.clientCertPem.isEmpty())
        user.insert(QStringLiteral("client-certificate-data"),
                    QString::fromLatin1(entry.clientCertPem.toBase64()));
    if (!entry.clientKeyPem.isEmpty())
        user.insert(QStringLiteral("client-key-data"),
                    QString::fromLatin1(entry.clientKeyPem.toBase64()));
    return namedEntry(entry.contextName, QStringLiteral("user"), user);
}

QJsonObject contextEntry(const KubeconfigEntry &entry)
{
    const QJsonObject context{{QStringLiteral("cluster"), entry.contextName},
                              {QStringLiteral("user"), entry.contextName}};
    return namedEntry(entry.contextName, QStringLiteral("context"), context);
}

bool isNamed(const QJsonValue &item, const QString &name)
{
    return item.toObject().value(QStringLiteral("name")).toString() == name;
}

// Replaces the first entry called `name` where it stands (so the list order is kept), drops any
// later duplicates, or appends when there is none.
QJsonArray upsert(const QJsonArray &list, const QJsonObject &replacement)
{
    const QString name = replacement.value(QStringLiteral("name")).toString();
    QJsonArray result;
    bool placed = false;
    for (const QJsonValue &item : list) {
        if (!isNamed(item, name)) {
            result.append(item);
        } else if (!placed) {
            result.append(replacement);
            placed = true;
        }
    }
    if (!placed)
        result.append(replacement);
    return result;
}

QJsonArray without(const QJsonArray &list, const QString &name)
{
    QJsonArray result;
    for (const QJsonValue &item : list) {
        if (!isNamed(item, name))
            result.append(item);
    }
    return result;
}

void fillRequiredFields(QJsonObject &config)
{
    if (!config.contains(QStringLiteral("apiVersion")))
        config.insert(QStringLiteral("apiVersion"), QStringLiteral("v1"));
    if (!config.contains(QStringLiteral("kind")))
        config.insert(QStringLiteral("kind"), QStringLiteral("Config"));
    if (!config.contains(QStringLiteral("preferences")))
        config.insert(QStringLiteral("preferences"), QJsonObject());
}

} // namespace

QByteArray renderKubeconfig(const KubeconfigEntry &entry)
{
    QJsonObject config{
        {clustersKey, QJsonArray{clusterEntry(entry)}},
        {usersKey, QJsonArray{userEntry(entry)}},
        {contextsKey, QJsonArray{contextEntry(entry)}},
        {currentContextKey, entry.contextName},
    };
    fillRequiredFields(config);
    return core::toYaml(config);
}

QString kubeconfigPath()
{
    const QStringList paths =
        qEnvironmentVariable("KUBECONFIG").split(QDir::listSeparator(), Qt::SkipEmptyParts);
    for (const QString &path : paths) {
        if (!path.trimmed().isEmpty())
            return path;
    }
    return QDir::homePath() + QStringLiteral("/.kube/config");
}

std::expected<void, QString> mergeIntoKubeconfig(const KubeconfigEntry &entry, const QString &path,
                                                 bool setCurrent)
{
    if (entry.contextName.isEmpty())
        return std::unexpected(Tr::tr("cannot add a kubeconfig entry without a name"));
    const QString directory = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(directory))
        return std::unexpected(Tr::tr("cannot create the kubeconfig directory %1").arg(directory));

    auto lock = KubeconfigLock::acquire(path);
    if (!lock)
        return std::unexpected(lock.error());
    auto config = loadConfig(path);
    if (!config)
        return std::unexpected(config.error());

    config->insert(clustersKey, upsert(config->value(clustersKey).toArray(), clusterEntry(entry)));
    config->insert(usersKey, upsert(config->value(usersKey).toArray(), userEntry(entry)));
    config->insert(contextsKey, upsert(config->value(contextsKey).toArray(), contextEntry(entry)));
    if (setCurrent)
        config->insert(currentContextKey, entry.contextName);
    fillRequiredFields(*config);
    return writeConfig(path, *config);
}

std::expected<void, QString> removeFromKubeconfig(const QString &contextName, const QString &path)
{
    if (contextName.isEmpty() || !QFileInfo::exists(path))
        return {};
    auto lock = KubeconfigLock::acquire(path);
    if (!lock)
        return std::unexpected(lock.error());
    auto config = loadConfig(path);
    if (!config)
        return std::unexpected(config.error());

    QJsonObject updated = *config;
    for (const QString &key : {clustersKey, usersKey, contextsKey}) {
        if (updated.value(key).isArray())
            updated.insert(key, without(updated.value(key).toArray(), contextName));
    }
    if (updated.value(currentContextKey).toString() == contextName)
        updated.insert(currentContextKey, QString());
    if (updated == *config)
        return {};
    return writeConfig(path, updated);
}

std::expected<QList<QJsonObject>, QString> readKubeconfig(const QString &path)
{
    auto bytes = readFile(path);
    if (!bytes)
        return std::unexpected(bytes.error());
    auto documents = core::parseYamlDocuments(*bytes);
    if (!documents) {
        return std::unexpected(Tr::tr("cannot parse kubeconfig %1")
                                   .arg(core::formatYamlError(documents.error(), path)));
    }
    QList<QJsonObject> objects;
    for (const QJsonValue &document : std::as_const(*documents)) {
        if (!document.isObject())
            return std::unexpected(
                QStringLiteral("%1 is not a kubeconfig: a document is not a mapping").arg(path));
        objects.append(document.toObject());
    }
    return objects;
}

} // namespace timonel::pki
