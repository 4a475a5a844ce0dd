#include "cli.h"

#include "cluster/clusterconfig.h"
#include "cluster/clusters.h"
#include "cluster/createcluster.h"
#include "core/canceltoken.h"
#include "core/duration.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QSocketNotifier>
#include <QTextStream>

#include <csignal>
#include <functional>
#include <sys/socket.h>
#include <unistd.h>

namespace timonel::gui {

namespace {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

// Errors are one line on stderr and exit code 1, as kind's "ERROR: ..." lines.
int fail(const QString &message)
{
    QTextStream err(stderr);
    err << QCoreApplication::translate("Cli", "ERROR: %1").arg(message) << Qt::endl;
    return 1;
}

// Ctrl-C cancels the work in progress (which then undoes itself) instead of killing the process.
int interruptPipe[2] = {-1, -1};

void onInterrupt(int)
{
    const char c = 1;
    [[maybe_unused]] auto n = ::write(interruptPipe[1], &c, 1);
}

void cancelOnInterrupt(core::CancelToken *token)
{
    if (interruptPipe[0] < 0 && ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, interruptPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(interruptPipe[0], QSocketNotifier::Read, token);
    QObject::connect(notifier, &QSocketNotifier::activated, token, [token] {
        char c;
        [[maybe_unused]] auto n = ::read(interruptPipe[0], &c, 1);
        token->cancel();
    });
    struct sigaction sa = {};
    sa.sa_handler = onInterrupt;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}

struct Command
{
    QString verb;
    QString object;
    QString summary;
    std::function<void(QCommandLineParser &)> options;
    std::function<int(const QCommandLineParser &)> run;
};

QCommandLineOption nameOption()
{
    return {QStringList{QStringLiteral("n"), QStringLiteral("name")},
            QCoreApplication::translate("Cli", "cluster name (default \"%1\")").arg(cluster::defaults::clusterName), QCoreApplication::translate("Cli", "name"),
            QString(cluster::defaults::clusterName)};
}

QCommandLineOption kubeconfigOption()
{
    return {QStringLiteral("kubeconfig"), QCoreApplication::translate("Cli", "kubeconfig file to update (default $KUBECONFIG or ~/.kube/config)"),
            QCoreApplication::translate("Cli", "path")};
}

QCommandLineOption waitOption()
{
    return {QStringLiteral("wait"), QCoreApplication::translate("Cli", "how long to wait for the nodes to be ready, e.g. 60s or 5m (default 2m)"),
            QCoreApplication::translate("Cli", "duration"), QStringLiteral("2m")};
}

// Follows a creator's steps on the terminal, kind-style: " ✓ Preparing nodes ■ ■ ■".
void showProgress(cluster::ClusterCreator &creator)
{
    const bool tty = ::isatty(STDOUT_FILENO);
    QObject::connect(&creator, &cluster::ClusterCreator::stepStarted, [tty](int, const QString &title) {
        if (tty)
            out() << QStringLiteral(" \u2022 %1 ...").arg(title) << Qt::flush;
    });
    QObject::connect(&creator, &cluster::ClusterCreator::stepFinished,
                     [tty](int, const QString &title, bool ok, const QString &detail) {
        if (tty)
            out() << QStringLiteral("\r\033[K");
        const QString mark = ok ? QStringLiteral("\u2713") : QStringLiteral("\u2717");
        out() << QStringLiteral(" %1 %2").arg(mark, title);
        if (ok && !detail.isEmpty())
            out() << QStringLiteral(" (%1)").arg(detail);
        out() << Qt::endl;
    });
    QObject::connect(&creator, &cluster::ClusterCreator::warning, [](const QString &message) {
        QTextStream(stderr) << message << Qt::endl;
    });
    QObject::connect(&creator, &cluster::ClusterCreator::holding, [](int index) {
        out() << QStringLiteral("holding before step %1").arg(index) << Qt::endl;
    });
    QObject::connect(&creator, &cluster::ClusterCreator::rollingBack, [] {
        out() << QCoreApplication::translate("Cli", " Removing what was created ...") << Qt::endl;
    });
}

int createCluster(const QCommandLineParser &p)
{
    cluster::CreateOptions options;
    if (p.isSet(QStringLiteral("config"))) {
        const QString path = p.value(QStringLiteral("config"));
        QFile file(path);
        if (path != QLatin1String("-") && !file.open(QIODevice::ReadOnly))
            return fail(QCoreApplication::translate("Cli", "cannot read %1: %2").arg(path, file.errorString()));
        if (path == QLatin1String("-") && !file.open(stdin, QIODevice::ReadOnly))
            return fail(QCoreApplication::translate("Cli", "cannot read the configuration from standard input"));
        auto config = cluster::parseClusterConfig(file.readAll(), path);
        if (!config)
            return fail(config.error());
        options.config = *config;
    } else {
        bool ok = true;
        const int workers = p.value(QStringLiteral("workers")).toInt(&ok);
        if (!ok || workers < 0 || workers > 50)
            return fail(QCoreApplication::translate("Cli", "--workers must be a number from 0 to 50"));
        options.config = cluster::defaultClusterConfig(1, workers);
    }
    if (p.isSet(QStringLiteral("name")) || options.config.name.isEmpty())
        options.name = p.value(QStringLiteral("name"));
    const qint64 wait = core::parseDuration(p.value(QStringLiteral("wait")));
    if (wait < 0)
        return fail(QCoreApplication::translate("Cli", "invalid --wait duration \"%1\" (use e.g. 90s or 5m)").arg(p.value(QStringLiteral("wait"))));
    options.waitMs = wait == 0 ? 120000 : int(std::min<qint64>(wait, 3600000));
    options.kubeconfigPath = p.value(QStringLiteral("kubeconfig"));

    const QString name = options.name.isEmpty() ? options.config.name : options.name;
    cluster::Clusters clusters;
    if (p.isSet(QStringLiteral("reuse")) && clusters.exists(name)) {
        out() << QCoreApplication::translate("Cli", "Cluster \"%1\" already exists; starting it if needed ...").arg(name) << Qt::endl;
        core::CancelToken cancel;
        cancelOnInterrupt(&cancel);
        if (auto started = clusters.start(name, options.waitMs, &cancel); !started)
            return fail(started.error());
        auto exported = clusters.exportKubeconfig(name, options.kubeconfigPath);
        if (!exported)
            return fail(exported.error());
        out() << QCoreApplication::translate("Cli", "Set kubectl context to \"%1\"").arg(cluster::contextName(name)) << Qt::endl;
        return 0;
    }

    out() << QCoreApplication::translate("Cli", "Creating cluster \"%1\" ...").arg(name) << Qt::endl;
    cluster::ClusterCreator creator(options);
    showProgress(creator);
    core::CancelToken cancel;
    cancelOnInterrupt(&cancel);
    auto created = creator.run(&cancel);
    if (!created) {
        if (cancel.isCancelled()) {
            fail(QCoreApplication::translate("Cli", "cluster creation was interrupted; nothing was left behind"));
            return 130;
        }
        return fail(QCoreApplication::translate("Cli", "failed to create cluster: %1").arg(created.error()));
    }
    out() << QCoreApplication::translate("Cli", "Set kubectl context to \"%1\"").arg(created->context) << Qt::endl
          << QCoreApplication::translate("Cli", "You can now use your cluster with:") << Qt::endl << Qt::endl
          << QStringLiteral("kubectl cluster-info --context %1").arg(created->context) << Qt::endl;
    return 0;
}

int deleteCluster(const QCommandLineParser &p)
{
    const QString name = p.value(QStringLiteral("name"));
    cluster::Clusters clusters;
    auto all = clusters.list();
    if (!all)
        return fail(all.error());
    if (!all->contains(name))
        return fail(QCoreApplication::translate("Cli", "unknown cluster \"%1\" (timonel get clusters lists them)").arg(name));
    out() << QCoreApplication::translate("Cli", "Deleting cluster \"%1\" ...").arg(name) << Qt::endl;
    auto removed = clusters.remove(name, p.value(QStringLiteral("kubeconfig")));
    if (!removed)
        return fail(QCoreApplication::translate("Cli", "failed to delete cluster \"%1\": %2").arg(name, removed.error()));
    out() << QCoreApplication::translate("Cli", "Deleted nodes: [%1]").arg(removed->join(QLatin1Char(' '))) << Qt::endl;
    return 0;
}

int getClusters(const QCommandLineParser &)
{
    auto all = cluster::Clusters().list();
    if (!all)
        return fail(all.error());
    if (all->isEmpty())
        QTextStream(stderr) << QCoreApplication::translate("Cli", "No clusters found.") << Qt::endl;
    for (const QString &name : *all)
        out() << name << Qt::endl;
    return 0;
}

int getNodes(const QCommandLineParser &p)
{
    const QString name = p.value(QStringLiteral("name"));
    cluster::Clusters clusters;
    auto nodes = clusters.nodes(name);
    if (!nodes)
        return fail(nodes.error());
    if (nodes->isEmpty()) {
        if (!clusters.exists(name))
            return fail(QCoreApplication::translate("Cli", "unknown cluster \"%1\" (timonel get clusters lists them)").arg(name));
        QTextStream(stderr) << QCoreApplication::translate("Cli", "No nodes found for cluster \"%1\".").arg(name) << Qt::endl;
    }
    for (const auto &node : *nodes)
        out() << node.name << Qt::endl;
    return 0;
}

int getKubeconfig(const QCommandLineParser &p)
{
    const QString name = p.value(QStringLiteral("name"));
    auto config = cluster::Clusters().kubeconfig(name, p.isSet(QStringLiteral("internal")));
    if (!config)
        return fail(config.error());
    out() << QString::fromUtf8(*config) << Qt::flush;
    return 0;
}

int exportKubeconfig(const QCommandLineParser &p)
{
    const QString name = p.value(QStringLiteral("name"));
    auto file = cluster::Clusters().exportKubeconfig(name, p.value(QStringLiteral("kubeconfig")));
    if (!file)
        return fail(file.error());
    out() << QCoreApplication::translate("Cli", "Set kubectl context to \"%1\"").arg(cluster::contextName(name)) << Qt::endl;
    return 0;
}

int startCluster(const QCommandLineParser &p)
{
    const QString name = p.value(QStringLiteral("name"));
    const qint64 wait = core::parseDuration(p.value(QStringLiteral("wait")));
    if (wait < 0)
        return fail(QCoreApplication::translate("Cli", "invalid --wait duration \"%1\" (use e.g. 90s or 5m)").arg(p.value(QStringLiteral("wait"))));
    out() << QCoreApplication::translate("Cli", "Starting cluster \"%1\" ...").arg(name) << Qt::endl;
    core::CancelToken cancel;
    cancelOnInterrupt(&cancel);
    if (auto r = cluster::Clusters().start(name, wait == 0 ? 120000 : int(std::min<qint64>(wait, 3600000)), &cancel); !r)
        return fail(r.error());
    out() << QCoreApplication::translate("Cli", "Cluster \"%1\" is running.").arg(name) << Qt::endl;
    return 0;
}

int stopCluster(const QCommandLineParser &p)
{
    const QString name = p.value(QStringLiteral("name"));
    out() << QCoreApplication::translate("Cli", "Stopping cluster \"%1\" ...").arg(name) << Qt::endl;
    if (auto r = cluster::Clusters().stop(name); !r)
        return fail(r.error());
    out() << QCoreApplication::translate("Cli", "Cluster \"%1\" is stopped; timonel start cluster --name %1 brings it back.").arg(name) << Qt::endl;
    return 0;
}

QList<Command> commands()
{
    auto withName = [](QCommandLineParser &p) { p.addOption(nameOption()); };
    return {
        {QStringLiteral("create"), QStringLiteral("cluster"), QCoreApplication::translate("Cli", "Creates a local Kubernetes cluster"),
         [](QCommandLineParser &p) {
             p.addOption(nameOption());
             p.addOption({QStringLiteral("config"), QCoreApplication::translate("Cli", "a KinD cluster config file (kind: Cluster), or - for stdin"), QCoreApplication::translate("Cli", "file")});
             p.addOption({QStringLiteral("workers"), QCoreApplication::translate("Cli", "worker nodes when no --config is given (default 0)"), QCoreApplication::translate("Cli", "count"), QStringLiteral("0")});
             p.addOption(waitOption());
             p.addOption(kubeconfigOption());
             p.addOption({QStringLiteral("reuse"), QCoreApplication::translate("Cli", "if the cluster exists, start it and use it instead of failing")});
         },
         createCluster},
        {QStringLiteral("delete"), QStringLiteral("cluster"), QCoreApplication::translate("Cli", "Deletes a cluster"),
         [](QCommandLineParser &p) { p.addOption(nameOption()); p.addOption(kubeconfigOption()); }, deleteCluster},
        {QStringLiteral("get"), QStringLiteral("clusters"), QCoreApplication::translate("Cli", "Lists existing clusters"), [](QCommandLineParser &) {}, getClusters},
        {QStringLiteral("get"), QStringLiteral("nodes"), QCoreApplication::translate("Cli", "Lists the nodes of a cluster"), withName, getNodes},
        {QStringLiteral("get"), QStringLiteral("kubeconfig"), QCoreApplication::translate("Cli", "Prints a cluster's kubeconfig"),
         [](QCommandLineParser &p) {
             p.addOption(nameOption());
             p.addOption({QStringLiteral("internal"), QCoreApplication::translate("Cli", "use the control plane's address on the cluster network")});
         },
         getKubeconfig},
        {QStringLiteral("export"), QStringLiteral("kubeconfig"), QCoreApplication::translate("Cli", "Merges a cluster's context into your kubeconfig"),
         [](QCommandLineParser &p) { p.addOption(nameOption()); p.addOption(kubeconfigOption()); }, exportKubeconfig},
        {QStringLiteral("start"), QStringLiteral("cluster"), QCoreApplication::translate("Cli", "Starts a stopped cluster"),
         [](QCommandLineParser &p) { p.addOption(nameOption()); p.addOption(waitOption()); }, startCluster},
        {QStringLiteral("stop"), QStringLiteral("cluster"), QCoreApplication::translate("Cli", "Stops a cluster, keeping everything in it"), withName, stopCluster},
    };
}

int usage(int code)
{
    QTextStream s(code == 0 ? stdout : stderr);
    s << QCoreApplication::translate("Cli", "Usage: timonel [COMMAND]") << Qt::endl
      << QCoreApplication::translate("Cli", "Without a command, opens the Timonel desktop app.") << Qt::endl << Qt::endl
      << QCoreApplication::translate("Cli", "Commands:") << Qt::endl;
    for (const Command &c : commands())
        s << QStringLiteral("  %1 %2").arg(c.verb, c.object).leftJustified(24) << c.summary << Qt::endl;
    s << QStringLiteral("  version").leftJustified(24) << QCoreApplication::translate("Cli", "Prints the version") << Qt::endl
      << Qt::endl << QCoreApplication::translate("Cli", "Use \"timonel COMMAND --help\" for a command's options.") << Qt::endl;
    return code;
}

} // namespace

int runCli(const QStringList &arguments)
{
    const QString verb = arguments.value(0);
    if (verb == QLatin1String("version") || verb == QLatin1String("--version")) {
        out() << QStringLiteral("timonel %1").arg(QCoreApplication::applicationVersion()) << Qt::endl;
        return 0;
    }
    if (verb == QLatin1String("help") || verb == QLatin1String("--help") || verb == QLatin1String("-h"))
        return usage(0);
    const QString object = arguments.value(1);
    for (const Command &c : commands()) {
        if (c.verb != verb || c.object != object)
            continue;
        QCommandLineParser parser;
        parser.setApplicationDescription(c.summary);
        parser.addHelpOption();
        c.options(parser);
        QStringList args = arguments.mid(2);
        args.prepend(QStringLiteral("timonel %1 %2").arg(verb, object));
        if (!parser.parse(args))
            return fail(parser.errorText());
        if (parser.isSet(QStringLiteral("help"))) {
            out() << parser.helpText() << Qt::flush;
            return 0;
        }
        if (!parser.positionalArguments().isEmpty())
            return fail(QCoreApplication::translate("Cli", "unexpected argument \"%1\"").arg(parser.positionalArguments().first()));
        return c.run(parser);
    }
    return fail(QCoreApplication::translate("Cli", "unknown command \"%1\" (timonel --help lists the commands)").arg(arguments.join(QLatin1Char(' '))));
}

} // namespace timonel::gui
