#include "clusters.h"

#include "clusterconfig.h"
#include "core/canceltoken.h"
#include "defaults.h"
#include "docker/tar.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTimer>

#include <set>

namespace timonel::cluster {

namespace {
// This file's user-visible texts, translated in the "Clusters" context.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Clusters)
};
} // namespace

namespace {

constexpr auto ReadyLine = "timonel-node: ready";
constexpr auto LoadBalancerRole = "external-load-balancer";

QString label(const QJsonObject &container, QLatin1StringView key)
{
    return container.value(QLatin1String("Labels")).toObject().value(key).toString();
}

int roleOrder(const QString &role)
{
    if (role == QLatin1String(LoadBalancerRole))
        return 0;
    return role == roleName(NodeRole::ControlPlane) ? 1 : 2;
}

// kind's order: worker < worker2 < worker10.
bool nodeLess(const NodeInfo &a, const NodeInfo &b)
{
    if (roleOrder(a.role) != roleOrder(b.role))
        return roleOrder(a.role) < roleOrder(b.role);
    if (a.name.size() != b.name.size())
        return a.name.size() < b.name.size();
    return a.name < b.name;
}

QString lastLines(const QByteArray &output, int count)
{
    QStringList lines = QString::fromUtf8(output).trimmed().split(QLatin1Char('\n'));
    if (lines.size() > count)
        lines = lines.mid(lines.size() - count);
    return lines.join(QLatin1String(" | "));
}

// Docker's RFC 3339 timestamps carry nanoseconds; milliseconds are plenty here.
QDateTime dockerTimestamp(const QByteArray &text)
{
    QByteArray t = text;
    if (const qsizetype dot = t.indexOf('.'); dot > 0) {
        const qsizetype end = t.indexOf('Z', dot);
        t = t.left(std::min(dot + 4, end < 0 ? t.size() : end)) + 'Z';
    }
    return QDateTime::fromString(QString::fromLatin1(t), Qt::ISODateWithMs);
}

} // namespace

QString contextName(const QString &cluster)
{
    return defaults::kubeconfigContextPrefix + cluster;
}

QString networkName(const QString &cluster)
{
    return defaults::networkNamePrefix + cluster;
}

Clusters::Clusters(docker::DockerClient docker) : m_docker(std::move(docker)) {}

Outcome<QStringList> Clusters::list() const
{
    // Networks too: a cluster whose nodes are gone still has something to delete.
    std::set<QString> names;
    auto containers = m_docker.listContainers(docker::labelFilter(defaults::clusterLabel));
    if (!containers)
        return std::unexpected(containers.error().message);
    for (const auto &c : *containers)
        names.insert(label(c.toObject(), defaults::clusterLabel));
    auto networks = m_docker.listNetworks(docker::labelFilter(defaults::clusterLabel));
    if (!networks)
        return std::unexpected(networks.error().message);
    for (const auto &n : *networks)
        names.insert(label(n.toObject(), defaults::clusterLabel));
    names.erase(QString());
    return QStringList(names.begin(), names.end());
}

bool Clusters::exists(const QString &name) const
{
    auto all = list();
    return all && all->contains(name);
}

Outcome<QList<NodeInfo>> Clusters::nodes(const QString &name) const
{
    auto containers = m_docker.listContainers(docker::labelFilter(defaults::clusterLabel, name));
    if (!containers)
        return std::unexpected(containers.error().message);
    QList<NodeInfo> nodes;
    for (const auto &value : *containers) {
        const QJsonObject c = value.toObject();
        const QString node = label(c, defaults::nodeLabel);
        if (node.isEmpty() || label(c, defaults::roleLabel).isEmpty())
            continue; // not a node: pods and other helpers carry the cluster label too
        const QJsonObject net = c.value(QLatin1String("NetworkSettings"))
                                    .toObject()
                                    .value(QLatin1String("Networks"))
                                    .toObject()
                                    .value(networkName(name))
                                    .toObject();
        nodes.append({node, label(c, defaults::roleLabel), c.value(QLatin1String("Id")).toString(),
                      c.value(QLatin1String("State")).toString(),
                      net.value(QLatin1String("IPAddress")).toString()});
    }
    std::sort(nodes.begin(), nodes.end(), nodeLess);
    return nodes;
}

Outcome<pki::KubeconfigEntry> Clusters::access(const QString &name, bool internal) const
{
    auto all = nodes(name);
    if (!all)
        return std::unexpected(all.error());
    const auto controlPlane = std::find_if(all->begin(), all->end(), [](const NodeInfo &n) {
        return n.role == roleName(NodeRole::ControlPlane);
    });
    if (controlPlane == all->end())
        return std::unexpected(Tr::tr("cluster \"%1\" has no control-plane node").arg(name));
    auto archive =
        m_docker.getArchive(controlPlane->containerId, QString::fromLatin1(PkiDirInNode));
    if (!archive)
        return std::unexpected(Tr::tr("cannot read the credentials of cluster \"%1\": %2")
                                   .arg(name, archive.error().message));
    auto entries = docker::readTar(*archive);
    if (!entries)
        return std::unexpected(entries.error());
    pki::KubeconfigEntry entry;
    entry.contextName = contextName(name);
    for (const auto &e : *entries) {
        if (e.path.endsWith(QLatin1String("/ca.crt")))
            entry.caPem = e.data;
        else if (e.path.endsWith(QLatin1String("/admin.crt")))
            entry.clientCertPem = e.data;
        else if (e.path.endsWith(QLatin1String("/admin.key")))
            entry.clientKeyPem = e.data;
    }
    if (entry.caPem.isEmpty() || entry.clientCertPem.isEmpty() || entry.clientKeyPem.isEmpty())
        return std::unexpected(
            Tr::tr("the credentials of cluster \"%1\" are incomplete").arg(name));

    // The API is reached through the load balancer when there is one, else the first control plane.
    const auto front = std::find_if(all->begin(), all->end(), [](const NodeInfo &n) {
        return n.role == QLatin1String(LoadBalancerRole);
    });
    const NodeInfo &api = front != all->end() ? *front : *controlPlane;
    if (internal) {
        entry.server =
            QStringLiteral("https://%1:%2").arg(api.name).arg(defaults::apiServerContainerPort);
        return entry;
    }
    auto inspected = m_docker.inspectContainer(api.containerId);
    if (!inspected)
        return std::unexpected(inspected.error().message);
    // Creation pins the host port, so the binding holds it even while the node is stopped.
    const QJsonObject binding =
        inspected->value(QLatin1String("HostConfig"))
            .toObject()
            .value(QLatin1String("PortBindings"))
            .toObject()
            .value(QStringLiteral("%1/tcp").arg(defaults::apiServerContainerPort))
            .toArray()
            .first()
            .toObject();
    QString host = binding.value(QLatin1String("HostIp")).toString();
    if (host.isEmpty() || host == QLatin1String("0.0.0.0"))
        host = QStringLiteral("127.0.0.1");
    const QString port = binding.value(QLatin1String("HostPort")).toString();
    if (port.isEmpty() || port == QLatin1String("0"))
        return std::unexpected(
            Tr::tr("cluster \"%1\" is not running: its API server has no port yet "
                   "(timonel start cluster --name %1)")
                .arg(name));
    entry.server = QStringLiteral("https://%1:%2").arg(host, port);
    return entry;
}

Outcome<QByteArray> Clusters::kubeconfig(const QString &name, bool internal) const
{
    auto entry = access(name, internal);
    if (!entry)
        return std::unexpected(entry.error());
    return pki::renderKubeconfig(*entry);
}

Outcome<QString> Clusters::exportKubeconfig(const QString &name, const QString &path) const
{
    auto entry = access(name);
    if (!entry)
        return std::unexpected(entry.error());
    const QString file = path.isEmpty() ? pki::kubeconfigPath() : path;
    if (auto merged = pki::mergeIntoKubeconfig(*entry, file, true); !merged)
        return std::unexpected(merged.error());
    return file;
}

Outcome<QStringList> Clusters::remove(const QString &name, const QString &kubeconfigPath) const
{
    const QJsonObject mine = docker::labelFilter(defaults::clusterLabel, name);
    QStringList removed;
    // Nodes first: their agents would otherwise start pod containers again while they go. Then
    // the pods, which stay put once no agent is left.
    for (const bool nodes : {true, false}) {
        auto containers = m_docker.listContainers(
            nodes ? docker::labelFilter(defaults::roleLabel) : mine);
        if (!containers)
            return std::unexpected(containers.error().message);
        for (const auto &value : *containers) {
            const QJsonObject c = value.toObject();
            if (label(c, defaults::clusterLabel) != name)
                continue;
            if (auto r =
                    m_docker.removeContainer(c.value(QLatin1String("Id")).toString(), true, true);
                !r && r.error().status != 404)
                return std::unexpected(r.error().message);
            if (const QString node = label(c, defaults::nodeLabel);
                !node.isEmpty() && !label(c, defaults::roleLabel).isEmpty())
                removed.append(node);
        }
    }
    if (auto networks = m_docker.listNetworks(mine); networks) {
        for (const auto &n : *networks)
            if (auto r = m_docker.removeNetwork(n.toObject().value(QLatin1String("Id")).toString());
                !r && r.error().status != 404)
                return std::unexpected(r.error().message);
    }
    if (auto volumes = m_docker.listVolumes(mine); volumes) {
        for (const auto &v : *volumes)
            if (auto r =
                    m_docker.removeVolume(v.toObject().value(QLatin1String("Name")).toString());
                !r && r.error().status != 404)
                return std::unexpected(r.error().message);
    }
    const QString file = kubeconfigPath.isEmpty() ? pki::kubeconfigPath() : kubeconfigPath;
    if (auto r = pki::removeFromKubeconfig(contextName(name), file); !r)
        return std::unexpected(r.error());
    std::sort(removed.begin(), removed.end());
    return removed;
}

Outcome<void> Clusters::stop(const QString &name) const
{
    auto all = nodes(name);
    if (!all)
        return std::unexpected(all.error());
    if (all->isEmpty())
        return std::unexpected(Tr::tr("unknown cluster \"%1\"").arg(name));
    // Workers first, so that nodes never outlive the control plane they report to.
    for (auto it = all->rbegin(); it != all->rend(); ++it)
        if (auto r = m_docker.stopContainer(it->containerId, 10); !r)
            return std::unexpected(Tr::tr("cannot stop %1: %2").arg(it->name, r.error().message));
    // Pods are sibling containers of their nodes: a stopped machine runs nothing. Their node
    // agents start them again with the nodes.
    if (auto pods = m_docker.listContainers(docker::labelFilter(defaults::clusterLabel, name),
                                            false)) {
        for (const auto &value : *pods)
            m_docker.killContainer(value.toObject().value(QLatin1String("Id")).toString());
    }
    return {};
}

Outcome<void> Clusters::start(const QString &name, int timeoutMs,
                              const core::CancelToken *cancel) const
{
    auto all = nodes(name);
    if (!all)
        return std::unexpected(all.error());
    if (all->isEmpty())
        return std::unexpected(Tr::tr("unknown cluster \"%1\"").arg(name));
    docker::DockerClient docker = m_docker;
    docker.setCancelToken(cancel);
    const QDeadlineTimer deadline(timeoutMs);
    // Nodes already running are left as they are (starting is idempotent).
    for (const NodeInfo &node : *all)
        if (auto r = docker.startContainer(node.containerId); !r)
            return std::unexpected(Tr::tr("cannot start %1: %2").arg(node.name, r.error().message));
    if (auto ready = waitForNodesReady(docker, *all, deadline); !ready)
        return ready;
    auto entry = access(name);
    if (!entry)
        return std::unexpected(entry.error());
    return waitForApiServer(*entry, deadline, cancel);
}

Outcome<void> waitForNodesReady(const docker::DockerClient &docker, const QList<NodeInfo> &nodes,
                                const QDeadlineTimer &deadline)
{
    for (const NodeInfo &node : nodes) {
        // Only output of the container's current run counts: an earlier run said "ready" too.
        // The current run's output all comes after the previous run finished (StartedAt is no
        // use: Docker may record it after the program's first lines).
        auto before = docker.inspectContainer(node.containerId);
        if (!before)
            return std::unexpected(before.error().message);
        const QDateTime since = dockerTimestamp(before->value(QLatin1String("State"))
                                                    .toObject()
                                                    .value(QLatin1String("FinishedAt"))
                                                    .toString()
                                                    .toLatin1());
        QByteArray output;
        bool ready = false;
        const qint64 left = deadline.remainingTime();
        auto followed = docker.logs(
            node.containerId, true,
            [&](int, const QByteArray &data) {
                output.append(data);
                for (const QByteArray &line : output.split('\n')) {
                    // Docker's timestamps let old output (before a restart) be told apart.
                    const qsizetype space = line.indexOf(' ');
                    if (space < 0 || !line.mid(space + 1).startsWith(ReadyLine))
                        continue;
                    const QDateTime at = dockerTimestamp(line.left(space));
                    if (!at.isValid() || !since.isValid() || at > since)
                        ready = true;
                }
                return !ready;
            },
            left < 0 ? -1 : int(left), QStringLiteral("all"), true);
        if (ready)
            continue;
        if (!followed)
            return std::unexpected(followed.error().message);
        auto inspected = docker.inspectContainer(node.containerId);
        const QJsonObject state =
            inspected ? inspected->value(QLatin1String("State")).toObject() : QJsonObject();
        if (inspected && !state.value(QLatin1String("Running")).toBool())
            return std::unexpected(Tr::tr("node %1 stopped (exit code %2): %3")
                                       .arg(node.name)
                                       .arg(state.value(QLatin1String("ExitCode")).toInt())
                                       .arg(lastLines(output, 3)));
        return std::unexpected(Tr::tr("node %1 did not become ready in time").arg(node.name));
    }
    return {};
}

Outcome<void> waitForApiServer(const pki::KubeconfigEntry &access, const QDeadlineTimer &deadline,
                               const core::CancelToken *cancel)
{
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setCaCertificates(QSslCertificate::fromData(access.caPem, QSsl::Pem));
    tls.setLocalCertificate(QSslCertificate(access.clientCertPem, QSsl::Pem));
    tls.setPrivateKey(QSslKey(access.clientKeyPem, QSsl::Ec, QSsl::Pem));
    QNetworkAccessManager network;
    QString lastError;
    while (!deadline.hasExpired()) {
        if (cancel && cancel->isCancelled())
            return std::unexpected(Tr::tr("cancelled"));
        QNetworkRequest request(QUrl(access.server + QStringLiteral("/readyz")));
        request.setSslConfiguration(tls);
        request.setTransferTimeout(5000);
        QNetworkReply *reply = network.get(request);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        if (cancel)
            QObject::connect(cancel, &core::CancelToken::cancelled, reply, &QNetworkReply::abort,
                             Qt::QueuedConnection);
        loop.exec(QEventLoop::ExcludeUserInputEvents);
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        lastError = reply->errorString();
        reply->deleteLater();
        if (status == 200)
            return {};
        // Not up yet: try again shortly, within the deadline.
        QEventLoop pause;
        QTimer::singleShot(std::min<qint64>(200, std::max<qint64>(deadline.remainingTime(), 0)),
                           &pause, &QEventLoop::quit);
        pause.exec(QEventLoop::ExcludeUserInputEvents);
    }
    return std::unexpected(
        Tr::tr("the API server at %1 did not answer in time: %2").arg(access.server, lastError));
}

} // namespace timonel::cluster
