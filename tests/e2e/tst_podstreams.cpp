// Timonel's own exec and port-forward clients (engine/client/podstreams) and the terminal tab on
// a real Timonel cluster (one control plane, one worker) with the test images: commands' output,
// exit codes, stdin and terminal sizes; forwarded HTTP requests to a pod and through a Service;
// the errors of a port nobody listens on and of a missing pod; a shell typed into the tab.
// Everything runs on this test's event loop, so nothing here blocks: conditions are polled with
// a deadline (QTRY_*).
#include "clustertestbase.h"

#include "client/httpsclient.h"
#include "client/podstreams.h"
#include "terminaltab.h"

#include <QApplication>
#include <QPushButton>
#include <QSignalSpy>
#include <QTcpSocket>

using namespace timonel;
using namespace Qt::StringLiterals;

namespace {

constexpr int kTimeoutMs = 30000;

// A command's output and end, as an ExecSession reports them.
struct ExecResult
{
    QByteArray out;
    QByteArray err;
    bool started = false;
    bool finished = false;
    int exitCode = -2;
    QString error;
};

void record(client::ExecSession &session, ExecResult &r)
{
    QObject::connect(&session, &client::ExecSession::started, [&r] { r.started = true; });
    QObject::connect(&session, &client::ExecSession::stdoutReceived,
                     [&r](const QByteArray &d) { r.out += d; });
    QObject::connect(&session, &client::ExecSession::stderrReceived,
                     [&r](const QByteArray &d) { r.err += d; });
    QObject::connect(&session, &client::ExecSession::finished,
                     [&r](int code, const QString &error) {
                         r.finished = true;
                         r.exitCode = code;
                         r.error = error;
                     });
}

// One HTTP/1.0 GET on a connection of its own to a local port, read as it arrives.
class LocalGet
{
public:
    explicit LocalGet(quint16 port)
    {
        QObject::connect(&m_socket, &QIODevice::readyRead, [this] { reply += m_socket.readAll(); });
        QObject::connect(&m_socket, &QAbstractSocket::disconnected, [this] {
            reply += m_socket.readAll();
            closed = true;
        });
        m_socket.connectToHost(u"127.0.0.1"_s, port);
    }
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    void send(const QByteArray &path = "/")
    {
        m_socket.write("GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n");
    }

    QByteArray reply;
    bool closed = false;

private:
    QTcpSocket m_socket;
};

} // namespace

class TestPodStreams : public test::ClusterTestBase
{
    Q_OBJECT

public:
    TestPodStreams() : ClusterTestBase(u"streams"_s) {}

private:
    std::unique_ptr<client::HttpsClient> m_client;
    QString m_webPod;

    const client::ClusterAccess &access() const { return m_client->access(); }

private Q_SLOTS:
    void initTestCase()
    {
        createCluster(1);
        if (QTest::currentTestFailed())
            return;
        auto created = client::HttpsClient::fromKubeconfig(kubeconfig(), u"timonel-"_s + m_cluster);
        QVERIFY2(created, qPrintable(created ? QString() : created.error()));
        m_client = std::move(*created);
        QVERIFY(!apply(u"pods.yaml"_s, R"(apiVersion: v1
kind: Pod
metadata: {name: shell}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: shell, image: busybox:1.28, command: [sleep, "3600"]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: nginx:1.27, ports: [{name: http, containerPort: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: web, port: 8080, targetPort: http}]
)")
                     .startsWith(u"<failed"_s));
        QVERIFY2(podReady(u"shell"_s, u"default"_s), qPrintable(diagnosis(u"default"_s)));
        QVERIFY2(rolloutDone(u"default"_s, u"deployment/web"_s),
                 qPrintable(diagnosis(u"default"_s)));
        m_webPod = nodesOf(u"default"_s, u"app=web"_s).firstKey();
    }
    void cleanupTestCase()
    {
        m_client.reset();
        deleteCluster();
    }

    // --- exec ----------------------------------------------------------------------------------

    void execReturnsTheOutputAndExitCodeZero()
    {
        client::ExecSession session(access());
        ExecResult r;
        record(session, r);
        session.start(u"default"_s, u"shell"_s, {}, {u"echo"_s, u"hello from exec"_s}, false,
                      false);
        QVERIFY(session.isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(r.finished, kTimeoutMs);
        QVERIFY(r.started);
        QCOMPARE(session.protocol(), QByteArray("v5.channel.k8s.io"));
        QCOMPARE(r.out, QByteArray("hello from exec\n"));
        QCOMPARE(r.err, QByteArray());
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.error, QString());
        QVERIFY(!session.isRunning());
    }

    void execReportsANonZeroExitCodeAndStderr()
    {
        client::ExecSession session(access());
        ExecResult r;
        record(session, r);
        session.start(u"default"_s, u"shell"_s, u"shell"_s,
                      {u"sh"_s, u"-c"_s, u"echo out; echo oops >&2; exit 3"_s}, false, false);
        QTRY_VERIFY_WITH_TIMEOUT(r.finished, kTimeoutMs);
        QCOMPARE(r.exitCode, 3);
        QCOMPARE(r.error, QString());
        QCOMPARE(r.out, QByteArray("out\n"));
        QCOMPARE(r.err, QByteArray("oops\n"));
    }

    void execStdinIsEchoedByCatUntilItCloses()
    {
        client::ExecSession session(access());
        ExecResult r;
        record(session, r);
        session.start(u"default"_s, u"shell"_s, {}, {u"cat"_s}, false, true);
        session.writeStdin("written before the connection\n"); // waits for it
        QTRY_VERIFY_WITH_TIMEOUT(r.started, kTimeoutMs);
        session.writeStdin("and after it\n");
        QTRY_COMPARE_WITH_TIMEOUT(
            r.out, QByteArray("written before the connection\nand after it\n"), kTimeoutMs);
        QVERIFY2(!r.finished, "cat runs while its stdin is open");
        session.closeStdin();
        QTRY_VERIFY_WITH_TIMEOUT(r.finished, kTimeoutMs);
        QCOMPARE(r.exitCode, 0);
    }

    void execWithATerminalSeesItsSizeChange()
    {
        client::ExecSession session(access());
        ExecResult r;
        record(session, r);
        session.resize(100, 30); // sent once connected
        session.start(u"default"_s, u"shell"_s, {},
                      {u"sh"_s, u"-c"_s, u"while read line; do stty size; done"_s}, true, true);
        // Each line asks for the size again, until the terminal has the one sent.
        QTRY_VERIFY_WITH_TIMEOUT((session.writeStdin("\n"), r.out.contains("30 100\r\n")),
                                 kTimeoutMs);
        session.resize(123, 45);
        QTRY_VERIFY_WITH_TIMEOUT((session.writeStdin("\n"), r.out.contains("45 123\r\n")),
                                 kTimeoutMs);
        QCOMPARE(r.err, QByteArray()); // a terminal has no separate stderr
        session.writeStdin("\x04");    // ^D: end of input on a terminal
        QTRY_VERIFY_WITH_TIMEOUT(r.finished, kTimeoutMs);
        QCOMPARE(r.exitCode, 0);
    }

    void execInAMissingContainerSaysWhy()
    {
        client::ExecSession session(access());
        ExecResult r;
        record(session, r);
        session.start(u"default"_s, u"shell"_s, u"nope"_s, {u"true"_s}, false, false);
        QTRY_VERIFY_WITH_TIMEOUT(r.finished, kTimeoutMs);
        QVERIFY(!r.started);
        QCOMPARE(r.exitCode, -1);
        QCOMPARE(r.error, u"container nope is not valid for pod shell"_s);
    }

    // --- port-forward --------------------------------------------------------------------------

    void portForwardAnswersHttpOnTwoConcurrentConnections()
    {
        client::PortForward forward(*m_client);
        QSignalSpy ready(&forward, &client::PortForward::ready);
        QSignalSpy errors(&forward, &client::PortForward::error);
        const auto port = forward.start(u"default"_s, m_webPod, 80);
        QVERIFY2(port, qPrintable(port ? QString() : port.error()));
        QVERIFY(*port > 0);
        QCOMPARE(forward.localPort(), *port);
        QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, kTimeoutMs);
        QCOMPARE(forward.connectedTransport(), client::PortForward::Transport::WebSocket);

        LocalGet first(*port);
        LocalGet second(*port);
        QTRY_VERIFY_WITH_TIMEOUT(first.isConnected() && second.isConnected(), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(forward.connectionCount(), 2, kTimeoutMs);
        // The second connection is answered while the first waits, open.
        second.send();
        QTRY_VERIFY_WITH_TIMEOUT(second.closed, kTimeoutMs);
        QVERIFY2(second.reply.startsWith("HTTP/1.1 200 OK"), second.reply.constData());
        QVERIFY(second.reply.contains("Welcome to nginx"));
        QVERIFY(!first.closed);
        first.send();
        QTRY_VERIFY_WITH_TIMEOUT(first.closed, kTimeoutMs);
        QVERIFY2(first.reply.startsWith("HTTP/1.1 200 OK"), first.reply.constData());
        QTRY_COMPARE_WITH_TIMEOUT(forward.connectionCount(), 0, kTimeoutMs);
        QCOMPARE(errors.size(), 0);
    }

    void portForwardOverSpdyAnswersHttpToo()
    {
        client::PortForward forward(*m_client);
        forward.setTransport(client::PortForward::Transport::Spdy);
        QSignalSpy ready(&forward, &client::PortForward::ready);
        const auto port = forward.start(u"default"_s, m_webPod, 80);
        QVERIFY(port);
        QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, kTimeoutMs);
        QCOMPARE(forward.connectedTransport(), client::PortForward::Transport::Spdy);
        LocalGet get(*port);
        QTRY_VERIFY_WITH_TIMEOUT(get.isConnected(), kTimeoutMs);
        get.send();
        QTRY_VERIFY_WITH_TIMEOUT(get.closed, kTimeoutMs);
        QVERIFY2(get.reply.startsWith("HTTP/1.1 200 OK"), get.reply.constData());
    }

    void portForwardToAServiceResolvesToAPod()
    {
        std::optional<client::Result<client::ServiceBackend>> backend;
        client::resolveServiceBackend(
            *m_client, u"default"_s, u"web"_s, u"8080"_s,
            [&](client::Result<client::ServiceBackend> r) { backend = r; });
        QTRY_VERIFY_WITH_TIMEOUT(backend.has_value(), kTimeoutMs);
        QVERIFY2(*backend, qPrintable(backend->has_value() ? QString() : backend->error().message));
        QCOMPARE((*backend)->pod, m_webPod);
        QCOMPARE((*backend)->port, quint16(80)); // targetPort "http", the container's port 80

        std::optional<client::Result<client::ServiceBackend>> byName;
        client::resolveServiceBackend(
            *m_client, u"default"_s, u"web"_s, u"web"_s,
            [&](client::Result<client::ServiceBackend> r) { byName = r; });
        QTRY_VERIFY_WITH_TIMEOUT(byName.has_value(), kTimeoutMs);
        QVERIFY(*byName);
        QCOMPARE((*byName)->port, quint16(80));

        std::optional<client::Result<client::ServiceBackend>> wrongPort;
        client::resolveServiceBackend(
            *m_client, u"default"_s, u"web"_s, u"9999"_s,
            [&](client::Result<client::ServiceBackend> r) { wrongPort = r; });
        QTRY_VERIFY_WITH_TIMEOUT(wrongPort.has_value(), kTimeoutMs);
        QVERIFY(!*wrongPort);
        QCOMPARE(wrongPort->error().message, u"Service web does not have a service port 9999"_s);

        client::PortForward forward(*m_client);
        const auto port = forward.start(u"default"_s, (*backend)->pod, (*backend)->port);
        QVERIFY(port);
        LocalGet get(*port);
        QTRY_VERIFY_WITH_TIMEOUT(get.isConnected(), kTimeoutMs);
        get.send();
        QTRY_VERIFY_WITH_TIMEOUT(get.closed, kTimeoutMs);
        QVERIFY2(get.reply.contains("Welcome to nginx"), get.reply.constData());
    }

    void aPortNobodyListensOnGivesAnErrorNotAHang()
    {
        client::PortForward forward(*m_client);
        QSignalSpy errors(&forward, &client::PortForward::error);
        const auto port = forward.start(u"default"_s, m_webPod, 9);
        QVERIFY(port);
        // Nothing to send: the pod's side fails as the connection is opened.
        LocalGet get(*port);
        QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 1, kTimeoutMs);
        const QString message = errors.at(0).at(0).toString();
        QVERIFY2(message.startsWith(u"an error occurred forwarding %1 -> 9: "_s.arg(*port)) &&
                     message.endsWith(u"connect: connection refused"_s),
                 qPrintable(message));
        QVERIFY(!message.contains(u'\n'));
        QCOMPARE(errors.at(0).at(1).toBool(), false);
        QTRY_VERIFY_WITH_TIMEOUT(get.closed, kTimeoutMs);
        QCOMPARE(get.reply, QByteArray());
        QVERIFY2(forward.isListening(), "one failed connection does not end the forwarding");
    }

    void portForwardToAMissingPodFailsAtOnce()
    {
        client::PortForward forward(*m_client);
        QSignalSpy errors(&forward, &client::PortForward::error);
        QVERIFY(forward.start(u"default"_s, u"missing"_s, 80));
        QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 1, kTimeoutMs);
        QCOMPARE(errors.at(0).at(0).toString(), uR"(pods "missing" not found)"_s);
        QCOMPARE(errors.at(0).at(1).toBool(), true);
        QVERIFY(!forward.isListening());
    }

    // --- the terminal tab ----------------------------------------------------------------------

    void terminalTabRunsWhatIsTyped()
    {
        gui::TerminalTab tab(*m_client, u"default"_s, u"shell"_s, {});
        QSignalSpy finished(&tab, &gui::TerminalTab::finished);
        tab.resize(900, 500);
        tab.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tab));
        QWidget *keys = tab.keyboardTarget();
        QVERIFY(keys);
        // The shell's prompt comes first.
        QTRY_VERIFY_WITH_TIMEOUT(tab.screenText().contains(u'#'), kTimeoutMs);

        QTest::keyClicks(keys, u"echo typed-$((6*7))"_s);
        QTest::keyClick(keys, Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(tab.screenText().contains(u"\ntyped-42"_s), kTimeoutMs);

        // The shell's terminal has the widget's size.
        const QString size =
            u"\n%1 %2"_s.arg(tab.terminalSize().height()).arg(tab.terminalSize().width());
        QTest::keyClicks(keys, u"stty size"_s);
        QTest::keyClick(keys, Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(tab.screenText().contains(size), kTimeoutMs);

        QTest::keyClicks(keys, u"exit 5"_s);
        QTest::keyClick(keys, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
        QCOMPARE(finished.at(0).at(0).toInt(), 5);
        QTRY_VERIFY_WITH_TIMEOUT(
            tab.screenText().contains(u"The command ended with exit code 5."_s), kTimeoutMs);
        QVERIFY(!tab.isRunning());
        QTest::keyClicks(keys, u"ignored"_s); // nothing runs to take it

        // Restart runs the shell again in the same terminal.
        QVERIFY(tab.restartButton()->isEnabled());
        const qsizetype prompts = tab.screenText().count(u'#');
        tab.restartButton()->click();
        QVERIFY(tab.isRunning());
        QVERIFY(!tab.restartButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(tab.screenText().count(u'#') > prompts, kTimeoutMs);
        QTest::keyClicks(keys, u"echo again-$((1+1))"_s);
        QTest::keyClick(keys, Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(tab.screenText().contains(u"\nagain-2"_s), kTimeoutMs);
    }
};

int main(int argc, char **argv)
{
    // The terminal tab needs a GUI; none is shown.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    TestPodStreams test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_podstreams.moc"
