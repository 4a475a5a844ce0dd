// The identity of a StatefulSet's pods, as stateful_set_utils.go: names and ordinals, labels,
// claims and their owners; and the ControllerRevision helpers the DaemonSet controller shares.
#include "statefulsetcontroller_p.h"

#include "controllers/controllerutils.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QSet>

#include <climits>

using namespace Qt::StringLiterals;

namespace timonel::controllers {

namespace statefulset {

Q_LOGGING_CATEGORY(lcStatefulSets, "timonel.controllers.statefulset", QtInfoMsg)

const client::Resource statefulSetsResource{u"apps"_s, u"v1"_s, u"statefulsets"_s};
const client::Resource podsResource{u""_s, u"v1"_s, u"pods"_s};
const client::Resource claimsResource{u""_s, u"v1"_s, u"persistentvolumeclaims"_s};
const client::Resource revisionsResource{u"apps"_s, u"v1"_s, u"controllerrevisions"_s};
// Kubernetes' controllers write as kube-controller-manager (managedFields shows that name).
const client::WriteQuery asController{u"kube-controller-manager"_s, false, false};

const QString revisionLabel = u"controller-revision-hash"_s;
const QString podNameLabel = u"statefulset.kubernetes.io/pod-name"_s;
const QString podIndexLabel = u"apps.kubernetes.io/pod-index"_s;

namespace {

QString claimName(const QString &templateName, const QJsonObject &set, int ordinal)
{
    return u"%1-%2-%3"_s.arg(templateName, nameOf(set)).arg(ordinal);
}

// The pod's volumes with one persistentVolumeClaim volume per claim template (updateStorage).
QJsonArray volumesWithClaims(const QJsonObject &set, int ordinal, const QJsonArray &volumes)
{
    QJsonArray out;
    QSet<QString> templates;
    for (const QJsonValue &v : specOf(set).value(u"volumeClaimTemplates").toArray()) {
        const QString name = nameOf(v.toObject());
        templates.insert(name);
        out.append(QJsonObject{
            {u"name"_s, name},
            {u"persistentVolumeClaim"_s,
             QJsonObject{{u"claimName"_s, claimName(name, set, ordinal)}}}});
    }
    for (const QJsonValue &v : volumes)
        if (!templates.contains(v.toObject().value(u"name").toString()))
            out.append(v);
    return out;
}

} // namespace

QJsonObject metaOf(const QJsonObject &o) { return o.value(u"metadata").toObject(); }
QJsonObject specOf(const QJsonObject &o) { return o.value(u"spec").toObject(); }
QJsonObject statusOf(const QJsonObject &o) { return o.value(u"status").toObject(); }
QString nameOf(const QJsonObject &o) { return metaOf(o).value(u"name").toString(); }
QString nsOf(const QJsonObject &o) { return metaOf(o).value(u"namespace").toString(); }
QString uidOf(const QJsonObject &o) { return metaOf(o).value(u"uid").toString(); }
QString phaseOf(const QJsonObject &pod) { return statusOf(pod).value(u"phase").toString(); }
QJsonObject labelsOf(const QJsonObject &o) { return metaOf(o).value(u"labels").toObject(); }
qint64 resourceVersionOf(const QJsonObject &o)
{
    return metaOf(o).value(u"resourceVersion").toString().toLongLong();
}

QJsonObject withKind(QJsonObject o, const QString &apiVersion, const QString &kind)
{
    o.insert(u"apiVersion"_s, apiVersion);
    o.insert(u"kind"_s, kind);
    return o;
}

// The set's name and the pod's ordinal from "<set>-<ordinal>", as getParentNameAndOrdinal.
std::pair<QString, int> parentAndOrdinal(const QJsonObject &pod)
{
    static const QRegularExpression pattern(u"^(.*)-([0-9]+)$"_s);
    const QRegularExpressionMatch m = pattern.match(nameOf(pod));
    if (!m.hasMatch())
        return {QString(), -1};
    bool ok = false;
    const qint64 ordinal = m.captured(2).toLongLong(&ok);
    return {m.captured(1), ok && ordinal <= INT_MAX ? int(ordinal) : -1};
}

int ordinalOf(const QJsonObject &pod) { return parentAndOrdinal(pod).second; }
int startOrdinal(const QJsonObject &set)
{
    return specOf(set).value(u"ordinals").toObject().value(u"start").toInt();
}
int replicasOf(const QJsonObject &set) { return specOf(set).value(u"replicas").toInt(1); }
bool inOrdinalRange(const QJsonObject &pod, const QJsonObject &set)
{
    const int ordinal = ordinalOf(pod);
    return ordinal >= startOrdinal(set) && ordinal < startOrdinal(set) + replicasOf(set);
}

bool isCreated(const QJsonObject &pod) { return !phaseOf(pod).isEmpty(); }
bool isRunningAndReady(const QJsonObject &pod)
{
    return phaseOf(pod) == u"Running" && isPodReady(pod);
}
bool isAvailable(const QJsonObject &pod, const QJsonObject &set)
{
    return isPodAvailable(pod, specOf(set).value(u"minReadySeconds").toInt(),
                          QDateTime::currentDateTimeUtc());
}
bool isHealthy(const QJsonObject &pod) { return isRunningAndReady(pod) && !isBeingDeleted(pod); }
QString revisionOf(const QJsonObject &object)
{
    return labelsOf(object).value(revisionLabel).toString();
}

RetentionPolicy retentionOf(const QJsonObject &set)
{
    const QJsonObject p = specOf(set).value(u"persistentVolumeClaimRetentionPolicy").toObject();
    return {p.value(u"whenDeleted").toString() == u"Delete",
            p.value(u"whenScaled").toString() == u"Delete"};
}

// The claims of the set's pod with `ordinal`, in template order: each template renamed for the
// pod, labelled with the template's labels and the selector's matchLabels.
QList<QJsonObject> claimsFor(const QJsonObject &set, int ordinal)
{
    QList<QJsonObject> out;
    const QJsonObject matchLabels =
        specOf(set).value(u"selector").toObject().value(u"matchLabels").toObject();
    for (const QJsonValue &v : specOf(set).value(u"volumeClaimTemplates").toArray()) {
        QJsonObject claim = v.toObject();
        QJsonObject meta = metaOf(claim);
        QJsonObject labels = meta.value(u"labels").toObject();
        for (auto it = matchLabels.begin(); it != matchLabels.end(); ++it)
            labels.insert(it.key(), it.value());
        meta.insert(u"name"_s, claimName(nameOf(claim), set, ordinal));
        meta.insert(u"namespace"_s, nsOf(set));
        if (!labels.isEmpty())
            meta.insert(u"labels"_s, labels);
        claim.insert(u"metadata"_s, meta);
        claim.remove(u"status"_s);
        out.append(withKind(claim, u"v1"_s, u"PersistentVolumeClaim"_s));
    }
    return out;
}

bool identityMatches(const QJsonObject &set, const QJsonObject &pod)
{
    const auto [parent, ordinal] = parentAndOrdinal(pod);
    const QJsonObject labels = labelsOf(pod);
    return ordinal >= 0 && parent == nameOf(set) && nsOf(pod) == nsOf(set)
           && labels.value(podNameLabel).toString() == nameOf(pod)
           && labels.value(podIndexLabel).toString() == QString::number(ordinal);
}

bool storageMatches(const QJsonObject &set, const QJsonObject &pod)
{
    const int ordinal = ordinalOf(pod);
    if (ordinal < 0)
        return false;
    QHash<QString, QJsonObject> volumes;
    for (const QJsonValue &v : specOf(pod).value(u"volumes").toArray())
        volumes.insert(v.toObject().value(u"name").toString(), v.toObject());
    for (const QJsonValue &t : specOf(set).value(u"volumeClaimTemplates").toArray()) {
        const QString name = nameOf(t.toObject());
        if (volumes.value(name).value(u"persistentVolumeClaim").toObject().value(u"claimName")
            != claimName(name, set, ordinal))
            return false;
    }
    return true;
}

// The pod with its name label, index label and claim volumes put right (updateIdentity,
// updateStorage).
QJsonObject withIdentity(const QJsonObject &set, QJsonObject pod)
{
    const int ordinal = ordinalOf(pod);
    QJsonObject meta = metaOf(pod);
    QJsonObject labels = meta.value(u"labels").toObject();
    labels.insert(podNameLabel, nameOf(pod));
    labels.insert(podIndexLabel, QString::number(ordinal));
    meta.insert(u"labels"_s, labels);
    pod.insert(u"metadata"_s, meta);
    QJsonObject spec = specOf(pod);
    spec.insert(u"volumes"_s, volumesWithClaims(set, ordinal, spec.value(u"volumes").toArray()));
    pod.insert(u"spec"_s, spec);
    return pod;
}

// A new pod for `ordinal` from `podTemplate` (newStatefulSetPod): its stable name, hostname and
// subdomain, its claims, and the revision it was made from.
QJsonObject newPod(const QJsonObject &set, const QJsonObject &podTemplate, int ordinal,
                   const QString &revision)
{
    QJsonObject pod = podFromTemplate(set, podTemplate, {});
    const QString name = u"%1-%2"_s.arg(nameOf(set)).arg(ordinal);
    QJsonObject meta = metaOf(pod);
    meta.remove(u"generateName"_s);
    meta.insert(u"name"_s, name);
    QJsonObject labels = meta.value(u"labels").toObject();
    labels.insert(revisionLabel, revision);
    meta.insert(u"labels"_s, labels);
    pod.insert(u"metadata"_s, meta);
    QJsonObject spec = specOf(pod);
    spec.insert(u"hostname"_s, name);
    if (const QString service = specOf(set).value(u"serviceName").toString(); !service.isEmpty())
        spec.insert(u"subdomain"_s, service);
    pod.insert(u"spec"_s, spec);
    return withIdentity(set, pod);
}

bool refMatches(const QJsonObject &ref, const QString &apiVersion, const QString &kind,
                const QString &name)
{
    return ref.value(u"apiVersion").toString() == apiVersion
           && ref.value(u"kind").toString() == kind && ref.value(u"name").toString() == name;
}

// The owner references the claim should have under the set's retention policy: a controller
// reference to the set while claims go with the set, to the pod once it is scaled away and
// claims go with scaled-down pods. Empty when the claim is right, or carries a reference to an
// earlier set or pod of the same name (left alone, as Kubernetes leaves it).
std::optional<QJsonArray> claimOwnersFor(const QJsonObject &claim, const QJsonObject &set,
                                         const QJsonObject &pod)
{
    const QJsonArray refs = metaOf(claim).value(u"ownerReferences").toArray();
    QJsonArray kept;
    for (const QJsonValue &v : refs) {
        const QJsonObject ref = v.toObject();
        const bool ofSet = refMatches(ref, u"apps/v1"_s, u"StatefulSet"_s, nameOf(set));
        const bool ofPod = refMatches(ref, u"v1"_s, u"Pod"_s, nameOf(pod));
        if ((ofSet && ref.value(u"uid").toString() != uidOf(set))
            || (ofPod && ref.value(u"uid").toString() != uidOf(pod)))
            return std::nullopt;
        if (!ofSet && !ofPod)
            kept.append(ref);
    }
    const RetentionPolicy policy = retentionOf(set);
    const bool scaledDown = !inOrdinalRange(pod, set);
    if (policy.deleteWhenDeleted && !(policy.deleteWhenScaled && scaledDown))
        kept.append(controllerReference(set));
    if (policy.deleteWhenScaled && scaledDown)
        kept.append(controllerReference(withKind(pod, u"v1"_s, u"Pod"_s)));
    if (kept == refs)
        return std::nullopt;
    return kept;
}

QJsonValue omitEmpty(qint64 v) { return v == 0 ? QJsonValue() : QJsonValue(v); }
QJsonValue omitEmpty(const QString &v) { return v.isEmpty() ? QJsonValue() : QJsonValue(v); }

} // namespace statefulset

using namespace statefulset;

QJsonObject revisionData(const QJsonObject &workload)
{
    QJsonObject podTemplate = specOf(workload).value(u"template").toObject();
    podTemplate.insert(u"$patch"_s, u"replace"_s);
    return {{u"spec"_s, QJsonObject{{u"template"_s, podTemplate}}}};
}

QJsonObject revisionTemplate(const QJsonObject &revision)
{
    QJsonObject t = specOf(revision.value(u"data").toObject()).value(u"template").toObject();
    t.remove(u"$patch"_s);
    return t;
}

QString revisionHash(const QByteArray &bytes, std::optional<int> collisionCount)
{
    quint32 hash = 2166136261u; // FNV-1a, 32 bits
    auto add = [&hash](const QByteArray &b) {
        for (const char c : b)
            hash = (hash ^ quint8(c)) * 16777619u;
    };
    add(bytes);
    if (collisionCount)
        add(QByteArray::number(*collisionCount));
    static constexpr char16_t alphanumerics[] = u"bcdfghjklmnpqrstvwxz2456789";
    QString out = QString::number(hash);
    for (QChar &c : out)
        c = alphanumerics[c.unicode() % 27];
    return out;
}

} // namespace timonel::controllers
