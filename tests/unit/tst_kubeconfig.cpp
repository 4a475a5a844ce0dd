#include "pki/certificates.h"
#include "pki/kubeconfig.h"

#include "core/yaml.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace timonel::pki;

namespace {

KubeconfigEntry sampleEntry(const QString &name = "timonel-dev")
{
    return KubeconfigEntry{name, "https://127.0.0.1:40123",
                           "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
                           "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n",
                           "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n"};
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

void writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(bytes);
}

QJsonObject parsedFile(const QString &path)
{
    const auto documents = readKubeconfig(path);
    if (!documents || documents->size() != 1) {
        qWarning().noquote() << "cannot read back" << path << (documents ? "" : documents.error());
        return {};
    }
    return documents->front();
}

QJsonObject yamlObject(const QByteArray &yaml)
{
    return timonel::core::parseYaml(yaml).value_or(QJsonValue()).toObject();
}

QStringList names(const QJsonObject &config, const QString &list)
{
    QStringList result;
    const QJsonArray entries = config.value(list).toArray();
    for (const QJsonValue &entry : entries)
        result << entry.toObject().value("name").toString();
    return result;
}

QJsonObject named(const QJsonObject &config, const QString &list, const QString &name)
{
    const QJsonArray entries = config.value(list).toArray();
    for (const QJsonValue &entry : entries) {
        if (entry.toObject().value("name").toString() == name)
            return entry.toObject();
    }
    return {};
}

// A kubeconfig as people have them: several clouds, an exec plugin, extensions, preferences,
// and a stale entry of ours in the middle of each list.
const QByteArray existingConfig = R"(apiVersion: v1
kind: Config
preferences:
  colors: true
current-context: gke
clusters:
- name: gke
  cluster:
    server: https://34.1.2.3
    certificate-authority-data: Q0E=
    extensions:
    - name: client.authentication.k8s.io/exec
      extension:
        audience: foo
- name: timonel-dev
  cluster:
    server: https://127.0.0.1:1
- name: eks
  cluster:
    server: https://eks.example.com
    insecure-skip-tls-verify: true
users:
- name: gke-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: gke-gcloud-auth-plugin
      args: ["--verbose", "0644"]
      env: null
      interactiveMode: IfAvailable
      provideClusterInfo: true
- name: timonel-dev
  user:
    token: stale
- name: eks-user
  user:
    token: "12345"
contexts:
- name: gke
  context:
    cluster: gke
    user: gke-user
    namespace: team-a
- name: timonel-dev
  context:
    cluster: timonel-dev
    user: timonel-dev
- name: eks
  context:
    cluster: eks
    user: eks-user
extensions:
- name: my-tool
  extension:
    last-used: "2024-01-02"
)";

bool isOwnerOnly(const QString &path)
{
    const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup |
                                            QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                            QFileDevice::WriteOther | QFileDevice::ExeOther;
    const QFileDevice::Permissions permissions = QFile::permissions(path);
    return (permissions & others) == 0 && (permissions & QFileDevice::ReadOwner) &&
           (permissions & QFileDevice::WriteOwner);
}

} // namespace

class TestKubeconfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void rendersStandaloneKubeconfig();
    void pathFollowsKubeconfigVariable_data();
    void pathFollowsKubeconfigVariable();
    void mergeCreatesMissingFileAndDirectoryPrivately();
    void mergeKeepsOtherEntriesFieldsAndOrder();
    void mergeCanLeaveCurrentContextAlone();
    void mergingTwiceDoesNotDuplicate();
    void mergeKeepsPermissionsOfExistingFile();
    void mergeWritesThroughSymlink();
    void mergeAcceptsKubectlEmptyLists();
    void removeLeavesOtherEntries_data();
    void removeLeavesOtherEntries();
    void removeOfMissingFileOrEntrySucceeds();
    void unparsableFileIsAnErrorAndLeftUntouched_data();
    void unparsableFileIsAnErrorAndLeftUntouched();
    void mergeWaitsForKubectlLock();
    void kubectlReadsMergedFile();
    void kubectlAuthenticatesWithIssuedCertificates();
    void kubectlReadsTrickyValuesAsWritten();

private:
    QString kubectl();
    QByteArray runKubectl(const QStringList &arguments, bool *ok);

    QTemporaryDir m_dir;
    QString m_path;
};

void TestKubeconfig::init()
{
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QString("config-%1").arg(QTest::currentTestFunction()));
    if (QTest::currentDataTag())
        m_path += QString("-%1").arg(QString(QTest::currentDataTag()).replace(' ', '_'));
}

void TestKubeconfig::rendersStandaloneKubeconfig()
{
    const KubeconfigEntry entry = sampleEntry();
    const QByteArray expected = "apiVersion: v1\n"
                                "clusters:\n"
                                "- cluster:\n"
                                "    certificate-authority-data: " +
                                entry.caPem.toBase64() +
                                "\n"
                                "    server: https://127.0.0.1:40123\n"
                                "  name: timonel-dev\n"
                                "contexts:\n"
                                "- context:\n"
                                "    cluster: timonel-dev\n"
                                "    user: timonel-dev\n"
                                "  name: timonel-dev\n"
                                "current-context: timonel-dev\n"
                                "kind: Config\n"
                                "preferences: {}\n"
                                "users:\n"
                                "- name: timonel-dev\n"
                                "  user:\n"
                                "    client-certificate-data: " +
                                entry.clientCertPem.toBase64() +
                                "\n"
                                "    client-key-data: " +
                                entry.clientKeyPem.toBase64() + "\n";
    QCOMPARE(renderKubeconfig(entry), expected);
}

void TestKubeconfig::pathFollowsKubeconfigVariable_data()
{
    QTest::addColumn<QByteArray>("variable");
    QTest::addColumn<QString>("expected");
    const QString home = QDir::homePath() + "/.kube/config";
    QTest::newRow("unset") << QByteArray() << home;
    QTest::newRow("empty") << QByteArray("") << home;
    QTest::newRow("single") << QByteArray("/a/b/config") << "/a/b/config";
    QTest::newRow("first of several") << QByteArray("/x/one:/y/two") << "/x/one";
    QTest::newRow("empty entries skipped") << QByteArray("::/x/one:") << "/x/one";
}

void TestKubeconfig::pathFollowsKubeconfigVariable()
{
    QFETCH(QByteArray, variable);
    QFETCH(QString, expected);
    const QByteArray saved = qgetenv("KUBECONFIG");
    const bool wasSet = qEnvironmentVariableIsSet("KUBECONFIG");
    if (variable.isNull())
        qunsetenv("KUBECONFIG");
    else
        qputenv("KUBECONFIG", variable);
    const QString path = kubeconfigPath();
    if (wasSet)
        qputenv("KUBECONFIG", saved);
    else
        qunsetenv("KUBECONFIG");
    QCOMPARE(path, expected);
}

void TestKubeconfig::mergeCreatesMissingFileAndDirectoryPrivately()
{
    const QString path = m_dir.filePath("new/.kube/config");
    const auto merged = mergeIntoKubeconfig(sampleEntry(), path);
    QVERIFY2(merged, qPrintable(merged.error_or({})));
    QVERIFY(QFileInfo::exists(path));
    QVERIFY2(isOwnerOnly(path), qPrintable(QString::number(QFile::permissions(path), 16)));
    QCOMPARE(parsedFile(path), yamlObject(renderKubeconfig(sampleEntry())));
    QVERIFY(!QFileInfo::exists(path + ".lock"));
}

void TestKubeconfig::mergeKeepsOtherEntriesFieldsAndOrder()
{
    writeBytes(m_path, existingConfig);
    const QJsonObject before = yamlObject(existingConfig);
    const KubeconfigEntry entry = sampleEntry();
    const auto merged = mergeIntoKubeconfig(entry, m_path);
    QVERIFY2(merged, qPrintable(merged.error_or({})));

    const QJsonObject after = parsedFile(m_path);
    QCOMPARE(names(after, "clusters"), (QStringList{"gke", "timonel-dev", "eks"}));
    QCOMPARE(names(after, "users"), (QStringList{"gke-user", "timonel-dev", "eks-user"}));
    QCOMPARE(names(after, "contexts"), (QStringList{"gke", "timonel-dev", "eks"}));
    for (const QString &list : QStringList{"clusters", "users", "contexts"}) {
        const QJsonArray beforeList = before.value(list).toArray();
        const QJsonArray afterList = after.value(list).toArray();
        for (qsizetype i : {0, 2})
            QCOMPARE(afterList.at(i), beforeList.at(i));
    }
    QCOMPARE(after.value("preferences"), before.value("preferences"));
    QCOMPARE(after.value("extensions"), before.value("extensions"));
    QCOMPARE(after.value("current-context").toString(), QString("timonel-dev"));
    QCOMPARE(named(after, "users", "gke-user").value("user")["exec"]["args"],
             QJsonValue(QJsonArray{"--verbose", "0644"}));
    QCOMPARE(named(after, "users", "eks-user").value("user")["token"], QJsonValue("12345"));

    const QJsonObject rendered = yamlObject(renderKubeconfig(entry));
    for (const QString &list : QStringList{"clusters", "users", "contexts"})
        QCOMPARE(named(after, list, "timonel-dev"),
                 rendered.value(list).toArray().at(0).toObject());
    // Nothing else changed.
    QJsonObject rest = after;
    QJsonObject restBefore = before;
    for (const QString &key : QStringList{"clusters", "users", "contexts", "current-context"}) {
        rest.remove(key);
        restBefore.remove(key);
    }
    QCOMPARE(rest, restBefore);
}

void TestKubeconfig::mergeCanLeaveCurrentContextAlone()
{
    writeBytes(m_path, existingConfig);
    QVERIFY(mergeIntoKubeconfig(sampleEntry("timonel-other"), m_path, false));
    const QJsonObject after = parsedFile(m_path);
    QCOMPARE(after.value("current-context").toString(), QString("gke"));
    QCOMPARE(names(after, "contexts"), (QStringList{"gke", "timonel-dev", "eks", "timonel-other"}));
}

void TestKubeconfig::mergingTwiceDoesNotDuplicate()
{
    writeBytes(m_path, existingConfig);
    QVERIFY(mergeIntoKubeconfig(sampleEntry(), m_path));
    const QByteArray once = fileBytes(m_path);
    QVERIFY(mergeIntoKubeconfig(sampleEntry(), m_path));
    QCOMPARE(fileBytes(m_path), once);

    KubeconfigEntry moved = sampleEntry();
    moved.server = "https://127.0.0.1:50000";
    QVERIFY(mergeIntoKubeconfig(moved, m_path));
    const QJsonObject after = parsedFile(m_path);
    QCOMPARE(names(after, "clusters").count("timonel-dev"), 1);
    QCOMPARE(names(after, "users").count("timonel-dev"), 1);
    QCOMPARE(names(after, "contexts").count("timonel-dev"), 1);
    QCOMPARE(named(after, "clusters", "timonel-dev").value("cluster")["server"],
             QJsonValue("https://127.0.0.1:50000"));
}

void TestKubeconfig::mergeKeepsPermissionsOfExistingFile()
{
    writeBytes(m_path, existingConfig);
    const QFileDevice::Permissions mode = QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                          QFileDevice::ReadUser | QFileDevice::WriteUser |
                                          QFileDevice::ReadGroup;
    QVERIFY(QFile::setPermissions(m_path, mode));
    QVERIFY(mergeIntoKubeconfig(sampleEntry(), m_path));
    QCOMPARE(QFile::permissions(m_path), mode);
}

void TestKubeconfig::mergeWritesThroughSymlink()
{
    // Dotfile managers keep ~/.kube/config as a link into a repository.
    const QString target = m_dir.filePath("dotfiles-kubeconfig");
    writeBytes(target, existingConfig);
    QVERIFY(QFile::link(target, m_path));
    QVERIFY(mergeIntoKubeconfig(sampleEntry(), m_path));
    QVERIFY(QFileInfo(m_path).isSymLink());
    QCOMPARE(names(parsedFile(target), "contexts"), (QStringList{"gke", "timonel-dev", "eks"}));
}

void TestKubeconfig::mergeAcceptsKubectlEmptyLists()
{
    // What `kubectl config view --raw` writes for a config with no entries.
    writeBytes(m_path, "apiVersion: v1\nclusters: null\ncontexts: null\ncurrent-context: \"\"\n"
                       "kind: Config\npreferences: {}\nusers: null\n");
    const auto merged = mergeIntoKubeconfig(sampleEntry(), m_path);
    QVERIFY2(merged, qPrintable(merged.error_or({})));
    QCOMPARE(parsedFile(m_path), yamlObject(renderKubeconfig(sampleEntry())));
}

void TestKubeconfig::removeLeavesOtherEntries_data()
{
    QTest::addColumn<bool>("oursIsCurrent");
    QTest::newRow("ours is current") << true;
    QTest::newRow("another is current") << false;
}

void TestKubeconfig::removeLeavesOtherEntries()
{
    QFETCH(bool, oursIsCurrent);
    writeBytes(m_path, existingConfig);
    QVERIFY(mergeIntoKubeconfig(sampleEntry("timonel-dev"), m_path, oursIsCurrent));
    QVERIFY(mergeIntoKubeconfig(sampleEntry("timonel-qa"), m_path, false));

    const auto removed = removeFromKubeconfig("timonel-dev", m_path);
    QVERIFY2(removed, qPrintable(removed.error_or({})));
    const QJsonObject after = parsedFile(m_path);
    QCOMPARE(names(after, "clusters"), (QStringList{"gke", "eks", "timonel-qa"}));
    QCOMPARE(names(after, "users"), (QStringList{"gke-user", "eks-user", "timonel-qa"}));
    QCOMPARE(names(after, "contexts"), (QStringList{"gke", "eks", "timonel-qa"}));
    QCOMPARE(after.value("current-context"), QJsonValue(oursIsCurrent ? "" : "gke"));
    QCOMPARE(after.value("extensions"), yamlObject(existingConfig).value("extensions"));
    QVERIFY(!QFileInfo::exists(m_path + ".lock"));
}

void TestKubeconfig::removeOfMissingFileOrEntrySucceeds()
{
    QVERIFY(removeFromKubeconfig("timonel-dev", m_path));
    QVERIFY(!QFileInfo::exists(m_path));

    writeBytes(m_path, existingConfig);
    const auto removed = removeFromKubeconfig("timonel-none", m_path);
    QVERIFY2(removed, qPrintable(removed.error_or({})));
    QCOMPARE(fileBytes(m_path), existingConfig); // not even reformatted
}

void TestKubeconfig::unparsableFileIsAnErrorAndLeftUntouched_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("tab indentation")
        << QByteArray("apiVersion: v1\nclusters:\n\t- name: x\n") << ":3:";
    QTest::newRow("unclosed bracket") << QByteArray("clusters: [\n  {name: a}\n") << "cannot parse";
    QTest::newRow("duplicate key") << QByteArray("kind: Config\nkind: Config\n") << "duplicate key";
    QTest::newRow("top-level list") << QByteArray("- a\n- b\n") << "not a mapping";
    QTest::newRow("clusters not a list") << QByteArray("clusters: {a: 1}\n") << "\"clusters\"";
    QTest::newRow("two documents") << QByteArray("kind: Config\n---\nkind: Config\n") << "found 2";
    QTest::newRow("binary") << QByteArray("\x89PNG\r\n\x1a\n\0\0\0", 11) << "";
}

void TestKubeconfig::unparsableFileIsAnErrorAndLeftUntouched()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, messagePart);
    writeBytes(m_path, content);

    const auto merged = mergeIntoKubeconfig(sampleEntry(), m_path);
    QVERIFY(!merged);
    QVERIFY2(merged.error().contains(m_path), qPrintable(merged.error()));
    QVERIFY2(merged.error().contains(messagePart), qPrintable(merged.error()));
    QCOMPARE(fileBytes(m_path), content);

    const auto removed = removeFromKubeconfig("timonel-dev", m_path);
    QVERIFY(!removed);
    QVERIFY2(removed.error().contains(m_path), qPrintable(removed.error()));
    QCOMPARE(fileBytes(m_path), content);
    QVERIFY(!QFileInfo::exists(m_path + ".lock"));
}

void TestKubeconfig::mergeWaitsForKubectlLock()
{
    writeBytes(m_path, existingConfig);
    const QString lock = m_path + ".lock";
    writeBytes(lock, {});
    QThread *releaser = QThread::create([lock] {
        QThread::msleep(300);
        QFile::remove(lock);
    });
    releaser->start();
    QElapsedTimer waited;
    waited.start();
    const auto merged = mergeIntoKubeconfig(sampleEntry(), m_path);
    const qint64 elapsed = waited.elapsed();
    releaser->wait();
    delete releaser;
    QVERIFY2(merged, qPrintable(merged.error_or({})));
    QVERIFY2(elapsed >= 250, qPrintable(QString::number(elapsed))); // it did wait for the holder
    QVERIFY(!QFileInfo::exists(lock));
    QVERIFY(names(parsedFile(m_path), "contexts").contains("timonel-dev"));
}

QString TestKubeconfig::kubectl()
{
    return QStandardPaths::findExecutable("kubectl");
}

QByteArray TestKubeconfig::runKubectl(const QStringList &arguments, bool *ok)
{
    QProcess process;
    // A private HOME so kubectl's caches never touch the developer's.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove("KUBECONFIG");
    environment.insert("HOME", m_dir.path());
    process.setProcessEnvironment(environment);
    process.start(kubectl(), arguments + QStringList{"--kubeconfig", m_path});
    const bool finished =
        QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, 30'000);
    *ok = finished && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    if (!*ok) {
        process.kill();
        qWarning().noquote() << "kubectl" << arguments.join(' ')
                             << "failed:" << process.readAllStandardError();
    }
    return process.readAllStandardOutput();
}

void TestKubeconfig::kubectlReadsMergedFile()
{
    if (kubectl().isEmpty())
        QSKIP("kubectl is not on PATH");
    bool ok = false;
    // A file as kubectl itself writes it, with a context of someone else's.
    runKubectl({"config", "set-cluster", "other", "--server=https://other.example:6443"}, &ok);
    QVERIFY(ok);
    runKubectl({"config", "set-credentials", "other-user", "--token=abc"}, &ok);
    QVERIFY(ok);
    runKubectl({"config", "set-context", "other", "--cluster=other", "--user=other-user",
                "--namespace=team"},
               &ok);
    QVERIFY(ok);
    runKubectl({"config", "use-context", "other"}, &ok);
    QVERIFY(ok);

    const KubeconfigEntry entry = sampleEntry();
    const auto merged = mergeIntoKubeconfig(entry, m_path);
    QVERIFY2(merged, qPrintable(merged.error_or({})));

    const QByteArray contexts = runKubectl({"config", "get-contexts"}, &ok);
    QVERIFY(ok);
    QVERIFY2(QRegularExpression(R"(^\*\s+timonel-dev\s+timonel-dev\s+timonel-dev\s*$)",
                                QRegularExpression::MultilineOption)
                 .match(QString::fromUtf8(contexts))
                 .hasMatch(),
             contexts.constData());
    QVERIFY2(QRegularExpression(R"(^\s+other\s+other\s+other-user\s+team\s*$)",
                                QRegularExpression::MultilineOption)
                 .match(QString::fromUtf8(contexts))
                 .hasMatch(),
             contexts.constData());
    QCOMPARE(runKubectl({"config", "current-context"}, &ok).trimmed(), QByteArray("timonel-dev"));
    QCOMPARE(runKubectl({"config", "view", "--raw", "-o",
                         R"(jsonpath={.clusters[?(@.name=="timonel-dev")].cluster.server})"},
                        &ok),
             entry.server.toUtf8());
    QCOMPARE(runKubectl({"config", "view", "--raw", "-o",
                         R"(jsonpath={.users[?(@.name=="timonel-dev")].user.client-key-data})"},
                        &ok),
             entry.clientKeyPem.toBase64());
    QCOMPARE(
        runKubectl(
            {"config", "view", "--raw", "-o",
             R"(jsonpath={.clusters[?(@.name=="timonel-dev")].cluster.certificate-authority-data})"},
            &ok),
        entry.caPem.toBase64());
    // kubectl's own full reading of the file agrees with ours.
    const QJsonObject viewed =
        QJsonDocument::fromJson(runKubectl({"config", "view", "--raw", "-o", "json"}, &ok))
            .object();
    QVERIFY(ok);
    const QJsonObject ours = parsedFile(m_path);
    for (const QString &list : QStringList{"clusters", "users", "contexts"})
        QCOMPARE(names(viewed, list), names(ours, list));

    // kubectl edits the file we wrote, and we read what kubectl wrote.
    runKubectl({"config", "use-context", "other"}, &ok);
    QVERIFY(ok);
    QVERIFY(removeFromKubeconfig("timonel-dev", m_path));
    QCOMPARE(parsedFile(m_path).value("current-context"), QJsonValue("other"));
    const QByteArray remaining = runKubectl({"config", "get-contexts", "-o", "name"}, &ok);
    QVERIFY(ok);
    QCOMPARE(remaining.trimmed(), QByteArray("other"));
}

void TestKubeconfig::kubectlAuthenticatesWithIssuedCertificates()
{
    // kubectl's Go TLS stack is stricter than OpenSSL about certificates: let it connect to a
    // loopback HTTPS server with the certificates and kubeconfig Timonel produces.
    if (kubectl().isEmpty())
        QSKIP("kubectl is not on PATH");
    const auto ca = createCertificateAuthority("timonel-kubectl-ca");
    QVERIFY(ca);
    CertificateRequest serverRequest;
    serverRequest.commonName = "kube-apiserver";
    serverRequest.dnsNames = {"localhost"};
    serverRequest.ipAddresses = {"127.0.0.1"};
    serverRequest.serverAuth = true;
    const auto serverPair = issueCertificate(*ca, serverRequest);
    QVERIFY(serverPair);
    CertificateRequest adminRequest;
    adminRequest.commonName = "kubernetes-admin";
    adminRequest.organizations = {"system:masters"};
    adminRequest.clientAuth = true;
    const auto adminPair = issueCertificate(*ca, adminRequest);
    QVERIFY(adminPair);

    QSslServer server;
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setLocalCertificate(QSslCertificate(serverPair->certificatePem));
    config.setPrivateKey(QSslKey(serverPair->privateKeyPem, QSsl::Ec));
    config.setCaCertificates({QSslCertificate(ca->certificatePem)});
    config.setPeerVerifyMode(QSslSocket::VerifyPeer);
    server.setSslConfiguration(config);
    QStringList clientNames;
    QObject::connect(&server, &QTcpServer::pendingConnectionAvailable, &server, [&] {
        while (auto *socket = qobject_cast<QSslSocket *>(server.nextPendingConnection())) {
            clientNames << socket->peerCertificate().subjectInfo(QSslCertificate::CommonName);
            QObject::connect(socket, &QSslSocket::readyRead, socket, [socket] {
                if (!socket->peek(64 * 1024).contains("\r\n\r\n"))
                    return;
                socket->readAll();
                const QByteArray body =
                    R"({"major":"1","minor":"32","gitVersion":"v1.32.0-timonel"})";
                socket->write(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                    QByteArray::number(body.size()) + "\r\n\r\n" + body);
            });
        }
    });
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));

    KubeconfigEntry entry{"timonel-tls", QString("https://127.0.0.1:%1").arg(server.serverPort()),
                          ca->certificatePem, adminPair->certificatePem, adminPair->privateKeyPem};
    QVERIFY(mergeIntoKubeconfig(entry, m_path));
    bool ok = false;
    const QByteArray version =
        runKubectl({"get", "--raw", "/version", "--request-timeout=20s"}, &ok);
    QVERIFY(ok);
    QVERIFY2(version.contains("v1.32.0-timonel"), version.constData());
    QVERIFY(clientNames.contains("kubernetes-admin"));
}

void TestKubeconfig::kubectlReadsTrickyValuesAsWritten()
{
    // kubectl reads YAML with go-yaml v2 (YAML 1.1: yes/on/0644 are not strings there), so it is
    // the judge of whether core::toYaml quotes enough. Extensions carry arbitrary JSON through.
    if (kubectl().isEmpty())
        QSKIP("kubectl is not on PATH");
    const QStringList strings = {"",
                                 " ",
                                 "plain",
                                 "true",
                                 "True",
                                 "yes",
                                 "No",
                                 "on",
                                 "OFF",
                                 "y",
                                 "n",
                                 "null",
                                 "~",
                                 "123",
                                 "-1",
                                 "+1",
                                 "007",
                                 "0644",
                                 "09",
                                 "0x1F",
                                 "0o17",
                                 "0b101",
                                 "1.5",
                                 ".5",
                                 "5.",
                                 "1e3",
                                 ".inf",
                                 "-.Inf",
                                 ".NaN",
                                 "1_000",
                                 "12:30",
                                 "1:2:3",
                                 "2024-01-02",
                                 "2001-12-14t21:59:43Z",
                                 "1.2.3",
                                 "10Gi",
                                 "a: b",
                                 "a:b",
                                 "a:",
                                 ":",
                                 "a #b",
                                 "a#b",
                                 "#c",
                                 "- item",
                                 "-",
                                 "---",
                                 "...",
                                 "-x",
                                 "? x",
                                 "?x",
                                 "[a]",
                                 "{a: 1}",
                                 "a, b",
                                 "*alias",
                                 "&anchor",
                                 "!tag",
                                 "|",
                                 ">",
                                 "'s'",
                                 "\"d\"",
                                 "%TAG",
                                 "@at",
                                 "`tick",
                                 " lead",
                                 "trail ",
                                 "tab\there",
                                 "line1\nline2",
                                 "line1\nline2\n",
                                 "line1\n\n",
                                 "\n",
                                 "\nlead",
                                 "  ind\nsecond",
                                 "first\n  indented\n\ttabbed\n",
                                 "a\r\nb",
                                 QString("bell\x07"),
                                 "ünï",
                                 "😀",
                                 QString::fromUtf16(u"a\u2028b"),
                                 QString::fromUtf16(u"\u0085nel"),
                                 "<<",
                                 "=",
                                 "\\",
                                 "x\n#y\n"};
    QJsonArray values;
    for (const QString &s : strings)
        values.append(s);
    for (const QJsonValue &n :
         {QJsonValue(0.1), QJsonValue(1e20), QJsonValue(-7), QJsonValue(qint64(9007199254740993LL)),
          QJsonValue(true), QJsonValue(QJsonValue::Null)})
        values.append(n);
    const QJsonObject extension{
        {"values", values}, {"empty", QJsonObject()}, {"none", QJsonArray()}};
    const QJsonObject config{
        {"apiVersion", "v1"},
        {"kind", "Config"},
        {"extensions", QJsonArray{QJsonObject{{"name", "tricky"}, {"extension", extension}}}}};
    writeBytes(m_path, timonel::core::toYaml(config));

    bool ok = false;
    const QJsonObject viewed =
        QJsonDocument::fromJson(runKubectl({"config", "view", "--raw", "-o", "json"}, &ok))
            .object();
    QVERIFY(ok);
    const QJsonObject read = viewed.value("extensions")[0]["extension"].toObject();
    const QJsonArray readValues = read.value("values").toArray();
    QCOMPARE(readValues.size(), values.size());
    for (qsizetype i = 0; i < values.size(); ++i) {
        QVERIFY2(readValues.at(i) == values.at(i),
                 qPrintable(QString("%1 read by kubectl as %2")
                                .arg(QString::fromUtf8(QJsonDocument(QJsonArray{values.at(i)})
                                                           .toJson(QJsonDocument::Compact)),
                                     QString::fromUtf8(QJsonDocument(QJsonArray{readValues.at(i)})
                                                           .toJson(QJsonDocument::Compact)))));
    }
    QCOMPARE(read, extension);
}

QTEST_GUILESS_MAIN(TestKubeconfig)
#include "tst_kubeconfig.moc"
