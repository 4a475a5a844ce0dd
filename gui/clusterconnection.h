// The desktop's live view of one kubeconfig context: an API client and one informer per kind
// the windows show (the resource tree, the topology graph, the events panel), each listed and
// then watched, so every view updates from watch events rather than polling.
#pragma once

#include "client/apiclient.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QString>

#include <memory>

namespace timonel::client {
class HttpsClient;
class Informer;
struct ClusterAccess;
} // namespace timonel::client

namespace timonel::gui {

// A kind the desktop follows: its API resource and how people name it.
struct WatchedKind
{
    client::Resource resource;
    QString kind; // "Deployment"
    bool namespaced = true;
    // "deployments.apps": the resource's name in the topology model and in kubectl's
    // resource.group form.
    QString key() const;
};

// Workloads, networking, configuration and storage, then cluster-scoped kinds and Events.
const QList<WatchedKind> &watchedKinds();

class ClusterConnection : public QObject
{
    Q_OBJECT
public:
    // Reads the context from the kubeconfig ($KUBECONFIG or ~/.kube/config); "" = current.
    static std::unique_ptr<ClusterConnection> open(const QString &context, QString *error);
    ~ClusterConnection() override;

    QString context() const { return m_context; }
    QString defaultNamespace() const { return m_defaultNamespace; }
    client::ApiClient &api();
    // The HTTPS client itself: logs, and what exec and port-forward need to connect.
    client::HttpsClient &https() { return *m_api; }
    const client::ClusterAccess &access() const;

    // Starts every informer.
    void start();
    // The cached objects of a kind (by WatchedKind::key()).
    QList<QJsonObject> objects(const QString &key) const;
    bool hasSynced(const QString &key) const;

Q_SIGNALS:
    // Any object of a followed kind was added or changed (key as WatchedKind::key()).
    void objectChanged(const QString &key, const QJsonObject &object);
    void objectRemoved(const QString &key, const QJsonObject &object);
    void kindSynced(const QString &key);
    // Listing or watching failed; informers retry on their own.
    void problem(const QString &message);

private:
    ClusterConnection(QString context, QString defaultNamespace,
                      std::unique_ptr<client::HttpsClient> api);

    QString m_context;
    QString m_defaultNamespace;
    std::unique_ptr<client::HttpsClient> m_api;
    QHash<QString, client::Informer *> m_informers; // by WatchedKind::key(); children of this
};

} // namespace timonel::gui
