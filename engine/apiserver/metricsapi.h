// The resource metrics API (metrics.k8s.io/v1beta1: NodeMetrics and PodMetrics) that
// `kubectl top` reads. On Kubernetes metrics-server serves it through the aggregation layer;
// here the API server serves it itself: it scrapes every Ready node agent's /metrics/resource
// in parallel (every resolution, and on a request when its data is older than ~10 s), keeps
// each node's last two scrapes (resourcemetrics.h) and answers as metrics-server does.
//
//   GET /apis/metrics.k8s.io[/v1beta1]                        discovery
//   GET /apis/metrics.k8s.io/v1beta1/nodes[/{name}]
//   GET /apis/metrics.k8s.io/v1beta1/pods                     every namespace
//   GET /apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods[/{name}]
//
// Lists take labelSelector and fieldSelector (metadata.name and metadata.namespace only).
#pragma once

#include "nodeconnection.h"
#include "resourcemetrics.h"
#include "resourcestore.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>

#include <chrono>
#include <functional>

class QNetworkAccessManager;
class QTimer;

namespace timonel::http {
class HttpExchange;
}

namespace timonel::apiserver {

struct MetricsApiOptions
{
    NodeConnectionOptions connection;
    // How often node agents are scraped (metrics-server's --metric-resolution).
    std::chrono::milliseconds resolution{15000};
    std::chrono::milliseconds scrapeTimeout{10000};
};

class MetricsApi : public QObject
{
    Q_OBJECT
public:
    MetricsApi(ResourceStore &store, MetricsApiOptions options, QObject *parent = nullptr);
    ~MetricsApi() override;

    // Scrapes at once and then every resolution.
    void start();
    void stop();

    // Whether the path belongs to this API (/apis/metrics.k8s.io and below).
    static bool serves(QStringView path);
    void handle(http::HttpExchange *exchange);

Q_SIGNALS:
    // A scrape of every Ready node ended.
    void scraped();

private:
    void scrape();
    void finishScrape();
    // Runs `serve` once the data is fresh enough, scraping first if needed.
    void whenFresh(http::HttpExchange *exchange, std::function<void()> serve);
    void serveNodes(http::HttpExchange *exchange, const QString &name);
    void servePods(http::HttpExchange *exchange, const QString &ns, const QString &name);
    QJsonObject podMetrics(const QJsonObject &pod, const PodUsage &usage) const;

    ResourceStore &m_store;
    MetricsApiOptions m_options;
    NodeConnection m_connection;
    MetricsStorage m_storage;
    QNetworkAccessManager *m_network;
    QTimer *m_timer;
    bool m_scraping = false;
    bool m_tlsWarned = false;
    int m_pendingNodes = 0;
    QStringList m_scrapedNodes; // this round's successes
    QDateTime m_lastScrape;     // when the last round ended
    QList<std::pair<QPointer<http::HttpExchange>, std::function<void()>>> m_waiting;
};

// The group as /apis lists it and /apis/metrics.k8s.io answers it (APIGroup, without kind).
QJsonObject metricsApiGroup();
// The group's entry in the aggregated discovery of /apis (apidiscovery.k8s.io/v2).
QJsonObject metricsApiGroupDiscovery();

} // namespace timonel::apiserver
