#include "nodeimage.h"

#include "defaults.h"
#include "docker/tar.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryFile>

#include <set>

namespace timonel::cluster {

namespace {
// This file's user-visible texts, translated in the "NodeImage" context.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(NodeImage)
};
} // namespace

namespace {

// Where the image keeps timonel-node; the container's command names it by this path.
constexpr auto NodeBinaryInImage = "/usr/bin/timonel-node";

// The few files a root file system needs besides the program and its libraries.
const QList<std::pair<QString, QByteArray>> &baseFiles()
{
    static const QList<std::pair<QString, QByteArray>> files = {
        {QStringLiteral("etc/passwd"),
         "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/"
         "nologin\n"},
        {QStringLiteral("etc/group"), "root:x:0:\nnogroup:x:65534:\n"},
        {QStringLiteral("etc/nsswitch.conf"), "hosts: files dns\n"},
        {QStringLiteral("etc/os-release"), "NAME=\"Timonel node\"\nID=timonel\n"},
    };
    return files;
}

// Debian merges /lib, /lib64, /bin and /sbin into /usr; the image does too, with links, so
// every file is stored once under /usr whichever name the loader used.
QString usrMerged(const QString &path)
{
    for (const char *top : {"/lib/", "/lib64/", "/bin/", "/sbin/"})
        if (path.startsWith(QLatin1String(top)))
            return QStringLiteral("/usr") + path;
    return path;
}

// The image's configuration; part of its hash, so a change here makes a new image.
QStringList imageChanges()
{
    return {
        QStringLiteral("ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
        // Qt wants a UTF-8 locale; glibc has C.UTF-8 built in.
        QStringLiteral("ENV LANG=C.UTF-8"),
        QStringLiteral("ENTRYPOINT [\"%1\"]").arg(QLatin1String(NodeBinaryInImage)),
        QStringLiteral("CMD [\"pause\"]"),
        QStringLiteral("LABEL %1=%2")
            .arg(QLatin1String("io.timonel.version"), QStringLiteral(TIMONEL_VERSION)),
    };
}

} // namespace

QString NodeImage::findNodeBinary()
{
    const QString fromEnv = qEnvironmentVariable("TIMONEL_NODE_BINARY");
    if (!fromEnv.isEmpty())
        return fromEnv;
    const QString sibling =
        QCoreApplication::applicationDirPath() + QStringLiteral("/timonel-node");
    if (QFileInfo(sibling).isExecutable())
        return sibling;
    return QStandardPaths::findExecutable(QStringLiteral("timonel-node"));
}

NodeImage::NodeImage(QString nodeBinary) : m_nodeBinary(std::move(nodeBinary)) {}

std::expected<void, QString> NodeImage::computeClosure()
{
    if (m_nodeBinary.isEmpty() || !QFileInfo(m_nodeBinary).isExecutable())
        return std::unexpected(Tr::tr("timonel-node was not found next to this program or on PATH "
                                      "(set TIMONEL_NODE_BINARY)"));
    QProcess probe;
    probe.start(m_nodeBinary, {QStringLiteral("closure")});
    if (!probe.waitForFinished(30000) || probe.exitCode() != 0)
        return std::unexpected(
            Tr::tr("%1 closure failed: %2")
                .arg(m_nodeBinary, QString::fromLocal8Bit(probe.readAllStandardError())));

    m_files.clear();
    std::set<QString> seen;
    auto add = [&](const File &f) {
        if (seen.insert(f.path).second)
            m_files.append(f);
    };
    const QStringList lines = QString::fromLocal8Bit(probe.readAllStandardOutput())
                                  .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QStringList parts = lines[i].split(QLatin1Char('\t'));
        if (parts.size() != 2 || parts[1].isEmpty())
            continue;
        // The first line is the program itself: it goes to a fixed place in the image.
        if (i == 0) {
            add({QString::fromLatin1(NodeBinaryInImage), parts[1], {}});
            continue;
        }
        const QString file = usrMerged(parts[1]);
        const QString loadedAs = usrMerged(parts[0]);
        add({file, parts[1], {}});
        if (loadedAs != file)
            add({loadedAs, {}, file});
    }
    // Qt needs a UTF-8 locale; Debian's C.UTF-8 lives in these files.
    QDirIterator locale(QStringLiteral("/usr/lib/locale/C.utf8"), QDir::Files,
                        QDirIterator::Subdirectories);
    while (locale.hasNext()) {
        const QString file = locale.next();
        add({file, file, {}});
    }
    std::sort(m_files.begin(), m_files.end(),
              [](const File &a, const File &b) { return a.path < b.path; });

    // Tag by content: any change to the program or a library makes a new image.
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const File &f : m_files) {
        hash.addData(f.path.toUtf8());
        hash.addData(f.linkTarget.toUtf8());
        if (!f.source.isEmpty()) {
            QFile in(f.source);
            if (!in.open(QIODevice::ReadOnly))
                return std::unexpected(
                    Tr::tr("cannot read %1: %2").arg(f.source, in.errorString()));
            hash.addData(&in);
        }
    }
    for (const auto &[path, data] : baseFiles()) {
        hash.addData(path.toUtf8());
        hash.addData(data);
    }
    hash.addData(imageChanges().join(QLatin1Char('\n')).toUtf8());
    m_reference = QStringLiteral("%1:%2").arg(defaults::nodeImageRepository,
                                              QString::fromLatin1(hash.result().toHex().left(12)));
    return {};
}

std::expected<QString, QString> NodeImage::reference()
{
    if (m_reference.isEmpty())
        if (auto r = computeClosure(); !r)
            return std::unexpected(r.error());
    return m_reference;
}

std::expected<QString, QString> NodeImage::ensure(const docker::DockerClient &docker, bool *built)
{
    auto ref = reference();
    if (!ref)
        return ref;
    if (built)
        *built = false;
    if (docker.inspectImage(*ref))
        return ref;

    // Assemble the root file system on disk first: it is tens of megabytes.
    QTemporaryFile tarFile(QDir::tempPath() + QStringLiteral("/timonel-node-image-XXXXXX.tar"));
    if (!tarFile.open())
        return std::unexpected(
            Tr::tr("cannot create a temporary file: %1").arg(tarFile.errorString()));
    docker::TarWriter tar(&tarFile);
    // Debian's merged /usr: the loader and libraries are found through these links.
    tar.addSymlink(QStringLiteral("lib"), QStringLiteral("usr/lib"));
    tar.addSymlink(QStringLiteral("lib64"), QStringLiteral("usr/lib64"));
    tar.addSymlink(QStringLiteral("bin"), QStringLiteral("usr/bin"));
    tar.addSymlink(QStringLiteral("sbin"), QStringLiteral("usr/sbin"));
    for (const char *dir :
         {"tmp", "etc/timonel", "var/lib/timonel", "var/run", "proc", "sys", "dev", "root"})
        tar.addDirectory(QString::fromLatin1(dir),
                         QString::fromLatin1(dir) == QLatin1String("tmp") ? 01777 : 0755);
    for (const auto &[path, data] : baseFiles())
        tar.addFile(path, data);
    std::set<QString> dirs;
    for (const File &f : m_files) {
        const QString rel = f.path.mid(1);
        for (qsizetype slash = rel.indexOf(QLatin1Char('/')); slash > 0;
             slash = rel.indexOf(QLatin1Char('/'), slash + 1))
            if (const QString dir = rel.left(slash); dirs.insert(dir).second)
                tar.addDirectory(dir);
        const bool ok = f.linkTarget.isEmpty() ? tar.addFileFromDisk(rel, f.source)
                                               : tar.addSymlink(rel, f.linkTarget);
        if (!ok)
            return std::unexpected(Tr::tr("cannot package %1: %2").arg(f.path, tar.errorString()));
    }
    if (!tar.finish() || !tarFile.flush())
        return std::unexpected(Tr::tr("cannot write the node image: %1").arg(tar.errorString()));

    const qint64 size = tarFile.size();
    tarFile.seek(0);
    const qsizetype colon = ref->lastIndexOf(QLatin1Char(':'));
    const QStringList changes = imageChanges();
    auto imported =
        docker.importImage(&tarFile, size, ref->left(colon), ref->mid(colon + 1), changes);
    if (!imported)
        return std::unexpected(
            Tr::tr("importing the node image failed: %1").arg(imported.error().message));
    if (built)
        *built = true;
    pruneOlderImages(docker, *ref);
    return ref;
}

void NodeImage::pruneOlderImages(const docker::DockerClient &docker, const QString &current)
{
    // Each rebuild of timonel-node makes a new image; older ones that no cluster uses are
    // removed (the daemon refuses to remove an image a container still uses, which is fine).
    const QJsonObject filter{
        {QStringLiteral("reference"), QJsonArray{QString(defaults::nodeImageRepository)}}};
    for (const auto &image : docker.listImages(filter).value_or(QJsonArray()))
        for (const auto &tag : image.toObject().value(QLatin1String("RepoTags")).toArray())
            if (tag.toString() != current)
                docker.removeImage(tag.toString());
}

} // namespace timonel::cluster
