#include "inprocessclient.h"

#include "podsubresources.h"
#include "resourcestore.h"

#include <QPointer>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace timonel::apiserver {

namespace {

client::Error toClientError(const ApiError &e)
{
    return {e.code, e.reason, e.message, e.toStatus()};
}

// Results reach callers from the event loop, as over HTTP: no re-entrancy surprises.
template<typename T>
void later(QObject *context, client::Callback<T> done, client::Result<T> result)
{
    QTimer::singleShot(0, context, [done = std::move(done), result = std::move(result)] {
        done(result);
    });
}


WriteOptions writeOptions(const client::WriteQuery &q)
{
    WriteOptions o;
    o.dryRun = q.dryRun;
    o.fieldManager = q.fieldManager;
    o.force = q.force;
    o.fieldValidation = FieldValidation::Strict;
    return o;
}

std::expected<ListOptions, ApiError> listOptions(const client::ListQuery &q)
{
    ListOptions o;
    auto labels = core::LabelSelector::parse(q.labelSelector);
    if (!labels)
        return std::unexpected(ApiError::badRequest(labels.error()));
    auto fields = core::FieldSelector::parse(q.fieldSelector);
    if (!fields)
        return std::unexpected(ApiError::badRequest(fields.error()));
    o.labels = *labels;
    o.fields = *fields;
    o.limit = q.limit;
    o.continueToken = q.continueToken;
    return o;
}

class InProcessWatch : public client::WatchHandle
{
public:
    using client::WatchHandle::WatchHandle;
    std::unique_ptr<Watch> watch;
};

} // namespace

InProcessClient::InProcessClient(ResourceStore &store, QObject *parent)
    : client::ApiClient(parent), m_store(store)
{
}

const core::ResourceInfo *InProcessClient::resolve(const client::Resource &r,
                                                  const client::Callback<QJsonObject> &done)
{
    const core::ResourceInfo *info = m_store.schemas().resource(r.group, r.version, r.resource);
    if (!info)
        later<QJsonObject>(this, done, std::unexpected(toClientError(ApiError::pathNotFound())));
    return info;
}

void InProcessClient::get(const client::Resource &r, const QString &ns, const QString &name,
                          client::Callback<QJsonObject> done)
{
    const core::ResourceInfo *info = resolve(r, done);
    if (!info)
        return;
    auto object = m_store.get(*info, ns, name);
    later<QJsonObject>(this, done,
                       object ? client::Result<QJsonObject>(*object)
                              : std::unexpected(toClientError(object.error())));
}

void InProcessClient::list(const client::Resource &r, const QString &ns,
                           const client::ListQuery &query, client::Callback<QJsonObject> done)
{
    const core::ResourceInfo *info = resolve(r, done);
    if (!info)
        return;
    auto options = listOptions(query);
    if (!options)
        return later<QJsonObject>(this, done, std::unexpected(toClientError(options.error())));
    auto result = m_store.list(*info, ns, *options);
    if (!result)
        return later<QJsonObject>(this, done, std::unexpected(toClientError(result.error())));
    later<QJsonObject>(this, done, ResourceStore::listDocument(*info, *result));
}

namespace {

WriteCallback toWritten(QObject *context, client::Callback<QJsonObject> done)
{
    return [guard = QPointer<QObject>(context), done = std::move(done)](ApiResult<Written> w) {
        if (!guard)
            return;
        later<QJsonObject>(guard, done,
                           w ? client::Result<QJsonObject>(w->object)
                             : std::unexpected(toClientError(w.error())));
    };
}

} // namespace

void InProcessClient::create(const client::Resource &r, const QString &ns,
                             const QJsonObject &object, const client::WriteQuery &query,
                             client::Callback<QJsonObject> done)
{
    const core::ResourceInfo *info = resolve(r, done);
    if (!info)
        return;
    m_store.create(*info, ns, object, writeOptions(query), toWritten(this, std::move(done)));
}

void InProcessClient::createSubresource(const client::Resource &r, const QString &ns,
                                        const QString &name, const QString &subresource,
                                        const QJsonObject &object,
                                        const client::WriteQuery &query,
                                        client::Callback<QJsonObject> done)
{
    const core::ResourceInfo *info = resolve(r, done);
    if (!info)
        return;
    createPodSubresource(m_store, *info, ns, name, subresource, object, writeOptions(query),
                         [guard = QPointer<QObject>(this), done](ApiResult<QJsonObject> result) {
                             if (!guard)
                                 return;
                             later<QJsonObject>(guard, done,
                                                result ? client::Result<QJsonObject>(*result)
                                                       : std::unexpected(
                                                             toClientError(result.error())));
                         });
}

void InProcessClient::update(const client::Resource &r, const QString &ns,
                             const QJsonObject &object, const QString &subresource,
                             const client::WriteQuery &query, client::Callback<QJsonObject> done)
{
    const core::ResourceInfo *info = resolve(r, done);
    if (!info)
        return;
    const QString name = object.value(u"metadata").toObject().value(u"name").toString();
    m_store.update(*info, ns, name, subresource, object, writeOptions(query),
                   toWritten(this, std::move(done)));
}

void InProcessClient::patch(const client::Resource &r, const QString &ns, const QString &name,
                            client::PatchType type, const QByteArray &body,
                            const QString &subresource, const client::WriteQuery &query,
                            client::Callback<QJsonObject> done)
{
    const core::ResourceInfo *info = resolve(r, done);
    if (!info)
        return;
    const PatchType t = type == client::PatchType::Json             ? PatchType::Json
                        : type == client::PatchType::Merge          ? PatchType::Merge
                        : type == client::PatchType::StrategicMerge ? PatchType::StrategicMerge
                                                                    : PatchType::Apply;
    m_store.patch(*info, ns, name, subresource, t, body, writeOptions(query),
                  toWritten(this, std::move(done)));
}

void InProcessClient::remove(const client::Resource &r, const QString &ns, const QString &name,
                             const client::DeleteQuery &query, client::Callback<QJsonObject> done)
{
    const core::ResourceInfo *info = resolve(r, done);
    if (!info)
        return;
    DeleteOptions o;
    o.gracePeriodSeconds = query.gracePeriodSeconds;
    o.propagationPolicy = query.propagationPolicy;
    o.preconditionUid = query.preconditionUid;
    o.dryRun = query.dryRun;
    m_store.remove(*info, ns, name, o, toWritten(this, std::move(done)));
}

std::unique_ptr<client::WatchHandle> InProcessClient::watch(const client::Resource &r,
                                                            const QString &ns,
                                                            const client::ListQuery &query)
{
    auto handle = std::make_unique<InProcessWatch>();
    InProcessWatch *h = handle.get();
    const core::ResourceInfo *info = m_store.schemas().resource(r.group, r.version, r.resource);
    auto options = listOptions(query);
    auto fail = [h](const ApiError &e) {
        QTimer::singleShot(0, h, [h, e] {
            Q_EMIT h->event({u"ERROR"_s, e.toStatus()});
            Q_EMIT h->finished(toClientError(e));
        });
    };
    if (!info) {
        fail(ApiError::pathNotFound());
        return handle;
    }
    if (!options) {
        fail(options.error());
        return handle;
    }
    auto start = m_store.watch(*info, ns, *options, query.resourceVersion);
    if (!start) {
        fail(start.error());
        return handle;
    }
    h->watch = std::move(start->watch);
    QTimer::singleShot(0, h, [h, initial = std::move(start->initial)] {
        for (const QJsonObject &o : initial)
            Q_EMIT h->event({u"ADDED"_s, o});
    });
    ResourceStore *store = &m_store;
    const ListOptions filter = *options;
    connect(h->watch.get(), &Watch::events, h, [h, store, info, filter](const QList<WatchEvent> &events) {
        for (const WatchEvent &e : events) {
            const QString type = store->eventTypeFor(*info, e, filter);
            if (!type.isEmpty())
                Q_EMIT h->event({type, e.object});
        }
    });
    return handle;
}

void InProcessClient::resources(client::Callback<QList<client::ServedResource>> done)
{
    QList<client::ServedResource> out;
    for (const core::ResourceInfo *r : m_store.schemas().resources())
        out.append({{r->group, r->version, r->plural}, r->kind, r->namespaced, r->verbs});
    later<QList<client::ServedResource>>(this, std::move(done), out);
}

} // namespace timonel::apiserver
