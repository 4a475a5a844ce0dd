#include "http/httpserver.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QPointer>
#include <QProcess>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTimeZone>

#include <array>
#include <functional>
#include <memory>
#include <optional>

using namespace timonel::http;
using namespace std::chrono_literals;

namespace {

constexpr int kTimeoutMs = 10'000;

struct Response
{
    int status = 0;
    QByteArray head;
    QByteArray body;
    QByteArray header(QByteArrayView name) const
    {
        for (const QByteArray &line : head.split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0 &&
                QByteArrayView(line).first(colon).compare(name, Qt::CaseInsensitive) == 0)
                return line.sliced(colon + 1).trimmed();
        }
        return {};
    }
};

// Decodes complete chunks from the front of `buffer` into `out`; true once the last chunk and
// its (empty) trailer section arrived.
bool takeChunks(QByteArray &buffer, QByteArray &out)
{
    for (;;) {
        const qsizetype lineEnd = buffer.indexOf("\r\n");
        if (lineEnd < 0)
            return false;
        bool ok = false;
        const qint64 size = buffer.first(lineEnd).toLongLong(&ok, 16);
        if (!ok)
            qFatal("bad chunk size line: %s", buffer.first(lineEnd).constData());
        if (size == 0) {
            if (buffer.size() < lineEnd + 4)
                return false;
            buffer.remove(0, lineEnd + 4);
            return true;
        }
        if (buffer.size() < lineEnd + 2 + size + 2)
            return false;
        out += buffer.sliced(lineEnd + 2, size);
        buffer.remove(0, lineEnd + 2 + size + 2);
    }
}

// One response from the front of `buffer`, once complete.
std::optional<Response> takeResponse(QByteArray &buffer, bool noBody = false)
{
    const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return std::nullopt;
    Response r;
    r.head = buffer.first(headEnd + 2);
    r.status = r.head.mid(9, 3).toInt();
    QByteArray rest = buffer.sliced(headEnd + 4);
    noBody = noBody || r.status < 200 || r.status == 204 || r.status == 304;
    if (!noBody && r.header("Transfer-Encoding") == "chunked") {
        if (!takeChunks(rest, r.body))
            return std::nullopt;
    } else if (!noBody) {
        const qsizetype length = r.header("Content-Length").toLongLong();
        if (rest.size() < length)
            return std::nullopt;
        r.body = rest.first(length);
        rest.remove(0, length);
    }
    buffer = rest;
    return r;
}

struct TlsFiles
{
    QSslCertificate ca;
    QSslCertificate serverCertificate;
    QSslKey serverKey;
    QSslCertificate clientCertificate; // CN=alice, signed by the CA
    QSslKey clientKey;
    QSslCertificate strangerCertificate; // CN=mallory, signed by another CA
    QSslKey strangerKey;
};

enum class Identity
{
    Anonymous,
    Client,
    Stranger
};

// A test client on its own socket (QSslSocket speaks plain TCP until encryption starts).
class Client
{
public:
    QSslSocket socket;
    QByteArray buffer;

    // Reads as bytes arrive, as real clients do: a QSslSocket that sees the connection end
    // drops what it decrypted but nobody read.
    Client()
    {
        QObject::connect(&socket, &QIODevice::readyRead, &socket,
                         [this] { buffer += socket.readAll(); });
    }

    bool connect(quint16 port, const TlsFiles *tls, Identity identity = Identity::Client,
                 const QList<QByteArray> &alpn = {})
    {
        if (!tls) {
            socket.connectToHost(QHostAddress::LocalHost, port);
            return QTest::qWaitFor(
                [&] { return socket.state() == QAbstractSocket::ConnectedState; }, kTimeoutMs);
        }
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setCaCertificates({tls->ca});
        if (identity == Identity::Client) {
            config.setLocalCertificate(tls->clientCertificate);
            config.setPrivateKey(tls->clientKey);
        } else if (identity == Identity::Stranger) {
            config.setLocalCertificate(tls->strangerCertificate);
            config.setPrivateKey(tls->strangerKey);
        }
        if (!alpn.isEmpty())
            config.setAllowedNextProtocols(alpn);
        socket.setSslConfiguration(config);
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port,
                                      QStringLiteral("localhost"));
        return QTest::qWaitFor([&] { return socket.isEncrypted(); }, kTimeoutMs);
    }

    void send(const QByteArray &data) { socket.write(data); }

    std::optional<Response> response(bool noBody = false)
    {
        std::optional<Response> r;
        (void)QTest::qWaitFor(
            [&] {
                buffer += socket.readAll();
                r = takeResponse(buffer, noBody);
                return r.has_value();
            },
            kTimeoutMs);
        return r;
    }

    // Waits until `done` holds for what was received (and not yet taken).
    bool waitBuffer(const std::function<bool(QByteArray &)> &done)
    {
        return QTest::qWaitFor(
            [&] {
                buffer += socket.readAll();
                return done(buffer);
            },
            kTimeoutMs);
    }

    bool waitClosedByServer()
    {
        return QTest::qWaitFor(
            [&] {
                buffer += socket.readAll();
                return socket.state() == QAbstractSocket::UnconnectedState;
            },
            kTimeoutMs);
    }
};

QByteArray get(const QByteArray &target, const QByteArray &extra = {})
{
    return "GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extra + "\r\n";
}

QByteArray post(const QByteArray &target, const QByteArray &body)
{
    return "POST " + target +
           " HTTP/1.1\r\nHost: test\r\nContent-Length: " + QByteArray::number(body.size()) +
           "\r\n\r\n" + body;
}

// Answers with the method, path and body it saw.
void echo(HttpExchange *exchange)
{
    const HttpRequest &r = exchange->request();
    exchange->respond(
        200, {{"Content-Type", "text/plain"}, {"X-Method", r.method}, {"X-Path", r.path.toUtf8()}},
        r.body);
}

} // namespace

class TestHttpServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void keepAliveServesSeveralRequestsOnOneConnection_data() { transports(); }
    void keepAliveServesSeveralRequestsOnOneConnection();
    void parsesRequests_data();
    void parsesRequests();
    void refusesMalformedRequestsAndCloses_data();
    void refusesMalformedRequestsAndCloses();
    void responseHeadCarriesDateLengthAndHandlerHeaders();
    void headResponseCarriesLengthWithoutBody();
    void connectionCloseIsHonoured_data();
    void connectionCloseIsHonoured();
    void expectContinueGets100BeforeTheBody_data() { transports(); }
    void expectContinueGets100BeforeTheBody();
    void bodyOverTheLimitGets413WithoutBeingRead_data();
    void bodyOverTheLimitGets413WithoutBeingRead();
    void streamDeliversChunksBeforeItEnds_data() { transports(); }
    void streamDeliversChunksBeforeItEnds();
    void streamCountsWhatAClientDoesNotRead_data() { transports(); }
    void streamCountsWhatAClientDoesNotRead();
    void clientGoneWhenTheClientLeavesBeforeTheEnd_data();
    void clientGoneWhenTheClientLeavesBeforeTheEnd();
    void takenSocketKeepsBytesSentAfterTheHead_data() { transports(); }
    void takenSocketKeepsBytesSentAfterTheHead();
    void clientCertificateCountsOnlyWhenVerified_data();
    void clientCertificateCountsOnlyWhenVerified();
    void onlyHttp11IsOfferedByAlpn();
    void idleAndSlowConnectionsAreClosedButStreamsStay();
    void smallPostsFromFourConcurrentClients_data() { transports(); }
    void smallPostsFromFourConcurrentClients();

private:
    void transports();
    const TlsFiles *tlsFor(bool tls);
    std::unique_ptr<HttpServer> startServer(bool tls, HttpServer::Handler handler,
                                            const QList<QByteArray> &alpn = {});

    QTemporaryDir m_dir;
    std::optional<TlsFiles> m_tls;
    QString m_tlsError;
};

namespace {

std::expected<void, QString> openssl(const QString &dir, const QStringList &arguments)
{
    QProcess process;
    process.setWorkingDirectory(dir);
    process.start(QStringLiteral("openssl"), arguments);
    if (!process.waitForFinished(30'000) || process.exitCode() != 0)
        return std::unexpected(
            QStringLiteral("openssl %1 failed: %2")
                .arg(arguments.join(' '), QString::fromLocal8Bit(process.readAllStandardError())));
    return {};
}

// A key and a certificate signed by `ca` (self-signed when `ca` is empty), as PEM files.
std::expected<void, QString> makeCertificate(const QString &dir, const QString &name,
                                             const QString &subject, const QString &ca,
                                             const QByteArray &extensions)
{
    const QStringList key = {"-newkey", "ec",      "-pkeyopt",    "ec_paramgen_curve:prime256v1",
                             "-nodes",  "-keyout", name + ".key", "-subj",
                             subject};
    if (ca.isEmpty())
        return openssl(dir, QStringList{"req", "-x509", "-days", "2", "-out", name + ".crt",
                                        "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
                                        "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"} +
                                key);
    if (auto r = openssl(dir, QStringList{"req", "-new", "-out", name + ".csr"} + key); !r)
        return r;
    QFile ext(dir + '/' + name + ".ext");
    if (!ext.open(QIODevice::WriteOnly) || ext.write(extensions) != extensions.size())
        return std::unexpected(QStringLiteral("cannot write %1").arg(ext.fileName()));
    ext.close();
    return openssl(dir, {"x509", "-req", "-days", "2", "-in", name + ".csr", "-CA", ca + ".crt",
                         "-CAkey", ca + ".key", "-CAcreateserial", "-out", name + ".crt",
                         "-extfile", name + ".ext"});
}

} // namespace

void TestHttpServer::initTestCase()
{
    QVERIFY(m_dir.isValid());
    if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty()) {
        m_tlsError = QStringLiteral("the openssl command is needed to make test certificates");
        return;
    }
    const QString dir = m_dir.path();
    const QByteArray client = "keyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n";
    for (auto r :
         {makeCertificate(dir, "ca", "/CN=test-ca", {}, {}),
          makeCertificate(dir, "other-ca", "/CN=other-ca", {}, {}),
          makeCertificate(dir, "server", "/CN=localhost", "ca",
                          "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                          "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"),
          makeCertificate(dir, "client", "/O=system:masters/CN=alice", "ca", client),
          makeCertificate(dir, "stranger", "/O=system:masters/CN=mallory", "other-ca", client)}) {
        if (!r) {
            m_tlsError = r.error();
            return;
        }
    }
    auto read = [&](const QString &name) {
        QFile f(dir + '/' + name);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    TlsFiles files;
    files.ca = QSslCertificate(read("ca.crt"));
    files.serverCertificate = QSslCertificate(read("server.crt"));
    files.serverKey = QSslKey(read("server.key"), QSsl::Ec);
    files.clientCertificate = QSslCertificate(read("client.crt"));
    files.clientKey = QSslKey(read("client.key"), QSsl::Ec);
    files.strangerCertificate = QSslCertificate(read("stranger.crt"));
    files.strangerKey = QSslKey(read("stranger.key"), QSsl::Ec);
    QVERIFY(!files.ca.isNull() && !files.serverCertificate.isNull() && !files.serverKey.isNull());
    QVERIFY(!files.clientKey.isNull() && !files.strangerKey.isNull());
    m_tls = files;
}

void TestHttpServer::transports()
{
    QTest::addColumn<bool>("tls");
    QTest::newRow("plain") << false;
    QTest::newRow("tls") << true;
}

const TlsFiles *TestHttpServer::tlsFor(bool tls)
{
    if (tls && !m_tls)
        qWarning("%s", qPrintable(m_tlsError));
    return tls && m_tls ? &*m_tls : nullptr;
}

std::unique_ptr<HttpServer> TestHttpServer::startServer(bool tls, HttpServer::Handler handler,
                                                        const QList<QByteArray> &alpn)
{
    auto server = std::make_unique<HttpServer>(std::move(handler));
    std::expected<void, QString> listening;
    if (tls) {
        if (!m_tls) {
            qWarning("%s", qPrintable(m_tlsError));
            return nullptr;
        }
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setLocalCertificate(m_tls->serverCertificate);
        config.setPrivateKey(m_tls->serverKey);
        config.setCaCertificates({m_tls->ca});
        config.setPeerVerifyMode(QSslSocket::QueryPeer);
        config.setAllowedNextProtocols(alpn);
        listening = server->listen(QHostAddress::LocalHost, 0, config);
    } else {
        listening = server->listenPlain(QHostAddress::LocalHost, 0);
    }
    if (!listening) {
        qWarning("%s", qPrintable(listening.error()));
        return nullptr;
    }
    return server;
}

// Starts `server` for the row's transport and connects `client` to it, or fails the test.
#define START(server, client, handler)                                                             \
    QFETCH(bool, tls);                                                                             \
    auto server = startServer(tls, handler);                                                       \
    QVERIFY2(server, "the server did not start");                                                  \
    Client client;                                                                                 \
    QVERIFY(client.connect(server->port(), tlsFor(tls)))

void TestHttpServer::keepAliveServesSeveralRequestsOnOneConnection()
{
    int handled = 0;
    int inFlight = 0;
    int mostInFlight = 0;
    START(server, client, [&](HttpExchange *e) {
        ++handled;
        if (!e->request().path.startsWith(u"/later"))
            return echo(e);
        mostInFlight = std::max(mostInFlight, ++inFlight);
        QTimer::singleShot(0, e, [&, e] {
            --inFlight;
            echo(e);
        });
    });
    for (int i = 0; i < 3; ++i) {
        client.send(post("/one/" + QByteArray::number(i), "body " + QByteArray::number(i)));
        const auto r = client.response();
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->header("X-Path"), "/one/" + QByteArray::number(i));
        QCOMPARE(r->body, "body " + QByteArray::number(i));
        QVERIFY(!r->header("Date").isEmpty());
    }
    // Pipelined: answered in order, each after the previous one.
    client.send(post("/a", "first") + get("/b") + post("/c", "third"));
    for (const auto &[path, body] :
         {std::pair<QByteArray, QByteArray>{"/a", "first"}, {"/b", ""}, {"/c", "third"}}) {
        const auto r = client.response();
        QVERIFY(r);
        QCOMPARE(r->header("X-Path"), path);
        QCOMPARE(r->body, body);
        QCOMPARE(r->header("Content-Length"), QByteArray::number(body.size()));
    }
    // Pipelined to a handler answering later: the next request waits for the answer.
    client.send(get("/later/1") + post("/later/2", "two") + get("/later/3"));
    for (const QByteArray path : {"/later/1", "/later/2", "/later/3"}) {
        const auto r = client.response();
        QVERIFY(r);
        QCOMPARE(r->header("X-Path"), path);
    }
    QCOMPARE(mostInFlight, 1);
    QCOMPARE(handled, 9);
    QCOMPARE(server->connectionCount(), 1);
    QCOMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
}

void TestHttpServer::parsesRequests_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("queryKey");
    QTest::addColumn<QString>("queryValue");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType"); // looked up as "content-TYPE"

    QTest::newRow("Go-encoded label selector")
        << get("/api/v1/pods?limit=500&labelSelector=app+in+%28a%2Cb%29") << QByteArray("GET")
        << "/api/v1/pods"
        << "labelSelector"
        << "app in (a,b)" << QByteArray() << QByteArray();
    QTest::newRow("escaped plus stays a plus")
        << get("/api/v1/pods?fieldSelector=a%2Bb%3Dc") << QByteArray("GET") << "/api/v1/pods"
        << "fieldSelector"
        << "a+b=c" << QByteArray() << QByteArray();
    QTest::newRow("percent-decoded path")
        << get("/api/v1/namespaces/caf%C3%A9/pods/a%2Fb") << QByteArray("GET")
        << QString::fromUtf8("/api/v1/namespaces/café/pods/a/b") << ""
        << "" << QByteArray() << QByteArray();
    QTest::newRow("content-length body")
        << QByteArray("POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Type: "
                      "application/json\r\nContent-Length: 13\r\n\r\n{\"kind\":\"Ns\"}")
        << QByteArray("POST") << "/api/v1/namespaces"
        << ""
        << "" << QByteArray("{\"kind\":\"Ns\"}") << QByteArray("application/json");
    QTest::newRow("chunked body with extensions and trailers")
        << QByteArray("PATCH /x?dryRun=All HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                      "\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\nA\r\n in chunks\r\n0\r\n"
                      "X-Trailer: yes\r\n\r\n")
        << QByteArray("PATCH") << "/x"
        << "dryRun"
        << "All" << QByteArray("Wikipedia in chunks") << QByteArray();
    QTest::newRow("bare line feeds and lower-case names")
        << QByteArray(
               "PUT /y HTTP/1.1\nhost: x\ncontent-type: text/plain\ncontent-length: 3\n\nabc")
        << QByteArray("PUT") << "/y"
        << ""
        << "" << QByteArray("abc") << QByteArray("text/plain");
    QTest::newRow("empty line before the request")
        << "\r\n" + get("/z") << QByteArray("GET") << "/z"
        << ""
        << "" << QByteArray() << QByteArray();
    QTest::newRow("absolute form")
        << get("http://example:8080/api?watch=1") << QByteArray("GET") << "/api"
        << "watch"
        << "1" << QByteArray() << QByteArray();
    QTest::newRow("HTTP/1.0 without Host")
        << QByteArray("DELETE /old HTTP/1.0\r\n\r\n") << QByteArray("DELETE") << "/old"
        << ""
        << "" << QByteArray() << QByteArray();
}

void TestHttpServer::parsesRequests()
{
    QFETCH(QByteArray, raw);
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QString, queryKey);
    QFETCH(QString, queryValue);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);

    std::optional<HttpRequest> seen;
    HttpServer server([&](HttpExchange *e) {
        seen = e->request();
        e->respond(204, {}, {});
    });
    QVERIFY(server.listenPlain(QHostAddress::LocalHost, 0));
    Client client;
    QVERIFY(client.connect(server.port(), nullptr));
    client.send(raw);
    const auto r = client.response();
    QVERIFY(r);
    QCOMPARE(r->status, 204);
    QVERIFY(seen);
    QCOMPARE(seen->method, method);
    QCOMPARE(seen->path, path);
    if (!queryKey.isEmpty())
        QCOMPARE(seen->query.queryItemValue(queryKey, QUrl::FullyDecoded), queryValue);
    QCOMPARE(seen->body, body);
    QCOMPARE(seen->header("content-TYPE"), contentType);
    QCOMPARE(seen->peerAddress, QHostAddress(QHostAddress::LocalHost));
    QVERIFY(seen->clientCertificate.isNull());
}

void TestHttpServer::refusesMalformedRequestsAndCloses_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("status");

    const QByteArray host = "Host: x\r\n";
    QTest::newRow("garbage") << QByteArray("hello\r\n\r\n") << 400;
    QTest::newRow("no version") << QByteArray("GET /\r\n\r\n") << 400;
    QTest::newRow("space in target") << QByteArray("GET /a b HTTP/1.1\r\n" + host + "\r\n") << 400;
    QTest::newRow("bad protocol") << QByteArray("GET / HTTX/1.1\r\n" + host + "\r\n") << 400;
    QTest::newRow("HTTP/2") << QByteArray("GET / HTTP/2.0\r\n" + host + "\r\n") << 505;
    QTest::newRow("relative target") << get("api/v1") << 400;
    QTest::newRow("invalid escape") << get("/api/v1/%zz") << 400;
    QTest::newRow("space before colon") << get("/", "X-A : 1\r\n") << 400;
    QTest::newRow("folded header") << get("/", "X-A: 1\r\n  more\r\n") << 400;
    QTest::newRow("control character in value") << get("/", "X-A: a\x01z\r\n") << 400;
    QTest::newRow("missing Host") << QByteArray("GET / HTTP/1.1\r\n\r\n") << 400;
    QTest::newRow("two Hosts") << get("/", host) << 400;
    QTest::newRow("bad length") << get("/", "Content-Length: 12a\r\n") << 400;
    QTest::newRow("conflicting lengths")
        << get("/", "Content-Length: 1\r\nContent-Length: 2\r\n") << 400;
    QTest::newRow("both framings")
        << get("/", "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n") + "3\r\nabc\r\n0\r\n\r\n"
        << 400;
    QTest::newRow("unknown transfer coding") << get("/", "Transfer-Encoding: gzip\r\n") << 501;
    QTest::newRow("bad chunk size") << get("/", "Transfer-Encoding: chunked\r\n") + "zz\r\nabc\r\n"
                                    << 400;
    QTest::newRow("chunk longer than announced")
        << get("/", "Transfer-Encoding: chunked\r\n") + "3\r\nabcde\r\n0\r\n\r\n"
        << 400;
    QTest::newRow("unknown expectation") << get("/", "Expect: 200-ok\r\n") << 417;
    QTest::newRow("request line over 64 KiB") << get("/" + QByteArray(70'000, 'a')) << 414;
    QByteArray huge;
    for (int i = 0; i < 20; ++i)
        huge += "X-Big-" + QByteArray::number(i) + ": " + QByteArray(60'000, 'b') + "\r\n";
    QTest::newRow("head over 1 MiB") << get("/", huge) << 431;
}

void TestHttpServer::refusesMalformedRequestsAndCloses()
{
    QFETCH(QByteArray, raw);
    QFETCH(int, status);

    int handled = 0;
    HttpServer server([&](HttpExchange *e) {
        ++handled;
        echo(e);
    });
    QVERIFY(server.listenPlain(QHostAddress::LocalHost, 0));
    Client client;
    QVERIFY(client.connect(server.port(), nullptr));
    client.send(raw);
    const auto r = client.response();
    QVERIFY(r);
    QCOMPARE(r->status, status);
    QCOMPARE(r->header("Connection"), "close");
    QVERIFY(r->body.startsWith(QByteArray::number(status) + ' '));
    QVERIFY(client.waitClosedByServer());
    QCOMPARE(handled, 0);
    QTRY_COMPARE(server.connectionCount(), 0);
}

void TestHttpServer::responseHeadCarriesDateLengthAndHandlerHeaders()
{
    QTest::ignoreMessage(QtWarningMsg, "dropping invalid response header \"X-Forged\"");
    HttpServer server([](HttpExchange *e) {
        e->respond(201,
                   {{"Content-Type", "application/json"},
                    {"Content-Length", "999"},
                    {"Transfer-Encoding", "chunked"},
                    {"X-Forged", "a\r\nSet-Cookie: x=1"},
                    {"Audit-Id", "42"}},
                   "{}");
    });
    QVERIFY(server.listenPlain(QHostAddress::LocalHost, 0));
    Client client;
    QVERIFY(client.connect(server.port(), nullptr));
    client.send(get("/"));
    const auto r = client.response();
    QVERIFY(r);
    const QByteArray date = r->header("Date");
    QDateTime when = QDateTime::fromString(QString::fromLatin1(date),
                                           QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"));
    when.setTimeZone(QTimeZone::UTC);
    QVERIFY2(when.isValid(), date);
    QVERIFY2(qAbs(when.secsTo(QDateTime::currentDateTimeUtc())) < 60, date);
    QCOMPARE(r->head, "HTTP/1.1 201 Created\r\nDate: " + date +
                          "\r\nContent-Type: application/json\r\nAudit-Id: 42\r\n"
                          "Content-Length: 2\r\n");
    QCOMPARE(r->body, "{}");
}

void TestHttpServer::headResponseCarriesLengthWithoutBody()
{
    HttpServer server([](HttpExchange *e) { e->respond(200, {}, "hello"); });
    QVERIFY(server.listenPlain(QHostAddress::LocalHost, 0));
    Client client;
    QVERIFY(client.connect(server.port(), nullptr));
    client.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" + get("/"));
    const auto head = client.response(true);
    QVERIFY(head);
    QCOMPARE(head->header("Content-Length"), "5");
    // Were the HEAD body sent, it would show up in front of the next response.
    const auto r = client.response();
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, "hello");
}

void TestHttpServer::connectionCloseIsHonoured_data()
{
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("connectionHeader");
    QTest::addColumn<bool>("closes");

    for (bool tls : {false, true}) {
        const char *transport = tls ? "tls" : "plain";
        QTest::addRow("%s HTTP/1.1 keeps alive", transport)
            << tls << get("/") << QByteArray() << false;
        QTest::addRow("%s HTTP/1.1 asking to close", transport)
            << tls << get("/", "Connection: close\r\n") << QByteArray("close") << true;
        QTest::addRow("%s HTTP/1.0 closes", transport)
            << tls << QByteArray("GET / HTTP/1.0\r\n\r\n") << QByteArray("close") << true;
        QTest::addRow("%s HTTP/1.0 asking to keep alive", transport)
            << tls << QByteArray("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
            << QByteArray("keep-alive") << false;
        QTest::addRow("%s handler asking to close", transport)
            << tls << get("/handler-closes") << QByteArray("close") << true;
    }
}

void TestHttpServer::connectionCloseIsHonoured()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, connectionHeader);
    QFETCH(bool, closes);

    START(server, client, [](HttpExchange *e) {
        if (e->request().path == "/handler-closes")
            e->respond(200, {{"Connection", "close"}}, "bye");
        else
            e->respond(200, {}, "ok");
    });
    for (int i = 0; i < (closes ? 1 : 2); ++i) {
        client.send(request);
        const auto r = client.response();
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QCOMPARE(r->header("Connection"), connectionHeader);
    }
    if (closes)
        QVERIFY(client.waitClosedByServer());
    else
        QCOMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
}

void TestHttpServer::expectContinueGets100BeforeTheBody()
{
    int handled = 0;
    START(server, client, [&](HttpExchange *e) {
        ++handled;
        echo(e);
    });
    client.send("PUT /p HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    const auto interim = client.response();
    QVERIFY(interim);
    QCOMPARE(interim->head, "HTTP/1.1 100 Continue\r\n");
    QCOMPARE(handled, 0);
    client.send("12345");
    const auto r = client.response();
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->body, "12345");
    // Without a body there is nothing to continue: the final answer comes at once.
    client.send(get("/", "Expect: 100-continue\r\n"));
    const auto direct = client.response();
    QVERIFY(direct);
    QCOMPARE(direct->status, 200);
}

void TestHttpServer::bodyOverTheLimitGets413WithoutBeingRead_data()
{
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("status");

    const QByteArray chunked = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (bool tls : {false, true}) {
        auto row = [&](const char *name) {
            return &QTest::addRow("%s %s", tls ? "tls" : "plain", name);
        };
        *row("content-length over the limit, body sent anyway")
            << tls << post("/", QByteArray(300'000, 'x')) << 413;
        *row("content-length over the limit with 100-continue")
            << tls
            << QByteArray("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                          "Content-Length: 1001\r\n\r\n")
            << 413;
        *row("chunked body growing over the limit")
            << tls << chunked + "258\r\n" + QByteArray(600, 'y') + "\r\n258\r\n"
            << 413;
        *row("content-length at the limit") << tls << post("/", QByteArray(1000, 'z')) << 200;
        *row("chunked body at the limit")
            << tls
            << chunked + "1f4\r\n" + QByteArray(500, 'y') + "\r\n1f4\r\n" + QByteArray(500, 'y') +
                   "\r\n0\r\n\r\n"
            << 200;
    }
}

void TestHttpServer::bodyOverTheLimitGets413WithoutBeingRead()
{
    QFETCH(QByteArray, raw);
    QFETCH(int, status);

    int handled = 0;
    START(server, client, [&](HttpExchange *e) {
        ++handled;
        e->respond(200, {}, QByteArray::number(e->request().body.size()));
    });
    server->setMaxBodySize(1000);
    const QByteArray status413 = R"({"kind":"Status","code":413})";
    server->setTooLargeBody("application/json", status413);
    client.send(raw);
    const auto r = client.response();
    QVERIFY(r);
    QCOMPARE(r->status, status);
    if (status == 200) {
        QCOMPARE(r->body, "1000");
        return;
    }
    QCOMPARE(r->header("Content-Type"), "application/json");
    QCOMPARE(r->body, status413);
    QCOMPARE(handled, 0);
    QVERIFY(client.waitClosedByServer());
}

void TestHttpServer::streamDeliversChunksBeforeItEnds()
{
    QPointer<HttpExchange> stream;
    START(server, client, [&](HttpExchange *e) {
        if (e->request().path == "/watch") {
            stream = e;
            e->beginStream(200, {{"Content-Type", "application/json"}});
        } else {
            echo(e);
        }
    });
    client.send(get("/watch?watch=true"));
    QVERIFY(client.waitBuffer([](QByteArray &b) { return b.contains("\r\n\r\n"); }));
    const qsizetype headEnd = client.buffer.indexOf("\r\n\r\n") + 4;
    QVERIFY(client.buffer.first(headEnd).contains("\r\nTransfer-Encoding: chunked\r\n"));
    client.buffer.remove(0, headEnd);
    QByteArray events;
    bool ended = false;
    for (const QByteArray event : {"{\"type\":\"ADDED\"}\n", "{\"type\":\"MODIFIED\"}\n"}) {
        QVERIFY(stream);
        stream->writeChunk(event);
        QVERIFY(client.waitBuffer([&](QByteArray &b) {
            ended = takeChunks(b, events) || ended;
            return events.endsWith(event);
        }));
        QVERIFY(!ended);
    }
    QCOMPARE(events, "{\"type\":\"ADDED\"}\n{\"type\":\"MODIFIED\"}\n");
    stream->endStream();
    QVERIFY(client.waitBuffer([&](QByteArray &b) { return takeChunks(b, events); }));
    // The connection serves the next request after the stream.
    client.send(get("/after"));
    const auto r = client.response();
    QVERIFY(r);
    QCOMPARE(r->header("X-Path"), "/after");
}

void TestHttpServer::streamCountsWhatAClientDoesNotRead()
{
    QPointer<HttpExchange> stream;
    START(server, client, [&](HttpExchange *e) {
        stream = e;
        e->beginStream(200, {});
    });
    client.send(get("/watch"));
    QVERIFY(client.waitBuffer([](QByteArray &b) { return b.contains("\r\n\r\n"); }));
    client.buffer.clear();
    // The client stops reading: what fits in the kernel's buffers leaves, the rest waits.
    QObject::disconnect(&client.socket, &QIODevice::readyRead, &client.socket, nullptr);
    client.socket.setReadBufferSize(64 * 1024);
    const QByteArray big(64 * 1024 * 1024, 'x');
    stream->writeChunk(big);
    QVERIFY(stream->unsentBytes() >= big.size());
    QTRY_VERIFY_WITH_TIMEOUT(stream->unsentBytes() < big.size(), kTimeoutMs);
    QVERIFY(stream->unsentBytes() > 0);
    // Reading again drains it.
    client.socket.setReadBufferSize(0);
    QByteArray events;
    QVERIFY(client.waitBuffer([&](QByteArray &b) {
        (void)takeChunks(b, events);
        return events.size() == big.size();
    }));
    QTRY_COMPARE_WITH_TIMEOUT(stream->unsentBytes(), 0, kTimeoutMs);
}

void TestHttpServer::clientGoneWhenTheClientLeavesBeforeTheEnd_data()
{
    QTest::addColumn<bool>("tls");
    QTest::addColumn<bool>("streaming");
    QTest::addColumn<bool>("abort");
    for (bool tls : {false, true}) {
        const char *transport = tls ? "tls" : "plain";
        QTest::addRow("%s mid-stream, closed", transport) << tls << true << false;
        QTest::addRow("%s mid-stream, aborted", transport) << tls << true << true;
        QTest::addRow("%s before the response", transport) << tls << false << false;
    }
}

void TestHttpServer::clientGoneWhenTheClientLeavesBeforeTheEnd()
{
    QFETCH(bool, streaming);
    QFETCH(bool, abort);

    QPointer<HttpExchange> pending;
    START(server, client, [&](HttpExchange *e) {
        pending = e;
        if (streaming)
            e->beginStream(200, {});
    });
    client.send(get("/watch"));
    QTRY_VERIFY_WITH_TIMEOUT(pending, kTimeoutMs);
    if (streaming) {
        QVERIFY(client.waitBuffer([](QByteArray &b) { return b.contains("\r\n\r\n"); }));
        QVERIFY(client.buffer.startsWith("HTTP/1.1 200 OK\r\n"));
        pending->writeChunk("event");
    }
    QSignalSpy gone(pending.data(), &HttpExchange::clientGone);
    if (abort)
        client.socket.abort();
    else
        client.socket.disconnectFromHost();
    QVERIFY(gone.wait(kTimeoutMs));
    QCOMPARE(gone.count(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(!pending, kTimeoutMs); // deleted with its connection
    QCOMPARE(server->connectionCount(), 0);
}

void TestHttpServer::takenSocketKeepsBytesSentAfterTheHead()
{
    std::unique_ptr<QTcpSocket> taken;
    qint64 waitingAtTake = -1;
    START(server, client, [&](HttpExchange *e) {
        taken.reset(e->takeSocket(101, {{"Connection", "Upgrade"}, {"Upgrade", "SPDY/3.1"}}));
        waitingAtTake = taken ? taken->bytesAvailable() : -1;
    });
    client.send(get("/exec", "Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\n") + "EARLY");
    QTRY_VERIFY_WITH_TIMEOUT(taken, kTimeoutMs);
    QCOMPARE(waitingAtTake, 5);
    QCOMPARE(server->connectionCount(), 0);
    QByteArray upstream;
    client.send("LATE");
    QVERIFY(
        QTest::qWaitFor([&] { return (upstream += taken->readAll()) == "EARLYLATE"; }, kTimeoutMs));
    taken->write("PONG");
    const auto r = client.response(true);
    QVERIFY(r);
    QCOMPARE(r->status, 101);
    QCOMPARE(r->header("Upgrade"), "SPDY/3.1");
    // Nothing but the taken socket's bytes: no HTTP answer to the raw ones.
    QVERIFY(client.waitBuffer([](QByteArray &b) { return b.size() >= 4; }));
    QCOMPARE(client.buffer, "PONG");
    QCOMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
}

void TestHttpServer::clientCertificateCountsOnlyWhenVerified_data()
{
    QTest::addColumn<int>("identity");
    QTest::addColumn<QString>("commonName");
    QTest::newRow("anonymous") << int(Identity::Anonymous) << QString();
    QTest::newRow("signed by the client CA") << int(Identity::Client) << QStringLiteral("alice");
    QTest::newRow("signed by another CA") << int(Identity::Stranger) << QString();
}

void TestHttpServer::clientCertificateCountsOnlyWhenVerified()
{
    QFETCH(int, identity);
    QFETCH(QString, commonName);

    std::optional<HttpRequest> seen;
    auto server = startServer(true, [&](HttpExchange *e) {
        seen = e->request();
        e->respond(200, {}, {});
    });
    QVERIFY2(server, qPrintable(m_tlsError));
    Client client;
    QVERIFY(client.connect(server->port(), &*m_tls, Identity(identity)));
    client.send(get("/version"));
    QVERIFY(client.response());
    QVERIFY(seen);
    QCOMPARE(seen->clientCertificate.isNull(), commonName.isEmpty());
    QCOMPARE(seen->clientCertificate.subjectInfo(QSslCertificate::CommonName).value(0), commonName);
    QCOMPARE(seen->peerAddress, QHostAddress(QHostAddress::LocalHost));
}

void TestHttpServer::onlyHttp11IsOfferedByAlpn()
{
    // Even when the configuration handed over offers h2.
    auto server = startServer(true, echo, {"h2", "http/1.1"});
    QVERIFY2(server, qPrintable(m_tlsError));
    Client client;
    QVERIFY(client.connect(server->port(), &*m_tls, Identity::Client, {"h2", "http/1.1"}));
    QCOMPARE(client.socket.sslConfiguration().nextProtocolNegotiationStatus(),
             QSslConfiguration::NextProtocolNegotiationNegotiated);
    QCOMPARE(client.socket.sslConfiguration().nextNegotiatedProtocol(), "http/1.1");
}

void TestHttpServer::idleAndSlowConnectionsAreClosedButStreamsStay()
{
    QPointer<HttpExchange> stream;
    HttpServer server([&](HttpExchange *e) {
        if (e->request().path == "/watch") {
            stream = e;
            e->beginStream(200, {});
        } else {
            echo(e);
        }
    });
    server.setIdleTimeout(300ms);
    server.setHeaderTimeout(300ms);
    QVERIFY(server.listenPlain(QHostAddress::LocalHost, 0));

    // Opened first, so the streaming one would be the first to go if the timeouts touched it.
    Client watching;
    QVERIFY(watching.connect(server.port(), nullptr));
    watching.send(get("/watch"));
    QTRY_VERIFY_WITH_TIMEOUT(stream, kTimeoutMs);
    Client silent;
    QVERIFY(silent.connect(server.port(), nullptr));
    Client slow;
    QVERIFY(slow.connect(server.port(), nullptr));
    slow.send("GET / HTTP/1.1\r\nHost: x\r\n"); // and never the end of the head
    Client done;
    QVERIFY(done.connect(server.port(), nullptr));
    done.send(get("/"));
    QVERIFY(done.response());

    QVERIFY(silent.waitClosedByServer());
    QVERIFY(slow.waitClosedByServer());
    QVERIFY(done.waitClosedByServer());
    QCOMPARE(watching.socket.state(), QAbstractSocket::ConnectedState);
    QVERIFY(stream && !stream->isClientGone());
    QCOMPARE(server.connectionCount(), 1);
}

void TestHttpServer::smallPostsFromFourConcurrentClients()
{
    static constexpr int clients = 4;
    static constexpr int perClient = 500;
    START(server, first, [](HttpExchange *e) {
        e->respond(201, {{"Content-Type", "application/json"}}, e->request().body);
    });
    Client others[clients - 1];
    Client *pool[clients] = {&first, &others[0], &others[1], &others[2]};
    for (Client &other : others)
        QVERIFY(other.connect(server->port(), tlsFor(tls)));

    // Each client keeps one request in flight and sends the next when its answer arrives.
    // A plain event loop, as qWaitFor() would sleep between its polls.
    std::array<int, clients> answered{};
    bool wrong = false;
    QEventLoop loop;
    auto sendNext = [&](int c) {
        const QByteArray body = R"({"client":)" + QByteArray::number(c) + R"(,"n":)" +
                                QByteArray::number(answered[c]) + "}";
        pool[c]->send(post("/api/v1/namespaces/default/configmaps", body));
    };
    for (int c = 0; c < clients; ++c) {
        QObject::connect(&pool[c]->socket, &QIODevice::readyRead, &loop, [&, c] {
            Client &client = *pool[c];
            while (auto r = takeResponse(client.buffer)) {
                wrong = wrong || r->status != 201 ||
                        !r->body.endsWith(",\"n\":" + QByteArray::number(answered[c]) + "}");
                if (++answered[c] < perClient)
                    sendNext(c);
                else if (std::ranges::all_of(answered, [](int n) { return n == perClient; }))
                    loop.quit();
            }
        });
    }
    QTimer::singleShot(60s, &loop, &QEventLoop::quit);
    QElapsedTimer clock;
    clock.start();
    for (int c = 0; c < clients; ++c)
        sendNext(c);
    loop.exec();
    const double seconds = clock.nsecsElapsed() / 1e9;
    QVERIFY(std::ranges::all_of(answered, [](int n) { return n == perClient; }));
    QVERIFY(!wrong);
    // Speed is for tests/bench to judge; here it is only reported.
    qInfo("%d requests in %.3f s: %.0f requests/s (clients and server share one thread)",
          clients * perClient, seconds, clients * perClient / seconds);
}

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_httpserver.moc"
