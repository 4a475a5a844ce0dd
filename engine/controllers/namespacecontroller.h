// The namespace controller: when a namespace is deleted, it deletes everything in it and then
// lifts the namespace's `kubernetes` finalizer, so the namespace is Terminating exactly as long
// as it still has content.
#pragma once

#include "client/apiclient.h"

#include <QHash>
#include <QObject>
#include <QSet>

class QTimer;

namespace timonel::controllers {

class NamespaceController : public QObject
{
    Q_OBJECT
public:
    explicit NamespaceController(client::ApiClient &api, QObject *parent = nullptr);
    ~NamespaceController() override;

    void start();
    void stop();

private:
    void watchNamespaces();
    void onEvent(const client::WatchEvent &event);
    void reconcile(const QString &ns);
    void deleteContent(const QString &ns, const QList<client::ServedResource> &resources);
    void finalize(const QString &ns);

    client::ApiClient &m_api;
    std::unique_ptr<client::WatchHandle> m_watch;
    QSet<QString> m_terminating; // namespaces being emptied
    QSet<QString> m_busy;        // a pass over the namespace is under way
    QTimer *m_retry = nullptr;
};

} // namespace timonel::controllers
