#include "containerenv.h"

#include "core/quantity.h"

#include <QByteArray>
#include <QHash>
#include <QJsonArray>

#include <cmath>

using namespace Qt::StringLiterals;

namespace timonel::kubelet {

namespace {

// $(VAR) from variables defined before; $$ is a literal $; unknown references stay as written.
QString expandReferences(const QString &text, const QHash<QString, QString> &defined)
{
    QString out;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] == u'$' && i + 1 < text.size() && text[i + 1] == u'$') {
            out += u'$';
            ++i;
        } else if (text[i] == u'$' && i + 1 < text.size() && text[i + 1] == u'(') {
            const qsizetype close = text.indexOf(u')', i + 2);
            const QString name = close > 0 ? text.mid(i + 2, close - i - 2) : QString();
            if (close > 0 && defined.contains(name)) {
                out += defined.value(name);
                i = close;
            } else {
                out += text[i];
            }
        } else {
            out += text[i];
        }
    }
    return out;
}

QString valueFrom(const QJsonObject &object, const QString &key, bool secret)
{
    if (secret)
        return QString::fromUtf8(QByteArray::fromBase64(
            object.value(u"data").toObject().value(key).toString().toLatin1()));
    const QJsonObject data = object.value(u"data").toObject();
    if (data.contains(key))
        return data.value(key).toString();
    return QString::fromUtf8(QByteArray::fromBase64(
        object.value(u"binaryData").toObject().value(key).toString().toLatin1()));
}

bool hasKey(const QJsonObject &object, const QString &key)
{
    return object.value(u"data").toObject().contains(key) ||
           object.value(u"binaryData").toObject().contains(key);
}

std::expected<QString, QString> resourceFieldValue(const QJsonObject &pod,
                                                   const QJsonObject &container,
                                                   const QJsonObject &ref,
                                                   const EnvContext &context)
{
    const QString resource = ref.value(u"resource").toString();
    QJsonObject target = container;
    if (const QString name = ref.value(u"containerName").toString(); !name.isEmpty())
        for (const QJsonValue &c : pod.value(u"spec").toObject().value(u"containers").toArray())
            if (c.toObject().value(u"name").toString() == name)
                target = c.toObject();
    const QString section = resource.section(u'.', 0, 0); // limits | requests
    const QString kind = resource.section(u'.', 1);       // cpu | memory | ephemeral-storage
    auto quantity = core::Quantity::parse(
        target.value(u"resources").toObject().value(section).toObject().value(kind).toString());
    const bool isCpu = kind == u"cpu";
    // Without a limit, the node's allocatable is the limit (the kubelet's rule).
    double value = 0;
    if (quantity)
        value = isCpu ? quantity->milliValue() / 1000.0 : double(quantity->value());
    else if (section == u"limits")
        value = isCpu ? context.nodeMilliCpu / 1000.0 : double(context.nodeMemory);
    auto divisor = core::Quantity::parse(ref.value(u"divisor").toString(u"1"_s));
    const double d = divisor && !divisor->isZero()
                         ? (isCpu ? divisor->milliValue() / 1000.0 : double(divisor->value()))
                         : 1.0;
    return QString::number(qint64(std::ceil(value / d)));
}

} // namespace

std::expected<QString, QString> podFieldValue(const QJsonObject &pod, const QString &fieldPath,
                                              const EnvContext &context)
{
    const QJsonObject meta = pod.value(u"metadata").toObject();
    const QJsonObject spec = pod.value(u"spec").toObject();
    if (fieldPath == u"metadata.name" || fieldPath == u"metadata.namespace" ||
        fieldPath == u"metadata.uid")
        return meta.value(fieldPath.mid(9)).toString();
    for (const QString &map : {u"labels"_s, u"annotations"_s}) {
        const QString prefix = u"metadata.%1['"_s.arg(map);
        if (fieldPath.startsWith(prefix) && fieldPath.endsWith(u"']"))
            return meta.value(map)
                .toObject()
                .value(fieldPath.mid(prefix.size()).chopped(2))
                .toString();
        if (fieldPath == u"metadata."_s + map) {
            const QJsonObject values = meta.value(map).toObject();
            QStringList lines;
            for (auto it = values.begin(); it != values.end(); ++it)
                lines.append(u"%1=\"%2\""_s.arg(it.key(), it.value().toString()));
            return lines.join(u'\n');
        }
    }
    if (fieldPath == u"spec.nodeName")
        return spec.value(u"nodeName").toString();
    if (fieldPath == u"spec.serviceAccountName")
        return spec.value(u"serviceAccountName").toString();
    if (fieldPath == u"status.hostIP" || fieldPath == u"status.hostIPs")
        return context.nodeIP;
    if (fieldPath == u"status.podIP" || fieldPath == u"status.podIPs")
        return context.podIP;
    return std::unexpected(u"unsupported fieldPath: %1"_s.arg(fieldPath));
}

std::expected<QStringList, QString> containerEnvironment(const QJsonObject &pod,
                                                         const QJsonObject &container,
                                                         const VolumeSources &sources,
                                                         const EnvContext &context)
{
    const QString ns = pod.value(u"metadata").toObject().value(u"namespace").toString();
    QStringList order;
    QHash<QString, QString> values;
    auto set = [&](const QString &name, const QString &value) {
        if (!values.contains(name))
            order.append(name);
        values.insert(name, value);
    };

    for (const QJsonValue &v : container.value(u"envFrom").toArray()) {
        const QJsonObject from = v.toObject();
        const QString prefix = from.value(u"prefix").toString();
        const bool secret = from.contains(u"secretRef");
        const QJsonObject ref = from.value(secret ? u"secretRef" : u"configMapRef").toObject();
        const QString name = ref.value(u"name").toString();
        const auto &objects = secret ? sources.secrets : sources.configMaps;
        if (!objects.contains(name)) {
            if (ref.value(u"optional").toBool())
                continue;
            return std::unexpected(
                u"%1 \"%2\" not found"_s.arg(secret ? u"secret"_s : u"configmap"_s, name));
        }
        const QJsonObject object = objects.value(name);
        QStringList keys = object.value(u"data").toObject().keys();
        if (!secret)
            keys += object.value(u"binaryData").toObject().keys();
        for (const QString &key : std::as_const(keys))
            set(prefix + key, valueFrom(object, key, secret));
    }

    for (const QJsonValue &v : container.value(u"env").toArray()) {
        const QJsonObject env = v.toObject();
        const QString name = env.value(u"name").toString();
        if (!env.contains(u"valueFrom")) {
            set(name, expandReferences(env.value(u"value").toString(), values));
            continue;
        }
        const QJsonObject from = env.value(u"valueFrom").toObject();
        if (from.contains(u"fieldRef")) {
            auto value = podFieldValue(
                pod, from.value(u"fieldRef").toObject().value(u"fieldPath").toString(), context);
            if (!value)
                return std::unexpected(value.error());
            set(name, *value);
        } else if (from.contains(u"resourceFieldRef")) {
            auto value = resourceFieldValue(pod, container,
                                            from.value(u"resourceFieldRef").toObject(), context);
            if (!value)
                return std::unexpected(value.error());
            set(name, *value);
        } else {
            const bool secret = from.contains(u"secretKeyRef");
            const QJsonObject ref =
                from.value(secret ? u"secretKeyRef" : u"configMapKeyRef").toObject();
            const QString object = ref.value(u"name").toString();
            const QString key = ref.value(u"key").toString();
            const bool optional = ref.value(u"optional").toBool();
            const auto &objects = secret ? sources.secrets : sources.configMaps;
            const QString kind = secret ? u"secret"_s : u"configmap"_s;
            if (!objects.contains(object)) {
                if (optional)
                    continue;
                return std::unexpected(u"%1 \"%2\" not found"_s.arg(kind, object));
            }
            if (!hasKey(objects.value(object), key)) {
                if (optional)
                    continue;
                return std::unexpected(u"couldn't find key %1 in %2 %3/%4"_s.arg(
                    key, secret ? u"Secret"_s : u"ConfigMap"_s, ns, object));
            }
            set(name, valueFrom(objects.value(object), key, secret));
        }
    }

    QStringList out;
    out.reserve(order.size());
    for (const QString &name : std::as_const(order))
        out.append(name + u'=' + values.value(name));
    return out;
}

} // namespace timonel::kubelet
