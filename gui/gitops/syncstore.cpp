#include "syncstore.h"

#include <QCoreApplication>
#include <QSettings>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace timonel::gui {

namespace {

// Settings keys take "/" as a separator: a context name is kept whole, percent-encoded.
QString keyPart(const QString &text)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(text));
}

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(SyncStore)
};

} // namespace

QString nameTakenProblem(const QString &name)
{
    return Tr::tr("this cluster already has a sync named \"%1\": choose another name").arg(name);
}

SyncStore::SyncStore(const QString &context) : m_group(u"gitops/"_s + keyPart(context))
{
}

QList<SyncSettings> SyncStore::syncs() const
{
    QSettings settings;
    QList<SyncSettings> out;
    const int count = settings.beginReadArray(m_group + u"/syncs"_s);
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        SyncSettings s;
        s.spec.name = settings.value(u"name"_s).toString();
        s.spec.repository = settings.value(u"repository"_s).toString();
        s.spec.revision = settings.value(u"revision"_s, u"HEAD"_s).toString();
        s.spec.path = settings.value(u"path"_s).toString();
        s.spec.prune = settings.value(u"prune"_s).toBool();
        s.spec.selfHeal = settings.value(u"selfHeal"_s).toBool();
        s.autoSync = settings.value(u"autoSync"_s, true).toBool();
        if (!s.spec.name.isEmpty())
            out.append(s);
    }
    settings.endArray();
    return out;
}

void SyncStore::setSyncs(const QList<SyncSettings> &syncs)
{
    QSettings settings;
    settings.remove(m_group + u"/syncs"_s);
    settings.beginWriteArray(m_group + u"/syncs"_s, int(syncs.size()));
    for (int i = 0; i < syncs.size(); ++i) {
        const SyncSettings &s = syncs[i];
        settings.setArrayIndex(i);
        settings.setValue(u"name"_s, s.spec.name);
        settings.setValue(u"repository"_s, s.spec.repository);
        settings.setValue(u"revision"_s, s.spec.revision);
        settings.setValue(u"path"_s, s.spec.path);
        settings.setValue(u"prune"_s, s.spec.prune);
        settings.setValue(u"selfHeal"_s, s.spec.selfHeal);
        settings.setValue(u"autoSync"_s, s.autoSync);
    }
    settings.endArray();
}

QList<SyncRecord> SyncStore::history(const QString &syncName) const
{
    QSettings settings;
    QList<SyncRecord> out;
    const int count = settings.beginReadArray(m_group + u"/history/"_s + keyPart(syncName));
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        out.append({settings.value(u"commit"_s).toString(),
                    settings.value(u"summary"_s).toString(),
                    settings.value(u"finishedAt"_s).toDateTime().toUTC(),
                    settings.value(u"status"_s).toString(), settings.value(u"health"_s).toString()});
    }
    settings.endArray();
    return out;
}

QList<SyncRecord> SyncStore::record(const QString &syncName, const SyncRecord &record,
                                   bool replaceNewest)
{
    QList<SyncRecord> all = history(syncName);
    if (replaceNewest && !all.isEmpty())
        all.removeLast();
    all.append(record);
    all = all.mid(std::max<qsizetype>(0, all.size() - historyLimit));
    QSettings settings;
    const QString key = m_group + u"/history/"_s + keyPart(syncName);
    settings.remove(key);
    settings.beginWriteArray(key, int(all.size()));
    for (int i = 0; i < all.size(); ++i) {
        settings.setArrayIndex(i);
        settings.setValue(u"commit"_s, all[i].commit);
        settings.setValue(u"summary"_s, all[i].summary);
        settings.setValue(u"finishedAt"_s, all[i].finishedAt);
        settings.setValue(u"status"_s, all[i].status);
        settings.setValue(u"health"_s, all[i].health);
    }
    settings.endArray();
    return all;
}

void SyncStore::forget(const QString &syncName)
{
    QSettings().remove(m_group + u"/history/"_s + keyPart(syncName));
}

} // namespace timonel::gui
