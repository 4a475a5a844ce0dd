// The GitOps syncs the desktop keeps for each cluster context, and the commits each has synced,
// in the app's settings: they start again when the app connects to that context next time.
#pragma once

#include "gitops/syncspec.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace timonel::gui {

struct SyncSettings
{
    gitops::SyncSpec spec;
    bool autoSync = true; // sync each new commit (watch); else only when asked
};

// One finished sync run, as the history shows it.
struct SyncRecord
{
    QString commit;
    QString summary;
    QDateTime finishedAt; // UTC
    QString status;       // "Synced", "OutOfSync", "Failed"
    QString health;       // "Healthy", ...
    friend bool operator==(const SyncRecord &, const SyncRecord &) = default;
};

// Why a sync cannot be added under a name this cluster's syncs already have.
QString nameTakenProblem(const QString &name);

class SyncStore
{
public:
    // The newest records kept per sync.
    static constexpr int historyLimit = 50;

    explicit SyncStore(const QString &context);

    QList<SyncSettings> syncs() const;
    void setSyncs(const QList<SyncSettings> &syncs);

    // Oldest first.
    QList<SyncRecord> history(const QString &syncName) const;
    // Appends a run, or puts `record` in the place of the newest one (its health read again);
    // the history as kept now, oldest first.
    QList<SyncRecord> record(const QString &syncName, const SyncRecord &record,
                             bool replaceNewest = false);
    void forget(const QString &syncName);

private:
    QString m_group;
};

} // namespace timonel::gui
