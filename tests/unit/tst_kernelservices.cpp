// The kernel fast path of the service proxy: the nft script it renders, and that script run by
// the real kernel in a network namespace of a child process, with connections through it.
#include "netnstesting.h"
#include "proxy/kernelservices.h"
#include "proxy/netlinkroutes.h"
#include "proxy/servicetable.h"

#include <QTest>

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace timonel;
using namespace Qt::StringLiterals;

namespace {

proxy::Backend backend(const QString &ip, quint16 port, bool ready = true)
{
    proxy::Backend b;
    b.ip = ip;
    b.port = port;
    b.ready = ready;
    b.serving = ready;
    return b;
}

proxy::Frontend frontend(const QString &name, const QString &clusterIP, quint16 port,
                         QList<proxy::Backend> backends, quint16 nodePort = 0)
{
    proxy::Frontend f;
    f.ns = u"shop"_s;
    f.name = name;
    f.clusterIPs = {clusterIP};
    f.port = port;
    f.nodePort = nodePort;
    f.backends = std::move(backends);
    return f;
}

// web: two endpoints and a NodePort; db: one; the rest stay with the proxy's listeners.
QList<proxy::Frontend> sampleFrontends()
{
    proxy::Frontend dns = frontend(u"dns"_s, u"10.96.0.53"_s, 53, {backend(u"10.244.0.9"_s, 53)});
    dns.protocol = proxy::Protocol::Udp;
    proxy::Frontend sticky =
        frontend(u"sticky"_s, u"10.96.0.60"_s, 80, {backend(u"10.244.0.9"_s, 80)});
    sticky.affinitySeconds = 10800;
    return {
        frontend(u"web"_s, u"10.96.0.50"_s, 80,
                 {backend(u"10.244.0.7"_s, 8080), backend(u"10.244.0.8"_s, 8080),
                  backend(u"10.244.0.6"_s, 8080, false)},
                 30080),
        dns,
        sticky,
        frontend(u"idle"_s, u"10.96.0.61"_s, 80, {backend(u"10.244.0.5"_s, 80, false)}),
        frontend(u"db"_s, u"10.96.0.40"_s, 5432, {backend(u"10.244.0.4"_s, 5432)}),
    };
}

} // namespace

class TestKernelServices : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void onlyTcpWithoutAffinityAndWithAnEndpointGoesToTheKernel()
    {
        const QList<proxy::Frontend> all = sampleFrontends();
        QList<bool> served;
        for (const proxy::Frontend &f : all)
            served.append(proxy::servedByKernel(f));
        QCOMPARE(served, (QList<bool>{true, false, false, false, true}));

        // A port whose only endpoints are terminating but serving is still served (kube-proxy's
        // fallback), by them.
        proxy::Backend leaving = backend(u"10.244.0.3"_s, 80, false);
        leaving.serving = true;
        leaving.terminating = true;
        QVERIFY(proxy::servedByKernel(frontend(u"old"_s, u"10.96.0.62"_s, 80, {leaving})));
    }

    void theScriptReplacesTheTableWithOneChainPerServicePort()
    {
        const QString script = proxy::kernelServicesScript(
            sampleFrontends(), {QHostAddress(u"10.245.0.3"_s), QHostAddress(u"fd00::3"_s)});
        // Written out by hand from kube-proxy's nftables design, trimmed to what we need.
        const QString expected = uR"(add table ip timonel
delete table ip timonel
table ip timonel {
	map services {
		type ipv4_addr . inet_proto . inet_service : verdict
		elements = { 10.245.0.3 . tcp . 30080 : goto svc-1,
			10.96.0.40 . tcp . 5432 : goto svc-0,
			10.96.0.50 . tcp . 80 : goto svc-1 }
	}
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr . meta l4proto . th dport vmap @services
	}
	chain output {
		type nat hook output priority -100; policy accept;
		ip daddr . meta l4proto . th dport vmap @services
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		meta mark & 0x4000 != 0 oifname != "lo" masquerade
	}
	chain svc-0 {
		comment "shop/db"
		meta mark set meta mark | 0x4000
		meta l4proto tcp dnat to 10.244.0.4:5432
	}
	chain svc-1 {
		comment "shop/web"
		meta mark set meta mark | 0x4000
		numgen inc mod 2 vmap { 0 : goto svc-1-0, 1 : goto svc-1-1 }
	}
	chain svc-1-0 {
		meta l4proto tcp dnat to 10.244.0.7:8080
	}
	chain svc-1-1 {
		meta l4proto tcp dnat to 10.244.0.8:8080
	}
}
)"_s;
        QCOMPARE(script, expected);

        // The same services in another order give the same text, so nothing is re-applied.
        QList<proxy::Frontend> reversed = sampleFrontends();
        std::ranges::reverse(reversed);
        QCOMPARE(proxy::kernelServicesScript(reversed, {QHostAddress(u"10.245.0.3"_s)}), expected);
    }

    void withNothingToServeTheTableStaysWithAnEmptyMap()
    {
        const QString script = proxy::kernelServicesScript({}, {});
        QVERIFY(script.contains(u"\tmap services {\n\t\ttype ipv4_addr . inet_proto . "
                                u"inet_service : verdict\n\t}\n"_s));
        QVERIFY(!script.contains(u"elements"_s));
        QVERIFY(!script.contains(u"chain svc-"_s));
    }

    void theKernelForwardsThroughTheTableInANetworkNamespace()
    {
        test::verifyNetnsChild(u"TST_KERNELSERVICES_NETNS_CHILD"_s);
    }
};

// The child of theKernelForwardsThroughTheTableInANetworkNamespace. Two endpoints listen on
// loopback addresses; the ClusterIP and a NodePort lead to them, in turn; then the table goes
// and the ClusterIP is refused. (Everything stays on lo here, so nothing is masqueraded: the
// e2e tests cover that, between pods and nodes.) Plain sockets: connect() to a listening
// socket completes without accept(), so one thread can count where each connection went.
static int netnsChild()
{
    const auto fail = test::netnsChildFails;
    if (auto entered = test::enterNetworkNamespace(); !entered)
        return fail(entered.error());
    if (auto routed = proxy::addLocalRoute(u"10.96.0.0/16"_s); !routed)
        return fail(routed.error());

    auto address = [](const char *ip, quint16 port) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        ::inet_pton(AF_INET, ip, &a.sin_addr);
        return a;
    };
    auto listening = [&](const char *ip, quint16 port) {
        const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        const sockaddr_in a = address(ip, port);
        const bool ok = ::bind(s, reinterpret_cast<const sockaddr *>(&a), sizeof a) == 0 &&
                        ::listen(s, 16) == 0;
        return ok ? s : -1;
    };
    auto accepted = [](int listener) {
        int count = 0;
        for (int c; (c = ::accept(listener, nullptr, nullptr)) >= 0; ++count)
            ::close(c);
        return count;
    };
    // 0 when connected, else errno.
    auto connectTo = [&](const char *ip, quint16 port) {
        const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const sockaddr_in a = address(ip, port);
        const int result =
            ::connect(s, reinterpret_cast<const sockaddr *>(&a), sizeof a) == 0 ? 0 : errno;
        ::close(s);
        return result;
    };

    const int first = listening("127.0.0.7", 8080);
    const int second = listening("127.0.0.8", 8080);
    if (first < 0 || second < 0)
        return fail(u"cannot listen on the endpoints' addresses"_s);
    const QList<proxy::Frontend> frontends{
        frontend(u"web"_s, u"10.96.0.50"_s, 80,
                 {backend(u"127.0.0.7"_s, 8080), backend(u"127.0.0.8"_s, 8080)}, 30080)};

    proxy::Nftables nft;
    for (int round = 0; round < 2; ++round) // replacing the table works as creating it
        if (auto applied =
                nft.run(proxy::kernelServicesScript(frontends, {QHostAddress(u"127.0.0.3"_s)}));
            !applied)
            return fail(u"the kernel refused the script: "_s + applied.error());

    for (int i = 0; i < 4; ++i)
        if (const int error = connectTo("10.96.0.50", 80); error != 0)
            return fail(u"connecting to the ClusterIP: "_s +
                        QString::fromLocal8Bit(strerror(error)));
    if (const int error = connectTo("127.0.0.3", 30080); error != 0)
        return fail(u"connecting to the NodePort: "_s + QString::fromLocal8Bit(strerror(error)));
    const int toFirst = accepted(first);
    const int toSecond = accepted(second);
    // In turn: 3 and 2, whichever endpoint the counter started with.
    if (toFirst + toSecond != 5 || std::abs(toFirst - toSecond) != 1)
        return fail(
            u"connections went %1 to the first endpoint, %2 to the second"_s.arg(toFirst).arg(
                toSecond));

    if (auto applied = nft.run(proxy::kernelServicesScript({}, {})); !applied)
        return fail(u"the kernel refused the empty table: "_s + applied.error());
    if (connectTo("10.96.0.50", 80) != ECONNREFUSED)
        return fail(u"a service without rules was still forwarded"_s);
    for (int round = 0; round < 2; ++round) // removing what is gone is no error
        if (auto removed = nft.run(proxy::removeKernelServicesScript()); !removed)
            return fail(u"cannot remove the table: "_s + removed.error());
    if (auto bad = nft.run(u"table ip timonel { chain broken { dnat to nowhere } }"_s); bad)
        return fail(u"a broken script was accepted"_s);
    std::fputs("ok\n", stdout);
    return 0;
}

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsSet("TST_KERNELSERVICES_NETNS_CHILD"))
        return netnsChild();
    QCoreApplication app(argc, argv);
    TestKernelServices test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "tst_kernelservices.moc"
