#include "clusterconfig.h"

#include "core/yaml.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QLocale>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace timonel::cluster {

namespace {

// The fields of one KinD object: those Timonel implements, and KinD's own that it reads past
// with a warning. Anything else is a typo or a newer KinD field, and an error.
struct Fields
{
    QStringList implemented;
    QStringList ignored;
};

const Fields clusterFields{{u"kind"_s, u"apiVersion"_s, u"name"_s, u"nodes"_s, u"networking"_s},
                           {u"featureGates"_s, u"runtimeConfig"_s, u"kubeadmConfigPatches"_s,
                            u"kubeadmConfigPatchesJSON6902"_s, u"containerdConfigPatches"_s,
                            u"containerdConfigPatchesJSON6902"_s}};
const Fields networkingFields{
    {u"ipFamily"_s, u"apiServerAddress"_s, u"apiServerPort"_s, u"podSubnet"_s, u"serviceSubnet"_s},
    {u"disableDefaultCNI"_s, u"kubeProxyMode"_s, u"dnsSearch"_s}};
const Fields nodeFields{{u"role"_s, u"labels"_s, u"extraPortMappings"_s, u"extraMounts"_s},
                        {u"image"_s, u"kubeadmConfigPatches"_s, u"kubeadmConfigPatchesJSON6902"_s}};
const Fields portMappingFields{
    {u"containerPort"_s, u"hostPort"_s, u"listenAddress"_s, u"protocol"_s}, {}};
const Fields mountFields{{u"hostPath"_s, u"containerPath"_s, u"readOnly"_s, u"propagation"_s},
                         {u"selinuxRelabel"_s}};

const QStringList protocols{u"TCP"_s, u"UDP"_s, u"SCTP"_s};
const QStringList propagations{u"None"_s, u"HostToContainer"_s, u"Bidirectional"_s};

QString child(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + u'.' + key;
}

QString item(const QString &path, qsizetype index)
{
    return path + u'[' + QString::number(index) + u']';
}

bool present(const QJsonValue &value)
{
    return !value.isUndefined() && !value.isNull();
}

int editDistance(QStringView a, QStringView b)
{
    QList<int> row(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        row[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int above = row[j];
            const bool same = a[i - 1].toLower() == b[j - 1].toLower();
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// The field a misspelt key most likely meant ("extraPortMapping", "Role"), if any is close.
QString closestField(const QString &key, const Fields &fields)
{
    QString best;
    int bestDistance = 3;
    for (const QStringList *names : {&fields.implemented, &fields.ignored}) {
        for (const QString &name : *names) {
            if (const int distance = editDistance(key, name); distance < bestDistance) {
                best = name;
                bestDistance = distance;
            }
        }
    }
    return best;
}

QString describe(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        return QCoreApplication::translate("ClusterConfig", "true/false");
    case QJsonValue::Double:
        return QCoreApplication::translate("ClusterConfig", "a number");
    case QJsonValue::String:
        return QCoreApplication::translate("ClusterConfig", "a string");
    case QJsonValue::Array:
        return QCoreApplication::translate("ClusterConfig", "a list");
    case QJsonValue::Object:
        return QCoreApplication::translate("ClusterConfig", "a mapping");
    default:
        return QCoreApplication::translate("ClusterConfig", "nothing");
    }
}

// Label values and the cluster name are strings in KinD, but `version: 2` or `gpu: true`
// reach us as a number or a bool: take their text.
std::optional<QString> scalarText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Bool:
        return value.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Double: {
        const double number = value.toDouble();
        if (number == std::trunc(number) && std::abs(number) < 1e15)
            return QString::number(qint64(number));
        return QString::number(number, 'g', QLocale::FloatingPointShortest);
    }
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return QString();
    default:
        return std::nullopt;
    }
}

// Kubernetes label syntax: an optional DNS-subdomain prefix and '/', then a name of at most
// 63 characters; values are empty or name-like. Node labels that break it would only fail
// later, when the node registers.
QString labelProblem(const QString &key, const QString &value)
{
    static const QRegularExpression name(u"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"_s);
    static const QRegularExpression prefix(
        u"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"_s);
    const qsizetype slash = key.indexOf(u'/');
    const QString keyName = key.mid(slash + 1);
    const bool prefixOk = slash < 0 || (slash <= 253 && prefix.match(key.left(slash)).hasMatch());
    if (!prefixOk || keyName.size() > 63 || !name.match(keyName).hasMatch()) {
        return QCoreApplication::translate(
                   "ClusterConfig",
                   "\"%1\" is not a valid label key: use letters, digits, '-', '_' and '.', at "
                   "most 63 characters, optionally after a domain prefix and '/'")
            .arg(key);
    }
    if (!value.isEmpty() && (value.size() > 63 || !name.match(value).hasMatch())) {
        return QCoreApplication::translate(
                   "ClusterConfig",
                   "\"%1\" is not a valid label value: use letters, digits, '-', '_' and '.', "
                   "at most 63 characters, starting and ending with a letter or digit")
            .arg(value);
    }
    return {};
}

// Reads a parsed KinD config into a ClusterConfig. The first problem found is kept, with the
// path of the field it concerns ("nodes[1].role: ..."); once there is one, every read below
// returns its fallback, so the code reads as the happy path.
class Reader
{
public:
    std::expected<ClusterConfig, QString> read(const QJsonValue &document);

private:
    void fail(const QString &path, const QString &detail);
    bool failed() const { return !m_error.isEmpty(); }

    // Typed reads of object[key]; an absent or null field gives the fallback.
    QJsonObject mapping(const QJsonValue &value, const QString &path,
                        const Fields *fields = nullptr);
    QJsonArray list(const QJsonObject &object, const QString &path, const QString &key);
    template <typename T>
    QList<T> items(const QJsonObject &object, const QString &path, const QString &key,
                   T (Reader::*readItem)(const QJsonValue &, const QString &));
    QString text(const QJsonObject &object, const QString &path, const QString &key,
                 const QString &fallback = {});
    QString scalar(const QJsonValue &value, const QString &path);
    int integer(const QJsonObject &object, const QString &path, const QString &key);
    int port(const QJsonObject &object, const QString &path, const QString &key,
             bool randomAllowed);
    bool flag(const QJsonObject &object, const QString &path, const QString &key);
    QString ipv4(const QJsonObject &object, const QString &path, const QString &key,
                 QLatin1StringView fallback);
    std::optional<core::Ipv4Subnet> subnet(const QJsonObject &object, const QString &path,
                                           const QString &key);

    void checkFields(const QJsonObject &object, const QString &path, const Fields &fields);
    void readTypeMeta(const QJsonObject &cluster);
    void readNetworking(const QJsonObject &networking);
    NodeConfig readNode(const QJsonValue &value, const QString &path);
    PortMapping readPortMapping(const QJsonValue &value, const QString &path);
    Mount readMount(const QJsonValue &value, const QString &path);
    void checkPodSubnetCapacity();
    void checkHostPorts();

    ClusterConfig m_config;
    QString m_error;
};

void Reader::fail(const QString &path, const QString &detail)
{
    if (!failed())
        m_error = path.isEmpty() ? detail : path + u": "_s + detail;
}

QJsonObject Reader::mapping(const QJsonValue &value, const QString &path, const Fields *fields)
{
    if (failed() || !present(value))
        return {};
    if (!value.isObject()) {
        fail(path, QCoreApplication::translate("ClusterConfig", "expected a mapping, found %1")
                       .arg(describe(value)));
        return {};
    }
    const QJsonObject object = value.toObject();
    if (fields)
        checkFields(object, path, *fields);
    return object;
}

QJsonArray Reader::list(const QJsonObject &object, const QString &path, const QString &key)
{
    const QJsonValue value = object.value(key);
    if (failed() || !present(value))
        return {};
    if (!value.isArray()) {
        fail(child(path, key),
             QCoreApplication::translate("ClusterConfig", "expected a list, found %1")
                 .arg(describe(value)));
        return {};
    }
    return value.toArray();
}

template <typename T>
QList<T> Reader::items(const QJsonObject &object, const QString &path, const QString &key,
                       T (Reader::*readItem)(const QJsonValue &, const QString &))
{
    const QJsonArray array = list(object, path, key);
    QList<T> result;
    for (qsizetype i = 0; i < array.size() && !failed(); ++i)
        result.append((this->*readItem)(array.at(i), item(child(path, key), i)));
    return result;
}

QString Reader::text(const QJsonObject &object, const QString &path, const QString &key,
                     const QString &fallback)
{
    const QJsonValue value = object.value(key);
    if (failed() || !present(value))
        return fallback;
    if (!value.isString()) {
        fail(child(path, key),
             QCoreApplication::translate("ClusterConfig", "expected a string, found %1")
                 .arg(describe(value)));
        return fallback;
    }
    const QString result = value.toString();
    return result.isEmpty() ? fallback : result;
}

QString Reader::scalar(const QJsonValue &value, const QString &path)
{
    if (failed())
        return {};
    const std::optional<QString> result = scalarText(value);
    if (!result) {
        fail(path, QCoreApplication::translate("ClusterConfig", "expected a string, found %1")
                       .arg(describe(value)));
    }
    return result.value_or(QString());
}

int Reader::integer(const QJsonObject &object, const QString &path, const QString &key)
{
    const QJsonValue value = object.value(key);
    if (failed() || !present(value))
        return 0;
    const double number = value.toDouble();
    if (!value.isDouble()) {
        fail(child(path, key),
             QCoreApplication::translate("ClusterConfig", "expected a number, found %1")
                 .arg(describe(value)));
    } else if (number != std::trunc(number) || std::abs(number) > 1e9) {
        fail(child(path, key),
             QCoreApplication::translate("ClusterConfig", "%1 is not a whole number").arg(number));
    }
    return failed() ? 0 : int(number);
}

// A port number; 0 and kind's own -1 both mean "a random free port" where that is allowed.
int Reader::port(const QJsonObject &object, const QString &path, const QString &key,
                 bool randomAllowed)
{
    const int number = integer(object, path, key);
    if (failed() || (randomAllowed && (number == 0 || number == -1)))
        return 0;
    if (number >= 1 && number <= 65535)
        return number;
    if (randomAllowed) {
        fail(child(path, key),
             QCoreApplication::translate(
                 "ClusterConfig",
                 "%1 is not a valid port; use 1 to 65535, or 0 for a random free port")
                 .arg(number));
    } else {
        fail(child(path, key),
             QCoreApplication::translate("ClusterConfig", "%1 is not a valid port; use 1 to 65535")
                 .arg(number));
    }
    return 0;
}

bool Reader::flag(const QJsonObject &object, const QString &path, const QString &key)
{
    const QJsonValue value = object.value(key);
    if (failed() || !present(value))
        return false;
    if (!value.isBool()) {
        fail(child(path, key),
             QCoreApplication::translate("ClusterConfig", "expected true or false, found %1")
                 .arg(describe(value)));
    }
    return value.toBool();
}

QString Reader::ipv4(const QJsonObject &object, const QString &path, const QString &key,
                     QLatin1StringView fallback)
{
    const QString address = text(object, path, key, fallback);
    if (!failed() && !core::parseIpv4(address)) {
        fail(child(path, key),
             QCoreApplication::translate(
                 "ClusterConfig", "\"%1\" is not an IPv4 address (Timonel clusters are IPv4 only)")
                 .arg(address));
    }
    return address;
}

std::optional<core::Ipv4Subnet> Reader::subnet(const QJsonObject &object, const QString &path,
                                               const QString &key)
{
    const QString cidr = text(object, path, key);
    if (failed() || cidr.isEmpty())
        return std::nullopt;
    if (cidr.contains(u',')) {
        fail(child(path, key),
             QCoreApplication::translate("ClusterConfig",
                                         "\"%1\" lists several subnets; Timonel clusters are IPv4 "
                                         "only, give one IPv4 CIDR")
                 .arg(cidr));
        return std::nullopt;
    }
    auto parsed = core::Ipv4Subnet::parse(cidr);
    if (!parsed) {
        fail(child(path, key), parsed.error());
        return std::nullopt;
    }
    return *parsed;
}

void Reader::checkFields(const QJsonObject &object, const QString &path, const Fields &fields)
{
    for (auto it = object.begin(); it != object.end() && !failed(); ++it) {
        const QString key = it.key();
        if (fields.implemented.contains(key))
            continue;
        if (fields.ignored.contains(key)) {
            if (present(it.value()))
                m_config.ignoredFields.append(child(path, key));
            continue;
        }
        if (const QString guess = closestField(key, fields); !guess.isEmpty()) {
            fail(path, QCoreApplication::translate("ClusterConfig",
                                                   "unknown field \"%1\" (did you mean \"%2\"?)")
                           .arg(key, guess));
        } else {
            fail(path,
                 QCoreApplication::translate("ClusterConfig", "unknown field \"%1\"").arg(key));
        }
    }
}

std::expected<ClusterConfig, QString> Reader::read(const QJsonValue &document)
{
    const QJsonObject cluster = mapping(document, {});
    readTypeMeta(cluster);
    checkFields(cluster, {}, clusterFields);

    m_config.name = scalar(cluster.value(u"name"), u"name"_s);
    if (const QString problem = validateClusterName(m_config.name);
        !m_config.name.isEmpty() && !problem.isEmpty()) {
        fail(u"name"_s, problem);
    }

    readNetworking(mapping(cluster.value(u"networking"), u"networking"_s, &networkingFields));

    m_config.nodes = items(cluster, {}, u"nodes"_s, &Reader::readNode);
    // kind's default when the file names no nodes: a single control plane.
    if (m_config.nodes.isEmpty())
        m_config.nodes.append(NodeConfig{});
    const bool anyControlPlane = std::ranges::any_of(
        m_config.nodes, [](const NodeConfig &node) { return node.role == NodeRole::ControlPlane; });
    if (!anyControlPlane) {
        fail(u"nodes"_s,
             QCoreApplication::translate(
                 "ClusterConfig",
                 "there is no control-plane node; add a node with role: control-plane"));
    }

    checkPodSubnetCapacity();
    checkHostPorts();
    if (failed())
        return std::unexpected(m_error);
    return m_config;
}

// Checked before the other fields: a Pod manifest passed by mistake is named as such rather
// than reported field by field.
void Reader::readTypeMeta(const QJsonObject &cluster)
{
    if (failed())
        return;
    const QJsonValue kind = cluster.value(u"kind");
    const QJsonValue apiVersion = cluster.value(u"apiVersion");
    if (!present(kind)) {
        fail({}, QCoreApplication::translate("ClusterConfig",
                                             "kind is missing; a KinD config has kind: %1")
                     .arg(defaults::kindKind));
    } else if (kind.toString() != defaults::kindKind) {
        fail({}, QCoreApplication::translate("ClusterConfig",
                                             "kind is \"%1\"; a KinD config has kind: %2")
                     .arg(scalarText(kind).value_or(describe(kind)), defaults::kindKind));
    } else if (!present(apiVersion)) {
        fail({}, QCoreApplication::translate("ClusterConfig",
                                             "apiVersion is missing; Timonel reads apiVersion: %1")
                     .arg(defaults::kindApiVersion));
    } else if (apiVersion.toString() != defaults::kindApiVersion) {
        fail({}, QCoreApplication::translate("ClusterConfig",
                                             "apiVersion is \"%1\"; Timonel reads apiVersion: %2")
                     .arg(scalarText(apiVersion).value_or(describe(apiVersion)),
                          defaults::kindApiVersion));
    }
}

void Reader::readNetworking(const QJsonObject &object)
{
    const QString path = u"networking"_s;
    Networking &networking = m_config.networking;

    const QString family = text(object, path, u"ipFamily"_s, networking.ipFamily);
    if (family == u"ipv6" || family == u"dual") {
        fail(child(path, u"ipFamily"_s),
             QCoreApplication::translate("ClusterConfig",
                                         "%1 is not supported: Timonel clusters are IPv4 only "
                                         "(remove ipFamily or set it to ipv4)")
                 .arg(family));
    } else if (family != u"ipv4") {
        fail(child(path, u"ipFamily"_s),
             QCoreApplication::translate("ClusterConfig", "\"%1\" is not an IP family; use ipv4")
                 .arg(family));
    }

    networking.apiServerAddress =
        ipv4(object, path, u"apiServerAddress"_s, defaults::apiServerAddress);
    networking.apiServerPort = port(object, path, u"apiServerPort"_s, true);

    const std::optional<core::Ipv4Subnet> pods = subnet(object, path, u"podSubnet"_s);
    if (pods && pods->prefixLength() > defaults::nodePodCidrPrefix) {
        fail(child(path, u"podSubnet"_s),
             QCoreApplication::translate("ClusterConfig",
                                         "%1 is too small: each node gets a /%2 of the pod "
                                         "subnet, so use a /%2 or larger (e.g. %3)")
                 .arg(pods->toString())
                 .arg(defaults::nodePodCidrPrefix)
                 .arg(defaults::podSubnet));
    }
    const core::Ipv4Subnet services =
        subnet(object, path, u"serviceSubnet"_s)
            .value_or(*core::Ipv4Subnet::parse(defaults::serviceSubnet));
    if (services.prefixLength() > defaults::maxServiceSubnetPrefix) {
        fail(child(path, u"serviceSubnet"_s),
             QCoreApplication::translate("ClusterConfig",
                                         "%1 is too small: use a /%2 or larger (e.g. %3)")
                 .arg(services.toString())
                 .arg(defaults::maxServiceSubnetPrefix)
                 .arg(defaults::serviceSubnet));
    }
    if (pods && pods->overlaps(services)) {
        fail(child(path, u"serviceSubnet"_s),
             QCoreApplication::translate(
                 "ClusterConfig",
                 "%1 overlaps the pod subnet %2; pick subnets that do not share addresses")
                 .arg(services.toString(), pods->toString()));
    }
    networking.podSubnet = pods ? pods->toString() : QString();
    networking.serviceSubnet = services.toString();
}

NodeConfig Reader::readNode(const QJsonValue &value, const QString &path)
{
    const QJsonObject object = mapping(value, path, &nodeFields);
    NodeConfig node;

    // kind makes a node without a role a control plane.
    const QString role = text(object, path, u"role"_s, roleName(NodeRole::ControlPlane));
    if (role == roleName(NodeRole::Worker)) {
        node.role = NodeRole::Worker;
    } else if (role != roleName(NodeRole::ControlPlane)) {
        fail(child(path, u"role"_s),
             QCoreApplication::translate(
                 "ClusterConfig", "\"%1\" is not a valid node role; use control-plane or worker")
                 .arg(role));
    }

    const QString labelsPath = child(path, u"labels"_s);
    const QJsonObject labels = mapping(object.value(u"labels"), labelsPath);
    for (auto it = labels.begin(); it != labels.end() && !failed(); ++it) {
        const QString labelValue = scalar(it.value(), child(labelsPath, it.key()));
        if (const QString problem = labelProblem(it.key(), labelValue); !problem.isEmpty())
            fail(child(labelsPath, it.key()), problem);
        node.labels.insert(it.key(), labelValue);
    }

    node.extraPortMappings = items(object, path, u"extraPortMappings"_s, &Reader::readPortMapping);
    node.extraMounts = items(object, path, u"extraMounts"_s, &Reader::readMount);
    return node;
}

PortMapping Reader::readPortMapping(const QJsonValue &value, const QString &path)
{
    const QJsonObject object = mapping(value, path, &portMappingFields);
    PortMapping mapping;
    if (!failed() && !present(object.value(u"containerPort"))) {
        fail(path, QCoreApplication::translate("ClusterConfig", "containerPort is missing"));
    }
    mapping.containerPort = port(object, path, u"containerPort"_s, false);
    mapping.hostPort = port(object, path, u"hostPort"_s, true);
    mapping.listenAddress = ipv4(object, path, u"listenAddress"_s, defaults::listenAddress);

    const QString protocol = text(object, path, u"protocol"_s, mapping.protocol);
    if (protocols.contains(protocol.toUpper())) {
        mapping.protocol = protocol.toUpper();
    } else {
        fail(child(path, u"protocol"_s),
             QCoreApplication::translate("ClusterConfig",
                                         "\"%1\" is not a protocol; use TCP, UDP or SCTP")
                 .arg(protocol));
    }
    return mapping;
}

Mount Reader::readMount(const QJsonValue &value, const QString &path)
{
    const QJsonObject object = mapping(value, path, &mountFields);
    Mount mount;

    // Docker bind-mounts absolute paths only. kind resolves a relative hostPath against its
    // working directory at create time; a config file should not depend on where it is run.
    for (const auto &[key, target] : {std::pair{u"hostPath"_s, &mount.hostPath},
                                      std::pair{u"containerPath"_s, &mount.containerPath}}) {
        *target = text(object, path, key);
        if (failed())
            break;
        if (target->isEmpty()) {
            fail(path, QCoreApplication::translate("ClusterConfig", "%1 is missing").arg(key));
        } else if (!target->startsWith(u'/')) {
            fail(child(path, key),
                 QCoreApplication::translate("ClusterConfig", "\"%1\" is not an absolute path")
                     .arg(*target));
        }
    }

    mount.readOnly = flag(object, path, u"readOnly"_s);
    mount.propagation = text(object, path, u"propagation"_s, mount.propagation);
    if (!propagations.contains(mount.propagation)) {
        fail(child(path, u"propagation"_s),
             QCoreApplication::translate("ClusterConfig",
                                         "\"%1\" is not a mount propagation; use None, "
                                         "HostToContainer or Bidirectional")
                 .arg(mount.propagation));
    }
    return mount;
}

void Reader::checkPodSubnetCapacity()
{
    if (failed() || m_config.networking.podSubnet.isEmpty())
        return;
    const auto subnet = core::Ipv4Subnet::parse(m_config.networking.podSubnet);
    const quint64 needed = quint64(m_config.nodes.size()) + defaults::podSubnetExtraRanges;
    const quint64 ranges = subnet->size() >> (32 - defaults::nodePodCidrPrefix);
    if (needed <= ranges)
        return;
    int largestPrefix = defaults::nodePodCidrPrefix;
    while ((quint64(1) << (defaults::nodePodCidrPrefix - largestPrefix)) < needed)
        --largestPrefix;
    fail(u"networking.podSubnet"_s,
         QCoreApplication::translate("ClusterConfig",
                                     "%1 is too small for %n node(s): each node gets a /%2 and "
                                     "the cluster network %3 more; use a /%4 or larger",
                                     nullptr, int(m_config.nodes.size()))
             .arg(subnet->toString())
             .arg(defaults::nodePodCidrPrefix)
             .arg(defaults::podSubnetExtraRanges)
             .arg(largestPrefix));
}

// Every node publishes on the same host, so a host port can be bound once per address and
// protocol across the whole cluster, and 0.0.0.0 takes the port on every address. The API
// server's fixed port counts too.
void Reader::checkHostPorts()
{
    struct Binding
    {
        QString path;
        quint32 address;
        int port;
        QString protocol;
        QString text() const
        {
            return core::formatIpv4(address) + u':' + QString::number(port) + u'/' + protocol;
        }
    };
    QList<Binding> bindings;
    const auto bind = [&](const QString &path, const QString &address, int port,
                          const QString &protocol) {
        if (failed() || port == 0)
            return;
        const Binding binding{path, core::parseIpv4(address).value_or(0), port, protocol};
        for (const Binding &other : std::as_const(bindings)) {
            const bool sameAddress =
                other.address == binding.address || other.address == 0 || binding.address == 0;
            if (other.port == port && other.protocol == protocol && sameAddress) {
                fail(path, QCoreApplication::translate(
                               "ClusterConfig",
                               "host port %1 clashes with %2 (%3); each host address, port and "
                               "protocol can be used once")
                               .arg(binding.text(), other.path, other.text()));
                return;
            }
        }
        bindings.append(binding);
    };

    const Networking &networking = m_config.networking;
    bind(u"networking.apiServerPort"_s, networking.apiServerAddress, networking.apiServerPort,
         u"TCP"_s);
    for (qsizetype n = 0; n < m_config.nodes.size(); ++n) {
        const QList<PortMapping> &mappings = m_config.nodes.at(n).extraPortMappings;
        for (qsizetype m = 0; m < mappings.size(); ++m) {
            const PortMapping &mapping = mappings.at(m);
            bind(item(item(u"nodes"_s, n) + u".extraPortMappings"_s, m), mapping.listenAddress,
                 mapping.hostPort, mapping.protocol);
        }
    }
}

} // namespace

QString roleName(NodeRole role)
{
    switch (role) {
    case NodeRole::ControlPlane:
        return u"control-plane"_s;
    case NodeRole::Worker:
        return u"worker"_s;
    }
    return {};
}

QString ClusterConfig::ignoredFieldsWarning() const
{
    if (ignoredFields.isEmpty())
        return {};
    return QCoreApplication::translate("ClusterConfig",
                                       "warning: Timonel ignores these KinD fields: %1")
        .arg(ignoredFields.join(u", "_s));
}

ClusterConfig defaultClusterConfig(int controlPlanes, int workers)
{
    ClusterConfig config;
    for (int i = 0; i < controlPlanes; ++i)
        config.nodes.append(NodeConfig{.role = NodeRole::ControlPlane});
    for (int i = 0; i < workers; ++i)
        config.nodes.append(NodeConfig{.role = NodeRole::Worker});
    return config;
}

std::expected<ClusterConfig, QString> parseClusterConfig(const QByteArray &yaml,
                                                         const QString &sourceName)
{
    const auto failure = [&](const QString &message) {
        return std::unexpected(sourceName.isEmpty() ? message : sourceName + u": "_s + message);
    };
    auto documents = core::parseYamlDocuments(yaml);
    if (!documents)
        return std::unexpected(core::formatYamlError(documents.error(), sourceName));
    documents->removeIf([](const QJsonValue &document) { return !present(document); });
    if (documents->isEmpty()) {
        return failure(QCoreApplication::translate("ClusterConfig",
                                                   "the config is empty; a KinD config starts "
                                                   "with kind: %1 and apiVersion: %2")
                           .arg(defaults::kindKind, defaults::kindApiVersion));
    }
    if (documents->size() > 1) {
        return failure(
            QCoreApplication::translate(
                "ClusterConfig", "holds %1 YAML documents; a KinD config is a single document")
                .arg(documents->size()));
    }
    auto config = Reader().read(documents->first());
    if (!config)
        return failure(config.error());
    return config;
}

QString validateClusterName(const QString &name)
{
    static const QRegularExpression pattern(u"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"_s);
    if (name.isEmpty())
        return QCoreApplication::translate("ClusterConfig", "the cluster name is empty");
    if (!pattern.match(name).hasMatch()) {
        return QCoreApplication::translate(
                   "ClusterConfig",
                   "\"%1\" is not a valid cluster name: use lowercase letters, digits and '-', "
                   "starting and ending with a letter or digit")
            .arg(name);
    }
    if (name.size() > defaults::maxClusterNameLength) {
        return QCoreApplication::translate(
                   "ClusterConfig",
                   "the cluster name \"%1\" is too long (%2 characters): at most %3, so that "
                   "node names such as %1-control-plane stay valid host names")
            .arg(name)
            .arg(name.size())
            .arg(defaults::maxClusterNameLength);
    }
    return {};
}

QStringList nodeNames(const QString &clusterName, const QList<NodeConfig> &nodes)
{
    // kind numbers nodes per role and leaves the first of each role unnumbered.
    QMap<NodeRole, int> seen;
    QStringList names;
    names.reserve(nodes.size());
    for (const NodeConfig &node : nodes) {
        const int count = ++seen[node.role];
        QString name = clusterName + u'-' + roleName(node.role);
        if (count > 1)
            name += QString::number(count);
        names.append(name);
    }
    return names;
}

QList<core::Ipv4Subnet> podSubnetCandidates()
{
    const core::Ipv4Subnet base = *core::Ipv4Subnet::parse(defaults::podSubnet);
    const quint32 firstOctet = base.network() & 0xff000000;
    QList<core::Ipv4Subnet> candidates;
    for (const defaults::OctetRange &range : defaults::podSubnetSecondOctets) {
        for (int octet = range.first; octet <= range.last; ++octet) {
            const QString cidr = core::formatIpv4(firstOctet | quint32(octet) << 16) + u'/' +
                                 QString::number(defaults::podSubnetPrefix);
            candidates.append(*core::Ipv4Subnet::parse(cidr));
        }
    }
    return candidates;
}

} // namespace timonel::cluster
