#include "resthandler.h"

#include "fieldmanager.h"
#include "http/httpserver.h"
#include "nodeproxy.h"
#include "podsubresources.h"
#include "protobuf.h"
#include "tableconvertor.h"
#include "watchstream.h"

#include "core/yaml.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>

using namespace Qt::StringLiterals;
using namespace timonel::http;
using timonel::core::ResourceInfo;

Q_DECLARE_LOGGING_CATEGORY(lcApiServer)

namespace timonel::apiserver {

void respondJson(HttpExchange *exchange, int status, const QJsonObject &body,
                 const QStringList &warnings, const QByteArray &contentType)
{
    HttpHeaders headers{{"Content-Type", contentType}, {"Cache-Control", "no-cache, private"}};
    for (const QString &w : warnings) {
        QString quoted = w;
        quoted.replace(u'\\', u"\\\\"_s).replace(u'"', u"\\\""_s);
        headers.append({"Warning", "299 - \"" + quoted.toUtf8() + '"'});
    }
    exchange->respond(status, headers, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

void respondError(HttpExchange *exchange, const ApiError &error)
{
    respondJson(exchange, error.code, error.toStatus());
}

namespace {

bool wantsTable(const HttpExchange *exchange)
{
    // kubectl: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    const QByteArray accept = exchange->request().header("Accept");
    for (const QByteArray &part : accept.split(',')) {
        const QByteArray p = part.trimmed();
        if (p.contains("as=Table") && p.contains("g=meta.k8s.io"))
            return true;
    }
    return false;
}

TableRowObject includeObject(const HttpExchange *exchange)
{
    const QString v = exchange->request().query.queryItemValue(u"includeObject"_s);
    if (v == u"None")
        return TableRowObject::None;
    if (v == u"Object")
        return TableRowObject::Object;
    return TableRowObject::Metadata;
}

QString queryValue(const HttpExchange *exchange, const QString &key)
{
    return exchange->request().query.queryItemValue(key, QUrl::FullyDecoded);
}

ApiResult<WriteOptions> writeOptions(const HttpExchange *exchange)
{
    WriteOptions o;
    const QString dryRun = queryValue(exchange, u"dryRun"_s);
    if (!dryRun.isEmpty() && dryRun != u"All")
        return std::unexpected(ApiError::badRequest(
            u"Invalid dryRun value: %1. Supported values: All"_s.arg(dryRun)));
    o.dryRun = dryRun == u"All";
    o.fieldManager = queryValue(exchange, u"fieldManager"_s);
    if (o.fieldManager.isEmpty())
        o.fieldManager = fieldManagerFromUserAgent(
            QString::fromUtf8(exchange->request().header("User-Agent")));
    if (o.fieldManager.size() > 128)
        return std::unexpected(ApiError::badRequest(
            u"fieldManager: Too long: may not be more than 128 bytes"_s));
    const QString validation = queryValue(exchange, u"fieldValidation"_s);
    if (validation == u"Strict")
        o.fieldValidation = FieldValidation::Strict;
    else if (validation == u"Ignore")
        o.fieldValidation = FieldValidation::Ignore;
    else if (validation.isEmpty() || validation == u"Warn")
        o.fieldValidation = FieldValidation::Warn;
    else
        return std::unexpected(ApiError::badRequest(
            u"fieldValidation invalid value: %1. Allowed values: Ignore, Warn, Strict"_s.arg(
                validation)));
    o.force = queryValue(exchange, u"force"_s) == u"true";
    return o;
}

ApiResult<ListOptions> listOptions(const HttpExchange *exchange)
{
    ListOptions o;
    if (auto s = core::LabelSelector::parse(queryValue(exchange, u"labelSelector"_s)); s)
        o.labels = *s;
    else
        return std::unexpected(ApiError::badRequest(
            u"unable to parse requirement: "_s + s.error()));
    if (auto s = core::FieldSelector::parse(queryValue(exchange, u"fieldSelector"_s)); s)
        o.fields = *s;
    else
        return std::unexpected(ApiError::badRequest(s.error()));
    o.limit = queryValue(exchange, u"limit"_s).toInt();
    o.continueToken = queryValue(exchange, u"continue"_s);
    return o;
}

QByteArray mediaType(const HttpExchange *exchange)
{
    QByteArray type = exchange->request().header("Content-Type");
    if (const qsizetype semi = type.indexOf(';'); semi >= 0)
        type.truncate(semi);
    return type.trimmed().toLower();
}

// The object in a POST/PUT body, whatever its encoding.
ApiResult<QJsonObject> decodeObject(const HttpExchange *exchange, const core::SchemaRegistry &schemas)
{
    const QByteArray type = mediaType(exchange);
    const QByteArray &body = exchange->request().body;
    if (type == "application/vnd.kubernetes.protobuf") {
        auto decoded = decodeProtobufObject(body, schemas);
        if (!decoded)
            return std::unexpected(ApiError::badRequest(decoded.error()));
        return *decoded;
    }
    if (type == "application/yaml") {
        auto parsed = core::parseYaml(body);
        if (!parsed)
            return std::unexpected(ApiError::badRequest(
                u"error converting YAML to JSON: yaml: line %1: %2"_s.arg(parsed.error().line)
                    .arg(parsed.error().message)));
        if (!parsed->isObject())
            return std::unexpected(ApiError::badRequest(u"the body is not an object"_s));
        return parsed->toObject();
    }
    if (type == "application/json" || type.isEmpty()) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            return std::unexpected(ApiError::badRequest(
                u"couldn't get version/kind; json parse error: "_s
                + (doc.isObject() || error.error != QJsonParseError::NoError
                       ? error.errorString()
                       : u"the body is not a JSON object"_s)));
        return doc.object();
    }
    return std::unexpected(ApiError::unsupportedMediaType(
        u"the body of the request was in an unknown format - accepted media types include: "
        "application/json, application/yaml, application/vnd.kubernetes.protobuf"_s));
}

} // namespace

RestHandler::RestHandler(ResourceStore &store, QObject *parent)
    : QObject(parent), m_store(store)
{
}

void RestHandler::handle(HttpExchange *exchange, const RequestInfo &info)
{
    const ResourceInfo *r = m_store.schemas().resource(info.group, info.version, info.resource);
    if (!r)
        return respondError(exchange, ApiError::pathNotFound());
    if (!r->namespaced && !info.namespaceName.isEmpty() && info.resource != u"namespaces")
        return respondError(exchange, ApiError::pathNotFound());
    if (!info.subresource.isEmpty() && !r->subresources.contains(info.subresource))
        return respondError(exchange, ApiError::pathNotFound());
    const QString &verb = info.verb;
    if (r->plural == u"pods" && r->group.isEmpty() && m_nodeProxy
        && (info.subresource == u"log" || info.subresource == u"exec"
            || info.subresource == u"attach" || info.subresource == u"portforward"))
        return m_nodeProxy->handle(exchange, *r, info);
    if (verb == u"create" && (info.subresource == u"binding" || info.subresource == u"eviction"))
        return createSubresource(exchange, *r, info);
    if (!info.subresource.isEmpty() && info.subresource != u"status"
        && info.subresource != u"scale" && info.subresource != u"finalize")
        return respondError(exchange, ApiError::methodNotAllowed(verb, info.subresource));
    if (verb == u"get")
        return get(exchange, *r, info);
    if (verb == u"list")
        return list(exchange, *r, info);
    if (verb == u"watch")
        return watch(exchange, *r, info);
    if (verb == u"create" || verb == u"update" || verb == u"patch")
        return write(exchange, *r, info);
    if (verb == u"delete" || verb == u"deletecollection")
        return remove(exchange, *r, info);
    respondError(exchange, ApiError::methodNotAllowed(QString::fromLatin1(exchange->request().method),
                                                      r->kind));
}

void RestHandler::get(HttpExchange *exchange, const ResourceInfo &r, const RequestInfo &info)
{
    auto object = m_store.get(r, info.namespaceName, info.name);
    if (!object)
        return respondError(exchange, object.error());
    if (info.subresource == u"scale")
        return respondJson(exchange, 200, ResourceStore::scaleOf(r, *object));
    if (wantsTable(exchange)) {
        const TableConvertor tables;
        return respondJson(exchange, 200,
                           tables.table(r, {*object},
                                        QJsonObject{{u"resourceVersion"_s,
                                                     object->value(u"metadata").toObject().value(
                                                         u"resourceVersion")}},
                                        includeObject(exchange)));
    }
    respondJson(exchange, 200, *object);
}

void RestHandler::list(HttpExchange *exchange, const ResourceInfo &r, const RequestInfo &info)
{
    auto options = listOptions(exchange);
    if (!options)
        return respondError(exchange, options.error());
    if (options->labels.isEmpty() && options->fields.isEmpty())
        return listStored(exchange, r, info, *options);
    auto result = m_store.list(r, info.namespaceName, *options);
    if (!result)
        return respondError(exchange, result.error());
    if (wantsTable(exchange)) {
        const QJsonObject meta =
            ResourceStore::listMetadata(result->revision, result->continueToken);
        const TableConvertor tables;
        return respondJson(exchange, 200,
                           tables.table(r, result->items, meta, includeObject(exchange)));
    }
    respondJson(exchange, 200, ResourceStore::listDocument(r, *result));
}

void RestHandler::listStored(HttpExchange *exchange, const ResourceInfo &r,
                             const RequestInfo &info, const ListOptions &options)
{
    // Without selectors the stored text is the answer: a JSON list splices it, a Table parses
    // one object at a time, so neither holds every object parsed at once.
    auto result = m_store.listJson(r, info.namespaceName, options);
    if (!result)
        return respondError(exchange, result.error());
    const QJsonObject meta = ResourceStore::listMetadata(result->revision, result->continueToken);
    const HttpHeaders headers{{"Content-Type", "application/json"},
                              {"Cache-Control", "no-cache, private"}};
    if (wantsTable(exchange)) {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const TableConvertor tables(now);
        const TableRowObject include = includeObject(exchange);
        QJsonArray rows;
        for (const StoredJson &item : std::as_const(result->items))
            rows.append(m_rows.row(r, item, include, tables, now));
        QJsonObject table = tables.table(r, {}, meta, include);
        table.insert(u"rows"_s, rows);
        return exchange->respond(200, headers, QJsonDocument(table).toJson(QJsonDocument::Compact));
    }
    qsizetype size = 128;
    for (const StoredJson &item : std::as_const(result->items))
        size += item.json.size() + 1;
    QByteArray body;
    body.reserve(size);
    body += "{\"kind\":" + QJsonDocument(QJsonArray{r.kind + u"List"_s}).toJson(QJsonDocument::Compact).sliced(1).chopped(1)
            + ",\"apiVersion\":\"" + r.apiVersion().toUtf8() + "\",\"metadata\":"
            + QJsonDocument(meta).toJson(QJsonDocument::Compact) + ",\"items\":[";
    for (qsizetype i = 0; i < result->items.size(); ++i) {
        if (i > 0)
            body += ',';
        body += result->items[i].json;
    }
    body += "]}";
    exchange->respond(200, headers, body);
}

void RestHandler::watch(HttpExchange *exchange, const ResourceInfo &r, const RequestInfo &info)
{
    auto options = listOptions(exchange);
    if (!options)
        return respondError(exchange, options.error());
    for (const QString &field : options->fields.fields())
        if (!ResourceStore::supportsField(r, field))
            return respondError(exchange, ApiError::badRequest(
                                              u"field label not supported: %1"_s.arg(field)));
    WatchStream::Options o;
    o.list = *options;
    o.table = wantsTable(exchange);
    o.include = includeObject(exchange);
    o.bookmarks = queryValue(exchange, u"allowWatchBookmarks"_s) == u"true";
    o.resourceVersion = queryValue(exchange, u"resourceVersion"_s);
    const QString timeout = queryValue(exchange, u"timeoutSeconds"_s);
    if (timeout.toInt() > 0) // 0 or nothing: the server's own random 30-60 minutes
        o.timeoutSeconds = timeout.toInt();
    if (!info.name.isEmpty()) // the /watch/.../name form
        o.list.fields = *core::FieldSelector::parse(u"metadata.name="_s + info.name);
    WatchStream::start(exchange, m_store, r, info.namespaceName, o);
}

void RestHandler::createSubresource(HttpExchange *exchange, const ResourceInfo &r,
                                    const RequestInfo &info)
{
    auto options = writeOptions(exchange);
    if (!options)
        return respondError(exchange, options.error());
    auto body = decodeObject(exchange, m_store.schemas());
    if (!body)
        return respondError(exchange, body.error());
    const QPointer<HttpExchange> guard(exchange);
    createPodSubresource(m_store, r, info.namespaceName, info.name, info.subresource, *body,
                         *options, [guard](ApiResult<QJsonObject> result) {
                             if (!guard)
                                 return;
                             if (!result)
                                 return respondError(guard, result.error());
                             respondJson(guard, 201, *result);
                         });
}

void RestHandler::write(HttpExchange *exchange, const ResourceInfo &r, const RequestInfo &info)
{
    auto options = writeOptions(exchange);
    if (!options)
        return respondError(exchange, options.error());
    const QPointer<HttpExchange> guard(exchange);
    const bool scale = info.subresource == u"scale";
    auto reply = [guard, &r, scale, verb = info.verb](ApiResult<Written> written) {
        if (!guard)
            return;
        if (!written)
            return respondError(guard, written.error());
        const int status = verb == u"create" || written->created ? 201 : 200;
        QJsonObject body = written->object;
        if (scale && body.value(u"kind").toString() != u"Scale")
            body = ResourceStore::scaleOf(r, body);
        respondJson(guard, status, body, written->warnings);
    };
    const QString &subresource = info.subresource;

    if (info.verb == u"patch") {
        const QByteArray type = mediaType(exchange);
        PatchType patchType;
        if (type == "application/json-patch+json")
            patchType = PatchType::Json;
        else if (type == "application/merge-patch+json")
            patchType = PatchType::Merge;
        else if (type == "application/strategic-merge-patch+json" && !r.custom)
            patchType = PatchType::StrategicMerge;
        else if (type == "application/apply-patch+yaml")
            patchType = PatchType::Apply;
        else
            return respondError(
                exchange,
                ApiError::unsupportedMediaType(
                    u"the body of the request was in an unknown format - accepted media types "
                    "include: application/json-patch+json, application/merge-patch+json, "
                    "application/apply-patch+yaml"_s
                    + (r.custom ? QString() : u", application/strategic-merge-patch+json"_s)));
        if (patchType != PatchType::Apply && options->force)
            return respondError(exchange, ApiError::badRequest(
                                              u"force is only allowed for apply patches"_s));
        return m_store.patch(r, info.namespaceName, info.name, subresource, patchType,
                             exchange->request().body, *options, reply);
    }
    if (r.custom && mediaType(exchange) == "application/vnd.kubernetes.protobuf")
        return respondError(exchange, ApiError::unsupportedMediaType(
                                          u"the body of the request was in an unknown format - "
                                          "accepted media types include: application/json, "
                                          "application/yaml"_s));
    auto object = decodeObject(exchange, m_store.schemas());
    if (!object)
        return respondError(exchange, object.error());
    if (info.verb == u"create") {
        if (!info.name.isEmpty())
            return respondError(exchange, ApiError::methodNotAllowed(u"POST"_s, r.kind));
        return m_store.create(r, info.namespaceName, *object, *options, reply);
    }
    if (scale) {
        // PUT of a Scale: only its replicas reach the object.
        const QByteArray patch = QJsonDocument(QJsonObject{
            {u"spec"_s, QJsonObject{{u"replicas"_s,
                                     object->value(u"spec").toObject().value(u"replicas")}}}})
                                     .toJson(QJsonDocument::Compact);
        return m_store.patch(r, info.namespaceName, info.name, u"scale"_s, PatchType::Merge, patch,
                             *options, reply);
    }
    m_store.update(r, info.namespaceName, info.name, subresource, *object, *options, reply);
}

void RestHandler::remove(HttpExchange *exchange, const ResourceInfo &r, const RequestInfo &info)
{
    DeleteOptions options;
    QJsonObject body;
    if (!exchange->request().body.trimmed().isEmpty()) {
        QJsonParseError error;
        body = QJsonDocument::fromJson(exchange->request().body, &error).object();
        if (error.error != QJsonParseError::NoError)
            return respondError(exchange, ApiError::badRequest(
                                              u"json parse error: "_s + error.errorString()));
    }
    auto param = [&](const QString &key) {
        const QString q = queryValue(exchange, key);
        return q.isEmpty() ? body.value(key).toVariant().toString() : q;
    };
    if (const QString g = param(u"gracePeriodSeconds"_s); !g.isEmpty())
        options.gracePeriodSeconds = g.toLongLong();
    options.propagationPolicy = param(u"propagationPolicy"_s);
    if (param(u"orphanDependents"_s) == u"true")
        options.propagationPolicy = u"Orphan"_s;
    const QString policy = options.propagationPolicy;
    if (!policy.isEmpty() && policy != u"Orphan" && policy != u"Background" && policy != u"Foreground")
        return respondError(exchange,
                            ApiError::invalid(u"DeleteOptions"_s, {},
                                              {FieldError::notSupported(
                                                  u"propagationPolicy"_s, policy,
                                                  {u"Foreground"_s, u"Background"_s, u"Orphan"_s,
                                                   u"nil"_s})}));
    const QJsonObject preconditions = body.value(u"preconditions").toObject();
    options.preconditionUid = preconditions.value(u"uid").toString();
    options.preconditionResourceVersion = preconditions.value(u"resourceVersion").toString();
    const QJsonValue dryRun = body.value(u"dryRun");
    options.dryRun = queryValue(exchange, u"dryRun"_s) == u"All"
                     || dryRun.toArray().contains(u"All"_s);

    const QPointer<HttpExchange> guard(exchange);
    if (info.verb == u"deletecollection") {
        auto list = listOptions(exchange);
        if (!list)
            return respondError(exchange, list.error());
        return m_store.removeCollection(r, info.namespaceName, *list, options,
                                        [guard, &r](ApiResult<QJsonObject> result) {
                                            if (!guard)
                                                return;
                                            if (!result)
                                                return respondError(guard, result.error());
                                            QJsonObject l = *result;
                                            l.insert(u"kind"_s, r.kind + u"List"_s);
                                            l.insert(u"apiVersion"_s, r.apiVersion());
                                            l.insert(u"metadata"_s, QJsonObject());
                                            respondJson(guard, 200, l);
                                        });
    }
    m_store.remove(r, info.namespaceName, info.name, options, [guard](ApiResult<Written> w) {
        if (!guard)
            return;
        if (!w)
            return respondError(guard, w.error());
        respondJson(guard, 200, w->object);
    });
}

} // namespace timonel::apiserver
