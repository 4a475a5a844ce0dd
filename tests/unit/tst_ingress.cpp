// The ingress controller: the routing rules of networking.k8s.io/v1 Ingress (tables of cases,
// including the Kubernetes documentation's table of path matches), and the controller with its
// proxy against the in-process API server, with small HTTP servers on 127.x loopback addresses
// as the endpoints of the services.
#include "apiserver/apiserver.h"
#include "apiserver/inprocessclient.h"
#include "apiservertesting.h"
#include "http/httpserver.h"
#include "ingress/ingresscontroller.h"
#include "ingress/ingressproxy.h"
#include "ingress/ingressrules.h"
#include "pki/certificates.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace timonel;
using namespace Qt::StringLiterals;

namespace {

const client::Resource kIngresses{u"networking.k8s.io"_s, u"v1"_s, u"ingresses"_s};
const client::Resource kIngressClasses{u"networking.k8s.io"_s, u"v1"_s, u"ingressclasses"_s};
const client::Resource kServices{QString(), u"v1"_s, u"services"_s};
const client::Resource kSlices{u"discovery.k8s.io"_s, u"v1"_s, u"endpointslices"_s};
const client::Resource kSecrets{QString(), u"v1"_s, u"secrets"_s};
const QString kFakeCertificate = u"Kubernetes Ingress Controller Fake Certificate"_s;

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

using test::await;

// A table of hostless Prefix/Exact routes, each to a backend named after its index.
ingress::RoutingTable routesTable(const QStringList &routes)
{
    ingress::RoutingTable table;
    for (qsizetype i = 0; i < routes.size(); ++i) {
        const QStringList parts = routes.at(i).split(u' ');
        ingress::Route route;
        route.host = parts.size() > 2 ? parts.at(2) : QString();
        route.pathType = *ingress::pathTypeFromString(parts.at(0));
        route.path = parts.at(1);
        route.backend.service = QString::number(i);
        table.routes.append(route);
    }
    return table;
}

// The index of the route a request goes to, "default", or "" for none.
QString matched(const ingress::RoutingTable &table, const QString &host, const QString &path)
{
    const auto backend = table.match(host, path);
    return backend ? backend->service : QString();
}

struct Response
{
    int status = 0;
    QByteArray head;
    QByteArray body;
};

// One response at the start of `data` (Content-Length or chunked): its size, 0 if incomplete.
qsizetype parseResponse(const QByteArray &data, Response &response)
{
    const qsizetype headEnd = data.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return 0;
    response.head = data.left(headEnd + 2);
    response.status = data.mid(9, 3).toInt();
    qsizetype at = headEnd + 4;
    const QByteArray lower = response.head.toLower();
    if (response.status == 101 || response.status == 204 || response.status == 304)
        return at;
    if (lower.contains("transfer-encoding: chunked")) {
        response.body.clear();
        for (;;) {
            const qsizetype lineEnd = data.indexOf("\r\n", at);
            if (lineEnd < 0)
                return 0;
            const qint64 size = data.mid(at, lineEnd - at).toLongLong(nullptr, 16);
            at = lineEnd + 2;
            if (size == 0)
                return data.size() >= at + 2 ? at + 2 : 0;
            if (data.size() < at + size + 2)
                return 0;
            response.body += data.mid(at, size);
            at += size + 2;
        }
    }
    const qsizetype cl = lower.indexOf("content-length:");
    const qint64 length =
        cl < 0 ? 0 : lower.mid(cl + 15, lower.indexOf("\r\n", cl) - cl - 15).trimmed().toLongLong();
    if (data.size() < at + length)
        return 0;
    response.body = data.mid(at, length);
    return at + length;
}

// A client connection to the proxy, plain or TLS with a server name.
class Client
{
public:
    Client(quint16 port, const QString &serverName = {})
    {
        if (serverName.isEmpty()) {
            m_socket = std::make_unique<QTcpSocket>();
            m_socket->connectToHost(QHostAddress::LocalHost, port);
            (void)QTest::qWaitFor(
                [&] { return m_socket->state() == QAbstractSocket::ConnectedState; }, 5000);
            return;
        }
        auto tls = std::make_unique<QSslSocket>();
        tls->setPeerVerifyMode(QSslSocket::VerifyNone);
        tls->connectToHostEncrypted(u"127.0.0.1"_s, port, serverName);
        (void)QTest::qWaitFor([&] { return tls->isEncrypted(); }, 5000); // isConnected() says
        m_socket = std::move(tls);
    }

    bool isConnected() const
    {
        auto *tls = qobject_cast<QSslSocket *>(m_socket.get());
        return m_socket->state() == QAbstractSocket::ConnectedState && (!tls || tls->isEncrypted());
    }
    QSslCertificate peerCertificate() const
    {
        auto *tls = qobject_cast<QSslSocket *>(m_socket.get());
        return tls ? tls->peerCertificate() : QSslCertificate();
    }
    QTcpSocket &socket() { return *m_socket; }

    Response send(const QByteArray &raw)
    {
        m_socket->write(raw);
        Response response;
        (void)QTest::qWaitFor( // an incomplete response fails the caller's checks
            [&] {
                m_buffer += m_socket->readAll();
                if (const qsizetype used = parseResponse(m_buffer, response)) {
                    m_buffer.remove(0, used);
                    return true;
                }
                return m_socket->state() != QAbstractSocket::ConnectedState;
            },
            10000);
        return response;
    }
    Response get(const QString &host, const QString &path)
    {
        return send("GET " + path.toUtf8() + " HTTP/1.1\r\nHost: " + host.toUtf8() + "\r\n\r\n");
    }

private:
    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_buffer;
};

// An endpoint that names itself and echoes what the proxy told it.
std::unique_ptr<http::HttpServer> startBackend(const QString &name, const QString &ip, quint16 port)
{
    auto server = std::make_unique<http::HttpServer>([name](http::HttpExchange *exchange) {
        const http::HttpRequest &r = exchange->request();
        if (r.path == "/chunked"_L1) {
            exchange->beginStream(200, {{"Content-Type", "text/plain"}});
            exchange->writeChunk(name.toUtf8() + " part1 ");
            exchange->writeChunk("part2");
            exchange->endStream();
            return;
        }
        if (r.path == "/upgrade"_L1) {
            QTcpSocket *socket =
                exchange->takeSocket(101, {{"Upgrade", "echo"}, {"Connection", "Upgrade"}});
            QObject::connect(socket, &QIODevice::readyRead, socket,
                             [socket] { socket->write(socket->readAll()); });
            QObject::connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
            return;
        }
        const QByteArray body = name.toUtf8() + ' ' + r.method + ' ' + r.target +
                                " proto=" + r.header("x-forwarded-proto") +
                                " for=" + r.header("x-forwarded-for") +
                                " host=" + r.header("host") + " body=" + r.body;
        exchange->respond(200, {{"Content-Type", "text/plain"}}, body);
    });
    if (auto listening = server->listenPlain(QHostAddress(ip), port); !listening) {
        qWarning() << listening.error();
        return nullptr;
    }
    return server;
}

} // namespace

class TestIngress : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<apiserver::ApiServer> m_server;
    std::unique_ptr<apiserver::InProcessClient> m_api;
    std::unique_ptr<ingress::IngressProxy> m_proxy;
    std::unique_ptr<ingress::IngressController> m_controller;
    std::vector<std::unique_ptr<http::HttpServer>> m_backends;
    quint16 m_sharedPort = 0; // of "blue" on 127.0.0.21 and 127.0.0.22

    client::Result<QJsonObject> create(const client::Resource &r, const QJsonObject &object)
    {
        return await<QJsonObject>(
            [&](auto done) { m_api->create(r, u"default"_s, object, {}, done); });
    }
    client::Result<QJsonObject> mergePatch(const client::Resource &r, const QString &name,
                                           const QJsonObject &patch)
    {
        return await<QJsonObject>([&](auto done) {
            m_api->patch(r, u"default"_s, name, client::PatchType::Merge,
                         QJsonDocument(patch).toJson(QJsonDocument::Compact), {}, {}, done);
        });
    }
    client::Result<QJsonObject> get(const client::Resource &r, const QString &name)
    {
        return await<QJsonObject>([&](auto done) { m_api->get(r, u"default"_s, name, done); });
    }
    client::Result<QJsonObject> remove(const client::Resource &r, const QString &name)
    {
        return await<QJsonObject>(
            [&](auto done) { m_api->remove(r, u"default"_s, name, {}, done); });
    }

    // A Service with one port "http" 80, and its EndpointSlice at these ips and port.
    void createService(const QString &name, const QStringList &ips, quint16 port, bool ready = true)
    {
        QJsonObject service = json(R"({"apiVersion":"v1","kind":"Service","spec":{
            "ports":[{"name":"http","port":80,"protocol":"TCP"}]}})");
        service[u"metadata"] = QJsonObject{{u"name"_s, name}};
        QVERIFY(create(kServices, service));
        QJsonArray endpoints;
        for (const QString &ip : ips)
            endpoints.append(QJsonObject{{u"addresses"_s, QJsonArray{ip}},
                                         {u"conditions"_s, QJsonObject{{u"ready"_s, ready}}}});
        const QJsonObject slice{
            {u"apiVersion"_s, u"discovery.k8s.io/v1"_s},
            {u"kind"_s, u"EndpointSlice"_s},
            {u"metadata"_s,
             QJsonObject{{u"name"_s, name + u"-abcde"_s},
                         {u"labels"_s, QJsonObject{{u"kubernetes.io/service-name"_s, name}}}}},
            {u"addressType"_s, u"IPv4"_s},
            {u"ports"_s,
             QJsonArray{QJsonObject{
                 {u"name"_s, u"http"_s}, {u"port"_s, int(port)}, {u"protocol"_s, u"TCP"_s}}}},
            {u"endpoints"_s, endpoints}};
        QVERIFY(create(kSlices, slice));
    }

    // An Ingress of class timonel (or none: the default class) from the spec given.
    void createIngress(const QString &name, QJsonObject spec, bool withClass = true)
    {
        if (withClass)
            spec[u"ingressClassName"] = u"timonel"_s;
        const QJsonObject ingress{{u"apiVersion"_s, u"networking.k8s.io/v1"_s},
                                  {u"kind"_s, u"Ingress"_s},
                                  {u"metadata"_s, QJsonObject{{u"name"_s, name}}},
                                  {u"spec"_s, spec}};
        const auto created = create(kIngresses, ingress);
        QVERIFY2(created, qPrintable(created ? QString() : created.error().message));
    }

    static QJsonObject rule(const QString &host, const QJsonArray &paths)
    {
        QJsonObject r{{u"http"_s, QJsonObject{{u"paths"_s, paths}}}};
        if (!host.isEmpty())
            r[u"host"] = host;
        return r;
    }
    static QJsonObject path(const QString &type, const QString &p, const QString &service)
    {
        return {{u"path"_s, p},
                {u"pathType"_s, type},
                {u"backend"_s,
                 QJsonObject{
                     {u"service"_s, QJsonObject{{u"name"_s, service},
                                                {u"port"_s, QJsonObject{{u"number"_s, 80}}}}}}}};
    }

    // The backend's name in what it answered ("" when it was not a backend's answer).
    QString backendAt(const QString &host, const QString &p)
    {
        Client client(m_proxy->httpPort());
        const Response response = client.get(host, p);
        return response.status == 200 ? QString::fromUtf8(response.body.split(' ').value(0))
                                      : QString::number(response.status);
    }

    void createTlsSecret(const QString &name, const QString &commonName)
    {
        const auto pair = pki::createCertificateAuthority(commonName);
        QVERIFY(pair);
        const QJsonObject secret{
            {u"apiVersion"_s, u"v1"_s},
            {u"kind"_s, u"Secret"_s},
            {u"metadata"_s, QJsonObject{{u"name"_s, name}}},
            {u"type"_s, u"kubernetes.io/tls"_s},
            {u"data"_s,
             QJsonObject{{u"tls.crt"_s, QString::fromLatin1(pair->certificatePem.toBase64())},
                         {u"tls.key"_s, QString::fromLatin1(pair->privateKeyPem.toBase64())}}}};
        const auto created = create(kSecrets, secret);
        QVERIFY2(created, qPrintable(created ? QString() : created.error().message));
    }

private Q_SLOTS:
    // --- the rules ---

    void pathMatchingFollowsTheKubernetesDocs_data()
    {
        QTest::addColumn<QStringList>("routes");
        QTest::addColumn<QString>("request");
        QTest::addColumn<QString>("expected"); // index of the route, "" for none

        // https://kubernetes.io/docs/concepts/services-networking/ingress/#examples
        QTest::newRow("Prefix / matches all") << QStringList{u"Prefix /"_s} << u"/x/y"_s << u"0"_s;
        QTest::newRow("Exact /foo, /foo") << QStringList{u"Exact /foo"_s} << u"/foo"_s << u"0"_s;
        QTest::newRow("Exact /foo, /bar") << QStringList{u"Exact /foo"_s} << u"/bar"_s << u""_s;
        QTest::newRow("Exact /foo, /foo/") << QStringList{u"Exact /foo"_s} << u"/foo/"_s << u""_s;
        QTest::newRow("Exact /foo/, /foo") << QStringList{u"Exact /foo/"_s} << u"/foo"_s << u""_s;
        QTest::newRow("Prefix /foo, /foo") << QStringList{u"Prefix /foo"_s} << u"/foo"_s << u"0"_s;
        QTest::newRow("Prefix /foo, /foo/")
            << QStringList{u"Prefix /foo"_s} << u"/foo/"_s << u"0"_s;
        QTest::newRow("Prefix /foo/, /foo")
            << QStringList{u"Prefix /foo/"_s} << u"/foo"_s << u"0"_s;
        QTest::newRow("Prefix /foo/, /foo/")
            << QStringList{u"Prefix /foo/"_s} << u"/foo/"_s << u"0"_s;
        QTest::newRow("Prefix /aaa/bb, /aaa/bbb")
            << QStringList{u"Prefix /aaa/bb"_s} << u"/aaa/bbb"_s << u""_s;
        QTest::newRow("Prefix /aaa/bbb, /aaa/bbb")
            << QStringList{u"Prefix /aaa/bbb"_s} << u"/aaa/bbb"_s << u"0"_s;
        QTest::newRow("Prefix /aaa/bbb/ ignores the trailing slash")
            << QStringList{u"Prefix /aaa/bbb/"_s} << u"/aaa/bbb"_s << u"0"_s;
        QTest::newRow("Prefix /aaa/bbb matches the trailing slash")
            << QStringList{u"Prefix /aaa/bbb"_s} << u"/aaa/bbb/"_s << u"0"_s;
        QTest::newRow("Prefix /aaa/bbb matches a subpath")
            << QStringList{u"Prefix /aaa/bbb"_s} << u"/aaa/bbb/ccc"_s << u"0"_s;
        QTest::newRow("Prefix /aaa/bbb is no string prefix")
            << QStringList{u"Prefix /aaa/bbb"_s} << u"/aaa/bbbxyz"_s << u""_s;
        QTest::newRow("Prefix /, /aaa: /aaa/ccc matches /aaa")
            << QStringList{u"Prefix /"_s, u"Prefix /aaa"_s} << u"/aaa/ccc"_s << u"1"_s;
        QTest::newRow("Prefix /, /aaa, /aaa/bbb: /aaa/bbb matches /aaa/bbb")
            << QStringList{u"Prefix /"_s, u"Prefix /aaa"_s, u"Prefix /aaa/bbb"_s} << u"/aaa/bbb"_s
            << u"2"_s;
        QTest::newRow("Prefix /, /aaa, /aaa/bbb: /ccc matches /")
            << QStringList{u"Prefix /"_s, u"Prefix /aaa"_s, u"Prefix /aaa/bbb"_s} << u"/ccc"_s
            << u"0"_s;
        QTest::newRow("Prefix /aaa, /ccc: default backend")
            << QStringList{u"Prefix /aaa"_s} << u"/ccc"_s << u""_s;
        QTest::newRow("Mixed: Exact /foo preferred over Prefix /foo")
            << QStringList{u"Prefix /foo"_s, u"Exact /foo"_s} << u"/foo"_s << u"1"_s;
        QTest::newRow("Mixed: Exact /foo preferred over Prefix /foo/")
            << QStringList{u"Prefix /foo/"_s, u"Exact /foo"_s} << u"/foo"_s << u"1"_s;
        QTest::newRow("Mixed: Prefix /foo for a subpath")
            << QStringList{u"Exact /foo"_s, u"Prefix /foo"_s} << u"/foo/x"_s << u"1"_s;
        QTest::newRow("ImplementationSpecific is a prefix")
            << QStringList{u"ImplementationSpecific /app"_s} << u"/app/x"_s << u"0"_s;
        QTest::newRow("longest prefix wins regardless of order")
            << QStringList{u"Prefix /a/b"_s, u"Prefix /a"_s} << u"/a/b/c"_s << u"0"_s;
    }
    void pathMatchingFollowsTheKubernetesDocs()
    {
        QFETCH(QStringList, routes);
        QFETCH(QString, request);
        QFETCH(QString, expected);
        QCOMPARE(matched(routesTable(routes), u"any.example.com"_s, request), expected);
    }

    void hostMatching_data()
    {
        QTest::addColumn<QString>("rule");
        QTest::addColumn<QString>("host");
        QTest::addColumn<bool>("matches");
        QTest::newRow("equal") << u"foo.bar.com"_s << u"foo.bar.com"_s << true;
        QTest::newRow("case-insensitive") << u"foo.bar.com"_s << u"FOO.Bar.com"_s << true;
        QTest::newRow("other host") << u"foo.bar.com"_s << u"bar.com"_s << false;
        QTest::newRow("wildcard one label") << u"*.foo.com"_s << u"bar.foo.com"_s << true;
        QTest::newRow("wildcard not two labels") << u"*.foo.com"_s << u"baz.bar.foo.com"_s << false;
        QTest::newRow("wildcard not the bare domain") << u"*.foo.com"_s << u"foo.com"_s << false;
    }
    void hostMatching()
    {
        QFETCH(QString, rule);
        QFETCH(QString, host);
        QFETCH(bool, matches);
        QCOMPARE(ingress::hostMatches(rule, host), matches);
    }

    void hostHeaderLosesItsPort_data()
    {
        QTest::addColumn<QString>("header");
        QTest::addColumn<QString>("host");
        QTest::newRow("name") << u"Foo.com"_s << u"foo.com"_s;
        QTest::newRow("name and port") << u"foo.com:8080"_s << u"foo.com"_s;
        QTest::newRow("IPv4 and port") << u"127.0.0.1:80"_s << u"127.0.0.1"_s;
        QTest::newRow("IPv6 and port") << u"[::1]:443"_s << u"::1"_s;
    }
    void hostHeaderLosesItsPort()
    {
        QFETCH(QString, header);
        QFETCH(QString, host);
        QCOMPARE(ingress::hostWithoutPort(header), host);
    }

    void equalHostBeatsWildcardBeatsAnyHost_data()
    {
        QTest::addColumn<QString>("host");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("expected");
        QTest::newRow("equal host") << u"a.foo.com"_s << u"/"_s << u"0"_s;
        QTest::newRow("wildcard") << u"b.foo.com"_s << u"/"_s << u"1"_s;
        QTest::newRow("no host rule") << u"other.com"_s << u"/"_s << u"2"_s;
        // The best host's rules are the only ones: no fallback to rules of other hosts.
        QTest::newRow("equal host without the path") << u"a.foo.com"_s << u"/only-any"_s << u"0"_s;
        QTest::newRow("path only under any host") << u"x.com"_s << u"/only-any"_s << u"3"_s;
    }
    void equalHostBeatsWildcardBeatsAnyHost()
    {
        QFETCH(QString, host);
        QFETCH(QString, path);
        QFETCH(QString, expected);
        const auto table = routesTable({u"Prefix / a.foo.com"_s, u"Prefix / *.foo.com"_s,
                                        u"Prefix /"_s, u"Prefix /only-any"_s});
        QCOMPARE(matched(table, host, path), expected);
    }

    void ingressClassSelection_data()
    {
        QTest::addColumn<QString>("ingress");
        QTest::addColumn<bool>("isDefault");
        QTest::addColumn<bool>("served");
        QTest::newRow("our class")
            << uR"({"spec":{"ingressClassName":"timonel"}})"_s << false << true;
        QTest::newRow("other class")
            << uR"({"spec":{"ingressClassName":"nginx"}})"_s << true << false;
        QTest::newRow("no class, we are default") << uR"({"spec":{}})"_s << true << true;
        QTest::newRow("no class, no default") << uR"({"spec":{}})"_s << false << false;
        QTest::newRow("annotation names us")
            << uR"({"metadata":{"annotations":{"kubernetes.io/ingress.class":"timonel"}}})"_s
            << false << true;
        QTest::newRow("annotation names another")
            << uR"({"metadata":{"annotations":{"kubernetes.io/ingress.class":"nginx"}}})"_s << true
            << false;
    }
    void ingressClassSelection()
    {
        QFETCH(QString, ingress);
        QFETCH(bool, isDefault);
        QFETCH(bool, served);
        QCOMPARE(ingress::isServedIngress(json(ingress.toUtf8().constData()), isDefault), served);
    }

    void backendsResolveServicePortsToReadyEndpoints()
    {
        const QList<QJsonObject> ingresses{
            json(R"({"metadata":{"name":"i","namespace":"ns",
            "creationTimestamp":"2024-01-01T00:00:00Z"},
          "spec":{"ingressClassName":"timonel",
            "defaultBackend":{"service":{"name":"missing","port":{"number":80}}},
            "tls":[{"hosts":["a.com"],"secretName":"cert"},{"hosts":["b.com"],"secretName":"opaque"}],
            "rules":[{"host":"a.com","http":{"paths":[
              {"path":"/num","pathType":"Prefix","backend":{"service":{"name":"svc","port":{"number":80}}}},
              {"path":"/name","pathType":"Prefix","backend":{"service":{"name":"svc","port":{"name":"metrics"}}}},
              {"path":"/gone","pathType":"Prefix","backend":{"service":{"name":"svc","port":{"number":81}}}}]}}]}})"),
            json(
                R"({"metadata":{"name":"late","namespace":"ns","creationTimestamp":"2024-02-01T00:00:00Z"},
              "spec":{"ingressClassName":"timonel","rules":[{"host":"a.com","http":{"paths":[
              {"path":"/num","pathType":"Prefix","backend":{"service":{"name":"other","port":{"number":80}}}}]}}]}})")};
        const QList<QJsonObject> services{json(R"({"metadata":{"name":"svc","namespace":"ns"},
            "spec":{"ports":[{"name":"web","port":80,"targetPort":8080},{"name":"metrics","port":9090}]}})")};
        const QList<QJsonObject> slices{json(R"({"metadata":{"name":"svc-1","namespace":"ns",
            "labels":{"kubernetes.io/service-name":"svc"}},"addressType":"IPv4",
            "ports":[{"name":"web","port":8080,"protocol":"TCP"},{"name":"metrics","port":9100,"protocol":"TCP"}],
            "endpoints":[{"addresses":["10.0.0.1"],"conditions":{"ready":true}},
                         {"addresses":["10.0.0.2"]},
                         {"addresses":["10.0.0.3"],"conditions":{"ready":false}}]})")};
        const QList<QJsonObject> secrets{
            json(R"({"metadata":{"name":"cert","namespace":"ns"},"type":"kubernetes.io/tls",
                "data":{"tls.crt":"Q1JU","tls.key":"S0VZ"}})"),
            json(R"({"metadata":{"name":"opaque","namespace":"ns"},"type":"Opaque",
                "data":{"tls.crt":"Q1JU","tls.key":"S0VZ"}})")};
        const auto table =
            ingress::computeRoutingTable(ingresses, services, slices, secrets, false);

        QCOMPARE(table.servedIngresses, (QStringList{u"ns/i"_s, u"ns/late"_s}));
        const auto byNumber = table.match(u"a.com"_s, u"/num"_s);
        QVERIFY(byNumber);
        QCOMPARE(byNumber->displayName(), u"ns/svc:80"_s); // the older Ingress keeps the path
        QCOMPARE(byNumber->endpoints,
                 (QList<ingress::Endpoint>{{u"10.0.0.1"_s, 8080}, {u"10.0.0.2"_s, 8080}}));
        const auto byName = table.match(u"a.com"_s, u"/name/x"_s);
        QVERIFY(byName);
        QCOMPARE(byName->endpoints,
                 (QList<ingress::Endpoint>{{u"10.0.0.1"_s, 9100}, {u"10.0.0.2"_s, 9100}}));
        const auto unknownPort = table.match(u"a.com"_s, u"/gone"_s);
        QVERIFY(unknownPort);
        QVERIFY(unknownPort->endpoints.isEmpty());
        const auto fallback = table.match(u"a.com"_s, u"/elsewhere"_s);
        QVERIFY(fallback);
        QCOMPARE(fallback->displayName(), u"ns/missing:80"_s);
        QVERIFY(fallback->endpoints.isEmpty());

        QCOMPARE(table.certificates.size(), 1);
        const ingress::TlsCertificate *certificate = table.certificateFor(u"A.com"_s);
        QVERIFY(certificate);
        QCOMPARE(certificate->certificatePem, QByteArray("CRT"));
        QCOMPARE(certificate->privateKeyPem, QByteArray("KEY"));
        QVERIFY(!table.certificateFor(u"b.com"_s));
    }

    // --- the controller and the proxy ---

    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto started = test::startTestApiServer(m_dir.path());
        QVERIFY2(started, qPrintable(started ? QString() : started.error()));
        m_server = std::move(*started);
        m_api = std::make_unique<apiserver::InProcessClient>(m_server->store());
        QTRY_VERIFY_WITH_TIMEOUT(
            await<QJsonObject>([&](auto done) {
                m_api->get({QString(), u"v1"_s, u"namespaces"_s}, {}, u"default"_s, done);
            }).has_value(),
            10000);

        // "blue" has two endpoints on one port, for round robin.
        auto blue1 = startBackend(u"blue1"_s, u"127.0.0.21"_s, 0);
        QVERIFY(blue1);
        m_sharedPort = blue1->port();
        auto blue2 = startBackend(u"blue2"_s, u"127.0.0.22"_s, m_sharedPort);
        QVERIFY(blue2);
        auto green = startBackend(u"green"_s, u"127.0.0.23"_s, 0);
        QVERIFY(green);
        auto red = startBackend(u"red"_s, u"127.0.0.24"_s, 0);
        QVERIFY(red);
        createService(u"blue"_s, {u"127.0.0.21"_s, u"127.0.0.22"_s}, m_sharedPort);
        createService(u"green"_s, {u"127.0.0.23"_s}, green->port());
        createService(u"red"_s, {u"127.0.0.24"_s}, red->port());
        createService(u"unready"_s, {u"127.0.0.25"_s}, 9, false);
        m_backends.push_back(std::move(blue1));
        m_backends.push_back(std::move(blue2));
        m_backends.push_back(std::move(green));
        m_backends.push_back(std::move(red));

        QJsonObject ingressClass =
            json(R"({"apiVersion":"networking.k8s.io/v1","kind":"IngressClass",
            "metadata":{"name":"timonel","annotations":{"ingressclass.kubernetes.io/is-default-class":"true"}},
            "spec":{}})");
        QJsonObject classSpec{{u"controller"_s, ingress::controllerName()}};
        ingressClass[u"spec"] = classSpec;
        QVERIFY(await<QJsonObject>(
            [&](auto done) { m_api->create(kIngressClasses, {}, ingressClass, {}, done); }));

        m_proxy = std::make_unique<ingress::IngressProxy>();
        QVERIFY(m_proxy->listenHttp(QHostAddress::LocalHost, 0));
        QVERIFY(m_proxy->listenHttps(QHostAddress::LocalHost, 0));
        ingress::IngressControllerOptions controllerOptions;
        controllerOptions.coalesce = std::chrono::milliseconds(20);
        m_controller = std::make_unique<ingress::IngressController>(*m_api, controllerOptions);
        connect(m_controller.get(), &ingress::IngressController::routingTableChanged, m_proxy.get(),
                &ingress::IngressProxy::setRoutingTable);
        m_controller->start();
        QTRY_VERIFY_WITH_TIMEOUT(m_controller->isDefaultClass(), 10000);
    }

    void cleanupTestCase()
    {
        m_controller.reset();
        m_proxy.reset();
        m_backends.clear();
        m_api.reset();
        m_server.reset();
    }

    void unmatchedRequestGetsTheDefaultBackend404()
    {
        Client client(m_proxy->httpPort());
        QVERIFY(client.isConnected());
        const Response response = client.get(u"nowhere.example.com"_s, u"/"_s);
        QCOMPARE(response.status, 404);
        QCOMPARE(response.body, QByteArray("default backend - 404"));
    }

    void routesByHostAndPath()
    {
        createIngress(
            u"shop"_s,
            QJsonObject{
                {u"rules"_s, QJsonArray{rule(u"shop.example.com"_s,
                                             QJsonArray{path(u"Prefix"_s, u"/"_s, u"blue"_s),
                                                        path(u"Prefix"_s, u"/api"_s, u"green"_s),
                                                        path(u"Exact"_s, u"/api/v1"_s, u"red"_s)}),
                                        rule(u"*.wild.example.com"_s,
                                             QJsonArray{path(u"Prefix"_s, u"/"_s, u"red"_s)})}}});
        QTRY_COMPARE_WITH_TIMEOUT(backendAt(u"shop.example.com"_s, u"/api/users"_s), u"green"_s,
                                  10000);
        QCOMPARE(backendAt(u"shop.example.com:8080"_s, u"/api"_s), u"green"_s);
        QCOMPARE(backendAt(u"shop.example.com"_s, u"/api/v1"_s), u"red"_s); // Exact, longer
        QCOMPARE(backendAt(u"shop.example.com"_s, u"/api/v1/x"_s), u"green"_s);
        QCOMPARE(backendAt(u"shop.example.com"_s, u"/apix"_s).left(4), u"blue"_s);
        QCOMPARE(backendAt(u"a.wild.example.com"_s, u"/x"_s), u"red"_s);
        QCOMPARE(backendAt(u"a.b.wild.example.com"_s, u"/x"_s), u"404"_s);
        QCOMPARE(backendAt(u"other.example.com"_s, u"/api"_s), u"404"_s);
    }

    void exactBeatsPrefixForTheSamePath()
    {
        createIngress(
            u"precedence"_s,
            QJsonObject{
                {u"rules"_s, QJsonArray{rule(u"prec.example.com"_s,
                                             QJsonArray{path(u"Prefix"_s, u"/foo"_s, u"green"_s),
                                                        path(u"Exact"_s, u"/foo"_s, u"red"_s)})}}});
        QTRY_COMPARE_WITH_TIMEOUT(backendAt(u"prec.example.com"_s, u"/foo"_s), u"red"_s, 10000);
        QCOMPARE(backendAt(u"prec.example.com"_s, u"/foo/"_s), u"green"_s);
        QCOMPARE(backendAt(u"prec.example.com"_s, u"/foo/bar"_s), u"green"_s);
    }

    void requestIsForwardedWithForwardedHeaders()
    {
        Client client(m_proxy->httpPort());
        const Response response = client.send(
            "POST /api/items?x=1 HTTP/1.1\r\nHost: shop.example.com\r\nX-Forwarded-For: 6.6.6.6\r\n"
            "Content-Length: 5\r\n\r\nhello");
        QCOMPARE(response.status, 200);
        QCOMPARE(response.body, QByteArray("green POST /api/items?x=1 proto=http for=127.0.0.1 "
                                           "host=shop.example.com body=hello"));
    }

    void endpointsTakeTurns()
    {
        QStringList seen;
        for (int i = 0; i < 4; ++i)
            seen.append(backendAt(u"shop.example.com"_s, u"/"_s));
        QCOMPARE(seen.count(u"blue1"_s), 2);
        QCOMPARE(seen.count(u"blue2"_s), 2);
        QVERIFY(seen.at(0) != seen.at(1));
    }

    void keepAliveCarriesChunkedAndSizedResponses()
    {
        Client client(m_proxy->httpPort());
        const Response streamed = client.get(u"shop.example.com"_s, u"/chunked"_s);
        QCOMPARE(streamed.status, 200);
        QVERIFY(streamed.head.toLower().contains("transfer-encoding: chunked"));
        QVERIFY(streamed.body.endsWith(" part1 part2"));
        const Response sized = client.get(u"shop.example.com"_s, u"/api"_s);
        QCOMPARE(sized.status, 200);
        QVERIFY(sized.body.startsWith("green GET /api"));
        QVERIFY(client.isConnected());
    }

    void upgradedConnectionsAreJoined()
    {
        Client client(m_proxy->httpPort());
        const Response head = client.send("GET /upgrade HTTP/1.1\r\nHost: shop.example.com\r\n"
                                          "Connection: Upgrade\r\nUpgrade: echo\r\n\r\n");
        QCOMPARE(head.status, 101);
        client.socket().write("ping");
        QByteArray echoed;
        QTRY_COMPARE_WITH_TIMEOUT((echoed += client.socket().readAll()), QByteArray("ping"), 5000);
    }

    void serviceWithoutReadyEndpointsGets503()
    {
        createIngress(u"broken"_s,
                      QJsonObject{{u"rules"_s,
                                   QJsonArray{rule(
                                       u"broken.example.com"_s,
                                       QJsonArray{path(u"Prefix"_s, u"/"_s, u"unready"_s),
                                                  path(u"Prefix"_s, u"/none"_s, u"absent"_s)})}}});
        QTRY_COMPARE_WITH_TIMEOUT(backendAt(u"broken.example.com"_s, u"/"_s), u"503"_s, 10000);
        QCOMPARE(backendAt(u"broken.example.com"_s, u"/none"_s), u"503"_s);
    }

    void defaultBackendServesWhatNoRuleMatches()
    {
        createIngress(
            u"fallback"_s,
            QJsonObject{{u"defaultBackend"_s,
                         path(u"Prefix"_s, u"/"_s, u"red"_s).value(u"backend").toObject()}},
            false); // no class: ours, as timonel is the default class
        QTRY_COMPARE_WITH_TIMEOUT(backendAt(u"nowhere.example.com"_s, u"/x"_s), u"red"_s, 10000);
        QCOMPARE(backendAt(u"shop.example.com"_s, u"/api"_s), u"green"_s);
        QVERIFY(remove(kIngresses, u"fallback"_s));
        QTRY_COMPARE_WITH_TIMEOUT(backendAt(u"nowhere.example.com"_s, u"/x"_s), u"404"_s, 10000);
    }

    void ingressOfAnotherClassIsIgnored()
    {
        QJsonObject spec{
            {u"ingressClassName"_s, u"nginx"_s},
            {u"rules"_s, QJsonArray{rule(u"nginx.example.com"_s,
                                         QJsonArray{path(u"Prefix"_s, u"/"_s, u"red"_s)})}}};
        createIngress(u"foreign"_s, spec, false);
        // A later Ingress of ours shows the table was recomputed after the foreign one.
        createIngress(
            u"marker"_s,
            QJsonObject{
                {u"rules"_s, QJsonArray{rule(u"marker.example.com"_s,
                                             QJsonArray{path(u"Prefix"_s, u"/"_s, u"red"_s)})}}});
        QTRY_COMPARE_WITH_TIMEOUT(backendAt(u"marker.example.com"_s, u"/"_s), u"red"_s, 10000);
        QCOMPARE(backendAt(u"nginx.example.com"_s, u"/"_s), u"404"_s);
        QVERIFY(!m_controller->routingTable().servedIngresses.contains(u"default/foreign"_s));
    }

    void changedIngressIsServedAsChanged()
    {
        QTRY_COMPARE_WITH_TIMEOUT(backendAt(u"prec.example.com"_s, u"/foo/bar"_s), u"green"_s,
                                  10000);
        const QJsonObject patch{
            {u"spec"_s,
             QJsonObject{{u"rules"_s,
                          QJsonArray{rule(u"prec.example.com"_s,
                                          QJsonArray{path(u"Prefix"_s, u"/foo"_s, u"red"_s)})}}}}};
        QVERIFY(mergePatch(kIngresses, u"precedence"_s, patch));
        QTRY_COMPARE_WITH_TIMEOUT(backendAt(u"prec.example.com"_s, u"/foo/bar"_s), u"red"_s, 10000);
    }

    void tlsPresentsTheCertificateOfTheServerName()
    {
        createTlsSecret(u"a-tls"_s, u"a.tls.example.com"_s);
        createTlsSecret(u"b-tls"_s, u"b.tls.example.com"_s);
        const QJsonArray paths{path(u"Prefix"_s, u"/"_s, u"green"_s)};
        QJsonObject spec{
            {u"tls"_s, QJsonArray{QJsonObject{{u"hosts"_s, QJsonArray{u"a.tls.example.com"_s}},
                                              {u"secretName"_s, u"a-tls"_s}},
                                  QJsonObject{{u"hosts"_s, QJsonArray{u"b.tls.example.com"_s}},
                                              {u"secretName"_s, u"b-tls"_s}}}},
            {u"rules"_s,
             QJsonArray{rule(u"a.tls.example.com"_s, paths), rule(u"b.tls.example.com"_s, paths)}}};
        createIngress(u"secure"_s, spec);

        auto commonName = [&](const QString &serverName) {
            Client client(m_proxy->httpsPort(), serverName);
            const QStringList names =
                client.peerCertificate().subjectInfo(QSslCertificate::CommonName);
            return names.value(0);
        };
        QTRY_COMPARE_WITH_TIMEOUT(commonName(u"a.tls.example.com"_s), u"a.tls.example.com"_s,
                                  10000);
        QCOMPARE(commonName(u"b.tls.example.com"_s), u"b.tls.example.com"_s);
        QCOMPARE(commonName(u"unknown.example.com"_s), kFakeCertificate);

        Client client(m_proxy->httpsPort(), u"b.tls.example.com"_s);
        QVERIFY(client.isConnected());
        const Response response = client.get(u"b.tls.example.com"_s, u"/x"_s);
        QCOMPARE(response.status, 200);
        QVERIFY2(response.body.startsWith("green GET /x proto=https"), response.body.constData());
    }

    void publishedAddressIsWrittenToServedIngresses()
    {
        m_controller->setPublishedAddress(u"127.0.0.1"_s);
        auto addressOf = [&](const QString &name) {
            const auto ingress = get(kIngresses, name);
            return ingress
                       ? QJsonDocument(
                             ingress->value(u"status").toObject().value(u"loadBalancer").toObject())
                             .toJson(QJsonDocument::Compact)
                       : QByteArray("error");
        };
        QTRY_COMPARE_WITH_TIMEOUT(addressOf(u"shop"_s),
                                  QByteArray(R"({"ingress":[{"ip":"127.0.0.1"}]})"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(addressOf(u"secure"_s),
                                  QByteArray(R"({"ingress":[{"ip":"127.0.0.1"}]})"), 10000);
        QCOMPARE(addressOf(u"foreign"_s), QByteArray("{}"));
        const QString version = get(kIngresses, u"shop"_s)
                                    ->value(u"metadata")
                                    .toObject()
                                    .value(u"resourceVersion")
                                    .toString();

        m_controller->setPublishedAddress(u"ingress.example.com"_s);
        QTRY_COMPARE_WITH_TIMEOUT(addressOf(u"shop"_s),
                                  QByteArray(R"({"ingress":[{"hostname":"ingress.example.com"}]})"),
                                  10000);
        QVERIFY(version != get(kIngresses, u"shop"_s)
                               ->value(u"metadata")
                               .toObject()
                               .value(u"resourceVersion")
                               .toString());

        // Unchanged status: no more writes.
        const QString settled = get(kIngresses, u"shop"_s)
                                    ->value(u"metadata")
                                    .toObject()
                                    .value(u"resourceVersion")
                                    .toString();
        QSignalSpy recomputed(m_controller.get(), &ingress::IngressController::routingTableChanged);
        QVERIFY(
            mergePatch(kIngresses, u"marker"_s, json(R"({"metadata":{"labels":{"touch":"1"}}})")));
        QTRY_VERIFY_WITH_TIMEOUT(recomputed.count() > 0, 10000);
        QCOMPARE(get(kIngresses, u"shop"_s)
                     ->value(u"metadata")
                     .toObject()
                     .value(u"resourceVersion")
                     .toString(),
                 settled);
    }
};

QTEST_GUILESS_MAIN(TestIngress)
#include "tst_ingress.moc"
