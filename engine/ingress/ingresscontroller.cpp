#include "ingresscontroller.h"

#include "ingressproxy.h"

#include "client/informer.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace timonel::ingress {

namespace {

const client::Resource kIngresses{u"networking.k8s.io"_s, u"v1"_s, u"ingresses"_s};
const client::Resource kIngressClasses{u"networking.k8s.io"_s, u"v1"_s, u"ingressclasses"_s};
const client::Resource kServices{QString(), u"v1"_s, u"services"_s};
const client::Resource kEndpointSlices{u"discovery.k8s.io"_s, u"v1"_s, u"endpointslices"_s};
const client::Resource kSecrets{QString(), u"v1"_s, u"secrets"_s};

constexpr std::chrono::milliseconds kStatusRetry{1000};

// Only TLS Secrets matter; the others are cached without their data.
QJsonObject keepTlsSecrets(const QJsonObject &secret)
{
    if (secret.value("type"_L1).toString() == "kubernetes.io/tls"_L1)
        return secret;
    const QJsonObject metadata = secret.value("metadata"_L1).toObject();
    return {{u"metadata"_s,
             QJsonObject{{u"name"_s, metadata.value("name"_L1)},
                         {u"namespace"_s, metadata.value("namespace"_L1)},
                         {u"resourceVersion"_s, metadata.value("resourceVersion"_L1)}}},
            {u"type"_s, secret.value("type"_L1)}};
}

} // namespace

IngressController::IngressController(client::ApiClient &api, IngressControllerOptions options,
                                     QObject *parent)
    : QObject(parent), m_api(api), m_options(options), m_coalesce(new QTimer(this))
{
    client::InformerOptions secretOptions;
    secretOptions.transform = keepTlsSecrets;
    m_ingresses = new client::Informer(api, kIngresses, {}, this);
    m_classes = new client::Informer(api, kIngressClasses, {}, this);
    m_services = new client::Informer(api, kServices, {}, this);
    m_slices = new client::Informer(api, kEndpointSlices, {}, this);
    m_secrets = new client::Informer(api, kSecrets, secretOptions, this);
    for (client::Informer *informer : {m_ingresses, m_classes, m_services, m_slices, m_secrets}) {
        connect(informer, &client::Informer::added, this, &IngressController::schedule);
        connect(informer, &client::Informer::updated, this, &IngressController::schedule);
        connect(informer, &client::Informer::deleted, this, &IngressController::schedule);
        connect(informer, &client::Informer::synced, this, &IngressController::schedule);
    }
    m_coalesce->setSingleShot(true);
    connect(m_coalesce, &QTimer::timeout, this, &IngressController::rebuild);
}

IngressController::~IngressController() = default;

void IngressController::start()
{
    for (client::Informer *informer : {m_ingresses, m_classes, m_services, m_slices, m_secrets})
        informer->start();
}

void IngressController::stop()
{
    m_coalesce->stop();
    for (client::Informer *informer : {m_ingresses, m_classes, m_services, m_slices, m_secrets})
        informer->stop();
}

void IngressController::setPublishedAddress(const QString &address)
{
    if (address == m_address)
        return;
    m_address = address;
    syncStatus();
}

bool IngressController::isDefaultClass() const
{
    return isDefaultIngressClass(m_classes->get(QString(), ingressClassName()));
}

void IngressController::schedule()
{
    if (!m_coalesce->isActive())
        m_coalesce->start(m_options.coalesce);
}

void IngressController::rebuild()
{
    for (client::Informer *informer : {m_ingresses, m_classes, m_services, m_slices, m_secrets})
        if (!informer->hasSynced())
            return; // its synced() schedules again
    m_table = computeRoutingTable(m_ingresses->list(), m_services->list(), m_slices->list(),
                                  m_secrets->list(), isDefaultClass());
    qCDebug(lcIngress) << "routing table:" << m_table.routes.size() << "routes for"
                       << m_table.servedIngresses.size() << "ingresses";
    Q_EMIT routingTableChanged(m_table);
    syncStatus();
}

void IngressController::syncStatus()
{
    if (m_address.isEmpty() || !m_ingresses->hasSynced())
        return;
    const bool isIp = !QHostAddress(m_address).isNull();
    const QJsonArray desired{
        QJsonObject{{isIp ? u"ip"_s : u"hostname"_s, m_address}}};
    for (const QString &key : std::as_const(m_table.servedIngresses)) {
        if (m_statusInFlight.contains(key))
            continue;
        const QString ns = key.section(u'/', 0, 0);
        const QString name = key.section(u'/', 1);
        const QJsonObject ingress = m_ingresses->get(ns, name);
        if (ingress.isEmpty())
            continue;
        const QJsonArray current = ingress.value("status"_L1)
                                       .toObject()
                                       .value("loadBalancer"_L1)
                                       .toObject()
                                       .value("ingress"_L1)
                                       .toArray();
        if (current == desired)
            continue;
        m_statusInFlight.insert(key);
        const QJsonObject patch{
            {u"status"_s,
             QJsonObject{{u"loadBalancer"_s, QJsonObject{{u"ingress"_s, desired}}}}}};
        m_api.patch(kIngresses, ns, name, client::PatchType::Merge,
                    QJsonDocument(patch).toJson(QJsonDocument::Compact), u"status"_s, {},
                    [this, guard = QPointer<QObject>(this), key](client::Result<QJsonObject> r) {
                        if (!guard)
                            return;
                        m_statusInFlight.remove(key);
                        // The informer's event for the write brings another look; a failure
                        // (a conflict, a deleted Ingress) is looked at again shortly.
                        if (!r && r.error().code != 404) {
                            qCWarning(lcIngress) << "cannot update the status of ingress" << key
                                                 << ":" << r.error().message;
                            QTimer::singleShot(kStatusRetry, this, &IngressController::schedule);
                        }
                    });
    }
}

} // namespace timonel::ingress
