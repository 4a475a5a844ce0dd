#include "nodeagent.h"

#include "client/httpsclient.h"
#include "client/kubeconfigclient.h"
#include "nodeprocess.h"

#include <QFile>
#include <QJsonArray>
#include <QSslCertificate>
#include <QSslKey>

using namespace Qt::StringLiterals;

namespace timonel::node {

namespace {

constexpr auto stateDirectory = "/var/lib/timonel";
constexpr auto dockerSocketInNode = "/var/run/docker.sock";

QString pkiFile(const QString &name)
{
    return QString::fromLatin1(ConfigDir) + u"/pki/"_s + name;
}

} // namespace

std::expected<kubelet::KubeletOptions, QString> nodeAgentOptions(const QJsonObject &config,
                                                                 const docker::DockerClient &docker)
{
    const QString name = config.value(u"nodeName").toString();
    auto self = docker.inspectContainer(name);
    if (!self)
        return std::unexpected(
            u"cannot inspect the node container %1: %2"_s.arg(name, self.error().message));
    auto version = docker.version();

    kubelet::KubeletOptions o;
    o.node.name = name;
    o.node.nodeIP = config.value(u"nodeIP").toString();
    o.node.podCidr = config.value(u"podCIDR").toString();
    o.node.controlPlane = config.value(u"role").toString() == u"control-plane";
    o.node.labels = config.value(u"labels").toObject();
    o.node.taints = config.value(u"taints").toArray();
    o.node.stateDirectory = QString::fromLatin1(stateDirectory);
    o.node.containerRuntimeVersion =
        u"docker://"_s + (version ? version->value(u"Version").toString() : u"unknown"_s);

    o.runtime.cluster = config.value(u"cluster").toString();
    o.runtime.nodeName = name;
    o.runtime.network = config.value(u"network").toString();
    o.runtime.sandboxImage = config.value(u"image").toString(
        self->value(u"Config").toObject().value(u"Image").toString());
    o.runtime.nodeIP = o.node.nodeIP;

    // The node's state directory is a Docker volume: pod files written under it are found by
    // the daemon at the volume's own path.
    o.volumes.localRoot = QString::fromLatin1(stateDirectory) + u"/kubelet"_s;
    o.volumes.cluster = o.runtime.cluster;
    for (const QJsonValue &v : self->value(u"Mounts").toArray()) {
        const QJsonObject mount = v.toObject();
        const QString target = mount.value(u"Destination").toString();
        const QString source = mount.value(u"Source").toString();
        if (target == QLatin1String(stateDirectory))
            o.volumes.hostRoot = source + u"/kubelet"_s;
        else if (target == QLatin1String(dockerSocketInNode))
            o.volumes.dockerSocket = source;
        else if (mount.value(u"Type").toString() == u"bind")
            o.volumes.nodeMounts.append({target, source});
    }
    if (o.volumes.hostRoot.isEmpty())
        return std::unexpected(
            u"the node container has no volume at %1"_s.arg(QLatin1String(stateDirectory)));

    // Pods whose DNS policy asks for the node's resolver get the node's own resolv.conf, which
    // is Docker's embedded DNS on the cluster network.
    if (QFile resolv(u"/etc/resolv.conf"_s); resolv.open(QIODevice::ReadOnly))
        o.dns.node = kubelet::ResolvConf::parse(QString::fromUtf8(resolv.readAll()));

    o.certificateFile = pkiFile(u"node.crt"_s);
    o.keyFile = pkiFile(u"node.key"_s);
    o.clientCaFile = pkiFile(u"ca.crt"_s);
    return o;
}

std::expected<std::unique_ptr<client::ApiClient>, QString> nodeApiClient(const QJsonObject &config)
{
    client::ClusterAccess access;
    access.contextName = u"node"_s;
    access.server = QUrl(config.value(u"apiServer").toString());
    access.caCertificates = QSslCertificate::fromPath(pkiFile(u"ca.crt"_s));
    const auto certificates = QSslCertificate::fromPath(pkiFile(u"node.crt"_s));
    QFile keyFile(pkiFile(u"node.key"_s));
    if (certificates.isEmpty() || access.caCertificates.isEmpty() ||
        !keyFile.open(QIODevice::ReadOnly))
        return std::unexpected(
            u"the node's certificates are missing from %1/pki"_s.arg(QLatin1String(ConfigDir)));
    access.clientCertificate = certificates.first();
    access.clientKey = QSslKey(keyFile.readAll(), QSsl::Ec);
    if (access.clientKey.isNull())
        return std::unexpected(u"cannot read the node's key"_s);
    return std::make_unique<client::HttpsClient>(access);
}

} // namespace timonel::node
