#include "clusteringress.h"

#include "client/apiclient.h"
#include "client/informer.h"
#include "ingress/ingresscontroller.h"
#include "ingress/ingressproxy.h"
#include "servicelb.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QTimer>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcClusterIngress, "timonel.ingress", QtInfoMsg)

namespace timonel::node {

namespace {

const client::Resource ingressClasses{u"networking.k8s.io"_s, u"v1"_s, u"ingressclasses"_s};
const client::Resource services{{}, u"v1"_s, u"services"_s};
const client::Resource endpoints{{}, u"v1"_s, u"endpoints"_s};
const client::Resource endpointSlices{u"discovery.k8s.io"_s, u"v1"_s, u"endpointslices"_s};
const QString serviceName = u"timonel-ingress"_s;
const QString system = u"kube-system"_s;

QJsonObject port(const QString &name, int number)
{
    return {{u"name"_s, name}, {u"port"_s, number}, {u"protocol"_s, u"TCP"_s}};
}

} // namespace

ClusterIngress::ClusterIngress(client::ApiClient &api, QString nodeIP, QObject *parent)
    : QObject(parent), m_api(api), m_nodeIP(std::move(nodeIP))
{
}

ClusterIngress::~ClusterIngress() = default;

std::expected<void, QString> ClusterIngress::start()
{
    m_proxy = std::make_unique<ingress::IngressProxy>();
    const QHostAddress address(m_nodeIP);
    if (auto listening = m_proxy->listenHttp(address, 80); !listening)
        return std::unexpected(
            u"the ingress cannot listen on %1:80: %2"_s.arg(m_nodeIP, listening.error()));
    if (auto listening = m_proxy->listenHttps(address, 443); !listening)
        return std::unexpected(
            u"the ingress cannot listen on %1:443: %2"_s.arg(m_nodeIP, listening.error()));
    m_controller = std::make_unique<ingress::IngressController>(m_api);
    connect(m_controller.get(), &ingress::IngressController::routingTableChanged, m_proxy.get(),
            &ingress::IngressProxy::setRoutingTable);
    m_controller->start();

    // The address Ingresses show is the one the LoadBalancer of the ingress Service gets.
    client::InformerOptions only;
    only.ns = system;
    only.fieldSelector = u"metadata.name="_s + serviceName;
    m_service = std::make_unique<client::Informer>(m_api, services, only);
    auto follow = [this](const QJsonObject &service) {
        m_controller->setPublishedAddress(publishedAddress(service));
    };
    connect(m_service.get(), &client::Informer::added, this, follow);
    connect(m_service.get(), &client::Informer::updated, this,
            [follow](const QJsonObject &, const QJsonObject &service) { follow(service); });
    m_service->start();
    ensureObjects();
    return {};
}

void ClusterIngress::ensureObjects()
{
    auto retryOnFailure = [this](const QString &what) {
        return [this, what](client::Result<QJsonObject> written) {
            if (written || written.error().reason == u"AlreadyExists")
                return;
            // kube-system may not exist yet on a first start.
            qCWarning(lcClusterIngress).noquote()
                << "cannot create" << what << written.error().message;
            QTimer::singleShot(2000, this, &ClusterIngress::ensureObjects);
        };
    };
    m_api.create(
        ingressClasses, {},
        QJsonObject{{u"apiVersion"_s, u"networking.k8s.io/v1"_s},
                    {u"kind"_s, u"IngressClass"_s},
                    {u"metadata"_s,
                     QJsonObject{{u"name"_s, u"timonel"_s},
                                 {u"annotations"_s,
                                  QJsonObject{{u"ingressclass.kubernetes.io/is-default-class"_s,
                                               u"true"_s}}}}},
                    {u"spec"_s, QJsonObject{{u"controller"_s, ingress::controllerName()}}}},
        {}, retryOnFailure(u"the IngressClass timonel"_s));
    // No selector: no pod serves it, the control plane does, at the addresses below.
    m_api.create(
        services, system,
        QJsonObject{
            {u"apiVersion"_s, u"v1"_s},
            {u"kind"_s, u"Service"_s},
            {u"metadata"_s, QJsonObject{{u"name"_s, serviceName}, {u"namespace"_s, system}}},
            {u"spec"_s,
             QJsonObject{{u"type"_s, u"LoadBalancer"_s},
                         {u"ports"_s, QJsonArray{port(u"http"_s, 80), port(u"https"_s, 443)}}}}},
        {}, retryOnFailure(u"the ingress service"_s));
    const QJsonArray ports{port(u"http"_s, 80), port(u"https"_s, 443)};
    const QJsonObject meta{
        {u"name"_s, serviceName},
        {u"namespace"_s, system},
        {u"labels"_s, QJsonObject{{u"kubernetes.io/service-name"_s, serviceName}}}};
    m_api.create(endpoints, system,
                 QJsonObject{{u"apiVersion"_s, u"v1"_s},
                             {u"kind"_s, u"Endpoints"_s},
                             {u"metadata"_s, meta},
                             {u"subsets"_s,
                              QJsonArray{QJsonObject{
                                  {u"addresses"_s, QJsonArray{QJsonObject{{u"ip"_s, m_nodeIP}}}},
                                  {u"ports"_s, ports}}}}},
                 {}, retryOnFailure(u"the ingress endpoints"_s));
    m_api.create(
        endpointSlices, system,
        QJsonObject{{u"apiVersion"_s, u"discovery.k8s.io/v1"_s},
                    {u"kind"_s, u"EndpointSlice"_s},
                    {u"metadata"_s, meta},
                    {u"addressType"_s, u"IPv4"_s},
                    {u"endpoints"_s,
                     QJsonArray{QJsonObject{{u"addresses"_s, QJsonArray{m_nodeIP}},
                                            {u"conditions"_s, QJsonObject{{u"ready"_s, true}}}}}},
                    {u"ports"_s, ports}},
        {}, retryOnFailure(u"the ingress endpoint slice"_s));
}

} // namespace timonel::node
