// The Docker client against the real engine. The only image needed is Timonel's own node image,
// built here from the freshly built timonel-node (no registry).
#include "cluster/nodeimage.h"
#include "docker/dockerclient.h"
#include "docker/tar.h"
#include "testsupport.h"

#include <QBuffer>
#include <QDateTime>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QUuid>

using namespace timonel;

class TestDockerClient : public QObject
{
    Q_OBJECT

    docker::DockerClient m_docker;
    QString m_image;
    QString m_label = QStringLiteral("io.timonel.test");
    QString m_run = QUuid::createUuid().toString(QUuid::Id128).left(12);

    QJsonObject labels() const { return {{m_label, m_run}}; }

    QString runContainer(const QJsonArray &cmd, const QString &suffix)
    {
        auto id = m_docker.createContainer(QStringLiteral("timonel-test-%1-%2").arg(m_run, suffix),
                                           {{QStringLiteral("Image"), m_image},
                                            {QStringLiteral("Cmd"), cmd},
                                            {QStringLiteral("Labels"), labels()}});
        if (!id)
            return {};
        if (!m_docker.startContainer(*id))
            return {};
        return *id;
    }

private Q_SLOTS:
    void initTestCase()
    {
        TIMONEL_REQUIRE_DOCKER();
        cluster::NodeImage image(test::binary(QStringLiteral("timonel-node")));
        auto ref = image.ensure(m_docker);
        QVERIFY2(ref, timonel::test::errorOf(ref).constData());
        m_image = *ref;
    }

    void cleanupTestCase()
    {
        const QJsonObject filter = docker::labelFilter(m_label, m_run);
        for (const auto &c : m_docker.listContainers(filter).value_or(QJsonArray()))
            m_docker.removeContainer(c.toObject().value(QLatin1String("Id")).toString(), true,
                                     true);
        for (const auto &n : m_docker.listNetworks(filter).value_or(QJsonArray()))
            m_docker.removeNetwork(n.toObject().value(QLatin1String("Id")).toString());
        for (const auto &v : m_docker.listVolumes(filter).value_or(QJsonArray()))
            m_docker.removeVolume(v.toObject().value(QLatin1String("Name")).toString());
    }

    void negotiatesAnApiVersionTheDaemonSpeaks()
    {
        auto version = m_docker.apiVersion();
        QVERIFY2(version, timonel::test::errorOf(version).constData());
        auto daemon = m_docker.version();
        QVERIFY(daemon);
        const int ours = version->section(QLatin1Char('.'), 1).toInt();
        const int theirs = daemon->value(QLatin1String("ApiVersion"))
                               .toString()
                               .section(QLatin1Char('.'), 1)
                               .toInt();
        QVERIFY(ours >= 41);
        QVERIFY(ours <= theirs);
    }

    void missingContainerIsA404WithTheDaemonsMessage()
    {
        auto r = m_docker.inspectContainer(QStringLiteral("timonel-no-such-container"));
        QVERIFY(!r);
        QCOMPARE(r.error().status, 404);
        QVERIFY2(r.error().message.contains(QLatin1String("No such container")),
                 timonel::test::errorOf(r).constData());
    }

    void absentDaemonSaysHowToStartIt()
    {
        docker::DockerClient nowhere(QStringLiteral("/tmp/timonel-no-docker-%1.sock").arg(m_run));
        auto r = nowhere.ping();
        QVERIFY(!r);
        QCOMPARE(r.error().status, 0);
        QVERIFY2(r.error().message.contains(QLatin1String("Docker is not running")),
                 timonel::test::errorOf(r).constData());
    }

    void importedImageCarriesTheNodeProgram()
    {
        auto inspected = m_docker.inspectImage(m_image);
        QVERIFY(inspected);
        const QJsonArray entrypoint = inspected->value(QLatin1String("Config"))
                                          .toObject()
                                          .value(QLatin1String("Entrypoint"))
                                          .toArray();
        QCOMPARE(entrypoint.first().toString(), QStringLiteral("/usr/bin/timonel-node"));
        // The same content gives the same tag: no second build.
        cluster::NodeImage again(test::binary(QStringLiteral("timonel-node")));
        bool built = true;
        auto ref = again.ensure(m_docker, &built);
        QVERIFY(ref);
        QCOMPARE(*ref, m_image);
        QVERIFY(!built);
    }

    void aChangedNodeProgramGetsANewImageTag()
    {
        QTemporaryDir dir;
        const QString copy = dir.filePath(QStringLiteral("timonel-node"));
        QVERIFY(QFile::copy(test::binary(QStringLiteral("timonel-node")), copy));
        cluster::NodeImage same(copy);
        QCOMPARE(same.reference().value_or(QString()), m_image);
        // Trailing bytes leave the program runnable but change its content.
        QFile f(copy);
        QVERIFY(f.open(QIODevice::Append));
        f.write("rebuilt");
        f.close();
        cluster::NodeImage changed(copy);
        auto ref = changed.reference();
        QVERIFY2(ref, test::errorOf(ref).constData());
        QVERIFY(ref->startsWith(QLatin1String("timonel/node:")));
        QVERIFY(*ref != m_image);
    }

    void logsAreDemultiplexedAndExitCodesWaitedFor()
    {
        const QString ok = runContainer({QStringLiteral("version")}, QStringLiteral("version"));
        const QString bad = runContainer({QStringLiteral("no-such-role")}, QStringLiteral("bad"));
        QVERIFY(!ok.isEmpty() && !bad.isEmpty());
        QCOMPARE(m_docker.waitContainer(ok).value_or(-1), 0);
        QCOMPARE(m_docker.waitContainer(bad).value_or(-1), 1);

        QByteArray out, err;
        auto collect = [&](int stream, const QByteArray &data) {
            (stream == 2 ? err : out).append(data);
            return true;
        };
        QVERIFY(m_docker.logs(ok, false, collect));
        QVERIFY2(out.startsWith("timonel-node "), out.constData());
        QVERIFY2(err.isEmpty(), err.constData());
        out.clear();
        QVERIFY(m_docker.logs(bad, false, collect));
        QVERIFY(out.isEmpty());
        QVERIFY2(err.contains("usage: timonel-node"), err.constData());
    }

    void followedLogsStopWhenTheCallerHasSeenEnough()
    {
        const QString id = runContainer({QStringLiteral("pause")}, QStringLiteral("follow"));
        QVERIFY(!id.isEmpty());
        QByteArray seen;
        auto r = m_docker.logs(
            id, true,
            [&](int, const QByteArray &data) {
                seen.append(data);
                return !seen.contains("ready");
            },
            30000);
        QVERIFY2(r, timonel::test::errorOf(r).constData());
        QVERIFY(seen.contains("timonel-node: ready"));
    }

    void execCollectsOutputAndExitCode()
    {
        const QString id = runContainer({QStringLiteral("pause")}, QStringLiteral("exec"));
        QVERIFY(!id.isEmpty());
        auto good =
            m_docker.exec(id, {QStringLiteral("/usr/bin/timonel-node"), QStringLiteral("version")});
        QVERIFY2(good, timonel::test::errorOf(good).constData());
        QCOMPARE(good->exitCode, 0);
        QVERIFY(good->out.startsWith("timonel-node "));
        auto bad =
            m_docker.exec(id, {QStringLiteral("/usr/bin/timonel-node"), QStringLiteral("nope")});
        QVERIFY(bad);
        QCOMPARE(bad->exitCode, 1);
        QVERIFY(bad->err.contains("usage"));
        auto missing = m_docker.exec(id, {QStringLiteral("/no/such/program")});
        QVERIFY(!missing || missing->exitCode != 0);
    }

    void execFeedsStdinAndSeparatesTheStreams()
    {
        auto busybox = test::busyboxImage();
        QVERIFY2(busybox, test::errorOf(busybox).constData());
        auto id = m_docker.createContainer(
            QStringLiteral("timonel-test-%1-stdin").arg(m_run),
            {{QStringLiteral("Image"), *busybox},
             {QStringLiteral("Cmd"), QJsonArray{QStringLiteral("sleep"), QStringLiteral("300")}},
             {QStringLiteral("Labels"), labels()}});
        QVERIFY(id);
        QVERIFY(m_docker.startContainer(*id));
        // stdin goes through the hijacked connection and is closed, so cat ends.
        const QByteArray input =
            QByteArray("hola\n").repeated(20000); // bigger than a socket buffer
        auto echoed = m_docker.exec(*id, {QStringLiteral("cat")}, input);
        QVERIFY2(echoed, test::errorOf(echoed).constData());
        QCOMPARE(echoed->exitCode, 0);
        QCOMPARE(echoed->out.size(), input.size());
        QCOMPARE(echoed->out, input);
        auto mixed = m_docker.exec(*id, {QStringLiteral("sh"), QStringLiteral("-c"),
                                         QStringLiteral("echo to-out; echo to-err >&2; exit 3")});
        QVERIFY(mixed);
        QCOMPARE(mixed->exitCode, 3);
        QCOMPARE(mixed->out, QByteArray("to-out\n"));
        QCOMPARE(mixed->err, QByteArray("to-err\n"));
    }

    void followedLogsEndWhenTheContainerStops()
    {
        auto busybox = test::busyboxImage();
        QVERIFY(busybox);
        for (const bool tty : {false, true}) {
            auto id = m_docker.createContainer(
                QStringLiteral("timonel-test-%1-lines%2").arg(m_run).arg(tty),
                {{QStringLiteral("Image"), *busybox},
                 {QStringLiteral("Tty"), tty},
                 {QStringLiteral("Cmd"),
                  QJsonArray{QStringLiteral("sh"), QStringLiteral("-c"),
                             QStringLiteral("for i in 1 2 3; do echo line $i; sleep 0.2; done")}},
                 {QStringLiteral("Labels"), labels()}});
            QVERIFY(id);
            QVERIFY(m_docker.startContainer(*id));
            QByteArray seen;
            auto r = m_docker.logs(*id, true, [&](int stream, const QByteArray &data) {
                if (stream == 1)
                    seen.append(data);
                return true;
            });
            QVERIFY2(r, test::errorOf(r).constData());
            QCOMPARE(seen.replace("\r\n", "\n"), QByteArray("line 1\nline 2\nline 3\n"));
        }
    }

    void limitsAndMountsAreApplied()
    {
        auto busybox = test::busyboxImage();
        QVERIFY(busybox);
        QTemporaryDir host;
        QFile marker(host.filePath(QStringLiteral("marker")));
        QVERIFY(marker.open(QIODevice::WriteOnly));
        marker.write("from the host\n");
        marker.close();
        auto id = m_docker.createContainer(
            QStringLiteral("timonel-test-%1-limits").arg(m_run),
            {{QStringLiteral("Image"), *busybox},
             {QStringLiteral("Cmd"),
              QJsonArray{QStringLiteral("cat"), QStringLiteral("/data/marker")}},
             {QStringLiteral("Labels"), labels()},
             {QStringLiteral("HostConfig"),
              QJsonObject{
                  {QStringLiteral("Memory"), 64 * 1024 * 1024},
                  {QStringLiteral("NanoCpus"), 500000000},
                  {QStringLiteral("Mounts"),
                   QJsonArray{QJsonObject{{QStringLiteral("Type"), QStringLiteral("bind")},
                                          {QStringLiteral("Source"), host.path()},
                                          {QStringLiteral("Target"), QStringLiteral("/data")},
                                          {QStringLiteral("ReadOnly"), true}}}}}}});
        QVERIFY2(id, test::errorOf(id).constData());
        QVERIFY(m_docker.startContainer(*id));
        QCOMPARE(m_docker.waitContainer(*id).value_or(-1), 0);
        QByteArray out;
        QVERIFY(m_docker.logs(*id, false, [&](int, const QByteArray &d) {
            out += d;
            return true;
        }));
        QCOMPARE(out, QByteArray("from the host\n"));
        const QJsonObject hostConfig = m_docker.inspectContainer(*id)
                                           .value_or(QJsonObject())
                                           .value(QLatin1String("HostConfig"))
                                           .toObject();
        QCOMPARE(hostConfig.value(QLatin1String("Memory")).toInteger(), 64 * 1024 * 1024);
        QCOMPARE(hostConfig.value(QLatin1String("NanoCpus")).toInteger(), 500000000);
    }

    void archivesGoInAndComeBack()
    {
        const QString id = runContainer({QStringLiteral("pause")}, QStringLiteral("archive"));
        QVERIFY(!id.isEmpty());
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        docker::TarWriter tar(&buffer);
        tar.addDirectory(QStringLiteral("etc/timonel/test"));
        tar.addFile(QStringLiteral("etc/timonel/test/hello.txt"), "hola\n", 0600);
        QVERIFY(tar.finish());
        QVERIFY(m_docker.putArchive(id, QStringLiteral("/"), buffer.data()));
        auto back = m_docker.getArchive(id, QStringLiteral("/etc/timonel/test/hello.txt"));
        QVERIFY(back);
        auto entries = docker::readTar(*back);
        QVERIFY(entries);
        QCOMPARE(entries->size(), 1);
        QCOMPARE(entries->first().data, QByteArray("hola\n"));
        QCOMPARE(entries->first().mode & 0777, 0600);
    }

    void statsDescribeARunningContainer()
    {
        const QString id = runContainer({QStringLiteral("pause")}, QStringLiteral("stats"));
        QVERIFY(!id.isEmpty());
        auto stats = m_docker.stats(id);
        QVERIFY2(stats, timonel::test::errorOf(stats).constData());
        QVERIFY(stats->value(QLatin1String("memory_stats"))
                    .toObject()
                    .contains(QLatin1String("usage")));
    }

    void eventsReportContainerStarts()
    {
        const QString name = QStringLiteral("timonel-test-%1-events").arg(m_run);
        auto id = m_docker.createContainer(
            name, {{QStringLiteral("Image"), m_image},
                   {QStringLiteral("Cmd"), QJsonArray{QStringLiteral("version")}},
                   {QStringLiteral("Labels"), labels()}});
        QVERIFY(id);
        // Events since before the start are replayed, so nothing races the subscription.
        const qint64 before = QDateTime::currentSecsSinceEpoch() - 1;
        QVERIFY(m_docker.startContainer(*id));
        bool started = false;
        auto r = m_docker.events(
            QJsonObject{{QStringLiteral("container"), QJsonArray{*id}}},
            [&](const QJsonObject &e) {
                started = e.value(QLatin1String("Action")).toString() == QLatin1String("start");
                return !started;
            },
            30000, before);
        QVERIFY(r);
        QVERIFY(started);
    }

    void stopAndKillEndRunningContainers()
    {
        const QString stopped = runContainer({QStringLiteral("pause")}, QStringLiteral("stop"));
        const QString killed = runContainer({QStringLiteral("pause")}, QStringLiteral("kill"));
        QVERIFY(!stopped.isEmpty() && !killed.isEmpty());
        // timonel-node stops cleanly on SIGTERM, well before the 10 s grace period.
        QVERIFY(m_docker.stopContainer(stopped, 10));
        QVERIFY(m_docker.killContainer(killed));
        QCOMPARE(m_docker.waitContainer(killed).value_or(-1), 137);
        auto inspected = m_docker.inspectContainer(stopped);
        QVERIFY(inspected);
        const QJsonObject state = inspected->value(QLatin1String("State")).toObject();
        QCOMPARE(state.value(QLatin1String("Running")).toBool(), false);
        QCOMPARE(state.value(QLatin1String("ExitCode")).toInt(), 0);
        QVERIFY(m_docker.stopContainer(stopped, 10)); // already stopped is fine
        QVERIFY(m_docker.removeContainer(stopped));
        QCOMPARE(m_docker.inspectContainer(stopped).error().status, 404);
    }

    void imagesAreTaggedListedAndRemoved()
    {
        const QString repository = QStringLiteral("timonel-test/tagged");
        QVERIFY(m_docker.tagImage(m_image, repository, m_run));
        const QString reference = repository + QLatin1Char(':') + m_run;
        const QJsonArray listed =
            m_docker.listImages({{QStringLiteral("reference"), QJsonArray{reference}}})
                .value_or(QJsonArray());
        QCOMPARE(listed.size(), 1);
        QVERIFY(m_docker.inspectImage(reference));
        QVERIFY(m_docker.removeImage(reference));
        QCOMPARE(m_docker.inspectImage(reference).error().status, 404);
        QVERIFY(m_docker.inspectImage(m_image)); // removing a tag keeps the image
    }

    void imagesAreBuiltFromAContextWithBuildArguments()
    {
        auto busybox = test::busyboxImage();
        QVERIFY2(busybox, test::errorOf(busybox).constData());
        auto build = [&](const QByteArray &dockerfile, const QString &tag, QStringList *output) {
            QBuffer context;
            context.open(QIODevice::ReadWrite);
            docker::TarWriter tar(&context);
            tar.addFile(QStringLiteral("build/Dockerfile"), dockerfile);
            tar.addFile(QStringLiteral("greeting.txt"), "hello\n");
            tar.finish();
            const qint64 size = context.size();
            context.seek(0);
            return m_docker.buildImage(
                &context, size, tag, QStringLiteral("build/Dockerfile"),
                {{QStringLiteral("WHO"), QStringLiteral("timonel")}}, [&](const QJsonObject &line) {
                    output->append(line.value(QLatin1String("stream")).toString());
                });
        };
        const QString tag = QStringLiteral("timonel-test/built:") + m_run;
        QStringList output;
        auto built = build("FROM " + busybox->toUtf8() +
                               "\nARG WHO\nENV GREETED=$WHO\nCOPY greeting.txt /\n",
                           tag, &output);
        QVERIFY2(built, test::errorOf(built).constData());
        QVERIFY2(output.join(QString()).contains(QLatin1String("Successfully tagged")),
                 qPrintable(output.join(QString())));
        auto image = m_docker.inspectImage(tag);
        QVERIFY(image);
        QVERIFY(image->value(QLatin1String("Config"))
                    .toObject()
                    .value(QLatin1String("Env"))
                    .toArray()
                    .contains(QStringLiteral("GREETED=timonel")));
        QVERIFY(m_docker.removeImage(tag));

        auto broken = build("FROM " + busybox->toUtf8() + "\nCOPY missing.txt /\n", tag, &output);
        QVERIFY(!broken);
        QVERIFY2(broken.error().message.contains(QLatin1String("missing.txt")),
                 qPrintable(broken.error().message));
    }

    void failedPullCarriesTheDaemonsReason()
    {
        // No registry is reachable from here: the pull must fail with the daemon's words, promptly.
        QList<QJsonObject> progress;
        auto r = m_docker.pullImage(QStringLiteral("localhost:1/timonel-test/absent:%1").arg(m_run),
                                    [&](const QJsonObject &o) { progress.append(o); });
        QVERIFY(!r);
        QVERIFY2(!r.error().message.isEmpty(), "the daemon's reason is kept");
    }

    void networksAndVolumesAreFoundByLabel()
    {
        auto net = m_docker.createNetwork(
            {{QStringLiteral("Name"), QStringLiteral("timonel-test-%1").arg(m_run)},
             {QStringLiteral("Labels"), labels()}});
        QVERIFY2(net, timonel::test::errorOf(net).constData());
        auto vol =
            m_docker.createVolume(QStringLiteral("timonel-test-%1").arg(m_run), {{m_label, m_run}});
        QVERIFY(vol);
        const QJsonObject filter = docker::labelFilter(m_label, m_run);
        QCOMPARE(m_docker.listNetworks(filter).value_or(QJsonArray()).size(), 1);
        QCOMPARE(m_docker.listVolumes(filter).value_or(QJsonArray()).size(), 1);
        QVERIFY(m_docker.removeNetwork(*net));
        QVERIFY(m_docker.removeVolume(QStringLiteral("timonel-test-%1").arg(m_run)));
        QCOMPARE(m_docker.listNetworks(filter).value_or(QJsonArray()).size(), 0);
        QCOMPARE(m_docker.listVolumes(filter).value_or(QJsonArray()).size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestDockerClient)
#include "tst_dockerclient.moc"
