#include "cli.h"

#include "clisync.h"
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
// This file's user-visible texts, translated in the "Cli" context.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Cli)
};
} // namespace

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
    err << Tr::tr("ERROR: %1").arg(message) << Qt::endl;
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
    if (interruptPipe[0] < 0 &&
        ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, interruptPipe) != 0)
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
    bool takesNames = false; // positional arguments (cluster names) allowed
};

QCommandLineOption nameOption()
{
    return {QStringList{QStringLiteral("n"), QStringLiteral("name")},
            Tr::tr("cluster name (default \"%1\")").arg(cluster::defaults::clusterName),
            Tr::tr("name"), QString(cluster::defaults::clusterName)};
}

QCommandLineOption kubeconfigOption()
{
    return {QStringLiteral("kubeconfig"),
            Tr::tr("kubeconfig file to update (default $KUBECONFIG or ~/.kube/config)"),
            Tr::tr("path")};
}

QCommandLineOption waitOption()
{
    return {QStringLiteral("wait"),
            Tr::tr("how long to wait for the nodes to be ready, e.g. 60s or 5m (default 2m)"),
            Tr::tr("duration"), QStringLiteral("2m")};
}

// Follows a creator's steps on the terminal, kind-style: " ✓ Preparing nodes ■ ■ ■".
void showProgress(cluster::ClusterCreator &creator)
{
    const bool tty = ::isatty(STDOUT_FILENO);
    QObject::connect(&creator, &cluster::ClusterCreator::stepStarted,
                     [tty](int, const QString &title) {
                         if (tty)
                             out() << QStringLiteral(" \u2022 %1 ...").arg(title) << Qt::flush;
                     });
    QObject::connect(&creator, &cluster::ClusterCreator::stepFinished,
                     [tty](int, const QString &title, bool ok, const QString &detail) {
                         if (tty)
                             out() << QStringLiteral("\r\033[K");
                         const QString mark =
                             ok ? QStringLiteral("\u2713") : QStringLiteral("\u2717");
                         out() << QStringLiteral(" %1 %2").arg(mark, title);
                         if (ok && !detail.isEmpty())
                             out() << QStringLiteral(" (%1)").arg(detail);
                         out() << Qt::endl;
                     });
    QObject::connect(&creator, &cluster::ClusterCreator::warning,
                     [](const QString &message) { QTextStream(stderr) << message << Qt::endl; });
    QObject::connect(&creator, &cluster::ClusterCreator::holding, [](int index) {
        out() << QStringLiteral("holding before step %1").arg(index) << Qt::endl;
    });
    QObject::connect(&creator, &cluster::ClusterCreator::rollingBack,
                     [] { out() << Tr::tr(" Removing what was created ...") << Qt::endl; });
}

int createCluster(const QCommandLineParser &p)
{
    cluster::CreateOptions options;
    if (p.isSet(QStringLiteral("config"))) {
        const QString path = p.value(QStringLiteral("config"));
        QFile file(path);
        if (path != QLatin1String("-") && !file.open(QIODevice::ReadOnly))
            return fail(Tr::tr("cannot read %1: %2").arg(path, file.errorString()));
        if (path == QLatin1String("-") && !file.open(stdin, QIODevice::ReadOnly))
            return fail(Tr::tr("cannot read the configuration from standard input"));
        auto config = cluster::parseClusterConfig(file.readAll(), path);
        if (!config)
            return fail(config.error());
        options.config = *config;
    } else {
        bool ok = true;
        const int workers = p.value(QStringLiteral("workers")).toInt(&ok);
        if (!ok || workers < 0 || workers > 50)
            return fail(Tr::tr("--workers must be a number from 0 to 50"));
        options.config = cluster::defaultClusterConfig(1, workers);
    }
    if (p.isSet(QStringLiteral("name")) || options.config.name.isEmpty())
        options.name = p.value(QStringLiteral("name"));
    const qint64 wait = core::parseDuration(p.value(QStringLiteral("wait")));
    if (wait < 0)
        return fail(Tr::tr("invalid --wait duration \"%1\" (use e.g. 90s or 5m)")
                        .arg(p.value(QStringLiteral("wait"))));
    options.waitMs = wait == 0 ? 120000 : int(std::min<qint64>(wait, 3600000));
    options.kubeconfigPath = p.value(QStringLiteral("kubeconfig"));

    const QString name = options.name.isEmpty() ? options.config.name : options.name;
    cluster::Clusters clusters;
    if (p.isSet(QStringLiteral("reuse")) && clusters.exists(name)) {
        out() << Tr::tr("Cluster \"%1\" already exists; starting it if needed ...").arg(name)
              << Qt::endl;
        core::CancelToken cancel;
        cancelOnInterrupt(&cancel);
        if (auto started = clusters.start(name, options.waitMs, &cancel); !started)
            return fail(started.error());
        auto exported = clusters.exportKubeconfig(name, options.kubeconfigPath);
        if (!exported)
            return fail(exported.error());
        out() << Tr::tr("Set kubectl context to \"%1\"").arg(cluster::contextName(name))
              << Qt::endl;
        return 0;
    }

    out() << Tr::tr("Creating cluster \"%1\" ...").arg(name) << Qt::endl;
    cluster::ClusterCreator creator(options);
    showProgress(creator);
    core::CancelToken cancel;
    cancelOnInterrupt(&cancel);
    auto created = creator.run(&cancel);
    if (!created) {
        if (cancel.isCancelled()) {
            fail(Tr::tr("cluster creation was interrupted; nothing was left behind"));
            return 130;
        }
        return fail(Tr::tr("failed to create cluster: %1").arg(created.error()));
    }
    out() << Tr::tr("Set kubectl context to \"%1\"").arg(created->context) << Qt::endl
          << Tr::tr("You can now use your cluster with:") << Qt::endl
          << Qt::endl
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
        return fail(Tr::tr("unknown cluster \"%1\" (timonel get clusters lists them)").arg(name));
    out() << Tr::tr("Deleting cluster \"%1\" ...").arg(name) << Qt::endl;
    auto removed = clusters.remove(name, p.value(QStringLiteral("kubeconfig")));
    if (!removed)
        return fail(Tr::tr("failed to delete cluster \"%1\": %2").arg(name, removed.error()));
    out() << Tr::tr("Deleted nodes: [%1]").arg(removed->join(QLatin1Char(' '))) << Qt::endl;
    return 0;
}

// kind's `delete clusters NAME... | --all`: every named cluster, reporting each, failing if any
// failed.
int deleteClusters(const QCommandLineParser &p)
{
    const bool everyCluster = p.isSet(QStringLiteral("all"));
    if (p.positionalArguments().isEmpty() == !everyCluster)
        return fail(Tr::tr("name the clusters to delete, or use --all (not both)"));
    cluster::Clusters clusters;
    auto all = clusters.list();
    if (!all)
        return fail(all.error());
    const QStringList names = everyCluster ? *all : p.positionalArguments();
    int code = 0;
    for (const QString &name : names) {
        if (!all->contains(name)) {
            code =
                fail(Tr::tr("unknown cluster \"%1\" (timonel get clusters lists them)").arg(name));
            continue;
        }
        auto removed = clusters.remove(name, p.value(QStringLiteral("kubeconfig")));
        if (!removed)
            code = fail(Tr::tr("failed to delete cluster \"%1\": %2").arg(name, removed.error()));
        else
            out() << Tr::tr("Deleted cluster \"%1\"").arg(name) << Qt::endl;
    }
    return code;
}

int getClusters(const QCommandLineParser &)
{
    auto all = cluster::Clusters().list();
    if (!all)
        return fail(all.error());
    if (all->isEmpty())
        QTextStream(stderr) << Tr::tr("No clusters found.") << Qt::endl;
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
            return fail(
                Tr::tr("unknown cluster \"%1\" (timonel get clusters lists them)").arg(name));
        QTextStream(stderr) << Tr::tr("No nodes found for cluster \"%1\".").arg(name) << Qt::endl;
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
    out() << Tr::tr("Set kubectl context to \"%1\"").arg(cluster::contextName(name)) << Qt::endl;
    return 0;
}

int startCluster(const QCommandLineParser &p)
{
    const QString name = p.value(QStringLiteral("name"));
    const qint64 wait = core::parseDuration(p.value(QStringLiteral("wait")));
    if (wait < 0)
        return fail(Tr::tr("invalid --wait duration \"%1\" (use e.g. 90s or 5m)")
                        .arg(p.value(QStringLiteral("wait"))));
    out() << Tr::tr("Starting cluster \"%1\" ...").arg(name) << Qt::endl;
    core::CancelToken cancel;
    cancelOnInterrupt(&cancel);
    if (auto r = cluster::Clusters().start(
            name, wait == 0 ? 120000 : int(std::min<qint64>(wait, 3600000)), &cancel);
        !r)
        return fail(r.error());
    out() << Tr::tr("Cluster \"%1\" is running.").arg(name) << Qt::endl;
    return 0;
}

int stopCluster(const QCommandLineParser &p)
{
    const QString name = p.value(QStringLiteral("name"));
    out() << Tr::tr("Stopping cluster \"%1\" ...").arg(name) << Qt::endl;
    if (auto r = cluster::Clusters().stop(name); !r)
        return fail(r.error());
    out() << Tr::tr("Cluster \"%1\" is stopped; timonel start cluster --name %1 brings it back.")
                 .arg(name)
          << Qt::endl;
    return 0;
}

QList<Command> commands()
{
    auto withName = [](QCommandLineParser &p) { p.addOption(nameOption()); };
    return {
        {QStringLiteral("create"), QStringLiteral("cluster"),
         Tr::tr("Creates a local Kubernetes cluster"),
         [](QCommandLineParser &p) {
             p.addOption(nameOption());
             p.addOption({QStringLiteral("config"),
                          Tr::tr("a KinD cluster config file (kind: Cluster), or - for stdin"),
                          Tr::tr("file")});
             p.addOption({QStringLiteral("workers"),
                          Tr::tr("worker nodes when no --config is given (default 0)"),
                          Tr::tr("count"), QStringLiteral("0")});
             p.addOption(waitOption());
             p.addOption(kubeconfigOption());
             p.addOption({QStringLiteral("reuse"),
                          Tr::tr("if the cluster exists, start it and use it instead of failing")});
         },
         createCluster},
        {QStringLiteral("delete"), QStringLiteral("cluster"), Tr::tr("Deletes a cluster"),
         [](QCommandLineParser &p) {
             p.addOption(nameOption());
             p.addOption(kubeconfigOption());
         },
         deleteCluster},
        {QStringLiteral("delete"), QStringLiteral("clusters"),
         Tr::tr("Deletes the named clusters, or all of them"),
         [](QCommandLineParser &p) {
             p.addOption({QStringLiteral("all"), Tr::tr("delete every Timonel cluster")});
             p.addOption(kubeconfigOption());
             p.addPositionalArgument(QStringLiteral("names"), Tr::tr("clusters to delete"),
                                     QStringLiteral("[NAME...]"));
         },
         deleteClusters, true},
        {QStringLiteral("get"), QStringLiteral("clusters"), Tr::tr("Lists existing clusters"),
         [](QCommandLineParser &) {}, getClusters},
        {QStringLiteral("get"), QStringLiteral("nodes"), Tr::tr("Lists the nodes of a cluster"),
         withName, getNodes},
        {QStringLiteral("get"), QStringLiteral("kubeconfig"),
         Tr::tr("Prints a cluster's kubeconfig"),
         [](QCommandLineParser &p) {
             p.addOption(nameOption());
             p.addOption({QStringLiteral("internal"),
                          Tr::tr("use the control plane's address on the cluster network")});
         },
         getKubeconfig},
        {QStringLiteral("export"), QStringLiteral("kubeconfig"),
         Tr::tr("Merges a cluster's context into your kubeconfig"),
         [](QCommandLineParser &p) {
             p.addOption(nameOption());
             p.addOption(kubeconfigOption());
         },
         exportKubeconfig},
        {QStringLiteral("start"), QStringLiteral("cluster"), Tr::tr("Starts a stopped cluster"),
         [](QCommandLineParser &p) {
             p.addOption(nameOption());
             p.addOption(waitOption());
         },
         startCluster},
        {QStringLiteral("stop"), QStringLiteral("cluster"),
         Tr::tr("Stops a cluster, keeping everything in it"), withName, stopCluster},
    };
}

int usage(int code)
{
    QTextStream s(code == 0 ? stdout : stderr);
    s << Tr::tr("Usage: timonel [COMMAND]") << Qt::endl
      << Tr::tr("Without a command, opens the Timonel desktop app.") << Qt::endl
      << Qt::endl
      << Tr::tr("Commands:") << Qt::endl;
    for (const Command &c : commands())
        s << QStringLiteral("  %1 %2").arg(c.verb, c.object).leftJustified(24) << c.summary
          << Qt::endl;
    s << QStringLiteral("  sync").leftJustified(24)
      << Tr::tr("Keeps a cluster as a local git repository says") << Qt::endl
      << QStringLiteral("  version").leftJustified(24) << Tr::tr("Prints the version") << Qt::endl
      << Qt::endl
      << Tr::tr("Use \"timonel COMMAND --help\" for a command's options.") << Qt::endl;
    return code;
}

} // namespace

int runCli(const QStringList &arguments)
{
    const QString verb = arguments.value(0);
    if (verb == QLatin1String("version") || verb == QLatin1String("--version")) {
        out() << QStringLiteral("timonel %1").arg(QCoreApplication::applicationVersion())
              << Qt::endl;
        return 0;
    }
    if (verb == QLatin1String("help") || verb == QLatin1String("--help") ||
        verb == QLatin1String("-h"))
        return usage(0);
    if (verb == QLatin1String("sync")) {
        core::CancelToken interrupted;
        cancelOnInterrupt(&interrupted);
        return runSync(arguments.mid(1), interrupted);
    }
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
        if (!parser.positionalArguments().isEmpty() && !c.takesNames)
            return fail(
                Tr::tr("unexpected argument \"%1\"").arg(parser.positionalArguments().first()));
        return c.run(parser);
    }
    return fail(Tr::tr("unknown command \"%1\" (timonel --help lists the commands)")
                    .arg(arguments.join(QLatin1Char(' '))));
}

} // namespace timonel::gui
