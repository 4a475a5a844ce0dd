#include "servicetable.h"

#include <QJsonArray>
#include <QSet>

using namespace Qt::StringLiterals;

namespace timonel::proxy {

namespace {

constexpr int kDefaultAffinitySeconds = 10800; // the API's default for ClientIP affinity

std::optional<Protocol> protocolOf(const QJsonObject &port)
{
    const QString name = port.value(u"protocol").toString(u"TCP"_s);
    if (name == u"TCP")
        return Protocol::Tcp;
    if (name == u"UDP")
        return Protocol::Udp;
    return std::nullopt; // SCTP: not proxied
}

QString keyOf(const QString &ns, const QString &name)
{
    return ns + u'/' + name;
}

// The conditions as kube-proxy reads them: an unknown `ready` counts as ready, an unknown
// `serving` follows `ready`, an unknown `terminating` is not terminating.
Backend backendOf(const QJsonObject &endpoint, quint16 port)
{
    const QJsonObject conditions = endpoint.value(u"conditions").toObject();
    Backend b;
    b.ip = endpoint.value(u"addresses").toArray().first().toString();
    b.port = port;
    b.ready = conditions.value(u"ready").toBool(true);
    b.serving = conditions.value(u"serving").toBool(b.ready);
    b.terminating = conditions.value(u"terminating").toBool(false);
    return b;
}

} // namespace

QString protocolName(Protocol protocol)
{
    return protocol == Protocol::Tcp ? u"TCP"_s : u"UDP"_s;
}

QString Frontend::displayName() const
{
    QString s = keyOf(ns, name);
    if (!portName.isEmpty())
        s += u':' + portName;
    return s;
}

QList<Backend> usableBackends(const QList<Backend> &backends)
{
    QList<Backend> ready;
    QList<Backend> terminating;
    for (const Backend &b : backends) {
        if (b.ready)
            ready.append(b);
        else if (b.serving && b.terminating)
            terminating.append(b);
    }
    return ready.isEmpty() ? terminating : ready;
}

QList<Frontend> computeFrontends(const QList<QJsonObject> &services,
                                 const QList<QJsonObject> &endpointSlices)
{
    QHash<QString, QList<QJsonObject>> slicesByService;
    for (const QJsonObject &slice : endpointSlices) {
        const QJsonObject meta = slice.value(u"metadata").toObject();
        const QString service =
            meta.value(u"labels").toObject().value(u"kubernetes.io/service-name").toString();
        const QString type = slice.value(u"addressType").toString();
        if (service.isEmpty() || (type != u"IPv4" && type != u"IPv6"))
            continue;
        slicesByService[keyOf(meta.value(u"namespace").toString(), service)].append(slice);
    }

    QList<Frontend> frontends;
    for (const QJsonObject &service : services) {
        const QJsonObject meta = service.value(u"metadata").toObject();
        const QJsonObject spec = service.value(u"spec").toObject();
        if (spec.value(u"type").toString() == u"ExternalName")
            continue;
        QStringList clusterIPs;
        for (const QJsonValue &ip : spec.value(u"clusterIPs").toArray())
            clusterIPs.append(ip.toString());
        if (clusterIPs.isEmpty() && !spec.value(u"clusterIP").toString().isEmpty())
            clusterIPs.append(spec.value(u"clusterIP").toString());
        if (clusterIPs.contains(u"None"_s))
            continue; // headless: cluster DNS hands out the endpoints themselves
        clusterIPs.removeAll(QString());

        int affinitySeconds = 0;
        if (spec.value(u"sessionAffinity").toString() == u"ClientIP") {
            affinitySeconds = spec.value(u"sessionAffinityConfig")
                                  .toObject()
                                  .value(u"clientIP")
                                  .toObject()
                                  .value(u"timeoutSeconds")
                                  .toInt(kDefaultAffinitySeconds);
        }

        const QString ns = meta.value(u"namespace").toString();
        const QString name = meta.value(u"name").toString();
        const QList<QJsonObject> slices = slicesByService.value(keyOf(ns, name));
        for (const QJsonValue &value : spec.value(u"ports").toArray()) {
            const QJsonObject port = value.toObject();
            const std::optional<Protocol> protocol = protocolOf(port);
            if (!protocol)
                continue;
            Frontend f;
            f.protocol = *protocol;
            f.clusterIPs = clusterIPs;
            f.port = quint16(port.value(u"port").toInt());
            f.nodePort = quint16(port.value(u"nodePort").toInt());
            f.ns = ns;
            f.name = name;
            f.portName = port.value(u"name").toString();
            f.affinitySeconds = affinitySeconds;
            if (f.clusterIPs.isEmpty() && f.nodePort == 0)
                continue;

            // The same address and port can be in several slices (while the controller moves
            // endpoints between them): kube-proxy keeps one.
            QSet<QString> seen;
            for (const QJsonObject &slice : slices) {
                std::optional<quint16> target;
                for (const QJsonValue &p : slice.value(u"ports").toArray()) {
                    const QJsonObject sp = p.toObject();
                    if (sp.value(u"name").toString() == f.portName && protocolOf(sp) == protocol &&
                        sp.value(u"port").toInt() > 0) {
                        target = quint16(sp.value(u"port").toInt());
                        break;
                    }
                }
                if (!target)
                    continue;
                for (const QJsonValue &e : slice.value(u"endpoints").toArray()) {
                    const QJsonObject endpoint = e.toObject();
                    if (endpoint.value(u"addresses").toArray().isEmpty())
                        continue;
                    const Backend b = backendOf(endpoint, *target);
                    if (seen.contains(b.ip + u'|' + QString::number(b.port)))
                        continue;
                    seen.insert(b.ip + u'|' + QString::number(b.port));
                    f.backends.append(b);
                }
            }
            frontends.append(f);
        }
    }
    return frontends;
}

void BackendPicker::setBackends(const QList<Backend> &backends, int affinitySeconds)
{
    m_backends = backends;
    if (affinitySeconds != m_affinitySeconds)
        m_affinity.clear();
    m_affinitySeconds = affinitySeconds;
    // A client pinned to an endpoint that is gone chooses again.
    for (auto it = m_affinity.begin(); it != m_affinity.end();) {
        if (m_backends.contains(it->backend))
            ++it;
        else
            it = m_affinity.erase(it);
    }
}

std::optional<Backend> BackendPicker::pick(const QHostAddress &client, Clock::time_point now,
                                           const std::optional<Backend> &exclude)
{
    if (m_backends.isEmpty())
        return std::nullopt;
    const auto timeout = std::chrono::seconds(m_affinitySeconds);
    const QString clientKey = client.toString();
    if (m_affinitySeconds > 0) {
        // Forget expired clients now and then so the table stays as large as the active set.
        if (m_affinity.size() > 4096) {
            for (auto it = m_affinity.begin(); it != m_affinity.end();)
                it = now - it->lastUsed > timeout ? m_affinity.erase(it) : std::next(it);
        }
        auto it = m_affinity.find(clientKey);
        if (it != m_affinity.end() && now - it->lastUsed <= timeout && it->backend != exclude) {
            it->lastUsed = now;
            return it->backend;
        }
    }
    Backend chosen;
    for (qsizetype i = 0; i < m_backends.size(); ++i) {
        chosen = m_backends[m_next % m_backends.size()];
        m_next = (m_next + 1) % m_backends.size();
        if (chosen != exclude)
            break;
    }
    if (m_affinitySeconds > 0)
        m_affinity.insert(clientKey, Affinity{chosen, now});
    return chosen;
}

} // namespace timonel::proxy
