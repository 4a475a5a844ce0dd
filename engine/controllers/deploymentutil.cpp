// Readings of Deployments and ReplicaSets, as Kubernetes' pkg/controller/deployment/util: the
// pod-template hash, the rolling-update fenceposts, sums over ReplicaSets, conditions, status.
#include "deploymentcontroller_p.h"

#include "controllers/controllerutils.h"

#include <QJsonDocument>

#include <algorithm>
#include <climits>
#include <cmath>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcDeployment, "timonel.controllers.deployment", QtInfoMsg)

namespace timonel::controllers::deployment {

namespace {

// Nulls and empty maps or lists are what Go's zero values look like in JSON: a template that
// went through `kubectl rollout undo` carries "creationTimestamp": null, the stored one not.
QJsonValue withoutEmpty(const QJsonValue &v)
{
    if (v.isObject()) {
        QJsonObject out;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QJsonValue c = withoutEmpty(it.value());
            if (!c.isNull() && !(c.isObject() && c.toObject().isEmpty()) &&
                !(c.isArray() && c.toArray().isEmpty()))
                out.insert(it.key(), c);
        }
        return out;
    }
    if (v.isArray()) {
        QJsonArray out;
        for (const QJsonValue &e : v.toArray())
            out.append(withoutEmpty(e));
        return out;
    }
    return v;
}

QJsonObject withoutHashLabel(const QJsonObject &podTemplate)
{
    QJsonObject t = podTemplate;
    QJsonObject meta = t.value(u"metadata").toObject();
    QJsonObject labels = meta.value(u"labels").toObject();
    labels.remove(hashLabel);
    meta.insert(u"labels"_s, labels);
    t.insert(u"metadata"_s, meta);
    return withoutEmpty(t).toObject();
}

// intstr.GetScaledValueFromIntOrPercent; an unusable value counts as 0.
int scaled(const QJsonValue &value, int total, bool roundUp)
{
    if (value.isDouble())
        return value.toInt();
    QString s = value.toString();
    if (!s.endsWith(u'%'))
        return 0;
    s.chop(1);
    bool ok = false;
    const int percent = s.toInt(&ok);
    if (!ok)
        return 0;
    const double v = double(percent) * double(total) / 100.0;
    return int(roundUp ? std::ceil(v) : std::floor(v));
}

QJsonObject rollingUpdateOf(const QJsonObject &d)
{
    return specOf(d).value(u"strategy").toObject().value(u"rollingUpdate").toObject();
}

// Kubernetes' maxRevHistoryLengthInChars.
constexpr int maxRevisionHistoryChars = 2000;

// The Deployment annotations a new ReplicaSet does not inherit: they are its own.
bool notCopied(const QString &key)
{
    return key == u"kubectl.kubernetes.io/last-applied-configuration" ||
           key == revisionAnnotation || key == revisionHistoryAnnotation ||
           key == desiredReplicasAnnotation || key == maxReplicasAnnotation ||
           key == u"deprecated.deployment.rollback.to";
}

QJsonObject setAnnotations(QJsonObject o, const QJsonObject &annotations)
{
    QJsonObject meta = metaOf(o);
    meta.insert(u"annotations"_s, annotations);
    o.insert(u"metadata"_s, meta);
    return o;
}

} // namespace

QString podTemplateHash(const QJsonObject &podTemplate, std::optional<qint64> collisionCount)
{
    QByteArray bytes =
        QJsonDocument(withoutEmpty(podTemplate).toObject()).toJson(QJsonDocument::Compact);
    if (collisionCount) {
        // As Kubernetes: the count as a little-endian uint32 in an 8-byte buffer.
        const quint32 c = quint32(*collisionCount);
        for (int i = 0; i < 8; ++i)
            bytes.append(i < 4 ? char((c >> (8 * i)) & 0xff) : '\0');
    }
    quint32 hash = 2166136261u; // fnv32a
    for (const char b : std::as_const(bytes)) {
        hash ^= quint8(b);
        hash *= 16777619u;
    }
    // rand.SafeEncodeString over the decimal digits: no vowels, no look-alike characters.
    static const char alphanums[] = "bcdfghjklmnpqrstvwxz2456789";
    QString encoded;
    for (const char digit : QByteArray::number(hash))
        encoded.append(QLatin1Char(alphanums[quint8(digit) % (sizeof(alphanums) - 1)]));
    return encoded;
}

Fenceposts resolveFenceposts(const QJsonValue &maxSurge, const QJsonValue &maxUnavailable,
                             int replicas)
{
    Fenceposts f{scaled(maxSurge, replicas, true), scaled(maxUnavailable, replicas, false)};
    if (f.maxSurge == 0 && f.maxUnavailable == 0)
        f.maxUnavailable = 1; // rounding made both 0; surge might not work because of quota
    return f;
}

bool equalIgnoreHash(const QJsonObject &a, const QJsonObject &b)
{
    return withoutHashLabel(a) == withoutHashLabel(b);
}

QJsonObject metaOf(const QJsonObject &o)
{
    return o.value(u"metadata").toObject();
}
QJsonObject specOf(const QJsonObject &o)
{
    return o.value(u"spec").toObject();
}
QJsonObject statusOf(const QJsonObject &o)
{
    return o.value(u"status").toObject();
}
QString nameOf(const QJsonObject &o)
{
    return metaOf(o).value(u"name").toString();
}
QString nsOf(const QJsonObject &o)
{
    return metaOf(o).value(u"namespace").toString();
}
QString uidOf(const QJsonObject &o)
{
    return metaOf(o).value(u"uid").toString();
}
int replicasOf(const QJsonObject &o)
{
    return specOf(o).value(u"replicas").toInt(1);
}
QString now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
}

QString annotation(const QJsonObject &o, const QString &key)
{
    return metaOf(o).value(u"annotations").toObject().value(key).toString();
}

int statusCount(const QJsonObject &o, const QString &field)
{
    return statusOf(o).value(field).toInt();
}

QList<QJsonObject> byCreation(QList<QJsonObject> rss, bool newestFirst)
{
    auto key = [](const QJsonObject &o) {
        return std::pair(metaOf(o).value(u"creationTimestamp").toString(), nameOf(o));
    };
    std::sort(rss.begin(), rss.end(), [&](const QJsonObject &a, const QJsonObject &b) {
        return newestFirst ? key(b) < key(a) : key(a) < key(b);
    });
    return rss;
}

QList<QJsonObject> activeOnly(const QList<QJsonObject> &rss)
{
    QList<QJsonObject> active;
    for (const QJsonObject &rs : rss)
        if (replicasOf(rs) > 0)
            active.append(rs);
    return active;
}

int sumReplicas(const QList<QJsonObject> &rss)
{
    int sum = 0;
    for (const QJsonObject &rs : rss)
        sum += replicasOf(rs);
    return sum;
}

int sumStatus(const QList<QJsonObject> &rss, const QString &field)
{
    int sum = 0;
    for (const QJsonObject &rs : rss)
        sum += statusCount(rs, field);
    return sum;
}

bool isRollingUpdate(const QJsonObject &d)
{
    return specOf(d).value(u"strategy").toObject().value(u"type").toString() == u"RollingUpdate";
}

int maxSurge(const QJsonObject &d)
{
    if (!isRollingUpdate(d))
        return 0;
    const QJsonObject ru = rollingUpdateOf(d);
    return resolveFenceposts(ru.value(u"maxSurge"), ru.value(u"maxUnavailable"), replicasOf(d))
        .maxSurge;
}

int maxUnavailable(const QJsonObject &d)
{
    if (!isRollingUpdate(d) || replicasOf(d) == 0)
        return 0;
    const QJsonObject ru = rollingUpdateOf(d);
    const int unavailable =
        resolveFenceposts(ru.value(u"maxSurge"), ru.value(u"maxUnavailable"), replicasOf(d))
            .maxUnavailable;
    return std::min(unavailable, replicasOf(d));
}

bool hasProgressDeadline(const QJsonObject &d)
{
    const QJsonValue v = specOf(d).value(u"progressDeadlineSeconds");
    return !v.isUndefined() && !v.isNull() && v.toInteger() != INT_MAX;
}

int newReplicaSetReplicas(const QJsonObject &d, const QList<QJsonObject> &all,
                          const QJsonObject &newRS)
{
    if (!isRollingUpdate(d))
        return replicasOf(d);
    const int maxTotal =
        replicasOf(d) + scaled(rollingUpdateOf(d).value(u"maxSurge"), replicasOf(d), true);
    const int current = sumReplicas(all);
    if (current >= maxTotal)
        return replicasOf(newRS);
    return replicasOf(newRS) + std::min(maxTotal - current, replicasOf(d) - replicasOf(newRS));
}

QJsonObject conditionOf(const QJsonObject &status, const QString &type)
{
    for (const QJsonValue &c : status.value(u"conditions").toArray())
        if (c.toObject().value(u"type").toString() == type)
            return c.toObject();
    return {};
}

QJsonObject newCondition(const QString &type, const QString &status, const QString &reason,
                         const QString &message)
{
    const QString t = now();
    return {{u"type"_s, type},        {u"status"_s, status},
            {u"lastUpdateTime"_s, t}, {u"lastTransitionTime"_s, t},
            {u"reason"_s, reason},    {u"message"_s, message}};
}

void removeCondition(QJsonObject &status, const QString &type)
{
    QJsonArray kept;
    for (const QJsonValue &c : status.value(u"conditions").toArray())
        if (c.toObject().value(u"type").toString() != type)
            kept.append(c);
    if (kept.isEmpty())
        status.remove(u"conditions"_s);
    else
        status.insert(u"conditions"_s, kept);
}

void setCondition(QJsonObject &status, QJsonObject condition)
{
    const QString type = condition.value(u"type").toString();
    const QJsonObject current = conditionOf(status, type);
    const QJsonValue s = condition.value(u"status");
    if (!current.isEmpty() && current.value(u"status") == s &&
        current.value(u"reason") == condition.value(u"reason"))
        return;
    if (!current.isEmpty() && current.value(u"status") == s)
        condition.insert(u"lastTransitionTime"_s, current.value(u"lastTransitionTime"));
    removeCondition(status, type);
    QJsonArray conditions = status.value(u"conditions").toArray();
    conditions.append(condition);
    status.insert(u"conditions"_s, conditions);
}

QJsonObject calculateStatus(const QJsonObject &d, const QList<QJsonObject> &all,
                            const QJsonObject &newRS)
{
    const int availableReplicas = sumStatus(all, u"availableReplicas"_s);
    const int unavailable = std::max(0, sumReplicas(all) - availableReplicas);
    const QJsonObject old = statusOf(d);
    QJsonObject status;
    auto put = [&status](const QString &field, qint64 value) {
        if (value != 0) // omitempty
            status.insert(field, value);
    };
    put(u"observedGeneration"_s, metaOf(d).value(u"generation").toInteger());
    put(u"replicas"_s, sumStatus(all, u"replicas"_s));
    put(u"updatedReplicas"_s, newRS.isEmpty() ? 0 : statusCount(newRS, u"replicas"_s));
    put(u"readyReplicas"_s, sumStatus(all, u"readyReplicas"_s));
    put(u"availableReplicas"_s, availableReplicas);
    put(u"unavailableReplicas"_s, unavailable);
    if (old.contains(u"collisionCount"))
        status.insert(u"collisionCount"_s, old.value(u"collisionCount"));
    if (old.contains(u"conditions"))
        status.insert(u"conditions"_s, old.value(u"conditions"));
    if (availableReplicas >= replicasOf(d) - maxUnavailable(d))
        setCondition(status, newCondition(available, u"True"_s, u"MinimumReplicasAvailable"_s,
                                          u"Deployment has minimum availability."_s));
    else
        setCondition(status, newCondition(available, u"False"_s, u"MinimumReplicasUnavailable"_s,
                                          u"Deployment does not have minimum availability."_s));
    return status;
}

bool sameStatus(const QJsonObject &a, const QJsonObject &b)
{
    auto normal = [](QJsonObject s) {
        for (auto it = s.begin(); it != s.end();) {
            const QJsonValue v = it.value();
            const bool zero =
                (it.key() != u"collisionCount" && v.isDouble() && v.toDouble() == 0) ||
                (v.isArray() && v.toArray().isEmpty()) || v.isNull();
            it = zero ? s.erase(it) : std::next(it);
        }
        return s;
    };
    return normal(a) == normal(b);
}

bool deploymentComplete(const QJsonObject &d, const QJsonObject &status)
{
    const qint64 replicas = replicasOf(d);
    return status.value(u"updatedReplicas").toInteger() == replicas &&
           status.value(u"replicas").toInteger() == replicas &&
           status.value(u"availableReplicas").toInteger() == replicas &&
           status.value(u"observedGeneration").toInteger() >=
               metaOf(d).value(u"generation").toInteger();
}

QJsonObject withKind(QJsonObject o, const QString &kind)
{
    if (!o.contains(u"kind")) {
        o.insert(u"apiVersion"_s, u"apps/v1"_s);
        o.insert(u"kind"_s, kind);
    }
    return o;
}

bool setReplicasAnnotations(QJsonObject &rs, int desired, int max)
{
    QJsonObject a = metaOf(rs).value(u"annotations").toObject();
    const QJsonObject before = a;
    a.insert(desiredReplicasAnnotation, QString::number(desired));
    a.insert(maxReplicasAnnotation, QString::number(max));
    rs = setAnnotations(rs, a);
    return a != before;
}

bool replicasAnnotationsNeedUpdate(const QJsonObject &rs, int desired, int max)
{
    return annotation(rs, desiredReplicasAnnotation) != QString::number(desired) ||
           annotation(rs, maxReplicasAnnotation) != QString::number(max);
}

qint64 revisionOf(const QJsonObject &rs)
{
    return annotation(rs, revisionAnnotation).toLongLong();
}

bool setNewReplicaSetAnnotations(const QJsonObject &d, QJsonObject &rs, const QString &newRevision,
                                 bool exists)
{
    QJsonObject a = metaOf(rs).value(u"annotations").toObject();
    const QJsonObject before = a;
    const QJsonObject fromDeployment = metaOf(d).value(u"annotations").toObject();
    for (auto it = fromDeployment.begin(); it != fromDeployment.end(); ++it)
        if (!notCopied(it.key()))
            a.insert(it.key(), it.value());
    const QString oldRevision = a.value(revisionAnnotation).toString();
    bool ok = true;
    const qint64 oldValue = oldRevision.isEmpty() ? 0 : oldRevision.toLongLong(&ok);
    if (!ok)
        return false; // not a number: left alone, as Kubernetes does
    if (oldValue < newRevision.toLongLong()) {
        a.insert(revisionAnnotation, newRevision);
        if (!oldRevision.isEmpty()) {
            QStringList history =
                a.value(revisionHistoryAnnotation).toString().split(u',', Qt::SkipEmptyParts);
            qsizetype total = history.join(u',').size() + oldRevision.size() + 1;
            while (total > maxRevisionHistoryChars && !history.isEmpty())
                total -= history.takeFirst().size() + 1;
            if (total <= maxRevisionHistoryChars) {
                history.append(oldRevision);
                a.insert(revisionHistoryAnnotation, history.join(u','));
            }
        }
    }
    rs = setAnnotations(rs, a);
    bool changed = a != before;
    if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d)))
        changed = true;
    return changed;
}

bool setDeploymentRevision(QJsonObject &d, const QString &revision)
{
    QJsonObject a = metaOf(d).value(u"annotations").toObject();
    if (a.value(revisionAnnotation).toString() == revision)
        return false;
    a.insert(revisionAnnotation, revision);
    d = setAnnotations(d, a);
    return true;
}

QString findNewReplicaSet(const QJsonObject &d, const QList<QJsonObject> &rss)
{
    const QJsonObject podTemplate = specOf(d).value(u"template").toObject();
    for (const QJsonObject &rs : byCreation(rss))
        if (equalIgnoreHash(specOf(rs).value(u"template").toObject(), podTemplate))
            return nameOf(rs);
    return {};
}

} // namespace timonel::controllers::deployment

namespace timonel::controllers {

QJsonObject DeploymentController::Run::replicaSet(const QString &name) const
{
    for (const QJsonObject &rs : rss)
        if (deployment::nameOf(rs) == name)
            return rs;
    return {};
}

QList<QJsonObject> DeploymentController::Run::oldRSs() const
{
    QList<QJsonObject> old;
    for (const QJsonObject &rs : rss)
        if (deployment::nameOf(rs) != newName)
            old.append(rs);
    return old;
}

QList<QJsonObject> DeploymentController::Run::all() const
{
    QList<QJsonObject> list = oldRSs();
    if (!newName.isEmpty())
        list.append(newRS());
    return list;
}

void DeploymentController::Run::replace(const QJsonObject &rs)
{
    for (QJsonObject &mine : rss)
        if (deployment::nameOf(mine) == deployment::nameOf(rs)) {
            mine = rs;
            return;
        }
    rss.append(rs);
}

namespace {

struct Loop
{
    int count;
    std::function<void(int, std::function<void(bool)>)> step;
    std::function<void(bool)> done;
};

void runLoop(const std::shared_ptr<Loop> &loop, int i)
{
    if (i >= loop->count)
        return loop->done(true);
    loop->step(i, [loop, i](bool ok) { ok ? runLoop(loop, i + 1) : loop->done(false); });
}

} // namespace

void inTurn(int count, std::function<void(int, std::function<void(bool)>)> step,
            std::function<void(bool)> done)
{
    runLoop(std::make_shared<Loop>(Loop{count, std::move(step), std::move(done)}), 0);
}

} // namespace timonel::controllers
