#include "nodeproxy.h"

#include "core/gostrings.h"
#include "http/splice.h"
#include "resthandler.h"

#include "http/httpserver.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QPointer>
#include <QSslSocket>
#include <QTimer>
#include <QUrl>

using namespace Qt::StringLiterals;

Q_DECLARE_LOGGING_CATEGORY(lcApiServer)

namespace timonel::apiserver {

namespace {

constexpr int kDialTimeoutMs = 30000;
constexpr qsizetype kMaxHead = 64 * 1024;
// Error bodies of the node agent are read up to this size (the checker's maxReadLength is 4K
// of it shown; this is a bound on memory, not on the message).
constexpr qsizetype kMaxErrorBody = 64 * 1024;

QString queryValue(const http::HttpRequest &request, const QString &key)
{
    return request.query.queryItemValue(key, QUrl::FullyDecoded);
}

// apimachinery's string-to-bool conversion of query parameters: true unless "0" or "false".
bool queryBool(const http::HttpRequest &request, const QString &key)
{
    if (!request.query.hasQueryItem(key))
        return false;
    const QString value = queryValue(request, key);
    return value != u"0" && value.compare(u"false", Qt::CaseInsensitive) != 0;
}

QByteArray encodedSegment(const QString &segment)
{
    return QUrl::toPercentEncoding(segment);
}

// url.Values.Encode: keys sorted, values percent-encoded.
QByteArray encodeQuery(QList<std::pair<QString, QString>> items)
{
    std::stable_sort(items.begin(), items.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    QByteArray out;
    for (const auto &[key, value] : items) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}

QStringList containerNames(const QJsonObject &pod)
{
    QStringList names;
    const QJsonObject spec = pod.value(u"spec").toObject();
    for (const char *list : {"initContainers", "containers", "ephemeralContainers"}) {
        for (const QJsonValue &c : spec.value(QLatin1StringView(list)).toArray())
            names.append(c.toObject().value(u"name").toString());
    }
    return names;
}

// validateContainer of kube-apiserver: the only container when none is named.
ApiResult<QString> validateContainer(const QJsonObject &pod, const QString &name,
                                     const QString &container)
{
    const QJsonArray containers = pod.value(u"spec").toObject().value(u"containers").toArray();
    if (container.isEmpty()) {
        if (containers.size() == 1)
            return containers.first().toObject().value(u"name").toString();
        if (containers.isEmpty())
            return std::unexpected(
                ApiError::badRequest(u"a container name must be specified for pod %1"_s.arg(name)));
        return std::unexpected(ApiError::badRequest(
            u"a container name must be specified for pod %1, choose one of: [%2]"_s.arg(
                name, containerNames(pod).join(u' '))));
    }
    if (!containerNames(pod).contains(container))
        return std::unexpected(
            ApiError::badRequest(u"container %1 is not valid for pod %2"_s.arg(container, name)));
    return container;
}

std::optional<qint64> parseInt(const QString &text, ApiError *error)
{
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok)
        *error = ApiError::badRequest(
            u"strconv.ParseInt: parsing %1: invalid syntax"_s.arg(core::goQuote(text)));
    return ok ? std::optional<qint64>(value) : std::nullopt;
}

// The node agent's path and query for a pods/log request, checked as PodLogOptions.
ApiResult<QByteArray> logTarget(const http::HttpRequest &request, const QString &ns,
                                const QString &name, const QString &container)
{
    QList<std::pair<QString, QString>> params;
    for (const char *flag : {"follow", "previous", "timestamps"}) {
        if (queryBool(request, QLatin1StringView(flag)))
            params.append({QLatin1StringView(flag), u"true"_s});
    }
    FieldErrors errors;
    ApiError parseError;
    std::optional<qint64> sinceSeconds;
    for (const char *key : {"sinceSeconds", "tailLines", "limitBytes"}) {
        const QString k = QLatin1StringView(key);
        if (!request.query.hasQueryItem(k))
            continue;
        const auto value = parseInt(queryValue(request, k), &parseError);
        if (!value)
            return std::unexpected(parseError);
        if (k == u"sinceSeconds")
            sinceSeconds = value;
        if (k == u"tailLines" && *value < 0)
            errors.append(FieldError::invalid(k, *value, u"must be greater than or equal to 0"_s));
        if (k != u"tailLines" && *value < 1)
            errors.append(FieldError::invalid(k, *value, u"must be greater than 0"_s));
        params.append({k, QString::number(*value)});
    }
    if (const QString since = queryValue(request, u"sinceTime"_s); !since.isEmpty()) {
        const QDateTime time = QDateTime::fromString(since, Qt::ISODate);
        if (!time.isValid())
            return std::unexpected(ApiError::badRequest(
                u"parsing time %1 as \"2006-01-02T15:04:05Z07:00\": cannot parse %1 as \"2006\""_s
                    .arg(core::goQuote(since))));
        if (sinceSeconds) {
            errors.removeIf([](const FieldError &e) { return e.field == u"sinceSeconds"; });
            errors.append(FieldError::forbidden(
                {}, u"at most one of `sinceTime` or `sinceSeconds` may be specified"_s));
        }
        params.append({u"sinceTime"_s, time.toUTC().toString(Qt::ISODate)});
    }
    if (!errors.isEmpty())
        return std::unexpected(ApiError::invalid(u"PodLogOptions"_s, name, errors));
    QByteArray target = "/containerLogs/" + encodedSegment(ns) + '/' + encodedSegment(name) + '/' +
                        encodedSegment(container);
    if (!params.isEmpty())
        target += '?' + encodeQuery(params);
    return target;
}

// The node agent's path and query for exec, attach and portforward (streamParams).
QByteArray streamTarget(const http::HttpRequest &request, const QString &subresource,
                        const QString &ns, const QString &name, const QString &container)
{
    QList<std::pair<QString, QString>> params;
    QByteArray target;
    if (subresource == u"portforward") {
        target = "/portForward/" + encodedSegment(ns) + '/' + encodedSegment(name);
        const QStringList ports = request.query.allQueryItemValues(u"ports"_s, QUrl::FullyDecoded);
        if (!ports.isEmpty())
            params.append({u"port"_s, ports.join(u',')});
    } else {
        target = '/' + subresource.toUtf8() + '/' + encodedSegment(ns) + '/' +
                 encodedSegment(name) + '/' + encodedSegment(container);
        // The kubelet's names: input, output, error, tty.
        for (auto [from, to] : {std::pair{"stdin", "input"}, std::pair{"stdout", "output"},
                                std::pair{"stderr", "error"}, std::pair{"tty", "tty"}}) {
            if (queryBool(request, QLatin1StringView(from)))
                params.append({QLatin1StringView(to), u"1"_s});
        }
        if (subresource == u"exec") {
            for (const QString &c :
                 request.query.allQueryItemValues(u"command"_s, QUrl::FullyDecoded))
                params.append({u"command"_s, c});
        }
    }
    if (!params.isEmpty())
        target += '?' + encodeQuery(params);
    return target;
}

bool isUpgradeRequest(const http::HttpRequest &request)
{
    for (const QByteArray &token : request.header("Connection").split(',')) {
        if (token.trimmed().compare("upgrade", Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

// The request line and headers for the node agent: the client's own headers (the upgrade ones
// included), minus those that belong to the hop or to the API server.
QByteArray forwardedRequest(const http::HttpRequest &request, const QByteArray &target,
                            const QString &host, quint16 port, bool upgrade)
{
    QByteArray out = request.method + ' ' + target + " HTTP/1.1\r\n";
    out += "Host: " + host.toUtf8() + ':' + QByteArray::number(port) + "\r\n";
    static const QList<QByteArray> dropped{
        "host",       "authorization",    "content-length",  "transfer-encoding",
        "keep-alive", "proxy-connection", "accept-encoding", "expect"};
    for (const auto &[name, value] : request.headers) {
        const QByteArray lower = name.toLower();
        if (dropped.contains(lower) || (!upgrade && lower == "connection"))
            continue;
        out += name + ": " + value + "\r\n";
    }
    if (!upgrade)
        out += "Connection: close\r\n"; // one response, then the spliced connection ends
    if (request.method == "POST")
        out += "Content-Length: 0\r\n";
    return out + "\r\n";
}

// How Go's net package words a failed dial.
QString dialError(QAbstractSocket *socket, QAbstractSocket::SocketError error)
{
    switch (error) {
    case QAbstractSocket::ConnectionRefusedError:
        return u"connect: connection refused"_s;
    case QAbstractSocket::SocketTimeoutError:
        return u"i/o timeout"_s;
    case QAbstractSocket::NetworkError:
        return u"connect: no route to host"_s;
    default:
        return socket->errorString();
    }
}

// A non-2xx answer of the node agent to a log request, as GenericHttpResponseChecker turns it
// into an error.
ApiError logResponseError(int status, const QString &body, const QString &pod)
{
    if (status == 400)
        return ApiError::badRequest(body);
    if (status == 500)
        return ApiError{500, u"InternalError"_s, u"Internal error occurred: "_s + body,
                        QJsonObject{{u"causes"_s, QJsonArray{QJsonObject{{u"message"_s, body}}}}}};
    QString reason;
    QString message;
    switch (status) {
    case 404:
        reason = u"NotFound"_s;
        message = u"the server could not find the requested resource"_s;
        break;
    case 422:
        reason = u"Invalid"_s;
        message = u"the server rejected our request due to an error in our request"_s;
        break;
    default:
        reason = status >= 500 ? u"InternalError"_s : QString();
        message = status >= 500 ? u"an error on the server (%1) has prevented the request from "
                                  "succeeding"_s.arg(core::goQuote(body))
                                : u"the server responded with the status code %1 but did not "
                                  "return more information"_s.arg(status);
    }
    QJsonObject details{{u"name"_s, pod}, {u"kind"_s, u"pods/log"_s}};
    if (!body.isEmpty())
        details.insert(u"causes"_s,
                       QJsonArray{QJsonObject{{u"reason"_s, u"UnexpectedServerResponse"_s},
                                              {u"message"_s, body}}});
    return ApiError{status, reason, message, details};
}

// One request to a node agent: connect, send, read the answer's head, then hand both sockets
// to a Splice (or turn the answer into an error).
class KubeletCall : public QObject
{
public:
    KubeletCall(http::HttpExchange *exchange, bool upgrade, QString host, quint16 port,
                QByteArray request, const std::optional<QSslConfiguration> &tls, QString url,
                QString pod, QObject *parent)
        : QObject(parent), m_exchange(exchange), m_upgrade(upgrade), m_host(std::move(host)),
          m_port(port), m_request(std::move(request)), m_url(std::move(url)), m_pod(std::move(pod))
    {
        connect(exchange, &http::HttpExchange::clientGone, this, &QObject::deleteLater);
        if (tls) {
            auto *socket = new QSslSocket(this);
            socket->setSslConfiguration(*tls);
            connect(socket, &QSslSocket::encrypted, this, &KubeletCall::send);
            // Remembered for the message: the handshake then fails with a generic error.
            connect(socket, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &e) {
                if (!e.isEmpty())
                    m_tlsError = e.first().errorString();
            });
            m_socket = socket;
        } else {
            m_socket = new QTcpSocket(this);
            connect(m_socket, &QTcpSocket::connected, this, &KubeletCall::send);
        }
        connect(m_socket, &QIODevice::readyRead, this, &KubeletCall::onReadyRead);
        connect(m_socket, &QAbstractSocket::errorOccurred, this, &KubeletCall::onError);
        connect(m_socket, &QAbstractSocket::disconnected, this, &KubeletCall::onDisconnected);
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this,
                [this] { onError(QAbstractSocket::SocketTimeoutError); });
        m_timer.start(kDialTimeoutMs);
        if (auto *tlsSocket = qobject_cast<QSslSocket *>(m_socket))
            tlsSocket->connectToHostEncrypted(m_host, m_port);
        else
            m_socket->connectToHost(m_host, m_port);
    }

private:
    void send()
    {
        m_timer.stop();
        m_socket->write(m_request);
    }

    void onError(QAbstractSocket::SocketError error)
    {
        if (m_headDone || !m_exchange || m_exchange->isFinished()) {
            if (error != QAbstractSocket::RemoteHostClosedError)
                onDisconnected();
            return;
        }
        m_timer.stop();
        QString why = dialError(m_socket, error);
        if (!m_tlsError.isEmpty())
            why = u"tls: failed to verify certificate: "_s + m_tlsError;
        const QString dial = u"dial tcp %1:%2: %3"_s.arg(m_host).arg(m_port).arg(why);
        const QString message =
            m_upgrade ? u"error dialing backend: "_s + dial : u"Get \"%1\": %2"_s.arg(m_url, dial);
        qCDebug(lcApiServer) << "node proxy:" << message;
        respondError(m_exchange, ApiError{500, {}, message, {}});
        m_socket->abort();
        deleteLater();
    }

    void onReadyRead()
    {
        if (m_headDone) {
            m_body.append(m_socket->readAll());
            return finishError(false);
        }
        m_head.append(m_socket->readAll());
        const qsizetype end = m_head.indexOf("\r\n\r\n");
        if (end < 0) {
            if (m_head.size() > kMaxHead)
                onError(QAbstractSocket::UnknownSocketError);
            return;
        }
        m_headDone = true;
        m_body = m_head.mid(end + 4);
        const QList<QByteArray> lines = m_head.left(end).split('\n');
        m_status = lines.value(0).split(' ').value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = line.left(colon).trimmed();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (name.compare("Date", Qt::CaseInsensitive) == 0)
                continue;
            if (name.compare("Content-Length", Qt::CaseInsensitive) == 0)
                m_contentLength = value.toLongLong();
            m_headers.append({name, value});
        }
        const bool success = m_upgrade ? m_status == 101 : m_status >= 200 && m_status <= 206;
        if (success)
            return splice();
        finishError(false);
    }

    void splice()
    {
        http::HttpHeaders headers;
        for (const auto &[name, value] : std::as_const(m_headers)) {
            // Logs are text/plain from the API server, whatever the node agent said.
            if (!m_upgrade && (name.compare("Content-Type", Qt::CaseInsensitive) == 0 ||
                               name.compare("Connection", Qt::CaseInsensitive) == 0))
                continue;
            headers.append({name, value});
        }
        if (!m_upgrade)
            headers.emplaceBack("Content-Type", "text/plain");
        if (!m_upgrade)
            headers.emplaceBack("Connection", "close");
        QTcpSocket *client = m_exchange->takeSocket(m_status, headers);
        if (!client) {
            deleteLater();
            return;
        }
        m_socket->disconnect(this);
        new http::Splice(client, m_socket, std::exchange(m_body, {}), parent());
        deleteLater();
    }

    // The node agent refused: a log error becomes a Status; an upgrade's answer goes to the
    // client as it is, and the connection closes.
    void finishError(bool closed)
    {
        if (m_body.size() > kMaxErrorBody)
            m_body.truncate(kMaxErrorBody);
        const bool complete = closed ||
                              (m_contentLength >= 0 && m_body.size() >= m_contentLength) ||
                              m_body.size() >= kMaxErrorBody;
        if (!complete || !m_exchange || m_exchange->isFinished())
            return;
        if (m_contentLength >= 0)
            m_body.truncate(m_contentLength);
        if (!m_upgrade) {
            respondError(m_exchange, logResponseError(m_status, QString::fromUtf8(m_body), m_pod));
        } else {
            http::HttpHeaders headers;
            for (const auto &[name, value] : std::as_const(m_headers)) {
                if (name.compare("Connection", Qt::CaseInsensitive) != 0)
                    headers.append({name, value});
            }
            headers.emplaceBack("Connection", "close");
            if (QTcpSocket *client = m_exchange->takeSocket(m_status, headers)) {
                client->write(m_body);
                QObject::connect(client, &QAbstractSocket::disconnected, client,
                                 &QObject::deleteLater);
                client->disconnectFromHost();
            }
        }
        m_socket->abort();
        deleteLater();
    }

    void onDisconnected()
    {
        if (!m_headDone) {
            if (m_exchange && !m_exchange->isFinished())
                onError(QAbstractSocket::RemoteHostClosedError);
            return;
        }
        finishError(true);
    }

    QPointer<http::HttpExchange> m_exchange;
    bool m_upgrade;
    QString m_host;
    quint16 m_port;
    QByteArray m_request;
    QString m_url;
    QString m_pod;
    QTcpSocket *m_socket = nullptr;
    QTimer m_timer;
    QString m_tlsError;
    QByteArray m_head;
    bool m_headDone = false;
    int m_status = 0;
    QList<std::pair<QByteArray, QByteArray>> m_headers;
    qint64 m_contentLength = -1;
    QByteArray m_body;
};

} // namespace

NodeProxy::NodeProxy(ResourceStore &store, NodeProxyOptions options, QObject *parent)
    : QObject(parent), m_store(store), m_connection(std::move(options))
{
}

NodeProxy::~NodeProxy() = default;

void NodeProxy::handle(http::HttpExchange *exchange, const core::ResourceInfo &r,
                       const RequestInfo &info)
{
    const http::HttpRequest &request = exchange->request();
    const QString &subresource = info.subresource;
    const bool log = subresource == u"log";
    // pods/log is a getter; the others connect with GET (WebSocket) or POST (SPDY).
    if ((log && request.method != "GET") ||
        (!log && request.method != "GET" && request.method != "POST"))
        return respondError(
            exchange, ApiError::methodNotAllowed(QString::fromLatin1(request.method), r.kind));
    auto pod = m_store.get(r, info.namespaceName, info.name);
    if (!pod)
        return respondError(exchange, pod.error());
    QString container;
    if (subresource != u"portforward") {
        auto valid = validateContainer(*pod, info.name, queryValue(request, u"container"_s));
        if (!valid)
            return respondError(exchange, valid.error());
        container = *valid;
    }
    QByteArray target;
    if (log) {
        auto logs = logTarget(request, info.namespaceName, info.name, container);
        if (!logs)
            return respondError(exchange, logs.error());
        target = *logs;
    } else {
        target = streamTarget(request, subresource, info.namespaceName, info.name, container);
    }
    const QString nodeName = pod->value(u"spec").toObject().value(u"nodeName").toString();
    if (nodeName.isEmpty()) {
        // An unscheduled pod has no logs yet: an empty answer, as LocationStreamer gives.
        if (log)
            return exchange->respond(204, {}, {});
        return respondError(
            exchange,
            ApiError::badRequest(u"pod %1 does not have a host assigned"_s.arg(info.name)));
    }
    const core::ResourceInfo *nodes = m_store.schemas().resource({}, u"v1"_s, u"nodes"_s);
    auto node = m_store.get(*nodes, {}, nodeName);
    if (!node)
        return respondError(exchange, node.error());
    auto endpoint = nodeEndpoint(*node);
    if (!endpoint)
        return respondError(exchange, endpoint.error());
    const QString host = endpoint->host;
    const quint16 port = endpoint->port;
    // Streams need an upgrade; the node agent answers them, the API server only relays.
    if (!log && !isUpgradeRequest(request))
        return respondError(exchange, ApiError::badRequest(u"Upgrade request required"_s));
    auto tls = m_connection.tlsConfiguration();
    if (!tls)
        return respondError(exchange, ApiError{500, {}, tls.error(), {}});
    const QString url =
        u"%1://%2:%3%4"_s.arg(m_connection.scheme(), host).arg(port).arg(QString::fromUtf8(target));
    new KubeletCall(exchange, !log, host, port, forwardedRequest(request, target, host, port, !log),
                    *tls, url, info.name, this);
}

} // namespace timonel::apiserver
