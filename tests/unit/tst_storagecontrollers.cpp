// Persistent volumes end to end inside one process: the API server, the persistent volume
// controller and two nodes' local provisioners (each over its own directory) bind, provision,
// release and delete volumes as a KinD cluster does; the scheduler's volume checks are tables.
#include "apiserver/apiserver.h"
#include "apiserver/inprocessclient.h"
#include "controllers/persistentvolumecontroller.h"
#include "core/yaml.h"
#include "kubelet/localprovisioner.h"
#include "kubelet/volumes.h"
#include "scheduler/volumebinding.h"

#include <QDir>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace timonel;
using namespace Qt::StringLiterals;

namespace {

const client::Resource claims{u""_s, u"v1"_s, u"persistentvolumeclaims"_s};
const client::Resource volumes{u""_s, u"v1"_s, u"persistentvolumes"_s};
const client::Resource classes{u"storage.k8s.io"_s, u"v1"_s, u"storageclasses"_s};
const client::Resource events{u""_s, u"v1"_s, u"events"_s};
const client::Resource namespaces{u""_s, u"v1"_s, u"namespaces"_s};
constexpr int timeoutMs = 10000;

QList<QJsonObject> documents(const QByteArray &yaml)
{
    QList<QJsonObject> objects;
    const auto parsed = core::parseYamlDocuments(yaml);
    if (!parsed)
        qFatal("bad YAML in test: %s", qPrintable(parsed.error().message));
    for (const QJsonValue &v : *parsed)
        objects.append(v.toObject());
    return objects;
}

QJsonObject document(const QByteArray &yaml)
{
    return documents(yaml).value(0);
}

QJsonObject objectAt(const QJsonObject &o, QStringView path)
{
    QJsonObject at = o;
    for (QStringView key : path.split(u'.'))
        at = at.value(key).toObject();
    return at;
}

QString stringAt(const QJsonObject &o, QStringView path)
{
    const qsizetype dot = path.lastIndexOf(u'.');
    return objectAt(o, path.left(dot)).value(path.mid(dot + 1)).toString();
}

QString uidOf(const QJsonObject &o)
{
    return stringAt(o, u"metadata.uid");
}

} // namespace

class TestStorageControllers : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<apiserver::ApiServer> m_server;
    std::unique_ptr<apiserver::InProcessClient> m_api;
    std::unique_ptr<controllers::PersistentVolumeController> m_controller;
    struct Node
    {
        QString name;
        QString root;
        std::unique_ptr<kubelet::VolumeManager> volumes;
        std::unique_ptr<kubelet::LocalProvisioner> provisioner;
    };
    Node m_nodes[2];
    int m_namespaces = 0;

    client::Result<QJsonObject>
    wait(const std::function<void(client::Callback<QJsonObject>)> &start)
    {
        std::optional<client::Result<QJsonObject>> result;
        QEventLoop loop;
        start([&](client::Result<QJsonObject> r) {
            result = std::move(r);
            loop.quit();
        });
        if (!result)
            loop.exec();
        return *result;
    }

    QJsonObject get(const client::Resource &r, const QString &ns, const QString &name)
    {
        return wait([&](auto done) { m_api->get(r, ns, name, done); }).value_or(QJsonObject());
    }

    client::Result<QJsonObject> create(const client::Resource &r, const QString &ns,
                                       const QJsonObject &object)
    {
        return wait([&](auto done) { m_api->create(r, ns, object, {}, done); });
    }

    bool createAll(const QString &ns, const QList<QJsonObject> &objects)
    {
        for (const QJsonObject &o : objects) {
            const QString kind = o.value(u"kind").toString();
            const client::Resource r = kind == u"PersistentVolume"        ? volumes
                                       : kind == u"StorageClass"          ? classes
                                       : kind == u"PersistentVolumeClaim" ? claims
                                                                          : client::Resource();
            if (auto created = create(r, r == claims ? ns : QString(), o); !created) {
                qWarning().noquote() << "cannot create" << kind << created.error().message;
                return false;
            }
        }
        return true;
    }

    bool remove(const client::Resource &r, const QString &ns, const QString &name)
    {
        return wait([&](auto done) { m_api->remove(r, ns, name, {}, done); }).has_value();
    }

    bool mergePatch(const client::Resource &r, const QString &ns, const QString &name,
                    const QByteArray &patch)
    {
        return wait([&](auto done) {
                   m_api->patch(r, ns, name, client::PatchType::Merge, patch, {}, {}, done);
               })
            .has_value();
    }

    // "Reason: message" of every event about the object.
    QStringList eventsAbout(const QString &ns, const QString &name)
    {
        QStringList found;
        const auto list = wait([&](auto done) { m_api->list(events, ns, {}, done); });
        for (const QJsonValue &v : list.value_or(QJsonObject()).value(u"items").toArray()) {
            const QJsonObject e = v.toObject();
            if (stringAt(e, u"involvedObject.name") == name)
                found.append(e.value(u"reason").toString() + u": "_s +
                             e.value(u"message").toString());
        }
        return found;
    }

    QString newNamespace()
    {
        const QString name = u"storage-%1"_s.arg(++m_namespaces);
        create(namespaces, {}, QJsonObject{{u"metadata"_s, QJsonObject{{u"name"_s, name}}}});
        return name;
    }

    QString localVolumeDir(int node, const QString &volume) const
    {
        return m_nodes[node].root + u"/local-volumes/"_s + volume;
    }

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void defaultStorageClassIsKinds();
    void newClaimGetsTheDefaultClassAtAdmission();
    void claimWithoutClassGetsTheDefault_data();
    void claimWithoutClassGetsTheDefault();
    void staticVolumeBindsToTheSmallestThatFits_data();
    void staticVolumeBindsToTheSmallestThatFits();
    void waitForFirstConsumerClaimIsProvisionedOnTheSelectedNode();
    void releasedVolumeFollowsItsReclaimPolicy_data();
    void releasedVolumeFollowsItsReclaimPolicy();
    void scheduledStaticLocalVolumeIsBound();

    void volumeFilterDecidesPerNode_data();
    void volumeFilterDecidesPerNode();
    void volumeNodeAffinityMatchesNodeSelectorTerms_data();
    void volumeNodeAffinityMatchesNodeSelectorTerms();
};

void TestStorageControllers::initTestCase()
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
    m_controller = std::make_unique<controllers::PersistentVolumeController>(*m_api);
    m_controller->start();
    for (int i = 0; i < 2; ++i) {
        Node &node = m_nodes[i];
        node.name = i == 0 ? u"node-a"_s : u"node-b"_s;
        node.root = m_dir.filePath(node.name);
        QVERIFY(QDir().mkpath(node.root));
        // The node agent and the Docker daemon see the same directory here.
        kubelet::VolumeHost host;
        host.localRoot = node.root;
        host.hostRoot = node.root;
        node.volumes = std::make_unique<kubelet::VolumeManager>(host, docker::DockerClient());
        node.provisioner =
            std::make_unique<kubelet::LocalProvisioner>(*m_api, *node.volumes, node.name);
        node.provisioner->start();
    }
    QTRY_VERIFY_WITH_TIMEOUT(!get(classes, {}, u"standard"_s).isEmpty(), timeoutMs);
}

void TestStorageControllers::cleanupTestCase()
{
    for (Node &node : m_nodes) {
        node.provisioner.reset();
        node.volumes.reset();
    }
    m_controller.reset();
    m_api.reset();
    m_server.reset();
}

void TestStorageControllers::defaultStorageClassIsKinds()
{
    const QJsonObject standard = get(classes, {}, u"standard"_s);
    QCOMPARE(standard.value(u"provisioner").toString(), u"rancher.io/local-path"_s);
    QCOMPARE(standard.value(u"reclaimPolicy").toString(), u"Delete"_s);
    QCOMPARE(standard.value(u"volumeBindingMode").toString(), u"WaitForFirstConsumer"_s);
    QCOMPARE(objectAt(standard, u"metadata.annotations")
                 .value(u"storageclass.kubernetes.io/is-default-class")
                 .toString(),
             u"true"_s);
}

void TestStorageControllers::newClaimGetsTheDefaultClassAtAdmission()
{
    // DefaultStorageClass admission: the class is in the created object itself (a dry run, so
    // the controller cannot be the one who set it); "" asks for no class and stays.
    client::WriteQuery dryRun;
    dryRun.dryRun = true;
    QJsonObject claim = document("kind: PersistentVolumeClaim\napiVersion: v1\n"
                                 "metadata: {name: admitted}\n"
                                 "spec: {accessModes: [ReadWriteOnce],"
                                 " resources: {requests: {storage: 1Gi}}}");
    auto admitted =
        wait([&](auto done) { m_api->create(claims, u"default"_s, claim, dryRun, done); });
    QVERIFY(admitted);
    QCOMPARE(stringAt(*admitted, u"spec.storageClassName"), u"standard"_s);
    claim = document("kind: PersistentVolumeClaim\napiVersion: v1\n"
                     "metadata: {name: admitted}\n"
                     "spec: {storageClassName: '', accessModes: [ReadWriteOnce],"
                     " resources: {requests: {storage: 1Gi}}}");
    admitted = wait([&](auto done) { m_api->create(claims, u"default"_s, claim, dryRun, done); });
    QVERIFY(admitted);
    QVERIFY(objectAt(*admitted, u"spec").value(u"storageClassName").isString());
    QCOMPARE(stringAt(*admitted, u"spec.storageClassName"), QString());
}

void TestStorageControllers::claimWithoutClassGetsTheDefault_data()
{
    QTest::addColumn<QByteArray>("classLine");
    QTest::addColumn<QString>("expectedClass");
    QTest::addColumn<QString>("expectedEvent");
    QTest::newRow("unset") << QByteArray() << u"standard"_s
                           << u"WaitForFirstConsumer: waiting for first consumer to be created "
                              "before binding"_s;
    QTest::newRow("null") << QByteArray("  storageClassName: null\n") << u"standard"_s
                          << u"WaitForFirstConsumer: waiting for first consumer to be created "
                             "before binding"_s;
    QTest::newRow("empty: no class") << QByteArray("  storageClassName: \"\"\n") << QString()
                                     << u"FailedBinding: no persistent volumes available for this "
                                        "claim and no storage class is set"_s;
    QTest::newRow("a class that does not exist")
        << QByteArray("  storageClassName: fast\n") << u"fast"_s
        << u"ProvisioningFailed: storageclass.storage.k8s.io \"fast\" not found"_s;
}

void TestStorageControllers::claimWithoutClassGetsTheDefault()
{
    QFETCH(QByteArray, classLine);
    QFETCH(QString, expectedClass);
    QFETCH(QString, expectedEvent);
    const QString ns = newNamespace();
    QVERIFY(createAll(ns, {document("kind: PersistentVolumeClaim\n"
                                    "apiVersion: v1\n"
                                    "metadata: {name: data}\n"
                                    "spec:\n" +
                                    classLine +
                                    "  accessModes: [ReadWriteOnce]\n"
                                    "  resources: {requests: {storage: 1Gi}}\n")}));
    // The event says the controller has looked at the claim after it got its class.
    QTRY_VERIFY_WITH_TIMEOUT(eventsAbout(ns, u"data"_s).contains(expectedEvent), timeoutMs);
    const QJsonObject claim = get(claims, ns, u"data"_s);
    QCOMPARE(stringAt(claim, u"spec.storageClassName"), expectedClass);
    QCOMPARE(stringAt(claim, u"status.phase"), u"Pending"_s);
}

void TestStorageControllers::staticVolumeBindsToTheSmallestThatFits_data()
{
    QTest::addColumn<QByteArray>("manifests");
    QTest::addColumn<QByteArray>("claimSpec");
    QTest::addColumn<QString>("expectedVolume");
    QTest::addColumn<QString>("expectedEvent");
    // Each row has its own class ("manual-N"): no StorageClass of that name, so binding is
    // immediate, as for the seeds' volumes made by hand.
    const QByteArray pvs =
        "kind: PersistentVolume\napiVersion: v1\n"
        "metadata: {name: %N-small}\n"
        "spec: {storageClassName: %C, capacity: {storage: 1Gi},"
        " accessModes: [ReadWriteOnce], hostPath: {path: /mnt/small}}\n"
        "---\n"
        "kind: PersistentVolume\napiVersion: v1\n"
        "metadata: {name: %N-medium, labels: {tier: fast}}\n"
        "spec: {storageClassName: %C, capacity: {storage: 5Gi},"
        " accessModes: [ReadWriteOnce, ReadWriteMany], hostPath: {path: /mnt/m}}\n"
        "---\n"
        "kind: PersistentVolume\napiVersion: v1\n"
        "metadata: {name: %N-large}\n"
        "spec: {storageClassName: %C, capacity: {storage: 10Gi},"
        " accessModes: [ReadWriteOnce], local: {path: /mnt/large}}\n"
        "---\n"
        "kind: PersistentVolume\napiVersion: v1\n"
        "metadata: {name: %N-other}\n"
        "spec: {storageClassName: other, capacity: {storage: 2Gi},"
        " accessModes: [ReadWriteOnce], hostPath: {path: /mnt/other}}\n";
    QTest::newRow("smallest that fits")
        << pvs
        << QByteArray("{storageClassName: %C, accessModes: [ReadWriteOnce],"
                      " resources: {requests: {storage: 3Gi}}}")
        << u"medium"_s << QString();
    QTest::newRow("exact size") << pvs
                                << QByteArray("{storageClassName: %C, accessModes: [ReadWriteOnce],"
                                              " resources: {requests: {storage: 1Gi}}}")
                                << u"small"_s << QString();
    QTest::newRow("access modes the volume offers")
        << pvs
        << QByteArray("{storageClassName: %C, accessModes: [ReadWriteMany],"
                      " resources: {requests: {storage: 1Gi}}}")
        << u"medium"_s << QString();
    QTest::newRow("selector") << pvs
                              << QByteArray("{storageClassName: %C, accessModes: [ReadWriteOnce],"
                                            " selector: {matchLabels: {tier: fast}},"
                                            " resources: {requests: {storage: 1Gi}}}")
                              << u"medium"_s << QString();
    QTest::newRow("volumeName asks for one")
        << pvs
        << QByteArray("{storageClassName: %C, accessModes: [ReadWriteOnce],"
                      " volumeName: %N-large, resources: {requests: {storage: 1Gi}}}")
        << u"large"_s << QString();
    QTest::newRow("volumeName of a volume too small")
        << pvs
        << QByteArray("{storageClassName: %C, accessModes: [ReadWriteOnce],"
                      " volumeName: %N-small, resources: {requests: {storage: 2Gi}}}")
        << QString()
        << u"VolumeMismatch: Cannot bind to requested volume \"%N-small\": requested PV is too "
           "small"_s;
    QTest::newRow("nothing big enough")
        << pvs
        << QByteArray("{storageClassName: %C, accessModes: [ReadWriteOnce],"
                      " resources: {requests: {storage: 20Gi}}}")
        << QString() << u"ProvisioningFailed: storageclass.storage.k8s.io \"%C\" not found"_s;
}

void TestStorageControllers::staticVolumeBindsToTheSmallestThatFits()
{
    QFETCH(QByteArray, manifests);
    QFETCH(QByteArray, claimSpec);
    QFETCH(QString, expectedVolume);
    QFETCH(QString, expectedEvent);
    const QString ns = newNamespace();
    const QByteArray className = "manual-" + ns.toUtf8();
    auto fill = [&](QByteArray text) {
        return text.replace("%N", ns.toUtf8()).replace("%C", className);
    };
    QVERIFY(createAll(ns, documents(fill(manifests))));
    QVERIFY(createAll(ns, {document(fill("kind: PersistentVolumeClaim\napiVersion: v1\n"
                                         "metadata: {name: claim}\nspec: " +
                                         claimSpec))}));
    if (expectedVolume.isEmpty()) {
        const QString event = QString::fromUtf8(fill(expectedEvent.toUtf8()));
        QTRY_VERIFY_WITH_TIMEOUT(eventsAbout(ns, u"claim"_s).contains(event), timeoutMs);
        const QJsonObject claim = get(claims, ns, u"claim"_s);
        QCOMPARE(stringAt(claim, u"status.phase"), u"Pending"_s);
        QVERIFY(
            !objectAt(claim, u"metadata.annotations").contains(u"pv.kubernetes.io/bind-completed"));
        return;
    }
    const QString volumeName = ns + u'-' + expectedVolume;
    QTRY_COMPARE_WITH_TIMEOUT(stringAt(get(claims, ns, u"claim"_s), u"status.phase"), u"Bound"_s,
                              timeoutMs);
    const QJsonObject claim = get(claims, ns, u"claim"_s);
    const QJsonObject volume = get(volumes, {}, volumeName);
    QCOMPARE(stringAt(claim, u"spec.volumeName"), volumeName);
    QCOMPARE(objectAt(claim, u"status.capacity"), objectAt(volume, u"spec.capacity"));
    QCOMPARE(objectAt(claim, u"status").value(u"accessModes"),
             objectAt(volume, u"spec").value(u"accessModes"));
    const QJsonObject annotations = objectAt(claim, u"metadata.annotations");
    QCOMPARE(annotations.value(u"pv.kubernetes.io/bind-completed").toString(), u"yes"_s);
    QTRY_COMPARE_WITH_TIMEOUT(stringAt(get(volumes, {}, volumeName), u"status.phase"), u"Bound"_s,
                              timeoutMs);
    QCOMPARE(stringAt(volume, u"spec.claimRef.uid"), uidOf(claim));
    QCOMPARE(stringAt(volume, u"spec.claimRef.name"), u"claim"_s);
    QCOMPARE(stringAt(volume, u"spec.claimRef.namespace"), ns);
    // The others stay available.
    for (const char16_t *other : {u"small", u"medium", u"large"}) {
        const QString name = ns + u'-' + QString::fromUtf16(other);
        if (name != volumeName)
            QTRY_COMPARE_WITH_TIMEOUT(stringAt(get(volumes, {}, name), u"status.phase"),
                                      u"Available"_s, timeoutMs);
    }
}

void TestStorageControllers::waitForFirstConsumerClaimIsProvisionedOnTheSelectedNode()
{
    const QString ns = newNamespace();
    QVERIFY(createAll(ns, {document("kind: PersistentVolumeClaim\napiVersion: v1\n"
                                    "metadata: {name: data}\n"
                                    "spec: {accessModes: [ReadWriteOnce],"
                                    " resources: {requests: {storage: 2Gi}}}")}));
    const QString waiting =
        u"WaitForFirstConsumer: waiting for first consumer to be created before binding"_s;
    QTRY_VERIFY_WITH_TIMEOUT(eventsAbout(ns, u"data"_s).contains(waiting), timeoutMs);
    QJsonObject claim = get(claims, ns, u"data"_s);
    const QString volumeName = u"pvc-"_s + uidOf(claim);
    QVERIFY(get(volumes, {}, volumeName).isEmpty());
    QCOMPARE(stringAt(claim, u"status.phase"), u"Pending"_s);

    // The scheduler places a pod using the claim on node-a.
    const QJsonObject pod = document("metadata: {name: app, namespace: " + ns.toUtf8() +
                                     "}\nspec: {volumes: [{name: d, persistentVolumeClaim:"
                                     " {claimName: data}}]}");
    const QJsonObject nodeA = document("metadata: {name: node-a, labels:"
                                       " {kubernetes.io/hostname: node-a}}");
    scheduler::VolumeListers listers;
    listers.claim = [&](const QString &n, const QString &name) { return get(claims, n, name); };
    listers.volume = [&](const QString &name) { return get(volumes, {}, name); };
    listers.storageClass = [&](const QString &name) { return get(classes, {}, name); };
    listers.volumes = [] { return QList<QJsonObject>(); };
    QVERIFY(!scheduler::preFilterVolumes(pod, listers));
    QCOMPARE(scheduler::filterVolumes(pod, nodeA, listers), QStringList());
    const auto writes = scheduler::volumeBindingWrites(pod, nodeA, listers);
    QCOMPARE(writes.size(), 1);
    QVERIFY(writes[0].target == scheduler::VolumeBindingWrite::Target::Claim);
    QVERIFY(mergePatch(claims, writes[0].ns, writes[0].name, writes[0].mergePatch));

    QTRY_COMPARE_WITH_TIMEOUT(stringAt(get(claims, ns, u"data"_s), u"status.phase"), u"Bound"_s,
                              timeoutMs);
    claim = get(claims, ns, u"data"_s);
    QCOMPARE(stringAt(claim, u"spec.volumeName"), volumeName);
    const QJsonObject annotations = objectAt(claim, u"metadata.annotations");
    QCOMPARE(annotations.value(u"volume.kubernetes.io/storage-provisioner").toString(),
             u"rancher.io/local-path"_s);
    QCOMPARE(annotations.value(u"volume.beta.kubernetes.io/storage-provisioner").toString(),
             u"rancher.io/local-path"_s);
    QCOMPARE(annotations.value(u"pv.kubernetes.io/bind-completed").toString(), u"yes"_s);
    QCOMPARE(objectAt(claim, u"status.capacity").value(u"storage").toString(), u"2Gi"_s);

    QTRY_COMPARE_WITH_TIMEOUT(stringAt(get(volumes, {}, volumeName), u"status.phase"), u"Bound"_s,
                              timeoutMs);
    const QJsonObject volume = get(volumes, {}, volumeName);
    const QJsonObject spec = volume.value(u"spec").toObject();
    QCOMPARE(stringAt(volume, u"spec.hostPath.path"), localVolumeDir(0, volumeName));
    QVERIFY(QFileInfo(localVolumeDir(0, volumeName)).isDir());
    QVERIFY(!QFileInfo::exists(localVolumeDir(1, volumeName))); // only node-a made it
    QCOMPARE(spec.value(u"nodeAffinity").toObject(),
             document("required: {nodeSelectorTerms: [{matchExpressions: [{key:"
                      " kubernetes.io/hostname, operator: In, values: [node-a]}]}]}"));
    QCOMPARE(objectAt(volume, u"spec.capacity").value(u"storage").toString(), u"2Gi"_s);
    QCOMPARE(spec.value(u"accessModes").toArray(), QJsonArray{u"ReadWriteOnce"_s});
    QCOMPARE(spec.value(u"persistentVolumeReclaimPolicy").toString(), u"Delete"_s);
    QCOMPARE(spec.value(u"storageClassName").toString(), u"standard"_s);
    QCOMPARE(stringAt(volume, u"spec.claimRef.uid"), uidOf(claim));
    QCOMPARE(objectAt(volume, u"metadata.annotations")
                 .value(u"pv.kubernetes.io/provisioned-by")
                 .toString(),
             u"rancher.io/local-path"_s);
    const QStringList said = eventsAbout(ns, u"data"_s);
    QVERIFY2(
        said.contains(u"ProvisioningSucceeded: Successfully provisioned volume "_s + volumeName),
        qPrintable(said.join(u'\n')));
    QVERIFY(said.contains(u"Provisioning: External provisioner is provisioning volume for claim "
                          "\"%1/data\""_s.arg(ns)));
    QVERIFY(said.contains(u"ExternalProvisioning: Waiting for a volume to be created either by the "
                          "external provisioner 'rancher.io/local-path' or manually by the system "
                          "administrator. If volume creation is delayed, please verify that the "
                          "provisioner is running and correctly registered."_s));

    // A pod coming back later (a StatefulSet's) is held to node-a by the volume.
    const QJsonObject nodeB = document("metadata: {name: node-b, labels:"
                                       " {kubernetes.io/hostname: node-b}}");
    QCOMPARE(scheduler::filterVolumes(pod, nodeA, listers), QStringList());
    QCOMPARE(scheduler::filterVolumes(pod, nodeB, listers),
             QStringList{u"node(s) had volume node affinity conflict"_s});

    // Deleting the claim deletes the volume and its directory (reclaim policy Delete).
    QVERIFY(remove(claims, ns, u"data"_s));
    QTRY_VERIFY_WITH_TIMEOUT(get(volumes, {}, volumeName).isEmpty(), timeoutMs);
    QVERIFY(!QFileInfo::exists(localVolumeDir(0, volumeName)));
}

void TestStorageControllers::releasedVolumeFollowsItsReclaimPolicy_data()
{
    QTest::addColumn<QByteArray>("objects");
    QTest::addColumn<bool>("provisioned");
    QTest::addColumn<QString>("expectedPhase"); // empty: the volume is deleted
    QTest::addColumn<QString>("expectedEvent");
    const QByteArray claim = "kind: PersistentVolumeClaim\napiVersion: v1\n"
                             "metadata: {name: data}\n"
                             "spec: {storageClassName: %C, accessModes: [ReadWriteOnce],"
                             " resources: {requests: {storage: 1Gi}}}\n";
    const QByteArray localClass = "kind: StorageClass\napiVersion: storage.k8s.io/v1\n"
                                  "metadata: {name: %C}\nprovisioner: rancher.io/local-path\n"
                                  "volumeBindingMode: WaitForFirstConsumer\n";
    QTest::newRow("provisioned, Delete")
        << localClass + "reclaimPolicy: Delete\n---\n" + claim << true << QString() << QString();
    QTest::newRow("provisioned, Retain") << localClass + "reclaimPolicy: Retain\n---\n" + claim
                                         << true << u"Released"_s << QString();
    const QByteArray staticVolume = "kind: PersistentVolume\napiVersion: v1\nmetadata: {name: %N}\n"
                                    "spec: {storageClassName: %C, capacity: {storage: 1Gi},"
                                    " accessModes: [ReadWriteOnce], hostPath: {path: /mnt/%N},"
                                    " persistentVolumeReclaimPolicy: ";
    QTest::newRow("made by hand, Retain")
        << staticVolume + "Retain}\n---\n" + claim << false << u"Released"_s << QString();
    QTest::newRow("made by hand, Delete")
        << staticVolume + "Delete}\n---\n" + claim << false << u"Failed"_s
        << u"VolumeFailedDelete: host_path deleter only supports /tmp/.+ but received provided "
           "/mnt/%N"_s;
}

void TestStorageControllers::releasedVolumeFollowsItsReclaimPolicy()
{
    QFETCH(QByteArray, objects);
    QFETCH(bool, provisioned);
    QFETCH(QString, expectedPhase);
    QFETCH(QString, expectedEvent);
    const QString ns = newNamespace();
    auto fill = [&](QByteArray text) {
        return text.replace("%N", "pv-" + ns.toUtf8()).replace("%C", "class-" + ns.toUtf8());
    };
    QVERIFY(createAll(ns, documents(fill(objects))));
    if (provisioned) {
        QTRY_VERIFY_WITH_TIMEOUT(!eventsAbout(ns, u"data"_s).isEmpty(), timeoutMs);
        QVERIFY(mergePatch(
            claims, ns, u"data"_s,
            R"({"metadata":{"annotations":{"volume.kubernetes.io/selected-node":"node-b"}}})"));
    }
    QTRY_COMPARE_WITH_TIMEOUT(stringAt(get(claims, ns, u"data"_s), u"status.phase"), u"Bound"_s,
                              timeoutMs);
    const QString volumeName = stringAt(get(claims, ns, u"data"_s), u"spec.volumeName");
    QVERIFY(remove(claims, ns, u"data"_s));
    if (expectedPhase.isEmpty()) {
        QTRY_VERIFY_WITH_TIMEOUT(get(volumes, {}, volumeName).isEmpty(), timeoutMs);
        QVERIFY(!QFileInfo::exists(localVolumeDir(1, volumeName)));
        return;
    }
    QTRY_COMPARE_WITH_TIMEOUT(stringAt(get(volumes, {}, volumeName), u"status.phase"),
                              expectedPhase, timeoutMs);
    if (provisioned)
        QVERIFY(QFileInfo(localVolumeDir(1, volumeName)).isDir()); // the data is kept
    if (!expectedEvent.isEmpty())
        QTRY_VERIFY_WITH_TIMEOUT(eventsAbout(u"default"_s, volumeName)
                                     .contains(QString::fromUtf8(fill(expectedEvent.toUtf8()))),
                                 timeoutMs);
    // A Retained volume still names its old claim: it is not offered to new claims.
    QVERIFY(!objectAt(get(volumes, {}, volumeName), u"spec.claimRef").isEmpty());
}

void TestStorageControllers::scheduledStaticLocalVolumeIsBound()
{
    // Local volumes made by hand in a WaitForFirstConsumer class without provisioner: the
    // scheduler reserves one on the pod's node, the controller completes the binding.
    const QString ns = newNamespace();
    const QByteArray n = ns.toUtf8();
    QVERIFY(createAll(
        ns, documents("kind: StorageClass\napiVersion: storage.k8s.io/v1\n"
                      "metadata: {name: local-" +
                      n +
                      "}\n"
                      "provisioner: kubernetes.io/no-provisioner\n"
                      "volumeBindingMode: WaitForFirstConsumer\n---\n"
                      "kind: PersistentVolume\napiVersion: v1\n"
                      "metadata: {name: disk-" +
                      n +
                      "}\n"
                      "spec: {storageClassName: local-" +
                      n +
                      ", capacity: {storage: 5Gi},"
                      " accessModes: [ReadWriteOnce], local: {path: /mnt/disk},"
                      " nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions:"
                      " [{key: kubernetes.io/hostname, operator: In, values: [node-b]}]}]}}}\n"
                      "---\n"
                      "kind: PersistentVolumeClaim\napiVersion: v1\n"
                      "metadata: {name: data}\n"
                      "spec: {storageClassName: local-" +
                      n +
                      ", accessModes: [ReadWriteOnce],"
                      " resources: {requests: {storage: 1Gi}}}\n")));
    QTRY_VERIFY_WITH_TIMEOUT(
        eventsAbout(ns, u"data"_s)
            .contains(
                u"WaitForFirstConsumer: waiting for first consumer to be created before binding"_s),
        timeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(stringAt(get(volumes, {}, u"disk-"_s + ns), u"status.phase"),
                              u"Available"_s, timeoutMs);
    const QJsonObject pod = document("metadata: {name: app, namespace: " + n +
                                     "}\nspec: {volumes: [{name: d, persistentVolumeClaim:"
                                     " {claimName: data}}]}");
    scheduler::VolumeListers listers;
    listers.claim = [&](const QString &n, const QString &name) { return get(claims, n, name); };
    listers.volume = [&](const QString &name) { return get(volumes, {}, name); };
    listers.storageClass = [&](const QString &name) { return get(classes, {}, name); };
    listers.volumes = [&] { return QList<QJsonObject>{get(volumes, {}, u"disk-"_s + ns)}; };
    const QJsonObject nodeA =
        document("metadata: {name: node-a, labels: {kubernetes.io/hostname: node-a}}");
    const QJsonObject nodeB =
        document("metadata: {name: node-b, labels: {kubernetes.io/hostname: node-b}}");
    QCOMPARE(scheduler::filterVolumes(pod, nodeA, listers),
             QStringList{u"node(s) didn't find available persistent volumes to bind"_s});
    QCOMPARE(scheduler::filterVolumes(pod, nodeB, listers), QStringList());
    const auto writes = scheduler::volumeBindingWrites(pod, nodeB, listers);
    QCOMPARE(writes.size(), 1);
    QVERIFY(writes[0].target == scheduler::VolumeBindingWrite::Target::Volume);
    QVERIFY(mergePatch(volumes, {}, writes[0].name, writes[0].mergePatch));
    // A second pod's reservation made from the same, now stale, view loses.
    QVERIFY(!mergePatch(volumes, {}, writes[0].name, writes[0].mergePatch));
    QTRY_COMPARE_WITH_TIMEOUT(stringAt(get(claims, ns, u"data"_s), u"status.phase"), u"Bound"_s,
                              timeoutMs);
    QCOMPARE(stringAt(get(claims, ns, u"data"_s), u"spec.volumeName"), u"disk-"_s + ns);
    QTRY_COMPARE_WITH_TIMEOUT(stringAt(get(volumes, {}, u"disk-"_s + ns), u"status.phase"),
                              u"Bound"_s, timeoutMs);
}

// --- the scheduler's checks ---------------------------------------------------------------------

void TestStorageControllers::volumeFilterDecidesPerNode_data()
{
    QTest::addColumn<QByteArray>("world"); // claims, volumes and classes in namespace "ns"
    QTest::addColumn<QByteArray>("podVolumes");
    QTest::addColumn<QString>("preFilter");   // empty: passes
    QTest::addColumn<QStringList>("reasons"); // on node-a
    QTest::addColumn<QStringList>("writes");  // after choosing node-a

    const QByteArray classes =
        "kind: StorageClass\nmetadata: {name: standard}\nprovisioner: rancher.io/local-path\n"
        "volumeBindingMode: WaitForFirstConsumer\n---\n"
        "kind: StorageClass\nmetadata: {name: local}\nprovisioner: kubernetes.io/no-provisioner\n"
        "volumeBindingMode: WaitForFirstConsumer\n---\n"
        "kind: StorageClass\nmetadata: {name: now}\nprovisioner: rancher.io/local-path\n"
        "volumeBindingMode: Immediate\n---\n";
    const QByteArray data = "[{name: d, persistentVolumeClaim: {claimName: data}}]";
    auto claim = [](const QByteArray &spec, const QByteArray &extraMeta = {}) {
        return "kind: PersistentVolumeClaim\nmetadata: {name: data, namespace: ns, uid: u1" +
               extraMeta + "}\nspec: " + spec + "\n---\n";
    };
    const QByteArray bound = ", annotations: {pv.kubernetes.io/bind-completed: 'yes'}";
    auto volumeOn = [](const QByteArray &name, const QByteArray &node,
                       const QByteArray &extra = {}) {
        return "kind: PersistentVolume\nmetadata: {name: " + name +
               ", resourceVersion: '7'}\n"
               "spec: {capacity: {storage: 5Gi}, accessModes: [ReadWriteOnce]" +
               extra +
               ", nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key:"
               " kubernetes.io/hostname, operator: In, values: [" +
               node +
               "]}]}]}}}\n"
               "status: {phase: Available}\n---\n";
    };
    const QString nodeConflict = u"node(s) had volume node affinity conflict"_s;
    const QString bindConflict = u"node(s) didn't find available persistent volumes to bind"_s;

    QTest::newRow("no claims") << classes << QByteArray("[{name: t, emptyDir: {}}]") << QString()
                               << QStringList() << QStringList();
    QTest::newRow("claim missing")
        << classes << data << u"persistentvolumeclaim \"data\" not found"_s << QStringList()
        << QStringList();
    QTest::newRow("claim being deleted")
        << classes +
               claim("{storageClassName: standard}", ", deletionTimestamp: '2024-01-01T00:00:00Z'")
        << data << u"persistentvolumeclaim \"data\" is being deleted"_s << QStringList()
        << QStringList();
    QTest::newRow("claim lost its volume")
        << classes + claim("{volumeName: gone}\nstatus: {phase: Lost}", bound) << data
        << u"persistentvolumeclaim \"data\" bound to non-existent persistentvolume \"gone\""_s
        << QStringList() << QStringList();
    QTest::newRow("ephemeral volume not made yet")
        << classes << QByteArray("[{name: scratch, ephemeral: {volumeClaimTemplate: {spec: {}}}}]")
        << u"waiting for ephemeral volume controller to create the persistentvolumeclaim "
           "\"app-scratch\""_s
        << QStringList() << QStringList();
    QTest::newRow("unbound claim of an Immediate class")
        << classes + claim("{storageClassName: now}") << data
        << u"pod has unbound immediate PersistentVolumeClaims"_s << QStringList() << QStringList();
    QTest::newRow("unbound claim without class")
        << classes + claim("{storageClassName: ''}") << data
        << u"pod has unbound immediate PersistentVolumeClaims"_s << QStringList() << QStringList();
    QTest::newRow("claim naming a volume, not bound yet")
        << classes + claim("{storageClassName: standard, volumeName: pv1}") << data
        << u"pod has unbound immediate PersistentVolumeClaims"_s << QStringList() << QStringList();
    QTest::newRow("bound, volume on this node")
        << classes + claim("{storageClassName: standard, volumeName: pv1}", bound) +
               volumeOn("pv1", "node-a")
        << data << QString() << QStringList() << QStringList();
    QTest::newRow("bound, volume on another node")
        << classes + claim("{storageClassName: standard, volumeName: pv1}", bound) +
               volumeOn("pv1", "node-b")
        << data << QString() << QStringList{nodeConflict} << QStringList();
    QTest::newRow("bound, volume reachable from every node")
        << classes + claim("{storageClassName: '', volumeName: pv1}", bound) +
               "kind: PersistentVolume\nmetadata: {name: pv1}\nspec: {hostPath: {path: /x}}\n"
        << data << QString() << QStringList() << QStringList();
    QTest::newRow("bound to a volume that is gone")
        << classes + claim("{storageClassName: standard, volumeName: pv1}", bound) << data
        << QString()
        << QStringList{u"node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"_s}
        << QStringList();
    QTest::newRow("waits for its first consumer: provisioned here")
        << classes + claim("{storageClassName: standard, accessModes: [ReadWriteOnce]}") << data
        << QString() << QStringList() << QStringList{u"claim ns/data selected-node=node-a"_s};
    QTest::newRow("claim without a class yet")
        << classes + claim("{accessModes: [ReadWriteOnce]}") << data
        << u"pod has unbound immediate PersistentVolumeClaims"_s << QStringList() << QStringList();
    QTest::newRow("already to be provisioned on this node")
        << classes + claim("{storageClassName: standard}",
                           ", annotations: {volume.kubernetes.io/selected-node: node-a}")
        << data << QString() << QStringList() << QStringList();
    QTest::newRow("already to be provisioned on another node")
        << classes + claim("{storageClassName: standard}",
                           ", annotations: {volume.kubernetes.io/selected-node: node-b}")
        << data << QString() << QStringList{bindConflict} << QStringList();
    QTest::newRow("local volume on this node is reserved")
        << classes +
               claim("{storageClassName: local, accessModes: [ReadWriteOnce],"
                     " resources: {requests: {storage: 1Gi}}}") +
               volumeOn("pv-b", "node-b", ", storageClassName: local") +
               volumeOn("pv-a", "node-a", ", storageClassName: local")
        << data << QString() << QStringList() << QStringList{u"volume pv-a claimRef=ns/data"_s};
    QTest::newRow("local volume only on another node")
        << classes +
               claim("{storageClassName: local, accessModes: [ReadWriteOnce],"
                     " resources: {requests: {storage: 1Gi}}}") +
               volumeOn("pv-b", "node-b", ", storageClassName: local")
        << data << QString() << QStringList{bindConflict} << QStringList{};
    QTest::newRow("local volume too small")
        << classes +
               claim("{storageClassName: local, accessModes: [ReadWriteOnce],"
                     " resources: {requests: {storage: 9Gi}}}") +
               volumeOn("pv-a", "node-a", ", storageClassName: local")
        << data << QString() << QStringList{bindConflict} << QStringList{};
    QTest::newRow("pre-made volume preferred to provisioning")
        << classes +
               claim("{storageClassName: standard, accessModes: [ReadWriteOnce],"
                     " resources: {requests: {storage: 1Gi}}}") +
               volumeOn("pv-a", "node-a", ", storageClassName: standard")
        << data << QString() << QStringList() << QStringList{u"volume pv-a claimRef=ns/data"_s};
    QTest::newRow("two claims do not take the same volume")
        << classes +
               claim("{storageClassName: local, accessModes: [ReadWriteOnce],"
                     " resources: {requests: {storage: 1Gi}}}") +
               "kind: PersistentVolumeClaim\nmetadata: {name: more, namespace: ns, uid: u2}\n"
               "spec: {storageClassName: local, accessModes: [ReadWriteOnce],"
               " resources: {requests: {storage: 1Gi}}}\n---\n" +
               volumeOn("pv-a", "node-a", ", storageClassName: local")
        << QByteArray("[{name: d, persistentVolumeClaim: {claimName: data}},"
                      " {name: m, persistentVolumeClaim: {claimName: more}}]")
        << QString() << QStringList{bindConflict} << QStringList();
}

void TestStorageControllers::volumeFilterDecidesPerNode()
{
    QFETCH(QByteArray, world);
    QFETCH(QByteArray, podVolumes);
    QFETCH(QString, preFilter);
    QFETCH(QStringList, reasons);
    QFETCH(QStringList, writes);
    QHash<QString, QJsonObject> byKey;
    QList<QJsonObject> allVolumes;
    for (const QJsonObject &o : documents(world)) {
        const QString kind = o.value(u"kind").toString();
        byKey.insert(kind + u'/' + stringAt(o, u"metadata.namespace") + u'/' +
                         stringAt(o, u"metadata.name"),
                     o);
        if (kind == u"PersistentVolume")
            allVolumes.append(o);
    }
    scheduler::VolumeListers listers;
    listers.claim = [&](const QString &ns, const QString &name) {
        return byKey.value(u"PersistentVolumeClaim/"_s + ns + u'/' + name);
    };
    listers.volume = [&](const QString &name) {
        return byKey.value(u"PersistentVolume//"_s + name);
    };
    listers.storageClass = [&](const QString &name) {
        return byKey.value(u"StorageClass//"_s + name);
    };
    listers.volumes = [&] { return allVolumes; };
    const QJsonObject pod = document(
        "metadata: {name: app, namespace: ns, uid: p1}\nspec: {volumes: " + podVolumes + "}");
    const QJsonObject node =
        document("metadata: {name: node-a, labels: {kubernetes.io/hostname: node-a}}");

    QCOMPARE(scheduler::preFilterVolumes(pod, listers).value_or(QString()), preFilter);
    if (!preFilter.isEmpty())
        return;
    QCOMPARE(scheduler::filterVolumes(pod, node, listers), reasons);
    if (!reasons.isEmpty())
        return; // the scheduler does not choose this node
    QStringList made;
    for (const scheduler::VolumeBindingWrite &w :
         scheduler::volumeBindingWrites(pod, node, listers)) {
        const QJsonObject patch = QJsonDocument::fromJson(w.mergePatch).object();
        if (w.target == scheduler::VolumeBindingWrite::Target::Claim) {
            made.append(u"claim %1/%2 selected-node=%3"_s.arg(
                w.ns, w.name,
                objectAt(patch, u"metadata.annotations")
                    .value(u"volume.kubernetes.io/selected-node")
                    .toString()));
        } else {
            // The reservation is conditional on the volume being as the scheduler saw it.
            QCOMPARE(stringAt(patch, u"metadata.resourceVersion"), u"7"_s);
            QCOMPARE(stringAt(patch, u"spec.claimRef.uid"), u"u1"_s);
            made.append(u"volume %1 claimRef=%2/%3"_s.arg(
                w.name, stringAt(patch, u"spec.claimRef.namespace"),
                stringAt(patch, u"spec.claimRef.name")));
        }
    }
    QCOMPARE(made, writes);
}

void TestStorageControllers::volumeNodeAffinityMatchesNodeSelectorTerms_data()
{
    QTest::addColumn<QByteArray>("required");
    QTest::addColumn<bool>("matches");
    // The node: node-a, labels kubernetes.io/hostname=node-a, zone=z1, disks=3.
    QTest::newRow("In")
        << QByteArray("[{matchExpressions: [{key: zone, operator: In, values: [z1, z2]}]}]")
        << true;
    QTest::newRow("In, other value")
        << QByteArray("[{matchExpressions: [{key: zone, operator: In, values: [z2]}]}]") << false;
    QTest::newRow("NotIn")
        << QByteArray("[{matchExpressions: [{key: zone, operator: NotIn, values: [z2]}]}]") << true;
    QTest::newRow("NotIn, missing label")
        << QByteArray("[{matchExpressions: [{key: rack, operator: NotIn, values: [r1]}]}]") << true;
    QTest::newRow("Exists") << QByteArray("[{matchExpressions: [{key: zone, operator: Exists}]}]")
                            << true;
    QTest::newRow("DoesNotExist")
        << QByteArray("[{matchExpressions: [{key: zone, operator: DoesNotExist}]}]") << false;
    QTest::newRow("Gt") << QByteArray(
                               "[{matchExpressions: [{key: disks, operator: Gt, values: ['2']}]}]")
                        << true;
    QTest::newRow("Lt") << QByteArray(
                               "[{matchExpressions: [{key: disks, operator: Lt, values: ['2']}]}]")
                        << false;
    QTest::newRow("all expressions of a term")
        << QByteArray("[{matchExpressions: [{key: zone, operator: In, values: [z1]},"
                      " {key: disks, operator: In, values: ['9']}]}]")
        << false;
    QTest::newRow("any term")
        << QByteArray("[{matchExpressions: [{key: zone, operator: In, values: [z9]}]},"
                      " {matchExpressions: [{key: zone, operator: In, values: [z1]}]}]")
        << true;
    QTest::newRow("matchFields metadata.name")
        << QByteArray("[{matchFields: [{key: metadata.name, operator: In, values: [node-a]}]}]")
        << true;
    QTest::newRow("empty term matches nothing") << QByteArray("[{}]") << false;
    QTest::newRow("no terms matches nothing") << QByteArray("[]") << false;
}

void TestStorageControllers::volumeNodeAffinityMatchesNodeSelectorTerms()
{
    QFETCH(QByteArray, required);
    QFETCH(bool, matches);
    const QJsonObject node = document("metadata: {name: node-a, labels: {kubernetes.io/hostname:"
                                      " node-a, zone: z1, disks: '3'}}");
    const QJsonObject volume =
        document("spec: {nodeAffinity: {required: {nodeSelectorTerms: " + required + "}}}");
    QCOMPARE(scheduler::volumeAllowsNode(volume, node), matches);
    QVERIFY(scheduler::volumeAllowsNode(document("spec: {}"), node));
}

QTEST_GUILESS_MAIN(TestStorageControllers)
#include "tst_storagecontrollers.moc"
