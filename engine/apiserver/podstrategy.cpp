// Pods and pod templates: defaults, validation, QoS class, graceful deletion.
#include "strategy_p.h"

#include "core/names.h"

#include <QJsonArray>
#include <QSet>

using namespace Qt::StringLiterals;

namespace timonel::apiserver::strategies {

QJsonObject objectAt(const QJsonObject &o, QStringView key)
{
    return o.value(key).toObject();
}

void defaultContainers(QJsonArray &containers)
{
    for (qsizetype i = 0; i < containers.size(); ++i) {
        QJsonObject c = containers[i].toObject();
        if (!c.contains(u"imagePullPolicy")) {
            // As SetDefaults_Container: an image without a tag, or tagged latest, is pulled always.
            const QString image = c.value(u"image").toString();
            const QString last = image.mid(image.lastIndexOf(u'/') + 1);
            const bool digest = last.contains(u'@');
            const qsizetype colon = last.indexOf(u':');
            const QString tag = colon < 0 ? QString() : last.mid(colon + 1);
            const bool always = !digest && (tag.isEmpty() || tag == u"latest");
            c.insert(u"imagePullPolicy"_s, always ? u"Always"_s : u"IfNotPresent"_s);
        }
        // A port's name-less hostPort/protocol defaults come from the schema; resources must exist.
        if (!c.contains(u"resources"))
            c.insert(u"resources"_s, QJsonObject());
        containers[i] = c;
    }
}

void defaultPodSpec(QJsonObject &spec)
{
    for (const char16_t *list : {u"containers", u"initContainers"}) {
        if (!spec.contains(list))
            continue;
        QJsonArray containers = spec.value(list).toArray();
        defaultContainers(containers);
        spec.insert(QString::fromUtf16(list), containers);
    }
}

constexpr int defaultTolerationSeconds = 5;

// SetDefaults_Pod: a container's limits stand in for the requests it leaves out.
void defaultRequestsFromLimits(QJsonObject &spec)
{
    for (const auto *list : {u"initContainers", u"containers"}) {
        QJsonArray containers = spec.value(QStringView(list)).toArray();
        for (qsizetype i = 0; i < containers.size(); ++i) {
            QJsonObject c = containers[i].toObject();
            QJsonObject resources = c.value(u"resources").toObject();
            const QJsonObject limits = resources.value(u"limits").toObject();
            if (limits.isEmpty())
                continue;
            QJsonObject requests = resources.value(u"requests").toObject();
            for (auto it = limits.begin(); it != limits.end(); ++it)
                if (!requests.contains(it.key()))
                    requests.insert(it.key(), it.value());
            resources.insert(u"requests"_s, requests);
            c.insert(u"resources"_s, resources);
            containers[i] = c;
        }
        if (!containers.isEmpty())
            spec.insert(QString::fromUtf16(list), containers);
    }
}

void defaultPod(QJsonObject &pod)
{
    QJsonObject spec = objectAt(pod, u"spec");
    defaultPodSpec(spec);
    defaultRequestsFromLimits(spec);
    // The ServiceAccount admission plugin: every pod runs as a service account.
    if (spec.value(u"serviceAccountName").toString().isEmpty())
        spec.insert(u"serviceAccountName"_s, spec.value(u"serviceAccount").toString(u"default"_s));
    spec.insert(u"serviceAccount"_s, spec.value(u"serviceAccountName"));
    // DefaultTolerationSeconds admission: evict from a not-ready or unreachable node after
    // defaultTolerationSeconds. Kubernetes waits 300 s, sized for cloud machines that come
    // back; a stopped node container is a deliberate act on a desktop, and its pods should be
    // elsewhere within half a minute. A pod's own toleration wins.
    QJsonArray tolerations = spec.value(u"tolerations").toArray();
    for (const char16_t *taint : {u"node.kubernetes.io/not-ready", u"node.kubernetes.io/unreachable"}) {
        bool present = false;
        for (const QJsonValue &t : tolerations)
            present = present || t.toObject().value(u"key").toString() == taint;
        if (!present)
            tolerations.append(QJsonObject{{u"key"_s, QString::fromUtf16(taint)},
                                           {u"operator"_s, u"Exists"_s},
                                           {u"effect"_s, u"NoExecute"_s},
                                           {u"tolerationSeconds"_s, defaultTolerationSeconds}});
    }
    spec.insert(u"tolerations"_s, tolerations);
    pod.insert(u"spec"_s, spec);
}

void defaultTemplate(QJsonObject &object)
{
    QJsonObject spec = objectAt(object, u"spec");
    QJsonObject tmpl = objectAt(spec, u"template");
    QJsonObject podSpec = objectAt(tmpl, u"spec");
    defaultPodSpec(podSpec);
    tmpl.insert(u"spec"_s, podSpec);
    spec.insert(u"template"_s, tmpl);
    object.insert(u"spec"_s, spec);
}

QString qosClass(const QJsonObject &spec)
{
    bool any = false;
    bool guaranteed = true;
    for (const QJsonValue &c : spec.value(u"containers").toArray()) {
        const QJsonObject res = c.toObject().value(u"resources").toObject();
        const QJsonObject limits = res.value(u"limits").toObject();
        const QJsonObject requests = res.value(u"requests").toObject();
        any = any || !limits.isEmpty() || !requests.isEmpty();
        for (const char16_t *name : {u"cpu", u"memory"}) {
            const QJsonValue limit = limits.value(name);
            const QJsonValue request = requests.value(name);
            if (limit.isUndefined() || (!request.isUndefined() && request != limit))
                guaranteed = false;
        }
    }
    if (!any)
        return u"BestEffort"_s;
    return guaranteed ? u"Guaranteed"_s : u"Burstable"_s;
}

void prepareNewPod(QJsonObject &pod)
{
    pod.insert(u"status"_s, QJsonObject{{u"phase"_s, u"Pending"_s},
                                        {u"qosClass"_s, qosClass(objectAt(pod, u"spec"))}});
}

FieldErrors validateContainers(const QJsonArray &containers, const QString &path,
                               QSet<QString> &names, bool required)
{
    FieldErrors errors;
    if (required && containers.isEmpty())
        errors.append(FieldError::required(path));
    for (qsizetype i = 0; i < containers.size(); ++i) {
        const QJsonObject c = containers[i].toObject();
        const QString at = u"%1[%2]"_s.arg(path).arg(i);
        const QString name = c.value(u"name").toString();
        if (name.isEmpty())
            errors.append(FieldError::required(at + u".name"_s));
        else if (const QStringList p = core::isDns1123Label(name); !p.isEmpty())
            errors.append(FieldError::invalid(at + u".name"_s, name, p.join(u"; "_s)));
        else if (names.contains(name))
            errors.append(FieldError::duplicate(at + u".name"_s, name));
        names.insert(name);
        if (c.value(u"image").toString().trimmed().isEmpty())
            errors.append(FieldError::required(at + u".image"_s));
        QSet<QString> portNames;
        const QJsonArray ports = c.value(u"ports").toArray();
        for (qsizetype p = 0; p < ports.size(); ++p) {
            const QJsonObject port = ports[p].toObject();
            const QString portAt = u"%1.ports[%2]"_s.arg(at).arg(p);
            const QJsonValue number = port.value(u"containerPort");
            if (number.isUndefined())
                errors.append(FieldError::required(portAt + u".containerPort"_s));
            else if (!core::isValidPortNum(number.toInteger()).isEmpty())
                errors.append(FieldError::invalid(portAt + u".containerPort"_s, number,
                                                  core::isValidPortNum(number.toInteger()).join(u"; "_s)));
            const QString portName = port.value(u"name").toString();
            if (!portName.isEmpty() && portNames.contains(portName))
                errors.append(FieldError::duplicate(portAt + u".name"_s, portName));
            portNames.insert(portName);
        }
        const QJsonArray env = c.value(u"env").toArray();
        for (qsizetype e = 0; e < env.size(); ++e) {
            const QString envName = env[e].toObject().value(u"name").toString();
            if (envName.isEmpty())
                errors.append(FieldError::required(u"%1.env[%2].name"_s.arg(at).arg(e)));
            else if (const QStringList p = core::isEnvVarName(envName); !p.isEmpty())
                errors.append(FieldError::invalid(u"%1.env[%2].name"_s.arg(at).arg(e), envName,
                                                  p.join(u"; "_s)));
        }
    }
    return errors;
}

FieldErrors validatePodSpec(const QJsonObject &spec, const QString &path)
{
    QSet<QString> names;
    FieldErrors errors = validateContainers(spec.value(u"initContainers").toArray(),
                                            path + u".initContainers"_s, names, false);
    errors += validateContainers(spec.value(u"containers").toArray(), path + u".containers"_s,
                                 names, true);
    QSet<QString> volumes;
    const QJsonArray vols = spec.value(u"volumes").toArray();
    for (qsizetype i = 0; i < vols.size(); ++i) {
        const QString name = vols[i].toObject().value(u"name").toString();
        const QString at = u"%1.volumes[%2].name"_s.arg(path).arg(i);
        if (name.isEmpty())
            errors.append(FieldError::required(at));
        else if (volumes.contains(name))
            errors.append(FieldError::duplicate(at, name));
        volumes.insert(name);
    }
    return errors;
}

FieldErrors validatePod(const QJsonObject &pod, const QJsonObject *old)
{
    FieldErrors errors = validatePodSpec(objectAt(pod, u"spec"), u"spec"_s);
    if (old) {
        // Only images (and a few scheduling fields) of a pod may change after creation.
        QJsonObject a = objectAt(pod, u"spec");
        QJsonObject b = objectAt(*old, u"spec");
        for (QJsonObject *spec : {&a, &b}) {
            for (const char16_t *list : {u"containers", u"initContainers"}) {
                QJsonArray cs = spec->value(list).toArray();
                for (qsizetype i = 0; i < cs.size(); ++i) {
                    QJsonObject c = cs[i].toObject();
                    c.remove(u"image"_s);
                    cs[i] = c;
                }
                spec->insert(QString::fromUtf16(list), cs);
            }
            spec->remove(u"activeDeadlineSeconds"_s);
            spec->remove(u"tolerations"_s);
            spec->remove(u"terminationGracePeriodSeconds"_s);
        }
        if (a != b)
            errors.append(FieldError::forbidden(
                u"spec"_s,
                u"pod updates may not change fields other than `spec.containers[*].image`,"
                "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
                "`spec.tolerations` (only additions to existing tolerations),"
                "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
                "previously negative)"_s));
    }
    return errors;
}

// A pod on a node is stopped by its node agent first, which then deletes it with grace 0.
qint64 podGracePeriod(const QJsonObject &pod, std::optional<qint64> requested)
{
    const QString phase = objectAt(pod, u"status").value(u"phase").toString();
    if (objectAt(pod, u"spec").value(u"nodeName").toString().isEmpty() || phase == u"Succeeded"
        || phase == u"Failed")
        return 0;
    return requested.value_or(
        objectAt(pod, u"spec").value(u"terminationGracePeriodSeconds").toInteger(30));
}

} // namespace timonel::apiserver::strategies
