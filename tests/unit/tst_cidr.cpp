#include "core/cidr.h"

#include <QTest>

using timonel::core::formatIpv4;
using timonel::core::Ipv4Subnet;
using timonel::core::parseIpv4;

class TestCidr : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesDottedQuads_data();
    void parsesDottedQuads();
    void formatsAddresses();
    void parsesCidrs_data();
    void parsesCidrs();
    void rejectsBadCidrs_data();
    void rejectsBadCidrs();
    void hostBitsErrorNamesTheNetworkAddress();
    void parsesLatin1Constants();
    void offsetsGiveAddressesInsideTheSubnet_data();
    void offsetsGiveAddressesInsideTheSubnet();
    void containsAddresses_data();
    void containsAddresses();
    void overlapsWhenEitherHoldsTheOther_data();
    void overlapsWhenEitherHoldsTheOther();
    void splitsIntoSmallerSubnets_data();
    void splitsIntoSmallerSubnets();
};

void TestCidr::parsesDottedQuads_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<quint32>("address");

    QTest::newRow("typical") << "10.244.0.1" << true << quint32(0x0af40001);
    QTest::newRow("zeros") << "0.0.0.0" << true << quint32(0);
    QTest::newRow("broadcast") << "255.255.255.255" << true << quint32(0xffffffff);
    QTest::newRow("loopback") << "127.0.0.1" << true << quint32(0x7f000001);
    QTest::newRow("octet over 255") << "10.256.0.1" << false << quint32(0);
    QTest::newRow("three octets") << "10.0.1" << false << quint32(0);
    QTest::newRow("five octets") << "10.0.0.1.2" << false << quint32(0);
    QTest::newRow("empty octet") << "10..0.1" << false << quint32(0);
    QTest::newRow("trailing dot") << "10.0.0.1." << false << quint32(0);
    QTest::newRow("leading zero") << "10.0.0.01" << false << quint32(0);
    QTest::newRow("sign") << "10.0.0.+1" << false << quint32(0);
    QTest::newRow("space") << " 10.0.0.1" << false << quint32(0);
    QTest::newRow("letters") << "localhost" << false << quint32(0);
    QTest::newRow("ipv6") << "::1" << false << quint32(0);
    QTest::newRow("empty") << "" << false << quint32(0);
}

void TestCidr::parsesDottedQuads()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(quint32, address);
    const auto parsed = parseIpv4(text);
    QCOMPARE(parsed.has_value(), valid);
    if (valid)
        QCOMPARE(*parsed, address);
}

void TestCidr::formatsAddresses()
{
    QCOMPARE(formatIpv4(0x0af40001), QStringLiteral("10.244.0.1"));
    QCOMPARE(formatIpv4(0), QStringLiteral("0.0.0.0"));
    QCOMPARE(formatIpv4(0xffffffff), QStringLiteral("255.255.255.255"));
}

void TestCidr::parsesCidrs_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<quint32>("network");
    QTest::addColumn<int>("prefix");
    QTest::addColumn<quint64>("size");

    QTest::newRow("pod subnet") << "10.244.0.0/16" << quint32(0x0af40000) << 16 << quint64(65536);
    QTest::newRow("service subnet")
        << "10.96.0.0/12" << quint32(0x0a600000) << 12 << (quint64(1) << 20);
    QTest::newRow("node range") << "10.244.3.0/24" << quint32(0x0af40300) << 24 << quint64(256);
    QTest::newRow("single host") << "192.168.1.7/32" << quint32(0xc0a80107) << 32 << quint64(1);
    QTest::newRow("everything") << "0.0.0.0/0" << quint32(0) << 0 << (quint64(1) << 32);
}

void TestCidr::parsesCidrs()
{
    QFETCH(QString, text);
    QFETCH(quint32, network);
    QFETCH(int, prefix);
    QFETCH(quint64, size);
    const auto subnet = Ipv4Subnet::parse(text);
    QVERIFY2(subnet.has_value(), qPrintable(subnet.error_or(QString())));
    QCOMPARE(subnet->network(), network);
    QCOMPARE(subnet->prefixLength(), prefix);
    QCOMPARE(subnet->size(), size);
    QCOMPARE(subnet->toString(), text);
}

void TestCidr::rejectsBadCidrs_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("fragment");

    QTest::newRow("no prefix") << "10.244.0.0"
                               << "expected an address and a prefix length";
    QTest::newRow("prefix over 32") << "10.0.0.0/33"
                                    << "prefix length must be 0 to 32";
    QTest::newRow("negative prefix") << "10.0.0.0/-1"
                                     << "prefix length must be 0 to 32";
    QTest::newRow("empty prefix") << "10.0.0.0/"
                                  << "prefix length must be 0 to 32";
    QTest::newRow("signed prefix") << "10.0.0.0/+8"
                                   << "prefix length must be 0 to 32";
    QTest::newRow("bad octet") << "10.300.0.0/16"
                               << "\"10.300.0.0\" is not an IPv4 address";
    QTest::newRow("ipv6") << "fd00:10:244::/56"
                          << "is not an IPv4 address";
    QTest::newRow("two slashes") << "10.0.0.0/8/8"
                                 << "prefix length must be 0 to 32";
    QTest::newRow("host bits") << "10.244.1.0/16"
                               << "host bits set";
    QTest::newRow("empty") << ""
                           << "expected an address and a prefix length";
}

void TestCidr::rejectsBadCidrs()
{
    QFETCH(QString, text);
    QFETCH(QString, fragment);
    const auto subnet = Ipv4Subnet::parse(text);
    QVERIFY2(!subnet.has_value(), qPrintable(text));
    QVERIFY2(subnet.error().contains(fragment), qPrintable(subnet.error()));
}

void TestCidr::hostBitsErrorNamesTheNetworkAddress()
{
    const auto subnet = Ipv4Subnet::parse(u"10.244.1.0/16");
    QVERIFY(!subnet);
    QCOMPARE(
        subnet.error(),
        QStringLiteral("10.244.1.0/16 has host bits set; the network address is 10.244.0.0/16"));
}

void TestCidr::parsesLatin1Constants()
{
    const auto subnet = Ipv4Subnet::parse(QLatin1StringView("10.96.0.0/16"));
    QVERIFY(subnet);
    QCOMPARE(subnet->address(10), QStringLiteral("10.96.0.10"));
    QVERIFY(!Ipv4Subnet::parse(QLatin1StringView("10.96.0.1/16")));
}

void TestCidr::offsetsGiveAddressesInsideTheSubnet_data()
{
    QTest::addColumn<QString>("cidr");
    QTest::addColumn<quint64>("offset");
    QTest::addColumn<QString>("address");

    QTest::newRow("network") << "10.244.0.0/16" << quint64(0) << "10.244.0.0";
    QTest::newRow("gateway") << "10.244.0.0/16" << quint64(1) << "10.244.0.1";
    QTest::newRow("carries into next octet") << "10.244.0.0/16" << quint64(256) << "10.244.1.0";
    QTest::newRow("last") << "10.244.0.0/16" << quint64(65535) << "10.244.255.255";
    QTest::newRow("past the end") << "10.244.0.0/16" << quint64(65536) << "";
    QTest::newRow("whole space") << "0.0.0.0/0" << quint64(0xffffffff) << "255.255.255.255";
    QTest::newRow("single host") << "10.1.2.3/32" << quint64(1) << "";
}

void TestCidr::offsetsGiveAddressesInsideTheSubnet()
{
    QFETCH(QString, cidr);
    QFETCH(quint64, offset);
    QFETCH(QString, address);
    QCOMPARE(Ipv4Subnet::parse(cidr)->address(offset), address);
}

void TestCidr::containsAddresses_data()
{
    QTest::addColumn<QString>("cidr");
    QTest::addColumn<QString>("ip");
    QTest::addColumn<bool>("contained");

    QTest::newRow("inside") << "10.244.0.0/16"
                            << "10.244.7.9" << true;
    QTest::newRow("network address") << "10.244.0.0/16"
                                     << "10.244.0.0" << true;
    QTest::newRow("last address") << "10.244.0.0/16"
                                  << "10.244.255.255" << true;
    QTest::newRow("just after") << "10.244.0.0/16"
                                << "10.245.0.0" << false;
    QTest::newRow("just before") << "10.244.0.0/16"
                                 << "10.243.255.255" << false;
    QTest::newRow("everything") << "0.0.0.0/0"
                                << "8.8.8.8" << true;
    QTest::newRow("single host") << "10.1.2.3/32"
                                 << "10.1.2.3" << true;
    QTest::newRow("next to single host") << "10.1.2.3/32"
                                         << "10.1.2.4" << false;
    QTest::newRow("not an address") << "10.244.0.0/16"
                                    << "10.244.0" << false;
}

void TestCidr::containsAddresses()
{
    QFETCH(QString, cidr);
    QFETCH(QString, ip);
    QFETCH(bool, contained);
    QCOMPARE(Ipv4Subnet::parse(cidr)->contains(QStringView(ip)), contained);
}

void TestCidr::overlapsWhenEitherHoldsTheOther_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("overlap");

    QTest::newRow("same") << "10.244.0.0/16"
                          << "10.244.0.0/16" << true;
    QTest::newRow("inside") << "10.244.0.0/16"
                            << "10.244.8.0/24" << true;
    QTest::newRow("outside") << "10.244.8.0/24"
                             << "10.244.0.0/16" << true;
    QTest::newRow("adjacent") << "10.244.0.0/16"
                              << "10.245.0.0/16" << false;
    QTest::newRow("pod and service defaults") << "10.244.0.0/16"
                                              << "10.96.0.0/16" << false;
    QTest::newRow("kubeadm service /12 holds 10.100") << "10.96.0.0/12"
                                                      << "10.100.0.0/16" << true;
    QTest::newRow("kubeadm service /12 ends before 10.112") << "10.96.0.0/12"
                                                            << "10.112.0.0/16" << false;
    QTest::newRow("everything") << "0.0.0.0/0"
                                << "192.168.0.0/16" << true;
}

void TestCidr::overlapsWhenEitherHoldsTheOther()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, overlap);
    const Ipv4Subnet first = *Ipv4Subnet::parse(a);
    const Ipv4Subnet second = *Ipv4Subnet::parse(b);
    QCOMPARE(first.overlaps(second), overlap);
    QCOMPARE(second.overlaps(first), overlap);
}

void TestCidr::splitsIntoSmallerSubnets_data()
{
    QTest::addColumn<QString>("cidr");
    QTest::addColumn<int>("newPrefix");
    QTest::addColumn<quint64>("index");
    QTest::addColumn<QString>("expected"); // empty: no such subnet

    QTest::newRow("first node range") << "10.244.0.0/16" << 24 << quint64(0) << "10.244.0.0/24";
    QTest::newRow("fourth node range") << "10.244.0.0/16" << 24 << quint64(3) << "10.244.3.0/24";
    QTest::newRow("last node range") << "10.244.0.0/16" << 24 << quint64(255) << "10.244.255.0/24";
    QTest::newRow("past the end") << "10.244.0.0/16" << 24 << quint64(256) << "";
    QTest::newRow("same size") << "10.244.0.0/16" << 16 << quint64(0) << "10.244.0.0/16";
    QTest::newRow("same size, second") << "10.244.0.0/16" << 16 << quint64(1) << "";
    QTest::newRow("larger is refused") << "10.244.0.0/16" << 8 << quint64(0) << "";
    QTest::newRow("prefix over 32") << "10.244.0.0/16" << 33 << quint64(0) << "";
    QTest::newRow("host addresses") << "10.244.3.0/24" << 32 << quint64(9) << "10.244.3.9/32";
    QTest::newRow("from 10.0.0.0/8") << "10.0.0.0/8" << 16 << quint64(244) << "10.244.0.0/16";
}

void TestCidr::splitsIntoSmallerSubnets()
{
    QFETCH(QString, cidr);
    QFETCH(int, newPrefix);
    QFETCH(quint64, index);
    QFETCH(QString, expected);
    const auto part = Ipv4Subnet::parse(cidr)->subnet(newPrefix, index);
    QCOMPARE(part ? part->toString() : QString(), expected);
}

QTEST_APPLESS_MAIN(TestCidr)
#include "tst_cidr.moc"
