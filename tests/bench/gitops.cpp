// GitOps on a 1 control plane cluster, in this process (a Syncer in watch mode on a temporary
// repository), both measured in the same run:
//  - commit-to-applied latency: from `git commit` returning to the sync's report of that commit
//    (the ConfigMap changed), 20 commits; p50 and p99, against the baseline of applying the same
//    change straight with the Applier (server-side apply, no git);
//  - syncing 500 ConfigMaps from one commit, against the Applier applying the same 500.
// Prints times and ratios; never passes or fails on time.
#include "client/applier.h"
#include "client/httpsclient.h"
#include "e2e/clustertestbase.h"
#include "gitops/syncer.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QSignalSpy>
#include <QTimer>

using namespace timonel;
using namespace Qt::StringLiterals;

namespace {

QByteArray configMap(const QString &name, int value)
{
    return u"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %1\n  namespace: bench\n"
           u"data:\n  value: \"%2\"\n"_s.arg(name)
               .arg(value)
               .toUtf8();
}

qint64 percentile(QList<qint64> values, double p)
{
    std::ranges::sort(values);
    return values.at(std::min<qsizetype>(values.size() - 1, qsizetype(p * values.size())));
}

} // namespace

class BenchGitOps : public test::ClusterTestBase
{
    Q_OBJECT

public:
    BenchGitOps() : ClusterTestBase(u"bench-gitops"_s) {}

private:
    QString m_repo;
    std::unique_ptr<client::HttpsClient> m_api;

    test::Run git(const QStringList &args) const
    {
        return test::run(u"git"_s,
                         QStringList{u"-C"_s, m_repo, u"-c"_s, u"user.name=Bench"_s, u"-c"_s,
                                     u"user.email=bench@timonel.invalid"_s} +
                             args,
                         {}, 60000);
    }
    void write(const QString &path, const QByteArray &text) const
    {
        QDir(m_repo).mkpath(QFileInfo(path).path());
        QFile f(QDir(m_repo).filePath(path));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(text);
    }
    QString commit()
    {
        git({u"add"_s, u"-A"_s});
        git({u"commit"_s, u"-q"_s, u"-m"_s, u"change"_s});
        return git({u"rev-parse"_s, u"HEAD"_s}).out.trimmed();
    }
    // Applies with the Applier and waits for it: the baseline.
    qint64 applyDirectly(const QList<QJsonObject> &objects)
    {
        QElapsedTimer timer;
        timer.start();
        // A real event loop: QTest::qWaitFor sleeps between turns, which would count here.
        QEventLoop loop;
        QTimer::singleShot(120000, &loop, &QEventLoop::quit);
        client::ApplyOptions options;
        QList<client::ApplyObject> list;
        for (const QJsonObject &o : objects)
            list.append({o, {}});
        client::Applier::apply(*m_api, list, options,
                               [&](const QList<client::ApplyResult> &) { loop.quit(); });
        loop.exec();
        return timer.elapsed();
    }
    static QJsonObject configMapObject(const QString &name, int value)
    {
        return {{u"apiVersion"_s, u"v1"_s},
                {u"kind"_s, u"ConfigMap"_s},
                {u"metadata"_s, QJsonObject{{u"name"_s, name}, {u"namespace"_s, u"bench"_s}}},
                {u"data"_s, QJsonObject{{u"value"_s, QString::number(value)}}}};
    }

private Q_SLOTS:
    void initTestCase()
    {
        createCluster(0, {});
        if (QTest::currentTestFailed())
            return;
        makeNamespace(u"bench"_s);
        auto api = client::HttpsClient::fromKubeconfig(kubeconfig(), u"timonel-"_s + m_cluster);
        if (!api)
            QFAIL(qPrintable(api.error()));
        m_api = std::move(*api);
        m_repo = m_dir.filePath(u"repo"_s);
        QVERIFY(QDir().mkpath(m_repo));
        QCOMPARE(git({u"init"_s, u"-q"_s, u"-b"_s, u"main"_s}).exitCode, 0);
    }

    void cleanupTestCase()
    {
        m_api.reset();
        deleteCluster();
    }

    void commitToAppliedLatency()
    {
        write(u"apps/latency.yaml"_s, configMap(u"latency"_s, 0));
        commit();
        gitops::SyncSpec spec;
        spec.name = u"latency"_s;
        spec.repository = m_repo;
        spec.revision = u"main"_s;
        spec.path = u"apps"_s;
        gitops::Syncer syncer(*m_api, spec);
        QSignalSpy finished(&syncer, &gitops::Syncer::finished);
        syncer.watch();
        QVERIFY(finished.wait(30000));

        QList<qint64> latencies, baseline;
        for (int i = 1; i <= 20; ++i) {
            write(u"apps/latency.yaml"_s, configMap(u"latency"_s, i));
            const QString id = commit();
            QElapsedTimer timer;
            timer.start();
            // Measured to the report itself, in a real event loop (no polling step).
            QEventLoop loop;
            QTimer::singleShot(30000, &loop, &QEventLoop::quit);
            const auto connection = connect(&syncer, &gitops::Syncer::finished, &loop,
                                            [&](const gitops::SyncReport &report) {
                                                if (report.commit == id)
                                                    loop.quit();
                                            });
            if (finished.isEmpty() ||
                finished.last().at(0).value<gitops::SyncReport>().commit != id)
                loop.exec();
            disconnect(connection);
            QCOMPARE(finished.last().at(0).value<gitops::SyncReport>().commit, id);
            latencies << timer.elapsed();
            baseline << applyDirectly({configMapObject(u"direct"_s, i)});
        }
        std::printf(
            "GitOps commit-to-applied latency over 20 commits (watch mode):\n"
            "  p50 %lld ms, p99 %lld ms   (target p99 <= 1000 ms)\n"
            "  baseline, the same change applied straight (no git): p50 %lld ms\n"
            "  ratio p50: %.1fx\n",
            percentile(latencies, 0.5), percentile(latencies, 0.99), percentile(baseline, 0.5),
            double(percentile(latencies, 0.5)) / std::max<qint64>(1, percentile(baseline, 0.5)));
    }

    void sync500Objects()
    {
        QByteArray all;
        QList<QJsonObject> objects;
        for (int i = 0; i < 500; ++i) {
            all += "---\n" + configMap(u"many-%1"_s.arg(i), i);
            objects << configMapObject(u"direct-%1"_s.arg(i), i);
        }
        write(u"many/all.yaml"_s, all);
        commit();
        gitops::SyncSpec spec;
        spec.name = u"many"_s;
        spec.repository = m_repo;
        spec.path = u"many"_s;
        gitops::Syncer syncer(*m_api, spec);
        QSignalSpy finished(&syncer, &gitops::Syncer::finished);
        QElapsedTimer timer;
        timer.start();
        syncer.syncNow();
        QVERIFY(finished.wait(300000));
        const qint64 sync = timer.elapsed();
        const auto report = finished.last().at(0).value<gitops::SyncReport>();
        QCOMPARE(report.objects.size(), 500);
        QCOMPARE(gitops::statusName(report.status), u"Synced"_s);
        const qint64 direct = applyDirectly(objects);
        std::printf("Syncing 500 ConfigMaps from one commit: %lld ms   (target <= 5000 ms)\n"
                    "  baseline, the Applier applying the same 500: %lld ms; ratio %.2fx\n",
                    sync, direct, double(sync) / std::max<qint64>(1, direct));
    }
};

QTEST_MAIN(BenchGitOps)
#include "gitops.moc"
