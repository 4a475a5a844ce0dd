#pragma once

#include <QLatin1StringView>
#include <QString>
#include <QStringView>

#include <expected>
#include <optional>

namespace timonel::core {

// Dotted-quad IPv4 address ("10.244.0.1"). Leading zeros are rejected: "010" would be octal
// to some tools and decimal to others.
std::optional<quint32> parseIpv4(QStringView text);
QString formatIpv4(quint32 address);

// An IPv4 network in CIDR notation: pod and service subnets, and the addresses handed out
// from them to nodes, pods and services.
class Ipv4Subnet
{
public:
    Ipv4Subnet() = default; // 0.0.0.0/0

    // "10.244.0.0/16". Host bits must be clear: "10.244.1.0/16" is an error that names the
    // network address the user probably meant.
    static std::expected<Ipv4Subnet, QString> parse(QStringView cidr);
    static std::expected<Ipv4Subnet, QString> parse(QLatin1StringView cidr)
    {
        return parse(QString(cidr));
    }

    quint32 network() const { return m_network; }
    int prefixLength() const { return m_prefix; }
    quint64 size() const { return quint64(1) << (32 - m_prefix); }
    quint32 mask() const;

    QString toString() const;

    // network + offset ("10.244.0.0/16".address(1) == "10.244.0.1"); empty when offset is
    // outside the subnet.
    QString address(quint64 offset) const;

    bool contains(QStringView ip) const;
    bool contains(quint32 ip) const;
    bool overlaps(const Ipv4Subnet &other) const;

    // The index-th /newPrefix inside this subnet ("10.244.0.0/16".subnet(24, 3) ==
    // "10.244.3.0/24"); nullopt when newPrefix is shorter than ours or index is out of range.
    std::optional<Ipv4Subnet> subnet(int newPrefix, quint64 index) const;

    friend bool operator==(const Ipv4Subnet &, const Ipv4Subnet &) = default;

private:
    Ipv4Subnet(quint32 network, int prefix) : m_network(network), m_prefix(prefix) {}

    quint32 m_network = 0;
    int m_prefix = 0;
};

} // namespace timonel::core
