// The service account controller: every namespace that is not terminating has a ServiceAccount
// named "default" (the one pods run as when they name none), created again if deleted, as
// kube-controller-manager's serviceaccount-controller keeps it.
#pragma once

#include "client/apiclient.h"

#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>

namespace timonel::client {
class Informer;
class WorkQueue;
} // namespace timonel::client

namespace timonel::controllers {

struct ServiceAccountControllerOptions
{
    QStringList serviceAccounts{QStringLiteral("default")}; // ensured in every namespace
};

class ServiceAccountController : public QObject
{
    Q_OBJECT
public:
    explicit ServiceAccountController(client::ApiClient &api,
                                      ServiceAccountControllerOptions options = {},
                                      QObject *parent = nullptr);
    ~ServiceAccountController() override;

    void start();
    void stop();

private:
    void syncNamespace(const QString &ns, std::function<void(bool retry)> done);

    client::ApiClient &m_api;
    ServiceAccountControllerOptions m_options;
    std::unique_ptr<client::Informer> m_namespaces;
    std::unique_ptr<client::Informer> m_serviceAccounts;
    std::unique_ptr<client::WorkQueue> m_queue;
};

} // namespace timonel::controllers
