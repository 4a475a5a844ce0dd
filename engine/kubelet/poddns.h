// A pod's /etc/resolv.conf, as the kubelet writes it from the pod's dnsPolicy and dnsConfig.
//
// ClusterFirst (the default) points the pod at the cluster DNS with the cluster search path
// (`<ns>.svc.<domain> svc.<domain> <domain>`, then the node's own search domains) and ndots:5;
// Default copies the node's resolver (Docker's embedded DNS on the cluster network, which
// knows the node names and forwards the rest to the host's resolvers); None takes dnsConfig
// alone. hostNetwork pods under ClusterFirst get Default, unless ClusterFirstWithHostNet.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <utility>

namespace timonel::kubelet {

struct ResolvConf
{
    QStringList nameservers;
    QStringList searches;
    QList<std::pair<QString, QString>> options; // name -> value (empty: a bare option)

    static ResolvConf parse(const QString &text);
    QString toString() const;
};

struct ClusterDnsConfig
{
    QString nameserver; // the cluster DNS Service's ClusterIP; empty: no cluster DNS
    QString domain = QStringLiteral("cluster.local");
    ResolvConf node; // the node's own /etc/resolv.conf
};

// The resolver configuration of `pod`; dnsConfig is merged as the kubelet does (nameservers
// and search domains appended without duplicates, options replaced by name), within the
// kubelet's limits of 3 nameservers and 32 search domains.
ResolvConf podResolvConf(const QJsonObject &pod, const ClusterDnsConfig &config);

} // namespace timonel::kubelet
