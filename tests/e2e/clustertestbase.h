// What the end-to-end tests share: a Timonel cluster of one control plane and N workers made
// with the `timonel` CLI in a temporary directory, and the real kubectl pointed at it, with
// helpers that poll kubectl's output until it matches (never a fixed wait).
#pragma once

#include "testsupport.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <memory>

namespace timonel::test {

using namespace Qt::StringLiterals;

class ClusterTestBase : public QObject
{
protected:
    explicit ClusterTestBase(const QString &prefix)
        : m_cluster(prefix + u'-' + QUuid::createUuid().toString(QUuid::Id128).left(6))
    {
    }

    QTemporaryDir m_dir;
    QString m_cluster;

    QString kubeconfig() const { return m_dir.filePath(u"kubeconfig"_s); }
    QMap<QString, QString> env() const
    {
        return {{u"KUBECONFIG"_s, kubeconfig()}, {u"KUBECACHEDIR"_s, m_dir.filePath(u"cache"_s)}};
    }
    Run timonel(const QStringList &args) const
    {
        return test::run(test::binary(u"timonel"_s), args, env(), 300000);
    }
    QStringList contextArgs() const { return {u"--context"_s, u"timonel-"_s + m_cluster}; }
    Run kubectl(const QStringList &args, int timeoutMs = 60000) const
    {
        return test::run(u"kubectl"_s, contextArgs() + args, env(), timeoutMs);
    }
    QString ok(const QStringList &args, int timeoutMs = 60000)
    {
        const Run r = kubectl(args, timeoutMs);
        if (r.exitCode != 0)
            qWarning().noquote() << "kubectl" << args.join(u' ') << "failed:" << r.err;
        return r.exitCode == 0 ? r.out : u"<failed: "_s + r.err + u'>';
    }
    QString apply(const QString &name, const QByteArray &manifest)
    {
        QFile f(m_dir.filePath(name));
        if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            f.write(manifest);
        f.close();
        return ok({u"apply"_s, u"-f"_s, f.fileName()});
    }
    QJsonObject json(const QStringList &args)
    {
        return QJsonDocument::fromJson(ok(args + QStringList{u"-o"_s, u"json"_s}).toUtf8())
            .object();
    }
    // Runs kubectl until its output matches `pattern`, or gives up after `seconds`.
    bool poll(const QStringList &args, const QString &pattern, int seconds = 90)
    {
        const QRegularExpression re(pattern, QRegularExpression::MultilineOption);
        QDeadlineTimer deadline(seconds * 1000);
        QString last;
        while (!deadline.hasExpired()) {
            const Run r = kubectl(args);
            last = r.out + r.err;
            if (r.exitCode == 0 && re.match(r.out).hasMatch())
                return true;
            QTest::qWait(300);
        }
        qWarning().noquote() << "gave up waiting for" << args.join(u' ') << "to match" << pattern
                             << "- last:" << last;
        return false;
    }
    bool waitFor(const QStringList &getArgs, const QString &jsonpath, const QString &pattern,
                 int seconds = 90)
    {
        return poll(getArgs + QStringList{u"-o"_s, u"jsonpath="_s + jsonpath}, pattern, seconds);
    }
    bool podReady(const QString &pod, const QString &ns, int seconds = 90)
    {
        return waitFor({u"get"_s, u"pod"_s, pod, u"-n"_s, ns},
                       u"{.status.conditions[?(@.type==\"Ready\")].status}"_s, u"^True$"_s,
                       seconds);
    }
    void makeNamespace(const QString &ns)
    {
        QCOMPARE(ok({u"create"_s, u"namespace"_s, ns}), u"namespace/%1 created\n"_s.arg(ns));
    }
    // Pods of a selector as "name node phase ready" lines.
    QMap<QString, QString> nodesOf(const QString &ns, const QString &selector)
    {
        QMap<QString, QString> out;
        const QJsonObject list = json({u"get"_s, u"pods"_s, u"-n"_s, ns, u"-l"_s, selector});
        for (const QJsonValue &p : list["items"].toArray())
            if (!p["metadata"].toObject().contains(u"deletionTimestamp"))
                out.insert(p["metadata"]["name"].toString(), p["spec"]["nodeName"].toString());
        return out;
    }
    bool rolloutDone(const QString &ns, const QString &what, int seconds = 120)
    {
        const Run r =
            kubectl({u"rollout"_s, u"status"_s, u"-n"_s, ns, what, u"--timeout=%1s"_s.arg(seconds)},
                    (seconds + 10) * 1000);
        if (r.exitCode != 0)
            qWarning().noquote() << "rollout status" << what << r.out << r.err;
        return r.exitCode == 0;
    }
    static QByteArray httpGet(const QString &host, quint16 port, const QByteArray &path = "/")
    {
        QTcpSocket socket;
        socket.connectToHost(host, port);
        if (!socket.waitForConnected(5000))
            return {};
        socket.write("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        QByteArray reply;
        QDeadlineTimer deadline(10000);
        while (socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired())
            if (socket.waitForReadyRead(200))
                reply += socket.readAll();
        return reply + socket.readAll();
    }
    static QByteArray httpGet(quint16 port, const QByteArray &path = "/")
    {
        return httpGet(u"127.0.0.1"_s, port, path);
    }

    // `kubectl port-forward ARGS` (one port, a random local one), running until the object
    // goes: the local port, or 0 with `error` set.
    struct PortForward
    {
        std::unique_ptr<QProcess> process;
        quint16 port = 0;
        QString error;
        PortForward() = default;
        PortForward(PortForward &&) = default;
        ~PortForward()
        {
            if (process) {
                process->terminate();
                process->waitForFinished(5000);
            }
        }
    };
    PortForward portForward(const QStringList &args)
    {
        PortForward forward;
        forward.process = std::make_unique<QProcess>();
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        for (auto [k, v] : env().asKeyValueRange())
            e.insert(k, v);
        forward.process->setProcessEnvironment(e);
        forward.process->start(u"kubectl"_s, contextArgs() + QStringList{u"port-forward"_s} + args);
        QDeadlineTimer deadline(20000);
        while (!forward.process->canReadLine() &&
               forward.process->state() != QProcess::NotRunning && !deadline.hasExpired())
            forward.process->waitForReadyRead(200);
        const QString line = QString::fromUtf8(forward.process->readLine());
        const auto match =
            QRegularExpression(uR"(Forwarding from 127\.0\.0\.1:(\d+) -> \d+)"_s).match(line);
        if (match.hasMatch())
            forward.port = match.captured(1).toUShort();
        else
            forward.error = line + QString::fromUtf8(forward.process->readAllStandardError());
        return forward;
    }

    // What a failed wait leaves to read: the namespace's pods and events, as kubectl shows them.
    QString diagnosis(const QString &ns)
    {
        return kubectl({u"get"_s, u"pods"_s, u"-n"_s, ns, u"-o"_s, u"wide"_s}).out +
               kubectl({u"get"_s, u"events"_s, u"-n"_s, ns}).out;
    }

    // For initTestCase: the test images, the cluster and every node Ready; check
    // QTest::currentTestFailed() after it.
    void createCluster(int workers, const QStringList &images = {u"nginx"_s, u"shell"_s})
    {
        TIMONEL_REQUIRE_DOCKER();
        QVERIFY(m_dir.isValid());
        QVERIFY2(!QStandardPaths::findExecutable(u"kubectl"_s).isEmpty(),
                 "kubectl is the judge and must be on PATH");
        for (const QString &image : images) {
            auto built = testImage(image);
            QVERIFY2(built, errorOf(built).constData());
        }
        QFile config(m_dir.filePath(u"cluster.yaml"_s));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n"
                     "- role: control-plane\n");
        for (int i = 0; i < workers; ++i)
            config.write("- role: worker\n");
        config.close();
        const Run created = timonel(
            {u"create"_s, u"cluster"_s, u"--name"_s, m_cluster, u"--config"_s, config.fileName()});
        QVERIFY2(created.exitCode == 0, qPrintable(created.err));
        // Every node registers and is Ready.
        QDeadlineTimer deadline(60000);
        QString nodes;
        while (!deadline.hasExpired()) {
            nodes = kubectl({u"get"_s, u"nodes"_s, u"--no-headers"_s}).out;
            if (nodes.count(u" Ready "_s) == workers + 1)
                break;
            QTest::qWait(300);
        }
        QVERIFY2(nodes.count(u" Ready "_s) == workers + 1, qPrintable(nodes));
    }

    // For cleanupTestCase: the cluster and every Docker object of it go.
    void deleteCluster()
    {
        if (m_dir.isValid())
            timonel({u"delete"_s, u"cluster"_s, u"--name"_s, m_cluster});
        QCOMPARE(dockerObjectsOf(m_cluster), 0);
    }
};

} // namespace timonel::test
