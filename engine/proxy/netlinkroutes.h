// The two routes the service network needs, set through rtnetlink in the calling process's
// network namespace (no `ip` binary in node or sandbox images; needs CAP_NET_ADMIN):
//  - on a node, the service subnet as local addresses on lo, so the proxy can bind any
//    ClusterIP (`ip route add local 10.96.0.0/16 dev lo`);
//  - in a pod sandbox, the service subnet via the pod's node (`ip route add 10.96.0.0/16 via
//    <node IP>`).
// A route that already exists counts as added.
#pragma once

#include <QList>
#include <QString>

#include <expected>

namespace timonel::proxy {

// `cidr` as "10.96.0.0/16" (or IPv6). Table local, type local, dev lo.
std::expected<void, QString> addLocalRoute(const QString &cidr);
// Table main, via `gateway`, which must be reachable on a directly attached network.
std::expected<void, QString> addRoute(const QString &cidr, const QString &gateway);

// A route as an RTM_GETROUTE dump tells it.
struct Route
{
    QString destination; // "10.96.0.0/16"; "0.0.0.0/0" for a default route
    QString gateway;     // "" when none
    QString device;      // output interface name, "" when none
    int table = 0;       // RT_TABLE_MAIN 254, RT_TABLE_LOCAL 255
    int type = 0;        // RTN_UNICAST 1, RTN_LOCAL 2
};

// Every route of the family (AF_INET or AF_INET6) in every table.
std::expected<QList<Route>, QString> listRoutes(int family);

} // namespace timonel::proxy
