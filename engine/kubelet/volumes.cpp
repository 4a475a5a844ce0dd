#include "volumes.h"

#include "containerenv.h"
#include "core/gostrings.h"
#include "core/quantity.h"
#include "runtimelabels.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMap>
#include <QSaveFile>
#include <QSet>

#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

using namespace Qt::StringLiterals;

namespace timonel::kubelet {

Q_LOGGING_CATEGORY(lcVolumes, "timonel.kubelet", QtInfoMsg)

namespace {

constexpr int defaultFileMode = 0644;
// Volume directories are open to every user, as the kubelet's emptyDir, so that containers
// running as non-root users can use them.
constexpr int volumeDirMode = 0777;

const QString dataDirName = u"..data"_s;
const QString newDataDirName = u"..data_tmp"_s;

struct FileProjection
{
    QByteArray data;
    int mode = defaultFileMode;
};
using Payload = QMap<QString, FileProjection>; // relative path -> file

QString setUpFailed(const QString &volume, const QString &error)
{
    return u"MountVolume.SetUp failed for volume \"%1\" : %2"_s.arg(volume, error);
}

bool makeDir(const QString &path, int mode)
{
    if (!QDir().mkpath(path))
        return false;
    return ::chmod(QFile::encodeName(path).constData(), mode) == 0;
}

int fileMode(const QString &path)
{
    struct stat st;
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 07777);
}

// The atomic writer's rules for paths in a payload (pkg/volume/util/atomic_writer.go).
std::expected<QString, QString> cleanPayloadPath(const QString &path)
{
    if (path.isEmpty())
        return std::unexpected(u"invalid path: must not be empty: \"\""_s);
    if (path.startsWith(u'/'))
        return std::unexpected(u"invalid path: must be relative path: "_s + path);
    const QStringList items = path.split(u'/');
    for (const QString &item : items) {
        if (item == u"..")
            return std::unexpected(u"invalid path: must not contain '..': "_s + path);
        if (item.toUtf8().size() > 255)
            return std::unexpected(
                u"invalid path: filenames must be less than or equal to 255 characters"_s);
    }
    if (items.first().startsWith(u"..") && items.first().size() > 2)
        return std::unexpected(u"invalid path: must not start with '..': "_s + path);
    return QDir::cleanPath(path);
}

// Every path under `dir`, relative, directories included.
QSet<QString> pathsUnder(const QString &dir)
{
    QSet<QString> paths;
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        paths.insert(QDir(dir).relativeFilePath(it.next()));
    return paths;
}

// Projects `payload` into `dir` as the kubelet does, so that a running container sees either
// the old or the new set of files, never a mix: the files live in a timestamped directory,
// `..data` links to it and is swapped with one rename, and each top-level name is a link
// through `..data`. Nothing is written when the files on disk are already the payload.
std::expected<void, QString> writeAtomically(const QString &dir, const Payload &raw)
{
    Payload payload;
    for (auto it = raw.begin(); it != raw.end(); ++it) {
        auto clean = cleanPayloadPath(it.key());
        if (!clean)
            return std::unexpected(clean.error());
        payload.insert(*clean, it.value());
    }
    const QDir target(dir);
    const QString dataLink = target.filePath(dataDirName);
    const QFileInfo dataInfo(dataLink);
    const QString oldTsDir = dataInfo.isSymLink() ? dataInfo.symLinkTarget() : QString();

    QSet<QString> toRemove;
    if (!oldTsDir.isEmpty()) {
        QSet<QString> wanted;
        for (auto it = payload.begin(); it != payload.end(); ++it)
            for (QString p = it.key(); !p.isEmpty() && p != u"."; p = QFileInfo(p).path())
                wanted.insert(p);
        toRemove = pathsUnder(oldTsDir) - wanted;
        bool changed = false;
        for (auto it = payload.begin(); it != payload.end() && !changed; ++it) {
            const QString path = QDir(oldTsDir).filePath(it.key());
            QFile file(path);
            changed = !file.open(QIODevice::ReadOnly) || file.readAll() != it->data ||
                      fileMode(path) != it->mode;
        }
        if (!changed && toRemove.isEmpty())
            return {};
    }

    // A fresh "..2006_01_02_15_04_05.<random>" directory, named as the kubelet names them.
    QByteArray tsTemplate = QFile::encodeName(target.filePath(
        QDateTime::currentDateTimeUtc().toString(u"..yyyy_MM_dd_HH_mm_ss."_s) + u"XXXXXX"_s));
    if (!::mkdtemp(tsTemplate.data()) || ::chmod(tsTemplate.constData(), 0755) != 0)
        return std::unexpected(u"unable to create new temp directory in %1"_s.arg(dir));
    const QString tsDir = QFile::decodeName(tsTemplate);
    const QString tsName = QFileInfo(tsDir).fileName();

    for (auto it = payload.begin(); it != payload.end(); ++it) {
        const QString path = QDir(tsDir).filePath(it.key());
        QFile file(path);
        if (!QDir().mkpath(QFileInfo(path).path()) || !file.open(QIODevice::WriteOnly) ||
            file.write(it->data) != it->data.size()) {
            QDir(tsDir).removeRecursively();
            return std::unexpected(u"unable to write file %1: %2"_s.arg(path, file.errorString()));
        }
        file.close();
        ::chmod(QFile::encodeName(path).constData(), it->mode);
    }

    for (auto it = payload.begin(); it != payload.end(); ++it) {
        const QString top = it.key().section(u'/', 0, 0);
        const QString visible = target.filePath(top);
        if (!QFileInfo(visible).isSymLink() &&
            ::symlink(QFile::encodeName(dataDirName + u'/' + top).constData(),
                      QFile::encodeName(visible).constData()) != 0)
            return std::unexpected(u"error creating visible symlinks in %1"_s.arg(dir));
    }

    const QByteArray newLink = QFile::encodeName(target.filePath(newDataDirName));
    ::unlink(newLink.constData());
    if (::symlink(QFile::encodeName(tsName).constData(), newLink.constData()) != 0 ||
        ::rename(newLink.constData(), QFile::encodeName(dataLink).constData()) != 0) {
        ::unlink(newLink.constData());
        QDir(tsDir).removeRecursively();
        return std::unexpected(u"error renaming symbolic link for data directory %1"_s.arg(dir));
    }

    // Only the links at the top level are the user's view; deeper paths went with the old
    // timestamped directory.
    for (const QString &path : std::as_const(toRemove))
        if (!path.contains(u'/'))
            ::unlink(QFile::encodeName(target.filePath(path)).constData());
    if (!oldTsDir.isEmpty())
        QDir(oldTsDir).removeRecursively();
    return {};
}

int modeOf(const QJsonObject &object, const QString &key, int fallback)
{
    return object.contains(key) ? object.value(key).toInt() : fallback;
}

// A ConfigMap's or Secret's files (configmap.MakePayload / secret.MakePayload): every key, or
// the listed items.
std::expected<Payload, QString> objectPayload(const QJsonObject &object, bool secret,
                                              const QJsonArray &items, int defaultMode,
                                              bool optional)
{
    const QJsonObject data = object.value(u"data").toObject();
    const QJsonObject binary = object.value(u"binaryData").toObject();
    auto value = [&](const QString &key) -> std::optional<QByteArray> {
        if (data.contains(key))
            return secret ? QByteArray::fromBase64(data.value(key).toString().toLatin1())
                          : data.value(key).toString().toUtf8();
        if (!secret && binary.contains(key))
            return QByteArray::fromBase64(binary.value(key).toString().toLatin1());
        return std::nullopt;
    };
    Payload payload;
    if (items.isEmpty()) {
        QStringList keys = data.keys();
        if (!secret)
            keys += binary.keys();
        for (const QString &key : std::as_const(keys))
            payload.insert(key, {*value(key), defaultMode});
        return payload;
    }
    for (const QJsonValue &v : items) {
        const QJsonObject item = v.toObject();
        const QString key = item.value(u"key").toString();
        const auto bytes = value(key);
        if (!bytes) {
            if (optional)
                continue;
            return std::unexpected(secret
                                       ? u"secret references non-existent secret key: "_s + key
                                       : u"configmap references non-existent config key: "_s + key);
        }
        payload.insert(item.value(u"path").toString(),
                       {*bytes, modeOf(item, u"mode"_s, defaultMode)});
    }
    return payload;
}

// A configMap or secret volume source, or one of a projected volume's sources.
std::expected<Payload, QString> sourcePayload(const QJsonObject &source, bool secret,
                                              const VolumeSources &sources, int defaultMode)
{
    const QString name = secret && source.contains(u"secretName")
                             ? source.value(u"secretName").toString()
                             : source.value(u"name").toString();
    const bool optional = source.value(u"optional").toBool();
    const auto &objects = secret ? sources.secrets : sources.configMaps;
    const auto found = objects.constFind(name);
    if (found == objects.cend()) {
        if (!optional)
            return std::unexpected(
                u"%1 \"%2\" not found"_s.arg(secret ? u"secret"_s : u"configmap"_s, name));
        return Payload();
    }
    return objectPayload(*found, secret, source.value(u"items").toArray(),
                         modeOf(source, u"defaultMode"_s, defaultMode), optional);
}

// labels and annotations as the downward API writes them (fieldpath.FormatMap): sorted
// key="value" lines with Go's quoting.
QString formatMap(const QJsonObject &map)
{
    QStringList lines;
    for (auto it = map.begin(); it != map.end(); ++it)
        lines.append(it.key() + u'=' + core::goQuote(it.value().toString()));
    return lines.join(u'\n');
}

std::expected<QString, QString> resourceValue(const QJsonObject &pod, const QJsonObject &ref,
                                              const VolumeSources &sources)
{
    const QString containerName = ref.value(u"containerName").toString();
    QJsonObject container;
    bool found = false;
    for (const auto *list : {u"containers", u"initContainers"})
        for (const QJsonValue &c : pod.value(u"spec").toObject().value(QStringView(list)).toArray())
            if (!found && c.toObject().value(u"name").toString() == containerName) {
                container = c.toObject();
                found = true;
            }
    if (!found)
        return std::unexpected(u"container %1 not found"_s.arg(containerName));
    const QString resource = ref.value(u"resource").toString();
    const QString section = resource.section(u'.', 0, 0);
    const QString kind = resource.section(u'.', 1);
    if ((section != u"limits" && section != u"requests") ||
        (kind != u"cpu" && kind != u"memory" && kind != u"ephemeral-storage"))
        return std::unexpected(u"unsupported container resource : "_s + resource);
    const QJsonValue set =
        container.value(u"resources").toObject().value(section).toObject().value(kind);
    const bool cpu = kind == u"cpu";
    double amount = 0; // millicores for cpu, bytes otherwise
    if (auto q = core::Quantity::fromJson(set); !set.isUndefined() && q)
        amount = double(cpu ? q->milliValue() : q->value());
    else if (section == u"limits") // no limit: the node's allocatable is the limit
        amount = double(cpu ? sources.nodeMilliCpu : kind == u"memory" ? sources.nodeMemory : 0);
    auto divisor = core::Quantity::fromJson(ref.value(u"divisor"));
    double d = 1;
    if (divisor && !divisor->isZero())
        d = double(cpu ? divisor->milliValue() : divisor->value());
    else if (cpu)
        d = 1000;
    return QString::number(qint64(std::ceil(amount / d)));
}

std::expected<Payload, QString> downwardPayload(const QJsonObject &pod, const QJsonArray &items,
                                                int defaultMode, const VolumeSources &sources)
{
    const QJsonObject meta = pod.value(u"metadata").toObject();
    Payload payload;
    for (const QJsonValue &v : items) {
        const QJsonObject item = v.toObject();
        std::expected<QString, QString> value;
        if (item.contains(u"fieldRef")) {
            const QString path = item.value(u"fieldRef").toObject().value(u"fieldPath").toString();
            if (path == u"metadata.labels" || path == u"metadata.annotations")
                value = formatMap(meta.value(path.mid(9)).toObject());
            else
                value = podFieldValue(pod, path, EnvContext());
        } else if (item.contains(u"resourceFieldRef")) {
            value = resourceValue(pod, item.value(u"resourceFieldRef").toObject(), sources);
        }
        if (!value)
            return std::unexpected(value.error());
        payload.insert(item.value(u"path").toString(),
                       {value->toUtf8(), modeOf(item, u"mode"_s, defaultMode)});
    }
    return payload;
}

std::expected<Payload, QString>
projectedPayload(const QJsonObject &pod, const QJsonObject &projected, const VolumeSources &sources)
{
    const int defaultMode = modeOf(projected, u"defaultMode"_s, defaultFileMode);
    Payload payload;
    for (const QJsonValue &v : projected.value(u"sources").toArray()) {
        const QJsonObject source = v.toObject();
        std::expected<Payload, QString> part = Payload();
        if (source.contains(u"configMap") || source.contains(u"secret")) {
            const bool secret = source.contains(u"secret");
            // Inside a projection, only the projection's defaultMode applies.
            QJsonObject s = source.value(secret ? u"secret" : u"configMap").toObject();
            s.remove(u"defaultMode"_s);
            part = sourcePayload(s, secret, sources, defaultMode);
        } else if (source.contains(u"downwardAPI")) {
            part = downwardPayload(
                pod, source.value(u"downwardAPI").toObject().value(u"items").toArray(), defaultMode,
                sources);
        }
        // serviceAccountToken and clusterTrustBundle sources are not projected: Timonel issues
        // no bound tokens.
        if (!part)
            return std::unexpected(part.error());
        payload.insert(*part);
    }
    return payload;
}

// hostPath's `type` checks (pkg/volume/hostpath), on the path as the node agent sees it;
// messages name the path the pod asked for.
std::expected<void, QString> checkHostPathType(const QString &local, const QString &asked,
                                               const QString &type)
{
    struct stat st;
    const bool exists = ::stat(QFile::encodeName(local).constData(), &st) == 0;
    auto failed = [&](const char *what) {
        return std::unexpected(
            u"hostPath type check failed: %1 is not a %2"_s.arg(asked, QLatin1String(what)));
    };
    if (type.isEmpty()) {
        // Docker's -v made a missing source a directory; pods written for it expect that.
        if (!exists && !makeDir(local, 0755))
            return std::unexpected(u"mkdir %1: failed to create the directory"_s.arg(asked));
        return {};
    }
    if (type == u"DirectoryOrCreate" || type == u"Directory") {
        if (!exists && type == u"DirectoryOrCreate")
            return makeDir(local, 0755) ? std::expected<void, QString>()
                                        : std::unexpected(u"mkdir %1: failed"_s.arg(asked));
        if (!exists || !S_ISDIR(st.st_mode))
            return failed("directory");
        return {};
    }
    if (type == u"FileOrCreate" || type == u"File") {
        if (!exists && type == u"FileOrCreate") {
            QFile file(local);
            if (!QDir().mkpath(QFileInfo(local).path()) || !file.open(QIODevice::WriteOnly))
                return std::unexpected(u"open %1: %2"_s.arg(asked, file.errorString()));
            ::chmod(QFile::encodeName(local).constData(), 0644);
            return {};
        }
        if (!exists || !S_ISREG(st.st_mode))
            return failed("file");
        return {};
    }
    if (type == u"Socket")
        return exists && S_ISSOCK(st.st_mode) ? std::expected<void, QString>()
                                              : failed("socket file");
    if (type == u"CharDevice")
        return exists && S_ISCHR(st.st_mode) ? std::expected<void, QString>()
                                             : failed("character device");
    if (type == u"BlockDevice")
        return exists && S_ISBLK(st.st_mode) ? std::expected<void, QString>()
                                             : failed("block device");
    return std::unexpected(u"%1 is an invalid volume type"_s.arg(type));
}

QJsonObject bindMount(const QString &source, bool readOnly = false)
{
    return {{u"Type"_s, u"bind"_s}, {u"Source"_s, source}, {u"ReadOnly"_s, readOnly}};
}

bool isUnder(const QString &path, const QString &dir)
{
    return path == dir || path.startsWith(dir.endsWith(u'/') ? dir : dir + u'/');
}

// $(VAR) in a subPathExpr (kubecontainer.ExpandContainerVolumeMounts): every reference must
// name a variable with a value.
std::expected<QString, QString> expandSubPath(const QString &text,
                                              const QHash<QString, QString> &env)
{
    QString out;
    QStringList missing;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] == u'$' && i + 1 < text.size() && text[i + 1] == u'$') {
            out += u'$';
            ++i;
        } else if (text[i] == u'$' && i + 1 < text.size() && text[i + 1] == u'(') {
            const qsizetype close = text.indexOf(u')', i + 2);
            if (close < 0) {
                out += text.mid(i);
                break;
            }
            const QString name = text.mid(i + 2, close - i - 2);
            if (env.value(name).isEmpty() && !missing.contains(name))
                missing.append(name);
            out += env.value(name);
            i = close;
        } else {
            out += text[i];
        }
    }
    if (!missing.isEmpty()) {
        missing.sort();
        return std::unexpected(u"missing value for "_s + missing.join(u", "_s));
    }
    return out;
}

// The container's variables a subPathExpr may use: literal values (with references to
// earlier ones) and pod fields.
QHash<QString, QString> subPathEnvironment(const QJsonObject &pod, const QJsonObject &container)
{
    QHash<QString, QString> env;
    EnvContext context;
    context.podIP = pod.value(u"status").toObject().value(u"podIP").toString();
    context.nodeIP = pod.value(u"status").toObject().value(u"hostIP").toString();
    for (const QJsonValue &v : container.value(u"env").toArray()) {
        const QJsonObject e = v.toObject();
        const QString name = e.value(u"name").toString();
        if (e.contains(u"value")) {
            env.insert(name, expandSubPath(e.value(u"value").toString(), env)
                                 .value_or(e.value(u"value").toString()));
        } else if (const QJsonObject ref =
                       e.value(u"valueFrom").toObject().value(u"fieldRef").toObject();
                   !ref.isEmpty()) {
            if (auto value = podFieldValue(pod, ref.value(u"fieldPath").toString(), context))
                env.insert(name, *value);
        }
    }
    return env;
}

} // namespace

VolumeManager::VolumeManager(VolumeHost host, docker::DockerClient docker)
    : m_host(std::move(host)), m_docker(std::move(docker))
{
    m_host.localRoot = QDir::cleanPath(m_host.localRoot);
    m_host.hostRoot = QDir::cleanPath(m_host.hostRoot);
}

QString VolumeManager::podVolumeDir(const QString &podUid, const QString &plugin,
                                    const QString &volume) const
{
    return u"%1/pods/%2/volumes/kubernetes.io~%3/%4"_s.arg(m_host.localRoot, podUid, plugin,
                                                           volume);
}

QString VolumeManager::hostView(const QString &localPath) const
{
    return m_host.hostRoot + localPath.mid(m_host.localRoot.size());
}

QString VolumeManager::localView(const QString &hostPath) const
{
    if (isUnder(hostPath, m_host.hostRoot))
        return m_host.localRoot + hostPath.mid(m_host.hostRoot.size());
    // The node's own bind mounts: the node agent sees them at their containerPath.
    qsizetype best = -1;
    QString local;
    for (const auto &[containerPath, host] : m_host.nodeMounts) {
        const QString h = QDir::cleanPath(host);
        if (isUnder(hostPath, h) && h.size() > best) {
            best = h.size();
            local = QDir::cleanPath(containerPath) + hostPath.mid(h.size());
        }
    }
    return local;
}

std::expected<PreparedVolumes, VolumeError>
VolumeManager::prepare(const QJsonObject &pod, const VolumeSources &sources) const
{
    PreparedVolumes prepared;
    for (const QJsonValue &v : pod.value(u"spec").toObject().value(u"volumes").toArray()) {
        const QJsonObject volume = v.toObject();
        const QString name = volume.value(u"name").toString();
        auto mount = prepareVolume(pod, volume, sources);
        if (!mount)
            return std::unexpected(VolumeError{name, setUpFailed(name, mount.error())});
        prepared.mounts.insert(name, *mount);
    }
    return prepared;
}

std::expected<QJsonObject, QString> VolumeManager::prepareVolume(const QJsonObject &pod,
                                                                 const QJsonObject &volume,
                                                                 const VolumeSources &sources) const
{
    const QJsonObject meta = pod.value(u"metadata").toObject();
    const QString uid = meta.value(u"uid").toString();
    const QString name = volume.value(u"name").toString();

    // Volumes of API data: files written atomically, mounted read-only (as the kubelet does
    // since ReadOnlyAPIDataVolumes).
    auto dataVolume =
        [&](const QString &plugin,
            const std::expected<Payload, QString> &payload) -> std::expected<QJsonObject, QString> {
        if (!payload)
            return std::unexpected(payload.error());
        const QString dir = podVolumeDir(uid, plugin, name);
        if (!makeDir(dir, volumeDirMode))
            return std::unexpected(u"mkdir %1: failed to create the volume directory"_s.arg(dir));
        if (auto written = writeAtomically(dir, *payload); !written)
            return std::unexpected(written.error());
        return bindMount(hostView(dir), true);
    };

    if (volume.contains(u"configMap") || volume.contains(u"secret")) {
        const bool secret = volume.contains(u"secret");
        return dataVolume(secret ? u"secret"_s : u"configmap"_s,
                          sourcePayload(volume.value(secret ? u"secret" : u"configMap").toObject(),
                                        secret, sources, defaultFileMode));
    }
    if (volume.contains(u"downwardAPI")) {
        const QJsonObject downward = volume.value(u"downwardAPI").toObject();
        return dataVolume(u"downward-api"_s,
                          downwardPayload(pod, downward.value(u"items").toArray(),
                                          modeOf(downward, u"defaultMode"_s, defaultFileMode),
                                          sources));
    }
    if (volume.contains(u"projected"))
        return dataVolume(u"projected"_s,
                          projectedPayload(pod, volume.value(u"projected").toObject(), sources));
    if (volume.contains(u"hostPath")) {
        const QJsonObject hostPath = volume.value(u"hostPath").toObject();
        return hostPathMount(hostPath.value(u"path").toString(),
                             hostPath.value(u"type").toString());
    }
    if (volume.contains(u"persistentVolumeClaim")) {
        const QJsonObject claim = volume.value(u"persistentVolumeClaim").toObject();
        return claimMount(pod, claim.value(u"claimName").toString(),
                          claim.value(u"readOnly").toBool(), sources);
    }
    if (volume.contains(u"ephemeral")) // the claim the ephemeral volume controller made
        return claimMount(pod, meta.value(u"name").toString() + u'-' + name, false, sources);

    static const QStringList otherSources{u"nfs"_s,
                                          u"csi"_s,
                                          u"iscsi"_s,
                                          u"gitRepo"_s,
                                          u"image"_s,
                                          u"fc"_s,
                                          u"cephfs"_s,
                                          u"rbd"_s,
                                          u"glusterfs"_s,
                                          u"awsElasticBlockStore"_s,
                                          u"gcePersistentDisk"_s,
                                          u"azureDisk"_s,
                                          u"azureFile"_s};
    for (const QString &other : otherSources)
        if (volume.contains(other))
            return std::unexpected(u"no volume plugin matched"_s);

    // emptyDir, also what a volume without a source is.
    const QJsonObject emptyDir = volume.value(u"emptyDir").toObject();
    if (emptyDir.value(u"medium").toString() == u"Memory")
        return memoryVolume(uid, name, emptyDir);
    const QString dir = podVolumeDir(uid, u"empty-dir"_s, name);
    if (!QFileInfo::exists(dir) && !makeDir(dir, volumeDirMode))
        return std::unexpected(u"mkdir %1: failed to create the volume directory"_s.arg(dir));
    return bindMount(hostView(dir));
}

std::expected<QJsonArray, VolumeError> VolumeManager::sandboxMounts(const QJsonObject &pod) const
{
    const QString uid = pod.value(u"metadata").toObject().value(u"uid").toString();
    QJsonArray mounts;
    for (const QJsonValue &v : pod.value(u"spec").toObject().value(u"volumes").toArray()) {
        const QString name = v.toObject().value(u"name").toString();
        const QJsonObject emptyDir = v.toObject().value(u"emptyDir").toObject();
        if (emptyDir.value(u"medium").toString() != u"Memory")
            continue;
        auto mount = memoryVolume(uid, name, emptyDir);
        if (!mount)
            return std::unexpected(VolumeError{
                name,
                u"MountVolume.SetUp failed for volume \"%1\" : %2"_s.arg(name, mount.error())});
        mount->insert(u"Target"_s, u"/run/timonel/volumes/"_s + name);
        mount->insert(u"ReadOnly"_s, true);
        mounts.append(*mount);
    }
    return mounts;
}

std::expected<QJsonObject, QString> VolumeManager::memoryVolume(const QString &podUid,
                                                                const QString &volume,
                                                                const QJsonObject &emptyDir) const
{
    QString size = u"64m"_s;
    if (auto limit = core::Quantity::fromJson(emptyDir.value(u"sizeLimit"));
        emptyDir.contains(u"sizeLimit") && limit && !limit->isZero())
        size = QString::number(limit->value());
    QJsonObject labels{{QString(labels::podUid), podUid}};
    if (!m_host.cluster.isEmpty())
        labels.insert(QString(labels::cluster), m_host.cluster);
    const QString dockerName =
        u"%1emptydir-%2-%3"_s.arg(m_host.podNamePrefixForDockerVolumes, podUid, volume);
    // The local driver mounts the tmpfs once for all the containers using the volume, so the
    // pod's containers share it, and unmounts it when the last of them stops: the pod's
    // sandbox holds it too (sandboxMounts).
    const QJsonObject config{{u"Name"_s, dockerName},
                             {u"Driver"_s, u"local"_s},
                             {u"DriverOpts"_s, QJsonObject{{u"type"_s, u"tmpfs"_s},
                                                           {u"device"_s, u"tmpfs"_s},
                                                           {u"o"_s, u"size="_s + size}}},
                             {u"Labels"_s, labels}};
    docker::DockerError error;
    auto call = m_docker.call("POST", u"/volumes/create"_s, &error);
    if (!call)
        return std::unexpected(error.message);
    call->setBody(QJsonDocument(config).toJson(QJsonDocument::Compact));
    call->start();
    if (!call->waitForFinished(30000) || call->error())
        return std::unexpected(call->error() ? call->error()->message
                                             : u"Docker did not create volume "_s + dockerName);
    return QJsonObject{{u"Type"_s, u"volume"_s}, {u"Source"_s, dockerName}, {u"ReadOnly"_s, false}};
}

std::expected<QJsonObject, QString> VolumeManager::hostPathMount(const QString &path,
                                                                 const QString &type) const
{
    const QString clean = QDir::cleanPath(path);
    if (clean == u"/var/run/docker.sock" && !m_host.dockerSocket.isEmpty()) {
        using Check = std::pair<QStringView, QStringView>;
        for (const auto &[t, what] :
             {Check{u"Directory", u"directory"}, Check{u"DirectoryOrCreate", u"directory"},
              Check{u"CharDevice", u"character device"}, Check{u"BlockDevice", u"block device"}})
            if (type == t)
                return std::unexpected(
                    u"hostPath type check failed: %1 is not a %2"_s.arg(path, what));
        return bindMount(m_host.dockerSocket);
    }
    // Under one of the node's extraMounts: the host's directory, which the node agent sees
    // at the mount's containerPath.
    qsizetype best = -1;
    QString local, host;
    for (const auto &[containerPath, hostPath] : m_host.nodeMounts) {
        const QString c = QDir::cleanPath(containerPath);
        if (isUnder(clean, c) && c.size() > best) {
            best = c.size();
            local = clean;
            host = QDir::cleanPath(hostPath) + clean.mid(c.size());
        }
    }
    if (best < 0) { // anything else is the node's own, kept in the node agent's state
        local = m_host.localRoot + u"/host-paths"_s + clean;
        host = m_host.hostRoot + u"/host-paths"_s + clean;
    }
    if (auto checked = checkHostPathType(local, path, type); !checked)
        return std::unexpected(checked.error());
    return bindMount(host);
}

std::expected<QJsonObject, QString> VolumeManager::claimMount(const QJsonObject &pod,
                                                              const QString &claimName,
                                                              bool readOnly,
                                                              const VolumeSources &sources) const
{
    const auto claim = sources.persistentVolumeClaims.constFind(claimName);
    if (claim == sources.persistentVolumeClaims.cend())
        return std::unexpected(u"persistentvolumeclaim \"%1\" not found"_s.arg(claimName));
    const QString phase = claim->value(u"status").toObject().value(u"phase").toString();
    const QString volumeName = claim->value(u"spec").toObject().value(u"volumeName").toString();
    if (phase != u"Bound" || volumeName.isEmpty())
        return std::unexpected(
            u"PVC %1/%2 has non-bound phase (%3) or empty pvc.Spec.VolumeName (%4)"_s.arg(
                pod.value(u"metadata").toObject().value(u"namespace").toString(), claimName,
                core::goQuote(phase), core::goQuote(volumeName)));
    const auto pv = sources.persistentVolumes.constFind(volumeName);
    if (pv == sources.persistentVolumes.cend())
        return std::unexpected(
            u"failed to fetch PV %1 from API server: persistentvolumes \"%1\" not found"_s.arg(
                volumeName));
    const QJsonObject spec = pv->value(u"spec").toObject();
    const bool local = spec.contains(u"local");
    const QJsonObject source = spec.value(local ? u"local" : u"hostPath").toObject();
    const QString path = QDir::cleanPath(source.value(u"path").toString());
    if (source.isEmpty() || path.isEmpty())
        return std::unexpected(u"persistentvolume \"%1\" has neither a local nor a hostPath "
                               "source, the kinds a Timonel node mounts"_s.arg(volumeName));

    std::expected<QJsonObject, QString> mount;
    if (isUnder(path, m_host.hostRoot + u"/local-volumes"_s)) {
        // Made by this node's provisioner: already the Docker daemon's view.
        const QString dir = localView(path);
        if (!QFileInfo::exists(dir) && !makeDir(dir, volumeDirMode))
            return std::unexpected(u"mkdir %1: failed to create the volume directory"_s.arg(path));
        mount = bindMount(path);
    } else if (local) {
        mount = hostPathMount(path, u"Directory"_s);
        if (!mount)
            return std::unexpected(u"path \"%1\" does not exist"_s.arg(path));
    } else {
        mount = hostPathMount(path, source.value(u"type").toString());
    }
    if (mount && readOnly)
        mount->insert(u"ReadOnly"_s, true);
    return mount;
}

std::expected<QJsonArray, QString> VolumeManager::mountsFor(const QJsonObject &pod,
                                                            const QJsonObject &container,
                                                            const PreparedVolumes &volumes) const
{
    const QString containerName = container.value(u"name").toString();
    QJsonArray mounts;
    std::optional<QHash<QString, QString>> env;
    for (const QJsonValue &v : container.value(u"volumeMounts").toArray()) {
        const QJsonObject vm = v.toObject();
        const QString name = vm.value(u"name").toString();
        const auto prepared = volumes.mounts.constFind(name);
        if (prepared == volumes.mounts.cend())
            return std::unexpected(
                u"cannot find volume \"%1\" to mount into container \"%2\""_s.arg(name,
                                                                                  containerName));
        QJsonObject mount = *prepared;
        QString subPath = vm.value(u"subPath").toString();
        if (const QString expr = vm.value(u"subPathExpr").toString(); !expr.isEmpty()) {
            if (!env)
                env = subPathEnvironment(pod, container);
            auto expanded = expandSubPath(expr, *env);
            if (!expanded)
                return std::unexpected(expanded.error());
            subPath = *expanded;
        }
        if (!subPath.isEmpty()) {
            if (subPath.startsWith(u'/'))
                return std::unexpected(
                    u"error SubPath `%1` must not be an absolute path"_s.arg(subPath));
            if (subPath.split(u'/').contains(u".."_s))
                return std::unexpected(
                    u"unable to provision SubPath `%1`: must not contain '..'"_s.arg(subPath));
            subPath = QDir::cleanPath(subPath);
            const QString source = mount.value(u"Source").toString();
            if (mount.value(u"Type").toString() == u"volume") {
                mount.insert(u"VolumeOptions"_s, QJsonObject{{u"Subpath"_s, subPath}});
            } else {
                // Created now, with the volume's own mode, as the kubelet does, rather than
                // by the runtime with whatever mode it picks.
                if (const QString local = localView(source); !local.isEmpty()) {
                    const QString dir = local + u'/' + subPath;
                    const int mode = fileMode(local);
                    if (!QFileInfo::exists(dir) &&
                        !makeDir(dir, mode >= 0 ? (mode & 0777) : 0755)) {
                        qCWarning(lcVolumes) << "cannot create subPath" << dir;
                        return std::unexpected(
                            u"failed to create subPath directory for volumeMount \"%1\" of "
                            "container \"%2\""_s.arg(name, containerName));
                    }
                }
                mount.insert(u"Source"_s, source + u'/' + subPath);
            }
        }
        mount.insert(u"Target"_s, vm.value(u"mountPath").toString());
        mount.insert(u"ReadOnly"_s,
                     mount.value(u"ReadOnly").toBool() || vm.value(u"readOnly").toBool());
        mounts.append(mount);
    }
    return mounts;
}

std::expected<QJsonObject, QString> VolumeManager::writePodFile(const QString &podUid,
                                                                const QString &name,
                                                                const QByteArray &content) const
{
    const QString path = u"%1/pods/%2/%3"_s.arg(m_host.localRoot, podUid, name);
    QFile current(path);
    if (!current.open(QIODevice::ReadOnly) || current.readAll() != content) {
        if (!QDir().mkpath(QFileInfo(path).path()))
            return std::unexpected(u"cannot create the directory of %1"_s.arg(path));
        // Containers bind-mount the file's inode, which a rename replaces: fine for what pods
        // keep here, written before their containers and never changed (a pod's DNS settings
        // are immutable).
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size() ||
            !file.commit())
            return std::unexpected(u"cannot write %1: %2"_s.arg(path, file.errorString()));
    }
    return QJsonObject{{u"Type"_s, u"bind"_s}, {u"Source"_s, hostView(path)}};
}

void VolumeManager::cleanup(const QString &podUid) const
{
    if (podUid.isEmpty() || podUid.contains(u'/'))
        return;
    const QString dir = u"%1/pods/%2"_s.arg(m_host.localRoot, podUid);
    if (QFileInfo::exists(dir) && !QDir(dir).removeRecursively())
        qCWarning(lcVolumes) << "could not remove every file of pod" << podUid << "in" << dir;
    auto listed = m_docker.listVolumes(docker::labelFilter(QString(labels::podUid), podUid));
    if (!listed) {
        qCWarning(lcVolumes) << "could not list the Docker volumes of pod" << podUid << ":"
                             << listed.error().message;
        return;
    }
    for (const QJsonValue &v : *listed) {
        const QString name = v.toObject().value(u"Name").toString();
        if (auto removed = m_docker.removeVolume(name); !removed)
            qCWarning(lcVolumes) << "could not remove Docker volume" << name << ":"
                                 << removed.error().message;
    }
}

QStringList VolumeManager::podsOnDisk() const
{
    return QDir(m_host.localRoot + u"/pods"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
}

std::expected<QString, QString> VolumeManager::provisionLocalVolume(const QString &pvName) const
{
    if (pvName.isEmpty() || pvName.contains(u'/') || pvName.startsWith(u'.'))
        return std::unexpected(u"invalid persistent volume name \"%1\""_s.arg(pvName));
    const QString dir = m_host.localRoot + u"/local-volumes/"_s + pvName;
    if (!QFileInfo::exists(dir) && !makeDir(dir, volumeDirMode))
        return std::unexpected(u"could not create the directory of volume %1 in %2"_s.arg(
            pvName, m_host.localRoot + u"/local-volumes"_s));
    return hostView(dir);
}

void VolumeManager::deleteLocalVolume(const QString &pvName) const
{
    if (pvName.isEmpty() || pvName.contains(u'/') || pvName.startsWith(u'.'))
        return;
    const QString dir = m_host.localRoot + u"/local-volumes/"_s + pvName;
    if (QFileInfo::exists(dir) && !QDir(dir).removeRecursively())
        qCWarning(lcVolumes) << "could not remove every file of volume" << pvName;
}

} // namespace timonel::kubelet
