// The API server's storage: CRUD with optimistic concurrency, lists and pagination, the revision
// counter, watches (replay, Gone, fan-out), group commit, durability across reopen and kill -9,
// and Secrets encrypted at rest.
#include "apiserver/storage/secretcipher.h"
#include "apiserver/storage/storage.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMutex>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <cstdio>
#include <malloc.h>

using namespace timonel::apiserver;

namespace {

// Set in the environment of the child processes: one writes until it is killed, the other
// loads a storage and reports its resident set.
constexpr char writerDirectoryVariable[] = "TST_STORAGE_KILLED_WRITER_DIR";
constexpr char loaderDirectoryVariable[] = "TST_STORAGE_LOADER_DIR";
constexpr int ackedWritesBeforeKill = 300;
constexpr int waitMs = 30'000;

const QStringList secretPrefixes{QStringLiteral("/secrets/")};

QByteArray testKey(char fill = 'k')
{
    return QByteArray(SecretCipher::keySize, fill);
}

QJsonObject configMap(const QString &name, const QString &value = QStringLiteral("v"))
{
    return QJsonObject{
        {QStringLiteral("apiVersion"), QStringLiteral("v1")},
        {QStringLiteral("kind"), QStringLiteral("ConfigMap")},
        {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("name"), name}}},
        {QStringLiteral("data"), QJsonObject{{QStringLiteral("value"), value}}},
    };
}

// A Pod as the API server stores it, about 2.3 KB of JSON: what the performance figures use.
// (No "//" inside the raw string: moc misreads it as a comment there.)
QJsonObject pod(int i)
{
    static const char text[] = R"({
      "apiVersion": "v1", "kind": "Pod",
      "metadata": {
        "name": "web-7d9f8c6b5-%1", "namespace": "default", "generateName": "web-7d9f8c6b5-",
        "uid": "5f1c2a4e-8d0b-4c39-9e57-%2", "creationTimestamp": "2025-01-15T10:00:00Z",
        "labels": {"app": "web", "pod-template-hash": "7d9f8c6b5", "tier": "frontend"},
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
          "name": "web-7d9f8c6b5", "uid": "0b7e7c9a-1f7a-4a57-a3a4-7d5d5c3d2e1f",
          "controller": true, "blockOwnerDeletion": true}],
        "managedFields": [{"manager": "kube-controller-manager", "operation": "Update",
          "apiVersion": "v1", "time": "2025-01-15T10:00:00Z", "fieldsType": "FieldsV1",
          "fieldsV1": {"f:metadata": {"f:labels": {"f:app": {}, "f:tier": {}}},
                       "f:spec": {"f:containers": {}}}}]
      },
      "spec": {
        "containers": [{"name": "nginx", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
          "ports": [{"containerPort": 80, "protocol": "TCP"}],
          "env": [{"name": "MODE", "value": "production"}],
          "resources": {"limits": {"cpu": "500m", "memory": "128Mi"},
                        "requests": {"cpu": "100m", "memory": "64Mi"}},
          "volumeMounts": [{"name": "kube-api-access-x2x9z", "readOnly": true,
                            "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}],
          "terminationMessagePath": "/dev/termination-log",
          "terminationMessagePolicy": "File"}],
        "nodeName": "timonel-worker", "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
        "schedulerName": "default-scheduler", "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30
      },
      "status": {
        "phase": "Running", "hostIP": "172.18.0.3", "podIP": "10.244.1.%3",
        "qosClass": "Burstable", "startTime": "2025-01-15T10:00:00Z",
        "conditions": [
          {"type": "PodReadyToStartContainers", "status": "True", "lastProbeTime": null,
           "lastTransitionTime": "2025-01-15T10:00:01Z"},
          {"type": "Initialized", "status": "True", "lastProbeTime": null,
           "lastTransitionTime": "2025-01-15T10:00:00Z"},
          {"type": "Ready", "status": "True", "lastProbeTime": null,
           "lastTransitionTime": "2025-01-15T10:00:02Z"},
          {"type": "ContainersReady", "status": "True", "lastProbeTime": null,
           "lastTransitionTime": "2025-01-15T10:00:02Z"},
          {"type": "PodScheduled", "status": "True", "lastProbeTime": null,
           "lastTransitionTime": "2025-01-15T10:00:00Z"}],
        "containerStatuses": [{"name": "nginx", "ready": true, "restartCount": 0,
          "image": "nginx:1.27", "imageID": "%4", "containerID": "%5", "started": true,
          "state": {"running": {"startedAt": "2025-01-15T10:00:01Z"}}}]
      }
    })";
    const QString json = QString::fromUtf8(text)
                             .arg(i, 5, 10, QLatin1Char('0'))
                             .arg(i, 12, 10, QLatin1Char('0'))
                             .arg(i % 250)
                             .arg(QStringLiteral("docker-pullable://nginx@sha256:%1")
                                      .arg(i, 64, 16, QLatin1Char('b')))
                             .arg(QStringLiteral("docker://%1").arg(i, 64, 16, QLatin1Char('a')));
    return QJsonDocument::fromJson(json.toUtf8()).object();
}

// The error of a failed result, for failure messages (evaluated whether or not it failed).
template <typename T> QString errorOf(const std::expected<T, QString> &result)
{
    return result ? QString() : result.error();
}

QString resourceVersionOf(const QJsonObject &object)
{
    return object.value(QLatin1String("metadata"))
        .toObject()
        .value(QLatin1String("resourceVersion"))
        .toString();
}

std::unique_ptr<Storage> openStorage(const QString &directory, int historySize = 1000,
                                     QByteArray key = testKey())
{
    auto opened = Storage::open(directory, std::move(key), secretPrefixes, historySize);
    if (!opened) {
        qWarning().noquote() << opened.error();
        return nullptr;
    }
    return std::move(*opened);
}

// Every event a watch delivers, in order.
struct Recorder
{
    QList<WatchEvent> events;
    int batches = 0;

    void attach(Watch *watch)
    {
        QObject::connect(watch, &Watch::events, watch, [this](const QList<WatchEvent> &batch) {
            events += batch;
            ++batches;
        });
    }
    bool waitFor(int count) const
    {
        return QTest::qWaitFor([&] { return events.size() >= count; }, waitMs);
    }
};

qint64 residentKilobytes()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

// Bytes allocated on the heap (glibc), free of the allocator's slack that blurs the RSS.
qint64 heapInUse()
{
    const struct mallinfo2 info = mallinfo2();
    return qint64(info.uordblks + info.hblkhd);
}

QByteArray databaseFiles(const QString &directory)
{
    QByteArray all;
    for (const char *name : {"timonel.db", "timonel.db-wal"}) {
        QFile file(directory + QLatin1Char('/') + QLatin1String(name));
        if (file.open(QIODevice::ReadOnly))
            all += file.readAll();
    }
    return all;
}

// The child of killedWriterKeepsAcknowledgedWrites: writes (group-committed, and now and then
// synchronously) until it is killed, printing "<key> <revision>" for each acknowledged write.
int runKilledWriter(const QString &directory)
{
    auto storage = openStorage(directory);
    if (!storage)
        return 1;
    auto acknowledge = [](const StorageResult &result) {
        if (!result)
            return;
        std::printf("%s %lld\n", qPrintable(result->key), result->revision);
        std::fflush(stdout);
    };
    int next = 0;
    QTimer writer;
    QObject::connect(&writer, &QTimer::timeout, [&] {
        for (int i = 0; i < 4; ++i) {
            const QString key = QStringLiteral("/configmaps/default/cm-%1").arg(next++);
            storage->create(key, pod(next), acknowledge);
        }
        if (next % 40 == 0)
            acknowledge(storage->create(QStringLiteral("/configmaps/sync/cm-%1").arg(next),
                                        configMap(QStringLiteral("sync"))));
    });
    writer.start(0);
    return QCoreApplication::exec();
}

// The child of performanceFigures: a fresh process holding only the loaded storage.
int runLoader(const QString &directory)
{
    auto storage = openStorage(directory);
    if (!storage)
        return 1;
    std::printf("%lld %lld\n", storage->count(QString()), residentKilobytes());
    return 0;
}

} // namespace

class TstStorage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // --- SecretCipher
    void cipherRoundTrips_data();
    void cipherRoundTrips();
    void cipherRejectsWhatItDidNotSeal_data();
    void cipherRejectsWhatItDidNotSeal();
    void cipherUsesAFreshNonceEachTime();
    void cipherNeedsA32ByteKey();

    // --- CRUD
    void createSetsResourceVersionAndGetReturnsIt();
    void writeErrors_data();
    void writeErrors();
    void updateWithExpectedRevisionSucceeds();
    void updateThatChangesNothingKeepsTheRevision();
    void removeReturnsLastStateAndDeletionRevision();
    void revisionsStrictlyIncrease();
    void listByPrefix_data();
    void listByPrefix();
    void listPaginates_data();
    void listPaginates();
    void listJsonMatchesList();

    // --- watches
    void watchFromNowSeesOnlyNewWrites();
    void watchFromPastRevisionReplaysThenFollows();
    void watchOlderThanHistoryIsGone_data();
    void watchOlderThanHistoryIsGone();
    void watchOlderThanOpenIsGone();
    void hundredWatchersAllGetEveryEvent();
    void watchBatchesEventsOfOneTurn();
    void deletedWatchGetsNothingMore();
    void watchWorksAcrossThreads();

    // --- group commit
    void asyncWritesReportAfterCommitInOrder();
    void asyncErrorsAreReportedLater();
    void readsSeeWritesBeforeTheirCommit();
    void syncWriteCommitsPendingAsyncWrites();
    void watchSeesAsyncWritesOnlyAfterCommit();

    // --- durability
    void reopenKeepsObjectsAndRevisionCounter();
    void closingCommitsPendingWrites();
    void killedWriterKeepsAcknowledgedWrites();
    void secondOpenOfTheSameDirectoryFails();

    // --- encryption at rest
    void secretsAreEncryptedAtRest();
    void wrongKeyFailsClearly();
    void valuesLeftInClearAreEncryptedOnOpen();

    // --- figures (printed, not asserted) and a loose memory bound
    void performanceFigures();
};

// --- SecretCipher ------------------------------------------------------------------------------

void TstStorage::cipherRoundTrips_data()
{
    QTest::addColumn<QByteArray>("plain");
    QTest::addColumn<QByteArray>("associatedData");
    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("short") << QByteArray("password") << QByteArray("/secrets/default/db");
    QTest::newRow("binary") << QByteArray("\0\1\2\xff", 4) << QByteArray();
    QTest::newRow("one MiB") << QByteArray(1 << 20, 'x') << QByteArray("/secrets/a/b");
}

void TstStorage::cipherRoundTrips()
{
    QFETCH(QByteArray, plain);
    QFETCH(QByteArray, associatedData);
    auto cipher = SecretCipher::create(SecretCipher::generateKey());
    QVERIFY(cipher);
    auto sealed = cipher->encrypt(plain, associatedData);
    QVERIFY2(sealed, qPrintable(errorOf(sealed)));
    QVERIFY(sealed->startsWith("k8s:enc:aesgcm:v1:timonel:"));
    QCOMPARE(sealed->size(), SecretCipher::envelopePrefix().size() + SecretCipher::nonceSize +
                                 plain.size() + SecretCipher::tagSize);
    if (plain.size() >= 8)
        QVERIFY(!sealed->contains(plain.left(8)));
    auto opened = cipher->decrypt(*sealed, associatedData);
    QVERIFY2(opened, qPrintable(errorOf(opened)));
    QCOMPARE(*opened, plain);
}

void TstStorage::cipherRejectsWhatItDidNotSeal_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("expected");
    QTest::newRow("other key") << "key"
                               << "does not authenticate";
    QTest::newRow("flipped ciphertext bit") << "ciphertext"
                                            << "does not authenticate";
    QTest::newRow("flipped tag bit") << "tag"
                                     << "does not authenticate";
    QTest::newRow("other associated data") << "associated"
                                           << "does not authenticate";
    QTest::newRow("truncated") << "truncate"
                               << "truncated";
    QTest::newRow("not an envelope") << "plain"
                                     << "not in the k8s:enc:aesgcm:v1:timonel: envelope";
}

void TstStorage::cipherRejectsWhatItDidNotSeal()
{
    QFETCH(QString, change);
    QFETCH(QString, expected);
    auto cipher = SecretCipher::create(testKey('a'));
    auto other = SecretCipher::create(testKey('b'));
    QVERIFY(cipher && other);
    QByteArray sealed = cipher->encrypt("top secret", "/secrets/ns/s").value();
    QByteArray associated = "/secrets/ns/s";
    const SecretCipher *opener = &*cipher;
    if (change == QLatin1String("key"))
        opener = &*other;
    else if (change == QLatin1String("ciphertext"))
        sealed[SecretCipher::envelopePrefix().size() + SecretCipher::nonceSize] ^= 1;
    else if (change == QLatin1String("tag"))
        sealed[sealed.size() - 1] ^= 1;
    else if (change == QLatin1String("associated"))
        associated = "/secrets/ns/other";
    else if (change == QLatin1String("truncate"))
        sealed.truncate(SecretCipher::envelopePrefix().size() + 10);
    else if (change == QLatin1String("plain"))
        sealed = "{\"data\":{}}";
    auto opened = opener->decrypt(sealed, associated);
    QVERIFY(!opened);
    QVERIFY2(opened.error().contains(expected), qPrintable(opened.error()));
}

void TstStorage::cipherUsesAFreshNonceEachTime()
{
    auto cipher = SecretCipher::create(testKey());
    QVERIFY(cipher);
    const QByteArray first = cipher->encrypt("same").value();
    const QByteArray second = cipher->encrypt("same").value();
    QVERIFY(first != second);
    const QByteArray key1 = SecretCipher::generateKey();
    const QByteArray key2 = SecretCipher::generateKey();
    QCOMPARE(key1.size(), 32);
    QVERIFY(key1 != key2);
}

void TstStorage::cipherNeedsA32ByteKey()
{
    auto cipher = SecretCipher::create(QByteArray(16, 'k'));
    QVERIFY(!cipher);
    QCOMPARE(cipher.error(),
             QStringLiteral("the secret encryption key must be 32 bytes long, not 16"));
    QTemporaryDir dir;
    auto storage = Storage::open(dir.path(), QByteArray(), secretPrefixes);
    QVERIFY(!storage);
    QVERIFY(storage.error().contains(QLatin1String("32 bytes")));
}

// --- CRUD --------------------------------------------------------------------------------------

void TstStorage::createSetsResourceVersionAndGetReturnsIt()
{
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    QCOMPARE(storage->currentRevision(), 0);
    QVERIFY(!storage->get(QStringLiteral("/configmaps/default/a")));

    auto created =
        storage->create(QStringLiteral("/configmaps/default/a"), configMap(QStringLiteral("a")));
    QVERIFY(created);
    QCOMPARE(created->revision, 1);
    QCOMPARE(resourceVersionOf(created->object), QStringLiteral("1"));
    QCOMPARE(storage->currentRevision(), 1);

    auto got = storage->get(QStringLiteral("/configmaps/default/a"));
    QVERIFY(got);
    QCOMPARE(got->key, QStringLiteral("/configmaps/default/a"));
    QCOMPARE(got->revision, 1);
    QCOMPARE(got->object, created->object);
    QCOMPARE(QJsonDocument::fromJson(created->json).object(), created->object);
    QCOMPARE(got->json, created->json);
    QCOMPARE(got->object.value(QLatin1String("data")).toObject().value(QLatin1String("value")),
             QJsonValue(QStringLiteral("v")));
}

void TstStorage::writeErrors_data()
{
    QTest::addColumn<QString>("operation");
    QTest::addColumn<QString>("key");
    QTest::addColumn<qint64>("expectedRevision");
    QTest::addColumn<StorageErrorCode>("code");
    QTest::addColumn<QString>("message");
    QTest::addColumn<qint64>("currentRevision");
    const QString conflict = QStringLiteral("the object has been modified; please apply your "
                                            "changes to the latest version and try again");
    // The fixture holds /cm/a at revision 1 and /cm/b at revision 2.
    QTest::newRow("create existing")
        << "create"
        << "/cm/a" << qint64(0) << StorageErrorCode::AlreadyExists << "key exists" << 0LL;
    QTest::newRow("update missing")
        << "update"
        << "/cm/x" << qint64(0) << StorageErrorCode::NotFound << "key not found" << 0LL;
    QTest::newRow("remove missing")
        << "remove"
        << "/cm/x" << qint64(0) << StorageErrorCode::NotFound << "key not found" << 0LL;
    QTest::newRow("update stale") << "update"
                                  << "/cm/a" << qint64(2) << StorageErrorCode::Conflict << conflict
                                  << 1LL;
    QTest::newRow("update future")
        << "update"
        << "/cm/b" << qint64(7) << StorageErrorCode::Conflict << conflict << 2LL;
    QTest::newRow("remove stale") << "remove"
                                  << "/cm/b" << qint64(1) << StorageErrorCode::Conflict << conflict
                                  << 2LL;
}

void TstStorage::writeErrors()
{
    QFETCH(QString, operation);
    QFETCH(QString, key);
    QFETCH(qint64, expectedRevision);
    QFETCH(StorageErrorCode, code);
    QFETCH(QString, message);
    QFETCH(qint64, currentRevision);
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    QVERIFY(storage->create(QStringLiteral("/cm/a"), configMap(QStringLiteral("a"))));
    QVERIFY(storage->create(QStringLiteral("/cm/b"), configMap(QStringLiteral("b"))));

    StorageResult result;
    const QJsonObject changed = configMap(QStringLiteral("changed"), QStringLiteral("new"));
    if (operation == QLatin1String("create"))
        result = storage->create(key, changed);
    else if (operation == QLatin1String("update"))
        result = storage->update(key, changed, expectedRevision);
    else
        result = storage->remove(key, expectedRevision);
    QVERIFY(!result);
    QCOMPARE(result.error().code, code);
    QCOMPARE(result.error().message, message);
    QCOMPARE(result.error().currentRevision, currentRevision);
    // A failed write changes nothing.
    QCOMPARE(storage->currentRevision(), 2);
    QCOMPARE(storage->count(QStringLiteral("/cm/")), 2);
    QCOMPARE(storage->get(QStringLiteral("/cm/a"))->object.value(QLatin1String("data")),
             configMap(QStringLiteral("a")).value(QLatin1String("data")));
}

void TstStorage::updateWithExpectedRevisionSucceeds()
{
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    const QString key = QStringLiteral("/cm/a");
    QVERIFY(storage->create(key, configMap(QStringLiteral("a"))));
    auto updated = storage->update(key, configMap(QStringLiteral("a"), QStringLiteral("2")), 1);
    QVERIFY(updated);
    QCOMPARE(updated->revision, 2);
    QCOMPARE(resourceVersionOf(updated->object), QStringLiteral("2"));
    auto unconditional =
        storage->update(key, configMap(QStringLiteral("a"), QStringLiteral("3")), 0);
    QVERIFY(unconditional);
    QCOMPARE(unconditional->revision, 3);
    QCOMPARE(storage->get(key)->object.value(QLatin1String("data")).toObject().value("value"),
             QJsonValue(QStringLiteral("3")));
}

void TstStorage::updateThatChangesNothingKeepsTheRevision()
{
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    const QString key = QStringLiteral("/cm/a");
    auto created = storage->create(key, configMap(QStringLiteral("a")));
    QVERIFY(created);
    auto watch = storage->watch(QStringLiteral("/cm/"), 0);
    QVERIFY(watch);
    Recorder recorder;
    recorder.attach(watch->get());

    // With or without the old resourceVersion in it, the same object is no write.
    auto same = storage->update(key, configMap(QStringLiteral("a")), 1);
    QVERIFY(same);
    QCOMPARE(same->revision, 1);
    QCOMPARE(same->object, created->object);
    QVERIFY(storage->update(key, created->object, 0));
    QCOMPARE(storage->currentRevision(), 1);

    QVERIFY(storage->update(key, configMap(QStringLiteral("a"), QStringLiteral("b")), 1));
    QVERIFY(recorder.waitFor(1));
    QTest::qWait(20);
    QCOMPARE(recorder.events.size(), 1);
    QCOMPARE(recorder.events[0].revision, 2);
}

void TstStorage::removeReturnsLastStateAndDeletionRevision()
{
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    const QString key = QStringLiteral("/cm/a");
    auto created = storage->create(key, configMap(QStringLiteral("a")));
    QVERIFY(created);
    auto removed = storage->remove(key, 1);
    QVERIFY(removed);
    QCOMPARE(removed->revision, 2);
    QCOMPARE(removed->object, created->object); // resourceVersion "1", as Kubernetes returns it
    QVERIFY(!storage->get(key));
    QCOMPARE(storage->count(QStringLiteral("/cm/")), 0);
    QVERIFY(storage->create(key, configMap(QStringLiteral("a"))));
    QCOMPARE(storage->get(key)->revision, 3);
}

void TstStorage::revisionsStrictlyIncrease()
{
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    qint64 last = storage->currentRevision();
    for (int i = 0; i < 30; ++i) {
        const QString key = QStringLiteral("/cm/%1").arg(i % 7);
        StorageResult result;
        if (!storage->get(key))
            result = storage->create(key, configMap(key));
        else if (i % 3 == 0)
            result = storage->remove(key, 0);
        else
            result = storage->update(key, configMap(key, QString::number(i)), 0);
        QVERIFY(result);
        QVERIFY2(result->revision > last, qPrintable(QString::number(result->revision)));
        last = result->revision;
        QCOMPARE(storage->currentRevision(), last);
        if (auto got = storage->get(key))
            QCOMPARE(resourceVersionOf(got->object), QString::number(got->revision));
    }
}

void TstStorage::listByPrefix_data()
{
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QStringList>("keys");
    QTest::newRow("a resource") << "/pods/"
                                << QStringList{"/pods/default/a", "/pods/default/b",
                                               "/pods/kube-system/dns", "/pods/prod/web"};
    QTest::newRow("a namespace") << "/pods/default/"
                                 << QStringList{"/pods/default/a", "/pods/default/b"};
    QTest::newRow("one object") << "/pods/prod/web" << QStringList{"/pods/prod/web"};
    QTest::newRow("plain string prefix") << "/pods/kube" << QStringList{"/pods/kube-system/dns"};
    QTest::newRow("cluster-scoped")
        << "/namespaces/" << QStringList{"/namespaces//default", "/namespaces//prod"};
    QTest::newRow("nothing") << "/services/" << QStringList{};
    QTest::newRow("everything") << ""
                                << QStringList{"/deployments.apps/default/web",
                                               "/namespaces//default",
                                               "/namespaces//prod",
                                               "/pods/default/a",
                                               "/pods/default/b",
                                               "/pods/kube-system/dns",
                                               "/pods/prod/web",
                                               "/podtemplates/default/t"};
}

void TstStorage::listByPrefix()
{
    QFETCH(QString, prefix);
    QFETCH(QStringList, keys);
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    // Created out of order: lists come back ordered by key.
    for (const char *key : {"/pods/prod/web", "/podtemplates/default/t", "/pods/default/b",
                            "/namespaces//prod", "/pods/kube-system/dns", "/pods/default/a",
                            "/deployments.apps/default/web", "/namespaces//default"})
        QVERIFY(storage->create(QLatin1String(key), configMap(QLatin1String(key))));

    QStringList listed;
    for (const StoredObject &object : storage->list(prefix)) {
        listed << object.key;
        QCOMPARE(resourceVersionOf(object.object), QString::number(object.revision));
        QCOMPARE(object.object.value(QLatin1String("metadata")).toObject().value("name"),
                 QJsonValue(object.key));
    }
    QCOMPARE(listed, keys);
    QCOMPARE(storage->count(prefix), keys.size());
}

void TstStorage::listPaginates_data()
{
    QTest::addColumn<QString>("afterKey");
    QTest::addColumn<int>("limit");
    QTest::addColumn<QStringList>("names");
    QTest::addColumn<int>("remaining"); // count(prefix, afterKey)
    QTest::newRow("first page") << "" << 2 << QStringList{"p0", "p1"} << 5;
    QTest::newRow("next page") << "/pods/ns/p1" << 2 << QStringList{"p2", "p3"} << 3;
    QTest::newRow("last partial page") << "/pods/ns/p3" << 2 << QStringList{"p4"} << 1;
    QTest::newRow("after the last") << "/pods/ns/p4" << 2 << QStringList{} << 0;
    QTest::newRow("no limit") << "/pods/ns/p2" << 0 << QStringList{"p3", "p4"} << 2;
    QTest::newRow("after a deleted key") << "/pods/ns/p1x" << 1 << QStringList{"p2"} << 3;
    QTest::newRow("after key before the prefix") << "/a" << 1 << QStringList{"p0"} << 5;
    QTest::newRow("after key beyond the prefix") << "/zzz" << 0 << QStringList{} << 0;
}

void TstStorage::listPaginates()
{
    QFETCH(QString, afterKey);
    QFETCH(int, limit);
    QFETCH(QStringList, names);
    QFETCH(int, remaining);
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    for (int i = 0; i < 5; ++i)
        QVERIFY(storage->create(QStringLiteral("/pods/ns/p%1").arg(i),
                                configMap(QStringLiteral("p%1").arg(i))));
    // Neighbours on both sides that must never leak into the pages.
    QVERIFY(storage->create(QStringLiteral("/pods/nr/x"), configMap(QStringLiteral("x"))));
    QVERIFY(storage->create(QStringLiteral("/pods/nt/y"), configMap(QStringLiteral("y"))));

    QStringList listed;
    for (const StoredObject &object : storage->list(QStringLiteral("/pods/ns/"), afterKey, limit))
        listed
            << object.object.value(QLatin1String("metadata")).toObject().value("name").toString();
    QCOMPARE(listed, names);
    QCOMPARE(storage->count(QStringLiteral("/pods/ns/"), afterKey), remaining);
}

void TstStorage::listJsonMatchesList()
{
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    for (int i = 0; i < 3; ++i)
        QVERIFY(storage->create(QStringLiteral("/pods/ns/p%1").arg(i), pod(i)));
    const QList<StoredObject> objects = storage->list(QStringLiteral("/pods/"));
    const QList<StoredJson> raw = storage->listJson(QStringLiteral("/pods/"), {}, 0);
    QCOMPARE(raw.size(), objects.size());
    for (qsizetype i = 0; i < raw.size(); ++i) {
        QCOMPARE(raw[i].key, objects[i].key);
        QCOMPARE(raw[i].revision, objects[i].revision);
        QCOMPARE(QJsonDocument::fromJson(raw[i].json).object(), objects[i].object);
    }
}

// --- watches -----------------------------------------------------------------------------------

void TstStorage::watchFromNowSeesOnlyNewWrites()
{
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    QVERIFY(storage->create(QStringLiteral("/cm/old"), configMap(QStringLiteral("old"))));
    auto watch = storage->watch(QStringLiteral("/cm/"), 0);
    QVERIFY(watch);
    Recorder recorder;
    recorder.attach(watch->get());
    QVERIFY(storage->create(QStringLiteral("/cm/new"), configMap(QStringLiteral("new"))));
    QVERIFY(storage->create(QStringLiteral("/other/x"), configMap(QStringLiteral("x"))));
    QVERIFY(recorder.waitFor(1));
    QTest::qWait(20);
    QCOMPARE(recorder.events.size(), 1);
    QCOMPARE(recorder.events[0].key, QStringLiteral("/cm/new"));
    QCOMPARE(recorder.events[0].type, WatchEventType::Added);
    QCOMPARE(recorder.events[0].revision, 2);
}

void TstStorage::watchFromPastRevisionReplaysThenFollows()
{
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    const QString a = QStringLiteral("/cm/a");
    QVERIFY(storage->create(a, configMap(QStringLiteral("a"))));                          // 1
    QVERIFY(storage->create(QStringLiteral("/other/x"), configMap(QStringLiteral("x")))); // 2
    QVERIFY(storage->update(a, configMap(QStringLiteral("a"), QStringLiteral("2")), 1));  // 3
    QVERIFY(storage->remove(a, 3));                                                       // 4

    auto watch = storage->watch(QStringLiteral("/cm/"), 1);
    QVERIFY(watch);
    Recorder recorder;
    recorder.attach(watch->get());
    QVERIFY(storage->create(QStringLiteral("/cm/b"), configMap(QStringLiteral("b")))); // 5
    QVERIFY(recorder.waitFor(3));
    QTest::qWait(20);

    QCOMPARE(recorder.events.size(), 3);
    for (const WatchEvent &event : std::as_const(recorder.events))
        QCOMPARE(QJsonDocument::fromJson(event.json).object(), event.object);
    const WatchEvent &modified = recorder.events[0];
    QCOMPARE(modified.type, WatchEventType::Modified);
    QCOMPARE(modified.revision, 3);
    QCOMPARE(resourceVersionOf(modified.object), QStringLiteral("3"));
    QCOMPARE(resourceVersionOf(modified.previous), QStringLiteral("1"));
    QCOMPARE(modified.previous.value(QLatin1String("data")).toObject().value("value"),
             QJsonValue(QStringLiteral("v")));
    const WatchEvent &deleted = recorder.events[1];
    QCOMPARE(deleted.type, WatchEventType::Deleted);
    QCOMPARE(deleted.revision, 4);
    QCOMPARE(deleted.key, a);
    QCOMPARE(resourceVersionOf(deleted.object), QStringLiteral("4"));
    QCOMPARE(resourceVersionOf(deleted.previous), QStringLiteral("3"));
    QCOMPARE(deleted.object.value(QLatin1String("data")), modified.object.value("data"));
    const WatchEvent &added = recorder.events[2];
    QCOMPARE(added.type, WatchEventType::Added);
    QCOMPARE(added.revision, 5);
    QVERIFY(added.previous.isEmpty());

    // A watch from the current revision replays nothing; from 0 everything is new.
    auto fromCurrent = storage->watch(QStringLiteral("/cm/"), storage->currentRevision());
    QVERIFY(fromCurrent);
    QSignalSpy spy(fromCurrent->get(), &Watch::events);
    QTest::qWait(20);
    QCOMPARE(spy.count(), 0);
}

void TstStorage::watchOlderThanHistoryIsGone_data()
{
    QTest::addColumn<qint64>("fromRevision");
    QTest::addColumn<bool>("gone");
    QTest::addColumn<int>("replayed");
    // Ten writes with a history of three: revisions 8, 9, 10 are retained, 7 is the oldest
    // watchable revision (Kubernetes accepts oldest-1).
    QTest::newRow("too old") << qint64(1) << true << 0;
    QTest::newRow("just too old") << qint64(6) << true << 0;
    QTest::newRow("oldest watchable") << qint64(7) << false << 3;
    QTest::newRow("in history") << qint64(9) << false << 1;
    QTest::newRow("current") << qint64(10) << false << 0;
    QTest::newRow("future") << qint64(12) << false << 0;
    QTest::newRow("now") << qint64(0) << false << 0;
}

void TstStorage::watchOlderThanHistoryIsGone()
{
    QFETCH(qint64, fromRevision);
    QFETCH(bool, gone);
    QFETCH(int, replayed);
    QTemporaryDir dir;
    auto storage = openStorage(dir.path(), 3);
    QVERIFY(storage);
    for (int i = 0; i < 10; ++i)
        QVERIFY(storage->create(QStringLiteral("/cm/%1").arg(i), configMap(QString::number(i))));
    QCOMPARE(storage->oldestWatchableRevision(), 7);

    auto watch = storage->watch(QStringLiteral("/cm/"), fromRevision);
    if (gone) {
        QVERIFY(!watch);
        QCOMPARE(watch.error().code, StorageErrorCode::Gone);
        QCOMPARE(watch.error().message,
                 QStringLiteral("too old resource version: %1 (7)").arg(fromRevision));
        QCOMPARE(watch.error().currentRevision, 7);
        return;
    }
    QVERIFY(watch);
    Recorder recorder;
    recorder.attach(watch->get());
    QTest::qWait(20);
    QCOMPARE(recorder.events.size(), replayed);
    for (qsizetype i = 0; i < recorder.events.size(); ++i)
        QCOMPARE(recorder.events[i].revision, 11 - replayed + i);
    // Then it follows: the next event is revision 11 (or 13 for the watch from 12).
    QVERIFY(storage->create(QStringLiteral("/cm/a"), configMap(QStringLiteral("a"))));
    QVERIFY(storage->create(QStringLiteral("/cm/b"), configMap(QStringLiteral("b"))));
    QVERIFY(storage->create(QStringLiteral("/cm/c"), configMap(QStringLiteral("c"))));
    const int followed = fromRevision == 12 ? 1 : 3;
    QVERIFY(recorder.waitFor(replayed + followed));
    QCOMPARE(recorder.events.last().revision, 13);
}

void TstStorage::watchOlderThanOpenIsGone()
{
    QTemporaryDir dir;
    {
        auto storage = openStorage(dir.path());
        QVERIFY(storage);
        for (int i = 0; i < 4; ++i)
            QVERIFY(storage->create(QStringLiteral("/cm/%1").arg(i), configMap("x")));
    }
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    // The history died with the process: only revisions from the reopening on can be resumed.
    QCOMPARE(storage->oldestWatchableRevision(), 4);
    auto old = storage->watch(QStringLiteral("/cm/"), 3);
    QVERIFY(!old);
    QCOMPARE(old.error().message, QStringLiteral("too old resource version: 3 (4)"));
    QVERIFY(storage->watch(QStringLiteral("/cm/"), 4));
}

void TstStorage::hundredWatchersAllGetEveryEvent()
{
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    constexpr int watcherCount = 100;
    constexpr int writeCount = 50;
    std::vector<std::unique_ptr<Watch>> watches;
    std::vector<Recorder> recorders(watcherCount);
    for (int i = 0; i < watcherCount; ++i) {
        auto watch = storage->watch(QStringLiteral("/pods/"), 0);
        QVERIFY(watch);
        recorders[i].attach(watch->get());
        watches.push_back(std::move(*watch));
    }
    for (int i = 0; i < writeCount; ++i) {
        storage->create(QStringLiteral("/pods/ns/p%1").arg(i), pod(i),
                        [](const StorageResult &) {});
        if (i % 10 == 9)
            QTest::qWait(1); // several turns, several commits
    }
    QVERIFY(QTest::qWaitFor(
        [&] {
            return std::ranges::all_of(
                recorders, [](const Recorder &r) { return r.events.size() >= writeCount; });
        },
        waitMs));
    for (const Recorder &recorder : recorders) {
        QCOMPARE(recorder.events.size(), writeCount);
        for (int i = 0; i < writeCount; ++i) {
            QCOMPARE(recorder.events[i].revision, i + 1);
            QCOMPARE(recorder.events[i].key, QStringLiteral("/pods/ns/p%1").arg(i));
        }
    }
}

void TstStorage::watchBatchesEventsOfOneTurn()
{
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    auto watch = storage->watch(QStringLiteral("/cm/"), 0);
    QVERIFY(watch);
    Recorder recorder;
    recorder.attach(watch->get());
    for (int i = 0; i < 5; ++i)
        QVERIFY(storage->create(QStringLiteral("/cm/%1").arg(i), configMap("x")));
    QVERIFY(recorder.waitFor(5));
    QCOMPARE(recorder.batches, 1);
}

void TstStorage::deletedWatchGetsNothingMore()
{
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    auto kept = storage->watch(QStringLiteral("/cm/"), 0);
    auto dropped = storage->watch(QStringLiteral("/cm/"), 0);
    QVERIFY(kept && dropped);
    Recorder recorder;
    recorder.attach(kept->get());
    QVERIFY(storage->create(QStringLiteral("/cm/a"), configMap("a")));
    dropped->reset(); // with an event queued for it
    QVERIFY(storage->create(QStringLiteral("/cm/b"), configMap("b")));
    QVERIFY(recorder.waitFor(2));
    // And a watch outliving its storage stays harmless.
    storage.reset();
    kept->reset();
}

void TstStorage::watchWorksAcrossThreads()
{
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    auto watch = storage->watch(QStringLiteral("/cm/"), 0);
    QVERIFY(watch);
    QThread thread;
    QObject receiver;
    receiver.moveToThread(&thread);
    QList<WatchEvent> received;
    QThread *receivedOn = nullptr;
    QMutex mutex;
    QObject::connect(
        watch->get(), &Watch::events, &receiver,
        [&](const QList<WatchEvent> &batch) {
            QMutexLocker lock(&mutex);
            received += batch;
            receivedOn = QThread::currentThread();
        },
        Qt::QueuedConnection);
    thread.start();
    QVERIFY(storage->create(QStringLiteral("/cm/a"), configMap("a")));
    const bool arrived = QTest::qWaitFor(
        [&] {
            QMutexLocker lock(&mutex);
            return !received.isEmpty();
        },
        waitMs);
    thread.quit();
    thread.wait();
    QVERIFY(arrived);
    QCOMPARE(receivedOn, &thread);
    QCOMPARE(received[0].key, QStringLiteral("/cm/a"));
}

// --- group commit ------------------------------------------------------------------------------

void TstStorage::asyncWritesReportAfterCommitInOrder()
{
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    QList<qint64> reported;
    bool insideCall = true;
    bool reportedInsideCall = false;
    QStringList reportedBeforeWritten;
    for (int i = 0; i < 10; ++i)
        storage->create(QStringLiteral("/cm/key-%1").arg(i), configMap("x"),
                        [&](const StorageResult &result) {
                            reportedInsideCall |= insideCall;
                            reported << (result ? result->revision : -1);
                            // Committed means in the write-ahead log already (but for
                            // key-4, removed in the same transaction).
                            if (result && result->key != QLatin1String("/cm/key-4") &&
                                !databaseFiles(dir.path()).contains(result->key.toUtf8()))
                                reportedBeforeWritten << result->key;
                        });
    storage->update(
        QStringLiteral("/cm/key-3"), configMap("y"), 4,
        [&](const StorageResult &result) { reported << (result ? result->revision : -1); });
    storage->remove(QStringLiteral("/cm/key-4"), 0, [&](const StorageResult &result) {
        reported << (result ? result->revision : -1);
    });
    insideCall = false;
    QVERIFY(reported.isEmpty());
    QVERIFY(QTest::qWaitFor([&] { return reported.size() == 12; }, waitMs));
    QVERIFY(!reportedInsideCall);
    QVERIFY2(reportedBeforeWritten.isEmpty(), qPrintable(reportedBeforeWritten.join(u' ')));
    QList<qint64> expected;
    for (int i = 1; i <= 12; ++i)
        expected << i;
    QCOMPARE(reported, expected);

    storage.reset();
    auto reopened = openStorage(dir.path());
    QVERIFY(reopened);
    QCOMPARE(reopened->currentRevision(), 12);
    QCOMPARE(reopened->count(QStringLiteral("/cm/")), 9);
    QCOMPARE(reopened->get(QStringLiteral("/cm/key-3"))->revision, 11);
}

void TstStorage::asyncErrorsAreReportedLater()
{
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    QVERIFY(storage->create(QStringLiteral("/cm/a"), configMap("a")));
    QList<StorageErrorCode> codes;
    auto record = [&](const StorageResult &result) {
        QVERIFY(!result);
        codes << result.error().code;
    };
    storage->create(QStringLiteral("/cm/a"), configMap("a"), record);
    storage->update(QStringLiteral("/cm/missing"), configMap("a"), 0, record);
    storage->update(QStringLiteral("/cm/a"), configMap("b"), 9, record);
    storage->remove(QStringLiteral("/cm/missing"), 0, record);
    QVERIFY(codes.isEmpty());
    QVERIFY(QTest::qWaitFor([&] { return codes.size() == 4; }, waitMs));
    QCOMPARE(codes,
             (QList<StorageErrorCode>{StorageErrorCode::AlreadyExists, StorageErrorCode::NotFound,
                                      StorageErrorCode::Conflict, StorageErrorCode::NotFound}));
}

void TstStorage::readsSeeWritesBeforeTheirCommit()
{
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    bool done = false;
    storage->create(QStringLiteral("/cm/a"), configMap("a"),
                    [&](const StorageResult &) { done = true; });
    QVERIFY(!done);
    QCOMPARE(storage->currentRevision(), 1);
    QVERIFY(storage->get(QStringLiteral("/cm/a")));
    QCOMPARE(storage->list(QStringLiteral("/cm/")).size(), 1);
    // A second write in the same turn sees the first one.
    StorageErrorCode code = StorageErrorCode::Internal;
    storage->create(QStringLiteral("/cm/a"), configMap("a"), [&](const StorageResult &result) {
        code = result ? StorageErrorCode::Internal : result.error().code;
    });
    QVERIFY(QTest::qWaitFor([&] { return done; }, waitMs));
    QVERIFY(QTest::qWaitFor([&] { return code == StorageErrorCode::AlreadyExists; }, waitMs));
}

void TstStorage::syncWriteCommitsPendingAsyncWrites()
{
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    qint64 asyncRevision = 0;
    storage->create(QStringLiteral("/cm/async"), configMap("a"),
                    [&](const StorageResult &r) { asyncRevision = r ? r->revision : -1; });
    auto sync = storage->create(QStringLiteral("/cm/sync"), configMap("s"));
    QVERIFY(sync);
    QCOMPARE(sync->revision, 2);
    QCOMPARE(asyncRevision, 0); // reported from the event loop, never from inside a call
    QVERIFY(QTest::qWaitFor([&] { return asyncRevision != 0; }, waitMs));
    QCOMPARE(asyncRevision, 1);
}

void TstStorage::watchSeesAsyncWritesOnlyAfterCommit()
{
    QTemporaryDir dir;
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    auto watch = storage->watch(QStringLiteral("/cm/"), 0);
    QVERIFY(watch);
    Recorder recorder;
    recorder.attach(watch->get());
    bool committed = false;
    bool eventBeforeCommit = false;
    QObject::connect(watch->get(), &Watch::events, watch->get(),
                     [&] { eventBeforeCommit |= !committed; });
    QVERIFY(storage->create(QStringLiteral("/other/x"), configMap("x")));
    storage->create(QStringLiteral("/cm/a"), configMap("a"),
                    [&](const StorageResult &) { committed = true; });
    // A watch from a past revision, created in the same turn, gets the pending write once
    // committed, and only once.
    auto resumed = storage->watch(QStringLiteral("/cm/"), 1);
    QVERIFY(resumed);
    Recorder resumedRecorder;
    resumedRecorder.attach(resumed->get());
    QVERIFY(recorder.waitFor(1));
    QVERIFY(resumedRecorder.waitFor(1));
    QVERIFY(!eventBeforeCommit);
    QTest::qWait(20);
    QCOMPARE(recorder.events.size(), 1);
    QCOMPARE(resumedRecorder.events.size(), 1);
    QCOMPARE(resumedRecorder.events[0].revision, 2);
}

// --- durability --------------------------------------------------------------------------------

void TstStorage::reopenKeepsObjectsAndRevisionCounter()
{
    QTemporaryDir dir;
    QJsonObject secretObject{
        {QStringLiteral("data"),
         QJsonObject{{QStringLiteral("password"), QStringLiteral("aHVudGVyMg==")}}}};
    {
        auto storage = openStorage(dir.path());
        QVERIFY(storage);
        QVERIFY(storage->create(QStringLiteral("/cm/a"), configMap("a")));
        QVERIFY(storage->create(QStringLiteral("/cm/b"), configMap("b")));
        QVERIFY(storage->create(QStringLiteral("/secrets/ns/s"), secretObject));
        QVERIFY(storage->update(QStringLiteral("/cm/a"), configMap("a", "2"), 1));
        QVERIFY(storage->remove(QStringLiteral("/cm/b"), 0)); // the last revision leaves no row
        QCOMPARE(storage->currentRevision(), 5);
    }
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    QCOMPARE(storage->currentRevision(), 5);
    QCOMPARE(storage->count(QString()), 2);
    auto a = storage->get(QStringLiteral("/cm/a"));
    QVERIFY(a);
    QCOMPARE(a->revision, 4);
    QCOMPARE(resourceVersionOf(a->object), QStringLiteral("4"));
    QCOMPARE(a->object.value(QLatin1String("data")).toObject().value("value"), QJsonValue("2"));
    auto secret = storage->get(QStringLiteral("/secrets/ns/s"));
    QVERIFY(secret);
    QCOMPARE(secret->object.value(QLatin1String("data")), secretObject.value("data"));
    auto next = storage->create(QStringLiteral("/cm/c"), configMap("c"));
    QVERIFY(next);
    QCOMPARE(next->revision, 6);
}

void TstStorage::closingCommitsPendingWrites()
{
    QTemporaryDir dir;
    bool reported = false;
    {
        auto storage = openStorage(dir.path());
        QVERIFY(storage);
        storage->create(QStringLiteral("/cm/a"), configMap("a"),
                        [&](const StorageResult &) { reported = true; });
    }
    QTest::qWait(20);
    QVERIFY(!reported); // whatever the callback pointed at may be gone with the storage
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    QVERIFY(storage->get(QStringLiteral("/cm/a")));
    QCOMPARE(storage->currentRevision(), 1);
}

void TstStorage::killedWriterKeepsAcknowledgedWrites()
{
    QTemporaryDir dir;
    QProcess writer;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QLatin1String(writerDirectoryVariable), dir.path());
    writer.setProcessEnvironment(environment);
    writer.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    writer.start(QCoreApplication::applicationFilePath(), {});
    QVERIFY(writer.waitForStarted(waitMs));

    QMap<QString, qint64> acknowledged;
    QByteArray buffered;
    QElapsedTimer timer;
    timer.start();
    while (acknowledged.size() < ackedWritesBeforeKill && timer.elapsed() < waitMs) {
        if (!writer.waitForReadyRead(waitMs))
            break;
        buffered += writer.readAllStandardOutput();
        qsizetype newline;
        while ((newline = buffered.indexOf('\n')) >= 0) {
            const QList<QByteArray> fields = buffered.left(newline).split(' ');
            buffered.remove(0, newline + 1);
            if (fields.size() == 2)
                acknowledged.insert(QString::fromUtf8(fields[0]), fields[1].toLongLong());
        }
    }
    writer.kill(); // SIGKILL, mid-write
    QVERIFY(writer.waitForFinished(waitMs));
    QCOMPARE(writer.exitStatus(), QProcess::CrashExit);
    QVERIFY2(acknowledged.size() >= ackedWritesBeforeKill,
             qPrintable(QStringLiteral("only %1 writes acknowledged").arg(acknowledged.size())));

    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    qint64 highest = 0;
    for (auto it = acknowledged.cbegin(); it != acknowledged.cend(); ++it) {
        auto object = storage->get(it.key());
        QVERIFY2(object, qPrintable(it.key() + QStringLiteral(" was lost")));
        QCOMPARE(object->revision, it.value());
        highest = std::max(highest, it.value());
    }
    QVERIFY(storage->currentRevision() >= highest);
    auto next = storage->create(QStringLiteral("/cm/after"), configMap("after"));
    QVERIFY(next);
    QVERIFY(next->revision > highest);
    qInfo("%lld acknowledged writes survived kill -9; %lld objects in all",
          qint64(acknowledged.size()), storage->count(QString()) - 1);
}

void TstStorage::secondOpenOfTheSameDirectoryFails()
{
    QTemporaryDir dir;
    auto first = openStorage(dir.path());
    QVERIFY(first);
    QVERIFY(first->create(QStringLiteral("/cm/a"), configMap("a")));
    auto second = Storage::open(dir.path(), testKey(), secretPrefixes);
    QVERIFY(!second);
    QVERIFY2(second.error().contains(QLatin1String("in use by another process")),
             qPrintable(second.error()));
    first.reset();
    QVERIFY(openStorage(dir.path()));
}

// --- encryption at rest ------------------------------------------------------------------------

void TstStorage::secretsAreEncryptedAtRest()
{
    QTemporaryDir dir;
    const QString secretValue = QStringLiteral("c3VwZXItc2VjcmV0LXBhc3N3b3JkLTQy");
    const QString configValue = QStringLiteral("plainly-visible-config-value-42");
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    QJsonObject secret{
        {QStringLiteral("kind"), QStringLiteral("Secret")},
        {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("name"), QStringLiteral("db")}}},
        {QStringLiteral("data"), QJsonObject{{QStringLiteral("password"), secretValue}}}};
    QVERIFY(storage->create(QStringLiteral("/secrets/default/db"), secret));
    QVERIFY(storage->create(QStringLiteral("/configmaps/default/c"), configMap("c", configValue)));
    secret[QStringLiteral("data")] = QJsonObject{{QStringLiteral("password"), secretValue + "x"}};
    QVERIFY(storage->update(QStringLiteral("/secrets/default/db"), secret, 0));

    // While open (data in the WAL) and after closing (checkpointed into the database file).
    const QByteArray whileOpen = databaseFiles(dir.path());
    QVERIFY(whileOpen.contains(configValue.toUtf8())); // the grep does find what is there
    QVERIFY(!whileOpen.contains(secretValue.toUtf8()));
    QVERIFY(whileOpen.contains("k8s:enc:aesgcm:v1:timonel:"));
    storage.reset();
    const QByteArray closed = databaseFiles(dir.path());
    QVERIFY(closed.contains(configValue.toUtf8()));
    QVERIFY(!closed.contains(secretValue.toUtf8()));
    QVERIFY(!closed.contains("c3VwZXItc2VjcmV0"));
}

void TstStorage::wrongKeyFailsClearly()
{
    QTemporaryDir dir;
    {
        auto storage = openStorage(dir.path(), 10, testKey('a'));
        QVERIFY(storage);
        QVERIFY(storage->create(QStringLiteral("/secrets/ns/s"), configMap("s")));
    }
    auto wrong = Storage::open(dir.path(), testKey('b'), secretPrefixes);
    QVERIFY(!wrong);
    QCOMPARE(wrong.error(),
             QStringLiteral("the secret encryption key does not match the one the data in %1 was "
                            "encrypted with")
                 .arg(dir.filePath(QStringLiteral("timonel.db"))));
    QVERIFY(openStorage(dir.path(), 10, testKey('a')));
}

void TstStorage::valuesLeftInClearAreEncryptedOnOpen()
{
    QTemporaryDir dir;
    {
        auto plain = Storage::open(dir.path(), testKey(), {});
        QVERIFY(plain);
        QVERIFY((*plain)->create(QStringLiteral("/secrets/ns/s"), configMap("s", "clear-value")));
    }
    {
        auto storage = openStorage(dir.path());
        QVERIFY(storage);
        QCOMPARE(storage->get(QStringLiteral("/secrets/ns/s"))->object.value("data"),
                 configMap("s", "clear-value").value("data"));
    }
    const QString connection = QStringLiteral("tst_storage_raw");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(dir.filePath(QStringLiteral("timonel.db")));
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(
            query.exec(QStringLiteral("SELECT value FROM objects WHERE key = '/secrets/ns/s'")));
        QVERIFY(query.next());
        QVERIFY(query.value(0).toByteArray().startsWith("k8s:enc:aesgcm:v1:timonel:"));
    }
    QSqlDatabase::removeDatabase(connection);
}

// --- figures -----------------------------------------------------------------------------------

void TstStorage::performanceFigures()
{
    QTemporaryDir dir;
    constexpr int objectCount = 5000;
    constexpr int syncCount = 300;
    constexpr int oneTurnCount = 700;
    constexpr int groupCount = objectCount - syncCount - oneTurnCount;
    QList<QJsonObject> pods;
    for (int i = 0; i < objectCount; ++i)
        pods << pod(i);
    auto keyOf = [](int i) {
        return QStringLiteral("/pods/default/p%1").arg(i, 4, 10, QChar('0'));
    };
    auto perSecond = [](int count, qint64 ns) { return count * 1e9 / std::max<qint64>(1, ns); };
    qint64 jsonBytes = 0;
    {
        auto storage = openStorage(dir.path(), Storage::defaultHistorySize);
        QVERIFY(storage);
        QElapsedTimer timer;
        timer.start();
        int next = 0;
        for (; next < syncCount; ++next)
            QVERIFY(storage->create(keyOf(next), pods[next]));
        const double syncRate = perSecond(syncCount, timer.nsecsElapsed());

        // Four clients: four writes per event-loop turn share a commit. A real event loop, as
        // QTest::qWaitFor sleeps between its turns.
        int done = 0;
        int failed = 0;
        QEventLoop loop;
        auto report = [&](const StorageResult &r) {
            failed += r ? 0 : 1;
            ++done;
            loop.quit();
        };
        QTimer clients;
        QObject::connect(&clients, &QTimer::timeout, [&] {
            for (int i = 0; i < 4 && next < syncCount + groupCount; ++i, ++next)
                storage->create(keyOf(next), pods[next], report);
        });
        timer.restart();
        clients.start(0);
        while (done < groupCount && timer.elapsed() < 120'000)
            loop.exec();
        clients.stop();
        const double groupRate = perSecond(groupCount, timer.nsecsElapsed());

        // Every write in one turn: the storage's own cost per write, plus one commit.
        timer.restart();
        for (; next < objectCount; ++next)
            storage->create(keyOf(next), pods[next], report);
        const qint64 appliedNs = timer.nsecsElapsed();
        while (done < groupCount + oneTurnCount && timer.elapsed() < 120'000)
            loop.exec();
        const qint64 oneTurnNs = timer.nsecsElapsed();
        QCOMPARE(done, groupCount + oneTurnCount);
        QCOMPARE(failed, 0);
        for (const StoredJson &object : storage->listJson(QStringLiteral("/pods/")))
            jsonBytes += object.json.size();
        qInfo("create rate: %.0f/s synchronous (one fsync each), %.0f/s group-committed in "
              "fours, %.0f/s all in one turn (%.1f us each to apply); pods of %lld bytes",
              syncRate, groupRate, perSecond(oneTurnCount, oneTurnNs),
              appliedNs / 1000.0 / oneTurnCount, jsonBytes / objectCount);
    }

    const qint64 before = heapInUse();
    auto storage = openStorage(dir.path());
    QVERIFY(storage);
    QCOMPARE(storage->count(QStringLiteral("/pods/")), objectCount);
    const qint64 after = heapInUse();
    QElapsedTimer timer;
    timer.start();
    const QList<StoredObject> page =
        storage->list(QStringLiteral("/pods/default/"), keyOf(1999), 1000);
    const qint64 listMs = timer.elapsed();
    QCOMPARE(page.size(), 1000);
    timer.restart();
    const QList<StoredJson> rawPage =
        storage->listJson(QStringLiteral("/pods/default/"), keyOf(1999), 1000);
    qInfo("%d pods: %lld KiB of JSON, %lld KiB of heap once loaded; listing 1000: %lld ms "
          "parsed, %lld ms as JSON",
          objectCount, jsonBytes / 1024, (after - before) / 1024, listMs, timer.elapsed());
    QCOMPARE(rawPage.size(), 1000);
    storage.reset();

    // A fresh process that holds nothing but the loaded storage.
    QProcess loader;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QLatin1String(loaderDirectoryVariable), dir.path());
    loader.setProcessEnvironment(environment);
    loader.start(QCoreApplication::applicationFilePath(), {});
    QVERIFY(loader.waitForFinished(waitMs));
    const QList<QByteArray> counts = loader.readAllStandardOutput().trimmed().split(' ');
    QCOMPARE(counts.size(), 2);
    QCOMPARE(counts[0].toLongLong(), objectCount);
    const qint64 loaderKilobytes = counts[1].toLongLong();
    qInfo("resident set of a process with the %d pods loaded: %lld KiB", objectCount,
          loaderKilobytes);
    QVERIFY(loaderKilobytes > 0);
    QVERIFY2(loaderKilobytes < 80 * 1024, qPrintable(QString::number(loaderKilobytes)));
    // What matters is no per-object blow-up such as keeping parsed QJsonObjects, which cost
    // several times their JSON: the heap holds the JSON plus a small overhead per object.
    QVERIFY2(after - before < jsonBytes + objectCount * 512 + 4 * 1024 * 1024,
             qPrintable(QStringLiteral("%1 KiB").arg((after - before) / 1024)));
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // Every test opens a storage: its "opened ..." line would drown the figures.
    QLoggingCategory::setFilterRules(QStringLiteral("timonel.apiserver.storage.info=false"));
    if (const QString directory = qEnvironmentVariable(loaderDirectoryVariable);
        !directory.isEmpty())
        return runLoader(directory);
    if (const QString directory = qEnvironmentVariable(writerDirectoryVariable);
        !directory.isEmpty())
        return runKilledWriter(directory);
    TstStorage test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_storage.moc"
