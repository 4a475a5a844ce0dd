// timonel-node: what runs inside Timonel's node containers. One binary, one role per process:
//   control-plane   the API server (and, as they land, scheduler and controllers) plus the node
//   agent worker          the node agent pause           holds a pod's network namespace, doing
//   nothing until told to stop lb              a TCP load balancer in front of several control
//   planes closure         prints the files a node image must carry (used when building the image)
#include "apiserver/apiserver.h"
#include "closure.h"
#include "nodeprocess.h"
#include "tcpproxy.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QTextStream>

#include <cstdio>

Q_LOGGING_CATEGORY(lcNode, "timonel.node", QtInfoMsg)

using namespace timonel;

namespace {

void announceReady(const QString &what)
{
    // Cluster creation follows the container's output for this line.
    std::printf("%s (%s)\n", node::ReadyLine, qPrintable(what));
    std::fflush(stdout);
}

int fail(const QString &message)
{
    std::fprintf(stderr, "timonel-node: %s\n", qPrintable(message));
    return 1;
}

int runNode(const QString &role)
{
    auto config = node::loadNodeConfig();
    if (!config)
        return fail(config.error());
    const QString name = config->value(QLatin1String("nodeName")).toString();

    std::unique_ptr<apiserver::ApiServer> api;
    if (role == QLatin1String("control-plane")) {
        const QString pki = QString::fromLatin1(node::ConfigDir) + QStringLiteral("/pki/");
        api = std::make_unique<apiserver::ApiServer>(apiserver::ApiServerOptions{
            QHostAddress::Any, 6443, pki + QStringLiteral("apiserver.crt"),
            pki + QStringLiteral("apiserver.key"), pki + QStringLiteral("ca.crt")});
        if (auto started = api->start(); !started)
            return fail(started.error());
    }
    announceReady(QStringLiteral("%1 %2").arg(role, name));
    return QCoreApplication::exec();
}

int runLoadBalancer(const QStringList &args)
{
    quint16 port = 6443;
    QList<node::Backend> backends;
    for (const QString &arg : args) {
        if (arg.startsWith(QLatin1String("--port=")))
            port = arg.mid(7).toUShort();
        else if (const qsizetype colon = arg.lastIndexOf(QLatin1Char(':')); colon > 0)
            backends.append({arg.left(colon), arg.mid(colon + 1).toUShort()});
    }
    if (backends.isEmpty())
        return fail(QStringLiteral("lb needs at least one backend HOST:PORT"));
    node::TcpProxy proxy(backends);
    if (!proxy.listen(QHostAddress::Any, port))
        return fail(proxy.errorString());
    announceReady(QStringLiteral("lb :%1").arg(port));
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    app.setApplicationName(QStringLiteral("timonel-node"));
    app.setApplicationVersion(QStringLiteral(TIMONEL_VERSION));
    node::installSignalHandlers();

    const QStringList args = app.arguments().mid(1);
    const QString role = args.value(0);
    if (role == QLatin1String("control-plane") || role == QLatin1String("worker"))
        return runNode(role);
    if (role == QLatin1String("pause")) {
        announceReady(QStringLiteral("pause"));
        return app.exec();
    }
    if (role == QLatin1String("lb"))
        return runLoadBalancer(args.mid(1));
    if (role == QLatin1String("closure")) {
        QTextStream out(stdout);
        for (const auto &object : node::loadedClosure())
            out << object.loadedAs << '\t' << object.file << '\n';
        return 0;
    }
    if (role == QLatin1String("version") || role == QLatin1String("--version")) {
        std::printf("timonel-node %s\n", TIMONEL_VERSION);
        return 0;
    }
    return fail(
        QStringLiteral("usage: timonel-node control-plane|worker|pause|lb|closure|version"));
}
