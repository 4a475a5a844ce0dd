// Container probes as the kubelet runs them: httpGet and tcpSocket against a small HTTP
// responder in this process (status codes, redirects, refused ports, timeouts, with the
// kubelet's messages), the probe workers' thresholds and state with 1 s periods, and exec
// probes in a real Docker container.
#include "core/yaml.h"
#include "kubelet/prober.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QUuid>

#include <optional>

using namespace timonel;
using namespace Qt::StringLiterals;
using kubelet::ProbeType;

namespace {

QJsonObject yaml(const QByteArray &text)
{
    auto parsed = core::parseYaml(text);
    if (!parsed)
        qFatal("bad test YAML: %s", qPrintable(parsed.error().message));
    return parsed->toObject();
}

// Answers GET requests by path: fixed replies, scripted status sequences, or silence.
class Responder : public QObject
{
public:
    struct Reply
    {
        int status = 200;
        QByteArray body;
        QByteArray location;
        bool silent = false; // read the request, never answer
    };

    Responder()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                serve(socket);
        });
        m_server.listen(QHostAddress::LocalHost);
    }

    quint16 port() const { return m_server.serverPort(); }
    void route(const QByteArray &path, Reply reply) { m_routes.insert(path, reply); }
    // Statuses for the next requests to `path`, then the route's reply.
    void script(const QByteArray &path, QList<int> statuses) { m_scripts.insert(path, statuses); }
    int served(const QByteArray &path) const { return m_served.value(path); }
    QByteArray lastRequest(const QByteArray &path) const { return m_requests.value(path); }

private:
    void serve(QTcpSocket *socket)
    {
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
            QByteArray &buffer = m_buffers[socket];
            buffer += socket->readAll();
            if (!buffer.contains("\r\n\r\n"))
                return;
            const QByteArray path = buffer.split(' ').value(1).split('?').first();
            m_requests.insert(path, buffer);
            m_buffers.remove(socket);
            ++m_served[path];
            Reply reply = m_routes.value(path, Reply{404, "no such path", {}, false});
            if (!m_scripts.value(path).isEmpty())
                reply = Reply{m_scripts[path].takeFirst(), "scripted", {}, false};
            if (reply.silent)
                return;
            QByteArray response = "HTTP/1.1 " + QByteArray::number(reply.status) + " X\r\n";
            if (!reply.location.isEmpty())
                response += "Location: " + reply.location + "\r\n";
            response += "Content-Length: " + QByteArray::number(reply.body.size()) +
                        "\r\nConnection: close\r\n\r\n" + reply.body;
            socket->write(response);
            socket->disconnectFromHost();
        });
    }

    QTcpServer m_server;
    QHash<QByteArray, Reply> m_routes;
    QHash<QByteArray, QList<int>> m_scripts;
    QHash<QByteArray, int> m_served;
    QHash<QByteArray, QByteArray> m_requests;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

// A port nothing listens on.
quint16 refusedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost);
    return server.serverPort();
}

std::optional<kubelet::ProbeResult>
probeOnce(const QJsonObject &probe, const kubelet::ProbeTarget &target,
          const docker::DockerClient &docker = docker::DockerClient())
{
    std::optional<kubelet::ProbeResult> result;
    QObject context;
    kubelet::runProbe(docker, ProbeType::Readiness, probe, target, &context,
                      [&](kubelet::ProbeResult r) { result = r; });
    // Empty when no result came in time.
    if (!QTest::qWaitFor([&] { return result.has_value(); }, 15000))
        return std::nullopt;
    return result;
}

} // namespace

class TestProber : public QObject
{
    Q_OBJECT

    std::unique_ptr<Responder> m_http;

    // A container listening on the responder's port, named "http".
    kubelet::ProbeTarget target(const QByteArray &probesYaml = "{}") const
    {
        QJsonObject container = yaml(probesYaml);
        container.insert(u"name"_s, u"app"_s);
        container.insert(u"ports"_s, QJsonArray{QJsonObject{{u"name"_s, u"http"_s},
                                                            {u"containerPort"_s, m_http->port()}}});
        return {u"pod-1"_s, u"127.0.0.1"_s, u"app"_s, u"c0ffee"_s, container};
    }
    QByteArray withPort(QByteArray text) const
    {
        return text.replace("%P%", QByteArray::number(m_http->port()));
    }

private Q_SLOTS:
    void init()
    {
        m_http = std::make_unique<Responder>();
        m_http->route("/ok", {200, "fine", {}, false});
        m_http->route("/created", {201, {}, {}, false});
        m_http->route("/error", {500, "boom", {}, false});
        m_http->route("/moved", {301, {}, "/ok", false});
        m_http->route("/to-missing", {307, {}, "/missing", false});
        m_http->route("/away", {302, "gone elsewhere", "http://example.invalid/", false});
        m_http->route("/loop", {302, {}, "/loop", false});
        m_http->route("/slow", {200, {}, {}, true});
    }

    void httpGetProbes_data()
    {
        QTest::addColumn<QByteArray>("probe");
        QTest::addColumn<bool>("success");
        QTest::addColumn<bool>("warning");
        QTest::addColumn<QString>("message"); // %P% the responder's port, %R% a closed one

        QTest::newRow("200") << QByteArray("{httpGet: {path: /ok, port: %P%}}") << true << false
                             << QString();
        QTest::newRow("201 on a named port")
            << QByteArray("{httpGet: {path: /created, port: http}}") << true << false << QString();
        QTest::newRow("port number as text")
            << QByteArray("{httpGet: {path: /ok, port: '%P%'}}") << true << false << QString();
        QTest::newRow("404") << QByteArray("{httpGet: {path: /missing, port: %P%}}") << false
                             << false << u"HTTP probe failed with statuscode: 404"_s;
        QTest::newRow("500") << QByteArray("{httpGet: {path: /error, port: %P%}}") << false << false
                             << u"HTTP probe failed with statuscode: 500"_s;
        QTest::newRow("redirect on the same host is followed")
            << QByteArray("{httpGet: {path: /moved, port: %P%}}") << true << false << QString();
        QTest::newRow("followed redirect to a 404")
            << QByteArray("{httpGet: {path: /to-missing, port: %P%}}") << false << false
            << u"HTTP probe failed with statuscode: 404"_s;
        QTest::newRow("redirect to another host: success with a warning")
            << QByteArray("{httpGet: {path: /away, port: %P%}}") << true << true
            << u"Probe terminated redirects, Response body: gone elsewhere"_s;
        QTest::newRow("redirect loop")
            << QByteArray("{httpGet: {path: /loop, port: %P%}}") << false << false
            << u"Get \"http://127.0.0.1:%P%/loop\": stopped after 10 redirects"_s;
        QTest::newRow("refused")
            << QByteArray("{httpGet: {port: %R%}}") << false << false
            << u"Get \"http://127.0.0.1:%R%/\": dial tcp 127.0.0.1:%R%: connect: connection "
               "refused"_s;
        QTest::newRow("timeout") << QByteArray(
                                        "{httpGet: {path: /slow, port: %P%}, timeoutSeconds: 1}")
                                 << false << false
                                 << u"Get \"http://127.0.0.1:%P%/slow\": context deadline exceeded "
                                    "(Client.Timeout exceeded while awaiting headers)"_s;
        QTest::newRow("tcpSocket open")
            << QByteArray("{tcpSocket: {port: http}}") << true << false << QString();
        QTest::newRow("tcpSocket refused")
            << QByteArray("{tcpSocket: {port: %R%}}") << false << false
            << u"dial tcp 127.0.0.1:%R%: connect: connection refused"_s;
    }

    void httpGetProbes()
    {
        QFETCH(QByteArray, probe);
        QFETCH(bool, success);
        QFETCH(bool, warning);
        QFETCH(QString, message);
        const QString refused = QString::number(refusedPort());
        probe.replace("%R%", refused.toUtf8());
        message.replace(u"%R%"_s, refused).replace(u"%P%"_s, QString::number(m_http->port()));
        QElapsedTimer elapsed;
        elapsed.start();
        auto result = probeOnce(yaml(withPort(probe)), target());
        QVERIFY(result);
        QCOMPARE(result->message, message);
        QCOMPARE(result->success, success);
        QCOMPARE(result->warning, warning);
        QVERIFY(!result->errored);
        QVERIFY2(elapsed.elapsed() < 3000, "the probe outlived its timeout");
    }

    void httpGetSendsTheKubeletsHeaders()
    {
        auto result = probeOnce(yaml(withPort(R"({httpGet: {path: "/ok?x=1", port: %P%,
            httpHeaders: [{name: X-Custom, value: yes}, {name: Host, value: example.com}]}})")),
                                target());
        QVERIFY(result && result->success);
        const QByteArray request = m_http->lastRequest("/ok");
        QVERIFY2(request.startsWith("GET /ok?x=1 HTTP/1.1\r\n"), request.constData());
        for (const char *header :
             {"\r\nHost: example.com\r\n", "\r\nUser-Agent: kube-probe/1.32\r\n",
              "\r\nAccept: */*\r\n", "\r\nX-Custom: yes\r\n", "\r\nConnection: close\r\n"})
            QVERIFY2(request.contains(header), request.constData());
        QCOMPARE(request.count("Host:"), 1);
    }

    void probesThatCannotRunAreErrors_data()
    {
        QTest::addColumn<QByteArray>("probe");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown port name")
            << QByteArray("{httpGet: {port: metrics}}")
            << u"strconv.Atoi: parsing \"metrics\": invalid syntax"_s;
        QTest::newRow("port out of range")
            << QByteArray("{tcpSocket: {port: 70000}}") << u"invalid port number: 70000"_s;
        QTest::newRow("grpc") << QByteArray("{grpc: {port: 9000}}")
                              << u"grpc probes are not supported on Timonel nodes"_s;
    }

    void probesThatCannotRunAreErrors()
    {
        QFETCH(QByteArray, probe);
        QFETCH(QString, message);
        auto result = probeOnce(yaml(probe), target());
        QVERIFY(result);
        QVERIFY(result->errored);
        QVERIFY(!result->success);
        QCOMPARE(result->message, message);
    }

    void containerWithoutProbesIsStartedAndReadyOnceAdded()
    {
        kubelet::ProbeManager manager{docker::DockerClient()};
        QSignalSpy changed(&manager, &kubelet::ProbeManager::resultChanged);
        QVERIFY(!manager.isReady(u"pod-1"_s, u"app"_s));
        QVERIFY(!manager.isStarted(u"pod-1"_s, u"app"_s));
        manager.addContainer(target());
        QCOMPARE(changed.count(), 1);
        QVERIFY(manager.isStarted(u"pod-1"_s, u"app"_s));
        QVERIFY(manager.isReady(u"pod-1"_s, u"app"_s));
        QVERIFY(!manager.isReady(u"pod-1"_s, u"other"_s));
        manager.removePod(u"pod-1"_s);
        QVERIFY(!manager.isReady(u"pod-1"_s, u"app"_s));
    }

    // Results flip only after successThreshold successes or failureThreshold failures in a row.
    void readinessFollowsItsThresholds()
    {
        m_http->script("/ready", {200, 503, 200, 200, 503, 503});
        kubelet::ProbeManager manager{docker::DockerClient()};
        QList<bool> readyAtFailure, readyAtChange;
        QStringList messages;
        connect(&manager, &kubelet::ProbeManager::probeFailed, this,
                [&](const QString &, const QString &, ProbeType type, const QString &message) {
                    QCOMPARE(type, ProbeType::Readiness);
                    readyAtFailure.append(manager.isReady(u"pod-1"_s, u"app"_s));
                    messages.append(message);
                });
        connect(&manager, &kubelet::ProbeManager::resultChanged, this,
                [&] { readyAtChange.append(manager.isReady(u"pod-1"_s, u"app"_s)); });
        manager.addContainer(target(withPort("{readinessProbe: {httpGet: {path: /ready, port: "
                                             "%P%}, periodSeconds: 1, successThreshold: 2, "
                                             "failureThreshold: 2}}")));
        QVERIFY(manager.isStarted(u"pod-1"_s, u"app"_s));
        QVERIFY(!manager.isReady(u"pod-1"_s, u"app"_s));
        QTRY_COMPARE_WITH_TIMEOUT(readyAtFailure.size(), 3, 15000);
        QCOMPARE(readyAtFailure, (QList<bool>{false, true, false}));
        QCOMPARE(readyAtChange, (QList<bool>{false, true, false}));
        QCOMPARE(messages.first(), u"HTTP probe failed with statuscode: 503"_s);
        QCOMPARE(m_http->served("/ready"), 6);
    }

    void livenessFailureAsksForOneRestartThenHolds()
    {
        kubelet::ProbeManager manager{docker::DockerClient()};
        QSignalSpy unhealthy(&manager, &kubelet::ProbeManager::containerUnhealthy);
        QSignalSpy failed(&manager, &kubelet::ProbeManager::probeFailed);
        m_http->route("/ready", {200, {}, {}, false});
        kubelet::ProbeTarget t = target(
            withPort(
                "{livenessProbe: {tcpSocket: {port: %R%}, periodSeconds: 1, failureThreshold: 2},"
                " readinessProbe: {httpGet: {path: /ready, port: %P%}, periodSeconds: 1}}")
                .replace("%R%", QByteArray::number(refusedPort())));
        manager.addContainer(t);
        QTRY_COMPARE_WITH_TIMEOUT(unhealthy.count(), 1, 10000);
        QCOMPARE(unhealthy.first().at(2).value<ProbeType>(), ProbeType::Liveness);
        QCOMPARE(failed.count(), 2);
        QVERIFY(failed.first().at(3).toString().endsWith(u"connect: connection refused"_s));
        // On hold: readiness goes on, liveness is not probed again for this container.
        const int readinessProbes = m_http->served("/ready");
        QTRY_VERIFY_WITH_TIMEOUT(m_http->served("/ready") >= readinessProbes + 2, 10000);
        QCOMPARE(failed.count(), 2);
        QCOMPARE(unhealthy.count(), 1);
        // The restarted container (a new id) is probed afresh.
        t.containerId = u"restarted"_s;
        manager.addContainer(t);
        QTRY_COMPARE_WITH_TIMEOUT(unhealthy.count(), 2, 10000);
    }

    void startupProbeHoldsBackLivenessAndReadiness()
    {
        m_http->route("/startup", {503, {}, {}, false});
        m_http->route("/live", {200, {}, {}, false});
        m_http->route("/ready", {200, {}, {}, false});
        kubelet::ProbeManager manager{docker::DockerClient()};
        QSignalSpy changed(&manager, &kubelet::ProbeManager::resultChanged);
        manager.addContainer(target(
            withPort("{startupProbe: {httpGet: {path: /startup, port: %P%}, periodSeconds: 1, "
                     "failureThreshold: 30},"
                     " livenessProbe: {httpGet: {path: /live, port: %P%}, periodSeconds: 1},"
                     " readinessProbe: {httpGet: {path: /ready, port: %P%}, periodSeconds: 1}}")));
        QCOMPARE(changed.count(), 0); // not started: nothing differs from before
        QTRY_VERIFY_WITH_TIMEOUT(m_http->served("/startup") >= 2, 10000);
        QVERIFY(!manager.isStarted(u"pod-1"_s, u"app"_s));
        QVERIFY(!manager.isReady(u"pod-1"_s, u"app"_s));
        QCOMPARE(m_http->served("/live"), 0);
        QCOMPARE(m_http->served("/ready"), 0);

        m_http->route("/startup", {200, {}, {}, false});
        QTRY_VERIFY_WITH_TIMEOUT(manager.isStarted(u"pod-1"_s, u"app"_s), 10000);
        const int startupProbes = m_http->served("/startup");
        // Readiness is probed as soon as the container started, not a period later.
        QElapsedTimer sinceStarted;
        sinceStarted.start();
        QTRY_VERIFY_WITH_TIMEOUT(manager.isReady(u"pod-1"_s, u"app"_s), 10000);
        QVERIFY2(sinceStarted.elapsed() < 700, "readiness waited for its period");
        QTRY_VERIFY_WITH_TIMEOUT(m_http->served("/live") >= 2, 10000);
        QCOMPARE(m_http->served("/startup"), startupProbes); // done once started
        QCOMPARE(changed.count(), 2);                        // started, then ready
    }

    void startupFailureAsksForARestart()
    {
        kubelet::ProbeManager manager{docker::DockerClient()};
        QSignalSpy unhealthy(&manager, &kubelet::ProbeManager::containerUnhealthy);
        manager.addContainer(
            target("{startupProbe: {tcpSocket: {port: " + QByteArray::number(refusedPort()) +
                   "}, periodSeconds: 1, failureThreshold: 1}}"));
        QTRY_COMPARE_WITH_TIMEOUT(unhealthy.count(), 1, 10000);
        QCOMPARE(unhealthy.first().at(2).value<ProbeType>(), ProbeType::Startup);
        QVERIFY(!manager.isStarted(u"pod-1"_s, u"app"_s));
    }

    void initialDelayPostponesTheFirstProbe()
    {
        m_http->route("/ready", {200, {}, {}, false});
        kubelet::ProbeManager manager{docker::DockerClient()};
        QElapsedTimer elapsed;
        elapsed.start();
        manager.addContainer(target(withPort("{readinessProbe: {httpGet: {path: /ready, port: "
                                             "%P%}, initialDelaySeconds: 2, periodSeconds: 1}}")));
        QTRY_VERIFY_WITH_TIMEOUT(manager.isReady(u"pod-1"_s, u"app"_s), 10000);
        QVERIFY2(elapsed.elapsed() >= 1900, qPrintable(QString::number(elapsed.elapsed())));
        QCOMPARE(m_http->served("/ready"), 1);
    }

    // Needs the real Docker engine.
    void execProbesRunInTheContainer()
    {
        docker::DockerClient docker;
        auto ping = docker.ping();
        QVERIFY2(ping, ("Docker is needed: " + test::errorOf(ping)).constData());
        auto busybox = test::busyboxImage();
        QVERIFY2(busybox, test::errorOf(busybox).constData());
        auto id = docker.createContainer(
            u"timonel-test-prober-%1"_s.arg(QUuid::createUuid().toString(QUuid::Id128).left(12)),
            {{u"Image"_s, *busybox}, {u"Cmd"_s, QJsonArray{u"sleep"_s, u"300"_s}}});
        QVERIFY2(id, test::errorOf(id).constData());
        auto removeAtEnd = qScopeGuard([&] { docker.removeContainer(*id, true); });
        QVERIFY(docker.startContainer(*id));
        kubelet::ProbeTarget t = target();
        t.containerId = *id;
        const QJsonObject check = yaml(R"({exec: {command: [sh, -c, "test -f /tmp/ok"]}})");

        auto missing = probeOnce(check, t, docker);
        QVERIFY(missing);
        QVERIFY(!missing->success && !missing->errored);
        QCOMPARE(missing->message, QString());

        QVERIFY(docker.exec(*id, {u"sh"_s, u"-c"_s, u"echo > /tmp/ok"_s}));
        auto present = probeOnce(check, t, docker);
        QVERIFY(present);
        QVERIFY2(present->success, qPrintable(present->message));

        auto output = probeOnce(
            yaml(R"({exec: {command: [sh, -c, "echo out; echo err >&2; exit 3"]}})"), t, docker);
        QVERIFY(output);
        QVERIFY(!output->success);
        QCOMPARE(output->message, u"out\nerr\n"_s);

        QElapsedTimer elapsed;
        elapsed.start();
        auto slow =
            probeOnce(yaml("{exec: {command: [sleep, '5']}, timeoutSeconds: 1}"), t, docker);
        QVERIFY(slow);
        QVERIFY(!slow->success && !slow->errored);
        QCOMPARE(slow->message, u"command \"sleep 5\" timed out"_s);
        QVERIFY2(elapsed.elapsed() < 3000, qPrintable(QString::number(elapsed.elapsed())));

        docker.removeContainer(*id, true);
        auto gone = probeOnce(check, t, docker);
        QVERIFY(gone);
        QVERIFY(gone->errored);
    }
};

QTEST_GUILESS_MAIN(TestProber)
#include "tst_prober.moc"
