// The service proxy: the frontend table computed from Services and EndpointSlices (tables of
// cases), the backend picker, and the proxy itself against the in-process API server with
// echo servers on loopback as endpoints. The service subnet is inside 127.0.0.0/8, which is
// local on Linux as a whole, so ClusterIPs are bindable without a route. The rtnetlink routes
// are checked in a throwaway network namespace.
#include "apiserver/apiserver.h"
#include "apiserver/inprocessclient.h"
#include "apiservertesting.h"
#include "netnstesting.h"
#include "proxy/netlinkroutes.h"
#include "proxy/serviceproxy.h"
#include "proxy/servicetable.h"
#include "proxy/udpforwarder.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkDatagram>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUdpSocket>

#include <arpa/inet.h>
#include <cstdio>
#include <cstring>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace timonel;
using namespace Qt::StringLiterals;

namespace {

const client::Resource kServices{QString(), u"v1"_s, u"services"_s};
const client::Resource kSlices{u"discovery.k8s.io"_s, u"v1"_s, u"endpointslices"_s};

QJsonArray jsonArray(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).array();
}

// A frontend in one line, for tables: "TCP 10.96.0.10:80 node 0 default/web:http affinity 0 ->
// 10.244.0.5:8080 rs-" (flags: ready, serving, terminating).
QString summary(const proxy::Frontend &f)
{
    QStringList backends;
    for (const proxy::Backend &b : f.backends)
        backends.append(u"%1:%2 %3"_s.arg(b.ip).arg(b.port).arg(
            QString::fromLatin1(b.ready ? "r" : "-") + QLatin1StringView(b.serving ? "s" : "-") +
            QLatin1StringView(b.terminating ? "t" : "-")));
    return u"%1 %2:%3 node %4 %5 affinity %6 -> %7"_s
        .arg(proxy::protocolName(f.protocol), f.clusterIPs.join(u','))
        .arg(f.port)
        .arg(f.nodePort)
        .arg(f.displayName())
        .arg(f.affinitySeconds)
        .arg(backends.join(u", "));
}

using test::await;

// A TCP endpoint that names itself: a line gets "<name>\n" back; at the end of the client's
// stream it answers "<name>:<everything received>\n" and closes, so a half-close must arrive
// as one for the answer to come. Raw sockets: QTcpSocket would close on the half-close.
class EchoServer : public QTcpServer
{
public:
    EchoServer(QString name, const QHostAddress &address, quint16 port = 0)
        : m_name(std::move(name))
    {
        if (!listen(address, port))
            qWarning() << "echo server cannot listen:" << errorString();
    }
    ~EchoServer() override
    {
        for (auto it = m_connections.begin(); it != m_connections.end(); ++it) {
            delete it.key();
            ::close(int(it.key()->socket()));
        }
    }
    int accepted = 0;

protected:
    void incomingConnection(qintptr descriptor) override
    {
        ++accepted;
        auto *notifier = new QSocketNotifier(descriptor, QSocketNotifier::Read);
        m_connections.insert(notifier, {});
        connect(notifier, &QSocketNotifier::activated, this, [this, notifier] {
            const int fd = int(notifier->socket());
            char buffer[4096];
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
            if (n < 0)
                return;
            if (n > 0) {
                m_connections[notifier].append(buffer, n);
                if (buffer[n - 1] == '\n')
                    reply(fd, m_name.toUtf8() + '\n');
                return;
            }
            reply(fd, m_name.toUtf8() + ':' + m_connections.take(notifier) + '\n');
            notifier->setEnabled(false);
            notifier->deleteLater();
            ::close(fd);
        });
    }

private:
    static void reply(int fd, const QByteArray &data)
    {
        ::send(fd, data.constData(), size_t(data.size()), MSG_NOSIGNAL);
    }

    QString m_name;
    QHash<QSocketNotifier *, QByteArray> m_connections;
};

class UdpEcho : public QUdpSocket
{
public:
    UdpEcho(QString name, const QHostAddress &address, quint16 port = 0) : m_name(std::move(name))
    {
        if (!bind(address, port))
            qWarning() << "UDP echo cannot bind:" << errorString();
        connect(this, &QUdpSocket::readyRead, this, [this] {
            while (hasPendingDatagrams()) {
                const QNetworkDatagram d = receiveDatagram();
                writeDatagram(m_name.toUtf8() + ':' + d.data(), d.senderAddress(),
                              quint16(d.senderPort()));
            }
        });
    }

private:
    QString m_name;
};

// Connects (from `from` when given), sends a line and returns the answer line without its
// newline, or "(closed)" / "(error)" / "(timeout)".
QString ask(const QHostAddress &to, quint16 port, const QHostAddress &from = {})
{
    QTcpSocket socket;
    if (!from.isNull() && !socket.bind(from, 0))
        return u"(bind)"_s;
    QEventLoop loop;
    QObject::connect(&socket, &QTcpSocket::connected, &socket, [&] { socket.write("hello\n"); });
    QObject::connect(&socket, &QTcpSocket::readyRead, &loop, [&] {
        if (socket.canReadLine())
            loop.quit();
    });
    QObject::connect(&socket, &QTcpSocket::disconnected, &loop, &QEventLoop::quit);
    QObject::connect(&socket, &QTcpSocket::errorOccurred, &loop, &QEventLoop::quit);
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    socket.connectToHost(to, port);
    loop.exec();
    if (socket.canReadLine())
        return QString::fromUtf8(socket.readLine()).trimmed();
    if (socket.state() == QAbstractSocket::ConnectedState)
        return u"(timeout)"_s;
    return socket.error() == QAbstractSocket::RemoteHostClosedError ? u"(closed)"_s : u"(error)"_s;
}

// Which backends answered `count` connections, by name.
QMap<QString, int> spread(const QHostAddress &to, quint16 port, int count,
                          const QHostAddress &from = {})
{
    QMap<QString, int> answers;
    for (int i = 0; i < count; ++i)
        answers[ask(to, port, from)] += 1;
    return answers;
}

QJsonObject endpoint(const QHostAddress &ip, bool ready, bool serving = true,
                     bool terminating = false)
{
    return QJsonObject{{u"addresses"_s, QJsonArray{ip.toString()}},
                       {u"conditions"_s, QJsonObject{{u"ready"_s, ready},
                                                     {u"serving"_s, serving},
                                                     {u"terminating"_s, terminating}}}};
}

QJsonObject slice(const QString &name, const QString &service, const QJsonArray &endpoints,
                  const QJsonArray &ports)
{
    return QJsonObject{
        {u"apiVersion"_s, u"discovery.k8s.io/v1"_s},
        {u"kind"_s, u"EndpointSlice"_s},
        {u"metadata"_s,
         QJsonObject{{u"name"_s, name},
                     {u"namespace"_s, u"default"_s},
                     {u"labels"_s, QJsonObject{{u"kubernetes.io/service-name"_s, service}}}}},
        {u"addressType"_s, u"IPv4"_s},
        {u"endpoints"_s, endpoints},
        {u"ports"_s, ports}};
}

QJsonObject slicePort(const QString &name, quint16 port, const QString &protocol = u"TCP"_s)
{
    return QJsonObject{{u"name"_s, name}, {u"port"_s, port}, {u"protocol"_s, protocol}};
}

QJsonObject service(const QString &name, const QJsonArray &ports,
                    const QString &type = u"ClusterIP"_s, int affinitySeconds = 0)
{
    QJsonObject spec{{u"type"_s, type}, {u"ports"_s, ports}};
    if (affinitySeconds > 0) {
        spec.insert(u"sessionAffinity"_s, u"ClientIP"_s);
        spec.insert(
            u"sessionAffinityConfig"_s,
            QJsonObject{{u"clientIP"_s, QJsonObject{{u"timeoutSeconds"_s, affinitySeconds}}}});
    }
    return QJsonObject{
        {u"apiVersion"_s, u"v1"_s},
        {u"kind"_s, u"Service"_s},
        {u"metadata"_s, QJsonObject{{u"name"_s, name}, {u"namespace"_s, u"default"_s}}},
        {u"spec"_s, spec}};
}

QJsonObject servicePort(const QString &name, int port, const QJsonValue &targetPort,
                        const QString &protocol = u"TCP"_s)
{
    return QJsonObject{{u"name"_s, name},
                       {u"port"_s, port},
                       {u"targetPort"_s, targetPort},
                       {u"protocol"_s, protocol}};
}

} // namespace

class TestServiceProxy : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<apiserver::ApiServer> m_server;
    std::unique_ptr<apiserver::InProcessClient> m_api;
    std::unique_ptr<proxy::ServiceProxy> m_proxy;
    const QHostAddress m_nodeAddress{u"127.0.0.5"_s};

    client::Result<QJsonObject> create(const client::Resource &r, const QJsonObject &object)
    {
        return await<QJsonObject>(
            [&](auto done) { m_api->create(r, u"default"_s, object, {}, done); });
    }
    client::Result<QJsonObject> replace(const client::Resource &r, const QString &name,
                                        const QJsonObject &patch)
    {
        return await<QJsonObject>([&](auto done) {
            m_api->patch(r, u"default"_s, name, client::PatchType::Merge,
                         QJsonDocument(patch).toJson(QJsonDocument::Compact), {}, {}, done);
        });
    }
    client::Result<QJsonObject> remove(const client::Resource &r, const QString &name)
    {
        return await<QJsonObject>(
            [&](auto done) { m_api->remove(r, u"default"_s, name, {}, done); });
    }

    // The usable backends the proxy has for a service port.
    int usableCount(const QString &service, const QString &portName = {})
    {
        for (const proxy::Frontend &f : m_proxy->frontends())
            if (f.name == service && f.portName == portName)
                return int(proxy::usableBackends(f.backends).size());
        return -1;
    }

    // Creates the service, waits for its ClusterIP listener; returns the ClusterIP.
    QHostAddress createService(const QJsonObject &object)
    {
        const auto created = create(kServices, object);
        if (!created) {
            qWarning() << created.error().message;
            return {};
        }
        return QHostAddress(created->value(u"spec").toObject().value(u"clusterIP").toString());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        apiserver::ClusterNetwork network;
        network.serviceSubnet = u"127.96.0.0/16"_s;
        auto started = test::startTestApiServer(m_dir.path(), network);
        QVERIFY2(started, qPrintable(started ? QString() : started.error()));
        m_server = std::move(*started);
        m_api = std::make_unique<apiserver::InProcessClient>(m_server->store());
        QTRY_VERIFY_WITH_TIMEOUT(
            await<QJsonObject>([&](auto done) {
                m_api->get({QString(), u"v1"_s, u"namespaces"_s}, {}, u"default"_s, done);
            }).has_value(),
            10000);
        proxy::ServiceProxyOptions proxyOptions;
        proxyOptions.nodeAddresses = {m_nodeAddress};
        proxyOptions.coalesce = std::chrono::milliseconds(20);
        proxyOptions.bindRetry = std::chrono::milliseconds(200);
        m_proxy = std::make_unique<proxy::ServiceProxy>(*m_api, proxyOptions);
        m_proxy->start();
    }

    void cleanupTestCase()
    {
        m_proxy.reset();
        m_api.reset();
        m_server.reset();
    }

    // --- the table ---

    void frontendsFromServicesAndSlices_data()
    {
        QTest::addColumn<QJsonArray>("services");
        QTest::addColumn<QJsonArray>("slices");
        QTest::addColumn<QStringList>("expected");

        const char *web = R"([{"metadata":{"namespace":"default","name":"web"},
            "spec":{"type":"ClusterIP","clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10"],
                    "ports":[{"name":"http","port":80,"targetPort":"web","protocol":"TCP"}]}}])";
        QTest::newRow("conditions as the slice says, unknown ready counts as ready")
            << jsonArray(web) << jsonArray(R"([{"metadata":{"namespace":"default","name":"web-1",
                  "labels":{"kubernetes.io/service-name":"web"}},"addressType":"IPv4",
                  "ports":[{"name":"http","port":8080,"protocol":"TCP"}],
                  "endpoints":[{"addresses":["10.244.0.5"],"conditions":{"ready":true}},
                               {"addresses":["10.244.0.6"],"conditions":{"ready":false,"serving":false}},
                               {"addresses":["10.244.0.7"],"conditions":{"ready":false,"serving":true,"terminating":true}},
                               {"addresses":["10.244.0.8"]}]}])")
            << QStringList{u"TCP 10.96.0.10:80 node 0 default/web:http affinity 0 -> "
                           "10.244.0.5:8080 rs-, 10.244.0.6:8080 ---, 10.244.0.7:8080 -st, "
                           "10.244.0.8:8080 rs-"_s};
        QTest::newRow("slices of another service or namespace, FQDN slices ignored")
            << jsonArray(web) << jsonArray(R"([{"metadata":{"namespace":"other","name":"web-1",
                  "labels":{"kubernetes.io/service-name":"web"}},"addressType":"IPv4",
                  "ports":[{"name":"http","port":8080}],"endpoints":[{"addresses":["10.244.1.1"]}]},
                 {"metadata":{"namespace":"default","name":"api-1",
                  "labels":{"kubernetes.io/service-name":"api"}},"addressType":"IPv4",
                  "ports":[{"name":"http","port":8080}],"endpoints":[{"addresses":["10.244.1.2"]}]},
                 {"metadata":{"namespace":"default","name":"web-f",
                  "labels":{"kubernetes.io/service-name":"web"}},"addressType":"FQDN",
                  "ports":[{"name":"http","port":8080}],"endpoints":[{"addresses":["x.example"]}]}])")
            << QStringList{u"TCP 10.96.0.10:80 node 0 default/web:http affinity 0 -> "_s};
        QTest::newRow("an endpoint in two slices counts once")
            << jsonArray(web) << jsonArray(R"([{"metadata":{"namespace":"default","name":"web-1",
                  "labels":{"kubernetes.io/service-name":"web"}},"addressType":"IPv4",
                  "ports":[{"name":"http","port":8080}],"endpoints":[{"addresses":["10.244.0.5"]}]},
                 {"metadata":{"namespace":"default","name":"web-2",
                  "labels":{"kubernetes.io/service-name":"web"}},"addressType":"IPv4",
                  "ports":[{"name":"http","port":8080}],
                  "endpoints":[{"addresses":["10.244.0.5"]},{"addresses":["10.244.0.9"]}]}])")
            << QStringList{u"TCP 10.96.0.10:80 node 0 default/web:http affinity 0 -> "
                           "10.244.0.5:8080 rs-, 10.244.0.9:8080 rs-"_s};
        QTest::newRow("ports matched by name; each its own target port")
            << jsonArray(R"([{"metadata":{"namespace":"default","name":"app"},
                  "spec":{"type":"NodePort","clusterIP":"10.96.0.11","clusterIPs":["10.96.0.11"],
                  "ports":[{"name":"http","port":80,"targetPort":8080,"nodePort":30080},
                           {"name":"metrics","port":9000,"targetPort":"prom","nodePort":30900}]}}])")
            << jsonArray(R"([{"metadata":{"namespace":"default","name":"app-1",
                  "labels":{"kubernetes.io/service-name":"app"}},"addressType":"IPv4",
                  "ports":[{"name":"metrics","port":9100,"protocol":"TCP"},
                           {"name":"http","port":8080,"protocol":"TCP"}],
                  "endpoints":[{"addresses":["10.244.0.5"]}]}])")
            << QStringList{u"TCP 10.96.0.11:80 node 30080 default/app:http affinity 0 -> "
                           "10.244.0.5:8080 rs-"_s,
                           u"TCP 10.96.0.11:9000 node 30900 default/app:metrics affinity 0 -> "
                           "10.244.0.5:9100 rs-"_s};
        QTest::newRow("same port name, other protocol does not match; SCTP skipped")
            << jsonArray(R"([{"metadata":{"namespace":"default","name":"dns"},
                  "spec":{"clusterIP":"10.96.0.12","clusterIPs":["10.96.0.12"],
                  "ports":[{"name":"dns","port":53,"protocol":"UDP"},
                           {"name":"dns-tcp","port":53,"protocol":"TCP"},
                           {"name":"sig","port":99,"protocol":"SCTP"}]}}])")
            << jsonArray(R"([{"metadata":{"namespace":"default","name":"dns-1",
                  "labels":{"kubernetes.io/service-name":"dns"}},"addressType":"IPv4",
                  "ports":[{"name":"dns","port":5353,"protocol":"UDP"},
                           {"name":"dns-tcp","port":5353,"protocol":"UDP"}],
                  "endpoints":[{"addresses":["10.244.0.5"]}]}])")
            << QStringList{u"UDP 10.96.0.12:53 node 0 default/dns:dns affinity 0 -> "
                           "10.244.0.5:5353 rs-"_s,
                           u"TCP 10.96.0.12:53 node 0 default/dns:dns-tcp affinity 0 -> "_s};
        QTest::newRow("headless and ExternalName have no frontends")
            << jsonArray(R"([{"metadata":{"namespace":"default","name":"db"},
                  "spec":{"clusterIP":"None","clusterIPs":["None"],"ports":[{"port":5432}]}},
                 {"metadata":{"namespace":"default","name":"ext"},
                  "spec":{"type":"ExternalName","externalName":"example.com","ports":[{"port":80}]}}])")
            << jsonArray(R"([{"metadata":{"namespace":"default","name":"db-1",
                  "labels":{"kubernetes.io/service-name":"db"}},"addressType":"IPv4",
                  "ports":[{"port":5432}],"endpoints":[{"addresses":["10.244.0.5"]}]}])")
            << QStringList{};
        QTest::newRow("unnamed port, dual stack, ClientIP affinity with the default timeout")
            << jsonArray(R"([{"metadata":{"namespace":"default","name":"one"},
                  "spec":{"clusterIP":"10.96.0.13","clusterIPs":["10.96.0.13","fd00::13"],
                  "sessionAffinity":"ClientIP","ports":[{"port":80,"protocol":"TCP"}]}}])")
            << jsonArray(R"([{"metadata":{"namespace":"default","name":"one-1",
                  "labels":{"kubernetes.io/service-name":"one"}},"addressType":"IPv4",
                  "ports":[{"port":8080,"protocol":"TCP"}],"endpoints":[{"addresses":["10.244.0.5","10.244.0.55"]}]}])")
            << QStringList{u"TCP 10.96.0.13,fd00::13:80 node 0 default/one affinity 10800 -> "
                           "10.244.0.5:8080 rs-"_s};
        QTest::newRow("ClientIP affinity with its own timeout")
            << jsonArray(R"([{"metadata":{"namespace":"default","name":"sticky"},
                  "spec":{"clusterIP":"10.96.0.14","clusterIPs":["10.96.0.14"],
                  "sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":60}},
                  "ports":[{"port":80}]}}])")
            << QJsonArray()
            << QStringList{u"TCP 10.96.0.14:80 node 0 default/sticky affinity 60 -> "_s};
    }

    void frontendsFromServicesAndSlices()
    {
        QFETCH(QJsonArray, services);
        QFETCH(QJsonArray, slices);
        QFETCH(QStringList, expected);
        QList<QJsonObject> s;
        for (const QJsonValue &v : services)
            s.append(v.toObject());
        QList<QJsonObject> e;
        for (const QJsonValue &v : slices)
            e.append(v.toObject());
        QStringList actual;
        for (const proxy::Frontend &f : proxy::computeFrontends(s, e))
            actual.append(summary(f));
        QCOMPARE(actual, expected);
    }

    void usableBackendsAreReadyOnesElseServingTerminating_data()
    {
        QTest::addColumn<QList<proxy::Backend>>("backends");
        QTest::addColumn<QStringList>("expected");
        auto b = [](const char *ip, bool ready, bool serving, bool terminating) {
            return proxy::Backend{QString::fromLatin1(ip), 80, ready, serving, terminating};
        };
        QTest::newRow("ready ones only")
            << QList{b("a", true, true, false), b("b", false, false, false),
                     b("c", false, true, true), b("d", true, true, false)}
            << QStringList{u"a"_s, u"d"_s};
        QTest::newRow("none ready: serving and terminating")
            << QList{b("a", false, false, false), b("b", false, true, true),
                     b("c", false, false, true), b("d", false, true, false)}
            << QStringList{u"b"_s};
        QTest::newRow("nothing usable") << QList{b("a", false, false, true)} << QStringList{};
    }

    void usableBackendsAreReadyOnesElseServingTerminating()
    {
        QFETCH(QList<proxy::Backend>, backends);
        QFETCH(QStringList, expected);
        QStringList actual;
        for (const proxy::Backend &b : proxy::usableBackends(backends))
            actual.append(b.ip);
        QCOMPARE(actual, expected);
    }

    void pickerRoundRobinsAndPinsClientsUntilTheTimeout()
    {
        using namespace std::chrono_literals;
        const proxy::Backend a{u"10.0.0.1"_s, 80, true, true, false};
        const proxy::Backend b{u"10.0.0.2"_s, 80, true, true, false};
        const proxy::Backend c{u"10.0.0.3"_s, 80, true, true, false};
        const QHostAddress client(u"10.1.0.1"_s);
        const auto t0 = proxy::BackendPicker::Clock::time_point{} + 1h;

        proxy::BackendPicker picker;
        QCOMPARE(picker.pick(client, t0), std::nullopt);
        picker.setBackends({a, b, c}, 0);
        QList<proxy::Backend> order;
        for (int i = 0; i < 6; ++i)
            order.append(*picker.pick(client, t0));
        QCOMPARE(order, (QList{a, b, c, a, b, c}));
        // A failed backend is passed over when there is another.
        QCOMPARE(*picker.pick(client, t0, a), b);

        picker.setBackends({a, b, c}, 10);
        const proxy::Backend pinned = *picker.pick(client, t0);
        for (int i = 1; i <= 5; ++i) // each use renews the pin
            QCOMPARE(*picker.pick(client, t0 + std::chrono::seconds(i * 9)), pinned);
        QVERIFY(*picker.pick(QHostAddress(u"10.1.0.2"_s), t0) != pinned);
        // Quiet for longer than the timeout: chosen afresh (round robin moves on).
        QVERIFY(*picker.pick(client, t0 + 100s) != pinned);
        // The pinned backend is gone: the client moves to one that is there.
        const proxy::Backend now = *picker.pick(client, t0 + 101s);
        picker.setBackends(now == a ? QList{b, c} : QList{a}, 10);
        QVERIFY(*picker.pick(client, t0 + 102s) != now);
    }

    // --- the proxy ---

    void clusterIpReachesOnlyReadyEndpointsAndSpreads()
    {
        // Endpoints on their own addresses at one port number, as pods are.
        EchoServer one(u"one"_s, QHostAddress(u"127.0.1.1"_s));
        QVERIFY(one.isListening());
        const quint16 target = one.serverPort();
        EchoServer two(u"two"_s, QHostAddress(u"127.0.1.2"_s), target);
        EchoServer unready(u"unready"_s, QHostAddress(u"127.0.1.3"_s), target);
        QVERIFY(two.isListening() && unready.isListening());
        const QHostAddress ip =
            createService(service(u"spread"_s, {servicePort(u"http"_s, 80, u"web"_s)}));
        QVERIFY(!ip.isNull());
        QVERIFY(create(kSlices, slice(u"spread-1"_s, u"spread"_s,
                                      {endpoint(one.serverAddress(), true),
                                       endpoint(two.serverAddress(), true),
                                       endpoint(unready.serverAddress(), false, false)},
                                      {slicePort(u"http"_s, target)})));
        QTRY_VERIFY_WITH_TIMEOUT(m_proxy->isListening(proxy::Protocol::Tcp, ip, 80), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(usableCount(u"spread"_s, u"http"_s), 2, 5000);

        QCOMPARE(spread(ip, 80, 8), (QMap<QString, int>{{u"one"_s, 4}, {u"two"_s, 4}}));
        QCOMPARE(unready.accepted, 0);
    }

    void removedEndpointGetsNoNewConnectionsButKeepsOpenOnes()
    {
        EchoServer one(u"one"_s, QHostAddress(u"127.0.1.11"_s));
        QVERIFY(one.isListening());
        const quint16 target = one.serverPort();
        EchoServer two(u"two"_s, QHostAddress(u"127.0.1.12"_s), target);
        QVERIFY(two.isListening());
        const QHostAddress ip = createService(service(u"shrink"_s, {servicePort(u""_s, 80, 80)}));
        QVERIFY(!ip.isNull());
        QVERIFY(create(kSlices, slice(u"shrink-1"_s, u"shrink"_s,
                                      {endpoint(one.serverAddress(), true),
                                       endpoint(two.serverAddress(), true)},
                                      {slicePort(u""_s, target)})));
        QTRY_COMPARE_WITH_TIMEOUT(usableCount(u"shrink"_s), 2, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(m_proxy->isListening(proxy::Protocol::Tcp, ip, 80), 5000);

        // The first connection goes to "one" (round robin starts at the first endpoint).
        QTcpSocket open;
        open.connectToHost(ip, 80);
        open.write("first\n");
        QTRY_VERIFY_WITH_TIMEOUT(open.canReadLine(), 5000);
        QCOMPARE(open.readLine(), QByteArray("one\n"));

        QVERIFY(replace(
            kSlices, u"shrink-1"_s,
            QJsonObject{{u"endpoints"_s, QJsonArray{endpoint(two.serverAddress(), true)}}}));
        QTRY_COMPARE_WITH_TIMEOUT(usableCount(u"shrink"_s), 1, 5000);
        const int before = one.accepted;
        QCOMPARE(spread(ip, 80, 4), (QMap<QString, int>{{u"two"_s, 4}}));
        QCOMPARE(one.accepted, before);
        // The connection made before still reaches its endpoint.
        open.write("again\n");
        QTRY_VERIFY_WITH_TIMEOUT(open.canReadLine(), 5000);
        QCOMPARE(open.readLine(), QByteArray("one\n"));
    }

    void clientIpAffinityPinsEachClient()
    {
        EchoServer one(u"one"_s, QHostAddress(u"127.0.2.1"_s));
        QVERIFY(one.isListening());
        const quint16 target = one.serverPort();
        EchoServer two(u"two"_s, QHostAddress(u"127.0.2.2"_s), target);
        QVERIFY(two.isListening());
        const QHostAddress ip = createService(
            service(u"sticky"_s, {servicePort(u"http"_s, 80, 8080)}, u"ClusterIP"_s, 60));
        QVERIFY(!ip.isNull());
        QVERIFY(create(kSlices, slice(u"sticky-1"_s, u"sticky"_s,
                                      {endpoint(one.serverAddress(), true),
                                       endpoint(two.serverAddress(), true)},
                                      {slicePort(u"http"_s, target)})));
        QTRY_COMPARE_WITH_TIMEOUT(usableCount(u"sticky"_s, u"http"_s), 2, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(m_proxy->isListening(proxy::Protocol::Tcp, ip, 80), 5000);

        const auto first = spread(ip, 80, 6, QHostAddress(u"127.0.0.21"_s));
        const auto second = spread(ip, 80, 6, QHostAddress(u"127.0.0.22"_s));
        QCOMPARE(first.size(), 1);
        QCOMPARE(second.size(), 1);
        QCOMPARE(first.first(), 6);
        QCOMPARE(second.first(), 6);
        QVERIFY(!first.firstKey().startsWith(u'('));
        // The second client was chosen for afresh: round robin gave it the other endpoint.
        QVERIFY(first.firstKey() != second.firstKey());
    }

    void refusingEndpointIsPassedOverForTheNextOne()
    {
        EchoServer live(u"live"_s, QHostAddress(u"127.0.1.21"_s));
        QVERIFY(live.isListening());
        // Nothing listens at 127.0.1.22 on that port: connecting there is refused.
        const QHostAddress ip = createService(service(u"retry"_s, {servicePort(u""_s, 80, 80)}));
        QVERIFY(create(kSlices, slice(u"retry-1"_s, u"retry"_s,
                                      {endpoint(QHostAddress(u"127.0.1.22"_s), true),
                                       endpoint(live.serverAddress(), true)},
                                      {slicePort(u""_s, live.serverPort())})));
        QTRY_COMPARE_WITH_TIMEOUT(usableCount(u"retry"_s), 2, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(m_proxy->isListening(proxy::Protocol::Tcp, ip, 80), 5000);
        QCOMPARE(spread(ip, 80, 4), (QMap<QString, int>{{u"live"_s, 4}}));
    }

    void eachPortReachesItsOwnTargetPort()
    {
        // "http" has a named targetPort, "metrics" a number: the slice resolves both by name.
        EchoServer http(u"http"_s, QHostAddress(u"127.0.3.1"_s));
        EchoServer metrics(u"metrics"_s, QHostAddress(u"127.0.3.1"_s));
        QVERIFY(http.isListening() && metrics.isListening());
        const QHostAddress ip =
            createService(service(u"ports"_s, {servicePort(u"http"_s, 80, u"web"_s),
                                               servicePort(u"metrics"_s, 9000, 9100)}));
        QVERIFY(!ip.isNull());
        QVERIFY(create(kSlices, slice(u"ports-1"_s, u"ports"_s,
                                      {endpoint(QHostAddress(u"127.0.3.1"_s), true)},
                                      {slicePort(u"metrics"_s, metrics.serverPort()),
                                       slicePort(u"http"_s, http.serverPort())})));
        QTRY_COMPARE_WITH_TIMEOUT(usableCount(u"ports"_s, u"http"_s), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(usableCount(u"ports"_s, u"metrics"_s), 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(m_proxy->isListening(proxy::Protocol::Tcp, ip, 9000), 5000);

        QCOMPARE(ask(ip, 80), u"http"_s);
        QCOMPARE(ask(ip, 9000), u"metrics"_s);
    }

    void halfCloseReachesTheEndpoint()
    {
        EchoServer half(u"half"_s, QHostAddress(u"127.0.3.2"_s));
        QVERIFY(half.isListening());
        const QHostAddress ip = createService(service(u"half"_s, {servicePort(u""_s, 80, 80)}));
        QVERIFY(
            create(kSlices, slice(u"half-1"_s, u"half"_s, {endpoint(half.serverAddress(), true)},
                                  {slicePort(u""_s, half.serverPort())})));
        QTRY_COMPARE_WITH_TIMEOUT(usableCount(u"half"_s), 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(m_proxy->isListening(proxy::Protocol::Tcp, ip, 80), 5000);

        // The endpoint answers only once it has seen the end of the request.
        QTcpSocket socket;
        socket.connectToHost(ip, 80);
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::ConnectedState, 5000);
        socket.write("request body");
        QTRY_COMPARE_WITH_TIMEOUT(socket.bytesToWrite(), 0, 5000);
        QCOMPARE(::shutdown(int(socket.socketDescriptor()), SHUT_WR), 0);
        QTRY_VERIFY_WITH_TIMEOUT(socket.canReadLine(), 5000);
        QCOMPARE(socket.readLine(), QByteArray("half:request body\n"));
    }

    void serviceWithoutEndpointsRefusesConnections()
    {
        const QHostAddress ip = createService(service(u"empty"_s, {servicePort(u""_s, 80, 80)}));
        QVERIFY(!ip.isNull());
        QTRY_VERIFY_WITH_TIMEOUT(m_proxy->isListening(proxy::Protocol::Tcp, ip, 80), 5000);
        QVERIFY(ask(ip, 80).startsWith(u'('));
    }

    void udpRoundTripAnswersFromTheClusterIp()
    {
        UdpEcho echo(u"udp"_s, QHostAddress(u"127.0.4.1"_s));
        QCOMPARE(echo.state(), QAbstractSocket::BoundState);
        const QHostAddress ip =
            createService(service(u"dns"_s, {servicePort(u"dns"_s, 53, 53, u"UDP"_s)}));
        QVERIFY(!ip.isNull());
        QVERIFY(create(kSlices, slice(u"dns-1"_s, u"dns"_s, {endpoint(echo.localAddress(), true)},
                                      {slicePort(u"dns"_s, echo.localPort(), u"UDP"_s)})));
        QTRY_COMPARE_WITH_TIMEOUT(usableCount(u"dns"_s, u"dns"_s), 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(m_proxy->isListening(proxy::Protocol::Udp, ip, 53), 5000);

        QUdpSocket client;
        QVERIFY(client.bind(QHostAddress::LocalHost, 0));
        for (const QByteArray &payload : {QByteArray("ping"), QByteArray("pong")}) {
            client.writeDatagram(payload, ip, 53);
            QTRY_VERIFY_WITH_TIMEOUT(client.hasPendingDatagrams(), 5000);
            const QNetworkDatagram reply = client.receiveDatagram();
            QCOMPARE(reply.data(), "udp:" + payload);
            QCOMPARE(reply.senderAddress(), ip);
            QCOMPARE(reply.senderPort(), 53);
        }
    }

    void udpSessionsAreBoundedAndExpireWhenIdle()
    {
        UdpEcho echo(u"udp"_s, QHostAddress(u"127.0.4.2"_s));
        proxy::UdpForwarder forwarder(QHostAddress(u"127.0.4.3"_s), 0);
        forwarder.idleTimeout = std::chrono::milliseconds(300);
        forwarder.maxSessions = 2;
        forwarder.setBackends({proxy::Backend{u"127.0.4.2"_s, echo.localPort(), true, true, false}},
                              0);
        QVERIFY(forwarder.listen());
        std::vector<std::unique_ptr<QUdpSocket>> clients;
        for (int i = 0; i < 3; ++i) {
            auto &client = clients.emplace_back(std::make_unique<QUdpSocket>());
            QVERIFY(client->bind(QHostAddress::LocalHost, 0));
            client->writeDatagram("hi", forwarder.address(), forwarder.port());
            QTRY_VERIFY_WITH_TIMEOUT(client->hasPendingDatagrams(), 5000);
            QCOMPARE(client->receiveDatagram().data(), QByteArray("udp:hi"));
            QVERIFY(forwarder.sessionCount() <= 2);
        }
        QCOMPARE(forwarder.sessionCount(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(forwarder.sessionCount(), 0, 5000);
        // A client whose session ended gets a new one.
        clients.front()->writeDatagram("again", forwarder.address(), forwarder.port());
        QTRY_VERIFY_WITH_TIMEOUT(clients.front()->hasPendingDatagrams(), 5000);
        QCOMPARE(clients.front()->receiveDatagram().data(), QByteArray("udp:again"));
    }

    void nodePortListensOnTheNodeAddressAndDeletionClosesIt()
    {
        EchoServer echo(u"node"_s, QHostAddress(u"127.0.5.1"_s));
        QVERIFY(echo.isListening());
        const auto created =
            create(kServices, service(u"np"_s, {servicePort(u"http"_s, 80, 80)}, u"NodePort"_s));
        QVERIFY(created);
        const QJsonObject spec = created->value(u"spec").toObject();
        const QHostAddress ip(spec.value(u"clusterIP").toString());
        const auto nodePort =
            quint16(spec.value(u"ports").toArray().first().toObject().value(u"nodePort").toInt());
        QVERIFY(nodePort >= 30000 && nodePort <= 32767);
        QVERIFY(create(kSlices, slice(u"np-1"_s, u"np"_s, {endpoint(echo.serverAddress(), true)},
                                      {slicePort(u"http"_s, echo.serverPort())})));
        QTRY_COMPARE_WITH_TIMEOUT(usableCount(u"np"_s, u"http"_s), 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(
            m_proxy->isListening(proxy::Protocol::Tcp, m_nodeAddress, nodePort), 5000);
        QCOMPARE(ask(m_nodeAddress, nodePort), u"node"_s);
        QCOMPARE(ask(ip, 80), u"node"_s);

        QVERIFY(remove(kServices, u"np"_s));
        QTRY_VERIFY_WITH_TIMEOUT(
            !m_proxy->isListening(proxy::Protocol::Tcp, m_nodeAddress, nodePort), 5000);
        QVERIFY(!m_proxy->isListening(proxy::Protocol::Tcp, ip, 80));
        QCOMPARE(ask(m_nodeAddress, nodePort), u"(error)"_s);
        QCOMPARE(ask(ip, 80), u"(error)"_s);
    }

    void busyAddressIsRetriedUntilItFrees()
    {
        const QHostAddress ip(u"127.96.200.1"_s);
        auto blocker = std::make_unique<QTcpServer>();
        QVERIFY(blocker->listen(ip, 80));
        QJsonObject object = service(u"busy"_s, {servicePort(u""_s, 80, 80)});
        QJsonObject spec = object.value(u"spec").toObject();
        spec.insert(u"clusterIP"_s, ip.toString());
        object.insert(u"spec"_s, spec);
        QCOMPARE(createService(object), ip);
        QTRY_VERIFY_WITH_TIMEOUT(m_proxy->frontends().size() > 0 && usableCount(u"busy"_s) == 0,
                                 5000);
        QVERIFY(!m_proxy->isListening(proxy::Protocol::Tcp, ip, 80));
        blocker.reset();
        QTRY_VERIFY_WITH_TIMEOUT(m_proxy->isListening(proxy::Protocol::Tcp, ip, 80), 5000);
    }

    void netlinkAddsTheServiceRoutesInANetworkNamespace()
    {
        // In a child process of this binary (see main and netnstesting.h).
        test::verifyNetnsChild(u"TST_SERVICEPROXY_NETNS_CHILD"_s);
    }
};

// The child of netlinkAddsTheServiceRoutesInANetworkNamespace, in a network namespace of its
// own: lo up, both routes added (twice: "exists" is success), then checked with a route dump
// and by binding an address of the local route. Prints "ok" or what went wrong.
static int netnsChild()
{
    const auto fail = test::netnsChildFails;
    if (auto entered = test::enterNetworkNamespace(); !entered)
        return fail(entered.error());
    for (int round = 0; round < 2; ++round) {
        if (auto added = proxy::addLocalRoute(u"10.96.0.0/16"_s); !added)
            return fail(added.error());
        if (auto added = proxy::addRoute(u"10.96.0.0/16"_s, u"127.0.0.2"_s); !added)
            return fail(added.error());
    }
    if (auto bad = proxy::addRoute(u"10.96.0.0"_s, u"127.0.0.2"_s); bad)
        return fail(u"a CIDR without a prefix length was accepted"_s);
    const auto routes = proxy::listRoutes(AF_INET);
    if (!routes)
        return fail(routes.error());
    bool local = false;
    bool via = false;
    for (const proxy::Route &r : *routes) {
        local |= r.destination == u"10.96.0.0/16" && r.table == RT_TABLE_LOCAL &&
                 r.type == RTN_LOCAL && r.device == u"lo";
        via |= r.destination == u"10.96.0.0/16" && r.table == RT_TABLE_MAIN &&
               r.type == RTN_UNICAST && r.gateway == u"127.0.0.2";
    }
    if (!local || !via) {
        QStringList seen;
        for (const proxy::Route &r : *routes)
            seen.append(u"%1 table %2 type %3 via %4 dev %5"_s.arg(r.destination)
                            .arg(r.table)
                            .arg(r.type)
                            .arg(r.gateway, r.device));
        return fail(u"routes missing; the dump has: "_s + seen.join(u"; "));
    }
    // What the local route is for: any address of the subnet can be bound.
    const int t = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(80);
    ::inet_pton(AF_INET, "10.96.7.9", &address.sin_addr);
    if (::bind(t, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
        return fail(u"cannot bind 10.96.7.9:80: "_s + QString::fromLocal8Bit(strerror(errno)));
    ::close(t);
    std::fputs("ok\n", stdout);
    return 0;
}

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsSet("TST_SERVICEPROXY_NETNS_CHILD"))
        return netnsChild();
    QCoreApplication app(argc, argv);
    TestServiceProxy test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "tst_serviceproxy.moc"
