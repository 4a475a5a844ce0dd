// Applies a set of objects with server-side apply, as `kubectl apply --server-side` does: kinds
// are mapped to resources through discovery, Namespaces and CustomResourceDefinitions go first,
// namespaced objects without a namespace get the default one, and one object's failure does not
// stop the others. What the desktop's Deploy and Dry run and its samples gallery use.
#pragma once

#include "client/apiclient.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>

#include <functional>

namespace timonel::client {

struct ApplyOptions
{
    QString fieldManager = QStringLiteral("timonel");
    bool dryRun = false; // the server's dry run: nothing is stored
    bool force = false;  // take over fields other managers own
    QString defaultNamespace = QStringLiteral("default");
};

struct ApplyResult
{
    int index = 0; // in the input
    QString kind;
    QString ns;
    QString name;
    QString resource; // "deployments.apps", "" when the kind is unknown
    bool ok = false;
    QString reason;  // the server's Status reason of a failure ("Invalid", "NotFound")
    QString message; // the error as the server (or discovery) said it
    QJsonObject applied;

    // One line as kubectl prints it: "deployment.apps/web serverside-applied" (with
    // " (server dry run)"), or "Error from server (Invalid): ..." for a failure.
    QString summary(bool dryRun) const;
};

class Applier : public QObject
{
    Q_OBJECT
public:
    // `api` must outlive the applier.
    Applier(ApiClient &api, ApplyOptions options, QObject *parent = nullptr);

    // Applies the objects in the order described above; results come in input order.
    void apply(const QList<QJsonObject> &objects);
    // Stops before the next object.
    void cancel() { m_cancelled = true; }

Q_SIGNALS:
    void progress(int done, int total);
    void objectApplied(const timonel::client::ApplyResult &result);
    void finished(const QList<timonel::client::ApplyResult> &results);

private:
    void applyNext();

    ApiClient &m_api;
    ApplyOptions m_options;
    QList<QJsonObject> m_objects;
    QList<int> m_order; // indexes into m_objects, in apply order
    QList<ServedResource> m_served;
    QList<ApplyResult> m_results;
    int m_next = 0;
    bool m_cancelled = false;
};

} // namespace timonel::client
