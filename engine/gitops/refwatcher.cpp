#include "refwatcher.h"

#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSet>

namespace timonel::gitops {

namespace {
Q_LOGGING_CATEGORY(lcRefWatcher, "timonel.gitops.refwatcher", QtInfoMsg)

// The fallback for lost notifications; resolving a ref costs a few file reads.
constexpr int PollInterval = 500;
// A git command touches several files (a .lock, then the rename over the ref): let it finish
// before looking, so that one command makes one check.
constexpr int SettleInterval = 50;

// The nearest directory above `file` that exists: a ref's own directory ("refs/heads/feature/")
// may come and go with it.
QString existingDirectoryOf(const QString &file)
{
    QDir directory = QFileInfo(file).dir();
    while (!directory.exists() && directory.cdUp()) {
    }
    return directory.absolutePath();
}

} // namespace

RefWatcher::RefWatcher(GitRepository repository, const QString &ref, QObject *parent)
    : QObject(parent), m_repository(std::move(repository)), m_ref(ref)
{
    if (const std::expected<QString, QString> commit = m_repository.resolve(m_ref))
        m_commit = *commit;
    else
        QTimer::singleShot(0, this, &RefWatcher::check);

    m_settle.setSingleShot(true);
    m_settle.setInterval(SettleInterval);
    connect(&m_settle, &QTimer::timeout, this, &RefWatcher::check);
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, &RefWatcher::scheduleCheck);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, &RefWatcher::scheduleCheck);
    m_poll.setInterval(PollInterval);
    connect(&m_poll, &QTimer::timeout, this, &RefWatcher::check);
    m_poll.start();
    updateWatchedPaths();
}

void RefWatcher::scheduleCheck()
{
    if (!m_settle.isActive())
        m_settle.start();
}

void RefWatcher::check()
{
    // A rename over a watched file ends its watch, and HEAD may now point at another branch.
    updateWatchedPaths();
    const std::expected<QString, QString> commit = m_repository.resolve(m_ref);
    if (!commit) {
        if (!m_failing) {
            m_failing = true;
            m_commit.clear();
            qCInfo(lcRefWatcher) << commit.error();
            Q_EMIT error(commit.error());
        }
        return;
    }
    m_failing = false;
    if (*commit == m_commit)
        return;
    qCDebug(lcRefWatcher) << m_repository.path() << m_ref << "moved to" << *commit;
    m_commit = *commit;
    Q_EMIT changed(m_commit);
}

void RefWatcher::updateWatchedPaths()
{
    QSet<QString> wanted;
    for (const QString &file : m_repository.refFiles(m_ref)) {
        if (QFileInfo::exists(file))
            wanted.insert(QFileInfo(file).absoluteFilePath());
        wanted.insert(existingDirectoryOf(file));
    }
    const QStringList watchedList = m_watcher.files() + m_watcher.directories();
    const QSet<QString> watched(watchedList.cbegin(), watchedList.cend());
    const QSet<QString> stale = watched - wanted;
    const QSet<QString> added = wanted - watched;
    if (!stale.isEmpty())
        m_watcher.removePaths(stale.values());
    if (!added.isEmpty())
        m_watcher.addPaths(added.values());
}

} // namespace timonel::gitops
