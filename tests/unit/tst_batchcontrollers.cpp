// The job, cronjob, service account and node lifecycle controllers against an API server in
// this process. The test plays the node agent: it moves pods to Succeeded or Failed, renews
// leases and reports node conditions.
#include "apiserver/apiserver.h"
#include "apiserver/inprocessclient.h"
#include "controllers/cronjobcontroller.h"
#include "controllers/cronschedule.h"
#include "controllers/garbagecollector.h"
#include "controllers/jobcontroller.h"
#include "controllers/nodelifecyclecontroller.h"
#include "controllers/serviceaccountcontroller.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <optional>

using namespace timonel;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

const client::Resource jobs{u"batch"_s, u"v1"_s, u"jobs"_s};
const client::Resource cronJobs{u"batch"_s, u"v1"_s, u"cronjobs"_s};
const client::Resource pods{u""_s, u"v1"_s, u"pods"_s};
const client::Resource namespaces{u""_s, u"v1"_s, u"namespaces"_s};
const client::Resource serviceAccounts{u""_s, u"v1"_s, u"serviceaccounts"_s};
const client::Resource events{u""_s, u"v1"_s, u"events"_s};
const client::Resource nodes{u""_s, u"v1"_s, u"nodes"_s};
const client::Resource leases{u"coordination.k8s.io"_s, u"v1"_s, u"leases"_s};

QJsonObject at(const QJsonObject &o, QStringView key)
{
    return o.value(key).toObject();
}

QString nameOf(const QJsonObject &o)
{
    return at(o, u"metadata").value(u"name").toString();
}

QJsonObject condition(const QJsonObject &o, const QString &type)
{
    for (const QJsonValue &c : at(o, u"status").value(u"conditions").toArray())
        if (c.toObject().value(u"type").toString() == type)
            return c.toObject();
    return {};
}

QStringList conditionTypes(const QJsonObject &o)
{
    QStringList types;
    for (const QJsonValue &c : at(o, u"status").value(u"conditions").toArray())
        types << c.toObject().value(u"type").toString();
    return types;
}

QJsonObject jobManifest(const QString &name, const QJsonObject &spec)
{
    QJsonObject s = spec;
    s.insert(u"template"_s,
             QJsonObject{
                 {u"spec"_s, QJsonObject{{u"restartPolicy"_s, u"Never"_s},
                                         {u"containers"_s,
                                          QJsonArray{QJsonObject{{u"name"_s, u"work"_s},
                                                                 {u"image"_s, u"busybox"_s}}}}}}});
    return {{u"apiVersion"_s, u"batch/v1"_s},
            {u"kind"_s, u"Job"_s},
            {u"metadata"_s, QJsonObject{{u"name"_s, name}}},
            {u"spec"_s, s}};
}

QString microTime(const QDateTime &t)
{
    return t.toUTC().toString(u"yyyy-MM-ddTHH:mm:ss.zzz000Z"_s);
}

} // namespace

class TestBatchControllers : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<apiserver::ApiServer> m_server;
    std::unique_ptr<apiserver::InProcessClient> m_api;
    std::unique_ptr<controllers::JobController> m_jobController;
    std::unique_ptr<controllers::CronJobController> m_cronJobController;
    std::unique_ptr<controllers::ServiceAccountController> m_serviceAccountController;
    std::unique_ptr<controllers::NodeLifecycleController> m_nodeController;
    std::unique_ptr<controllers::GarbageCollector> m_garbage;
    QDateTime m_cronClock; // what the cronjob controller thinks the time is

    // Runs one API call to its end.
    client::Result<QJsonObject> wait(const std::function<void(client::Callback<QJsonObject>)> &call)
    {
        std::optional<client::Result<QJsonObject>> result;
        call([&result](client::Result<QJsonObject> r) { result = std::move(r); });
        QElapsedTimer timer;
        timer.start();
        while (!result && timer.elapsed() < 10000)
            QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents,
                                            50);
        return result.value_or(std::unexpected(client::Error{0, u"Timeout"_s, u"no answer"_s, {}}));
    }

    QJsonObject create(const client::Resource &r, const QString &ns, const QJsonObject &object)
    {
        auto created = wait([&](auto done) { m_api->create(r, ns, object, {}, done); });
        if (!created)
            qWarning().noquote() << "create failed:" << created.error().message;
        return created.value_or(QJsonObject());
    }

    QJsonObject get(const client::Resource &r, const QString &ns, const QString &name)
    {
        return wait([&](auto done) { m_api->get(r, ns, name, done); }).value_or(QJsonObject());
    }

    bool exists(const client::Resource &r, const QString &ns, const QString &name)
    {
        return !get(r, ns, name).isEmpty();
    }

    QList<QJsonObject> list(const client::Resource &r, const QString &ns)
    {
        QList<QJsonObject> items;
        const auto listed = wait([&](auto done) { m_api->list(r, ns, {}, done); });
        for (const QJsonValue &v : listed.value_or(QJsonObject()).value(u"items").toArray())
            items.append(v.toObject());
        return items;
    }

    bool patch(const client::Resource &r, const QString &ns, const QString &name,
               const QJsonObject &body, const QString &subresource = {})
    {
        return wait([&](auto done) {
                   m_api->patch(r, ns, name, client::PatchType::Merge,
                                QJsonDocument(body).toJson(QJsonDocument::Compact), subresource, {},
                                done);
               })
            .has_value();
    }

    // What the node agent reports when a pod's containers have ended.
    bool finishPod(const QString &ns, const QString &name, const QString &phase)
    {
        return patch(pods, ns, name, QJsonObject{{u"status"_s, QJsonObject{{u"phase"_s, phase}}}},
                     u"status"_s);
    }

    QList<QJsonObject> podsOfJob(const QString &ns, const QString &job)
    {
        QList<QJsonObject> result;
        for (const QJsonObject &pod : list(pods, ns))
            if (at(at(pod, u"metadata"), u"labels").value(u"job-name").toString() == job)
                result.append(pod);
        return result;
    }

    QStringList unfinishedPods(const QString &ns, const QString &job)
    {
        QStringList names;
        for (const QJsonObject &pod : podsOfJob(ns, job))
            if (at(pod, u"status").value(u"phase").toString() == u"Pending" &&
                at(pod, u"metadata").value(u"deletionTimestamp").isUndefined())
                names << nameOf(pod);
        return names;
    }

    bool hasEvent(const QString &ns, const QString &reason, const QString &message)
    {
        for (const QJsonObject &e : list(events, ns))
            if (e.value(u"reason").toString() == reason &&
                e.value(u"message").toString().startsWith(message))
                return true;
        return false;
    }

    void createNamespace(const QString &name)
    {
        create(namespaces, {},
               QJsonObject{{u"apiVersion"_s, u"v1"_s},
                           {u"kind"_s, u"Namespace"_s},
                           {u"metadata"_s, QJsonObject{{u"name"_s, name}}}});
    }

    // The cronjob controller sleeps until the next run: after moving its clock, wake it the
    // way any change to the CronJob does.
    void advanceCronClock(const QDateTime &to, const QString &ns, const QString &cronJob)
    {
        m_cronClock = to;
        patch(
            cronJobs, ns, cronJob,
            QJsonObject{{u"metadata"_s,
                         QJsonObject{{u"annotations"_s,
                                      QJsonObject{{u"test/clock"_s, to.toString(Qt::ISODate)}}}}}});
    }

    QJsonObject cronJobManifest(const QString &name, const QJsonObject &spec)
    {
        QJsonObject s = spec;
        s.insert(u"schedule"_s, u"* * * * *"_s);
        s.insert(
            u"jobTemplate"_s,
            QJsonObject{{u"metadata"_s, QJsonObject{{u"labels"_s, QJsonObject{{u"app"_s, name}}}}},
                        {u"spec"_s, jobManifest(name, {}).value(u"spec")}});
        return {{u"apiVersion"_s, u"batch/v1"_s},
                {u"kind"_s, u"CronJob"_s},
                {u"metadata"_s, QJsonObject{{u"name"_s, name}}},
                {u"spec"_s, s}};
    }

    // Runs a Job's single pod to success, as its node agent would.
    bool completeJob(const QString &ns, const QString &job)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 10000) {
            const QStringList running = unfinishedPods(ns, job);
            if (!running.isEmpty())
                return finishPod(ns, running.first(), u"Succeeded"_s);
            QTest::qWait(20);
        }
        return false;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        apiserver::ApiServerOptions options;
        options.address = QHostAddress::LocalHost;
        options.port = 0;
        options.plainHttp = true;
        options.dataDirectory = m_dir.filePath(u"data"_s);
        options.encryptionKeyFile = m_dir.filePath(u"key"_s);
        m_server = std::make_unique<apiserver::ApiServer>(options);
        auto started = m_server->start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error()));
        m_api = std::make_unique<apiserver::InProcessClient>(m_server->store());

        controllers::JobControllerOptions jobOptions;
        jobOptions.syncBatchPeriod = 20ms;
        jobOptions.podFailureBackoff = 50ms;
        m_jobController = std::make_unique<controllers::JobController>(*m_api, jobOptions);
        m_cronClock = QDateTime::currentDateTimeUtc();
        controllers::CronJobControllerOptions cronOptions;
        cronOptions.now = [this] { return m_cronClock; };
        m_cronJobController = std::make_unique<controllers::CronJobController>(*m_api, cronOptions);
        m_serviceAccountController =
            std::make_unique<controllers::ServiceAccountController>(*m_api);
        controllers::NodeLifecycleControllerOptions nodeOptions;
        nodeOptions.gracePeriod = 1s;
        nodeOptions.startupGracePeriod = 1s;
        m_nodeController =
            std::make_unique<controllers::NodeLifecycleController>(*m_api, nodeOptions);
        m_garbage = std::make_unique<controllers::GarbageCollector>(*m_api);
        m_jobController->start();
        m_cronJobController->start();
        m_serviceAccountController->start();
        m_nodeController->start();
        m_garbage->start();
    }

    void cleanupTestCase()
    {
        m_garbage.reset();
        m_nodeController.reset();
        m_serviceAccountController.reset();
        m_cronJobController.reset();
        m_jobController.reset();
        m_api.reset();
        m_server.reset();
    }

    // --- Job ---------------------------------------------------------------------------------

    void jobGetsKubernetesDefaultsAndASelectorOfItsOwn()
    {
        createNamespace(u"job-defaults"_s);
        const QJsonObject job = create(jobs, u"job-defaults"_s, jobManifest(u"plain"_s, {}));
        const QJsonObject spec = at(job, u"spec");
        const QString uid = at(job, u"metadata").value(u"uid").toString();
        QCOMPARE(spec.value(u"backoffLimit").toInt(), 6);
        QCOMPARE(spec.value(u"completions").toInt(), 1);
        QCOMPARE(spec.value(u"parallelism").toInt(), 1);
        QCOMPARE(spec.value(u"completionMode").toString(), u"NonIndexed"_s);
        QCOMPARE(spec.value(u"suspend"), QJsonValue(false));
        QCOMPARE(spec.value(u"manualSelector"), QJsonValue(false));
        QCOMPARE(at(at(spec, u"selector"), u"matchLabels")
                     .value(u"batch.kubernetes.io/controller-uid")
                     .toString(),
                 uid);
        const QJsonObject labels = at(at(job, u"metadata"), u"labels");
        QCOMPARE(labels.value(u"job-name").toString(), u"plain"_s);
        QCOMPARE(labels.value(u"batch.kubernetes.io/controller-uid").toString(), uid);
    }

    void jobRunsToCompletionTwoPodsAtATime()
    {
        const QString ns = u"job-complete"_s;
        createNamespace(ns);
        const QJsonObject job = create(
            jobs, ns, jobManifest(u"work"_s, {{u"completions"_s, 3}, {u"parallelism"_s, 2}}));
        const QString uid = at(job, u"metadata").value(u"uid").toString();
        QTRY_COMPARE_WITH_TIMEOUT(unfinishedPods(ns, u"work"_s).size(), 2, 5000);
        for (const QJsonObject &pod : podsOfJob(ns, u"work"_s)) {
            const QJsonObject meta = at(pod, u"metadata");
            QCOMPARE(meta.value(u"generateName").toString(), u"work-"_s);
            QCOMPARE(at(meta, u"labels").value(u"job-name").toString(), u"work"_s);
            QCOMPARE(at(meta, u"labels").value(u"controller-uid").toString(), uid);
            QCOMPARE(at(meta, u"labels").value(u"batch.kubernetes.io/job-name").toString(),
                     u"work"_s);
            QCOMPARE(at(meta, u"labels").value(u"batch.kubernetes.io/controller-uid").toString(),
                     uid);
            QVERIFY(meta.value(u"finalizers")
                        .toArray()
                        .contains(u"batch.kubernetes.io/job-tracking"_s));
            QCOMPARE(meta.value(u"ownerReferences")
                         .toArray()
                         .first()
                         .toObject()
                         .value(u"kind")
                         .toString(),
                     u"Job"_s);
        }
        QTRY_COMPARE_WITH_TIMEOUT(at(get(jobs, ns, u"work"_s), u"status").value(u"active").toInt(),
                                  2, 5000);
        QVERIFY(at(get(jobs, ns, u"work"_s), u"status").contains(u"startTime"));

        for (const QString &name : unfinishedPods(ns, u"work"_s))
            QVERIFY(finishPod(ns, name, u"Succeeded"_s));
        // Only one completion is left: one more pod, not two.
        QTRY_COMPARE_WITH_TIMEOUT(unfinishedPods(ns, u"work"_s).size(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(
            at(get(jobs, ns, u"work"_s), u"status").value(u"succeeded").toInt(), 2, 5000);
        QCOMPARE(podsOfJob(ns, u"work"_s).size(), 3);
        QVERIFY(finishPod(ns, unfinishedPods(ns, u"work"_s).first(), u"Succeeded"_s));

        QTRY_COMPARE_WITH_TIMEOUT(
            condition(get(jobs, ns, u"work"_s), u"Complete"_s).value(u"status").toString(),
            u"True"_s, 5000);
        const QJsonObject done = get(jobs, ns, u"work"_s);
        const QJsonObject status = at(done, u"status");
        QCOMPARE(status.value(u"succeeded").toInt(), 3);
        QVERIFY(!status.contains(u"active"));
        QVERIFY(!status.contains(u"failed"));
        QCOMPARE(status.value(u"ready").toInt(-1), 0);
        QCOMPARE(status.value(u"terminating").toInt(-1), 0);
        QVERIFY(status.contains(u"completionTime"));
        QVERIFY(at(status, u"uncountedTerminatedPods").isEmpty());
        QCOMPARE(conditionTypes(done), (QStringList{u"SuccessCriteriaMet"_s, u"Complete"_s}));
        for (const QString &type : {u"SuccessCriteriaMet"_s, u"Complete"_s}) {
            QCOMPARE(condition(done, type).value(u"reason").toString(), u"CompletionsReached"_s);
            QCOMPARE(condition(done, type).value(u"message").toString(),
                     u"Reached expected number of succeeded pods"_s);
        }
        // Counted pods lose the tracking finalizer.
        for (const QJsonObject &pod : podsOfJob(ns, u"work"_s))
            QVERIFY(!at(pod, u"metadata")
                         .value(u"finalizers")
                         .toArray()
                         .contains(u"batch.kubernetes.io/job-tracking"_s));
        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(ns, u"Completed"_s, u"Job completed"_s), 5000);
        QVERIFY(hasEvent(ns, u"SuccessfulCreate"_s, u"Created pod: work-"_s));
    }

    void jobFailsOnceBackoffLimitIsExceeded()
    {
        const QString ns = u"job-backoff"_s;
        createNamespace(ns);
        create(jobs, ns, jobManifest(u"flaky"_s, {{u"backoffLimit"_s, 1}}));
        QTRY_COMPARE_WITH_TIMEOUT(unfinishedPods(ns, u"flaky"_s).size(), 1, 5000);
        QVERIFY(finishPod(ns, unfinishedPods(ns, u"flaky"_s).first(), u"Failed"_s));
        // One failure is within the limit: a replacement comes.
        QTRY_COMPARE_WITH_TIMEOUT(unfinishedPods(ns, u"flaky"_s).size(), 1, 5000);
        QCOMPARE(at(get(jobs, ns, u"flaky"_s), u"status").value(u"failed").toInt(), 1);
        QVERIFY(finishPod(ns, unfinishedPods(ns, u"flaky"_s).first(), u"Failed"_s));

        QTRY_COMPARE_WITH_TIMEOUT(
            condition(get(jobs, ns, u"flaky"_s), u"Failed"_s).value(u"status").toString(),
            u"True"_s, 5000);
        const QJsonObject job = get(jobs, ns, u"flaky"_s);
        QCOMPARE(conditionTypes(job), (QStringList{u"FailureTarget"_s, u"Failed"_s}));
        QCOMPARE(condition(job, u"Failed"_s).value(u"reason").toString(),
                 u"BackoffLimitExceeded"_s);
        QCOMPARE(condition(job, u"Failed"_s).value(u"message").toString(),
                 u"Job has reached the specified backoff limit"_s);
        QCOMPARE(at(job, u"status").value(u"failed").toInt(), 2);
        QVERIFY(!at(job, u"status").contains(u"completionTime"));
        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(ns, u"BackoffLimitExceeded"_s,
                                          u"Job has reached the specified backoff limit"_s),
                                 5000);
    }

    void jobPastActiveDeadlineFailsAndStopsItsPods()
    {
        const QString ns = u"job-deadline"_s;
        createNamespace(ns);
        create(jobs, ns,
               jobManifest(u"slow"_s, {{u"activeDeadlineSeconds"_s, 1},
                                       {u"parallelism"_s, 2},
                                       {u"completions"_s, 4}}));
        QTRY_COMPARE_WITH_TIMEOUT(unfinishedPods(ns, u"slow"_s).size(), 2, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(
            condition(get(jobs, ns, u"slow"_s), u"Failed"_s).value(u"reason").toString(),
            u"DeadlineExceeded"_s, 5000);
        const QJsonObject job = get(jobs, ns, u"slow"_s);
        QCOMPARE(condition(job, u"Failed"_s).value(u"message").toString(),
                 u"Job was active longer than specified deadline"_s);
        QCOMPARE(condition(job, u"FailureTarget"_s).value(u"reason").toString(),
                 u"DeadlineExceeded"_s);
        // The running pods were stopped and count as failed.
        QCOMPARE(at(job, u"status").value(u"failed").toInt(), 2);
        QVERIFY(!at(job, u"status").contains(u"active"));
        QTRY_COMPARE_WITH_TIMEOUT(podsOfJob(ns, u"slow"_s).size(), 0, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(ns, u"SuccessfulDelete"_s, u"Deleted pod: slow-"_s),
                                 5000);
        QTRY_VERIFY_WITH_TIMEOUT(
            hasEvent(ns, u"DeadlineExceeded"_s, u"Job was active longer than specified deadline"_s),
            5000);
    }

    void finishedJobIsDeletedWhenItsTtlRunsOut()
    {
        const QString ns = u"job-ttl"_s;
        createNamespace(ns);
        create(jobs, ns, jobManifest(u"brief"_s, {{u"ttlSecondsAfterFinished"_s, 1}}));
        QVERIFY(completeJob(ns, u"brief"_s));
        QTRY_COMPARE_WITH_TIMEOUT(
            condition(get(jobs, ns, u"brief"_s), u"Complete"_s).value(u"status").toString(),
            u"True"_s, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(!exists(jobs, ns, u"brief"_s), 8000);
        QTRY_COMPARE_WITH_TIMEOUT(podsOfJob(ns, u"brief"_s).size(), 0, 5000);
    }

    void indexedJobRunsEachIndexUntilItSucceeds()
    {
        const QString ns = u"job-indexed"_s;
        createNamespace(ns);
        create(jobs, ns,
               jobManifest(u"idx"_s, {{u"completions"_s, 3},
                                      {u"parallelism"_s, 2},
                                      {u"completionMode"_s, u"Indexed"_s}}));
        QTRY_COMPARE_WITH_TIMEOUT(unfinishedPods(ns, u"idx"_s).size(), 2, 5000);
        QHash<int, QString> byIndex;
        for (const QJsonObject &pod : podsOfJob(ns, u"idx"_s)) {
            const QJsonObject meta = at(pod, u"metadata");
            const QString ix = at(meta, u"annotations")
                                   .value(u"batch.kubernetes.io/job-completion-index")
                                   .toString();
            QCOMPARE(
                at(meta, u"labels").value(u"batch.kubernetes.io/job-completion-index").toString(),
                ix);
            QCOMPARE(meta.value(u"generateName").toString(), u"idx-%1-"_s.arg(ix));
            QCOMPARE(at(pod, u"spec").value(u"hostname").toString(), u"idx-%1"_s.arg(ix));
            const QJsonObject env = at(pod, u"spec")
                                        .value(u"containers")
                                        .toArray()
                                        .first()
                                        .toObject()
                                        .value(u"env")
                                        .toArray()
                                        .first()
                                        .toObject();
            QCOMPARE(env.value(u"name").toString(), u"JOB_COMPLETION_INDEX"_s);
            QCOMPARE(at(at(env, u"valueFrom"), u"fieldRef").value(u"fieldPath").toString(),
                     u"metadata.annotations['batch.kubernetes.io/job-completion-index']"_s);
            byIndex.insert(ix.toInt(), nameOf(pod));
        }
        QCOMPARE(QSet<int>(byIndex.keyBegin(), byIndex.keyEnd()), (QSet<int>{0, 1}));

        // Index 0 fails: it runs again. Index 1 succeeds: index 2 starts.
        QVERIFY(finishPod(ns, byIndex[0], u"Failed"_s));
        QVERIFY(finishPod(ns, byIndex[1], u"Succeeded"_s));
        QTRY_COMPARE_WITH_TIMEOUT(
            at(get(jobs, ns, u"idx"_s), u"status").value(u"completedIndexes").toString(), u"1"_s,
            5000);
        QTRY_COMPARE_WITH_TIMEOUT(unfinishedPods(ns, u"idx"_s).size(), 2, 5000);
        for (const QString &name : unfinishedPods(ns, u"idx"_s))
            QVERIFY(finishPod(ns, name, u"Succeeded"_s));
        QTRY_COMPARE_WITH_TIMEOUT(
            condition(get(jobs, ns, u"idx"_s), u"Complete"_s).value(u"status").toString(),
            u"True"_s, 5000);
        const QJsonObject status = at(get(jobs, ns, u"idx"_s), u"status");
        QCOMPARE(status.value(u"completedIndexes").toString(), u"0-2"_s);
        QCOMPARE(status.value(u"succeeded").toInt(), 3);
        QCOMPARE(status.value(u"failed").toInt(), 1);
    }

    void suspendedJobStartsNoPodsUntilResumed()
    {
        const QString ns = u"job-suspend"_s;
        createNamespace(ns);
        create(jobs, ns, jobManifest(u"later"_s, {{u"suspend"_s, true}}));
        QTRY_COMPARE_WITH_TIMEOUT(
            condition(get(jobs, ns, u"later"_s), u"Suspended"_s).value(u"reason").toString(),
            u"JobSuspended"_s, 5000);
        QVERIFY(podsOfJob(ns, u"later"_s).isEmpty());
        QVERIFY(!at(get(jobs, ns, u"later"_s), u"status").contains(u"startTime"));
        QVERIFY(patch(jobs, ns, u"later"_s,
                      QJsonObject{{u"spec"_s, QJsonObject{{u"suspend"_s, false}}}}));
        QTRY_COMPARE_WITH_TIMEOUT(unfinishedPods(ns, u"later"_s).size(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(
            condition(get(jobs, ns, u"later"_s), u"Suspended"_s).value(u"status").toString(),
            u"False"_s, 5000);
        QCOMPARE(condition(get(jobs, ns, u"later"_s), u"Suspended"_s).value(u"reason").toString(),
                 u"JobResumed"_s);
        QVERIFY(at(get(jobs, ns, u"later"_s), u"status").contains(u"startTime"));
    }

    // --- Cron schedules ----------------------------------------------------------------------

    void cronScheduleFindsTheNextRun_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("zone");
        QTest::addColumn<QString>("after");
        QTest::addColumn<QString>("next"); // "" when there is none

        auto row = [](const char *name, const QString &spec, const QString &zone,
                      const QString &after, const QString &next) {
            QTest::newRow(name) << spec << zone << after << next;
        };
        const QString utc = u"UTC"_s;
        row("every minute", u"* * * * *"_s, utc, u"2024-01-01T10:00:30Z"_s,
            u"2024-01-01T10:01:00Z"_s);
        row("strictly after", u"* * * * *"_s, utc, u"2024-01-01T10:00:00Z"_s,
            u"2024-01-01T10:01:00Z"_s);
        row("step", u"*/15 * * * *"_s, utc, u"2024-01-01T10:16:00Z"_s, u"2024-01-01T10:30:00Z"_s);
        row("range with step", u"10-30/10 * * * *"_s, utc, u"2024-01-01T10:31:00Z"_s,
            u"2024-01-01T11:10:00Z"_s);
        row("start with step", u"7/20 * * * *"_s, utc, u"2024-01-01T10:28:00Z"_s,
            u"2024-01-01T10:47:00Z"_s);
        row("list", u"5,20,40 * * * *"_s, utc, u"2024-01-01T10:21:00Z"_s,
            u"2024-01-01T10:40:00Z"_s);
        row("hour passed today", u"30 9 * * *"_s, utc, u"2024-01-01T10:00:00Z"_s,
            u"2024-01-02T09:30:00Z"_s);
        row("day of month", u"0 0 15 * *"_s, utc, u"2024-01-20T00:00:00Z"_s,
            u"2024-02-15T00:00:00Z"_s);
        row("month names", u"0 12 1 JAN,jul *"_s, utc, u"2024-02-02T00:00:00Z"_s,
            u"2024-07-01T12:00:00Z"_s);
        row("weekday names", u"0 9 * * mon-fri"_s, utc, u"2024-01-06T12:00:00Z"_s,
            u"2024-01-08T09:00:00Z"_s);
        row("sunday is 0", u"0 0 * * 0"_s, utc, u"2024-01-01T00:00:00Z"_s,
            u"2024-01-07T00:00:00Z"_s);
        row("day of month or week", u"0 0 13 * 5"_s, utc, u"2024-01-01T00:00:00Z"_s,
            u"2024-01-05T00:00:00Z"_s);
        row("question mark", u"0 0 ? * 5"_s, utc, u"2024-01-06T00:00:00Z"_s,
            u"2024-01-12T00:00:00Z"_s);
        row("leap day", u"0 0 29 2 *"_s, utc, u"2024-03-01T00:00:00Z"_s, u"2028-02-29T00:00:00Z"_s);
        row("never", u"0 0 30 2 *"_s, utc, u"2024-01-01T00:00:00Z"_s, QString());
        row("@yearly", u"@yearly"_s, utc, u"2024-06-01T00:00:00Z"_s, u"2025-01-01T00:00:00Z"_s);
        row("@monthly", u"@monthly"_s, utc, u"2024-01-31T12:00:00Z"_s, u"2024-02-01T00:00:00Z"_s);
        row("@weekly", u"@weekly"_s, utc, u"2024-01-03T00:00:00Z"_s, u"2024-01-07T00:00:00Z"_s);
        row("@daily", u"@daily"_s, utc, u"2024-01-01T10:00:00Z"_s, u"2024-01-02T00:00:00Z"_s);
        row("@hourly", u"@hourly"_s, utc, u"2024-01-01T10:59:59Z"_s, u"2024-01-01T11:00:00Z"_s);
        row("@every", u"@every 90s"_s, utc, u"2024-01-01T10:00:00.500Z"_s,
            u"2024-01-01T10:01:30Z"_s);
        row("time zone", u"0 9 * * *"_s, u"Europe/Madrid"_s, u"2024-01-15T07:00:00Z"_s,
            u"2024-01-15T08:00:00Z"_s);
        row("TZ prefix wins", u"TZ=Asia/Tokyo 0 9 * * *"_s, utc, u"2024-01-01T00:00:00Z"_s,
            u"2024-01-02T00:00:00Z"_s);
        row("DST keeps the wall clock", u"0 9 * * *"_s, u"America/New_York"_s,
            u"2024-03-09T15:00:00Z"_s, u"2024-03-10T13:00:00Z"_s);
        row("DST spring forward skips the missing time", u"30 2 * * *"_s, u"America/New_York"_s,
            u"2024-03-09T12:00:00Z"_s, u"2024-03-11T06:30:00Z"_s);
        row("DST fall back runs the repeated time twice", u"30 1 * * *"_s, u"America/New_York"_s,
            u"2024-11-03T05:30:00Z"_s, u"2024-11-03T06:30:00Z"_s);
        row("DST hourly across spring forward", u"0 * * * *"_s, u"Europe/Berlin"_s,
            u"2024-03-31T00:30:00Z"_s, u"2024-03-31T01:00:00Z"_s);
    }

    void cronScheduleFindsTheNextRun()
    {
        QFETCH(QString, spec);
        QFETCH(QString, zone);
        QFETCH(QString, after);
        QFETCH(QString, next);
        const QTimeZone tz(zone.toUtf8());
        QVERIFY(tz.isValid());
        const auto schedule = controllers::CronSchedule::parse(spec, tz);
        QVERIFY2(schedule, qPrintable(schedule ? QString() : schedule.error()));
        const QDateTime found = schedule->next(QDateTime::fromString(after, Qt::ISODateWithMs));
        if (next.isEmpty())
            QVERIFY(!found.isValid());
        else
            QCOMPARE(found.toUTC().toString(Qt::ISODate), next);
    }

    void cronScheduleRejectsWhatRobfigCronRejects_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("error");
        QTest::newRow("empty") << QString() << u"empty spec string"_s;
        QTest::newRow("four fields")
            << u"* * * *"_s << u"expected exactly 5 fields, found 4: [* * * *]"_s;
        QTest::newRow("seconds field")
            << u"0 * * * * *"_s << u"expected exactly 5 fields, found 6: [0 * * * * *]"_s;
        QTest::newRow("minute 60")
            << u"60 * * * *"_s << u"end of range (60) above maximum (59): 60"_s;
        QTest::newRow("day 0") << u"* * 0 * *"_s
                               << u"beginning of range (0) below minimum (1): 0"_s;
        QTest::newRow("weekday 7") << u"* * * * 7"_s << u"end of range (7) above maximum (6): 7"_s;
        QTest::newRow("backwards")
            << u"5-1 * * * *"_s << u"beginning of range (5) beyond end of range (1): 5-1"_s;
        QTest::newRow("step 0") << u"*/0 * * * *"_s
                                << u"step of range should be a positive number: */0"_s;
        QTest::newRow("word")
            << u"x * * * *"_s
            << u"failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax"_s;
        QTest::newRow("hyphens") << u"1-2-3 * * * *"_s << u"too many hyphens: 1-2-3"_s;
        QTest::newRow("descriptor")
            << u"@fortnightly"_s << u"unrecognized descriptor: @fortnightly"_s;
    }

    void cronScheduleRejectsWhatRobfigCronRejects()
    {
        QFETCH(QString, spec);
        QFETCH(QString, error);
        const auto schedule = controllers::CronSchedule::parse(spec, QTimeZone::UTC);
        QVERIFY(!schedule);
        QCOMPARE(schedule.error(), error);
    }

    // --- CronJob -----------------------------------------------------------------------------

    void cronJobCreatesAJobAtTheScheduledMinute()
    {
        const QString ns = u"cron-run"_s;
        createNamespace(ns);
        const QJsonObject cj =
            create(cronJobs, ns, cronJobManifest(u"tick"_s, {{u"timeZone"_s, u"Asia/Kolkata"_s}}));
        QCOMPARE(at(cj, u"spec").value(u"concurrencyPolicy").toString(), u"Allow"_s);
        QCOMPARE(at(cj, u"spec").value(u"successfulJobsHistoryLimit").toInt(), 3);
        QCOMPARE(at(cj, u"spec").value(u"failedJobsHistoryLimit").toInt(), 1);
        QCOMPARE(at(cj, u"spec").value(u"suspend"), QJsonValue(false));
        const QDateTime created = QDateTime::fromString(
            at(cj, u"metadata").value(u"creationTimestamp").toString(), Qt::ISODate);
        const QDateTime minute = created.addSecs(60 - created.time().second());
        const QString jobName = u"tick-%1"_s.arg(minute.toSecsSinceEpoch() / 60);

        advanceCronClock(minute.addSecs(5), ns, u"tick"_s);
        QTRY_VERIFY_WITH_TIMEOUT(exists(jobs, ns, jobName), 5000);
        const QJsonObject job = get(jobs, ns, jobName);
        const QJsonObject meta = at(job, u"metadata");
        // The scheduled time, written in the CronJob's time zone.
        const QString scheduled = at(meta, u"annotations")
                                      .value(u"batch.kubernetes.io/cronjob-scheduled-timestamp")
                                      .toString();
        QVERIFY2(scheduled.endsWith(u"+05:30"_s), qPrintable(scheduled));
        QCOMPARE(QDateTime::fromString(scheduled, Qt::ISODate), minute);
        QCOMPARE(at(meta, u"labels").value(u"app").toString(), u"tick"_s);
        const QJsonObject owner = meta.value(u"ownerReferences").toArray().first().toObject();
        QCOMPARE(owner.value(u"kind").toString(), u"CronJob"_s);
        QVERIFY(owner.value(u"controller").toBool());
        QTRY_COMPARE_WITH_TIMEOUT(
            at(get(cronJobs, ns, u"tick"_s), u"status").value(u"active").toArray().size(), 1, 5000);
        const QJsonObject status = at(get(cronJobs, ns, u"tick"_s), u"status");
        QCOMPARE(status.value(u"active").toArray().first().toObject().value(u"name").toString(),
                 jobName);
        QCOMPARE(status.value(u"lastScheduleTime").toString(), minute.toString(Qt::ISODate));
        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(ns, u"SuccessfulCreate"_s, u"Created job "_s + jobName),
                                 5000);

        // The run finishes: it leaves the active list and becomes the last success.
        QVERIFY(completeJob(ns, jobName));
        QTRY_VERIFY_WITH_TIMEOUT(
            at(get(cronJobs, ns, u"tick"_s), u"status").contains(u"lastSuccessfulTime"), 5000);
        QVERIFY(!at(get(cronJobs, ns, u"tick"_s), u"status").contains(u"active"));
        QTRY_VERIFY_WITH_TIMEOUT(
            hasEvent(ns, u"SawCompletedJob"_s,
                     u"Saw completed job: %1, status: Complete"_s.arg(jobName)),
            5000);
    }

    void cronJobWithForbidSkipsRunsWhileOneIsActiveAndKeepsItsHistory()
    {
        const QString ns = u"cron-forbid"_s;
        createNamespace(ns);
        const QJsonObject cj =
            create(cronJobs, ns,
                   cronJobManifest(u"solo"_s, {{u"concurrencyPolicy"_s, u"Forbid"_s},
                                               {u"successfulJobsHistoryLimit"_s, 1}}));
        const QDateTime created = QDateTime::fromString(
            at(cj, u"metadata").value(u"creationTimestamp").toString(), Qt::ISODate);
        const QDateTime m1 = created.addSecs(60 - created.time().second());
        auto jobAt = [](const QDateTime &m) { return u"solo-%1"_s.arg(m.toSecsSinceEpoch() / 60); };

        advanceCronClock(m1.addSecs(5), ns, u"solo"_s);
        QTRY_VERIFY_WITH_TIMEOUT(exists(jobs, ns, jobAt(m1)), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(
            at(get(cronJobs, ns, u"solo"_s), u"status").value(u"active").toArray().size(), 1, 5000);

        // The next minute comes while the first run still runs: skipped.
        const QDateTime m2 = m1.addSecs(60);
        advanceCronClock(m2.addSecs(5), ns, u"solo"_s);
        QTRY_VERIFY_WITH_TIMEOUT(
            hasEvent(
                ns, u"JobAlreadyActive"_s,
                u"Not starting job because prior execution is running and concurrency policy is Forbid"_s),
            5000);
        QVERIFY(!exists(jobs, ns, jobAt(m2)));

        // Without startingDeadlineSeconds the skipped run is not lost: it starts as soon as
        // the running one has finished.
        QVERIFY(completeJob(ns, jobAt(m1)));
        QTRY_VERIFY_WITH_TIMEOUT(exists(jobs, ns, jobAt(m2)), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(
            at(get(cronJobs, ns, u"solo"_s), u"status").contains(u"lastSuccessfulTime"), 5000);

        // Two successful runs, a history of one: the older goes.
        QVERIFY(completeJob(ns, jobAt(m2)));
        QTRY_VERIFY_WITH_TIMEOUT(!exists(jobs, ns, jobAt(m1)), 5000);
        QVERIFY(exists(jobs, ns, jobAt(m2)));
        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(ns, u"SuccessfulDelete"_s, u"Deleted job "_s + jobAt(m1)),
                                 5000);
    }

    // --- ServiceAccount ----------------------------------------------------------------------

    void everyNamespaceGetsADefaultServiceAccountBack()
    {
        createNamespace(u"sa-test"_s);
        QTRY_VERIFY_WITH_TIMEOUT(exists(serviceAccounts, u"sa-test"_s, u"default"_s), 5000);
        const QString uid = at(get(serviceAccounts, u"sa-test"_s, u"default"_s), u"metadata")
                                .value(u"uid")
                                .toString();
        QVERIFY(wait([&](auto done) {
            m_api->remove(serviceAccounts, u"sa-test"_s, u"default"_s, {}, done);
        }));
        QTRY_VERIFY_WITH_TIMEOUT(exists(serviceAccounts, u"sa-test"_s, u"default"_s), 5000);
        QVERIFY(at(get(serviceAccounts, u"sa-test"_s, u"default"_s), u"metadata")
                    .value(u"uid")
                    .toString() != uid);
        QVERIFY(exists(serviceAccounts, u"default"_s, u"default"_s));
    }

    // --- Node lifecycle ----------------------------------------------------------------------

    void nodeWithAStaleLeaseIsTaintedAndItsPodsEvicted()
    {
        const QString ns = u"node-test"_s;
        createNamespace(ns);
        auto readyStatus = [] {
            const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
            QJsonArray conditions;
            for (const auto &[type, status, reason] :
                 {std::tuple{u"MemoryPressure"_s, u"False"_s, u"KubeletHasSufficientMemory"_s},
                  std::tuple{u"DiskPressure"_s, u"False"_s, u"KubeletHasNoDiskPressure"_s},
                  std::tuple{u"PIDPressure"_s, u"False"_s, u"KubeletHasSufficientPID"_s},
                  std::tuple{u"Ready"_s, u"True"_s, u"KubeletReady"_s}})
                conditions.append(QJsonObject{{u"type"_s, type},
                                              {u"status"_s, status},
                                              {u"reason"_s, reason},
                                              {u"lastHeartbeatTime"_s, now},
                                              {u"lastTransitionTime"_s, now}});
            return QJsonObject{{u"conditions"_s, conditions}};
        };
        auto renew = [this](const QString &node) {
            patch(leases, u"kube-node-lease"_s, node,
                  QJsonObject{
                      {u"spec"_s,
                       QJsonObject{{u"renewTime"_s, microTime(QDateTime::currentDateTimeUtc())}}}});
        };
        for (const QString &name : {u"node-healthy"_s, u"node-lost"_s}) {
            QVERIFY(!create(nodes, {},
                            QJsonObject{{u"apiVersion"_s, u"v1"_s},
                                        {u"kind"_s, u"Node"_s},
                                        {u"metadata"_s, QJsonObject{{u"name"_s, name}}},
                                        {u"status"_s, readyStatus()}})
                         .isEmpty());
            QVERIFY(
                !create(leases, u"kube-node-lease"_s,
                        QJsonObject{
                            {u"apiVersion"_s, u"coordination.k8s.io/v1"_s},
                            {u"kind"_s, u"Lease"_s},
                            {u"metadata"_s, QJsonObject{{u"name"_s, name}}},
                            {u"spec"_s, QJsonObject{{u"holderIdentity"_s, name},
                                                    {u"renewTime"_s,
                                                     microTime(QDateTime::currentDateTimeUtc())}}}})
                     .isEmpty());
        }
        // node-healthy's agent keeps renewing; node-lost's has stopped.
        QTimer agent;
        connect(&agent, &QTimer::timeout, this, [&] { renew(u"node-healthy"_s); });
        agent.start(200);

        auto boundPod = [](const QString &name, const QJsonObject &toleration) {
            return QJsonObject{
                {u"apiVersion"_s, u"v1"_s},
                {u"kind"_s, u"Pod"_s},
                {u"metadata"_s, QJsonObject{{u"name"_s, name}}},
                {u"spec"_s, QJsonObject{{u"nodeName"_s, u"node-lost"_s},
                                        {u"tolerations"_s, QJsonArray{toleration}},
                                        {u"containers"_s,
                                         QJsonArray{QJsonObject{{u"name"_s, u"c"_s},
                                                                {u"image"_s, u"busybox"_s}}}}}}};
        };
        const QJsonObject unreachable{{u"key"_s, u"node.kubernetes.io/unreachable"_s},
                                      {u"operator"_s, u"Exists"_s},
                                      {u"effect"_s, u"NoExecute"_s}};
        QJsonObject briefly = unreachable;
        briefly.insert(u"tolerationSeconds"_s, 0);
        create(pods, ns, boundPod(u"doomed"_s, briefly));
        create(pods, ns, boundPod(u"steadfast"_s, unreachable));
        for (const QString &name : {u"doomed"_s, u"steadfast"_s})
            QVERIFY(patch(
                pods, ns, name,
                QJsonObject{{u"status"_s,
                             QJsonObject{{u"phase"_s, u"Running"_s},
                                         {u"conditions"_s,
                                          QJsonArray{QJsonObject{{u"type"_s, u"Ready"_s},
                                                                 {u"status"_s, u"True"_s}}}}}}},
                u"status"_s));

        QTRY_COMPARE_WITH_TIMEOUT(
            condition(get(nodes, {}, u"node-lost"_s), u"Ready"_s).value(u"status").toString(),
            u"Unknown"_s, 5000);
        const QJsonObject lost = get(nodes, {}, u"node-lost"_s);
        QCOMPARE(condition(lost, u"Ready"_s).value(u"reason").toString(), u"NodeStatusUnknown"_s);
        QCOMPARE(condition(lost, u"Ready"_s).value(u"message").toString(),
                 u"Kubelet stopped posting node status."_s);
        QCOMPARE(condition(lost, u"MemoryPressure"_s).value(u"status").toString(), u"Unknown"_s);
        auto taints = [this](const QString &node) {
            QStringList result;
            for (const QJsonValue &t : at(get(nodes, {}, node), u"spec").value(u"taints").toArray())
                result << t.toObject().value(u"key").toString() + u':' +
                              t.toObject().value(u"effect").toString();
            result.sort();
            return result;
        };
        const QStringList expected{u"node.kubernetes.io/unreachable:NoExecute"_s,
                                   u"node.kubernetes.io/unreachable:NoSchedule"_s};
        QTRY_COMPARE_WITH_TIMEOUT(taints(u"node-lost"_s), expected, 5000);
        for (const QJsonValue &t :
             at(get(nodes, {}, u"node-lost"_s), u"spec").value(u"taints").toArray())
            QVERIFY(t.toObject().contains(u"timeAdded"));

        // The pod that tolerates the taint for 0 s goes; the one that tolerates it for ever stays.
        QTRY_VERIFY_WITH_TIMEOUT(
            at(get(pods, ns, u"doomed"_s), u"metadata").contains(u"deletionTimestamp"), 5000);
        QCOMPARE(condition(get(pods, ns, u"doomed"_s), u"DisruptionTarget"_s)
                     .value(u"reason")
                     .toString(),
                 u"DeletionByTaintManager"_s);
        QTRY_VERIFY_WITH_TIMEOUT(
            hasEvent(ns, u"TaintManagerEviction"_s, u"Marking for deletion Pod node-test/doomed"_s),
            5000);
        QTRY_COMPARE_WITH_TIMEOUT(
            condition(get(pods, ns, u"steadfast"_s), u"Ready"_s).value(u"status").toString(),
            u"False"_s, 5000);
        QVERIFY(!at(get(pods, ns, u"steadfast"_s), u"metadata").contains(u"deletionTimestamp"));
        QVERIFY(hasEvent(ns, u"NodeNotReady"_s, u"Node is not ready"_s));
        QCOMPARE(
            condition(get(nodes, {}, u"node-healthy"_s), u"Ready"_s).value(u"status").toString(),
            u"True"_s);
        QCOMPARE(taints(u"node-healthy"_s), QStringList());

        // The node agent comes back: it renews its lease and reports Ready; the taints go.
        renew(u"node-lost"_s);
        QVERIFY(patch(nodes, {}, u"node-lost"_s, QJsonObject{{u"status"_s, readyStatus()}},
                      u"status"_s));
        QTRY_COMPARE_WITH_TIMEOUT(taints(u"node-lost"_s), QStringList(), 5000);
        QVERIFY(!at(get(pods, ns, u"steadfast"_s), u"metadata").contains(u"deletionTimestamp"));

        // The Node is deleted: nothing will ever stop its pods, so they go at once.
        QVERIFY(wait([&](auto done) { m_api->remove(nodes, {}, u"node-lost"_s, {}, done); }));
        QTRY_VERIFY_WITH_TIMEOUT(
            !exists(pods, ns, u"doomed"_s) && !exists(pods, ns, u"steadfast"_s), 5000);

        // Every node unreachable at once (the control plane lost them all, or the machine slept):
        // they are marked Unknown and unschedulable, but nothing is evicted.
        agent.stop();
        QTRY_COMPARE_WITH_TIMEOUT(
            condition(get(nodes, {}, u"node-healthy"_s), u"Ready"_s).value(u"status").toString(),
            u"Unknown"_s, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(taints(u"node-healthy"_s),
                                  QStringList{u"node.kubernetes.io/unreachable:NoSchedule"_s},
                                  5000);
    }
};

QTEST_GUILESS_MAIN(TestBatchControllers)
#include "tst_batchcontrollers.moc"
