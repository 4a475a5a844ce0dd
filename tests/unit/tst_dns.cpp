// The cluster DNS: messages on the wire, the records of Services and EndpointSlices as CoreDNS
// serves them, and the server over real UDP and TCP sockets on loopback, with a fake upstream
// nameserver on another loopback port (no outside network, no host resolver).
#include "apiserver/apiserver.h"
#include "apiserver/inprocessclient.h"
#include "apiservertesting.h"
#include "dns/clusterdns.h"
#include "dns/dnsmessage.h"
#include "dns/dnsserver.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QNetworkDatagram>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtEndian>
#include <QTest>
#include <QTimer>
#include <QUdpSocket>

using namespace timonel;
using namespace timonel::dns;
using namespace Qt::StringLiterals;

namespace {

const client::Resource Services{QString(), u"v1"_s, u"services"_s};
const client::Resource EndpointSlices{u"discovery.k8s.io"_s, u"v1"_s, u"endpointslices"_s};

Message query(const QString &name, quint16 type, std::optional<quint16> edns = std::nullopt)
{
    Message m;
    m.id = quint16(QRandomGenerator::global()->generate());
    m.recursionDesired = true;
    m.questions = {Question{name, type, ClassIn}};
    m.ednsUdpSize = edns;
    return m;
}

QString show(const Record &r)
{
    switch (r.type) {
    case RecordType::A:
    case RecordType::AAAA:
        return typeName(r.type) + u' ' + r.addressData().toString();
    case RecordType::CNAME:
    case RecordType::PTR:
    case RecordType::NS:
        return typeName(r.type) + u' ' + r.nameData();
    case RecordType::SRV: {
        const SrvData s = r.srvData();
        return u"SRV %1 %2 %3 %4"_s.arg(s.priority).arg(s.weight).arg(s.port).arg(s.target);
    }
    case RecordType::SOA: {
        const SoaData s = r.soaData();
        return u"SOA %1 %2 %3 %4 %5 %6"_s.arg(s.mname, s.rname)
            .arg(s.refresh)
            .arg(s.retry)
            .arg(s.expire)
            .arg(s.minimum);
    }
    }
    return typeName(r.type);
}

QStringList shown(const QList<Record> &records)
{
    QStringList out;
    for (const Record &r : records)
        out.append(show(r));
    out.sort();
    return out;
}

// Waits for `ready` while the event loop runs, up to `timeoutMs`.
bool waitFor(const std::function<bool()> &ready, int timeoutMs = 5000)
{
    QElapsedTimer timer;
    timer.start();
    while (!ready()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QEventLoop loop;
        QTimer::singleShot(5, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

QByteArray exchangeUdp(quint16 port, const QByteArray &wire, int timeoutMs = 5000)
{
    QUdpSocket socket;
    socket.bind(QHostAddress::LocalHost, 0);
    socket.writeDatagram(wire, QHostAddress::LocalHost, port);
    if (!waitFor([&] { return socket.hasPendingDatagrams(); }, timeoutMs))
        return {};
    return socket.receiveDatagram(65536).data();
}

QByteArray framed(const QByteArray &wire)
{
    char prefix[2];
    qToBigEndian(quint16(wire.size()), prefix);
    return QByteArray(prefix, 2) + wire;
}

// Sends `payload` (framed queries) over one connection and reads `count` framed answers.
QList<QByteArray> exchangeTcp(quint16 port, const QByteArray &payload, int count)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!waitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }))
        return {};
    socket.write(payload);
    QByteArray buffer;
    QList<QByteArray> answers;
    waitFor([&] {
        buffer += socket.readAll();
        while (buffer.size() >= 2) {
            const int length = qFromBigEndian<quint16>(buffer.constData());
            if (buffer.size() < 2 + length)
                break;
            answers.append(buffer.mid(2, length));
            buffer.remove(0, 2 + length);
        }
        return answers.size() >= count;
    });
    return answers;
}

std::optional<Message> ask(quint16 port, const Message &q, bool tcp)
{
    const QByteArray wire =
        tcp ? exchangeTcp(port, framed(encode(q)), 1).value(0) : exchangeUdp(port, encode(q));
    auto decoded = decode(wire);
    if (!decoded)
        return std::nullopt;
    return *decoded;
}

// An upstream nameserver on loopback: example names get 192.0.2.1; "slow." names never get an
// answer; "fail." names get SERVFAIL; "big." names get 40 addresses, cut to what the client's
// UDP size allows as a real server would, whole over TCP. `broken` answers SERVFAIL to all.
class FakeUpstream : public QObject
{
public:
    explicit FakeUpstream(bool broken = false) : m_broken(broken)
    {
        m_udp.bind(QHostAddress::LocalHost, 0);
        m_tcp.listen(QHostAddress::LocalHost, m_udp.localPort());
        connect(&m_udp, &QUdpSocket::readyRead, this, [this] {
            while (m_udp.hasPendingDatagrams()) {
                const QNetworkDatagram d = m_udp.receiveDatagram();
                ++udpQueries;
                const auto q = decode(d.data());
                if (!q)
                    continue;
                lastId = q->id;
                if (const auto a = answer(*q))
                    m_udp.writeDatagram(encode(*a, q->udpResponseLimit()), d.senderAddress(),
                                        quint16(d.senderPort()));
            }
        });
        connect(&m_tcp, &QTcpServer::newConnection, this, [this] {
            QTcpSocket *s = m_tcp.nextPendingConnection();
            connect(s, &QTcpSocket::readyRead, s, [this, s] {
                const QByteArray data = s->readAll();
                ++tcpQueries;
                if (const auto q = decode(data.mid(2)))
                    if (const auto a = answer(*q))
                        s->write(framed(encode(*a)));
            });
        });
    }
    Upstream address() const { return {QHostAddress::LocalHost, m_udp.localPort()}; }

    int udpQueries = 0;
    int tcpQueries = 0;
    quint16 lastId = 0;

private:
    std::optional<Message> answer(const Message &q) const
    {
        const QString name = q.questions.value(0).name;
        Message a = Message::responseTo(q);
        if (name.startsWith("slow."_L1))
            return std::nullopt;
        if (m_broken || name.startsWith("fail."_L1)) {
            a.rcode = ResponseCode::ServerFailure;
            return a;
        }
        const int count = name.startsWith("big."_L1) ? 40 : 1;
        if (q.questions.value(0).type == RecordType::A)
            for (int i = 0; i < count; ++i)
                a.answers.append(Record::address(name, 60, QHostAddress(0xc0000201 + i)));
        return a;
    }

    bool m_broken;
    QUdpSocket m_udp;
    QTcpServer m_tcp;
};

} // namespace

class TestDns : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<apiserver::ApiServer> m_apiServer;
    std::unique_ptr<apiserver::InProcessClient> m_api;
    std::unique_ptr<ClusterDns> m_cluster;
    std::unique_ptr<DnsServer> m_server;
    std::unique_ptr<FakeUpstream> m_upstream;

    client::Result<QJsonObject> call(const std::function<void(client::Callback<QJsonObject>)> &f)
    {
        std::optional<client::Result<QJsonObject>> result;
        f([&](client::Result<QJsonObject> r) { result = std::move(r); });
        if (!waitFor([&] { return result.has_value(); }, 10000))
            return std::unexpected(client::Error{0, u"Timeout"_s, u"no answer"_s, {}});
        return *result;
    }
    bool create(const client::Resource &r, const QJsonObject &object)
    {
        const auto created =
            call([&](auto done) { m_api->create(r, u"default"_s, object, {}, done); });
        if (!created)
            qWarning() << "create failed:" << created.error().message;
        return created.has_value();
    }
    bool remove(const client::Resource &r, const QString &name)
    {
        return call([&](auto done) { m_api->remove(r, u"default"_s, name, {}, done); }).has_value();
    }

    static QJsonObject service(const QString &name, const QJsonObject &spec)
    {
        return {{u"apiVersion"_s, u"v1"_s},
                {u"kind"_s, u"Service"_s},
                {u"metadata"_s, QJsonObject{{u"name"_s, name}, {u"namespace"_s, u"default"_s}}},
                {u"spec"_s, spec}};
    }
    static QJsonObject slice(const QString &name, const QString &service,
                             const QJsonArray &endpoints, const QJsonArray &ports)
    {
        return {
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
    static QJsonObject endpoint(const QString &ip, const QString &hostname = {},
                                std::optional<bool> ready = true)
    {
        QJsonObject e{{u"addresses"_s, QJsonArray{ip}}};
        if (!hostname.isEmpty())
            e.insert(u"hostname"_s, hostname);
        if (ready)
            e.insert(u"conditions"_s, QJsonObject{{u"ready"_s, *ready}});
        return e;
    }
    static QJsonObject port(const QString &name, int number, const QString &protocol = u"TCP"_s)
    {
        return {{u"name"_s, name}, {u"port"_s, number}, {u"protocol"_s, protocol}};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto started = test::startTestApiServer(m_dir.path());
        QVERIFY2(started, qPrintable(started ? QString() : started.error()));
        m_apiServer = std::move(*started);
        m_api = std::make_unique<apiserver::InProcessClient>(m_apiServer->store());

        QVERIFY(create(
            Services, service(u"web"_s, {{u"clusterIP"_s, u"10.96.5.5"_s},
                                         {u"ports"_s, QJsonArray{port(u"http"_s, 80),
                                                                 port(u"dns"_s, 53, u"UDP"_s)}}})));
        QVERIFY(
            create(Services, service(u"db"_s, {{u"clusterIP"_s, u"None"_s},
                                               {u"ports"_s, QJsonArray{port(u"pg"_s, 5432)}}})));
        QVERIFY(
            create(EndpointSlices, slice(u"db-abcde"_s, u"db"_s,
                                         QJsonArray{endpoint(u"10.244.1.5"_s, u"db-0"_s),
                                                    endpoint(u"10.244.1.6"_s, u"db-1"_s),
                                                    endpoint(u"10.244.1.7"_s, {}, false),
                                                    endpoint(u"10.244.1.8"_s, {}, std::nullopt)},
                                         QJsonArray{port(u"pg"_s, 5432)})));
        QVERIFY(create(Services, service(u"empty"_s, {{u"clusterIP"_s, u"None"_s},
                                                      {u"ports"_s, QJsonArray{port(u"x"_s, 1)}}})));
        QVERIFY(create(Services, service(u"ext"_s, {{u"type"_s, u"ExternalName"_s},
                                                    {u"externalName"_s, u"example.org"_s}})));
        QVERIFY(create(Services, service(u"alias"_s, {{u"type"_s, u"ExternalName"_s},
                                                      {u"externalName"_s,
                                                       u"web.default.svc.cluster.local"_s}})));
        QVERIFY(
            create(Services, service(u"many"_s, {{u"clusterIP"_s, u"None"_s},
                                                 {u"ports"_s, QJsonArray{port(u"http"_s, 80)}}})));
        QJsonArray many;
        for (int i = 1; i <= 40; ++i)
            many.append(endpoint(u"10.244.2.%1"_s.arg(i)));
        QVERIFY(create(EndpointSlices,
                       slice(u"many-abcde"_s, u"many"_s, many, QJsonArray{port(u"http"_s, 80)})));

        m_cluster = std::make_unique<ClusterDns>(*m_api);
        QSignalSpy synced(m_cluster.get(), &ClusterDns::synced);
        QTRY_VERIFY_WITH_TIMEOUT(m_cluster->hasSynced(), 10000);
        QCOMPARE(synced.size(), 1);

        m_upstream = std::make_unique<FakeUpstream>();
        m_server = std::make_unique<DnsServer>(*m_cluster);
        m_server->setUpstreams({m_upstream->address()});
        QVERIFY2(m_server->listen(QHostAddress::LocalHost, 0), qPrintable(m_server->errorString()));
    }

    void cleanupTestCase()
    {
        m_server.reset();
        m_cluster.reset();
        m_api.reset();
        m_apiServer.reset();
    }

    // --- the wire format ---

    void messagesSurviveTheWire_data()
    {
        QTest::addColumn<Message>("message");
        Message a = query(u"web.default.svc.cluster.local"_s, RecordType::A);
        QTest::newRow("query") << a;
        QTest::newRow("query with EDNS0") << query(u"x.example"_s, RecordType::AAAA, 4096);
        QTest::newRow("escaped label") << query(u"a\\.b.c\\\\d.example"_s, RecordType::TXT);
        QTest::newRow("root") << query(QString(), RecordType::NS);

        Message r = Message::responseTo(a);
        r.authoritative = true;
        r.answers = {
            Record::address(u"web.default.svc.cluster.local"_s, 5, QHostAddress(u"10.96.5.5"_s)),
            Record::address(u"web.default.svc.cluster.local"_s, 5, QHostAddress(u"fd00::5"_s)),
            Record::domainName(u"ext.default.svc.cluster.local"_s, RecordType::CNAME, 5,
                               u"example.org"_s),
            Record::srv(u"_http._tcp.web.default.svc.cluster.local"_s, 5,
                        SrvData{0, 100, 80, u"web.default.svc.cluster.local"_s}),
            Record::domainName(u"5.5.96.10.in-addr.arpa"_s, RecordType::PTR, 5,
                               u"web.default.svc.cluster.local"_s),
            Record{u"txt.example"_s, RecordType::TXT, ClassIn, 30, QByteArray("\x05hello")}};
        r.authority = {Record::soa(u"cluster.local"_s, 5,
                                   SoaData{u"ns.dns.cluster.local"_s, u"hostmaster.cluster.local"_s,
                                           1234, 7200, 1800, 86400, 5})};
        r.additional = {
            Record::address(u"web.default.svc.cluster.local"_s, 5, QHostAddress(u"10.96.5.5"_s))};
        QTest::newRow("response with every record type") << r;
        Message nx = Message::responseTo(query(u"nope.example"_s, RecordType::A, 1232),
                                         ResponseCode::NameError);
        QTest::newRow("NXDOMAIN with EDNS0") << nx;
    }

    void messagesSurviveTheWire()
    {
        QFETCH(Message, message);
        const auto decoded = decode(encode(message));
        QVERIFY2(decoded, qPrintable(decoded ? QString() : decoded.error().message));
        QCOMPARE(*decoded, message);
    }

    void repeatedNamesAreCompressed()
    {
        Message r = Message::responseTo(query(u"db.default.svc.cluster.local"_s, RecordType::A));
        for (int i = 1; i <= 3; ++i)
            r.answers.append(Record::address(u"db.default.svc.cluster.local"_s, 5,
                                             QHostAddress(0x0af40100 + i)));
        const QByteArray wire = encode(r);
        // header 12 + question (30 + 4) + 3 answers of pointer(2) + 10 + 4
        QCOMPARE(wire.size(), 12 + 34 + 3 * 16);
        QCOMPARE(decode(wire).value(), r);
    }

    void malformedMessagesAreRejected_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<bool>("hasHeader");
        const QByteArray header("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
        QTest::newRow("empty") << QByteArray() << false;
        QTest::newRow("shorter than a header") << QByteArray("\x12\x34\x01", 3) << false;
        QTest::newRow("question missing") << header << true;
        QTest::newRow("name past the end") << header + QByteArray("\x05web", 4) << true;
        QTest::newRow("type missing") << header + QByteArray("\x03web\x00\x00", 6) << true;
        QTest::newRow("pointer to itself")
            << header + QByteArray("\xc0\x0c\x00\x01\x00\x01", 6) << true;
        QTest::newRow("pointer forwards")
            << header + QByteArray("\xc0\x20\x00\x01\x00\x01", 6) << true;
        QTest::newRow("pointer loop") << header + QByteArray("\x01"
                                                             "a\xc0\x0c\x00\x01\x00\x01",
                                                             8)
                                      << true;
        QTest::newRow("extended label type")
            << header + QByteArray("\x41\x00\x00\x01\x00\x01", 6) << true;
        QByteArray longName;
        for (int i = 0; i < 5; ++i)
            longName += char(63) + QByteArray(63, 'a');
        QTest::newRow("name over 255 octets")
            << header + longName + QByteArray("\x00\x00\x01\x00\x01", 5) << true;
        QTest::newRow("trailing octets")
            << header + QByteArray("\x03web\x00\x00\x01\x00\x01zz", 11) << true;
        QByteArray answerHeader("\x12\x34\x81\x00\x00\x00\x00\x01\x00\x00\x00\x00", 12);
        QTest::newRow("A record of 5 octets")
            << answerHeader + QByteArray("\x00\x00\x01\x00\x01\x00\x00\x00\x05\x00\x05"
                                         "abcde",
                                         16)
            << true;
        QTest::newRow("record data past the end")
            << answerHeader + QByteArray("\x00\x00\x01\x00\x01\x00\x00\x00\x05\x00\x09"
                                         "abcd",
                                         15)
            << true;
        QTest::newRow("OPT in the answer section")
            << answerHeader + QByteArray("\x00\x00\x29\x10\x00\x00\x00\x00\x00\x00\x00", 11)
            << true;
        QByteArray twoOpts("\x12\x34\x01\x00\x00\x00\x00\x00\x00\x00\x00\x02", 12);
        const QByteArray opt("\x00\x00\x29\x10\x00\x00\x00\x00\x00\x00\x00", 11);
        QTest::newRow("two OPT records") << twoOpts + opt + opt << true;
    }

    void malformedMessagesAreRejected()
    {
        QFETCH(QByteArray, wire);
        QFETCH(bool, hasHeader);
        const auto decoded = decode(wire);
        QVERIFY(!decoded);
        QVERIFY(!decoded.error().message.isEmpty());
        QCOMPARE(decoded.error().header.has_value(), hasHeader);
        if (hasHeader)
            QCOMPARE(decoded.error().header->id, 0x1234);
    }

    void randomDamageNeverCrashesTheDecoder()
    {
        Message r =
            Message::responseTo(query(u"web.default.svc.cluster.local"_s, RecordType::SRV, 1232));
        r.answers = {Record::srv(u"web.default.svc.cluster.local"_s, 5,
                                 SrvData{0, 100, 80, u"web.default.svc.cluster.local"_s})};
        r.authority = {
            Record::soa(u"cluster.local"_s, 5,
                        SoaData{u"ns.dns.cluster.local"_s, u"hostmaster.cluster.local"_s})};
        const QByteArray good = encode(r);
        QRandomGenerator random(42);
        int rejected = 0;
        for (int i = 0; i < 20000; ++i) {
            QByteArray wire = good;
            const int flips = 1 + int(random.bounded(4));
            for (int f = 0; f < flips; ++f)
                wire[random.bounded(int(wire.size()))] = char(random.bounded(256));
            if (random.bounded(4) == 0)
                wire.truncate(random.bounded(int(wire.size())));
            if (!decode(wire))
                ++rejected;
        }
        QVERIFY(rejected > 0); // the damage was real
    }

    void oversizedMessagesAreTruncated()
    {
        Message r = Message::responseTo(query(u"many.example"_s, RecordType::A));
        for (int i = 0; i < 40; ++i)
            r.answers.append(Record::address(u"many.example"_s, 5, QHostAddress(0x0a000001 + i)));
        const QByteArray cut = encode(r, UdpPayloadLimit);
        QVERIFY(cut.size() <= UdpPayloadLimit);
        const auto decoded = decode(cut);
        QVERIFY(decoded);
        QVERIFY(decoded->truncated);
        QVERIFY(decoded->answers.size() < 40);
        QCOMPARE(decode(encode(r)).value().answers.size(), 40);
        QVERIFY(!decode(encode(r)).value().truncated);

        // Glue that does not fit is dropped without TC: the answer itself is whole.
        Message glue = Message::responseTo(query(u"srv.example"_s, RecordType::SRV));
        glue.answers = {Record::srv(u"srv.example"_s, 5, SrvData{0, 100, 80, u"t.example"_s})};
        for (int i = 0; i < 40; ++i)
            glue.additional.append(
                Record::address(u"t.example"_s, 5, QHostAddress(0x0a000001 + i)));
        const auto glueCut = decode(encode(glue, UdpPayloadLimit));
        QVERIFY(glueCut);
        QVERIFY(!glueCut->truncated);
        QCOMPARE(glueCut->answers.size(), 1);
        QVERIFY(glueCut->additional.size() < 40);
    }

    void udpLimitFollowsEdns_data()
    {
        QTest::addColumn<std::optional<quint16>>("edns");
        QTest::addColumn<int>("limit");
        QTest::newRow("no EDNS0") << std::optional<quint16>() << 512;
        QTest::newRow("EDNS0 4096") << std::optional<quint16>(4096) << 4096;
        QTest::newRow("EDNS0 below 512") << std::optional<quint16>(100) << 512;
    }

    void udpLimitFollowsEdns()
    {
        QFETCH(std::optional<quint16>, edns);
        QFETCH(int, limit);
        QCOMPARE(query(u"x"_s, RecordType::A, edns).udpResponseLimit(), limit);
    }

    // --- cluster records, over UDP and TCP ---

    void clusterNamesAreAnswered_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("rcode");
        QTest::addColumn<QStringList>("answers");
        QTest::addColumn<QStringList>("additional");
        QTest::addColumn<bool>("soa"); // the zone's SOA in the authority section
        const auto ok = int(ResponseCode::NoError);
        const auto nx = int(ResponseCode::NameError);
        const QString web = u"web.default.svc.cluster.local"_s;
        const QString db = u"db.default.svc.cluster.local"_s;

        QTest::newRow("ClusterIP service")
            << web << int(RecordType::A) << ok << QStringList{u"A 10.96.5.5"_s} << QStringList()
            << false;
        QTest::newRow("names are case-insensitive")
            << u"WEB.Default.SVC.Cluster.Local"_s << int(RecordType::A) << ok
            << QStringList{u"A 10.96.5.5"_s} << QStringList() << false;
        QTest::newRow("AAAA of an IPv4 service is NODATA")
            << web << int(RecordType::AAAA) << ok << QStringList() << QStringList() << true;
        QTest::newRow("headless service: its ready endpoints")
            << db << int(RecordType::A) << ok
            << QStringList{u"A 10.244.1.5"_s, u"A 10.244.1.6"_s, u"A 10.244.1.8"_s} << QStringList()
            << false;
        QTest::newRow("endpoint by hostname")
            << u"db-0.db.default.svc.cluster.local"_s << int(RecordType::A) << ok
            << QStringList{u"A 10.244.1.5"_s} << QStringList() << false;
        QTest::newRow("endpoint by dashed IP")
            << u"10-244-1-8.db.default.svc.cluster.local"_s << int(RecordType::A) << ok
            << QStringList{u"A 10.244.1.8"_s} << QStringList() << false;
        QTest::newRow("endpoint not ready")
            << u"10-244-1-7.db.default.svc.cluster.local"_s << int(RecordType::A) << nx
            << QStringList() << QStringList() << true;
        QTest::newRow("headless service without ready endpoints")
            << u"empty.default.svc.cluster.local"_s << int(RecordType::A) << nx << QStringList()
            << QStringList() << true;
        QTest::newRow("ExternalName is a CNAME")
            << u"ext.default.svc.cluster.local"_s << int(RecordType::CNAME) << ok
            << QStringList{u"CNAME example.org"_s} << QStringList() << false;
        QTest::newRow("ExternalName to a cluster service is followed")
            << u"alias.default.svc.cluster.local"_s << int(RecordType::A) << ok
            << QStringList{u"A 10.96.5.5"_s, u"CNAME web.default.svc.cluster.local"_s}
            << QStringList() << false;
        QTest::newRow("SRV of a named port")
            << u"_http._tcp.web.default.svc.cluster.local"_s << int(RecordType::SRV) << ok
            << QStringList{u"SRV 0 100 80 web.default.svc.cluster.local"_s}
            << QStringList{u"A 10.96.5.5"_s} << false;
        QTest::newRow("SRV of a UDP port")
            << u"_dns._udp.web.default.svc.cluster.local"_s << int(RecordType::SRV) << ok
            << QStringList{u"SRV 0 100 53 web.default.svc.cluster.local"_s}
            << QStringList{u"A 10.96.5.5"_s} << false;
        QTest::newRow("SRV with the wrong protocol")
            << u"_http._udp.web.default.svc.cluster.local"_s << int(RecordType::SRV) << nx
            << QStringList() << QStringList() << true;
        QTest::newRow("SRV of a headless service names each endpoint")
            << u"_pg._tcp.db.default.svc.cluster.local"_s << int(RecordType::SRV) << ok
            << QStringList{u"SRV 0 33 5432 10-244-1-8.db.default.svc.cluster.local"_s,
                           u"SRV 0 33 5432 db-0.db.default.svc.cluster.local"_s,
                           u"SRV 0 33 5432 db-1.db.default.svc.cluster.local"_s}
            << QStringList{u"A 10.244.1.5"_s, u"A 10.244.1.6"_s, u"A 10.244.1.8"_s} << false;
        QTest::newRow("SRV of the service name: every port")
            << web << int(RecordType::SRV) << ok
            << QStringList{u"SRV 0 50 53 web.default.svc.cluster.local"_s,
                           u"SRV 0 50 80 web.default.svc.cluster.local"_s}
            << QStringList{u"A 10.96.5.5"_s} << false;
        QTest::newRow("missing service")
            << u"nope.default.svc.cluster.local"_s << int(RecordType::A) << nx << QStringList()
            << QStringList() << true;
        QTest::newRow("missing namespace")
            << u"web.nowhere.svc.cluster.local"_s << int(RecordType::A) << nx << QStringList()
            << QStringList() << true;
        QTest::newRow("namespace exists") << u"default.svc.cluster.local"_s << int(RecordType::A)
                                          << ok << QStringList() << QStringList() << true;
        QTest::newRow("unknown name in the zone") << u"what.cluster.local"_s << int(RecordType::A)
                                                  << nx << QStringList() << QStringList() << true;
        QTest::newRow("pod by dashed IP")
            << u"10-244-1-9.default.pod.cluster.local"_s << int(RecordType::A) << ok
            << QStringList{u"A 10.244.1.9"_s} << QStringList() << false;
        QTest::newRow("pod name that is no IP")
            << u"10-244-1.default.pod.cluster.local"_s << int(RecordType::A) << nx << QStringList()
            << QStringList() << true;
        QTest::newRow("PTR of a ClusterIP")
            << u"5.5.96.10.in-addr.arpa"_s << int(RecordType::PTR) << ok
            << QStringList{u"PTR "_s + web} << QStringList() << false;
        QTest::newRow("PTR of an endpoint")
            << u"5.1.244.10.in-addr.arpa"_s << int(RecordType::PTR) << ok
            << QStringList{u"PTR db-0.db.default.svc.cluster.local"_s} << QStringList() << false;
        QTest::newRow("SOA of the zone")
            << u"cluster.local"_s << int(RecordType::SOA) << ok
            << QStringList{u"SOA ns.dns.cluster.local hostmaster.cluster.local 7200 1800 86400 5"_s}
            << QStringList() << false;
    }

    void clusterNamesAreAnswered()
    {
        QFETCH(QString, name);
        QFETCH(int, type);
        QFETCH(int, rcode);
        QFETCH(QStringList, answers);
        QFETCH(QStringList, additional);
        QFETCH(bool, soa);
        for (const bool tcp : {false, true}) {
            const Message q = query(name, quint16(type));
            const auto response = ask(m_server->port(), q, tcp);
            QVERIFY2(response, tcp ? "no answer over TCP" : "no answer over UDP");
            QCOMPARE(response->id, q.id);
            QVERIFY(response->response);
            QVERIFY(response->authoritative);
            QVERIFY(!response->truncated);
            QCOMPARE(int(response->rcode), rcode);
            QCOMPARE(response->questions, q.questions);
            QCOMPARE(shown(response->answers), answers);
            QCOMPARE(shown(response->additional), additional);
            for (const Record &r : response->answers) {
                QCOMPARE(r.ttl, ClusterDns::Ttl);
                if (r.type != RecordType::A || !name.startsWith("alias"_L1))
                    QCOMPARE(r.name, name); // as asked, case included
            }
            QCOMPARE(response->authority.size(), soa ? 1 : 0);
            if (soa) {
                QCOMPARE(response->authority[0].name, u"cluster.local"_s);
                QCOMPARE(show(response->authority[0]),
                         u"SOA ns.dns.cluster.local hostmaster.cluster.local 7200 1800 86400 5"_s);
            }
        }
    }

    void answersFollowTheCluster()
    {
        const Message q = query(u"later.default.svc.cluster.local"_s, RecordType::A);
        QCOMPARE(int(m_cluster->answer(q)->rcode), int(ResponseCode::NameError));
        QVERIFY(create(Services, service(u"later"_s, {{u"clusterIP"_s, u"10.96.7.7"_s},
                                                      {u"ports"_s, QJsonArray{port(u"a"_s, 1)}}})));
        QTRY_COMPARE_WITH_TIMEOUT(shown(m_cluster->answer(q)->answers),
                                  QStringList{u"A 10.96.7.7"_s}, 5000);
        QVERIFY(remove(Services, u"later"_s));
        QTRY_COMPARE_WITH_TIMEOUT(int(m_cluster->answer(q)->rcode), int(ResponseCode::NameError),
                                  5000);
    }

    void namesOutsideTheClusterAreNotItsOwn()
    {
        QVERIFY(!m_cluster->answer(query(u"example.org"_s, RecordType::A)));
        QVERIFY(!m_cluster->answer(query(u"cluster.local.example.org"_s, RecordType::A)));
        QVERIFY(!m_cluster->answer(query(u"1.2.0.192.in-addr.arpa"_s, RecordType::PTR)));
    }

    // --- the server ---

    void oversizedUdpAnswersAreTruncated()
    {
        const QString name = u"many.default.svc.cluster.local"_s;
        const auto udp = ask(m_server->port(), query(name, RecordType::A), false);
        QVERIFY(udp);
        QVERIFY(udp->truncated);
        QVERIFY(udp->answers.size() < 40);
        const auto tcp = ask(m_server->port(), query(name, RecordType::A), true);
        QVERIFY(tcp);
        QVERIFY(!tcp->truncated);
        QCOMPARE(tcp->answers.size(), 40);
        const auto edns = ask(m_server->port(), query(name, RecordType::A, 4096), false);
        QVERIFY(edns);
        QVERIFY(!edns->truncated);
        QCOMPARE(edns->answers.size(), 40);
        QCOMPARE(edns->ednsUdpSize.has_value(), true);
    }

    void severalQueriesShareOneTcpConnection()
    {
        const Message a = query(u"web.default.svc.cluster.local"_s, RecordType::A);
        const Message b = query(u"example.org"_s, RecordType::A);
        const QList<QByteArray> answers =
            exchangeTcp(m_server->port(), framed(encode(a)) + framed(encode(b)), 2);
        QCOMPARE(answers.size(), 2);
        QSet<quint16> ids;
        for (const QByteArray &wire : answers)
            ids.insert(decode(wire).value().id);
        QCOMPARE(ids, (QSet<quint16>{a.id, b.id}));
    }

    void malformedQueriesGetFormErr()
    {
        const QByteArray garbage("\xbe\xef\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07oops", 17);
        const auto response = decode(exchangeUdp(m_server->port(), garbage));
        QVERIFY(response);
        QCOMPARE(response->id, 0xbeef);
        QVERIFY(response->response);
        QCOMPARE(int(response->rcode), int(ResponseCode::FormatError));

        Message two = query(u"a.example"_s, RecordType::A);
        two.questions.append(Question{u"b.example"_s, RecordType::A, ClassIn});
        const auto twoResponse = ask(m_server->port(), two, false);
        QVERIFY(twoResponse);
        QCOMPARE(int(twoResponse->rcode), int(ResponseCode::FormatError));

        Message notify = query(u"cluster.local"_s, RecordType::SOA);
        notify.opcode = 4;
        const auto notifyResponse = ask(m_server->port(), notify, true);
        QVERIFY(notifyResponse);
        QCOMPARE(int(notifyResponse->rcode), int(ResponseCode::NotImplemented));
    }

    void otherNamesAreForwardedUpstream_data()
    {
        QTest::addColumn<bool>("tcp");
        QTest::newRow("UDP") << false;
        QTest::newRow("TCP") << true;
    }

    void otherNamesAreForwardedUpstream()
    {
        QFETCH(bool, tcp);
        const int before = m_upstream->udpQueries;
        const Message q = query(u"Example.ORG"_s, RecordType::A);
        const auto response = ask(m_server->port(), q, tcp);
        QVERIFY(response);
        QCOMPARE(response->id, q.id);
        QCOMPARE(int(response->rcode), int(ResponseCode::NoError));
        QCOMPARE(shown(response->answers), QStringList{u"A 192.0.2.1"_s});
        QCOMPARE(m_upstream->udpQueries, before + 1);

        const auto ptr =
            ask(m_server->port(), query(u"1.2.0.192.in-addr.arpa"_s, RecordType::PTR), tcp);
        QVERIFY(ptr);
        QCOMPARE(m_upstream->udpQueries, before + 2); // not a cluster address: upstream's
    }

    void externalNameIsFollowedUpstream()
    {
        const auto response =
            ask(m_server->port(), query(u"ext.default.svc.cluster.local"_s, RecordType::A), false);
        QVERIFY(response);
        QCOMPARE(int(response->rcode), int(ResponseCode::NoError));
        QCOMPARE(response->answers.size(), 2);
        QCOMPARE(show(response->answers[0]), u"CNAME example.org"_s);
        QCOMPARE(show(response->answers[1]), u"A 192.0.2.1"_s);
    }

    void bigUpstreamAnswersAreTruncatedOverUdpAndWholeOverTcp()
    {
        const auto udp = ask(m_server->port(), query(u"big.example"_s, RecordType::A), false);
        QVERIFY(udp);
        QVERIFY(udp->truncated);
        const int tcpBefore = m_upstream->tcpQueries;
        const auto tcp = ask(m_server->port(), query(u"big.example"_s, RecordType::A), true);
        QVERIFY(tcp);
        QVERIFY(!tcp->truncated);
        QCOMPARE(tcp->answers.size(), 40);
        QCOMPARE(m_upstream->tcpQueries, tcpBefore + 1); // the truncated UDP answer was retried
    }

    void silentUpstreamMeansServfail()
    {
        m_server->setUpstreamTimeout(std::chrono::milliseconds(300));
        QElapsedTimer timer;
        timer.start();
        const Message q = query(u"slow.example"_s, RecordType::A);
        const auto response = ask(m_server->port(), q, false);
        m_server->setUpstreamTimeout(std::chrono::milliseconds(2000));
        QVERIFY(response);
        QCOMPARE(response->id, q.id);
        QCOMPARE(int(response->rcode), int(ResponseCode::ServerFailure));
        QVERIFY(timer.elapsed() >= 250);
    }

    void failingUpstreamIsSkipped()
    {
        FakeUpstream broken(true);
        m_server->setUpstreams({broken.address(), m_upstream->address()});
        const auto response = ask(m_server->port(), query(u"example.net"_s, RecordType::A), false);
        m_server->setUpstreams({m_upstream->address()});
        QVERIFY(response);
        QCOMPARE(broken.udpQueries, 1);
        QCOMPARE(int(response->rcode), int(ResponseCode::NoError));
        QCOMPARE(shown(response->answers), QStringList{u"A 192.0.2.1"_s});

        const auto fail = ask(m_server->port(), query(u"fail.example"_s, RecordType::A), false);
        QVERIFY(fail);
        QCOMPARE(int(fail->rcode), int(ResponseCode::ServerFailure)); // relayed as it came
    }

    void upstreamsDefaultToResolvConf()
    {
        QTemporaryDir dir;
        QFile file(dir.filePath(u"resolv.conf"_s));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("# Docker\nsearch example.org\nnameserver 127.0.0.11\n"
                   "options ndots:0\nnameserver   fd00::53  \nnameserver bogus\n");
        file.close();
        const QList<Upstream> upstreams = DnsServer::resolvConfNameservers(file.fileName());
        QCOMPARE(upstreams.size(), 2);
        QCOMPARE(upstreams[0], Upstream(QHostAddress(u"127.0.0.11"_s), 53));
        QCOMPARE(upstreams[1], Upstream(QHostAddress(u"fd00::53"_s), 53));
    }
};

QTEST_GUILESS_MAIN(TestDns)
#include "tst_dns.moc"
