#include "nodeprocess.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QSocketNotifier>

#include <csignal>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace timonel::node {

namespace {

int signalPipe[2] = {-1, -1};

void onSignal(int signo)
{
    if (signo == SIGCHLD) {
        // Only as PID 1: otherwise children are ours to wait for where they are started.
        while (::waitpid(-1, nullptr, WNOHANG) > 0) {
        }
        return;
    }
    const char c = char(signo);
    [[maybe_unused]] auto n = ::write(signalPipe[1], &c, 1);
}

} // namespace

void installSignalHandlers()
{
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, qApp);
    QObject::connect(notifier, &QSocketNotifier::activated, qApp, [] {
        char c;
        [[maybe_unused]] auto n = ::read(signalPipe[0], &c, 1);
        QCoreApplication::quit();
    });
    struct sigaction sa = {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
    if (::getpid() == 1) {
        sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
        ::sigaction(SIGCHLD, &sa, nullptr);
    }
}

std::expected<QJsonObject, QString> loadNodeConfig(const QString &dir)
{
    QFile f(dir + QStringLiteral("/node.json"));
    if (!f.open(QIODevice::ReadOnly))
        return std::unexpected(
            QStringLiteral("cannot read %1: %2").arg(f.fileName(), f.errorString()));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
    if (!doc.isObject())
        return std::unexpected(QStringLiteral("%1: %2").arg(f.fileName(), error.errorString()));
    return doc.object();
}

} // namespace timonel::node
