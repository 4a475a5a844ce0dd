// Tells when a ref of a local repository moves to another commit: a new commit, a reset, a
// branch switch (when the ref is HEAD), a fetch into it, packed-refs rewritten by git gc.
//
// It watches the ref's files (GitRepository::refFiles) and their directories, since git replaces
// a ref file by renaming a new one over it, and re-resolves the ref every half second as well,
// because file notifications can be lost (a full inotify queue, a network file system).
//
// Threading: a QObject like any other: it works in the thread it lives in, which needs a running
// event loop, and it may be moved to a worker thread. Each check resolves one ref through
// libgit2, well under a millisecond, so the GUI thread is fine too.
#pragma once

#include "gitsource.h"

#include <QFileSystemWatcher>
#include <QObject>
#include <QTimer>

namespace timonel::gitops {

class RefWatcher : public QObject
{
    Q_OBJECT

public:
    // Starts watching at once. When `ref` does not resolve now, error() follows on the event
    // loop's next turn.
    RefWatcher(GitRepository repository, const QString &ref, QObject *parent = nullptr);

    QString ref() const { return m_ref; }
    // The commit the ref is at; empty while it does not resolve.
    QString commit() const { return m_commit; }

    // Resolves the ref now instead of at the next notification or poll.
    void check();

Q_SIGNALS:
    // The ref is at another commit than the last one reported (or than commit() when none was).
    void changed(const QString &commit);
    // The ref stopped resolving (the branch was deleted); emitted once, until it resolves again
    // and changed() reports where it is.
    void error(const QString &message);

private:
    void scheduleCheck();
    void updateWatchedPaths();

    GitRepository m_repository;
    QString m_ref;
    QString m_commit;
    bool m_failing = false;
    QFileSystemWatcher m_watcher{this};
    QTimer m_poll{this};
    QTimer m_settle{this};
};

} // namespace timonel::gitops
