// The garbage collector: deletes objects whose owners are gone (ownerReferences), and carries out
// the foreground and orphan deletion policies (the foregroundDeletion and orphan finalizers),
// as Kubernetes' garbage collector does. It keeps a graph of every object it can list and
// watch, from informers, and re-examines objects from that graph through a work queue.
#pragma once

#include "client/apiclient.h"
#include "client/informer.h"

#include <QHash>
#include <QMultiHash>
#include <QObject>
#include <QSet>

#include <memory>
#include <vector>

namespace timonel::controllers {

class GarbageCollector : public QObject
{
    Q_OBJECT
public:
    explicit GarbageCollector(client::ApiClient &api, QObject *parent = nullptr);
    ~GarbageCollector() override;

    void start();
    void stop();

private:
    struct Owner
    {
        QString uid;
        QString apiVersion;
        QString kind;
        QString name;
    };
    struct Node
    {
        client::Resource resource;
        QString ns;
        QString name;
        QList<Owner> owners;
        QStringList finalizers;
        bool deleting = false;
    };

    void watch(const QList<client::ServedResource> &resources);
    void upsert(const client::Resource &r, const QJsonObject &object);
    void forget(const QJsonObject &object);
    void enqueue(const QString &uid);
    void processQueue();
    void process(const QString &uid);
    void collectOrphan(const QString &uid, const Node &node);
    void removeFinalizer(const Node &node, const QString &finalizer);
    bool allSynced() const;
    const client::ServedResource *resourceForKind(const QString &apiVersion,
                                                  const QString &kind) const;

    client::ApiClient &m_api;
    QList<client::ServedResource> m_served;
    std::vector<std::unique_ptr<client::Informer>> m_informers;
    QHash<QString, Node> m_nodes;                 // by uid
    QMultiHash<QString, QString> m_dependents;    // owner uid -> dependent uid
    QSet<QString> m_queue;
    QSet<QString> m_inFlight; // a delete or patch for this uid is under way
    bool m_processScheduled = false;
};

} // namespace timonel::controllers
