// timonel-node: what runs inside Timonel's node containers. One binary, one role per process:
//   control-plane  the API server, the scheduler, the controllers and the node agent
//   worker         the node agent
//   pause          a pod's sandbox process: holds the pod's namespaces, reaps its orphans
//   lb             a load balancer: TCP in front of several control planes, TCP and UDP in
//                  front of a LoadBalancer Service's NodePorts
//   closure        prints the files a node image must carry (used when building the image)
#include "apiserver/apiserver.h"
#include "apiserver/inprocessclient.h"
#include "closure.h"
#include "clusteringress.h"
#include "controllermanager.h"
#include "controllers/garbagecollector.h"
#include "controllers/namespacecontroller.h"
#include "nodeagent.h"
#include "nodenetwork.h"
#include "nodeprocess.h"
#include "proxy/netlinkroutes.h"
#include "proxy/udpforwarder.h"
#include "servicelb.h"
#include "tcpproxy.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimer>

#include <malloc.h>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QTextStream>

#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcNode, "timonel.node", QtInfoMsg)

using namespace timonel;

namespace {

void announceReady(const QString &what)
{
    // Cluster creation follows the container's output for this line.
    std::printf("%s (%s)\n", node::ReadyLine, qPrintable(what));
    std::fflush(stdout);
}

// glibc keeps memory freed by a burst of requests (every request body is parsed into
// transient JSON trees) for later reuse, so a node would stay at its high-water mark. Give it
// back to the system when a good amount lies free.
void returnFreedMemory(QObject *owner)
{
    auto *timer = new QTimer(owner);
    QObject::connect(timer, &QTimer::timeout, [] {
        if (mallinfo2().fordblks > 8 * 1024 * 1024)
            malloc_trim(0);
    });
    timer->start(250);
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
    std::unique_ptr<apiserver::InProcessClient> inProcess;
    std::unique_ptr<node::ControllerManager> controllerManager;
    if (role == QLatin1String("control-plane")) {
        const QString pki = QString::fromLatin1(node::ConfigDir) + QStringLiteral("/pki/");
        apiserver::ApiServerOptions options;
        options.certificateFile = pki + QStringLiteral("apiserver.crt");
        options.keyFile = pki + QStringLiteral("apiserver.key");
        options.clientCaFile = pki + QStringLiteral("ca.crt");
        options.kubeletClientCertificateFile = pki + QStringLiteral("apiserver-kubelet-client.crt");
        options.kubeletClientKeyFile = pki + QStringLiteral("apiserver-kubelet-client.key");
        // The node's volume: objects survive stop/start and Docker restarts. The Secrets key
        // lives beside the database but never in it.
        options.dataDirectory = QStringLiteral("/var/lib/timonel/apiserver");
        options.encryptionKeyFile = QStringLiteral("/var/lib/timonel/encryption.key");
        options.network.serviceSubnet =
            config->value(QLatin1String("serviceSubnet")).toString(options.network.serviceSubnet);
        options.advertiseAddress = config->value(QLatin1String("nodeIP")).toString();
        api = std::make_unique<apiserver::ApiServer>(options);
        if (auto started = api->start(); !started)
            return fail(started.error());
        // The controllers of the control plane share the API server's process and call it
        // through the in-process transport.
        inProcess = std::make_unique<apiserver::InProcessClient>(api->store());
        controllerManager = std::make_unique<node::ControllerManager>(*inProcess);
        controllerManager->start();
    }
    // Every node runs pods, the control planes too (they are tainted when there are workers).
    docker::DockerClient docker;
    std::unique_ptr<client::ApiClient> remote;
    client::ApiClient *client = inProcess.get();
    if (!client) {
        auto created = node::nodeApiClient(*config);
        if (!created)
            return fail(created.error());
        remote = std::move(*created);
        client = remote.get();
    }
    const QString serviceSubnet =
        config->value(QLatin1String("serviceSubnet")).toString(QStringLiteral("10.96.0.0/16"));
    node::NodeNetwork network(*client,
                              {serviceSubnet, config->value(QLatin1String("nodeIP")).toString(),
                               role == QLatin1String("control-plane")});
    if (auto started = network.start(); !started)
        return fail(started.error());
    auto agentOptions = node::nodeAgentOptions(*config, docker);
    if (!agentOptions)
        return fail(agentOptions.error());
    agentOptions->dns.nameserver = node::dnsServiceIP(serviceSubnet);
    agentOptions->runtime.serviceSubnet = serviceSubnet;
    // LoadBalancer Services are published on the user's machine by the first control plane,
    // which reaches Docker; the ingress controller runs there too. One of each: control planes
    // share no state yet, and two would fight over the same containers.
    const bool firstControlPlane =
        role == QLatin1String("control-plane") &&
        name == agentOptions->runtime.cluster + QLatin1String("-control-plane");
    std::unique_ptr<node::ServiceLoadBalancers> loadBalancers;
    if (firstControlPlane) {
        loadBalancers = std::make_unique<node::ServiceLoadBalancers>(
            *client,
            node::ServiceLoadBalancerOptions{agentOptions->runtime.cluster,
                                             agentOptions->runtime.network,
                                             agentOptions->runtime.sandboxImage},
            docker);
        loadBalancers->start();
    }
    std::unique_ptr<node::ClusterIngress> ingress;
    if (firstControlPlane) {
        ingress = std::make_unique<node::ClusterIngress>(
            *client, config->value(QLatin1String("nodeIP")).toString());
        if (auto started = ingress->start(); !started)
            std::fprintf(stderr, "timonel-node: %s\n", qPrintable(started.error()));
    }
    kubelet::Kubelet agent(*client, *agentOptions, docker);
    if (auto started = agent.start(); !started)
        return fail(started.error());

    returnFreedMemory(QCoreApplication::instance());
    announceReady(QStringLiteral("%1 %2").arg(role, name));
    return QCoreApplication::exec();
}

// A bare API server on this machine, for benchmarks and development: no node, no Docker.
// Plain HTTP on loopback unless --pki=DIR (with ca.crt, apiserver.crt/.key) is given.
int runApiServer(const QStringList &args)
{
    apiserver::ApiServerOptions options;
    options.address = QHostAddress::LocalHost;
    options.port = 0;
    options.plainHttp = true;
    for (const QString &arg : args) {
        if (arg.startsWith(QLatin1String("--port=")))
            options.port = arg.mid(7).toUShort();
        else if (arg.startsWith(QLatin1String("--data=")))
            options.dataDirectory = arg.mid(7);
        else if (arg.startsWith(QLatin1String("--pki="))) {
            const QString pki = arg.mid(6) + QLatin1Char('/');
            options.plainHttp = false;
            options.certificateFile = pki + QStringLiteral("apiserver.crt");
            options.keyFile = pki + QStringLiteral("apiserver.key");
            options.clientCaFile = pki + QStringLiteral("ca.crt");
        } else
            return fail(QStringLiteral("apiserver: unknown argument %1").arg(arg));
    }
    if (options.dataDirectory.isEmpty())
        return fail(QStringLiteral("apiserver needs --data=DIR"));
    options.encryptionKeyFile = options.dataDirectory + QStringLiteral("/encryption.key");
    apiserver::ApiServer api(options);
    if (auto started = api.start(); !started)
        return fail(started.error());
    apiserver::InProcessClient inProcess(api.store());
    controllers::NamespaceController namespaces(inProcess);
    namespaces.start();
    controllers::GarbageCollector garbage(inProcess);
    garbage.start();
    returnFreedMemory(&api);
    announceReady(QStringLiteral("apiserver :%1").arg(api.port()));
    return QCoreApplication::exec();
}

// The pod sandbox's process, as Kubernetes' pause: PID 1 of the pod, it sleeps, reaps what a
// shared process namespace leaves to it and ends on SIGINT or SIGTERM. There is one per pod,
// so it starts no Qt application: it costs a few hundred kilobytes and no start-up work.
int runPause(int argc, char **argv)
{
    // `pause --service-route CIDR NODE-IP`: the pod reaches ClusterIPs through its node.
    if (argc == 5 && std::strcmp(argv[2], "--service-route") == 0) {
        if (auto routed =
                proxy::addRoute(QString::fromLatin1(argv[3]), QString::fromLatin1(argv[4]));
            !routed)
            std::fprintf(stderr, "timonel-node pause: cannot route %s via %s: %s\n", argv[3],
                         argv[4], qPrintable(routed.error()));
    }
    struct sigaction quit = {};
    quit.sa_handler = [](int) { _exit(0); };
    sigaction(SIGINT, &quit, nullptr);
    sigaction(SIGTERM, &quit, nullptr);
    struct sigaction reap = {};
    reap.sa_handler = [](int) {
        while (waitpid(-1, nullptr, WNOHANG) > 0) {
        }
    };
    reap.sa_flags = SA_NOCLDSTOP | SA_RESTART;
    sigaction(SIGCHLD, &reap, nullptr);
    std::printf("%s (pause)\n", node::ReadyLine);
    std::fflush(stdout);
    for (;;)
        pause();
}

// `lb --port=PORT HOST:PORT...` (one port, the control planes' load balancer), or
// `lb --listen=PORT=HOST:PORT,HOST:PORT ... --listen-udp=PORT=HOST:PORT,...` (several, a
// LoadBalancer Service's TCP and UDP ports).
int runLoadBalancer(const QStringList &args)
{
    QList<std::pair<quint16, QList<node::Backend>>> listeners;
    QList<std::pair<quint16, QList<proxy::Backend>>> udpListeners;
    quint16 port = 6443;
    QList<node::Backend> backends;
    auto backendOf = [](const QString &text) {
        const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
        return node::Backend{text.left(colon), text.mid(colon + 1).toUShort()};
    };
    for (const QString &arg : args) {
        if (arg.startsWith(QLatin1String("--port="))) {
            port = arg.mid(7).toUShort();
        } else if (arg.startsWith(QLatin1String("--listen-udp="))) {
            const QString spec = arg.mid(13);
            QList<proxy::Backend> to;
            for (const QString &b :
                 spec.section(QLatin1Char('='), 1).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                const node::Backend backend = backendOf(b);
                to.append(proxy::Backend{backend.host, backend.port, true, true, false});
            }
            udpListeners.append({spec.section(QLatin1Char('='), 0, 0).toUShort(), to});
        } else if (arg.startsWith(QLatin1String("--listen="))) {
            const QString spec = arg.mid(9);
            QList<node::Backend> to;
            for (const QString &b :
                 spec.section(QLatin1Char('='), 1).split(QLatin1Char(','), Qt::SkipEmptyParts))
                to.append(backendOf(b));
            listeners.append({spec.section(QLatin1Char('='), 0, 0).toUShort(), to});
        } else if (arg.lastIndexOf(QLatin1Char(':')) > 0) {
            backends.append(backendOf(arg));
        }
    }
    if (!backends.isEmpty())
        listeners.append({port, backends});
    if (listeners.isEmpty() && udpListeners.isEmpty())
        return fail(QStringLiteral("lb needs at least one backend HOST:PORT"));
    std::vector<std::unique_ptr<node::TcpProxy>> proxies;
    QStringList ports;
    for (const auto &[listenPort, to] : listeners) {
        auto proxy = std::make_unique<node::TcpProxy>(to);
        if (!proxy->listen(QHostAddress::Any, listenPort))
            return fail(proxy->errorString());
        ports.append(QLatin1Char(':') + QString::number(listenPort));
        proxies.push_back(std::move(proxy));
    }
    std::vector<std::unique_ptr<proxy::UdpForwarder>> relays;
    for (const auto &[listenPort, to] : udpListeners) {
        auto relay = std::make_unique<proxy::UdpForwarder>(QHostAddress::AnyIPv4, listenPort);
        relay->setBackends(to, 0);
        if (auto listening = relay->listen(); !listening)
            return fail(listening.error());
        ports.append(QLatin1Char(':') + QString::number(listenPort) + QLatin1String("/udp"));
        relays.push_back(std::move(relay));
    }
    announceReady(QStringLiteral("lb ") + ports.join(QLatin1Char(' ')));
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char **argv)
{
    if (argc >= 2 && std::strcmp(argv[1], "pause") == 0)
        return runPause(argc, argv);
    QCoreApplication app(argc, argv);
    app.setApplicationName(QStringLiteral("timonel-node"));
    app.setApplicationVersion(QStringLiteral(TIMONEL_VERSION));
    node::installSignalHandlers();

    const QStringList args = app.arguments().mid(1);
    const QString role = args.value(0);
    if (role == QLatin1String("control-plane") || role == QLatin1String("worker"))
        return runNode(role);
    if (role == QLatin1String("lb"))
        return runLoadBalancer(args.mid(1));
    if (role == QLatin1String("apiserver"))
        return runApiServer(args.mid(1));
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
