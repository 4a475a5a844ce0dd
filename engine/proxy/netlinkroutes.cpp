#include "netlinkroutes.h"

#include <QHostAddress>

#include <arpa/inet.h>
#include <array>
#include <cerrno>
#include <cstring>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace timonel::proxy {

namespace {

// An rtnetlink socket, closed when it goes out of scope.
class NetlinkSocket
{
public:
    NetlinkSocket() : m_fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE))
    {
        if (m_fd >= 0) {
            // Answers that never come must not hang the caller.
            timeval timeout{5, 0};
            ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        }
    }
    ~NetlinkSocket()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    NetlinkSocket(const NetlinkSocket &) = delete;
    NetlinkSocket &operator=(const NetlinkSocket &) = delete;

    int fd() const { return m_fd; }

private:
    int m_fd;
};

// A netlink request being built: the header, then the fixed part, then attributes.
class Message
{
public:
    Message(quint16 type, quint16 flags, const void *body, size_t bodySize)
    {
        m_data.resize(NLMSG_SPACE(bodySize));
        auto *header = reinterpret_cast<nlmsghdr *>(m_data.data());
        header->nlmsg_len = NLMSG_LENGTH(bodySize);
        header->nlmsg_type = type;
        header->nlmsg_flags = flags;
        header->nlmsg_seq = 1;
        std::memcpy(NLMSG_DATA(header), body, bodySize);
    }

    void addAttribute(quint16 type, const void *value, size_t size)
    {
        const size_t offset = NLMSG_ALIGN(header()->nlmsg_len);
        m_data.resize(offset + RTA_SPACE(size));
        auto *attribute = reinterpret_cast<rtattr *>(m_data.data() + offset);
        attribute->rta_type = type;
        attribute->rta_len = RTA_LENGTH(size);
        std::memcpy(RTA_DATA(attribute), value, size);
        header()->nlmsg_len = offset + RTA_SPACE(size);
    }
    void addUint32(quint16 type, quint32 value) { addAttribute(type, &value, sizeof value); }

    const QByteArray &data() const { return m_data; }

private:
    nlmsghdr *header() { return reinterpret_cast<nlmsghdr *>(m_data.data()); }
    QByteArray m_data;
};

struct Address
{
    int family = AF_INET;
    std::array<unsigned char, 16> bytes{};
    size_t size() const { return family == AF_INET ? 4 : 16; }
};

std::optional<Address> toAddress(const QHostAddress &host)
{
    Address a;
    if (host.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 v4 = htonl(host.toIPv4Address());
        std::memcpy(a.bytes.data(), &v4, 4);
        return a;
    }
    if (host.protocol() == QAbstractSocket::IPv6Protocol) {
        a.family = AF_INET6;
        const Q_IPV6ADDR v6 = host.toIPv6Address();
        std::memcpy(a.bytes.data(), v6.c, 16);
        return a;
    }
    return std::nullopt;
}

QString systemError(int error)
{
    return QString::fromLocal8Bit(strerror(error));
}

// Sends one request and reads until its acknowledgement; EEXIST counts as success.
std::expected<void, QString> request(const Message &message, const QString &what)
{
    NetlinkSocket socket;
    if (socket.fd() < 0)
        return std::unexpected(u"cannot open a netlink socket: %1"_s.arg(systemError(errno)));
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(socket.fd(), message.data().constData(), size_t(message.data().size()), 0,
                 reinterpret_cast<sockaddr *>(&kernel), sizeof kernel) < 0)
        return std::unexpected(u"cannot add the route %1: %2"_s.arg(what, systemError(errno)));
    std::array<char, 8192> buffer;
    for (int reads = 0; reads < 16; ++reads) {
        const ssize_t n = ::recv(socket.fd(), buffer.data(), buffer.size(), 0);
        if (n < 0)
            return std::unexpected(u"cannot add the route %1: %2"_s.arg(what, systemError(errno)));
        int length = int(n);
        for (auto *h = reinterpret_cast<nlmsghdr *>(buffer.data()); NLMSG_OK(h, length);
             h = NLMSG_NEXT(h, length)) {
            if (h->nlmsg_type != NLMSG_ERROR)
                continue;
            const int error = -reinterpret_cast<nlmsgerr *>(NLMSG_DATA(h))->error;
            if (error == 0 || error == EEXIST)
                return {};
            if (error == EPERM)
                return std::unexpected(
                    u"cannot add the route %1: %2 (the process needs CAP_NET_ADMIN)"_s.arg(
                        what, systemError(error)));
            return std::unexpected(u"cannot add the route %1: %2"_s.arg(what, systemError(error)));
        }
    }
    return std::unexpected(u"cannot add the route %1: no answer from the kernel"_s.arg(what));
}

struct Subnet
{
    Address address;
    int prefix = 0;
};

std::expected<Subnet, QString> parseCidr(const QString &cidr)
{
    const auto [network, prefix] = QHostAddress::parseSubnet(cidr);
    const std::optional<Address> address = toAddress(network);
    if (!address || prefix < 0 || !cidr.contains(u'/'))
        return std::unexpected(u"invalid CIDR address: %1"_s.arg(cidr));
    return Subnet{*address, prefix};
}

rtmsg routeHeader(const Subnet &subnet, unsigned char table, unsigned char type,
                  unsigned char scope)
{
    rtmsg r{};
    r.rtm_family = static_cast<unsigned char>(subnet.address.family);
    r.rtm_dst_len = static_cast<unsigned char>(subnet.prefix);
    r.rtm_table = table;
    r.rtm_protocol = RTPROT_BOOT; // what `ip route add` marks its routes with
    r.rtm_scope = scope;
    r.rtm_type = type;
    return r;
}

constexpr quint16 kCreate = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;

} // namespace

std::expected<void, QString> addLocalRoute(const QString &cidr)
{
    const auto subnet = parseCidr(cidr);
    if (!subnet)
        return std::unexpected(subnet.error());
    const unsigned int lo = if_nametoindex("lo");
    if (lo == 0)
        return std::unexpected(u"cannot add the route local %1 dev lo: no device lo"_s.arg(cidr));
    const rtmsg header = routeHeader(*subnet, RT_TABLE_LOCAL, RTN_LOCAL, RT_SCOPE_HOST);
    Message message(RTM_NEWROUTE, kCreate, &header, sizeof header);
    message.addAttribute(RTA_DST, subnet->address.bytes.data(), subnet->address.size());
    message.addUint32(RTA_OIF, lo);
    message.addUint32(RTA_TABLE, RT_TABLE_LOCAL);
    return request(message, u"local %1 dev lo"_s.arg(cidr));
}

std::expected<void, QString> addRoute(const QString &cidr, const QString &gateway)
{
    const auto subnet = parseCidr(cidr);
    if (!subnet)
        return std::unexpected(subnet.error());
    const std::optional<Address> via = toAddress(QHostAddress(gateway));
    if (!via || via->family != subnet->address.family)
        return std::unexpected(u"invalid gateway address: %1"_s.arg(gateway));
    const rtmsg header = routeHeader(*subnet, RT_TABLE_MAIN, RTN_UNICAST, RT_SCOPE_UNIVERSE);
    Message message(RTM_NEWROUTE, kCreate, &header, sizeof header);
    message.addAttribute(RTA_DST, subnet->address.bytes.data(), subnet->address.size());
    message.addAttribute(RTA_GATEWAY, via->bytes.data(), via->size());
    return request(message, u"%1 via %2"_s.arg(cidr, gateway));
}

std::expected<QList<Route>, QString> listRoutes(int family)
{
    NetlinkSocket socket;
    if (socket.fd() < 0)
        return std::unexpected(u"cannot open a netlink socket: %1"_s.arg(systemError(errno)));
    rtmsg header{};
    header.rtm_family = static_cast<unsigned char>(family);
    Message message(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, &header, sizeof header);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(socket.fd(), message.data().constData(), size_t(message.data().size()), 0,
                 reinterpret_cast<sockaddr *>(&kernel), sizeof kernel) < 0)
        return std::unexpected(u"cannot list routes: %1"_s.arg(systemError(errno)));

    auto addressText = [family](const rtattr *attribute) {
        if (family == AF_INET && RTA_PAYLOAD(attribute) >= 4) {
            quint32 v4;
            std::memcpy(&v4, RTA_DATA(attribute), 4);
            return QHostAddress(ntohl(v4)).toString();
        }
        if (RTA_PAYLOAD(attribute) >= 16)
            return QHostAddress(static_cast<const quint8 *>(RTA_DATA(attribute))).toString();
        return QString();
    };

    QList<Route> routes;
    std::array<char, 32768> buffer;
    for (int reads = 0; reads < 4096; ++reads) {
        const ssize_t n = ::recv(socket.fd(), buffer.data(), buffer.size(), 0);
        if (n < 0)
            return std::unexpected(u"cannot list routes: %1"_s.arg(systemError(errno)));
        int length = int(n);
        for (auto *h = reinterpret_cast<nlmsghdr *>(buffer.data()); NLMSG_OK(h, length);
             h = NLMSG_NEXT(h, length)) {
            if (h->nlmsg_type == NLMSG_DONE)
                return routes;
            if (h->nlmsg_type == NLMSG_ERROR)
                return std::unexpected(u"cannot list routes: %1"_s.arg(
                    systemError(-reinterpret_cast<nlmsgerr *>(NLMSG_DATA(h))->error)));
            if (h->nlmsg_type != RTM_NEWROUTE)
                continue;
            const auto *r = static_cast<const rtmsg *>(NLMSG_DATA(h));
            Route route;
            route.table = r->rtm_table;
            route.type = r->rtm_type;
            QString destination = family == AF_INET ? u"0.0.0.0"_s : u"::"_s;
            int attributesLength = int(RTM_PAYLOAD(h));
            for (auto *a = RTM_RTA(r); RTA_OK(a, attributesLength);
                 a = RTA_NEXT(a, attributesLength)) {
                switch (a->rta_type) {
                case RTA_DST:
                    destination = addressText(a);
                    break;
                case RTA_GATEWAY:
                    route.gateway = addressText(a);
                    break;
                case RTA_OIF: {
                    quint32 index;
                    std::memcpy(&index, RTA_DATA(a), sizeof index);
                    char name[IF_NAMESIZE] = {};
                    if (if_indextoname(index, name))
                        route.device = QString::fromLocal8Bit(name);
                    break;
                }
                case RTA_TABLE:
                    std::memcpy(&route.table, RTA_DATA(a), sizeof(quint32));
                    break;
                default:
                    break;
                }
            }
            route.destination = destination + u'/' + QString::number(r->rtm_dst_len);
            routes.append(route);
        }
    }
    return std::unexpected(u"cannot list routes: the dump did not end"_s);
}

} // namespace timonel::proxy
