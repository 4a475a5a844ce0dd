// The control plane end to end, judged by the real kubectl and plain HTTPS: every manifest of the
// seeds is accepted (or refused with the words of a real API server), objects survive stop/start
// and a killed API server, Secrets are encrypted on disk, foreign client certificates get 401,
// and watches resume from a resourceVersion and expire after a restart. One cluster (a control
// plane only: no test here needs a worker) for the whole suite; each test works in its own
// namespace.
#include "core/yaml.h"
#include "pki/certificates.h"
#include "pki/kubeconfig.h"
#include "testsupport.h"

#include <QBuffer>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSslConfiguration>
#include <QSslKey>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUuid>

#include <memory>

using namespace timonel;
using test::Run;
using namespace Qt::StringLiterals;

namespace {

// Deadlines, not sleeps: how long the API server may take to come back after a restart.
constexpr int restartDeadlineMs = 120000;
constexpr int eventDeadlineMs = 15000;

struct HttpResult
{
    int status = -1;
    QByteArray body;
};

// An open watch: the events (one JSON object per line) as they arrive.
struct WatchStream
{
    QNetworkReply *reply = nullptr;
    QByteArray partial;
    QList<QJsonObject> events;

    ~WatchStream()
    {
        if (reply) {
            reply->disconnect();
            reply->abort();
            delete reply;
        }
    }
    bool finished() const { return reply->isFinished(); }
    int status() const
    {
        return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    }
};

// The first place where `live` lacks or contradicts what the manifest said (empty when it has
// all of it). The API server adds defaults and metadata; it must keep every field it was sent.
// Quantities written as numbers (`nvidia.com/gpu: 1`) come back as their canonical strings.
QString firstDifference(const QJsonValue &sent, const QJsonValue &live, const QString &path)
{
    if (sent.isObject()) {
        if (!live.isObject())
            return path;
        const QJsonObject s = sent.toObject(), l = live.toObject();
        for (auto it = s.begin(); it != s.end(); ++it)
            if (QString d = firstDifference(it.value(), l.value(it.key()), path + u'.' + it.key());
                !d.isEmpty())
                return d;
        return {};
    }
    if (sent.isArray()) {
        const QJsonArray s = sent.toArray(), l = live.toArray();
        if (!live.isArray() || s.size() != l.size())
            return path;
        for (qsizetype i = 0; i < s.size(); ++i)
            if (QString d = firstDifference(s.at(i), l.at(i), u"%1[%2]"_s.arg(path).arg(i));
                !d.isEmpty())
                return d;
        return {};
    }
    if (sent.isDouble() && live.isString())
        return QString::number(sent.toDouble()) == live.toString() ? QString() : path;
    return sent == live ? QString() : path;
}

} // namespace

class TestControlPlane : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_cluster = u"cp-"_s + QUuid::createUuid().toString(QUuid::Id128).left(6);
    QNetworkAccessManager m_network; // the admin's watches

    // What the admin kubeconfig holds: where the API server is and how to talk to it.
    struct Admin
    {
        QString server;
        QByteArray caPem, certificatePem, keyPem;
    } m_admin;

    QString kubeconfig() const { return m_dir.filePath(u"kubeconfig"_s); }
    QString controlPlane() const { return m_cluster + u"-control-plane"_s; }
    Run timonel(const QStringList &args) const
    {
        return test::run(test::binary(u"timonel"_s), args, {{u"KUBECONFIG"_s, kubeconfig()}},
                         300000);
    }
    Run kubectl(const QStringList &args, const QString &config = {}) const
    {
        return test::run(u"kubectl"_s, args,
                         {{u"KUBECONFIG"_s, config.isEmpty() ? kubeconfig() : config},
                          {u"KUBECACHEDIR"_s, m_dir.filePath(u"cache"_s)}},
                         60000);
    }
    // kubectl that must succeed; its stdout.
    QString ok(const QStringList &args) const
    {
        const Run r = kubectl(args);
        if (r.exitCode != 0)
            qWarning().noquote() << "kubectl" << args.join(u' ') << "failed:" << r.err;
        return r.exitCode == 0 ? r.out : u"<failed: "_s + r.err + u'>';
    }
    QString writeFile(const QString &name, const QByteArray &content) const
    {
        QFile f(m_dir.filePath(name));
        if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            f.write(content);
        return f.fileName();
    }
    bool makeNamespace(const QString &ns) const
    {
        return ok({u"create"_s, u"namespace"_s, ns}) == u"namespace/%1 created\n"_s.arg(ns);
    }

    bool readAdmin()
    {
        auto docs = pki::readKubeconfig(kubeconfig());
        if (!docs || docs->isEmpty())
            return false;
        const QString context = u"timonel-"_s + m_cluster;
        auto named = [&](const char *list, const char *field) {
            for (const QJsonValue &v : docs->first().value(QLatin1String(list)).toArray())
                if (v.toObject().value(u"name").toString() == context)
                    return v.toObject().value(QLatin1String(field)).toObject();
            return QJsonObject();
        };
        const QJsonObject cluster = named("clusters", "cluster"), user = named("users", "user");
        auto data = [](const QJsonObject &o, const char *key) {
            return QByteArray::fromBase64(o.value(QLatin1String(key)).toString().toLatin1());
        };
        m_admin = {cluster.value(u"server").toString(), data(cluster, "certificate-authority-data"),
                   data(user, "client-certificate-data"), data(user, "client-key-data")};
        return !m_admin.server.isEmpty() && !m_admin.certificatePem.isEmpty();
    }

    // TLS that trusts the cluster's CA, presenting `certificatePem` (none if empty).
    QSslConfiguration tls(const QByteArray &certificatePem, const QByteArray &keyPem) const
    {
        QSslConfiguration c = QSslConfiguration::defaultConfiguration();
        c.setCaCertificates(QSslCertificate::fromData(m_admin.caPem));
        if (!certificatePem.isEmpty()) {
            const QSslKey key(keyPem, QSsl::Ec);
            if (key.isNull())
                qWarning("the client key does not load");
            c.setLocalCertificate(QSslCertificate(certificatePem));
            c.setPrivateKey(key);
        }
        return c;
    }
    QSslConfiguration adminTls() const { return tls(m_admin.certificatePem, m_admin.keyPem); }

    // A manager of its own: managers reuse open connections whatever certificate the next
    // request carries, so one manager per identity.
    HttpResult httpGet(const QString &path, const QSslConfiguration &config)
    {
        QNetworkAccessManager network;
        QNetworkRequest request{QUrl(m_admin.server + path)};
        request.setSslConfiguration(config);
        request.setTransferTimeout(15000);
        std::unique_ptr<QNetworkReply> reply(network.get(request));
        if (!QTest::qWaitFor([&] { return reply->isFinished(); }, 20000))
            return {};
        return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                reply->readAll()};
    }

    std::unique_ptr<WatchStream> watch(const QString &path)
    {
        QNetworkRequest request{QUrl(m_admin.server + path)};
        request.setSslConfiguration(adminTls());
        auto stream = std::make_unique<WatchStream>();
        stream->reply = m_network.get(request);
        WatchStream *s = stream.get();
        connect(s->reply, &QNetworkReply::readyRead, s->reply, [s] {
            s->partial += s->reply->readAll();
            for (qsizetype nl; (nl = s->partial.indexOf('\n')) >= 0; s->partial.remove(0, nl + 1))
                s->events.append(QJsonDocument::fromJson(s->partial.left(nl)).object());
        });
        return stream;
    }

    bool apiServerAnswers() const
    {
        return kubectl({u"get"_s, u"--raw"_s, u"/readyz"_s}).out.trimmed() == u"ok";
    }

    // Kills the API server process (not the container's init) and waits until Docker has
    // restarted the container and kubectl gets answers again. The node image has no shell or
    // kill, so the host's static busybox is copied in to find the process in /proc and kill it.
    void killApiServerAndWaitForRestart()
    {
        docker::DockerClient d;
        const auto before = d.inspectContainer(controlPlane());
        QVERIFY2(before, test::errorOf(before).constData());
        const int restarts = before->value(u"RestartCount").toInt();

        QByteArray archive;
        {
            QBuffer buffer(&archive);
            buffer.open(QIODevice::WriteOnly);
            docker::TarWriter tar(&buffer);
            QVERIFY2(tar.addFileFromDisk(u"busybox"_s, u"/bin/busybox"_s, 0755) && tar.finish(),
                     qPrintable(tar.errorString() + u" (install busybox-static)"_s));
        }
        const auto copied = d.putArchive(controlPlane(), u"/tmp"_s, archive);
        QVERIFY2(copied, test::errorOf(copied).constData());

        const auto listed = d.exec(
            controlPlane(), {u"/tmp/busybox"_s, u"sh"_s, u"-c"_s,
                             u"for p in /proc/[0-9]*; do echo ${p#/proc/} $(cat $p/comm); done"_s});
        QVERIFY2(listed && listed->exitCode == 0, test::errorOf(listed).constData());
        QStringList apiServers;
        QString init;
        for (const QString &line :
             QString::fromUtf8(listed->out).split(u'\n', Qt::SkipEmptyParts)) {
            const QString pid = line.section(u' ', 0, 0), command = line.section(u' ', 1);
            if (pid == u"1")
                init = command;
            if (command == u"timonel-node")
                apiServers.append(pid);
        }
        QCOMPARE(init, u"docker-init"_s); // Docker's init is PID 1; the API server is its child
        QCOMPARE(apiServers.size(), 1);
        // The exec may end with the container, so its own result says nothing.
        (void)d.exec(controlPlane(), {u"/tmp/busybox"_s, u"kill"_s, u"-9"_s, apiServers.first()});

        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         const auto now = d.inspectContainer(controlPlane());
                         return now && now->value(u"RestartCount").toInt() > restarts &&
                                apiServerAnswers();
                     },
                     restartDeadlineMs),
                 qPrintable(u"the control plane did not come back: "_s +
                            QString::fromUtf8(QJsonDocument(d.inspectContainer(controlPlane())
                                                                .value_or(QJsonObject())
                                                                .value(u"State")
                                                                .toObject())
                                                  .toJson(QJsonDocument::Compact))));
    }

    // kind/name uid resourceVersion of each object, one per line.
    QString identities(const QString &ns, const QStringList &objects) const
    {
        return ok(QStringList{u"-n"_s, ns, u"get"_s} + objects +
                  QStringList{u"-o"_s,
                              u"jsonpath={range .items[*]}{.kind}/{.metadata.name} {.metadata.uid} "
                              "{.metadata.resourceVersion}{\"\\n\"}{end}"_s});
    }

private Q_SLOTS:
    void initTestCase()
    {
        TIMONEL_REQUIRE_DOCKER();
        QVERIFY(m_dir.isValid());
        QVERIFY2(!QStandardPaths::findExecutable(u"kubectl"_s).isEmpty(),
                 "kubectl is the judge and must be on PATH");
        const Run created = timonel({u"create"_s, u"cluster"_s, u"--name"_s, m_cluster});
        QVERIFY2(created.exitCode == 0, qPrintable(created.out + created.err));
        QVERIFY(readAdmin());
        // The seeds' pods name images no registry here has: the node takes no pods, so
        // nothing is pulled, and what is checked is the API alone.
        const QString node = m_cluster + u"-control-plane"_s;
        QVERIFY(QTest::qWaitFor(
            [&] { return kubectl({u"cordon"_s, node}).exitCode == 0; }, 60000));
    }

    void cleanupTestCase()
    {
        if (m_dir.isValid())
            timonel({u"delete"_s, u"cluster"_s, u"--name"_s, m_cluster});
    }

    void seedManifestsAreAccepted_data()
    {
        QTest::addColumn<QString>("path");
        const QString dir = QFINDTESTDATA("manifests");
        QVERIFY2(!dir.isEmpty(), "tests/e2e/manifests is missing");
        QStringList files = QDir(dir).entryList({u"seed-*.yaml"_s}, QDir::Files, QDir::Name);
        QVERIFY(files.size() >= 20);
        for (const QString &f : std::as_const(files))
            QTest::newRow(qPrintable(f)) << QDir(dir).filePath(f);
    }

    // Each manifest of the seeds (tests/e2e/manifests, in the order the notes give them),
    // applied as the notes tell the reader to: valid ones are created and read back with every
    // field they set; the ones real Kubernetes refuses (named *-invalid.yaml) are refused with
    // its words, given on their first line, and create nothing. Left out: KinD `kind: Cluster`
    // configs, and the partial manifests the notes show as "..." excerpts (nginx-init,
    // flask-ambassador, flask-sidecar, app-adapter), which have no apiVersion, kind or name.
    void seedManifestsAreAccepted()
    {
        QFETCH(QString, path);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        const QString ns = QFileInfo(path).fileName().section(u'-', 0, 1); // "seed-07"
        QVERIFY(makeNamespace(ns));

        const QByteArray expectPrefix = "# expect: ";
        QCOMPARE(text.startsWith(expectPrefix), path.endsWith(u"-invalid.yaml"_s));
        if (text.startsWith(expectPrefix)) {
            const QString expected = QString::fromUtf8(
                text.mid(expectPrefix.size(), text.indexOf('\n') - expectPrefix.size()));
            const Run applied = kubectl({u"-n"_s, ns, u"apply"_s, u"-f"_s, path});
            QCOMPARE(applied.exitCode, 1);
            QVERIFY2(applied.err.contains(expected), qPrintable(applied.err));
            if (!expected.startsWith(u"error converting YAML")) {
                const Run got = kubectl({u"-n"_s, ns, u"get"_s, u"-f"_s, path});
                QVERIFY2(got.exitCode == 1 &&
                             QRegularExpression(
                                 uR"(Error from server \(NotFound\): \S+ "\S+" not found)"_s)
                                 .match(got.err)
                                 .hasMatch(),
                         qPrintable(got.out + got.err));
            }
            return;
        }

        const auto sent = core::parseYaml(text);
        QVERIFY2(sent && sent->isObject(), "a seed manifest is one YAML object");
        const Run applied = kubectl({u"-n"_s, ns, u"apply"_s, u"-f"_s, path});
        QVERIFY2(applied.exitCode == 0, qPrintable(applied.err));
        QCOMPARE(applied.err, QString()); // no warnings: a real API server sends none for these
        const QString name =
            ok({u"-n"_s, ns, u"get"_s, u"-f"_s, path, u"-o"_s, u"name"_s}).trimmed();
        QVERIFY2(
            name.endsWith(u'/' +
                          sent->toObject().value(u"metadata").toObject().value(u"name").toString()),
            qPrintable(name));
        QCOMPARE(applied.out, name + u" created\n"_s);

        const QString table = ok({u"-n"_s, ns, u"get"_s, u"-f"_s, path});
        QVERIFY2(table.startsWith(u"NAME "_s), qPrintable(table));
        QJsonObject live =
            QJsonDocument::fromJson(
                ok({u"-n"_s, ns, u"get"_s, u"-f"_s, path, u"-o"_s, u"json"_s}).toUtf8())
                .object();
        if (live.value(u"kind").toString() == u"List")
            live = live.value(u"items").toArray().first().toObject();
        const QString difference = firstDifference(*sent, live, {});
        QVERIFY2(difference.isEmpty(),
                 qPrintable(u"%1 differs: %2"_s.arg(
                     difference, QString::fromUtf8(QJsonDocument(live).toJson()))));
    }

    void objectsSurviveStopStartAndKill()
    {
        const QString ns = u"survive"_s;
        QVERIFY(makeNamespace(ns));
        ok({u"-n"_s, ns, u"create"_s, u"configmap"_s, u"keep"_s, u"--from-literal=color=blue"_s});
        ok({u"-n"_s, ns, u"create"_s, u"secret"_s, u"generic"_s, u"keep"_s,
            u"--from-literal=password=s3cret"_s});
        // A Service rather than a workload: controllers rewrite a Deployment's status after a
        // restart, which is not what this checks.
        ok({u"-n"_s, ns, u"create"_s, u"service"_s, u"clusterip"_s, u"keep"_s, u"--tcp=80:80"_s});
        const QStringList objects{u"configmap/keep"_s, u"secret/keep"_s, u"service/keep"_s};
        const QString before = identities(ns, objects);
        QCOMPARE(before.count(u'\n'), 3);

        const Run stopped = timonel({u"stop"_s, u"cluster"_s, u"--name"_s, m_cluster});
        QVERIFY2(stopped.exitCode == 0, qPrintable(stopped.err));
        QVERIFY(!apiServerAnswers());
        const Run started = timonel({u"start"_s, u"cluster"_s, u"--name"_s, m_cluster});
        QVERIFY2(started.exitCode == 0, qPrintable(started.err));
        QVERIFY(QTest::qWaitFor([&] { return apiServerAnswers(); }, restartDeadlineMs));
        QCOMPARE(identities(ns, objects), before);

        // Docker restarts the container (restart policy unless-stopped) when the API server dies.
        killApiServerAndWaitForRestart();
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(identities(ns, objects), before);
        QCOMPARE(ok({u"-n"_s, ns, u"get"_s, u"secret"_s, u"keep"_s, u"-o"_s,
                     u"jsonpath={.data.password}"_s}),
                 u"czNjcmV0"_s);
        QCOMPARE(ok({u"-n"_s, ns, u"get"_s, u"configmap"_s, u"keep"_s, u"-o"_s,
                     u"jsonpath={.data.color}"_s}),
                 u"blue"_s);
        // Restarting dockerd itself is left out: too disruptive on a machine others share.
    }

    void secretsAreEncryptedAtRest()
    {
        const QString ns = u"atrest"_s;
        QVERIFY(makeNamespace(ns));
        const QString unique = QUuid::createUuid().toString(QUuid::Id128);
        const QByteArray secretValue = "s3cret-" + unique.toLatin1();
        const QByteArray plainValue = "plain-" + unique.toLatin1();
        ok({u"-n"_s, ns, u"create"_s, u"secret"_s, u"generic"_s, u"vault"_s,
            u"--from-literal=token="_s + QString::fromLatin1(secretValue)});
        ok({u"-n"_s, ns, u"create"_s, u"configmap"_s, u"notes"_s,
            u"--from-literal=text="_s + QString::fromLatin1(plainValue)});
        QCOMPARE(ok({u"-n"_s, ns, u"get"_s, u"secret"_s, u"vault"_s, u"-o"_s,
                     u"jsonpath={.data.token}"_s}),
                 QString::fromLatin1(secretValue.toBase64()));

        const auto archive =
            docker::DockerClient().getArchive(controlPlane(), u"/var/lib/timonel/apiserver"_s);
        QVERIFY2(archive, test::errorOf(archive).constData());
        const auto entries = docker::readTar(*archive);
        QVERIFY2(entries, test::errorOf(entries).constData());
        QStringList files, withPlain, withSecret;
        for (const docker::TarEntry &e : *entries) {
            if (e.type != '0')
                continue;
            files.append(e.path);
            if (e.data.contains(plainValue))
                withPlain.append(e.path);
            if (e.data.contains(secretValue) || e.data.contains(secretValue.toBase64()))
                withSecret.append(e.path);
        }
        // The ConfigMap's value is found, so the search would find the Secret's if it were there.
        QVERIFY2(!withPlain.isEmpty(), qPrintable(files.join(u", ")));
        QVERIFY2(withSecret.isEmpty(), qPrintable(u"in clear in "_s + withSecret.join(u", ")));
    }

    void wrongCertificatesGet401()
    {
        const auto impostorCa = pki::createCertificateAuthority(u"impostor-ca"_s);
        QVERIFY2(impostorCa, test::errorOf(impostorCa).constData());
        pki::CertificateRequest request;
        request.commonName = u"kubernetes-admin"_s;
        request.organizations = {u"system:masters"_s};
        request.clientAuth = true;
        const auto impostor = pki::issueCertificate(*impostorCa, request);
        QVERIFY2(impostor, test::errorOf(impostor).constData());

        // kubectl trusts the server (the cluster's CA) but presents a certificate the cluster's
        // CA never signed.
        const QString config =
            writeFile(u"impostor-kubeconfig"_s,
                      pki::renderKubeconfig({u"impostor"_s, m_admin.server, m_admin.caPem,
                                             impostor->certificatePem, impostor->privateKeyPem}));
        const Run denied = kubectl({u"get"_s, u"namespaces"_s}, config);
        QCOMPARE(denied.exitCode, 1);
        QVERIFY2(
            denied.err.contains(u"error: You must be logged in to the server (Unauthorized)\n"_s),
            qPrintable(denied.err));

        // The same request by hand: 401 and the Status a real API server sends, for a foreign
        // certificate and for none; the admin certificate gets through.
        const QJsonObject unauthorized{{u"kind"_s, u"Status"_s},
                                       {u"apiVersion"_s, u"v1"_s},
                                       {u"metadata"_s, QJsonObject()},
                                       {u"status"_s, u"Failure"_s},
                                       {u"message"_s, u"Unauthorized"_s},
                                       {u"reason"_s, u"Unauthorized"_s},
                                       {u"code"_s, 401}};
        for (const QSslConfiguration &who :
             {tls(impostor->certificatePem, impostor->privateKeyPem), tls({}, {})}) {
            const HttpResult r = httpGet(u"/api/v1/namespaces"_s, who);
            QCOMPARE(r.status, 401);
            QCOMPARE(QJsonDocument::fromJson(r.body).object(), unauthorized);
        }
        QCOMPARE(httpGet(u"/api/v1/namespaces"_s, adminTls()).status, 200);
    }

    void watchResumesAndExpires()
    {
        const QString ns = u"watch"_s;
        QVERIFY(makeNamespace(ns));
        const QString collection = u"/api/v1/namespaces/%1/configmaps"_s.arg(ns);
        const QString listRv =
            QJsonDocument::fromJson(ok({u"get"_s, u"--raw"_s, collection}).toUtf8())
                .object()
                .value(u"metadata")
                .toObject()
                .value(u"resourceVersion")
                .toString();
        QVERIFY(listRv.toLongLong() > 0);
        auto rvOf = [](const QJsonObject &event) {
            return event.value(u"object")
                .toObject()
                .value(u"metadata")
                .toObject()
                .value(u"resourceVersion")
                .toString();
        };

        // From the list's revision, a watch sees what happens next.
        const auto live = watch(collection + u"?watch=true&resourceVersion="_s + listRv);
        ok({u"-n"_s, ns, u"create"_s, u"configmap"_s, u"w"_s, u"--from-literal=a=1"_s});
        ok({u"-n"_s, ns, u"patch"_s, u"configmap"_s, u"w"_s, u"--type=merge"_s, u"-p"_s,
            u"{\"data\":{\"a\":\"2\"}}"_s});
        ok({u"-n"_s, ns, u"delete"_s, u"configmap"_s, u"w"_s});
        QVERIFY2(QTest::qWaitFor([&] { return live->events.size() >= 3; }, eventDeadlineMs),
                 qPrintable(QString::number(live->events.size())));
        QCOMPARE(live->status(), 200);
        QStringList types;
        for (const QJsonObject &e : std::as_const(live->events))
            types.append(e.value(u"type").toString());
        QCOMPARE(types, QStringList({u"ADDED"_s, u"MODIFIED"_s, u"DELETED"_s}));
        const QString added = rvOf(live->events.at(0)), modified = rvOf(live->events.at(1));
        QVERIFY(added.toLongLong() > listRv.toLongLong());
        QVERIFY(modified.toLongLong() > added.toLongLong());

        // Resumed from the ADDED event's revision: exactly the two later events, in order.
        const auto resumed = watch(collection + u"?watch=true&resourceVersion="_s + added);
        QVERIFY(QTest::qWaitFor([&] { return resumed->events.size() >= 2; }, eventDeadlineMs));
        QCOMPARE(resumed->events.size(), 2);
        QCOMPARE(resumed->events.at(0).value(u"type").toString(), u"MODIFIED"_s);
        QCOMPARE(rvOf(resumed->events.at(0)), modified);
        QCOMPARE(resumed->events.at(0)["object"]["data"]["a"].toString(), u"2"_s);
        QCOMPARE(resumed->events.at(1).value(u"type").toString(), u"DELETED"_s);
        QCOMPARE(rvOf(resumed->events.at(1)), rvOf(live->events.at(2)));

        // A restarted API server no longer has that history: like the watch cache of a
        // restarted kube-apiserver, it answers with an ERROR event holding 410 Expired.
        killApiServerAndWaitForRestart();
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(QTest::qWaitFor([&] { return live->finished(); }, eventDeadlineMs),
                 "a watch stays open after its API server died");
        const auto expired = watch(collection + u"?watch=true&resourceVersion="_s + added);
        QVERIFY(QTest::qWaitFor([&] { return expired->finished(); }, eventDeadlineMs));
        QCOMPARE(expired->status(), 200);
        QCOMPARE(expired->events.size(), 1);
        QCOMPARE(expired->events.at(0).value(u"type").toString(), u"ERROR"_s);
        const QJsonObject status = expired->events.at(0).value(u"object").toObject();
        QCOMPARE(status.value(u"kind").toString(), u"Status"_s);
        QCOMPARE(status.value(u"apiVersion").toString(), u"v1"_s);
        QCOMPARE(status.value(u"status").toString(), u"Failure"_s);
        QCOMPARE(status.value(u"reason").toString(), u"Expired"_s);
        QCOMPARE(status.value(u"code").toInt(), 410);
        QVERIFY2(QRegularExpression(u"^too old resource version: %1 \\(\\d+\\)$"_s.arg(added))
                     .match(status.value(u"message").toString())
                     .hasMatch(),
                 qPrintable(status.value(u"message").toString()));
        // The 10000-write history limit without a restart is left to the storage's unit tests:
        // 10000 writes through kubectl would take minutes.
    }
};

QTEST_GUILESS_MAIN(TestControlPlane)
#include "tst_controlplane.moc"
