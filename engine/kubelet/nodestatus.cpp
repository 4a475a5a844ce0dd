#include "nodestatus.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QStorageInfo>
#include <QSysInfo>
#include <QThread>
#include <QTimer>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcNodeStatus, "timonel.kubelet", QtInfoMsg)

namespace timonel::kubelet {

namespace {

const client::Resource nodes{QString(), u"v1"_s, u"nodes"_s};
const client::Resource leases{u"coordination.k8s.io"_s, u"v1"_s, u"leases"_s};
constexpr auto leaseNamespace = "kube-node-lease";
// The kubelet's defaults: renew every 10 s a lease that lasts 40 s.
constexpr int leaseRenewMs = 10000;
constexpr int leaseDurationSeconds = 40;
constexpr int statusReportMs = 60000;
constexpr int maxPods = 110;

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed() : QByteArray();
}

QString now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
}

QString microTime()
{
    return QDateTime::currentDateTimeUtc().toString(u"yyyy-MM-ddThh:mm:ss.zzz000Z"_s);
}

QString architecture()
{
    const QString arch = QSysInfo::currentCpuArchitecture();
    if (arch == u"x86_64")
        return u"amd64"_s;
    if (arch == u"arm64" || arch == u"aarch64")
        return u"arm64"_s;
    return arch;
}

} // namespace

qint64 cgroupMilliCpu()
{
    const qint64 machine = qint64(QThread::idealThreadCount()) * 1000;
    const QList<QByteArray> v2 = readFile(u"/sys/fs/cgroup/cpu.max"_s).split(' ');
    if (v2.size() == 2 && v2[0] != "max" && v2[1].toLongLong() > 0)
        return std::min(machine, v2[0].toLongLong() * 1000 / v2[1].toLongLong());
    const qint64 quota = readFile(u"/sys/fs/cgroup/cpu/cpu.cfs_quota_us"_s).toLongLong();
    const qint64 period = readFile(u"/sys/fs/cgroup/cpu/cpu.cfs_period_us"_s).toLongLong();
    if (quota > 0 && period > 0)
        return std::min(machine, quota * 1000 / period);
    return machine;
}

qint64 cgroupMemoryBytes()
{
    qint64 machine = 0;
    for (const QByteArray &line : readFile(u"/proc/meminfo"_s).split('\n'))
        if (line.startsWith("MemTotal:"))
            machine = line.simplified().split(' ').value(1).toLongLong() * 1024;
    bool ok = false;
    qint64 limit = readFile(u"/sys/fs/cgroup/memory.max"_s).toLongLong(&ok);
    if (!ok)
        limit = readFile(u"/sys/fs/cgroup/memory/memory.limit_in_bytes"_s).toLongLong(&ok);
    return ok && limit > 0 && (machine == 0 || limit < machine) ? limit : machine;
}

NodeStatusReporter::NodeStatusReporter(client::ApiClient &api, NodeConfig config, QObject *parent)
    : QObject(parent), m_api(api), m_config(std::move(config))
{
    m_milliCpu = cgroupMilliCpu();
    m_memory = cgroupMemoryBytes();
    const QStorageInfo storage(m_config.stateDirectory.isEmpty() ? u"/"_s
                                                                 : m_config.stateDirectory);
    m_storage = storage.bytesTotal();
    m_leaseTimer = new QTimer(this);
    m_leaseTimer->setInterval(leaseRenewMs);
    connect(m_leaseTimer, &QTimer::timeout, this, &NodeStatusReporter::renewLease);
    m_statusTimer = new QTimer(this);
    m_statusTimer->setInterval(statusReportMs);
    connect(m_statusTimer, &QTimer::timeout, this, &NodeStatusReporter::postStatus);
}

NodeStatusReporter::~NodeStatusReporter() = default;

void NodeStatusReporter::start()
{
    m_readySince = now();
    registerNode();
}

void NodeStatusReporter::stop()
{
    m_leaseTimer->stop();
    m_statusTimer->stop();
}

QJsonObject NodeStatusReporter::nodeObject() const
{
    QJsonObject labels{{u"kubernetes.io/hostname"_s, m_config.name},
                       {u"kubernetes.io/os"_s, u"linux"_s},
                       {u"kubernetes.io/arch"_s, architecture()},
                       {u"beta.kubernetes.io/os"_s, u"linux"_s},
                       {u"beta.kubernetes.io/arch"_s, architecture()}};
    if (m_config.controlPlane) {
        labels.insert(u"node-role.kubernetes.io/control-plane"_s, QString());
        labels.insert(u"node.kubernetes.io/exclude-from-external-load-balancers"_s, QString());
    }
    for (auto it = m_config.labels.begin(); it != m_config.labels.end(); ++it)
        labels.insert(it.key(), it.value());
    QJsonObject spec;
    if (!m_config.podCidr.isEmpty()) {
        spec.insert(u"podCIDR"_s, m_config.podCidr);
        spec.insert(u"podCIDRs"_s, QJsonArray{m_config.podCidr});
    }
    if (!m_config.taints.isEmpty())
        spec.insert(u"taints"_s, m_config.taints);
    return {{u"apiVersion"_s, u"v1"_s},
            {u"kind"_s, u"Node"_s},
            {u"metadata"_s, QJsonObject{{u"name"_s, m_config.name}, {u"labels"_s, labels}}},
            {u"spec"_s, spec}};
}

QJsonObject NodeStatusReporter::statusObject() const
{
    const QString heartbeat = now();
    auto condition = [&](const QString &type, bool status, const QString &reason,
                         const QString &message) {
        return QJsonObject{{u"type"_s, type},
                           {u"status"_s, status ? u"True"_s : u"False"_s},
                           {u"lastHeartbeatTime"_s, heartbeat},
                           {u"lastTransitionTime"_s, m_readySince},
                           {u"reason"_s, reason},
                           {u"message"_s, message}};
    };
    const QJsonObject capacity{{u"cpu"_s, u"%1m"_s.arg(m_milliCpu)},
                               {u"memory"_s, u"%1Ki"_s.arg(m_memory / 1024)},
                               {u"pods"_s, QString::number(maxPods)},
                               {u"ephemeral-storage"_s, u"%1Ki"_s.arg(m_storage / 1024)}};
    const QString bootId = QString::fromLatin1(readFile(u"/proc/sys/kernel/random/boot_id"_s));
    const QString machineId = QString::fromLatin1(
        QCryptographicHash::hash(m_config.name.toUtf8(), QCryptographicHash::Md5).toHex());
    return {
        {u"capacity"_s, capacity},
        {u"allocatable"_s, capacity},
        {u"conditions"_s,
         QJsonArray{
             condition(u"MemoryPressure"_s, false, u"KubeletHasSufficientMemory"_s,
                       u"kubelet has sufficient memory available"_s),
             condition(u"DiskPressure"_s, false, u"KubeletHasNoDiskPressure"_s,
                       u"kubelet has no disk pressure"_s),
             condition(u"PIDPressure"_s, false, u"KubeletHasSufficientPID"_s,
                       u"kubelet has sufficient PID available"_s),
             condition(u"Ready"_s, true, u"KubeletReady"_s, u"kubelet is posting ready status"_s)}},
        {u"addresses"_s,
         QJsonArray{QJsonObject{{u"type"_s, u"InternalIP"_s}, {u"address"_s, m_config.nodeIP}},
                    QJsonObject{{u"type"_s, u"Hostname"_s}, {u"address"_s, m_config.name}}}},
        {u"daemonEndpoints"_s,
         QJsonObject{{u"kubeletEndpoint"_s, QJsonObject{{u"Port"_s, m_config.kubeletPort}}}}},
        {u"nodeInfo"_s,
         QJsonObject{{u"machineID"_s, machineId},
                     {u"systemUUID"_s, machineId},
                     {u"bootID"_s, bootId},
                     {u"kernelVersion"_s, QSysInfo::kernelVersion()},
                     {u"osImage"_s, u"Timonel node " TIMONEL_VERSION ""_s},
                     {u"containerRuntimeVersion"_s, m_config.containerRuntimeVersion},
                     {u"kubeletVersion"_s, u"v1.32.0-timonel." TIMONEL_VERSION ""_s},
                     {u"kubeProxyVersion"_s, QString()}, // deprecated, empty as in 1.32
                     {u"operatingSystem"_s, u"linux"_s},
                     {u"architecture"_s, architecture()}}},
    };
}

void NodeStatusReporter::registerNode()
{
    m_api.create(
        nodes, QString(), nodeObject(), {u"kubelet"_s},
        [this](client::Result<QJsonObject> created) {
            if (!created && !created.error().isConflict()) {
                qCWarning(lcNodeStatus) << "cannot register node" << m_config.name
                                        << created.error().message << "- retrying";
                QTimer::singleShot(1000, this, &NodeStatusReporter::registerNode);
                return;
            }
            if (!created) {
                // Registered before (the node restarted): refresh its labels only;
                // taints belong to whoever set them since.
                const QJsonObject patch{
                    {u"metadata"_s,
                     QJsonObject{{u"labels"_s,
                                  nodeObject().value(u"metadata").toObject().value(u"labels")}}}};
                m_api.patch(nodes, QString(), m_config.name, client::PatchType::Merge,
                            QJsonDocument(patch).toJson(QJsonDocument::Compact), {}, {u"kubelet"_s},
                            [](client::Result<QJsonObject>) {});
            }
            m_registered = true;
            postStatus();
            renewLease();
            m_leaseTimer->start();
            m_statusTimer->start();
            Q_EMIT registered();
        });
}

void NodeStatusReporter::postStatus()
{
    const QJsonObject patch{{u"status"_s, statusObject()}};
    m_api.patch(nodes, QString(), m_config.name, client::PatchType::Merge,
                QJsonDocument(patch).toJson(QJsonDocument::Compact), u"status"_s, {u"kubelet"_s},
                [this](client::Result<QJsonObject> posted) {
                    if (!posted)
                        qCWarning(lcNodeStatus)
                            << "cannot post node status:" << posted.error().message;
                    if (!posted && posted.error().isNotFound()) {
                        // The Node was deleted: register again, as the kubelet does.
                        m_leaseTimer->stop();
                        m_statusTimer->stop();
                        m_registered = false;
                        registerNode();
                    }
                });
}

void NodeStatusReporter::renewLease()
{
    const QString ns = QString::fromLatin1(leaseNamespace);
    if (!m_leaseExists) {
        const QJsonObject lease{
            {u"apiVersion"_s, u"coordination.k8s.io/v1"_s},
            {u"kind"_s, u"Lease"_s},
            {u"metadata"_s, QJsonObject{{u"name"_s, m_config.name}, {u"namespace"_s, ns}}},
            {u"spec"_s, QJsonObject{{u"holderIdentity"_s, m_config.name},
                                    {u"leaseDurationSeconds"_s, leaseDurationSeconds},
                                    {u"renewTime"_s, microTime()}}}};
        m_api.create(leases, ns, lease, {u"kubelet"_s}, [this](client::Result<QJsonObject> r) {
            m_leaseExists = r || r.error().isConflict();
            if (r.has_value())
                return;
            if (r.error().isConflict())
                renewLease();
        });
        return;
    }
    // After a pause (a stopped node container, a laptop asleep) the control plane has marked
    // the node Unknown: say Ready again at once rather than at the next periodic report.
    m_api.get(nodes, QString(), m_config.name, [this](client::Result<QJsonObject> node) {
        if (!node)
            return;
        for (const QJsonValue &c : node->value(u"status").toObject().value(u"conditions").toArray())
            if (c.toObject().value(u"type").toString() == u"Ready" &&
                c.toObject().value(u"status").toString() != u"True")
                postStatus();
    });
    const QJsonObject patch{{u"spec"_s, QJsonObject{{u"holderIdentity"_s, m_config.name},
                                                    {u"renewTime"_s, microTime()}}}};
    m_api.patch(leases, ns, m_config.name, client::PatchType::Merge,
                QJsonDocument(patch).toJson(QJsonDocument::Compact), QString(), {u"kubelet"_s},
                [this](client::Result<QJsonObject> r) {
                    if (!r && r.error().isNotFound()) {
                        m_leaseExists = false;
                        renewLease();
                    }
                });
}

} // namespace timonel::kubelet
