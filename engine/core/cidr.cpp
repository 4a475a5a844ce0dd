#include "cidr.h"

#include <QCoreApplication>

#include <algorithm>

namespace timonel::core {

std::optional<quint32> parseIpv4(QStringView text)
{
    quint32 address = 0;
    int octets = 0;
    for (QStringView part : text.tokenize(u'.')) {
        if (++octets > 4 || part.isEmpty() || part.size() > 3)
            return std::nullopt;
        if (part.size() > 1 && part.front() == u'0')
            return std::nullopt;
        int value = 0;
        for (QChar c : part) {
            if (c < u'0' || c > u'9')
                return std::nullopt;
            value = value * 10 + (c.unicode() - u'0');
        }
        if (value > 255)
            return std::nullopt;
        address = (address << 8) | quint32(value);
    }
    if (octets != 4)
        return std::nullopt;
    return address;
}

QString formatIpv4(quint32 address)
{
    return QStringLiteral("%1.%2.%3.%4")
        .arg(address >> 24)
        .arg((address >> 16) & 0xff)
        .arg((address >> 8) & 0xff)
        .arg(address & 0xff);
}

static quint32 maskFor(int prefix)
{
    // A shift by 32 is undefined, so /0 is spelled out.
    return prefix == 0 ? 0 : ~quint32(0) << (32 - prefix);
}

std::expected<Ipv4Subnet, QString> Ipv4Subnet::parse(QStringView cidr)
{
    const QString text = cidr.toString();
    const qsizetype slash = cidr.indexOf(u'/');
    if (slash < 0) {
        return std::unexpected(QCoreApplication::translate(
                                   "Cidr",
                                   "\"%1\" is not a CIDR: expected an address and a prefix length, "
                                   "e.g. 10.244.0.0/16")
                                   .arg(text));
    }
    const QStringView addressText = cidr.left(slash);
    const auto address = parseIpv4(addressText);
    if (!address) {
        return std::unexpected(QCoreApplication::translate(
                                   "Cidr", "\"%1\" is not a CIDR: \"%2\" is not an IPv4 address")
                                   .arg(text, addressText.toString()));
    }
    const QStringView prefixText = cidr.mid(slash + 1);
    bool ok = false;
    const int prefix = prefixText.toInt(&ok);
    // toInt() would accept "+8" and " 8"; a prefix is plain digits.
    const bool digitsOnly =
        !prefixText.isEmpty() && prefixText.size() <= 2 &&
        std::all_of(prefixText.begin(), prefixText.end(), [](QChar c) { return c.isDigit(); });
    if (!ok || !digitsOnly || prefix < 0 || prefix > 32) {
        return std::unexpected(
            QCoreApplication::translate("Cidr",
                                        "\"%1\" is not a CIDR: the prefix length must be 0 to 32")
                .arg(text));
    }
    const Ipv4Subnet subnet(*address & maskFor(prefix), prefix);
    if (subnet.m_network != *address) {
        return std::unexpected(
            QCoreApplication::translate("Cidr", "%1 has host bits set; the network address is %2")
                .arg(text, subnet.toString()));
    }
    return subnet;
}

quint32 Ipv4Subnet::mask() const
{
    return maskFor(m_prefix);
}

QString Ipv4Subnet::toString() const
{
    return formatIpv4(m_network) + u'/' + QString::number(m_prefix);
}

QString Ipv4Subnet::address(quint64 offset) const
{
    if (offset >= size())
        return {};
    return formatIpv4(m_network + quint32(offset));
}

bool Ipv4Subnet::contains(quint32 ip) const
{
    return (ip & mask()) == m_network;
}

bool Ipv4Subnet::contains(QStringView ip) const
{
    const auto address = parseIpv4(ip);
    return address && contains(*address);
}

bool Ipv4Subnet::overlaps(const Ipv4Subnet &other) const
{
    // Two CIDR blocks overlap exactly when the larger one contains the smaller one's network.
    const quint32 common = maskFor(std::min(m_prefix, other.m_prefix));
    return (m_network & common) == (other.m_network & common);
}

std::optional<Ipv4Subnet> Ipv4Subnet::subnet(int newPrefix, quint64 index) const
{
    if (newPrefix < m_prefix || newPrefix > 32)
        return std::nullopt;
    if (index >= (quint64(1) << (newPrefix - m_prefix)))
        return std::nullopt;
    const quint64 step = quint64(1) << (32 - newPrefix);
    return Ipv4Subnet(m_network + quint32(index * step), newPrefix);
}

} // namespace timonel::core
