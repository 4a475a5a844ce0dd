#pragma once

// Shared by the docker, e2e and bench tests: the real Docker engine and the programs under test.

#include "docker/dockerclient.h"
#include "docker/tar.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryFile>

#include <QDir>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTest>

namespace timonel::test {

// Tests that need Docker fail in CI when it is missing; elsewhere they are skipped with a reason.
#define TIMONEL_REQUIRE_DOCKER()                                                                   \
    do {                                                                                           \
        if (auto ping = timonel::docker::DockerClient().ping(); !ping) {                           \
            const QByteArray why = "Docker is needed: " + ping.error().message.toUtf8();           \
            if (qEnvironmentVariableIsSet("CI"))                                                   \
                QFAIL(why.constData());                                                            \
            QSKIP(why.constData());                                                                \
        }                                                                                          \
    } while (false)

// The error text of a failed result, empty for a success: QVERIFY2 evaluates its message
// even when the check passes, so it must never touch the error of a success.
template <typename R> QByteArray errorOf(const R &result)
{
    if (result)
        return {};
    if constexpr (requires { result.error().message; })
        return result.error().message.toUtf8();
    else
        return result.error().toUtf8();
}

inline QString binary(const QString &name)
{
    return qEnvironmentVariable("TIMONEL_BIN_DIR") + QLatin1Char('/') + name;
}

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

// Runs a program to completion (bounded by `timeoutMs`) with extra environment variables.
inline Run run(const QString &program, const QStringList &args,
               const QMap<QString, QString> &env = {}, int timeoutMs = 180000)
{
    QProcess p;
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    for (auto it = env.begin(); it != env.end(); ++it)
        e.insert(it.key(), it.value());
    p.setProcessEnvironment(e);
    p.start(program, args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return {-1, QString::fromUtf8(p.readAllStandardOutput()),
                QStringLiteral("timed out: ") + QString::fromUtf8(p.readAllStandardError())};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

// Everything Docker holds for a cluster: containers, networks and volumes with its label.
inline int dockerObjectsOf(const QString &cluster)
{
    docker::DockerClient d;
    const QJsonObject filter = docker::labelFilter(QStringLiteral("io.timonel.cluster"), cluster);
    return int(d.listContainers(filter).value_or(QJsonArray()).size() +
               d.listNetworks(filter).value_or(QJsonArray()).size() +
               d.listVolumes(filter).value_or(QJsonArray()).size());
}

// A tiny image for tests that need a shell and coreutils: Debian's static busybox (package
// busybox-static) and its applet links, imported as timonel-test/busybox:<hash>. No registry.
inline std::expected<QString, QString> busyboxImage()
{
    const QString source = QStringLiteral("/bin/busybox");
    QFile binary(source);
    if (!binary.open(QIODevice::ReadOnly))
        return std::unexpected(QStringLiteral("%1 is missing: install busybox-static").arg(source));
    const QByteArray hash =
        QCryptographicHash::hash(binary.readAll(), QCryptographicHash::Sha256).toHex().left(12);
    const QString reference = QStringLiteral("timonel-test/busybox:") + QString::fromLatin1(hash);
    docker::DockerClient d;
    if (d.inspectImage(reference))
        return reference;
    QTemporaryFile tarFile;
    if (!tarFile.open())
        return std::unexpected(tarFile.errorString());
    docker::TarWriter tar(&tarFile);
    tar.addDirectory(QStringLiteral("bin"));
    tar.addDirectory(QStringLiteral("tmp"), 01777);
    tar.addFileFromDisk(QStringLiteral("bin/busybox"), source, 0755);
    for (const char *applet : {"sh", "cat", "echo", "sleep", "ls", "head", "env", "true", "false",
                               "wc", "tr", "kill", "ps"})
        tar.addSymlink(QStringLiteral("bin/") + QLatin1String(applet), QStringLiteral("busybox"));
    if (!tar.finish())
        return std::unexpected(tar.errorString());
    const qint64 size = tarFile.size();
    tarFile.seek(0);
    auto imported = d.importImage(
        &tarFile, size, QStringLiteral("timonel-test/busybox"), QString::fromLatin1(hash),
        {QStringLiteral("ENV PATH=/bin"), QStringLiteral("CMD [\"sh\"]")});
    if (!imported)
        return std::unexpected(imported.error().message);
    return reference;
}

// The reference of a test image that tests/images/build made ("nginx", "redis", "shell",
// "flask-redis", ...): its content-hash tag, timonel-test/<name>:<hash>, which the build points
// timonel-test/<name>:latest at. Not ":latest" itself: that tag makes a pod pull always.
inline std::expected<QString, QString> testImage(const QString &name)
{
    const QString repository = QStringLiteral("timonel-test/") + name;
    const QString missing =
        QStringLiteral("test image %1 is missing: run packaging/dev images").arg(name);
    auto image = docker::DockerClient().inspectImage(repository + QStringLiteral(":latest"));
    if (!image)
        return std::unexpected(image.error().status == 404 ? missing : image.error().message);
    const QJsonObject labels = image->value(u"Config").toObject().value(u"Labels").toObject();
    if (labels.value(u"io.timonel.test-image").toString() != u"true")
        return std::unexpected(missing);
    for (const QJsonValue tag : image->value(u"RepoTags").toArray()) {
        const QString reference = tag.toString();
        if (reference.startsWith(repository + u':') && !reference.endsWith(u":latest"))
            return reference;
    }
    return std::unexpected(missing);
}

} // namespace timonel::test
