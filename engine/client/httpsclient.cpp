#include "client/httpsclient.h"

#include "client/statuserror.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QTimer>

#include <chrono>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

Q_LOGGING_CATEGORY(lcClient, "timonel.client", QtInfoMsg)

namespace timonel::client {

namespace {

// This file's user-visible texts, translated in the "ApiClient" context.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(ApiClient)
};

// A short request that makes no progress for this long has lost its server.
constexpr auto requestTimeout = 60s;
// Idle watches get a bookmark about every minute; one silent for longer lost its connection
// without noticing (a sleeping laptop, a NAT that forgot it) and is ended so it can resume.
constexpr auto watchIdleTimeout = 3min;
constexpr int streamsPerManager = 6; // Qt's connections per host and manager

const char sslErrorsProperty[] = "timonel.sslErrors";
const QByteArray jsonType = "application/json";

QByteArray segment(const QString &s)
{
    return QUrl::toPercentEncoding(s);
}

QByteArray collectionPath(const Resource &r, const QString &ns)
{
    QByteArray path = r.group.isEmpty() ? "/api/" + segment(r.version)
                                        : "/apis/" + segment(r.group) + '/' + segment(r.version);
    if (!ns.isEmpty())
        path += "/namespaces/" + segment(ns);
    return path + '/' + segment(r.resource);
}

QByteArray objectPath(const Resource &r, const QString &ns, const QString &name,
                      const QString &subresource = {})
{
    QByteArray path = collectionPath(r, ns) + '/' + segment(name);
    if (!subresource.isEmpty())
        path += '/' + segment(subresource);
    return path;
}

// A query string whose values are fully percent-encoded: the API server reads '+' as a space,
// as Go's url.ParseQuery does, so a label selector's '+' must travel as %2B.
class Query
{
public:
    Query &add(const char *key, const QString &value)
    {
        if (!value.isEmpty())
            m_text += (m_text.isEmpty() ? "?" : "&") + QByteArray(key) + '=' + segment(value);
        return *this;
    }
    Query &add(const char *key, bool on) { return on ? add(key, u"true"_s) : *this; }
    Query &add(const char *key, std::optional<qint64> n)
    {
        return n ? add(key, QString::number(*n)) : *this;
    }
    Query &addWrite(const WriteQuery &q)
    {
        add("fieldManager", q.fieldManager);
        if (q.dryRun)
            add("dryRun", u"All"_s);
        // As the in-process transport: unknown or duplicate fields are errors, not warnings.
        return add("fieldValidation", u"Strict"_s);
    }
    Query &addList(const ListQuery &q)
    {
        return add("labelSelector", q.labelSelector)
            .add("fieldSelector", q.fieldSelector)
            .add("limit", q.limit > 0 ? std::optional<qint64>(q.limit) : std::nullopt)
            .add("continue", q.continueToken)
            .add("resourceVersion", q.resourceVersion);
    }
    QByteArray text() const { return m_text; }

private:
    QByteArray m_text;
};

template <typename T> void later(QObject *context, Callback<T> done, Result<T> result)
{
    QTimer::singleShot(0, context,
                       [done = std::move(done), result = std::move(result)] { done(result); });
}

// The failure of a request that never got an HTTP answer.
Error unreachable(QNetworkReply *reply, const QUrl &server)
{
    const QStringList ssl = reply->property(sslErrorsProperty).toStringList();
    QString why;
    if (!ssl.isEmpty())
        why = Tr::tr("its TLS certificate is not trusted: %1").arg(ssl.join(u"; "_s));
    else if (reply->error() == QNetworkReply::OperationCanceledError // our transfer timeout
             || reply->error() == QNetworkReply::TimeoutError)
        why = Tr::tr("no answer in time");
    else
        why = reply->errorString();
    return {
        0, {}, Tr::tr("cannot reach the Kubernetes API at %1: %2").arg(server.toString(), why), {}};
}

// Whether the reply got an HTTP answer (any status) rather than failing underneath it.
bool answered(QNetworkReply *reply)
{
    if (!reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid())
        return false;
    const int e = reply->error();
    // 200-299 and 400-499 are HTTP 4xx and 5xx statuses; the rest failed below HTTP.
    return e == QNetworkReply::NoError || (e >= 200 && e < 300) || (e >= 400 && e < 500);
}

int httpStatus(QNetworkReply *reply)
{
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

QString qualified(const Resource &r)
{
    return r.group.isEmpty() ? r.resource : r.resource + u'.' + r.group;
}

// Shared by watches and logs: a long response read as it arrives. The handlers it calls may
// destroy it (a caller dropping its watch from an event handler), hence the liveness checks.
class Stream
{
public:
    Stream(QObject *owner, QNetworkReply *reply, QUrl server)
        : m_owner(owner), m_reply(reply), m_server(std::move(server))
    {
        QObject::connect(reply, &QNetworkReply::readyRead, owner, [this] { onReadyRead(); });
        QObject::connect(reply, &QNetworkReply::finished, owner, [this] { onFinished(); });
    }
    virtual ~Stream()
    {
        *m_alive = false;
        if (m_reply)
            release();
    }

protected:
    // The body of a successful answer as it arrives; false ends the stream.
    virtual bool received(const QByteArray &data) = 0;
    // The end: nullopt for a clean end, else what went wrong; httpError when the server
    // answered with an error status. The stream may be destroyed in it.
    virtual void ended(std::optional<Error> error, bool httpError) = 0;

    bool isOpen() const { return m_reply; }

private:
    bool successful() const
    {
        const int code = httpStatus(m_reply);
        return code >= 200 && code < 300;
    }
    // Passes data on; false when the stream is gone or ended meanwhile.
    bool deliver(const QByteArray &data)
    {
        if (data.isEmpty())
            return true;
        const std::shared_ptr<bool> alive = m_alive;
        const bool more = received(data);
        if (!*alive || !m_reply)
            return false;
        if (!more)
            finish(std::nullopt, false);
        return more;
    }
    void onReadyRead()
    {
        if (!successful()) {
            m_errorBody += m_reply->readAll(); // a Status, read at the end
            return;
        }
        deliver(m_reply->readAll());
    }
    void onFinished()
    {
        if (!answered(m_reply))
            return finish(unreachable(m_reply, m_server), false);
        if (successful()) {
            if (deliver(m_reply->readAll()))
                finish(std::nullopt, false);
            return;
        }
        m_errorBody += m_reply->readAll();
        const QByteArray type = m_reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
        finish(errorFromResponse(httpStatus(m_reply), type, m_errorBody, {}), true);
    }
    void release()
    {
        QNetworkReply *reply = std::exchange(m_reply, nullptr);
        reply->disconnect(m_owner);
        reply->abort();
        reply->deleteLater(); // not delete: we may be inside one of its signals
    }
    void finish(std::optional<Error> error, bool httpError)
    {
        release();
        ended(std::move(error), httpError);
    }

    QObject *m_owner;
    QPointer<QNetworkReply> m_reply;
    QUrl m_server;
    QByteArray m_errorBody;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

class HttpsWatch final : public WatchHandle, private Stream
{
public:
    HttpsWatch(QNetworkReply *reply, const QUrl &server) : Stream(this, reply, server) {}

private:
    bool received(const QByteArray &data) override
    {
        const QPointer<HttpsWatch> self(this);
        m_buffer += data;
        qsizetype start = 0;
        for (qsizetype end; (end = m_buffer.indexOf('\n', start)) >= 0; start = end + 1) {
            const QByteArray line = m_buffer.mid(start, end - start).trimmed();
            if (line.isEmpty())
                continue;
            QJsonParseError parseError;
            const QJsonObject e = QJsonDocument::fromJson(line, &parseError).object();
            const QString type = e.value(u"type").toString();
            if (parseError.error != QJsonParseError::NoError || type.isEmpty()) {
                m_error = Error{0,
                                {},
                                Tr::tr("the watch stream sent something that is not a "
                                       "watch event: %1")
                                    .arg(QString::fromUtf8(line.left(200))),
                                {}};
                return false;
            }
            const QJsonObject object = e.value(u"object").toObject();
            if (type == u"ERROR")
                m_error = errorFromStatus(object);
            Q_EMIT event({type, object});
            if (!self || !isOpen())
                return true; // destroyed from the handler: deliver() notices
        }
        m_buffer.remove(0, start);
        return true;
    }
    void ended(std::optional<Error> error, bool httpError) override
    {
        if (httpError) {
            const QPointer<HttpsWatch> self(this);
            Q_EMIT event({u"ERROR"_s, error->status});
            if (!self)
                return;
        }
        Q_EMIT finished(error ? error : m_error);
    }

    QByteArray m_buffer;
    std::optional<Error> m_error; // of an ERROR event, or of an undecodable line
};

class HttpsLogStream final : public LogStream, private Stream
{
public:
    HttpsLogStream(QNetworkReply *reply, const QUrl &server,
                   std::function<void(const QByteArray &)> chunk, Callback<void> done)
        : Stream(this, reply, server), m_chunk(std::move(chunk)), m_done(std::move(done))
    {
    }

private:
    bool received(const QByteArray &data) override
    {
        m_chunk(data);
        return true;
    }
    void ended(std::optional<Error> error, bool) override
    {
        m_done(error ? Result<void>(std::unexpected(*error)) : Result<void>());
    }

    std::function<void(const QByteArray &)> m_chunk;
    Callback<void> m_done;
};

} // namespace

struct HttpsClient::Target
{
    QByteArray pathAndQuery;
    RequestSummary about;
};

HttpsClient::HttpsClient(ClusterAccess access, QObject *parent)
    : ApiClient(parent), m_access(std::move(access)), m_manager(new QNetworkAccessManager(this))
{
    m_tls = tlsConfiguration(m_access);
}

HttpsClient::~HttpsClient()
{
    // The managers take their replies with them; no stream bookkeeping after this point.
    const QList<QNetworkAccessManager *> managers = m_streamManagers.keys();
    m_streamManagers.clear();
    for (QNetworkAccessManager *m : managers) {
        m->disconnect(this);
        delete m;
    }
}

std::expected<std::unique_ptr<HttpsClient>, QString>
HttpsClient::fromKubeconfig(const QString &path, const QString &context)
{
    auto access = readClusterAccess(path, context);
    if (!access)
        return std::unexpected(access.error());
    return std::make_unique<HttpsClient>(std::move(*access));
}

QNetworkAccessManager *HttpsClient::streamManager()
{
    for (auto it = m_streamManagers.begin(); it != m_streamManagers.end(); ++it)
        if (it.value() < streamsPerManager)
            return it.key();
    auto *manager = new QNetworkAccessManager(this);
    m_streamManagers.insert(manager, 0);
    return manager;
}

QNetworkReply *HttpsClient::send(QNetworkAccessManager *manager, const QByteArray &method,
                                 const QByteArray &pathAndQuery, const QByteArray &body,
                                 const QByteArray &contentType, const QByteArray &accept,
                                 bool streaming)
{
    QByteArray base = m_access.server.toEncoded(QUrl::RemoveQuery | QUrl::RemoveFragment);
    while (base.endsWith('/'))
        base.chop(1);
    QNetworkRequest request(QUrl::fromEncoded(base + pathAndQuery, QUrl::StrictMode));
    request.setSslConfiguration(m_tls);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArray("timonel/" TIMONEL_VERSION));
    request.setRawHeader("Accept", accept);
    if (!contentType.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
    if (const QByteArray authorization = authorizationHeader(m_access); !authorization.isEmpty())
        request.setRawHeader("Authorization", authorization);
    if (!m_access.tlsServerName.isEmpty())
        request.setPeerVerifyName(m_access.tlsServerName);
    // Watches are ended when silent too long; followed logs may rightly be silent for hours.
    if (!streaming)
        request.setTransferTimeout(requestTimeout);
    else if (pathAndQuery.contains("watch=true"))
        request.setTransferTimeout(watchIdleTimeout);

    QNetworkReply *reply =
        method == "GET" ? manager->get(request) : manager->sendCustomRequest(request, method, body);
    QObject::connect(reply, &QNetworkReply::sslErrors, reply, [reply](const QList<QSslError> &e) {
        QStringList texts;
        for (const QSslError &error : e)
            texts.append(error.errorString());
        reply->setProperty(sslErrorsProperty, texts);
    });
    if (m_streamManagers.contains(manager)) {
        ++m_streamManagers[manager];
        connect(reply, &QObject::destroyed, this, [this, manager] {
            if (auto it = m_streamManagers.find(manager); it != m_streamManagers.end())
                --it.value();
        });
    }
    return reply;
}

void HttpsClient::request(const QByteArray &method, const QString &path, const QByteArray &body,
                          const QByteArray &contentType, const QByteArray &accept,
                          Callback<RawResponse> done)
{
    QNetworkReply *reply = send(m_manager, method, path.toUtf8(), body, contentType, accept, false);
    connect(reply, &QNetworkReply::finished, this, [this, reply, done = std::move(done)] {
        reply->deleteLater();
        if (!answered(reply))
            return done(std::unexpected(unreachable(reply, m_access.server)));
        done(RawResponse{httpStatus(reply),
                         reply->header(QNetworkRequest::ContentTypeHeader).toByteArray(),
                         reply->readAll()});
    });
}

void HttpsClient::call(const QByteArray &method, const Target &target, const QByteArray &body,
                       const QByteArray &contentType, Callback<QJsonObject> done)
{
    request(
        method, QString::fromUtf8(target.pathAndQuery), body, contentType, jsonType,
        [about = target.about, done = std::move(done)](Result<RawResponse> response) {
            if (!response)
                return done(std::unexpected(response.error()));
            if (response->code < 200 || response->code >= 300)
                return done(std::unexpected(errorFromResponse(response->code, response->contentType,
                                                              response->body, about)));
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(response->body, &error);
            if (error.error != QJsonParseError::NoError || !doc.isObject())
                return done(std::unexpected(Error{
                    response->code,
                    {},
                    Tr::tr("the server's answer is not a JSON object: %1").arg(error.errorString()),
                    {}}));
            done(doc.object());
        });
}

void HttpsClient::get(const Resource &r, const QString &ns, const QString &name,
                      Callback<QJsonObject> done)
{
    if (name.isEmpty())
        return later<QJsonObject>(
            this, std::move(done),
            std::unexpected(Error{400, u"BadRequest"_s, u"resource name may not be empty"_s, {}}));
    call("GET", {objectPath(r, ns, name), {"GET", qualified(r), name}}, {}, {}, std::move(done));
}

void HttpsClient::list(const Resource &r, const QString &ns, const ListQuery &query,
                       Callback<QJsonObject> done)
{
    call("GET", {collectionPath(r, ns) + Query().addList(query).text(), {"GET", qualified(r), {}}},
         {}, {}, std::move(done));
}

void HttpsClient::create(const Resource &r, const QString &ns, const QJsonObject &object,
                         const WriteQuery &query, Callback<QJsonObject> done)
{
    call("POST",
         {collectionPath(r, ns) + Query().addWrite(query).text(), {"POST", qualified(r), {}}},
         QJsonDocument(object).toJson(QJsonDocument::Compact), jsonType, std::move(done));
}

void HttpsClient::createSubresource(const Resource &r, const QString &ns, const QString &name,
                                    const QString &subresource, const QJsonObject &object,
                                    const WriteQuery &query, Callback<QJsonObject> done)
{
    call("POST",
         {objectPath(r, ns, name, subresource) + Query().addWrite(query).text(),
          {"POST", qualified(r), name}},
         QJsonDocument(object).toJson(QJsonDocument::Compact), jsonType, std::move(done));
}

void HttpsClient::update(const Resource &r, const QString &ns, const QJsonObject &object,
                         const QString &subresource, const WriteQuery &query,
                         Callback<QJsonObject> done)
{
    const QString name = object.value(u"metadata").toObject().value(u"name").toString();
    if (name.isEmpty())
        return later<QJsonObject>(
            this, std::move(done),
            std::unexpected(Error{400, u"BadRequest"_s, u"resource name may not be empty"_s, {}}));
    call("PUT",
         {objectPath(r, ns, name, subresource) + Query().addWrite(query).text(),
          {"PUT", qualified(r), name}},
         QJsonDocument(object).toJson(QJsonDocument::Compact), jsonType, std::move(done));
}

void HttpsClient::patch(const Resource &r, const QString &ns, const QString &name, PatchType type,
                        const QByteArray &body, const QString &subresource, const WriteQuery &query,
                        Callback<QJsonObject> done)
{
    if (name.isEmpty())
        return later<QJsonObject>(
            this, std::move(done),
            std::unexpected(Error{400, u"BadRequest"_s, u"resource name may not be empty"_s, {}}));
    const QByteArray contentType = type == PatchType::Json    ? "application/json-patch+json"
                                   : type == PatchType::Merge ? "application/merge-patch+json"
                                   : type == PatchType::StrategicMerge
                                       ? "application/strategic-merge-patch+json"
                                       : "application/apply-patch+yaml";
    Query q;
    q.addWrite(query);
    if (type == PatchType::Apply)
        q.add("force", query.force);
    call("PATCH", {objectPath(r, ns, name, subresource) + q.text(), {"PATCH", qualified(r), name}},
         body, contentType, std::move(done));
}

void HttpsClient::remove(const Resource &r, const QString &ns, const QString &name,
                         const DeleteQuery &query, Callback<QJsonObject> done)
{
    if (name.isEmpty())
        return later<QJsonObject>(
            this, std::move(done),
            std::unexpected(Error{400, u"BadRequest"_s, u"resource name may not be empty"_s, {}}));
    QJsonObject options{{u"kind"_s, u"DeleteOptions"_s}, {u"apiVersion"_s, u"v1"_s}};
    if (query.gracePeriodSeconds)
        options.insert(u"gracePeriodSeconds"_s, *query.gracePeriodSeconds);
    if (!query.propagationPolicy.isEmpty())
        options.insert(u"propagationPolicy"_s, query.propagationPolicy);
    if (!query.preconditionUid.isEmpty())
        options.insert(u"preconditions"_s, QJsonObject{{u"uid"_s, query.preconditionUid}});
    if (query.dryRun)
        options.insert(u"dryRun"_s, QJsonArray{u"All"_s});
    call("DELETE", {objectPath(r, ns, name), {"DELETE", qualified(r), name}},
         QJsonDocument(options).toJson(QJsonDocument::Compact), jsonType, std::move(done));
}

std::unique_ptr<WatchHandle> HttpsClient::watch(const Resource &r, const QString &ns,
                                                const ListQuery &query)
{
    ListQuery q = query;
    q.limit = 0;
    q.continueToken.clear();
    Query text;
    text.addList(q)
        .add("timeoutSeconds",
             query.timeoutSeconds > 0 ? std::optional<qint64>(query.timeoutSeconds) : std::nullopt)
        .add("allowWatchBookmarks", true)
        .add("watch", true);
    QNetworkReply *reply =
        send(streamManager(), "GET", collectionPath(r, ns) + text.text(), {}, {}, jsonType, true);
    return std::make_unique<HttpsWatch>(reply, m_access.server);
}

void HttpsClient::version(Callback<QJsonObject> done)
{
    call("GET", {"/version", {"GET", {}, {}}}, {}, {}, std::move(done));
}

std::unique_ptr<LogStream> HttpsClient::logs(const QString &ns, const QString &pod,
                                             const LogQuery &query,
                                             std::function<void(const QByteArray &)> chunk,
                                             Callback<void> done)
{
    Query q;
    q.add("container", query.container)
        .add("follow", query.follow)
        .add("previous", query.previous)
        .add("timestamps", query.timestamps)
        .add("tailLines", query.tailLines)
        .add("sinceSeconds", query.sinceSeconds)
        .add("limitBytes", query.limitBytes);
    const QByteArray path = objectPath({{}, u"v1"_s, u"pods"_s}, ns, pod, u"log"_s) + q.text();
    QNetworkReply *reply = send(streamManager(), "GET", path, {}, {}, "*/*", true);
    return std::make_unique<HttpsLogStream>(reply, m_access.server, std::move(chunk),
                                            std::move(done));
}

} // namespace timonel::client
