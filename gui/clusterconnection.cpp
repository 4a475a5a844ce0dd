#include "clusterconnection.h"

#include "client/httpsclient.h"
#include "client/informer.h"

#include <QCoreApplication>

namespace timonel::gui {

namespace {

// Only what the windows read: managed fields are large and never shown.
QJsonObject slim(const QJsonObject &object)
{
    QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    if (!meta.contains(QLatin1String("managedFields")))
        return object;
    meta.remove(QStringLiteral("managedFields"));
    QJsonObject slimmed = object;
    slimmed.insert(QStringLiteral("metadata"), meta);
    return slimmed;
}

} // namespace

QString WatchedKind::key() const
{
    return resource.group.isEmpty() ? resource.resource
                                    : resource.resource + QLatin1Char('.') + resource.group;
}

const QList<WatchedKind> &watchedKinds()
{
    static const QList<WatchedKind> kinds{
        {{{}, QStringLiteral("v1"), QStringLiteral("pods")}, QStringLiteral("Pod")},
        {{QStringLiteral("apps"), QStringLiteral("v1"), QStringLiteral("deployments")},
         QStringLiteral("Deployment")},
        {{QStringLiteral("apps"), QStringLiteral("v1"), QStringLiteral("replicasets")},
         QStringLiteral("ReplicaSet")},
        {{QStringLiteral("apps"), QStringLiteral("v1"), QStringLiteral("statefulsets")},
         QStringLiteral("StatefulSet")},
        {{QStringLiteral("apps"), QStringLiteral("v1"), QStringLiteral("daemonsets")},
         QStringLiteral("DaemonSet")},
        {{QStringLiteral("batch"), QStringLiteral("v1"), QStringLiteral("jobs")},
         QStringLiteral("Job")},
        {{QStringLiteral("batch"), QStringLiteral("v1"), QStringLiteral("cronjobs")},
         QStringLiteral("CronJob")},
        {{{}, QStringLiteral("v1"), QStringLiteral("services")}, QStringLiteral("Service")},
        {{QStringLiteral("networking.k8s.io"), QStringLiteral("v1"), QStringLiteral("ingresses")},
         QStringLiteral("Ingress")},
        {{{}, QStringLiteral("v1"), QStringLiteral("configmaps")}, QStringLiteral("ConfigMap")},
        {{{}, QStringLiteral("v1"), QStringLiteral("secrets")}, QStringLiteral("Secret")},
        {{{}, QStringLiteral("v1"), QStringLiteral("persistentvolumeclaims")},
         QStringLiteral("PersistentVolumeClaim")},
        {{{}, QStringLiteral("v1"), QStringLiteral("namespaces")},
         QStringLiteral("Namespace"),
         false},
        {{{}, QStringLiteral("v1"), QStringLiteral("nodes")}, QStringLiteral("Node"), false},
        {{{}, QStringLiteral("v1"), QStringLiteral("persistentvolumes")},
         QStringLiteral("PersistentVolume"),
         false},
        {{{}, QStringLiteral("v1"), QStringLiteral("events")}, QStringLiteral("Event")},
    };
    return kinds;
}

std::unique_ptr<ClusterConnection> ClusterConnection::open(const QString &context, QString *error)
{
    auto client = client::HttpsClient::fromKubeconfig({}, context);
    if (!client) {
        if (error)
            *error = client.error();
        return nullptr;
    }
    const client::ClusterAccess access = (*client)->access();
    return std::unique_ptr<ClusterConnection>(
        new ClusterConnection(access.contextName, access.defaultNamespace, std::move(*client)));
}

ClusterConnection::ClusterConnection(QString context, QString defaultNamespace,
                                     std::unique_ptr<client::HttpsClient> api)
    : m_context(std::move(context)), m_defaultNamespace(std::move(defaultNamespace)),
      m_api(std::move(api))
{
    client::InformerOptions options;
    options.transform = slim;
    for (const WatchedKind &kind : watchedKinds()) {
        const QString key = kind.key();
        auto *informer = new client::Informer(*m_api, kind.resource, options, this);
        m_informers.insert(key, informer);
        connect(informer, &client::Informer::added, this,
                [this, key](const QJsonObject &o) { Q_EMIT objectChanged(key, o); });
        connect(informer, &client::Informer::updated, this,
                [this, key](const QJsonObject &, const QJsonObject &o) {
                    Q_EMIT objectChanged(key, o);
                });
        connect(informer, &client::Informer::deleted, this,
                [this, key](const QJsonObject &o) { Q_EMIT objectRemoved(key, o); });
        connect(informer, &client::Informer::synced, this, [this, key] { Q_EMIT kindSynced(key); });
        connect(informer, &client::Informer::failed, this, [this, key](const client::Error &e) {
            Q_EMIT problem(QCoreApplication::translate("timonel::gui::ClusterConnection",
                                                       "Cannot watch %1: %2")
                               .arg(key, e.message));
        });
    }
}

ClusterConnection::~ClusterConnection()
{
    // The informers go before the client they use.
    qDeleteAll(m_informers);
    m_informers.clear();
}

client::ApiClient &ClusterConnection::api()
{
    return *m_api;
}

const client::ClusterAccess &ClusterConnection::access() const
{
    return m_api->access();
}

void ClusterConnection::start()
{
    for (client::Informer *informer : std::as_const(m_informers))
        informer->start();
}

QList<QJsonObject> ClusterConnection::objects(const QString &key) const
{
    const client::Informer *informer = m_informers.value(key);
    return informer ? informer->list() : QList<QJsonObject>();
}

bool ClusterConnection::hasSynced(const QString &key) const
{
    const client::Informer *informer = m_informers.value(key);
    return informer && informer->hasSynced();
}

} // namespace timonel::gui
