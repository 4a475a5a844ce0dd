#include "metricsapi.h"

#include "resthandler.h"

#include "core/quantity.h"
#include "http/httpserver.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>
#include <QTimeZone>
#include <QUrl>

#include <algorithm>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcApiServer)

namespace timonel::apiserver {

namespace {

const QString group = u"metrics.k8s.io"_s;
const QString version = u"v1beta1"_s;
const QString groupVersion = u"metrics.k8s.io/v1beta1"_s;
// A request scrapes first when the last scrape is older than this.
constexpr qint64 kMaxAgeMs = 10000;

QJsonObject groupVersionEntry()
{
    return QJsonObject{{u"groupVersion"_s, groupVersion}, {u"version"_s, version}};
}

QString rfc3339(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::UTC).toString(u"yyyy-MM-ddTHH:mm:ssZ"_s);
}

QString now()
{
    return rfc3339(QDateTime::currentMSecsSinceEpoch());
}

// "123", ".5" (of `digits` decimals, trailing zeros dropped), as Go's Duration.String does it.
QString fixed(quint64 value, int decimals)
{
    quint64 scale = 1;
    for (int i = 0; i < decimals; ++i)
        scale *= 10;
    QString fraction = QString::number(value % scale).rightJustified(decimals, u'0');
    while (fraction.endsWith(u'0'))
        fraction.chop(1);
    return QString::number(value / scale) + (fraction.isEmpty() ? QString() : u'.' + fraction);
}

// metav1.Duration on the wire: Go's time.Duration.String() ("15.003s", "1m0.5s", "500ms").
QString goDuration(qint64 ms)
{
    if (ms == 0)
        return u"0s"_s;
    const QString sign = ms < 0 ? u"-"_s : QString();
    const quint64 ns = quint64(std::abs(ms)) * 1000000;
    if (ns < 1000000000)
        return sign + fixed(ns, 6) + u"ms"_s;
    const quint64 seconds = ns / 1000000000;
    QString out = sign;
    if (seconds >= 3600)
        out += QString::number(seconds / 3600) + u'h';
    if (seconds >= 60)
        out += QString::number(seconds / 60 % 60) + u'm';
    return out + fixed(seconds % 60 * 1000000000 + ns % 1000000000, 9) + u's';
}

// CPU as metrics-server writes it: nano cores in canonical form ("2506789n", "5m", "1").
QString cpuQuantity(quint64 nanoCores)
{
    const auto q = core::Quantity::parse(QString::number(nanoCores) + u'n');
    return q ? q->toString() : u"0"_s;
}

QString memoryQuantity(quint64 bytes)
{
    return core::Quantity::fromValue(qint64(bytes), core::Quantity::Format::BinarySI).toString();
}

QJsonObject usageObject(quint64 cpu, quint64 memory)
{
    return QJsonObject{{u"cpu"_s, cpuQuantity(cpu)}, {u"memory"_s, memoryQuantity(memory)}};
}

bool isReady(const QJsonObject &node)
{
    const QJsonArray conditions = node.value(u"status").toObject().value(u"conditions").toArray();
    return std::any_of(conditions.begin(), conditions.end(), [](const QJsonValue &c) {
        return c.toObject().value(u"type").toString() == u"Ready" &&
               c.toObject().value(u"status").toString() == u"True";
    });
}

QJsonObject metadataOf(const QJsonObject &object)
{
    return object.value(u"metadata").toObject();
}

// The metadata metrics-server gives NodeMetrics and PodMetrics: the object's name, namespace
// and labels, created now.
QJsonObject metricsMetadata(const QJsonObject &object)
{
    const QJsonObject source = metadataOf(object);
    QJsonObject meta{{u"name"_s, source.value(u"name")}, {u"creationTimestamp"_s, now()}};
    if (source.contains(u"namespace"))
        meta.insert(u"namespace"_s, source.value(u"namespace"));
    if (!source.value(u"labels").toObject().isEmpty())
        meta.insert(u"labels"_s, source.value(u"labels"));
    return meta;
}

struct Selectors
{
    core::LabelSelector labels;
    core::FieldSelector fields;
};

// Only the object meta fields are known, as for any kind without field label conversions.
ApiResult<Selectors> selectors(const http::HttpExchange *exchange)
{
    const QUrlQuery &query = exchange->request().query;
    Selectors s;
    auto labels =
        core::LabelSelector::parse(query.queryItemValue(u"labelSelector"_s, QUrl::FullyDecoded));
    if (!labels)
        return std::unexpected(
            ApiError::badRequest(u"unable to parse requirement: "_s + labels.error()));
    auto fields =
        core::FieldSelector::parse(query.queryItemValue(u"fieldSelector"_s, QUrl::FullyDecoded));
    if (!fields)
        return std::unexpected(ApiError::badRequest(fields.error()));
    for (const QString &field : fields->fields()) {
        if (field != u"metadata.name" && field != u"metadata.namespace")
            return std::unexpected(ApiError::badRequest(
                u"\"%1\" is not a known field selector: only \"metadata.name\", "
                "\"metadata.namespace\""_s.arg(field)));
    }
    s.labels = *labels;
    s.fields = *fields;
    return s;
}

// metrics-server matches nodes on metadata.name only, pods on metadata.name and namespace.
bool fieldsMatch(const core::FieldSelector &fields, const QJsonObject &object, bool namespaced)
{
    const QJsonObject meta = metadataOf(object);
    return fields.matches([&](QStringView field) -> std::optional<QString> {
        if (field == u"metadata.name")
            return meta.value(u"name").toString();
        if (field == u"metadata.namespace" && namespaced)
            return meta.value(u"namespace").toString();
        return std::nullopt;
    });
}

bool wantsTable(const http::HttpExchange *exchange)
{
    const QByteArray accept = exchange->request().header("Accept");
    return accept.contains("as=Table") && accept.contains("g=meta.k8s.io");
}

// metrics-server's table: Name, the usage's resources in order, Window.
QJsonObject table(const QJsonArray &items, bool pods)
{
    QJsonArray rows;
    for (const QJsonValue &v : items) {
        const QJsonObject item = v.toObject();
        core::Quantity cpu;
        core::Quantity memory;
        const QJsonArray usages = pods
                                      ? item.value(u"containers").toArray()
                                      : QJsonArray{QJsonObject{{u"usage"_s, item.value(u"usage")}}};
        for (const QJsonValue &u : usages) {
            const QJsonObject usage = u.toObject().value(u"usage").toObject();
            cpu += core::Quantity::parse(usage.value(u"cpu").toString()).value_or(core::Quantity());
            memory +=
                core::Quantity::parse(usage.value(u"memory").toString()).value_or(core::Quantity());
        }
        rows.append(
            QJsonObject{{u"cells"_s, QJsonArray{metadataOf(item).value(u"name"), cpu.toString(),
                                                memory.toString(), item.value(u"window")}},
                        {u"object"_s, QJsonObject{{u"kind"_s, u"PartialObjectMetadata"_s},
                                                  {u"apiVersion"_s, u"meta.k8s.io/v1"_s},
                                                  {u"metadata"_s, metadataOf(item)}}}});
    }
    QJsonObject out{{u"kind"_s, u"Table"_s},
                    {u"apiVersion"_s, u"meta.k8s.io/v1"_s},
                    {u"metadata"_s, QJsonObject()},
                    {u"rows"_s, rows}};
    if (!rows.isEmpty()) {
        QJsonArray columns{QJsonObject{{u"name"_s, u"Name"_s},
                                       {u"type"_s, u"string"_s},
                                       {u"format"_s, u"name"_s},
                                       {u"description"_s, u"Name of the resource"_s},
                                       {u"priority"_s, 0}}};
        for (const QString &name : {u"cpu"_s, u"memory"_s})
            columns.append(QJsonObject{{u"name"_s, name},
                                       {u"type"_s, u"string"_s},
                                       {u"format"_s, u"quantity"_s},
                                       {u"description"_s, QString()},
                                       {u"priority"_s, 0}});
        columns.append(QJsonObject{{u"name"_s, u"Window"_s},
                                   {u"type"_s, u"string"_s},
                                   {u"format"_s, u"duration"_s},
                                   {u"description"_s, QString()},
                                   {u"priority"_s, 0}});
        out.insert(u"columnDefinitions"_s, columns);
    }
    return out;
}

void respondList(http::HttpExchange *exchange, const QString &kind, const QJsonArray &items,
                 bool pods)
{
    if (wantsTable(exchange))
        return respondJson(exchange, 200, table(items, pods));
    respondJson(exchange, 200,
                QJsonObject{{u"kind"_s, kind},
                            {u"apiVersion"_s, groupVersion},
                            {u"metadata"_s, QJsonObject()},
                            {u"items"_s, items}});
}

ApiError methodNotAllowed()
{
    return {405,
            u"MethodNotAllowed"_s,
            u"the server does not allow this method on the requested resource"_s,
            {}};
}

} // namespace

QJsonObject metricsApiGroup()
{
    return QJsonObject{{u"name"_s, group},
                       {u"versions"_s, QJsonArray{groupVersionEntry()}},
                       {u"preferredVersion"_s, groupVersionEntry()}};
}

QJsonObject metricsApiGroupDiscovery()
{
    auto resource = [](const QString &plural, const QString &kind, bool namespaced) {
        return QJsonObject{
            {u"resource"_s, plural},
            {u"responseKind"_s,
             QJsonObject{{u"group"_s, group}, {u"version"_s, version}, {u"kind"_s, kind}}},
            {u"scope"_s, namespaced ? u"Namespaced"_s : u"Cluster"_s},
            {u"singularResource"_s, QString()},
            {u"verbs"_s, QJsonArray{u"get"_s, u"list"_s}}};
    };
    return QJsonObject{
        {u"metadata"_s, QJsonObject{{u"name"_s, group}}},
        {u"versions"_s,
         QJsonArray{
             QJsonObject{{u"version"_s, version},
                         {u"resources"_s, QJsonArray{resource(u"nodes"_s, u"NodeMetrics"_s, false),
                                                     resource(u"pods"_s, u"PodMetrics"_s, true)}},
                         {u"freshness"_s, u"Current"_s}}}}};
}

MetricsApi::MetricsApi(ResourceStore &store, MetricsApiOptions options, QObject *parent)
    : QObject(parent), m_store(store), m_options(std::move(options)),
      m_connection(m_options.connection), m_storage(m_options.resolution),
      m_network(new QNetworkAccessManager(this)), m_timer(new QTimer(this))
{
    m_timer->setInterval(m_options.resolution);
    connect(m_timer, &QTimer::timeout, this, &MetricsApi::scrape);
}

MetricsApi::~MetricsApi()
{
    // Replies in flight are destroyed with the network manager: not a word back to us.
    for (QNetworkReply *reply : m_network->findChildren<QNetworkReply *>()) {
        reply->disconnect(this);
        reply->abort();
    }
}

void MetricsApi::start()
{
    m_timer->start();
    scrape();
}

void MetricsApi::stop()
{
    m_timer->stop();
}

bool MetricsApi::serves(QStringView path)
{
    return path == u"/apis/metrics.k8s.io" || path.startsWith(u"/apis/metrics.k8s.io/");
}

void MetricsApi::handle(http::HttpExchange *exchange)
{
    const http::HttpRequest &request = exchange->request();
    if (request.method != "GET")
        return respondError(exchange, methodNotAllowed());
    const QStringList parts = request.path.split(u'/', Qt::SkipEmptyParts).mid(2);
    if (parts.isEmpty()) {
        QJsonObject g = metricsApiGroup();
        g.insert(u"kind"_s, u"APIGroup"_s);
        g.insert(u"apiVersion"_s, u"v1"_s);
        return respondJson(exchange, 200, g);
    }
    if (parts[0] != version)
        return respondError(exchange, ApiError::pathNotFound());
    if (parts.size() == 1) {
        auto entry = [](const QString &plural, const QString &kind, bool namespaced) {
            return QJsonObject{{u"name"_s, plural},
                               {u"singularName"_s, QString()},
                               {u"namespaced"_s, namespaced},
                               {u"kind"_s, kind},
                               {u"verbs"_s, QJsonArray{u"get"_s, u"list"_s}}};
        };
        return respondJson(
            exchange, 200,
            QJsonObject{{u"kind"_s, u"APIResourceList"_s},
                        {u"apiVersion"_s, u"v1"_s},
                        {u"groupVersion"_s, groupVersion},
                        {u"resources"_s, QJsonArray{entry(u"nodes"_s, u"NodeMetrics"_s, false),
                                                    entry(u"pods"_s, u"PodMetrics"_s, true)}}});
    }
    // nodes[/name], pods (every namespace), namespaces/<ns>/pods[/name]
    QString resource;
    QString ns;
    QString name;
    const QStringList rest = parts.mid(1);
    if ((rest[0] == u"nodes" && rest.size() <= 2) || (rest[0] == u"pods" && rest.size() == 1)) {
        resource = rest[0];
        name = rest.value(1);
    } else if (rest[0] == u"namespaces" && (rest.size() == 3 || rest.size() == 4) &&
               rest[2] == u"pods") {
        resource = rest[2];
        ns = rest[1];
        name = rest.value(3);
    } else {
        return respondError(exchange, ApiError::pathNotFound());
    }
    const QString watch = request.query.queryItemValue(u"watch"_s);
    if (!watch.isEmpty() && watch != u"0" && watch != u"false")
        return respondError(exchange,
                            ApiError::methodNotAllowed(u"watch"_s, resource + u'.' + group));
    whenFresh(exchange, [this, exchange, resource, ns, name] {
        if (resource == u"nodes")
            serveNodes(exchange, name);
        else
            servePods(exchange, ns, name);
    });
}

void MetricsApi::whenFresh(http::HttpExchange *exchange, std::function<void()> serve)
{
    const qint64 maxAge = std::min<qint64>(kMaxAgeMs, m_options.resolution.count());
    if (m_lastScrape.isValid() && m_lastScrape.msecsTo(QDateTime::currentDateTimeUtc()) < maxAge)
        return serve();
    m_waiting.append({exchange, std::move(serve)});
    scrape();
}

void MetricsApi::scrape()
{
    if (m_scraping)
        return;
    m_scraping = true;
    m_scrapedNodes.clear();
    const core::ResourceInfo *nodes = m_store.schemas().resource({}, u"v1"_s, u"nodes"_s);
    const auto listed = nodes ? m_store.list(*nodes, {}, {}) : ApiResult<ListResult>();
    QList<std::pair<QString, NodeEndpoint>> targets;
    for (const QJsonObject &node : listed ? listed->items : QList<QJsonObject>()) {
        if (!isReady(node))
            continue;
        if (const auto endpoint = nodeEndpoint(node))
            targets.append({metadataOf(node).value(u"name").toString(), *endpoint});
    }
    auto tls = m_connection.tlsConfiguration();
    if (!tls && !targets.isEmpty() && !std::exchange(m_tlsWarned, true))
        qCWarning(lcApiServer).noquote() << "cannot scrape node metrics:" << tls.error();
    if (!tls)
        targets.clear();
    m_pendingNodes = int(targets.size());
    if (targets.isEmpty())
        return finishScrape();
    for (const auto &[name, endpoint] : std::as_const(targets)) {
        QUrl url;
        url.setScheme(m_connection.scheme());
        url.setHost(endpoint.host);
        url.setPort(endpoint.port);
        url.setPath(u"/metrics/resource"_s);
        QNetworkRequest request(url);
        request.setTransferTimeout(int(m_options.scrapeTimeout.count()));
        request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        if (*tls)
            request.setSslConfiguration(**tls);
        QNetworkReply *reply = m_network->get(request);
        connect(reply, &QNetworkReply::finished, this, [this, reply, name] {
            reply->deleteLater();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (reply->error() != QNetworkReply::NoError || status != 200) {
                qCDebug(lcApiServer).noquote()
                    << "scraping node" << name << "failed:" << reply->errorString();
            } else if (auto batch = parseResourceMetrics(reply->readAll(),
                                                         QDateTime::currentMSecsSinceEpoch())) {
                m_storage.store(name, *batch);
                m_scrapedNodes.append(name);
            } else {
                qCDebug(lcApiServer).noquote() << "scraping node" << name << batch.error();
            }
            if (--m_pendingNodes == 0)
                finishScrape();
        });
    }
}

void MetricsApi::finishScrape()
{
    for (const QString &node : m_storage.nodes()) {
        if (!m_scrapedNodes.contains(node))
            m_storage.forget(node);
    }
    m_scraping = false;
    m_lastScrape = QDateTime::currentDateTimeUtc();
    const auto waiting = std::exchange(m_waiting, {});
    for (const auto &[exchange, serve] : waiting) {
        if (exchange && !exchange->isFinished())
            serve();
    }
    Q_EMIT scraped();
}

void MetricsApi::serveNodes(http::HttpExchange *exchange, const QString &name)
{
    const core::ResourceInfo *nodes = m_store.schemas().resource({}, u"v1"_s, u"nodes"_s);
    auto nodeMetrics = [this](const QJsonObject &node) -> std::optional<QJsonObject> {
        const auto usage = m_storage.nodeUsage(metadataOf(node).value(u"name").toString());
        if (!usage)
            return std::nullopt;
        return QJsonObject{{u"kind"_s, u"NodeMetrics"_s},
                           {u"apiVersion"_s, groupVersion},
                           {u"metadata"_s, metricsMetadata(node)},
                           {u"timestamp"_s, rfc3339(usage->timestampMs)},
                           {u"window"_s, goDuration(usage->windowMs)},
                           {u"usage"_s, usageObject(usage->cpuNanoCores, usage->memoryBytes)}};
    };
    if (!name.isEmpty()) {
        auto node = m_store.get(*nodes, {}, name);
        if (!node)
            return respondError(exchange, node.error());
        const auto metrics = nodeMetrics(*node);
        if (!metrics)
            return respondError(exchange,
                                ApiError::notFound(u"nodemetrics.metrics.k8s.io"_s, name));
        return respondJson(exchange, 200, *metrics);
    }
    auto selected = selectors(exchange);
    if (!selected)
        return respondError(exchange, selected.error());
    ListOptions options;
    options.labels = selected->labels;
    auto listed = m_store.list(*nodes, {}, options);
    if (!listed)
        return respondError(exchange, listed.error());
    QList<QJsonObject> items;
    for (const QJsonObject &node : std::as_const(listed->items)) {
        if (!fieldsMatch(selected->fields, node, false))
            continue;
        if (auto metrics = nodeMetrics(node))
            items.append(*metrics);
    }
    std::sort(items.begin(), items.end(), [](const QJsonObject &a, const QJsonObject &b) {
        return metadataOf(a).value(u"name").toString() < metadataOf(b).value(u"name").toString();
    });
    QJsonArray array;
    for (const QJsonObject &item : std::as_const(items))
        array.append(item);
    respondList(exchange, u"NodeMetricsList"_s, array, false);
}

QJsonObject MetricsApi::podMetrics(const QJsonObject &pod, const PodUsage &usage) const
{
    QJsonArray containers;
    for (const ContainerUsage &c : usage.containers)
        containers.append(
            QJsonObject{{u"name"_s, c.name},
                        {u"usage"_s, usageObject(c.usage.cpuNanoCores, c.usage.memoryBytes)}});
    return QJsonObject{{u"kind"_s, u"PodMetrics"_s},
                       {u"apiVersion"_s, groupVersion},
                       {u"metadata"_s, metricsMetadata(pod)},
                       {u"timestamp"_s, rfc3339(usage.timestampMs)},
                       {u"window"_s, goDuration(usage.windowMs)},
                       {u"containers"_s, containers}};
}

void MetricsApi::servePods(http::HttpExchange *exchange, const QString &ns, const QString &name)
{
    const core::ResourceInfo *pods = m_store.schemas().resource({}, u"v1"_s, u"pods"_s);
    auto usageOf = [this](const QJsonObject &pod) {
        const QJsonObject meta = metadataOf(pod);
        return m_storage.podUsage(pod.value(u"spec").toObject().value(u"nodeName").toString(),
                                  meta.value(u"namespace").toString(),
                                  meta.value(u"name").toString());
    };
    if (!name.isEmpty()) {
        auto pod = m_store.get(*pods, ns, name);
        if (!pod)
            return respondError(exchange, pod.error());
        const auto usage = usageOf(*pod);
        if (!usage)
            return respondError(
                exchange, ApiError::notFound(u"podmetrics.metrics.k8s.io"_s, ns + u'/' + name));
        return respondJson(exchange, 200, podMetrics(*pod, *usage));
    }
    auto selected = selectors(exchange);
    if (!selected)
        return respondError(exchange, selected.error());
    ListOptions options;
    options.labels = selected->labels;
    auto listed = m_store.list(*pods, ns, options);
    if (!listed)
        return respondError(exchange, listed.error());
    QList<std::pair<std::pair<QString, QString>, QJsonObject>> items;
    for (const QJsonObject &pod : std::as_const(listed->items)) {
        if (!fieldsMatch(selected->fields, pod, true))
            continue;
        if (const auto usage = usageOf(pod)) {
            const QJsonObject meta = metadataOf(pod);
            items.append({{meta.value(u"namespace").toString(), meta.value(u"name").toString()},
                          podMetrics(pod, *usage)});
        }
    }
    std::sort(items.begin(), items.end(),
              [](const auto &a, const auto &b) { return a.first < b.first; });
    QJsonArray array;
    for (const auto &item : std::as_const(items))
        array.append(item.second);
    respondList(exchange, u"PodMetricsList"_s, array, true);
}

} // namespace timonel::apiserver
