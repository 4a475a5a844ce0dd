// What the unit tests that change a network namespace share: the change happens in a child
// process of the test binary, in a namespace of its own, so that the test process's network
// stays as it was and a fresh process is safe to unshare in. The test's main() runs the child's
// work when it finds the variable set; the child prints "ok" or what went wrong.
#pragma once

#include <QCoreApplication>
#include <QProcess>
#include <QString>
#include <QTest>

#include <cstdio>
#include <cstring>
#include <expected>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace timonel::test {

// Runs this binary again with `variable` set and returns its exit code and output.
inline std::pair<int, QString> runNetnsChild(const QString &variable)
{
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(variable, QStringLiteral("1"));
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::MergedChannels);
    child.start(QCoreApplication::applicationFilePath(), {});
    if (!child.waitForFinished(20000)) {
        child.kill();
        child.waitForFinished();
        return {-1, QStringLiteral("the child did not finish in 20 s: ") +
                        QString::fromUtf8(child.readAll())};
    }
    const QString output = QString::fromUtf8(child.readAll()).trimmed();
    return {child.exitStatus() == QProcess::NormalExit ? child.exitCode() : -1, output};
}

// In a test function: the child passed.
inline void verifyNetnsChild(const QString &variable)
{
    const auto [code, output] = runNetnsChild(variable);
    QVERIFY2(code == 0, qPrintable(output));
    QCOMPARE(output, QStringLiteral("ok"));
}

// In the child: says what went wrong and gives its exit code.
inline int netnsChildFails(const QString &why)
{
    std::fputs(qPrintable(why + QLatin1Char('\n')), stdout);
    return 1;
}

// In the child: a network namespace of its own with lo up (and nothing else).
inline std::expected<void, QString> enterNetworkNamespace()
{
    if (::unshare(CLONE_NEWNET) != 0)
        return std::unexpected(QStringLiteral("unshare(CLONE_NEWNET): ") +
                               QString::fromLocal8Bit(strerror(errno)));
    const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq lo{};
    std::strcpy(lo.ifr_name, "lo");
    const bool up = ::ioctl(s, SIOCGIFFLAGS, &lo) == 0 &&
                    (lo.ifr_flags |= IFF_UP, ::ioctl(s, SIOCSIFFLAGS, &lo)) == 0;
    ::close(s);
    if (!up)
        return std::unexpected(QStringLiteral("cannot bring lo up"));
    return {};
}

} // namespace timonel::test
