// A pod's resolv.conf from its dnsPolicy and dnsConfig, as the kubelet writes it.
#include "kubelet/poddns.h"

#include <QJsonDocument>
#include <QTest>

using namespace timonel::kubelet;
using namespace Qt::StringLiterals;

class TestPodDns : public QObject
{
    Q_OBJECT

    static ClusterDnsConfig config()
    {
        ClusterDnsConfig c;
        c.nameserver = u"10.96.0.10"_s;
        c.node = ResolvConf::parse(
            u"# Docker's\nnameserver 127.0.0.11\nsearch lan\noptions ndots:0\n"_s);
        return c;
    }

private Q_SLOTS:
    void nodeResolvConfIsParsed()
    {
        const ResolvConf conf = ResolvConf::parse(
            u"domain old\nsearch a.example b.example\nnameserver 1.1.1.1\nnameserver 8.8.8.8 # x\n"
            "options ndots:2 rotate\n"_s);
        QCOMPARE(conf.nameservers, (QStringList{u"1.1.1.1"_s, u"8.8.8.8"_s}));
        QCOMPARE(conf.searches, (QStringList{u"a.example"_s, u"b.example"_s}));
        QCOMPARE(conf.toString(), u"search a.example b.example\nnameserver 1.1.1.1\n"
                                  "nameserver 8.8.8.8\noptions ndots:2 rotate\n"_s);
    }

    void policies_data()
    {
        QTest::addColumn<QByteArray>("spec");
        QTest::addColumn<QString>("expected");
        const QString cluster =
            u"search web.svc.cluster.local svc.cluster.local cluster.local lan\n"
            "nameserver 10.96.0.10\noptions ndots:5\n"_s;
        const QString node = u"search lan\nnameserver 127.0.0.11\noptions ndots:0\n"_s;
        QTest::newRow("ClusterFirst is the default") << QByteArray("{}") << cluster;
        QTest::newRow("ClusterFirst") << QByteArray(R"({"dnsPolicy":"ClusterFirst"})") << cluster;
        QTest::newRow("Default is the node's") << QByteArray(R"({"dnsPolicy":"Default"})") << node;
        QTest::newRow("hostNetwork under ClusterFirst gets the node's")
            << QByteArray(R"({"hostNetwork":true})") << node;
        QTest::newRow("ClusterFirstWithHostNet")
            << QByteArray(R"({"hostNetwork":true,"dnsPolicy":"ClusterFirstWithHostNet"})")
            << cluster;
        QTest::newRow("None takes dnsConfig alone")
            << QByteArray(R"({"dnsPolicy":"None","dnsConfig":{"nameservers":["1.2.3.4"],)"
                          R"("searches":["ns1.svc.cluster-domain.example"],)"
                          R"("options":[{"name":"ndots","value":"2"},{"name":"edns0"}]}})")
            << u"search ns1.svc.cluster-domain.example\nnameserver 1.2.3.4\n"
               "options ndots:2 edns0\n"_s;
        QTest::newRow("dnsConfig is merged, options replaced by name")
            << QByteArray(
                   R"({"dnsConfig":{"nameservers":["10.96.0.10","1.2.3.4"],)"
                   R"("searches":["lan","extra"],"options":[{"name":"ndots","value":"1"}]}})")
            << u"search web.svc.cluster.local svc.cluster.local cluster.local lan extra\n"
               "nameserver 10.96.0.10\nnameserver 1.2.3.4\noptions ndots:1\n"_s;
        QTest::newRow("at most 3 nameservers")
            << QByteArray(R"({"dnsPolicy":"None","dnsConfig":{"nameservers":)"
                          R"(["1.1.1.1","2.2.2.2","3.3.3.3","4.4.4.4"]}})")
            << u"nameserver 1.1.1.1\nnameserver 2.2.2.2\nnameserver 3.3.3.3\n"_s;
    }

    void policies()
    {
        QFETCH(QByteArray, spec);
        QFETCH(QString, expected);
        const QJsonObject pod{{u"metadata"_s, QJsonObject{{u"namespace"_s, u"web"_s}}},
                              {u"spec"_s, QJsonDocument::fromJson(spec).object()}};
        QCOMPARE(podResolvConf(pod, config()).toString(), expected);
    }

    void withoutClusterDnsEveryPolicyGetsTheNodes()
    {
        ClusterDnsConfig c = config();
        c.nameserver.clear();
        const QJsonObject pod{{u"metadata"_s, QJsonObject{{u"namespace"_s, u"web"_s}}},
                              {u"spec"_s, QJsonObject{}}};
        QCOMPARE(podResolvConf(pod, c).toString(),
                 u"search lan\nnameserver 127.0.0.11\noptions ndots:0\n"_s);
    }
};

QTEST_GUILESS_MAIN(TestPodDns)
#include "tst_poddns.moc"
