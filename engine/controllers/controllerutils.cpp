#include "controllerutils.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace timonel::controllers {

namespace {

QJsonObject metadataOf(const QJsonObject &object)
{
    return object.value(u"metadata").toObject();
}

// Kubernetes' ExpectationsTimeout.
constexpr qint64 expectationsTimeoutSeconds = 5 * 60;

} // namespace

QJsonObject controllerReference(const QJsonObject &owner)
{
    const QJsonObject meta = metadataOf(owner);
    return {{u"apiVersion"_s, owner.value(u"apiVersion")},
            {u"kind"_s, owner.value(u"kind")},
            {u"name"_s, meta.value(u"name")},
            {u"uid"_s, meta.value(u"uid")},
            {u"controller"_s, true},
            {u"blockOwnerDeletion"_s, true}};
}

QString controllerUid(const QJsonObject &object)
{
    for (const QJsonValue &ref : metadataOf(object).value(u"ownerReferences").toArray())
        if (ref.toObject().value(u"controller").toBool())
            return ref.toObject().value(u"uid").toString();
    return {};
}

bool isBeingDeleted(const QJsonObject &object)
{
    return metadataOf(object).contains(u"deletionTimestamp");
}

bool isPodActive(const QJsonObject &pod)
{
    const QString phase = pod.value(u"status").toObject().value(u"phase").toString();
    return phase != u"Succeeded" && phase != u"Failed" && !isBeingDeleted(pod);
}

namespace {

QJsonObject readyCondition(const QJsonObject &pod)
{
    for (const QJsonValue &c : pod.value(u"status").toObject().value(u"conditions").toArray())
        if (c.toObject().value(u"type").toString() == u"Ready")
            return c.toObject();
    return {};
}

} // namespace

bool isPodReady(const QJsonObject &pod)
{
    return readyCondition(pod).value(u"status").toString() == u"True";
}

bool isPodAvailable(const QJsonObject &pod, int minReadySeconds, const QDateTime &now)
{
    const QJsonObject ready = readyCondition(pod);
    if (ready.value(u"status").toString() != u"True")
        return false;
    if (minReadySeconds <= 0)
        return true;
    const QDateTime since =
        QDateTime::fromString(ready.value(u"lastTransitionTime").toString(), Qt::ISODate);
    return since.isValid() && since.addSecs(minReadySeconds) <= now;
}

QJsonObject podFromTemplate(const QJsonObject &owner, const QJsonObject &podTemplate,
                            const QString &generateNamePrefix)
{
    const QJsonObject templateMeta = podTemplate.value(u"metadata").toObject();
    QJsonObject meta{{u"generateName"_s, generateNamePrefix},
                     {u"namespace"_s, metadataOf(owner).value(u"namespace")},
                     {u"ownerReferences"_s, QJsonArray{controllerReference(owner)}}};
    for (const auto *field : {u"labels", u"annotations", u"finalizers"})
        if (templateMeta.contains(QStringView(field)))
            meta.insert(QString::fromUtf16(field), templateMeta.value(QStringView(field)));
    return {{u"apiVersion"_s, u"v1"_s},
            {u"kind"_s, u"Pod"_s},
            {u"metadata"_s, meta},
            {u"spec"_s, podTemplate.value(u"spec")}};
}

QString keyOf(const QJsonObject &object)
{
    const QJsonObject meta = metadataOf(object);
    const QString ns = meta.value(u"namespace").toString();
    const QString name = meta.value(u"name").toString();
    return ns.isEmpty() ? name : ns + u'/' + name;
}

void Expectations::expectCreations(const QString &key, int count)
{
    // Replaces what was expected before, as Kubernetes' ExpectCreations: a controller sets
    // its expectations once per pass, after the previous ones were met or timed out.
    Pending &p = m_pending[key];
    p.creations = count;
    p.since = QDateTime::currentDateTimeUtc();
}

void Expectations::expectDeletions(const QString &key, const QSet<QString> &podUids)
{
    Pending &p = m_pending[key];
    p.deletions = podUids;
    p.since = QDateTime::currentDateTimeUtc();
}

void Expectations::creationObserved(const QString &key)
{
    auto it = m_pending.find(key);
    if (it != m_pending.end() && it->creations > 0)
        --it->creations;
}

void Expectations::deletionObserved(const QString &key, const QString &podUid)
{
    auto it = m_pending.find(key);
    if (it != m_pending.end())
        it->deletions.remove(podUid);
}

bool Expectations::satisfied(const QString &key) const
{
    auto it = m_pending.constFind(key);
    if (it == m_pending.cend())
        return true;
    if (it->creations <= 0 && it->deletions.isEmpty())
        return true;
    return it->since.secsTo(QDateTime::currentDateTimeUtc()) > expectationsTimeoutSeconds;
}

} // namespace timonel::controllers
