// A cluster inside the test process for controller tests: the real API server (plain HTTP on
// loopback, storage in a temporary directory) with an in-process client, blocking helpers to
// read and write objects while the event loop keeps the controllers running, and a fake node
// agent that plays the kubelet: it binds pods to its node, reports them Running and Ready, and
// finishes their deletion as a kubelet does once their containers are stopped.
#pragma once

#include "apiserver/apiserver.h"
#include "apiserver/inprocessclient.h"
#include "apiservertesting.h"
#include "client/informer.h"
#include "controllers/garbagecollector.h"

#include <QDateTime>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QSet>
#include <QTemporaryDir>
#include <QTimer>

#include <expected>
#include <functional>
#include <memory>
#include <optional>

namespace timonel::test {

namespace resources {
inline const client::Resource namespaces{QString(), QStringLiteral("v1"),
                                         QStringLiteral("namespaces")};
inline const client::Resource pods{QString(), QStringLiteral("v1"), QStringLiteral("pods")};
inline const client::Resource events{QString(), QStringLiteral("v1"), QStringLiteral("events")};
inline const client::Resource replicaSets{QStringLiteral("apps"), QStringLiteral("v1"),
                                          QStringLiteral("replicasets")};
inline const client::Resource deployments{QStringLiteral("apps"), QStringLiteral("v1"),
                                          QStringLiteral("deployments")};
inline const client::Resource statefulSets{QStringLiteral("apps"), QStringLiteral("v1"),
                                           QStringLiteral("statefulsets")};
inline const client::Resource daemonSets{QStringLiteral("apps"), QStringLiteral("v1"),
                                         QStringLiteral("daemonsets")};
inline const client::Resource jobs{QStringLiteral("batch"), QStringLiteral("v1"),
                                   QStringLiteral("jobs")};
inline const client::Resource cronJobs{QStringLiteral("batch"), QStringLiteral("v1"),
                                       QStringLiteral("cronjobs")};
} // namespace resources

inline QJsonObject metaOf(const QJsonObject &o)
{
    return o.value(QLatin1String("metadata")).toObject();
}
inline QString nameOf(const QJsonObject &o)
{
    return metaOf(o).value(QLatin1String("name")).toString();
}
inline QString nsOf(const QJsonObject &o)
{
    return metaOf(o).value(QLatin1String("namespace")).toString();
}
inline QString uidOf(const QJsonObject &o)
{
    return metaOf(o).value(QLatin1String("uid")).toString();
}
inline QJsonObject labelsOf(const QJsonObject &o)
{
    return metaOf(o).value(QLatin1String("labels")).toObject();
}
inline QString annotationOf(const QJsonObject &o, const QString &key)
{
    return metaOf(o).value(QLatin1String("annotations")).toObject().value(key).toString();
}
inline QJsonObject specOf(const QJsonObject &o)
{
    return o.value(QLatin1String("spec")).toObject();
}
inline QJsonObject statusOf(const QJsonObject &o)
{
    return o.value(QLatin1String("status")).toObject();
}
inline bool isTerminating(const QJsonObject &o)
{
    return metaOf(o).contains(QLatin1String("deletionTimestamp"));
}
inline bool isReady(const QJsonObject &pod)
{
    for (const QJsonValue &c : statusOf(pod).value(QLatin1String("conditions")).toArray())
        if (c.toObject().value(QLatin1String("type")).toString() == QLatin1String("Ready"))
            return c.toObject().value(QLatin1String("status")).toString() == QLatin1String("True");
    return false;
}
// The condition of that type in an object's status, or {}.
inline QJsonObject conditionOf(const QJsonObject &o, const QString &type)
{
    for (const QJsonValue &c : statusOf(o).value(QLatin1String("conditions")).toArray())
        if (c.toObject().value(QLatin1String("type")).toString() == type)
            return c.toObject();
    return {};
}

class TestCluster
{
public:
    ~TestCluster()
    {
        m_collector.reset();
        m_client.reset();
        m_server.reset();
    }

    std::expected<void, QString> start()
    {
        if (!m_dir.isValid())
            return std::unexpected(QStringLiteral("no temporary directory"));
        auto started = startTestApiServer(m_dir.path());
        if (!started)
            return std::unexpected(started.error());
        m_server = std::move(*started);
        m_client = std::make_unique<apiserver::InProcessClient>(m_server->store());
        // The server creates its default namespace as it starts.
        for (int i = 0; i < 100 && !get(resources::namespaces, {}, QStringLiteral("default"));
             ++i) {
            QEventLoop loop;
            QTimer::singleShot(50, &loop, &QEventLoop::quit);
            loop.exec();
        }
        return {};
    }

    // The real garbage collector, for tests that rely on cascading deletion.
    void startGarbageCollector()
    {
        m_collector = std::make_unique<controllers::GarbageCollector>(*m_client);
        m_collector->start();
    }

    client::ApiClient &api() { return *m_client; }
    quint16 port() const { return m_server->port(); }

    client::Result<QJsonObject> createNamespace(const QString &name)
    {
        return create(
            resources::namespaces,
            QJsonObject{{QStringLiteral("apiVersion"), QStringLiteral("v1")},
                        {QStringLiteral("kind"), QStringLiteral("Namespace")},
                        {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("name"), name}}}});
    }
    // In the namespace its metadata names.
    client::Result<QJsonObject> create(const client::Resource &r, const QJsonObject &object)
    {
        return await<QJsonObject>(
            [&](auto done) { m_client->create(r, nsOf(object), object, {}, done); });
    }
    client::Result<QJsonObject> get(const client::Resource &r, const QString &ns,
                                    const QString &name)
    {
        return await<QJsonObject>([&](auto done) { m_client->get(r, ns, name, done); });
    }
    QList<QJsonObject> list(const client::Resource &r, const QString &ns,
                            const QString &labelSelector = {})
    {
        client::ListQuery query;
        query.labelSelector = labelSelector;
        const auto l = await<QJsonObject>([&](auto done) { m_client->list(r, ns, query, done); });
        QList<QJsonObject> items;
        if (l)
            for (const QJsonValue &v : l->value(QLatin1String("items")).toArray())
                items.append(v.toObject());
        return items;
    }
    client::Result<QJsonObject> mergePatch(const client::Resource &r, const QString &ns,
                                           const QString &name, const QJsonObject &patch,
                                           const QString &subresource = {})
    {
        return await<QJsonObject>([&](auto done) {
            m_client->patch(r, ns, name, client::PatchType::Merge,
                            QJsonDocument(patch).toJson(QJsonDocument::Compact), subresource, {},
                            done);
        });
    }
    client::Result<QJsonObject> jsonPatch(const client::Resource &r, const QString &ns,
                                          const QString &name, const QJsonArray &operations)
    {
        return await<QJsonObject>([&](auto done) {
            m_client->patch(r, ns, name, client::PatchType::Json,
                            QJsonDocument(operations).toJson(QJsonDocument::Compact), {}, {}, done);
        });
    }
    client::Result<QJsonObject> remove(const client::Resource &r, const QString &ns,
                                       const QString &name, const client::DeleteQuery &query = {})
    {
        return await<QJsonObject>([&](auto done) { m_client->remove(r, ns, name, query, done); });
    }
    // The messages of the Events about an object, optionally of one reason.
    QStringList eventMessages(const QString &ns, const QString &involvedName,
                              const QString &reason = {})
    {
        QStringList messages;
        for (const QJsonObject &e : list(resources::events, ns)) {
            const QJsonObject involved = e.value(QLatin1String("involvedObject")).toObject();
            if (involved.value(QLatin1String("name")).toString() == involvedName &&
                (reason.isEmpty() || e.value(QLatin1String("reason")).toString() == reason))
                messages.append(e.value(QLatin1String("message")).toString());
        }
        return messages;
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<apiserver::ApiServer> m_server;
    std::unique_ptr<apiserver::InProcessClient> m_client;
    std::unique_ptr<controllers::GarbageCollector> m_collector;
};

// Plays the node agent of one node for every pod: binds unscheduled pods to it (standing in for
// the scheduler), reports bound Pending pods Running with containers started, Ready when
// `readyWhen` says so (set it to hold pods back), and deletes pods marked for deletion with
// grace 0, as a kubelet does once their containers are stopped.
class FakeKubelet
{
public:
    explicit FakeKubelet(client::ApiClient &api, QString node = QStringLiteral("node-1"))
        : m_api(api), m_node(std::move(node)), m_informer(api, resources::pods)
    {
        auto look = [this](const QJsonObject &pod) { handle(pod); };
        QObject::connect(&m_informer, &client::Informer::added, &m_context, look);
        QObject::connect(&m_informer, &client::Informer::updated, &m_context,
                         [look](const QJsonObject &, const QJsonObject &pod) { look(pod); });
        QObject::connect(&m_informer, &client::Informer::deleted, &m_context,
                         [this](const QJsonObject &pod) { m_busy.remove(uidOf(pod)); });
    }

    std::function<bool(const QJsonObject &pod)> readyWhen = [](const QJsonObject &) {
        return true;
    };
    bool finishDeletions = true;

    void start() { m_informer.start(); }
    // Deletions held with finishDeletions = false are carried out now, and from now on.
    void finishPendingDeletions()
    {
        finishDeletions = true;
        for (const QJsonObject &pod : m_informer.list())
            handle(pod);
    }
    client::Informer &informer() { return m_informer; }
    QList<QJsonObject> pods(const QString &ns) const
    {
        QList<QJsonObject> found;
        for (const QJsonObject &pod : m_informer.list())
            if (nsOf(pod) == ns)
                found.append(pod);
        return found;
    }

    // Reports a pod Running, ready or not, now (the readiness probe changed its mind).
    void setReady(const QJsonObject &pod, bool ready)
    {
        report(pod, QStringLiteral("Running"), ready);
    }
    // Succeeded or Failed: every container ended.
    void setPhase(const QJsonObject &pod, const QString &phase) { report(pod, phase, false); }

private:
    void handle(const QJsonObject &pod)
    {
        const QString uid = uidOf(pod);
        if (m_busy.contains(uid))
            return;
        if (isTerminating(pod)) {
            if (!finishDeletions)
                return;
            m_busy.insert(uid);
            client::DeleteQuery query;
            query.gracePeriodSeconds = 0;
            query.preconditionUid = uid;
            m_api.remove(resources::pods, nsOf(pod), nameOf(pod), query, answered(pod));
            return;
        }
        if (specOf(pod).value(QLatin1String("nodeName")).toString().isEmpty()) {
            m_busy.insert(uid);
            const QJsonObject binding{
                {QStringLiteral("apiVersion"), QStringLiteral("v1")},
                {QStringLiteral("kind"), QStringLiteral("Binding")},
                {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("name"), nameOf(pod)}}},
                {QStringLiteral("target"),
                 QJsonObject{{QStringLiteral("apiVersion"), QStringLiteral("v1")},
                             {QStringLiteral("kind"), QStringLiteral("Node")},
                             {QStringLiteral("name"), m_node}}}};
            m_api.createSubresource(resources::pods, nsOf(pod), nameOf(pod),
                                    QStringLiteral("binding"), binding, {}, answered(pod));
            return;
        }
        const QString phase = statusOf(pod).value(QLatin1String("phase")).toString();
        if ((phase.isEmpty() || phase == QLatin1String("Pending")) && !m_started.contains(uid)) {
            m_started.insert(uid);
            report(pod, QStringLiteral("Running"), readyWhen(pod));
        }
    }

    // Ends a request about a pod, then looks at the pod again: what changed meanwhile was
    // ignored while the request was under way.
    client::Callback<QJsonObject> answered(const QJsonObject &pod)
    {
        return [guard = QPointer<QObject>(&m_context), this, uid = uidOf(pod), ns = nsOf(pod),
                name = nameOf(pod)](client::Result<QJsonObject>) {
            if (!guard)
                return;
            m_busy.remove(uid);
            if (const QJsonObject now = m_informer.get(ns, name); uidOf(now) == uid)
                handle(now);
        };
    }

    void report(const QJsonObject &pod, const QString &phase, bool ready)
    {
        const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
        auto condition = [&](const char *type, bool status) {
            return QJsonObject{{QStringLiteral("type"), QLatin1String(type)},
                               {QStringLiteral("status"),
                                status ? QStringLiteral("True") : QStringLiteral("False")},
                               {QStringLiteral("lastTransitionTime"), now}};
        };
        const bool running = phase == QLatin1String("Running");
        const QJsonObject state =
            running
                ? QJsonObject{{QStringLiteral("running"),
                               QJsonObject{{QStringLiteral("startedAt"), now}}}}
                : QJsonObject{
                      {QStringLiteral("terminated"),
                       QJsonObject{{QStringLiteral("exitCode"),
                                    phase == QLatin1String("Succeeded") ? 0 : 1},
                                   {QStringLiteral("reason"), phase == QLatin1String("Succeeded")
                                                                  ? QStringLiteral("Completed")
                                                                  : QStringLiteral("Error")},
                                   {QStringLiteral("finishedAt"), now}}}};
        QJsonArray containers;
        for (const QJsonValue &c : specOf(pod).value(QLatin1String("containers")).toArray())
            containers.append(
                QJsonObject{{QStringLiteral("name"), c.toObject().value(QLatin1String("name"))},
                            {QStringLiteral("image"), c.toObject().value(QLatin1String("image"))},
                            {QStringLiteral("ready"), ready},
                            {QStringLiteral("started"), running},
                            {QStringLiteral("restartCount"), 0},
                            {QStringLiteral("state"), state}});
        const QJsonObject status{
            {QStringLiteral("phase"), phase},
            {QStringLiteral("startTime"), now},
            {QStringLiteral("hostIP"), QStringLiteral("10.0.0.2")},
            {QStringLiteral("conditions"),
             QJsonArray{condition("PodScheduled", true), condition("Initialized", true),
                        condition("ContainersReady", ready), condition("Ready", ready)}},
            {QStringLiteral("containerStatuses"), containers}};
        m_busy.insert(uidOf(pod));
        m_api.patch(resources::pods, nsOf(pod), nameOf(pod), client::PatchType::Merge,
                    QJsonDocument(QJsonObject{{QStringLiteral("status"), status}})
                        .toJson(QJsonDocument::Compact),
                    QStringLiteral("status"), {}, answered(pod));
    }

    client::ApiClient &m_api;
    QString m_node;
    client::Informer m_informer;
    QObject m_context;       // disconnects the handlers when the kubelet goes
    QSet<QString> m_busy;    // pods with a request under way
    QSet<QString> m_started; // pods reported Running once already
};

} // namespace timonel::test
