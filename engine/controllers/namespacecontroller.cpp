#include "namespacecontroller.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcNamespaces, "timonel.controllers.namespace", QtInfoMsg)

namespace timonel::controllers {

namespace {

const client::Resource namespaces{u""_s, u"v1"_s, u"namespaces"_s};
const client::WriteQuery asController{u"namespace-controller"_s, false, false};

// How soon a namespace whose content is still going away (finalizers, graceful pods) is
// looked at again.
constexpr int retryMs = 1000;

} // namespace

NamespaceController::NamespaceController(client::ApiClient &api, QObject *parent)
    : QObject(parent), m_api(api), m_retry(new QTimer(this))
{
    m_retry->setInterval(retryMs);
    connect(m_retry, &QTimer::timeout, this, [this] {
        for (const QString &ns : std::as_const(m_terminating))
            reconcile(ns);
        if (m_terminating.isEmpty())
            m_retry->stop();
    });
}

NamespaceController::~NamespaceController() = default;

void NamespaceController::start()
{
    watchNamespaces();
}

void NamespaceController::stop()
{
    m_watch.reset();
    m_retry->stop();
}

void NamespaceController::watchNamespaces()
{
    // An unset resourceVersion replays every namespace as ADDED: a restart resumes the work.
    m_watch = m_api.watch(namespaces, {}, {});
    connect(m_watch.get(), &client::WatchHandle::event, this, &NamespaceController::onEvent);
    connect(m_watch.get(), &client::WatchHandle::finished, this, [this] {
        QTimer::singleShot(retryMs, this, &NamespaceController::watchNamespaces);
    });
}

void NamespaceController::onEvent(const client::WatchEvent &event)
{
    const QJsonObject meta = event.object.value(u"metadata").toObject();
    const QString name = meta.value(u"name").toString();
    if (event.type == u"DELETED") {
        m_terminating.remove(name);
        return;
    }
    if ((event.type == u"ADDED" || event.type == u"MODIFIED")
        && !meta.value(u"deletionTimestamp").isUndefined()) {
        m_terminating.insert(name);
        reconcile(name);
    }
}

void NamespaceController::reconcile(const QString &ns)
{
    if (m_busy.contains(ns))
        return;
    m_busy.insert(ns);
    if (!m_retry->isActive())
        m_retry->start();
    m_api.resources([this, ns](client::Result<QList<client::ServedResource>> resources) {
        if (!resources) {
            m_busy.remove(ns);
            return;
        }
        deleteContent(ns, *resources);
    });
}

void NamespaceController::deleteContent(const QString &ns,
                                        const QList<client::ServedResource> &resources)
{
    // Count what is left across every namespaced resource; delete each object found. When a
    // pass finds nothing, the namespace is empty and can go.
    struct Pass
    {
        int pending = 0;
        int found = 0;
    };
    auto pass = std::make_shared<Pass>();
    auto done = [this, ns, pass] {
        if (--pass->pending > 0)
            return;
        m_busy.remove(ns);
        if (pass->found == 0)
            finalize(ns);
    };
    ++pass->pending; // held until every list is issued
    for (const client::ServedResource &r : resources) {
        if (!r.namespaced || !r.verbs.contains(u"list"_s) || !r.verbs.contains(u"delete"_s))
            continue;
        ++pass->pending;
        m_api.list(r.resource, ns, {}, [this, r, ns, pass, done](client::Result<QJsonObject> list) {
            const QJsonArray items = list ? list->value(u"items").toArray() : QJsonArray();
            pass->found += int(items.size());
            for (const QJsonValue &item : items) {
                const QJsonObject meta = item.toObject().value(u"metadata").toObject();
                if (!meta.value(u"deletionTimestamp").isUndefined())
                    continue; // already going
                client::DeleteQuery query;
                query.propagationPolicy = u"Background"_s;
                m_api.remove(r.resource, ns, meta.value(u"name").toString(), query,
                             [](client::Result<QJsonObject>) {});
            }
            done();
        });
    }
    done();
}

void NamespaceController::finalize(const QString &ns)
{
    m_api.get(namespaces, {}, ns, [this, ns](client::Result<QJsonObject> object) {
        if (!object)
            return;
        QJsonObject n = *object;
        QJsonObject spec = n.value(u"spec").toObject();
        QJsonArray finalizers = spec.value(u"finalizers").toArray();
        for (qsizetype i = finalizers.size() - 1; i >= 0; --i)
            if (finalizers[i].toString() == u"kubernetes")
                finalizers.removeAt(i);
        spec.insert(u"finalizers"_s, finalizers);
        n.insert(u"spec"_s, spec);
        m_api.update(namespaces, {}, n, u"finalize"_s, asController,
                     [ns](client::Result<QJsonObject> r) {
                         if (!r && !r.error().isNotFound())
                             qCWarning(lcNamespaces).noquote()
                                 << "cannot finalize namespace" << ns << r.error().message;
                     });
    });
}

} // namespace timonel::controllers
