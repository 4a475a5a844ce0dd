#include "serviceallocator.h"

#include "resourcestore_p.h"

#include "core/cidr.h"

#include <QJsonArray>
#include <QRandomGenerator>
#include <QSet>

using namespace Qt::StringLiterals;
using timonel::core::ResourceInfo;
using namespace timonel::apiserver::detail;

namespace timonel::apiserver {

ServiceAllocator::ServiceAllocator(Storage &storage, const ClusterNetwork &network)
    : m_storage(storage), m_network(network)
{
}

FieldErrors ServiceAllocator::allocate(QJsonObject &service, const QJsonObject *old)
{
    FieldErrors errors;
    QJsonObject spec = service.value(u"spec").toObject();
    const QString type = spec.value(u"type").toString(u"ClusterIP"_s);
    QSet<QString> usedIps;
    QSet<qint64> usedPorts;
    for (const StoredObject &s : m_storage.list(u"/services/"_s)) {
        if (old && meta(s.object).value(u"uid") == meta(*old).value(u"uid"))
            continue;
        const QJsonObject other = s.object.value(u"spec").toObject();
        usedIps.insert(other.value(u"clusterIP").toString());
        for (const QJsonValue &p : other.value(u"ports").toArray())
            usedPorts.insert(p.toObject().value(u"nodePort").toInteger());
    }
    if (type != u"ExternalName") {
        QString ip = spec.value(u"clusterIP").toString();
        if (old && ip.isEmpty())
            ip = old->value(u"spec").toObject().value(u"clusterIP").toString();
        if (ip.isEmpty()) {
            const auto subnet = core::Ipv4Subnet::parse(m_network.serviceSubnet);
            // The lowest free address: the `kubernetes` service, created first, gets the
            // first one as in every cluster, and a predictable order reads well in `get svc`.
            for (quint32 i = 1; subnet && i + 1 < subnet->size(); ++i) {
                const QString candidate = subnet->address(i);
                if (!usedIps.contains(candidate)) {
                    ip = candidate;
                    break;
                }
            }
            if (ip.isEmpty())
                errors.append(FieldError::invalid(u"spec.clusterIPs"_s, QJsonValue::Undefined,
                                                  u"no free addresses in the service range"_s));
        } else if (ip != u"None" && usedIps.contains(ip)) {
            errors.append(FieldError::invalid(
                u"spec.clusterIPs"_s, QJsonArray{ip},
                u"failed to allocate IP %1: provided IP is already allocated"_s.arg(ip)));
        }
        spec.insert(u"clusterIP"_s, ip);
        spec.insert(u"clusterIPs"_s, QJsonArray{ip});
    }
    if (type == u"NodePort" || type == u"LoadBalancer") {
        QJsonArray ports = spec.value(u"ports").toArray();
        for (qsizetype i = 0; i < ports.size(); ++i) {
            QJsonObject p = ports[i].toObject();
            qint64 nodePort = p.value(u"nodePort").toInteger();
            if (nodePort == 0) {
                const int span = m_network.nodePortLast - m_network.nodePortFirst + 1;
                for (int tries = 0; tries < span && nodePort == 0; ++tries) {
                    const qint64 candidate =
                        m_network.nodePortFirst + QRandomGenerator::global()->bounded(span);
                    if (!usedPorts.contains(candidate))
                        nodePort = candidate;
                }
            } else if (usedPorts.contains(nodePort)) {
                errors.append(FieldError::invalid(
                    u"spec.ports[%1].nodePort"_s.arg(i), nodePort,
                    u"provided port is already allocated"_s));
            } else if (nodePort < m_network.nodePortFirst || nodePort > m_network.nodePortLast) {
                errors.append(FieldError::invalid(
                    u"spec.ports[%1].nodePort"_s.arg(i), nodePort,
                    u"provided port is not in the valid range. The range of valid ports is %1-%2"_s
                        .arg(m_network.nodePortFirst)
                        .arg(m_network.nodePortLast)));
            }
            usedPorts.insert(nodePort);
            p.insert(u"nodePort"_s, nodePort);
            ports[i] = p;
        }
        spec.insert(u"ports"_s, ports);
    }
    service.insert(u"spec"_s, spec);
    return errors;
}

} // namespace timonel::apiserver
