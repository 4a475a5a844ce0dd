// The GitOps panel against an in-process API server and real git repositories made with git:
// the add dialog checks the source as you type; an auto-sync applies the first commit and each
// new one, with its objects, health and history shown; "sync to this commit" rolls back and
// Sync now goes forward; a manual sync only dry-runs until asked; the diff shows the drift;
// syncs and their history come back on the next connection; the graph marks synced objects.
#include "apiserver/apiserver.h"
#include "apiserver/inprocessclient.h"
#include "client/applier.h"
#include "core/yaml.h"
#include "diffview.h"
#include "gitops/gitopspanel.h"
#include "gitops/syncdialog.h"
#include "gitops/synclabel.h"
#include "testsupport.h"
#include "topology/topologyitems.h"
#include "unit/apiservertesting.h"

#include <QCheckBox>
#include <QDir>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <memory>

using namespace timonel;
using namespace Qt::StringLiterals;

namespace {

const client::Resource configMaps{{}, u"v1"_s, u"configmaps"_s};

QByteArray configMap(const QString &name, const QString &colour)
{
    return u"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %1\n  namespace: default\n"
           u"data:\n  colour: %2\n"_s.arg(name, colour)
               .toUtf8();
}

// A git repository in a temporary directory, committed to with the git command.
class Repository
{
public:
    Repository()
    {
        git({u"init"_s, u"-q"_s, u"-b"_s, u"main"_s});
    }
    QString path() const { return m_dir.path(); }
    test::Run git(const QStringList &args) const
    {
        return test::run(u"git"_s,
                         QStringList{u"-C"_s, path(), u"-c"_s, u"user.name=Test"_s, u"-c"_s,
                                     u"user.email=test@timonel.invalid"_s} +
                             args,
                         {}, 60000);
    }
    void write(const QString &file, const QByteArray &text) const
    {
        QDir(path()).mkpath(QFileInfo(QDir(path()).filePath(file)).path());
        QFile f(QDir(path()).filePath(file));
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            qFatal("cannot write %s", qPrintable(f.fileName()));
        f.write(text);
    }
    // Commits everything; the new commit's id.
    QString commit(const QString &message) const
    {
        git({u"add"_s, u"-A"_s});
        const test::Run committed = git({u"commit"_s, u"-q"_s, u"-m"_s, message});
        if (committed.exitCode != 0)
            qWarning().noquote() << committed.err;
        return git({u"rev-parse"_s, u"HEAD"_s}).out.trimmed();
    }

private:
    QTemporaryDir m_dir;
};

QStringList column(const QTreeWidget *tree, int column)
{
    QStringList out;
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        out << tree->topLevelItem(i)->text(column);
    return out;
}

QTreeWidgetItem *rowOf(const QTreeWidget *tree, const QString &firstColumn)
{
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        if (tree->topLevelItem(i)->text(0) == firstColumn)
            return tree->topLevelItem(i);
    return nullptr;
}

} // namespace

class TestGitOpsPanel : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<apiserver::ApiServer> m_server;
    std::unique_ptr<apiserver::InProcessClient> m_api;

    // The ConfigMap's colour in the cluster, "" when it is not there.
    QString colour(const QString &name)
    {
        const auto live = test::await<QJsonObject>([&](client::Callback<QJsonObject> done) {
            m_api->get(configMaps, u"default"_s, name, std::move(done));
        });
        return live ? live->value(u"data").toObject().value(u"colour").toString() : QString();
    }
    QJsonObject labels(const QString &name)
    {
        const auto live = test::await<QJsonObject>([&](client::Callback<QJsonObject> done) {
            m_api->get(configMaps, u"default"_s, name, std::move(done));
        });
        return live ? live->value(u"metadata").toObject().value(u"labels").toObject()
                    : QJsonObject();
    }
    QString status(const gui::GitOpsPanel &panel, const QString &sync)
    {
        const QList<QTreeWidgetItem *> rows =
            panel.syncList()->findItems(sync, Qt::MatchExactly, gui::GitOpsPanel::NameColumn);
        return rows.isEmpty() ? QString() : rows.first()->text(gui::GitOpsPanel::StatusColumn);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"TimonelTest"_s);
        QSettings().clear();
        auto started = test::startTestApiServer(m_dir.path());
        QVERIFY2(started, qPrintable(started ? QString() : started.error()));
        m_server = std::move(*started);
        m_api = std::make_unique<apiserver::InProcessClient>(m_server->store());
    }

    void theDialogChecksTheSourceAsYouType()
    {
        Repository repo;
        repo.write(u"deploy/web.yaml"_s, configMap(u"dialog"_s, u"red"_s));
        const QString first = repo.commit(u"first"_s);

        gui::SyncDialog dialog({u"taken"_s});
        QVERIFY(!dialog.addButton()->isEnabled());
        QCOMPARE(dialog.problemLabel()->text(), u"choose a git repository"_s);

        QTemporaryDir notGit;
        dialog.repositoryEdit()->setText(notGit.path());
        QVERIFY(!dialog.addButton()->isEnabled());
        QVERIFY2(dialog.problemLabel()->text().contains(u"not a git repository"_s),
                 qPrintable(dialog.problemLabel()->text()));

        dialog.repositoryEdit()->setText(repo.path());
        QVERIFY2(dialog.addButton()->isEnabled(), qPrintable(dialog.problemLabel()->text()));
        // The name comes from the repository (and the directory), as `timonel sync` makes it.
        QCOMPARE(dialog.nameEdit()->text(),
                 gitops::defaultSyncName(repo.path(), QString()));
        QCOMPARE(dialog.commitLabel()->text(), u"At commit %1: first"_s.arg(first.left(7)));
        QCOMPARE(dialog.commandLine(), u"timonel sync --repo %1 --watch"_s.arg(repo.path()));

        dialog.revisionEdit()->setText(u"nosuchbranch"_s);
        QVERIFY(!dialog.addButton()->isEnabled());
        QVERIFY2(dialog.problemLabel()->text().contains(u"nosuchbranch"_s),
                 qPrintable(dialog.problemLabel()->text()));
        dialog.revisionEdit()->setText(u"main"_s);

        dialog.pathEdit()->setText(u"nothere"_s);
        QVERIFY(!dialog.addButton()->isEnabled());
        QVERIFY2(dialog.problemLabel()->text().contains(u"nothere does not exist in commit"_s),
                 qPrintable(dialog.problemLabel()->text()));
        dialog.pathEdit()->setText(u"deploy/"_s);
        QVERIFY(dialog.addButton()->isEnabled());
        QVERIFY(dialog.nameEdit()->text().endsWith(u"-deploy"_s));

        // Self-heal needs auto-sync; the command line follows the switches.
        dialog.pruneBox()->setChecked(true);
        dialog.selfHealBox()->setChecked(true);
        QVERIFY(dialog.commandLine().endsWith(u"--path deploy --prune --self-heal --watch"_s));
        dialog.autoSyncBox()->setChecked(false);
        QVERIFY(!dialog.selfHealBox()->isEnabled());
        QVERIFY(dialog.commandLine().endsWith(u"--path deploy --prune --once"_s));
        QCOMPARE(dialog.settings()->spec.selfHeal, false);

        // A name labels what a sync applies: a label value, and one per cluster.
        dialog.nameEdit()->setText(u"taken"_s);
        QVERIFY(!dialog.addButton()->isEnabled());
        QVERIFY(dialog.problemLabel()->text().contains(u"already has a sync named \"taken\""_s));
        dialog.nameEdit()->setText(u"Not valid-"_s);
        QVERIFY(!dialog.addButton()->isEnabled());
        QVERIFY2(dialog.problemLabel()->text().contains(u"a valid label must be"_s),
                 qPrintable(dialog.problemLabel()->text()));
        // Typed, the name is the user's: changing the directory keeps it. Cleared, it follows
        // the repository again.
        dialog.nameEdit()->clear();
        QVERIFY(dialog.nameEdit()->text().endsWith(u"-deploy"_s));
        dialog.nameEdit()->selectAll();
        QTest::keyClicks(dialog.nameEdit(), u"shop"_s);
        dialog.pathEdit()->setText(u"deploy"_s);
        QCOMPARE(dialog.nameEdit()->text(), u"shop"_s);
        QVERIFY(dialog.addButton()->isEnabled());
    }

    void anAutoSyncAppliesEachCommitAndRollsBack()
    {
        Repository repo;
        repo.write(u"web.yaml"_s, configMap(u"auto"_s, u"red"_s));
        const QString first = repo.commit(u"red"_s);

        gui::GitOpsPanel panel;
        panel.setCluster(m_api.get(), u"ctx-auto"_s, u"default"_s);
        QSignalSpy finished(&panel, &gui::GitOpsPanel::syncFinished);
        gui::SyncSettings settings;
        settings.spec.name = u"auto"_s;
        settings.spec.repository = repo.path();
        QVERIFY(panel.addSync(settings));
        QVERIFY(!panel.addSync(settings)); // one sync per name

        QTRY_COMPARE_WITH_TIMEOUT(status(panel, u"auto"_s), u"Synced"_s, 20000);
        QCOMPARE(colour(u"auto"_s), u"red"_s);
        QCOMPARE(labels(u"auto"_s).value(gitops::syncLabel).toString(), u"auto"_s);
        QCOMPARE(panel.currentSync(), u"auto"_s);
        QTreeWidgetItem *row = panel.syncList()->topLevelItem(0);
        QCOMPARE(row->text(gui::GitOpsPanel::HealthColumn), u"Healthy"_s);
        QCOMPARE(row->text(gui::GitOpsPanel::CommitColumn), first.left(7) + u" red"_s);
        QCOMPARE(column(panel.objectList(), 0), QStringList{u"ConfigMap"_s});
        QCOMPARE(panel.objectList()->topLevelItem(0)->text(3), u"created"_s);
        QCOMPARE(panel.objectList()->topLevelItem(0)->text(5), u"web.yaml:1"_s);
        QVERIFY2(panel.logView()->toPlainText().contains(u"configmap/auto serverside-applied"_s),
                 qPrintable(panel.logView()->toPlainText()));

        // A new commit is applied on its own, and the history lists both, the newest first,
        // the one the cluster has in bold.
        repo.write(u"web.yaml"_s, configMap(u"auto"_s, u"green"_s));
        const QString second = repo.commit(u"green"_s);
        QTRY_COMPARE_WITH_TIMEOUT(colour(u"auto"_s), u"green"_s, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(column(panel.historyList(), 0),
                                  (QStringList{second.left(7), first.left(7)}), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(panel.historyList()->topLevelItem(0)->font(0).bold(), 5000);
        QVERIFY(panel.historyList()->topLevelItem(1)->text(4).startsWith(u"Synced, Healthy"_s));
        QCOMPARE(status(panel, u"auto"_s), u"Synced"_s);

        // Sync to this commit: the first one again, while the branch stays where it is.
        finished.clear();
        panel.historyList()->setCurrentItem(panel.historyList()->topLevelItem(1));
        QPushButton *rollback = nullptr;
        for (QPushButton *b : panel.findChildren<QPushButton *>())
            if (b->text().remove(u'&') == u"Sync to this commit")
                rollback = b;
        QVERIFY(rollback && rollback->isEnabled());
        rollback->click();
        QTRY_COMPARE_WITH_TIMEOUT(colour(u"auto"_s), u"red"_s, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(status(panel, u"auto"_s), u"OutOfSync"_s, 5000);
        QVERIFY(rowOf(panel.historyList(), first.left(7))->font(0).bold());
        QVERIFY(!rowOf(panel.historyList(), second.left(7))->font(0).bold());
        // Sync now goes back to the branch.
        panel.syncNow(u"auto"_s);
        QTRY_COMPARE_WITH_TIMEOUT(colour(u"auto"_s), u"green"_s, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(status(panel, u"auto"_s), u"Synced"_s, 5000);
        panel.setCluster(nullptr, {}, {});
    }

    void healthFollowsTheObjectsAfterTheSync()
    {
        Repository repo;
        repo.write(u"lb.yaml"_s, "apiVersion: v1\nkind: Service\nmetadata:\n  name: lb\n"
                                  "  namespace: default\nspec:\n  type: LoadBalancer\n"
                                  "  ports:\n  - port: 80\n");
        repo.commit(u"lb"_s);
        gui::GitOpsPanel panel;
        panel.setCluster(m_api.get(), u"ctx-health"_s, u"default"_s);
        gui::SyncSettings settings;
        settings.spec.name = u"health"_s;
        settings.spec.repository = repo.path();
        QVERIFY(panel.addSync(settings));
        // No load balancer controller here: the Service waits for its address.
        QTRY_COMPARE_WITH_TIMEOUT(status(panel, u"health"_s), u"Synced"_s, 20000);
        QTreeWidgetItem *row = panel.syncList()->topLevelItem(0);
        QCOMPARE(row->text(gui::GitOpsPanel::HealthColumn), u"Progressing"_s);
        QCOMPARE(panel.objectList()->topLevelItem(0)->toolTip(4),
                 u"Waiting for the load balancer's address"_s);

        // The address comes: the panel reads the health again without a new sync.
        const client::Resource services{{}, u"v1"_s, u"services"_s};
        auto live = test::await<QJsonObject>([&](client::Callback<QJsonObject> done) {
            m_api->get(services, u"default"_s, u"lb"_s, std::move(done));
        });
        QVERIFY(live);
        live->insert(u"status"_s,
                     QJsonObject{{u"loadBalancer"_s,
                                  QJsonObject{{u"ingress"_s,
                                               QJsonArray{QJsonObject{{u"ip"_s, u"127.1.0.9"_s}}}}}}});
        const auto updated = test::await<QJsonObject>([&](client::Callback<QJsonObject> done) {
            m_api->update(services, u"default"_s, *live, u"status"_s, {}, std::move(done));
        });
        QVERIFY2(updated, qPrintable(updated ? QString() : updated.error().message));
        QTRY_COMPARE_WITH_TIMEOUT(row->text(gui::GitOpsPanel::HealthColumn), u"Healthy"_s, 10000);
        QCOMPARE(panel.lastReport(u"health"_s)->health, gitops::Health::Healthy);
        QVERIFY(panel.historyList()->topLevelItem(0)->text(4).startsWith(u"Synced, Healthy"_s));
        panel.setCluster(nullptr, {}, {});
    }

    void aManualSyncOnlyDryRunsUntilAsked()
    {
        Repository repo;
        repo.write(u"web.yaml"_s, configMap(u"manual"_s, u"red"_s));
        repo.commit(u"red"_s);

        gui::GitOpsPanel panel;
        panel.setCluster(m_api.get(), u"ctx-manual"_s, u"default"_s);
        gui::SyncSettings settings;
        settings.spec.name = u"manual"_s;
        settings.spec.repository = repo.path();
        settings.autoSync = false;
        QVERIFY(panel.addSync(settings));
        QTRY_VERIFY_WITH_TIMEOUT(panel.lastReport(u"manual"_s), 20000);
        QCOMPARE(status(panel, u"manual"_s), u"OutOfSync"_s);
        QCOMPARE(panel.objectList()->topLevelItem(0)->text(3), u"created (dry run)"_s);
        QCOMPARE(colour(u"manual"_s), QString()); // nothing applied

        panel.syncNow(u"manual"_s);
        QTRY_COMPARE_WITH_TIMEOUT(colour(u"manual"_s), u"red"_s, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(status(panel, u"manual"_s), u"Synced"_s, 5000);

        // A new commit: noticed and dry-run, not applied.
        repo.write(u"web.yaml"_s, configMap(u"manual"_s, u"blue"_s));
        const QString next = repo.commit(u"blue"_s);
        QTRY_COMPARE_WITH_TIMEOUT(panel.lastReport(u"manual"_s)->commit, next, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(status(panel, u"manual"_s), u"OutOfSync"_s, 5000);
        QCOMPARE(panel.objectList()->topLevelItem(0)->text(3), u"configured (dry run)"_s);
        QCOMPARE(colour(u"manual"_s), u"red"_s);
        panel.setCluster(nullptr, {}, {});
    }

    void theDiffShowsTheDrift()
    {
        Repository repo;
        repo.write(u"web.yaml"_s, configMap(u"diffed"_s, u"red"_s));
        repo.commit(u"red"_s);
        gui::GitOpsPanel panel;
        panel.setCluster(m_api.get(), u"ctx-diff"_s, u"default"_s);
        gui::SyncSettings settings;
        settings.spec.name = u"diffed"_s;
        settings.spec.repository = repo.path();
        QVERIFY(panel.addSync(settings));
        QTRY_COMPARE_WITH_TIMEOUT(colour(u"diffed"_s), u"red"_s, 20000);

        // Someone changes the object by hand.
        std::optional<QList<client::ApplyResult>> drifted;
        client::ApplyOptions byHand;
        byHand.fieldManager = u"kubectl"_s;
        byHand.force = true;
        const auto pink = core::parseYamlDocuments(configMap(u"diffed"_s, u"pink"_s));
        QVERIFY(pink && pink->size() == 1);
        client::Applier::apply(*m_api, QList<client::ApplyObject>{{pink->first().toObject(), {}}},
                               byHand, [&](const QList<client::ApplyResult> &r) { drifted = r; });
        QTRY_VERIFY_WITH_TIMEOUT(drifted.has_value(), 10000);
        QCOMPARE(colour(u"diffed"_s), u"pink"_s);

        QSignalSpy ready(&panel, &gui::GitOpsPanel::diffReady);
        panel.showDiff(u"diffed"_s);
        QCOMPARE(ready.count(), 1);
        std::unique_ptr<gui::DiffView> view(ready.first().first().value<gui::DiffView *>());
        QVERIFY(view->title().startsWith(u"Diff of diffed at "_s));
        QTRY_VERIFY_WITH_TIMEOUT(!view->diffText().isEmpty(), 10000);
        QVERIFY2(view->diffText().contains(u"-  colour: pink\n+  colour: red\n"_s),
                 qPrintable(view->diffText()));
        // The sync's label is applied too: not a change.
        QVERIFY(!view->diffText().contains(gitops::syncLabel));
        panel.setCluster(nullptr, {}, {});
    }

    void syncsAndTheirHistoryComeBack()
    {
        Repository repo;
        repo.write(u"web.yaml"_s, configMap(u"kept"_s, u"red"_s));
        const QString first = repo.commit(u"red"_s);
        {
            gui::GitOpsPanel panel;
            panel.setCluster(m_api.get(), u"ctx/with slashes"_s, u"default"_s);
            gui::SyncSettings settings;
            settings.spec.name = u"kept"_s;
            settings.spec.repository = repo.path();
            settings.spec.prune = true;
            QVERIFY(panel.addSync(settings));
            QTRY_COMPARE_WITH_TIMEOUT(status(panel, u"kept"_s), u"Synced"_s, 20000);
        }
        gui::GitOpsPanel panel;
        panel.setCluster(m_api.get(), u"other"_s, u"default"_s);
        QCOMPARE(panel.syncNames(), QStringList());
        panel.setCluster(m_api.get(), u"ctx/with slashes"_s, u"default"_s);
        QCOMPARE(panel.syncNames(), QStringList{u"kept"_s});
        // The record of the last session's run shows before this session's run ends.
        QVERIFY(!panel.syncList()->topLevelItem(0)->text(gui::GitOpsPanel::LastSyncColumn).isEmpty());
        QVERIFY(rowOf(panel.historyList(), first.left(7))->text(4).startsWith(u"Synced"_s));
        QVERIFY(panel.syncList()->topLevelItem(0)->toolTip(0).contains(u"prune"_s));
        QTRY_COMPARE_WITH_TIMEOUT(status(panel, u"kept"_s), u"Synced"_s, 20000);

        // Removing forgets the sync, not what it applied.
        panel.removeSync(u"kept"_s);
        QCOMPARE(panel.syncNames(), QStringList());
        QCOMPARE(colour(u"kept"_s), u"red"_s);
        panel.setCluster(m_api.get(), u"ctx/with slashes"_s, u"default"_s);
        QCOMPARE(panel.syncNames(), QStringList());
        panel.setCluster(nullptr, {}, {});
    }

    void theGraphMarksSyncedObjects()
    {
        topology::Item item;
        item.kind = u"Deployment"_s;
        item.ns = u"default"_s;
        item.name = u"web"_s;
        topology::ObjectItem card(item, QSizeF(200, 44));
        QCOMPARE(topology::syncOf(card.item()), QString());
        QVERIFY(!card.toolTip().contains(u"GitOps"_s));
        item.labels.insert(gitops::syncLabel, u"shop"_s);
        card.setItem(item);
        QCOMPARE(topology::syncOf(card.item()), u"shop"_s);
        QCOMPARE(card.toolTip(),
                 u"Deployment default/web\nFrom git, by the GitOps sync \"shop\""_s);
    }
};

QTEST_MAIN(TestGitOpsPanel)
#include "tst_gitopspanel.moc"
