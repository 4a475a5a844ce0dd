#include "serviceaccountcontroller.h"

#include "client/informer.h"
#include "client/workqueue.h"

#include <QJsonObject>
#include <QLoggingCategory>

#include <memory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcServiceAccounts, "timonel.controllers.serviceaccount", QtInfoMsg)

namespace timonel::controllers {

namespace {

const client::Resource namespaces{u""_s, u"v1"_s, u"namespaces"_s};
const client::Resource serviceAccounts{u""_s, u"v1"_s, u"serviceaccounts"_s};
const client::WriteQuery asController{u"kube-controller-manager"_s, false, false};

QString nameOf(const QJsonObject &object)
{
    return object.value(u"metadata").toObject().value(u"name").toString();
}

} // namespace

ServiceAccountController::ServiceAccountController(client::ApiClient &api,
                                                   ServiceAccountControllerOptions options,
                                                   QObject *parent)
    : QObject(parent), m_api(api), m_options(std::move(options))
{
}

ServiceAccountController::~ServiceAccountController() = default;

void ServiceAccountController::start()
{
    m_queue = std::make_unique<client::WorkQueue>(
        client::WorkQueue::retrying(
            [this](const QString &ns, auto done) { syncNamespace(ns, std::move(done)); }),
        2);
    m_queue->setBackoffLimits(std::chrono::milliseconds(100), std::chrono::seconds(30));
    m_namespaces = std::make_unique<client::Informer>(m_api, namespaces);
    m_serviceAccounts = std::make_unique<client::Informer>(m_api, serviceAccounts);
    auto enqueueNamespace = [this](const QJsonObject &ns) { m_queue->add(nameOf(ns)); };
    connect(m_namespaces.get(), &client::Informer::added, this, enqueueNamespace);
    connect(
        m_namespaces.get(), &client::Informer::updated, this,
        [enqueueNamespace](const QJsonObject &, const QJsonObject &ns) { enqueueNamespace(ns); });
    // Only a deleted account needs anything done: its namespace gets it back.
    connect(m_serviceAccounts.get(), &client::Informer::deleted, this,
            [this](const QJsonObject &sa) {
                m_queue->add(sa.value(u"metadata").toObject().value(u"namespace").toString());
            });
    // Namespaces seen before the accounts' cache was complete are looked at again then.
    connect(m_serviceAccounts.get(), &client::Informer::synced, this, [this] {
        for (const QJsonObject &ns : m_namespaces->list())
            m_queue->add(nameOf(ns));
    });
    m_serviceAccounts->start();
    m_namespaces->start();
}

void ServiceAccountController::stop()
{
    if (m_queue)
        m_queue->shutDown();
    m_namespaces.reset();
    m_serviceAccounts.reset();
    m_queue.reset();
}

void ServiceAccountController::syncNamespace(const QString &ns, std::function<void(bool)> done)
{
    const QJsonObject object = m_namespaces->get({}, ns);
    if (object.isEmpty() || !m_serviceAccounts->hasSynced())
        return done(false);
    // A terminating namespace refuses new objects; it is going away anyway.
    if (object.value(u"status").toObject().value(u"phase").toString(u"Active"_s) != u"Active")
        return done(false);
    auto pending = std::make_shared<int>(1);
    auto failed = std::make_shared<bool>(false);
    auto finish = [pending, failed, done] {
        if (--*pending == 0)
            done(*failed);
    };
    for (const QString &name : std::as_const(m_options.serviceAccounts)) {
        if (!m_serviceAccounts->get(ns, name).isEmpty())
            continue;
        const QJsonObject account{
            {u"apiVersion"_s, u"v1"_s},
            {u"kind"_s, u"ServiceAccount"_s},
            {u"metadata"_s, QJsonObject{{u"name"_s, name}, {u"namespace"_s, ns}}}};
        ++*pending;
        m_api.create(serviceAccounts, ns, account, asController,
                     [ns, name, failed, finish](client::Result<QJsonObject> created) {
                         // Already there (our cache lags), or the namespace is going: done.
                         if (!created && !created.error().isConflict() &&
                             !created.error().isNotFound() && created.error().code != 403) {
                             qCWarning(lcServiceAccounts).noquote()
                                 << "cannot create service account" << ns + u'/' + name
                                 << created.error().message;
                             *failed = true;
                         }
                         finish();
                     });
    }
    finish();
}

} // namespace timonel::controllers
