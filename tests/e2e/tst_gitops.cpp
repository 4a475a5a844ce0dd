// GitOps end to end: a temporary git repository with commits drives a real cluster through
// `timonel sync`, and the real kubectl checks the cluster: the first sync creates, a new commit
// is applied within 2 s in watch mode, a deleted file is pruned only with --prune, a manual
// change is reverted with --self-heal, a broken file is reported while the rest applies, a
// rollback to the first commit restores it, and a kustomization renders as kustomize would.
#include "clustertestbase.h"

#include <QDir>

using namespace timonel;
using namespace Qt::StringLiterals;

class TestGitOps : public test::ClusterTestBase
{
    Q_OBJECT

public:
    TestGitOps() : ClusterTestBase(u"gitops"_s) {}

private:
    QString m_repo;
    QStringList m_commits; // in order

    test::Run git(const QStringList &args) const
    {
        return test::run(u"git"_s,
                         QStringList{u"-C"_s, m_repo, u"-c"_s, u"user.name=Timonel Test"_s, u"-c"_s,
                                     u"user.email=test@timonel.invalid"_s} +
                             args,
                         {}, 30000);
    }
    void write(const QString &path, const QByteArray &text) const
    {
        QDir(m_repo).mkpath(QFileInfo(path).path());
        QFile f(QDir(m_repo).filePath(path));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(text);
    }
    // Commits everything; the new commit's id.
    QString commit(const QString &message)
    {
        git({u"add"_s, u"-A"_s});
        const test::Run committed = git({u"commit"_s, u"-q"_s, u"-m"_s, message});
        if (committed.exitCode != 0)
            qWarning().noquote() << committed.err;
        const QString id = git({u"rev-parse"_s, u"HEAD"_s}).out.trimmed();
        m_commits << id;
        return id;
    }
    test::Run sync(const QStringList &args) const
    {
        return timonel(QStringList{u"sync"_s, u"--repo"_s, m_repo, u"--path"_s, u"apps"_s,
                                   u"--context"_s, u"timonel-"_s + m_cluster, u"--name"_s,
                                   u"demo"_s} +
                       args);
    }
    std::unique_ptr<QProcess> watch(const QStringList &args) const
    {
        auto p = std::make_unique<QProcess>();
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        for (auto [k, v] : env().asKeyValueRange())
            e.insert(k, v);
        p->setProcessEnvironment(e);
        p->setProcessChannelMode(QProcess::MergedChannels);
        p->start(test::binary(u"timonel"_s),
                 QStringList{u"sync"_s, u"--repo"_s, m_repo, u"--path"_s, u"apps"_s, u"--context"_s,
                             u"timonel-"_s + m_cluster, u"--name"_s, u"demo"_s, u"--watch"_s} +
                     args);
        return p;
    }
    static void stop(QProcess &p)
    {
        p.terminate();
        if (!p.waitForFinished(10000))
            p.kill();
    }
    QString configValue(const QString &name)
    {
        const test::Run r = kubectl({u"get"_s, u"configmap"_s, name, u"-n"_s, u"gitops"_s, u"-o"_s,
                                     u"jsonpath={.data.colour}"_s});
        return r.exitCode == 0 ? r.out : u"<missing>"_s;
    }

private Q_SLOTS:
    void initTestCase()
    {
        createCluster(1);
        m_repo = m_dir.filePath(u"repo"_s);
        QVERIFY(QDir().mkpath(m_repo));
        QCOMPARE(git({u"init"_s, u"-q"_s, u"-b"_s, u"main"_s}).exitCode, 0);
        // Something outside the synced path that must never be applied.
        write(u"README.md"_s, "not a manifest\n");
        write(u"other/ignored.yaml"_s,
              "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ignored, namespace: gitops}\n");
        write(u"apps/namespace.yaml"_s,
              "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: gitops\n");
        write(u"apps/config.yaml"_s, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: colour\n"
                                     "  namespace: gitops\ndata:\n  colour: blue\n");
        write(u"apps/web/deployment.yaml"_s,
              "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: gitops\n"
              "spec:\n  replicas: 1\n  selector:\n    matchLabels: {app: web}\n  template:\n"
              "    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n"
              "      - name: web\n        image: timonel-test/nginx\n");
        commit(u"first"_s);
    }

    void cleanupTestCase() { deleteCluster(); }

    void firstSyncCreatesEverythingUnderThePath()
    {
        const test::Run r = sync({u"--once"_s});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(u"configmap/colour serverside-applied"_s), qPrintable(r.out));
        QCOMPARE(configValue(u"colour"_s), u"blue"_s);
        QCOMPARE(ok({u"get"_s, u"deployment"_s, u"web"_s, u"-n"_s, u"gitops"_s, u"-o"_s,
                     u"jsonpath={.metadata.labels.gitops\\.timonel\\.dev/sync}"_s}),
                 u"demo"_s);
        QVERIFY(kubectl({u"get"_s, u"configmap"_s, u"ignored"_s, u"-n"_s, u"gitops"_s}).exitCode !=
                0);
        // Uncommitted edits do not count.
        write(u"apps/config.yaml"_s, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: colour\n"
                                     "  namespace: gitops\ndata:\n  colour: uncommitted\n");
        QCOMPARE(sync({u"--once"_s}).exitCode, 0);
        QCOMPARE(configValue(u"colour"_s), u"blue"_s);
        git({u"checkout"_s, u"--"_s, u"apps/config.yaml"_s});
    }

    void aNewCommitIsAppliedWithinTwoSecondsInWatchMode()
    {
        auto watcher = watch({});
        // The watcher's first run: its summary line.
        QByteArray output;
        QTRY_VERIFY_WITH_TIMEOUT((output += watcher->readAll()).contains("Synced"), 30000);
        write(u"apps/config.yaml"_s, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: colour\n"
                                     "  namespace: gitops\ndata:\n  colour: green\n");
        commit(u"green"_s);
        QTRY_COMPARE_WITH_TIMEOUT(configValue(u"colour"_s), u"green"_s, 2000);
        stop(*watcher);
    }

    void aDeletedFileIsPrunedOnlyWithPrune()
    {
        write(u"apps/extra.yaml"_s, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n"
                                    "  namespace: gitops\ndata:\n  colour: red\n");
        commit(u"extra"_s);
        QCOMPARE(sync({u"--once"_s}).exitCode, 0);
        QCOMPARE(configValue(u"extra"_s), u"red"_s);
        // Something the sync did not make, in the same namespace: never pruned.
        QVERIFY(!ok({u"create"_s, u"configmap"_s, u"handmade"_s, u"-n"_s, u"gitops"_s})
                     .startsWith(u"<failed"_s));

        QVERIFY(QFile::remove(QDir(m_repo).filePath(u"apps/extra.yaml"_s)));
        commit(u"no extra"_s);
        QCOMPARE(sync({u"--once"_s}).exitCode, 0);
        QCOMPARE(configValue(u"extra"_s), u"red"_s);
        const test::Run dry = sync({u"--once"_s, u"--prune"_s, u"--dry-run"_s});
        QVERIFY2(dry.out.contains(u"configmap/extra pruned (server dry run)"_s),
                 qPrintable(dry.out));
        QCOMPARE(configValue(u"extra"_s), u"red"_s);
        const test::Run pruned = sync({u"--once"_s, u"--prune"_s});
        QVERIFY2(pruned.exitCode == 0 && pruned.out.contains(u"configmap/extra pruned"_s),
                 qPrintable(pruned.out + pruned.err));
        QTRY_COMPARE_WITH_TIMEOUT(configValue(u"extra"_s), u"<missing>"_s, 10000);
        QVERIFY(kubectl({u"get"_s, u"configmap"_s, u"handmade"_s, u"-n"_s, u"gitops"_s}).exitCode ==
                0);
    }

    void aManualChangeIsRevertedWithSelfHeal()
    {
        auto watcher = watch({u"--self-heal"_s});
        QByteArray output;
        QTRY_VERIFY_WITH_TIMEOUT((output += watcher->readAll()).contains("Synced"), 30000);
        QVERIFY(
            !ok({u"scale"_s, u"deployment"_s, u"web"_s, u"-n"_s, u"gitops"_s, u"--replicas=3"_s})
                 .startsWith(u"<failed"_s));
        QVERIFY(!ok({u"patch"_s, u"configmap"_s, u"colour"_s, u"-n"_s, u"gitops"_s,
                     u"--type=merge"_s, u"-p"_s, u"{\"data\":{\"colour\":\"hand-made\"}}"_s})
                     .startsWith(u"<failed"_s));
        QTRY_COMPARE_WITH_TIMEOUT(configValue(u"colour"_s), u"green"_s, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(ok({u"get"_s, u"deployment"_s, u"web"_s, u"-n"_s, u"gitops"_s,
                                      u"-o"_s, u"jsonpath={.spec.replicas}"_s}),
                                  u"1"_s, 10000);
        stop(*watcher);
    }

    void aBrokenFileIsReportedAndTheRestApplies()
    {
        write(u"apps/broken.yaml"_s,
              "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\n");
        write(u"apps/config.yaml"_s, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: colour\n"
                                     "  namespace: gitops\ndata:\n  colour: yellow\n");
        commit(u"broken"_s);
        const test::Run r = sync({u"--once"_s, u"--prune"_s});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.contains(u"broken.yaml:4:"_s), qPrintable(r.out));
        QCOMPARE(configValue(u"colour"_s), u"yellow"_s);
        // Nothing is pruned while git's state is incomplete.
        QVERIFY2(r.out.contains(u"prune skipped"_s), qPrintable(r.out));
        QVERIFY(kubectl({u"get"_s, u"deployment"_s, u"web"_s, u"-n"_s, u"gitops"_s}).exitCode == 0);
        QVERIFY(QFile::remove(QDir(m_repo).filePath(u"apps/broken.yaml"_s)));
        commit(u"fixed"_s);
    }

    void aRollbackToTheFirstCommitRestoresItAndBack()
    {
        const test::Run back = sync({u"--once"_s, u"--branch"_s, m_commits.first()});
        QVERIFY2(back.exitCode == 0, qPrintable(back.out + back.err));
        QCOMPARE(configValue(u"colour"_s), u"blue"_s);
        QVERIFY2(back.out.contains(m_commits.first().left(7)), qPrintable(back.out));
        QCOMPARE(sync({u"--once"_s, u"--branch"_s, u"main"_s}).exitCode, 0);
        QCOMPARE(configValue(u"colour"_s), u"yellow"_s);
    }

    void aKustomizationRendersAsKustomizeWould()
    {
        write(u"kustomized/kustomization.yaml"_s,
              "namespace: gitops\nnamePrefix: shop-\nresources:\n- deployment.yaml\n"
              "configMapGenerator:\n- name: settings\n  literals:\n  - one=\n");
        write(u"kustomized/deployment.yaml"_s,
              "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n"
              "  selector:\n    matchLabels: {app: api}\n  template:\n    metadata:\n"
              "      labels: {app: api}\n    spec:\n      containers:\n      - name: api\n"
              "        image: timonel-test/nginx\n        envFrom:\n"
              "        - configMapRef: {name: settings}\n");
        commit(u"kustomized"_s);
        const test::Run r = timonel({u"sync"_s, u"--repo"_s, m_repo, u"--path"_s, u"kustomized"_s,
                                     u"--context"_s, u"timonel-"_s + m_cluster, u"--once"_s});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        // kustomize's name for it: the prefix, and the hash of {kind: ConfigMap, data: {one:
        // ""}}, 9g67k2htb6 in kustomize's own hasher tests.
        const QString generated =
            ok({u"get"_s, u"deployment"_s, u"shop-api"_s, u"-n"_s, u"gitops"_s, u"-o"_s,
                u"jsonpath={.spec.template.spec.containers[0].envFrom[0]"
                u".configMapRef.name}"_s});
        QCOMPARE(generated, u"shop-settings-9g67k2htb6"_s);
        QCOMPARE(kubectl({u"get"_s, u"configmap"_s, generated, u"-n"_s, u"gitops"_s}).exitCode, 0);
    }
};

QTEST_MAIN(TestGitOps)
#include "tst_gitops.moc"
