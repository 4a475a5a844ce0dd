// The cells of services, endpoints, endpoint slices, ingresses and ingress classes.
#include "printers_p.h"

using namespace Qt::StringLiterals;

namespace timonel::apiserver::printing {

QJsonValue serviceClusterIp(O o, N)
{
    return orElse(at(o, {u"spec", u"clusterIPs"})[0].toString(), u"<none>"_s);
}

QJsonValue serviceExternalIp(O o, N)
{
    const QJsonObject spec = o.value(u"spec").toObject();
    const QString type = spec.value(u"type").toString();
    const QString externalIps = joined(spec.value(u"externalIPs").toArray());
    if (type == u"ClusterIP" || type == u"NodePort")
        return orElse(externalIps, u"<none>"_s);
    if (type == u"LoadBalancer") {
        const QString ingress = loadBalancerIngress(at(o, {u"status", u"loadBalancer"}));
        QStringList all;
        if (!ingress.isEmpty())
            all.append(ingress);
        if (!externalIps.isEmpty())
            all.append(externalIps);
        return orElse(all.join(u','), u"<pending>"_s);
    }
    if (type == u"ExternalName")
        return spec.value(u"externalName").toString();
    return u"<unknown>"_s;
}

QJsonValue servicePorts(O o, N)
{
    QStringList pieces;
    for (const QJsonValue &p : at(o, {u"spec", u"ports"}).toArray()) {
        const qint64 nodePort = integer(p[u"nodePort"]);
        const QString port = QString::number(integer(p[u"port"]));
        pieces.append((nodePort > 0 ? port + u':' + QString::number(nodePort) : port) + u'/' +
                      p[u"protocol"].toString());
    }
    return orElse(pieces.join(u','), u"<none>"_s);
}

QJsonValue endpointsAddresses(O o, N)
{
    const QJsonArray subsets = o.value(u"subsets").toArray();
    if (subsets.isEmpty())
        return u"<none>"_s;
    constexpr qsizetype max = 3;
    QStringList list;
    qsizetype count = 0;
    bool more = false;
    for (const QJsonValue &subset : subsets) {
        const QJsonArray addresses = subset[u"addresses"].toArray();
        const QJsonArray ports = subset[u"ports"].toArray();
        // A headless service may have no ports: its addresses are listed bare.
        const qsizetype rounds = ports.isEmpty() ? 1 : ports.size();
        for (qsizetype p = 0; p < rounds; ++p) {
            count += addresses.size();
            for (const QJsonValue &a : addresses) {
                if (list.size() == max) {
                    more = true;
                    break;
                }
                QString ip = a[u"ip"].toString();
                if (ports.isEmpty()) {
                    list.append(ip);
                    continue;
                }
                if (ip.contains(u':'))
                    ip = u'[' + ip + u']';
                list.append(ip + u':' + QString::number(integer(ports[p][u"port"])));
            }
        }
    }
    const QString text = list.join(u',');
    return more ? u"%1 + %2 more..."_s.arg(text).arg(count - max) : text;
}

QJsonValue endpointSlicePorts(O o, N)
{
    const QJsonArray ports = o.value(u"ports").toArray();
    QStringList list;
    for (const QJsonValue &p : ports) {
        if (list.size() == 3)
            break;
        const QJsonValue name = p[u"name"];
        list.append(isSet(p[u"port"]) ? QString::number(integer(p[u"port"]))
                    : isSet(name)     ? name.toString()
                                      : u"*"_s);
    }
    return listWithMore(list, ports.size());
}

QJsonValue endpointSliceEndpoints(O o, N)
{
    QStringList all;
    for (const QJsonValue &e : o.value(u"endpoints").toArray()) {
        for (const QJsonValue &a : e[u"addresses"].toArray())
            all.append(a.toString());
    }
    return listWithMore(all.mid(0, 3), all.size());
}

QJsonValue ingressHosts(O o, N)
{
    const QJsonArray rules = at(o, {u"spec", u"rules"}).toArray();
    QStringList hosts;
    bool more = false;
    for (const QJsonValue &rule : rules) {
        more = more || hosts.size() == 3;
        if (!more && !rule[u"host"].toString().isEmpty())
            hosts.append(rule[u"host"].toString());
    }
    if (hosts.isEmpty())
        return u"*"_s;
    return more ? u"%1 + %2 more..."_s.arg(hosts.join(u',')).arg(rules.size() - 3)
                : hosts.join(u',');
}

QJsonValue ingressAddress(O o, N)
{
    return loadBalancerIngress(at(o, {u"status", u"loadBalancer"}));
}

QJsonValue ingressPorts(O o, N)
{
    return at(o, {u"spec", u"tls"}).toArray().isEmpty() ? u"80"_s : u"80, 443"_s;
}

QJsonValue ingressClassParameters(O o, N)
{
    const QJsonValue parameters = at(o, {u"spec", u"parameters"});
    if (!parameters.isObject())
        return u"<none>"_s;
    QString text = parameters[u"kind"].toString();
    if (isSet(parameters[u"apiGroup"]))
        text += u'.' + parameters[u"apiGroup"].toString();
    return text + u'/' + parameters[u"name"].toString();
}

} // namespace timonel::apiserver::printing
