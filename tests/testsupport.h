#pragma once

// Shared by the docker, e2e and bench tests: the real Docker engine and the programs under test.

#include "docker/dockerclient.h"

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

} // namespace timonel::test
