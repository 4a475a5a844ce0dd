// A second real client beside kubectl: @kubernetes/client-node, the official JavaScript client,
// against a fresh Timonel cluster. tests/e2e/clientnode/clientnode.mjs lists, creates, patches,
// watches and reads a 404 through the library and prints a JSON summary; this test installs
// the script's npm dependencies outside the source tree, runs it and judges the summary.
#include "testsupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUuid>

using namespace timonel;
using test::Run;
using namespace Qt::StringLiterals;

namespace {

enum class Match
{
    Equals,
    Contains
};

// `expected` within `actual`: an array must hold each expected element, an object each
// expected member (recursively), a string the expected text; anything else must be equal.
bool contains(const QJsonValue &actual, const QJsonValue &expected)
{
    if (expected.isArray() && actual.isArray()) {
        const QJsonArray have = actual.toArray();
        for (const QJsonValue &want : expected.toArray())
            if (!have.contains(want))
                return false;
        return true;
    }
    if (expected.isObject() && actual.isObject()) {
        const QJsonObject have = actual.toObject();
        const QJsonObject want = expected.toObject();
        for (auto it = want.begin(); it != want.end(); ++it)
            if (!have.contains(it.key()) || !contains(have.value(it.key()), it.value()))
                return false;
        return true;
    }
    if (expected.isString() && actual.isString())
        return actual.toString().contains(expected.toString());
    return actual == expected;
}

QByteArray compact(const QJsonValue &value)
{
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    return QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
}

} // namespace

class TestClientNode : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_cluster = u"clientnode-"_s + QUuid::createUuid().toString(QUuid::Id128).left(6);
    bool m_created = false;
    Run m_client;
    QJsonObject m_summary;

    QString kubeconfig() const { return m_dir.filePath(u"kubeconfig"_s); }
    static QString sourceDir()
    {
        return qEnvironmentVariable("TIMONEL_SOURCE_DIR") + u"/tests/e2e/clientnode"_s;
    }
    // The same cache packaging/dev keeps its build root in: it outlives build directories and
    // clones, so that a second run installs nothing and needs no network.
    static QString cacheDir()
    {
        const QString custom = qEnvironmentVariable("TIMONEL_CACHE");
        return custom.isEmpty()
                   ? QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation) +
                         u"/timonel"_s
                   : custom;
    }
    Run timonel(const QStringList &args) const
    {
        return test::run(test::binary(u"timonel"_s), args, {{u"KUBECONFIG"_s, kubeconfig()}},
                         300000);
    }

    // Installs the locked dependencies once per lock file, under a name derived from it, into
    // a fresh directory that is renamed into place only when `npm ci` succeeded: a broken or
    // interrupted install is never taken for a finished one. Returns the node_modules path.
    std::expected<QString, QString> installDependencies() const
    {
        QCryptographicHash hash(QCryptographicHash::Sha256);
        for (const char *name : {"package.json", "package-lock.json"}) {
            QFile f(sourceDir() + u'/' + QLatin1String(name));
            if (!f.open(QIODevice::ReadOnly))
                return std::unexpected(u"cannot read %1: %2"_s.arg(f.fileName(), f.errorString()));
            hash.addData(f.readAll());
        }
        const QString npmDir = cacheDir() + u"/npm"_s;
        const QString installed =
            npmDir + u"/clientnode-"_s + QString::fromLatin1(hash.result().toHex().left(16));
        if (QFileInfo::exists(installed + u"/node_modules"_s))
            return installed + u"/node_modules"_s;

        const QString partial =
            installed + u".partial-"_s + QString::number(QCoreApplication::applicationPid());
        QDir(partial).removeRecursively();
        if (!QDir().mkpath(partial))
            return std::unexpected(u"cannot create "_s + partial);
        for (const char *name : {"package.json", "package-lock.json"})
            QFile::copy(sourceDir() + u'/' + QLatin1String(name),
                        partial + u'/' + QLatin1String(name));
        QProcess npm;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"npm_config_cache"_s, npmDir + u"/cache"_s);
        env.insert(u"npm_config_update_notifier"_s, u"false"_s);
        npm.setProcessEnvironment(env);
        npm.setWorkingDirectory(partial);
        // --prefer-offline: whatever the cache holds is used without asking the registry.
        npm.start(u"npm"_s, {u"ci"_s, u"--prefer-offline"_s, u"--no-audit"_s, u"--no-fund"_s,
                             u"--ignore-scripts"_s});
        const bool finished = npm.waitForFinished(300000);
        if (!finished || npm.exitStatus() != QProcess::NormalExit || npm.exitCode() != 0) {
            npm.kill();
            npm.waitForFinished();
            const QString why = QString::fromUtf8(npm.readAllStandardError());
            QDir(partial).removeRecursively();
            return std::unexpected(u"npm ci for %1 failed: %2"_s.arg(sourceDir(), why));
        }
        // Another run may have finished first; its install is as good as ours.
        if (!QDir().rename(partial, installed))
            QDir(partial).removeRecursively();
        if (!QFileInfo::exists(installed + u"/node_modules"_s))
            return std::unexpected(u"npm ci left no node_modules in "_s + installed);
        return installed + u"/node_modules"_s;
    }

    // The script as a copy in the temporary directory beside a link to the installed
    // node_modules: Node resolves packages from the script's own directory upwards.
    std::expected<QString, QString> stageScript(const QString &nodeModules) const
    {
        const QString script = m_dir.filePath(u"clientnode.mjs"_s);
        if (!QFile::copy(sourceDir() + u"/clientnode.mjs"_s, script))
            return std::unexpected(u"cannot copy clientnode.mjs from "_s + sourceDir());
        if (!QFile::link(nodeModules, m_dir.filePath(u"node_modules"_s)))
            return std::unexpected(u"cannot link "_s + nodeModules);
        return script;
    }

private Q_SLOTS:
    void initTestCase()
    {
        TIMONEL_REQUIRE_DOCKER();
        for (const QString &program : {u"node"_s, u"npm"_s}) {
            if (QStandardPaths::findExecutable(program).isEmpty()) {
                const QByteArray why = program.toUtf8() +
                                       " is needed: install Debian's nodejs and npm "
                                       "(packaging/dev puts them in the build root)";
                if (qEnvironmentVariableIsSet("CI"))
                    QFAIL(why.constData());
                QSKIP(why.constData());
            }
        }
        QVERIFY(m_dir.isValid());
        // Dependencies first: a failed install then costs no cluster.
        const auto nodeModules = installDependencies();
        QVERIFY2(nodeModules, test::errorOf(nodeModules).constData());
        const auto script = stageScript(*nodeModules);
        QVERIFY2(script, test::errorOf(script).constData());

        const Run created = timonel({u"create"_s, u"cluster"_s, u"--name"_s, m_cluster});
        m_created = created.exitCode == 0;
        QVERIFY2(m_created, qPrintable(created.err));

        m_client = test::run(u"node"_s, {*script, u"timonel-"_s + m_cluster},
                             {{u"KUBECONFIG"_s, kubeconfig()}}, 180000);
        QJsonParseError error;
        m_summary = QJsonDocument::fromJson(m_client.out.toUtf8(), &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError,
                 qPrintable(u"no JSON summary (%1); stdout: %2\nstderr: %3"_s.arg(
                     error.errorString(), m_client.out, m_client.err)));
    }

    void cleanupTestCase()
    {
        if (m_created)
            timonel({u"delete"_s, u"cluster"_s, u"--name"_s, m_cluster});
    }

    void clientFinishesWithoutFailures()
    {
        const QByteArray failures =
            QJsonDocument(m_summary.value(u"failures").toArray()).toJson(QJsonDocument::Indented);
        QVERIFY2(m_summary.value(u"failures").toArray().isEmpty(),
                 (failures + "stderr: " + m_client.err.toUtf8()).constData());
        QCOMPARE(m_client.exitCode, 0);
        QCOMPARE(m_summary.value(u"ok"), QJsonValue(true));
    }

    void summaryShows_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<Match>("match");
        QTest::addColumn<QByteArray>("expected"); // JSON

        QTest::newRow("the server's major version")
            << u"server/major"_s << Match::Equals << QByteArray(R"("1")");
        QTest::newRow("the server's minor version")
            << u"server/minor"_s << Match::Equals << QByteArray(R"("32")");
        QTest::newRow("the server's git version")
            << u"server/gitVersion"_s << Match::Contains << QByteArray(R"("v1.32.0-timonel")");
        QTest::newRow("the system namespaces in the list")
            << u"namespaces"_s << Match::Contains
            << QByteArray(R"(["default","kube-node-lease","kube-public","kube-system"])");
        QTest::newRow("a second namespace of the same name conflicts")
            << u"duplicateNamespace"_s << Match::Equals
            << QByteArray(R"({"code":409,"reason":"AlreadyExists"})");
        QTest::newRow("the deployment as created, with the default strategy")
            << u"deployment"_s << Match::Equals
            << QByteArray(R"({"replicas":2,"generation":1,"strategy":{"type":"RollingUpdate",)"
                          R"("rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}}})");
        QTest::newRow("an informer sees the list, then the watch")
            << u"informer"_s << Match::Equals
            << QByteArray(R"({"added":["web"],"replicas":[2,3]})");
        QTest::newRow("the watch events in order")
            << u"watch"_s << Match::Equals << QByteArray(R"(["ADDED","MODIFIED","DELETED"])");
        QTest::newRow("a 404 as an ApiException")
            << u"notFound/code"_s << Match::Equals << QByteArray("404");
        QTest::newRow("the Status of the 404")
            << u"notFound"_s << Match::Contains
            << QByteArray(R"({"kind":"Status","status":"Failure","reason":"NotFound",)"
                          R"("details":{"name":"watched","kind":"configmaps"}})");
        // Not a raw string: moc (6.8) loses its way in a raw string holding a backslash.
        QTest::newRow("the message of the 404")
            << u"notFound/message"_s << Match::Equals
            << QByteArray("\"configmaps \\\"watched\\\" not found\"");
    }

    void summaryShows()
    {
        QFETCH(QString, path);
        QFETCH(Match, match);
        QFETCH(QByteArray, expected);
        QJsonValue actual = m_summary;
        for (const QString &key : path.split(u'/'))
            actual = actual.toObject().value(key);
        const QJsonValue want = QJsonDocument::fromJson("[" + expected + "]").array().first();
        QVERIFY2(!want.isUndefined(), "the expected value is not JSON");
        const bool holds = match == Match::Equals ? actual == want : contains(actual, want);
        QVERIFY2(holds, ("got " + compact(actual) + ", expected " + compact(want)).constData());
    }
};

QTEST_GUILESS_MAIN(TestClientNode)
#include "tst_clientnode.moc"
