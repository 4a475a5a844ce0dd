// The node agent's pod volumes: API data projected into files the kubelet's way (modes,
// ..data links, atomic updates), the kubelet's errors, hostPath as KinD users expect it, and
// the Docker mounts of each container. Files go to a temporary directory that is both the
// node agent's root and the Docker daemon's (or a pretend daemon path, to see the mapping).
#include "core/yaml.h"
#include "kubelet/volumes.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <sys/stat.h>
#include <unistd.h>

using namespace timonel;
using namespace Qt::StringLiterals;

namespace {

QJsonValue yaml(const char *text)
{
    auto parsed = core::parseYaml(QByteArray(text));
    if (!parsed)
        qFatal("bad test YAML: %s", qPrintable(parsed.error().message));
    return *parsed;
}

// A pod with the given volumes (a YAML list) and one container.
QJsonObject podWith(const char *volumes, const QString &uid = u"0f8f3c2e-uid"_s)
{
    QJsonObject pod = yaml(R"(
metadata:
  name: web
  namespace: default
  labels: {app: web, tier: front end}
  annotations: {note: 'say "hi"'}
spec:
  containers:
  - name: app
    image: nginx
    resources:
      limits: {memory: 128Mi, cpu: 500m}
      requests: {cpu: 250m}
  - name: sidecar
    image: busybox
)")
                          .toObject();
    QJsonObject meta = pod.value(u"metadata").toObject();
    meta.insert(u"uid"_s, uid);
    pod.insert(u"metadata"_s, meta);
    QJsonObject spec = pod.value(u"spec").toObject();
    spec.insert(u"volumes"_s, yaml(volumes));
    pod.insert(u"spec"_s, spec);
    return pod;
}

kubelet::VolumeSources sources()
{
    kubelet::VolumeSources s;
    s.configMaps.insert(u"app-config"_s, yaml(R"(
metadata: {name: app-config, namespace: default}
data:
  app.properties: "color=blue\n"
  level: debug
binaryData:
  logo.bin: AAEC/w==
)")
                                             .toObject());
    s.configMaps.insert(u"kube-root-ca.crt"_s, yaml(R"(
metadata: {name: kube-root-ca.crt, namespace: default}
data: {ca.crt: "-----BEGIN CERTIFICATE-----\n"}
)")
                                                   .toObject());
    s.secrets.insert(u"db"_s, yaml(R"(
metadata: {name: db, namespace: default}
data: {password: czNjcjN0, user: YWRtaW4=}
)")
                                  .toObject());
    s.nodeMilliCpu = 4000;
    s.nodeMemory = 8LL << 30;
    return s;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
}

int modeOf(const QString &path)
{
    struct stat st;
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? int(st.st_mode & 07777) : -1;
}

QString linkOf(const QString &path)
{
    char buffer[4096];
    const ssize_t n = ::readlink(QFile::encodeName(path).constData(), buffer, sizeof buffer);
    return n < 0 ? QString() : QFile::decodeName(QByteArray(buffer, n));
}

// The names a container sees at the top of a projected volume.
QStringList visibleNames(const QString &dir)
{
    QStringList names =
        QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    names.removeIf([](const QString &n) { return n.startsWith(u".."); });
    names.sort();
    return names;
}

struct ExpectedFile
{
    QString path;
    QByteArray content;
    int mode;
};
using Files = QList<ExpectedFile>;

} // namespace

Q_DECLARE_METATYPE(Files)

class TestVolumes : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_root;

    QString root() const { return m_root->path(); }
    kubelet::VolumeHost host() const
    {
        kubelet::VolumeHost h;
        h.localRoot = h.hostRoot = root();
        return h;
    }
    QString volumeDir(const QString &plugin, const QString &name,
                      const QString &uid = u"0f8f3c2e-uid"_s) const
    {
        return u"%1/pods/%2/volumes/kubernetes.io~%3/%4"_s.arg(root(), uid, plugin, name);
    }

private Q_SLOTS:
    void init()
    {
        m_root = std::make_unique<QTemporaryDir>();
        QVERIFY(m_root->isValid());
    }

    void apiDataVolumesProjectKeysAsFiles_data()
    {
        QTest::addColumn<QByteArray>("volumes");
        QTest::addColumn<QString>("plugin");
        QTest::addColumn<Files>("files");

        QTest::newRow("configMap: every key, data and binaryData, 0644")
            << QByteArray("[{name: v, configMap: {name: app-config}}]") << u"configmap"_s
            << Files{{u"app.properties"_s, "color=blue\n", 0644},
                     {u"level"_s, "debug", 0644},
                     {u"logo.bin"_s, QByteArray("\x00\x01\x02\xff", 4), 0644}};
        QTest::newRow("configMap: items with paths and modes over defaultMode")
            << QByteArray("[{name: v, configMap: {name: app-config, defaultMode: 0440, items: "
                          "[{key: level, path: conf/level.txt, mode: 0600}, "
                          "{key: app.properties, path: app.conf}]}}]")
            << u"configmap"_s
            << Files{{u"app.conf"_s, "color=blue\n", 0440},
                     {u"conf"_s, {}, -1},
                     {u"conf/level.txt"_s, "debug", 0600}};
        QTest::newRow("secret: values decoded")
            << QByteArray("[{name: v, secret: {secretName: db, defaultMode: 0400}}]") << u"secret"_s
            << Files{{u"password"_s, "s3cr3t", 0400}, {u"user"_s, "admin", 0400}};
        QTest::newRow("secret: items")
            << QByteArray("[{name: v, secret: {secretName: db, items: [{key: password, path: "
                          "creds/pw}]}}]")
            << u"secret"_s << Files{{u"creds"_s, {}, -1}, {u"creds/pw"_s, "s3cr3t", 0644}};
        QTest::newRow("optional configMap that does not exist: empty volume")
            << QByteArray("[{name: v, configMap: {name: nope, optional: true}}]") << u"configmap"_s
            << Files{};
        QTest::newRow("optional: missing keys skipped")
            << QByteArray("[{name: v, configMap: {name: app-config, optional: true, items: "
                          "[{key: nope, path: x}, {key: level, path: l}]}}]")
            << u"configmap"_s << Files{{u"l"_s, "debug", 0644}};
        QTest::newRow("downwardAPI: fields, maps quoted as Go does, resources with divisors")
            << QByteArray(R"([{name: v, downwardAPI: {items: [
                 {path: name, fieldRef: {fieldPath: metadata.name}},
                 {path: ns, fieldRef: {fieldPath: metadata.namespace}, mode: 0400},
                 {path: uid, fieldRef: {fieldPath: metadata.uid}},
                 {path: labels, fieldRef: {fieldPath: metadata.labels}},
                 {path: annotations, fieldRef: {fieldPath: metadata.annotations}},
                 {path: app, fieldRef: {fieldPath: "metadata.labels['app']"}},
                 {path: mem, resourceFieldRef: {containerName: app, resource: limits.memory,
                                                divisor: 1Mi}},
                 {path: cpu, resourceFieldRef: {containerName: app, resource: limits.cpu,
                                                divisor: 1m}},
                 {path: cpureq, resourceFieldRef: {containerName: app, resource: requests.cpu}},
                 {path: nodemem, resourceFieldRef: {containerName: sidecar, resource: limits.memory,
                                                    divisor: 1Gi}},
                 {path: nodecpu, resourceFieldRef: {containerName: sidecar,
                                                    resource: limits.cpu}}]}}])")
            << u"downward-api"_s
            << Files{{u"annotations"_s, "note=\"say \\\"hi\\\"\"", 0644},
                     {u"app"_s, "web", 0644},
                     {u"cpu"_s, "500", 0644},
                     {u"cpureq"_s, "1", 0644},
                     {u"labels"_s, "app=\"web\"\ntier=\"front end\"", 0644},
                     {u"mem"_s, "128", 0644},
                     {u"name"_s, "web", 0644},
                     {u"nodecpu"_s, "4", 0644},
                     {u"nodemem"_s, "8", 0644},
                     {u"ns"_s, "default", 0400},
                     {u"uid"_s, "0f8f3c2e-uid", 0644}};
        QTest::newRow("projected: a service account volume without its token")
            << QByteArray(R"([{name: v, projected: {defaultMode: 0444, sources: [
                 {serviceAccountToken: {expirationSeconds: 3607, path: token}},
                 {configMap: {name: kube-root-ca.crt, items: [{key: ca.crt, path: ca.crt}]}},
                 {downwardAPI: {items: [{path: namespace,
                                         fieldRef: {fieldPath: metadata.namespace}}]}},
                 {secret: {name: db, items: [{key: user, path: db/user, mode: 0400}]}}]}}])")
            << u"projected"_s
            << Files{{u"ca.crt"_s, "-----BEGIN CERTIFICATE-----\n", 0444},
                     {u"db"_s, {}, -1},
                     {u"db/user"_s, "admin", 0400},
                     {u"namespace"_s, "default", 0444}};
    }

    void apiDataVolumesProjectKeysAsFiles()
    {
        QFETCH(QByteArray, volumes);
        QFETCH(QString, plugin);
        QFETCH(Files, files);
        kubelet::VolumeManager manager(host(), docker::DockerClient());
        auto prepared = manager.prepare(podWith(volumes.constData()), sources());
        QVERIFY2(prepared, prepared ? "" : qPrintable(prepared.error().message));
        const QString dir = volumeDir(plugin, u"v"_s);
        QCOMPARE(prepared->mounts.value(u"v"_s),
                 (QJsonObject{{u"Type"_s, u"bind"_s}, {u"Source"_s, dir}, {u"ReadOnly"_s, true}}));

        QStringList expectedTop;
        for (const ExpectedFile &f : files) {
            if (!f.path.contains(u'/'))
                expectedTop.append(f.path);
            if (f.mode < 0) { // a directory
                QVERIFY2(QFileInfo(dir + u'/' + f.path).isDir(), qPrintable(f.path));
                continue;
            }
            QCOMPARE(readAll(dir + u'/' + f.path), f.content);
            QCOMPARE(modeOf(dir + u'/' + f.path), f.mode);
        }
        expectedTop.sort();
        QCOMPARE(visibleNames(dir), expectedTop);
        for (const QString &name : std::as_const(expectedTop))
            QCOMPARE(linkOf(dir + u'/' + name), u"..data/"_s + name);
    }

    void dataLinkPointsAtATimestampedDirectory()
    {
        kubelet::VolumeManager manager(host(), docker::DockerClient());
        QVERIFY(
            manager.prepare(podWith("[{name: config, configMap: {name: app-config}}]"), sources()));
        const QString dir = volumeDir(u"configmap"_s, u"config"_s);
        const QString data = linkOf(dir + u"/..data"_s);
        QVERIFY2(QRegularExpression(u"^\\.\\.\\d{4}_\\d\\d_\\d\\d_\\d\\d_\\d\\d_\\d\\d\\.\\w{6}$"_s)
                     .match(data)
                     .hasMatch(),
                 qPrintable(data));
        QCOMPARE(modeOf(dir + u'/' + data), 0755);
        QCOMPARE(modeOf(dir), 0777);
        QVERIFY(QFileInfo(dir + u'/' + data + u"/level"_s).isFile());
        QVERIFY(QFileInfo(dir + u"/level"_s).isSymLink());
        QVERIFY(!QFileInfo::exists(dir + u"/..data_tmp"_s));
    }

    void updatesSwapTheDataLinkOnlyWhenContentChanges()
    {
        kubelet::VolumeManager manager(host(), docker::DockerClient());
        const QJsonObject pod = podWith("[{name: config, configMap: {name: app-config}}]");
        kubelet::VolumeSources s = sources();
        QVERIFY(manager.prepare(pod, s));
        const QString dir = volumeDir(u"configmap"_s, u"config"_s);
        const QString first = linkOf(dir + u"/..data"_s);

        QVERIFY(manager.prepare(pod, s));
        QCOMPARE(linkOf(dir + u"/..data"_s), first);

        // One value changes: a new version, seen through the same path.
        QJsonObject cm = s.configMaps.value(u"app-config"_s);
        QJsonObject data = cm.value(u"data"_s).toObject();
        data.insert(u"level"_s, u"info"_s);
        cm.insert(u"data"_s, data);
        s.configMaps.insert(u"app-config"_s, cm);
        QVERIFY(manager.prepare(pod, s));
        const QString second = linkOf(dir + u"/..data"_s);
        QVERIFY(second != first);
        QVERIFY(!QFileInfo::exists(dir + u'/' + first)); // the old version is gone
        QCOMPARE(readAll(dir + u"/level"_s), QByteArray("info"));

        // Keys come and go: so do their links.
        cm.insert(u"data"_s, QJsonObject{{u"level"_s, u"info"_s}, {u"extra"_s, u"1"_s}});
        cm.remove(u"binaryData"_s);
        s.configMaps.insert(u"app-config"_s, cm);
        QVERIFY(manager.prepare(pod, s));
        const QString third = linkOf(dir + u"/..data"_s);
        QVERIFY(third != second);
        QCOMPARE(visibleNames(dir), (QStringList{u"extra"_s, u"level"_s}));
        QCOMPARE(QDir(dir).entryList(QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot |
                                     QDir::NoSymLinks),
                 QStringList{third});
    }

    void missingSourcesFailAsTheKubeletDoes_data()
    {
        QTest::addColumn<QByteArray>("volumes");
        QTest::addColumn<QString>("message");
        const QString prefix = u"MountVolume.SetUp failed for volume \"v\" : "_s;
        QTest::newRow("configMap") << QByteArray("[{name: v, configMap: {name: app}}]")
                                   << prefix + u"configmap \"app\" not found"_s;
        QTest::newRow("secret") << QByteArray("[{name: v, secret: {secretName: creds}}]")
                                << prefix + u"secret \"creds\" not found"_s;
        QTest::newRow("configMap key")
            << QByteArray("[{name: v, configMap: {name: app-config, items: [{key: nope, path: "
                          "x}]}}]")
            << prefix + u"configmap references non-existent config key: nope"_s;
        QTest::newRow("secret key")
            << QByteArray("[{name: v, secret: {secretName: db, items: [{key: nope, path: x}]}}]")
            << prefix + u"secret references non-existent secret key: nope"_s;
        QTest::newRow("projected configMap")
            << QByteArray("[{name: v, projected: {sources: [{configMap: {name: gone}}]}}]")
            << prefix + u"configmap \"gone\" not found"_s;
        QTest::newRow("claim") << QByteArray(
                                      "[{name: v, persistentVolumeClaim: {claimName: data}}]")
                               << prefix + u"persistentvolumeclaim \"data\" not found"_s;
        QTest::newRow("unbound claim")
            << QByteArray("[{name: v, persistentVolumeClaim: {claimName: pending}}]")
            << prefix + u"PVC default/pending has non-bound phase (\"Pending\") or empty "
                        "pvc.Spec.VolumeName (\"\")"_s;
        QTest::newRow("hostPath Directory")
            << QByteArray("[{name: v, hostPath: {path: /srv/nothing, type: Directory}}]")
            << prefix + u"hostPath type check failed: /srv/nothing is not a directory"_s;
        QTest::newRow("hostPath File")
            << QByteArray("[{name: v, hostPath: {path: /etc/app.conf, type: File}}]")
            << prefix + u"hostPath type check failed: /etc/app.conf is not a file"_s;
        QTest::newRow("hostPath Socket")
            << QByteArray("[{name: v, hostPath: {path: /run/app.sock, type: Socket}}]")
            << prefix + u"hostPath type check failed: /run/app.sock is not a socket file"_s;
        QTest::newRow("hostPath bad type")
            << QByteArray("[{name: v, hostPath: {path: /x, type: Pipe}}]")
            << prefix + u"Pipe is an invalid volume type"_s;
        QTest::newRow("unsupported plugin")
            << QByteArray("[{name: v, nfs: {server: nfs.local, path: /}}]")
            << prefix + u"no volume plugin matched"_s;
    }

    void missingSourcesFailAsTheKubeletDoes()
    {
        QFETCH(QByteArray, volumes);
        QFETCH(QString, message);
        kubelet::VolumeSources s = sources();
        s.persistentVolumeClaims.insert(u"pending"_s, yaml(R"(
metadata: {name: pending, namespace: default}
status: {phase: Pending}
)")
                                                          .toObject());
        kubelet::VolumeManager manager(host(), docker::DockerClient());
        auto prepared = manager.prepare(podWith(volumes.constData()), s);
        QVERIFY(!prepared);
        QCOMPARE(prepared.error().volume, u"v"_s);
        QCOMPARE(prepared.error().message, message);
    }

    void hostPathsResolveAsOnAKindNode_data()
    {
        QTest::addColumn<QString>("path"); // %NODE% is an extraMount's containerPath
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("source"); // what Docker mounts
        QTest::addColumn<QString>("made");   // "dir" or "file" made on the node agent's side

        QTest::newRow("under an extraMount: the host's directory")
            << u"%NODE%/logs"_s << u"DirectoryOrCreate"_s << u"/home/me/data/logs"_s
            << u"dir:%NODE%/logs"_s;
        QTest::newRow("the extraMount itself")
            << u"%NODE%"_s << u"Directory"_s << u"/home/me/data"_s << QString();
        QTest::newRow("the Docker socket")
            << u"/var/run/docker.sock"_s << u"Socket"_s << u"/run/user/docker.sock"_s << QString();
        QTest::newRow("node-local, no type: a directory is made")
            << u"/var/log/app"_s << QString() << u"/srv/host-view/host-paths/var/log/app"_s
            << u"dir:%ROOT%/host-paths/var/log/app"_s;
        QTest::newRow("node-local FileOrCreate") << u"/etc/app.conf"_s << u"FileOrCreate"_s
                                                 << u"/srv/host-view/host-paths/etc/app.conf"_s
                                                 << u"file:%ROOT%/host-paths/etc/app.conf"_s;
    }

    void hostPathsResolveAsOnAKindNode()
    {
        QFETCH(QString, path);
        QFETCH(QString, type);
        QFETCH(QString, source);
        QFETCH(QString, made);
        const QString node = root() + u"/node-data"_s;
        QVERIFY(QDir().mkpath(node));
        kubelet::VolumeHost h = host();
        h.hostRoot = u"/srv/host-view"_s; // the daemon's path differs from the agent's
        h.nodeMounts = {{node, u"/home/me/data"_s}, {u"/elsewhere"_s, u"/tmp/x"_s}};
        h.dockerSocket = u"/run/user/docker.sock"_s;
        auto expand = [&](QString s) {
            return s.replace(u"%NODE%"_s, node).replace(u"%ROOT%"_s, root());
        };
        QJsonObject hostPath{{u"path"_s, expand(path)}};
        if (!type.isEmpty())
            hostPath.insert(u"type"_s, type);
        QJsonObject pod = podWith("[]");
        QJsonObject spec = pod.value(u"spec").toObject();
        spec.insert(u"volumes"_s,
                    QJsonArray{QJsonObject{{u"name"_s, u"h"_s}, {u"hostPath"_s, hostPath}}});
        pod.insert(u"spec"_s, spec);

        kubelet::VolumeManager manager(h, docker::DockerClient());
        auto prepared = manager.prepare(pod, sources());
        QVERIFY2(prepared, prepared ? "" : qPrintable(prepared.error().message));
        QCOMPARE(prepared->mounts.value(u"h"_s).value(u"Source").toString(), source);
        if (made.startsWith(u"dir:"))
            QVERIFY(QFileInfo(expand(made.mid(4))).isDir());
        if (made.startsWith(u"file:"))
            QVERIFY(QFileInfo(expand(made.mid(5))).isFile());
    }

    void emptyDirIsAWritableDirectoryOfThePod()
    {
        kubelet::VolumeHost h = host();
        h.hostRoot = u"/srv/host-view"_s;
        kubelet::VolumeManager manager(h, docker::DockerClient());
        auto prepared =
            manager.prepare(podWith("[{name: cache, emptyDir: {}}, {name: bare}]"), sources());
        QVERIFY(prepared);
        for (const QString &name : {u"cache"_s, u"bare"_s}) {
            QCOMPARE(prepared->mounts.value(name),
                     (QJsonObject{{u"Type"_s, u"bind"_s},
                                  {u"Source"_s, u"/srv/host-view/pods/0f8f3c2e-uid/volumes/"
                                                "kubernetes.io~empty-dir/"_s +
                                                    name},
                                  {u"ReadOnly"_s, false}}));
            QCOMPARE(modeOf(volumeDir(u"empty-dir"_s, name)), 0777);
        }
        // A file written by a container survives the next sync.
        QVERIFY(
            QFile(volumeDir(u"empty-dir"_s, u"cache"_s) + u"/state"_s).open(QIODevice::WriteOnly));
        QVERIFY(manager.prepare(podWith("[{name: cache, emptyDir: {}}]"), sources()));
        QVERIFY(QFileInfo::exists(volumeDir(u"empty-dir"_s, u"cache"_s) + u"/state"_s));
    }

    void mountsForResolvesVolumeMounts_data()
    {
        QTest::addColumn<QByteArray>("container");
        QTest::addColumn<QByteArray>("mounts"); // %V% is the daemon's volumes directory
        QTest::addColumn<QString>("created");   // a subPath directory made for the mount

        QTest::newRow("readOnly, and API data always read-only")
            << QByteArray(R"({name: app, volumeMounts: [
                 {name: cache, mountPath: /cache},
                 {name: cache, mountPath: /ro, readOnly: true},
                 {name: config, mountPath: /etc/app}]})")
            << QByteArray(R"([
                 {Type: bind, Source: "%V%/kubernetes.io~empty-dir/cache", Target: /cache,
                  ReadOnly: false},
                 {Type: bind, Source: "%V%/kubernetes.io~empty-dir/cache", Target: /ro,
                  ReadOnly: true},
                 {Type: bind, Source: "%V%/kubernetes.io~configmap/config", Target: /etc/app,
                  ReadOnly: true}])")
            << QString();
        QTest::newRow("subPath made inside the volume")
            << QByteArray("{name: app, volumeMounts: [{name: cache, mountPath: /var/www, "
                          "subPath: sites/a}]}")
            << QByteArray(R"([{Type: bind, Source: "%V%/kubernetes.io~empty-dir/cache/sites/a",
                               Target: /var/www, ReadOnly: false}])")
            << u"kubernetes.io~empty-dir/cache/sites/a"_s;
        QTest::newRow("subPath of a configMap key")
            << QByteArray("{name: app, volumeMounts: [{name: config, mountPath: "
                          "/etc/app.properties, subPath: app.properties}]}")
            << QByteArray(
                   R"([{Type: bind, Source: "%V%/kubernetes.io~configmap/config/app.properties",
                               Target: /etc/app.properties, ReadOnly: true}])")
            << QString();
        QTest::newRow("subPathExpr from env values and pod fields")
            << QByteArray(R"y({name: app,
                 env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}},
                       {name: BASE, value: logs},
                       {name: DIR, value: "$(BASE)/x"}],
                 volumeMounts: [{name: cache, mountPath: /logs,
                                 subPathExpr: "$(DIR)/$(POD_NAME)"}]})y")
            << QByteArray(R"([{Type: bind, Source: "%V%/kubernetes.io~empty-dir/cache/logs/x/web",
                               Target: /logs, ReadOnly: false}])")
            << u"kubernetes.io~empty-dir/cache/logs/x/web"_s;
    }

    void mountsForResolvesVolumeMounts()
    {
        QFETCH(QByteArray, container);
        QFETCH(QByteArray, mounts);
        QFETCH(QString, created);
        kubelet::VolumeHost h = host();
        h.hostRoot = u"/srv/host-view"_s;
        kubelet::VolumeManager manager(h, docker::DockerClient());
        const QJsonObject pod =
            podWith("[{name: cache, emptyDir: {}}, {name: config, configMap: {name: app-config}}]");
        auto prepared = manager.prepare(pod, sources());
        QVERIFY(prepared);
        auto resolved = manager.mountsFor(pod, yaml(container.constData()).toObject(), *prepared);
        QVERIFY2(resolved, test::errorOf(resolved).constData());
        QByteArray expected = mounts;
        expected.replace("%V%", "/srv/host-view/pods/0f8f3c2e-uid/volumes");
        QCOMPARE(*resolved, yaml(expected.constData()).toArray());
        if (!created.isEmpty())
            QVERIFY(QFileInfo(root() + u"/pods/0f8f3c2e-uid/volumes/"_s + created).isDir());
    }

    void mountsForRejectsBadMounts_data()
    {
        QTest::addColumn<QByteArray>("container");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown volume")
            << QByteArray("{name: app, volumeMounts: [{name: nope, mountPath: /x}]}")
            << u"cannot find volume \"nope\" to mount into container \"app\""_s;
        QTest::newRow("absolute subPath")
            << QByteArray(
                   "{name: app, volumeMounts: [{name: cache, mountPath: /x, subPath: /etc}]}")
            << u"error SubPath `/etc` must not be an absolute path"_s;
        QTest::newRow("subPath leaving the volume")
            << QByteArray(
                   "{name: app, volumeMounts: [{name: cache, mountPath: /x, subPath: a/../../b}]}")
            << u"unable to provision SubPath `a/../../b`: must not contain '..'"_s;
        QTest::newRow("subPathExpr without values")
            << QByteArray("{name: app, env: [{name: EMPTY, value: ''}], volumeMounts: [{name: "
                          "cache, mountPath: /x, subPathExpr: '$(NOPE)/$(EMPTY)/$(ALSO)'}]}")
            << u"missing value for ALSO, EMPTY, NOPE"_s;
    }

    void mountsForRejectsBadMounts()
    {
        QFETCH(QByteArray, container);
        QFETCH(QString, message);
        kubelet::VolumeManager manager(host(), docker::DockerClient());
        const QJsonObject pod = podWith("[{name: cache, emptyDir: {}}]");
        auto prepared = manager.prepare(pod, sources());
        QVERIFY(prepared);
        auto resolved = manager.mountsFor(pod, yaml(container.constData()).toObject(), *prepared);
        QVERIFY(!resolved);
        QCOMPARE(resolved.error(), message);
    }

    void claimsMountTheirBoundVolume()
    {
        kubelet::VolumeHost h = host();
        h.hostRoot = u"/srv/host-view"_s;
        kubelet::VolumeManager manager(h, docker::DockerClient());
        auto provisioned = manager.provisionLocalVolume(u"pvc-1234"_s);
        QVERIFY2(provisioned, test::errorOf(provisioned).constData());
        QCOMPARE(*provisioned, u"/srv/host-view/local-volumes/pvc-1234"_s);
        QCOMPARE(modeOf(root() + u"/local-volumes/pvc-1234"_s), 0777);

        kubelet::VolumeSources s = sources();
        s.persistentVolumeClaims.insert(u"data"_s, yaml(R"(
metadata: {name: data, namespace: default}
spec: {volumeName: pvc-1234}
status: {phase: Bound}
)")
                                                       .toObject());
        s.persistentVolumeClaims.insert(u"manual"_s, yaml(R"(
metadata: {name: manual, namespace: default}
spec: {volumeName: task-pv}
status: {phase: Bound}
)")
                                                         .toObject());
        s.persistentVolumes.insert(
            u"pvc-1234"_s,
            QJsonObject{
                {u"spec"_s, QJsonObject{{u"local"_s, QJsonObject{{u"path"_s, *provisioned}}}}}});
        s.persistentVolumes.insert(u"task-pv"_s, yaml(R"(
spec: {hostPath: {path: /mnt/data}}
)")
                                                     .toObject());
        auto prepared = manager.prepare(podWith(R"([
            {name: data, persistentVolumeClaim: {claimName: data}},
            {name: ro, persistentVolumeClaim: {claimName: data, readOnly: true}},
            {name: manual, persistentVolumeClaim: {claimName: manual}}])"),
                                        s);
        QVERIFY2(prepared, prepared ? "" : qPrintable(prepared.error().message));
        QCOMPARE(prepared->mounts.value(u"data"_s),
                 (QJsonObject{
                     {u"Type"_s, u"bind"_s}, {u"Source"_s, *provisioned}, {u"ReadOnly"_s, false}}));
        QCOMPARE(prepared->mounts.value(u"ro"_s).value(u"ReadOnly"), QJsonValue(true));
        QCOMPARE(prepared->mounts.value(u"manual"_s).value(u"Source").toString(),
                 u"/srv/host-view/host-paths/mnt/data"_s);
        QVERIFY(QFileInfo(root() + u"/host-paths/mnt/data"_s).isDir());

        manager.deleteLocalVolume(u"pvc-1234"_s);
        QVERIFY(!QFileInfo::exists(root() + u"/local-volumes/pvc-1234"_s));
    }

    void cleanupRemovesOnlyThatPodsFiles()
    {
        kubelet::VolumeManager manager(host(), docker::DockerClient());
        QVERIFY(manager.prepare(podWith("[{name: a, emptyDir: {}}]", u"pod-a"_s), sources()));
        QVERIFY(manager.prepare(podWith("[{name: c, configMap: {name: app-config}}]", u"pod-b"_s),
                                sources()));
        QStringList onDisk = manager.podsOnDisk();
        onDisk.sort();
        QCOMPARE(onDisk, (QStringList{u"pod-a"_s, u"pod-b"_s}));
        manager.cleanup(u"pod-b"_s);
        QCOMPARE(manager.podsOnDisk(), QStringList{u"pod-a"_s});
        QVERIFY(!QFileInfo::exists(root() + u"/pods/pod-b"_s));
    }

    // Needs the real Docker engine: a memory-backed emptyDir is a tmpfs Docker volume that
    // every container of the pod mounts.
    void memoryEmptyDirIsATmpfsDockerVolume()
    {
        docker::DockerClient docker;
        auto ping = docker.ping();
        QVERIFY2(ping, ("Docker is needed: " + test::errorOf(ping)).constData());
        auto busybox = test::busyboxImage();
        QVERIFY2(busybox, test::errorOf(busybox).constData());

        const QString uid = QUuid::createUuid().toString(QUuid::WithoutBraces);
        kubelet::VolumeHost h = host();
        h.podNamePrefixForDockerVolumes = u"timonel-test-"_s;
        kubelet::VolumeManager manager(h, docker);
        const QJsonObject pod =
            podWith("[{name: shm, emptyDir: {medium: Memory, sizeLimit: 16Mi}}]", uid);
        auto prepared = manager.prepare(pod, sources());
        QVERIFY2(prepared, prepared ? "" : qPrintable(prepared.error().message));
        const QString name = u"timonel-test-emptydir-%1-shm"_s.arg(uid);
        QCOMPARE(
            prepared->mounts.value(u"shm"_s),
            (QJsonObject{{u"Type"_s, u"volume"_s}, {u"Source"_s, name}, {u"ReadOnly"_s, false}}));
        auto listed = docker.listVolumes(QJsonObject{{u"name"_s, QJsonArray{name}}});
        QVERIFY(listed);
        QCOMPARE(listed->size(), 1);
        const QJsonObject volume = listed->first().toObject();
        QCOMPARE(volume.value(u"Options").toObject(), (QJsonObject{{u"type"_s, u"tmpfs"_s},
                                                                   {u"device"_s, u"tmpfs"_s},
                                                                   {u"o"_s, u"size=16777216"_s}}));
        QCOMPARE(volume.value(u"Labels").toObject().value(u"io.kubernetes.pod.uid").toString(),
                 uid);

        // A container of the pod sees a tmpfs of that size at its mount path.
        auto mounts = manager.mountsFor(
            pod, yaml("{name: app, volumeMounts: [{name: shm, mountPath: /cache}]}").toObject(),
            *prepared);
        QVERIFY(mounts);
        auto id = docker.createContainer(u"timonel-test-%1"_s.arg(uid),
                                         {{u"Image"_s, *busybox},
                                          {u"Cmd"_s, QJsonArray{u"cat"_s, u"/proc/mounts"_s}},
                                          {u"HostConfig"_s, QJsonObject{{u"Mounts"_s, *mounts}}}});
        QVERIFY2(id, test::errorOf(id).constData());
        QByteArray output;
        const bool ran = docker.startContainer(*id) && docker.waitContainer(*id) &&
                         docker.logs(*id, false, [&](int, const QByteArray &data) {
                             output += data;
                             return true;
                         });
        docker.removeContainer(*id, true);
        QVERIFY(ran);
        QVERIFY2(output.contains("tmpfs /cache tmpfs") && output.contains("size=16384k"),
                 output.constData());

        manager.cleanup(uid);
        listed = docker.listVolumes(QJsonObject{{u"name"_s, QJsonArray{name}}});
        QVERIFY(listed);
        QCOMPARE(listed->size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestVolumes)
#include "tst_volumes.moc"
