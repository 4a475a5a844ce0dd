// The resource quota controller (pkg/controller/resourcequota): keeps every ResourceQuota's
// status.hard equal to its spec.hard and status.used equal to what its namespace's objects use.
// Admission charges new objects to quotas at once; this controller recounts a quota when its
// spec changes, when an object it counts is deleted or stops counting (a pod that ended, a
// service that is no longer a NodePort, a claim that shrank), and every five minutes, so
// deletions give quota back. It watches only the kinds some quota counts, from the first quota
// that asks for them.
#pragma once

#include "client/apiclient.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>

#include <functional>
#include <map>
#include <memory>

namespace timonel::client {
class Informer;
class WorkQueue;
} // namespace timonel::client

namespace timonel::controllers {

class ResourceQuotaController : public QObject
{
    Q_OBJECT
public:
    explicit ResourceQuotaController(client::ApiClient &api, QObject *parent = nullptr);
    ~ResourceQuotaController() override;

    void start();
    void stop();

private:
    enum class Discovery
    {
        NotYet,
        Running,
        Done
    };

    void syncQuota(const QString &key, std::function<void(bool retry)> done);
    // The informer of a group/resource's objects, started on first use; null while discovery
    // has not yet said which version the server serves it in, or when it serves none.
    client::Informer *monitor(const QString &groupResource);
    void discover();
    // Recounts the namespace's quotas that count objects of this group/resource.
    void replenish(const QString &groupResource, const QString &ns);
    void enqueueAll(const QString &groupResource = {});

    client::ApiClient &m_api;
    std::unique_ptr<client::WorkQueue> m_queue;
    std::unique_ptr<client::Informer> m_quotas;
    std::map<QString, std::unique_ptr<client::Informer>> m_monitors; // by group/resource
    QHash<QString, client::Resource> m_served; // group/resource -> as the server serves it
    Discovery m_discovery = Discovery::NotYet;
    qint64 m_discoveredAt = 0; // msecs since epoch
};

} // namespace timonel::controllers
