// Applies a set of objects with server-side apply, as `kubectl apply --server-side -f` does:
// kinds are mapped to resources through discovery, Namespaces and CustomResourceDefinitions go
// first, namespaced objects without a namespace get the default one, and one object's failure
// does not stop the others. What the desktop's Deploy and Dry run, its samples gallery,
// `timonel apply -f` and GitOps use; also the editor's diff against the live object.
#pragma once

#include "client/apiclient.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QStringList>

#include <chrono>
#include <functional>
#include <optional>

namespace timonel::client {

// Where an object came from, for messages and for taking the editor's cursor there. kubectl
// names only the file ("... from \"shop.yaml\": ...").
struct ApplySource
{
    QString file;      // as the user named it; "" when the objects do not come from a file
    int document = -1; // 0-based index of the YAML document in the file; -1 when unknown
    int line = 0;      // 1-based first line of that document; 0 when unknown
};

struct ApplyObject
{
    QJsonObject object;
    ApplySource source;
};

struct ApplyOptions
{
    QString fieldManager = QStringLiteral("timonel");
    bool dryRun = false; // the server's dry run (dryRun=All): nothing is stored
    bool force = false;  // take over fields other managers own (force=true)
    // For namespaced objects without one, as kubectl's -n or the context's namespace.
    QString defaultNamespace = QStringLiteral("default");
    // Set on every object's metadata.labels (over the object's own value): GitOps marks what
    // it applied with these.
    QMap<QString, QString> extraLabels;
    // How long custom resources wait for the CustomResourceDefinitions applied before them to
    // be Established; after that they are mapped with what discovery says then.
    std::chrono::milliseconds establishTimeout{30000};
};

// What applying did to one object. How Created, Configured and Unchanged are told apart: the
// object is read (GET) before it is applied; NotFound there means Created, otherwise the
// answer is compared with what was read, apart from metadata.resourceVersion and
// metadata.managedFields. One GET per object is the cheapest way that holds for any transport
// and for dry runs: the HTTP status (201/200) is not in ApiClient's answer, a dry run never
// moves the resourceVersion, and managedFields times have a resolution of one second.
// Ownership-only changes count as Unchanged: applying an object with no managed fields again
// makes the server add a "before-first-apply" entry (as kube-apiserver does), which is no
// change to what the object says.
enum class ApplyOutcome
{
    Created,
    Configured,
    Unchanged,
    Failed,
    Skipped, // not attempted: the run was cancelled first
};

// The Error::reason of a kind discovery does not know (a client-side error, code 0).
inline constexpr QLatin1StringView NoKindMatchReason{"NoKindMatch"};

struct ApplyResult
{
    int index = 0; // in the input (after `kind: List` objects were expanded into their items)
    ApplySource source;
    QString kind;
    QString ns; // "" for cluster-scoped objects
    QString name;
    QString apiVersion; // "apps/v1", as the object said
    Resource resource;  // what discovery mapped the kind to; resource.resource "" when it did not
    ApplyOutcome outcome = ApplyOutcome::Skipped;
    bool ok = false; // the outcome is Created, Configured or Unchanged
    bool dryRun = false;
    // A failure: code/reason/message/status as the API server sent them (Status.message is
    // `error.message`); code 0 for errors found before any request (unknown kind, no name).
    Error error;
    QJsonObject applied; // the object as the server returned it

    // One line as kubectl prints it: "deployment.apps/web serverside-applied" (with
    // " (server dry run)"), "Error from server (Invalid): ...", or kubectl's
    // "error: resource mapping not found for name: ..." for an unknown kind.
    QString summary() const { return summary(dryRun); }
    QString summary(bool dryRun) const;
    // "created", "configured", "unchanged", "failed", "not applied" (translated).
    QString outcomeText() const;
};

class Applier : public QObject
{
    Q_OBJECT
public:
    // `api` must outlive the applier.
    explicit Applier(ApiClient &api, ApplyOptions options = {}, QObject *parent = nullptr);

    const ApplyOptions &options() const { return m_options; }

    // Starts a run: Namespaces, then CustomResourceDefinitions, then the rest in input order;
    // `kind: List` objects stand for their items. Results come in input order. False (and
    // nothing happens) while a run is under way.
    bool apply(const QList<ApplyObject> &objects);
    bool apply(const QList<QJsonObject> &objects);
    // Stops before the next object (or the wait for CRDs); finished() still comes, with the
    // objects not attempted as Skipped.
    void cancel();
    bool isRunning() const { return m_running; }
    const QList<ApplyResult> &results() const { return m_results; }

    // Discovery to use instead of asking the server at the start of each run (a cache the
    // caller keeps per cluster). A kind it does not know still makes the run ask again once,
    // as kubectl's cached mapper does. discovery() is what the applier knows now.
    void setDiscovery(QList<ServedResource> served);
    const QList<ServedResource> &discovery() const { return m_served; }

    // One run on an applier of its own, deleted afterwards; `done` is not called when `api`
    // is destroyed first.
    static void apply(ApiClient &api, const QList<ApplyObject> &objects, ApplyOptions options,
                      std::function<void(const QList<ApplyResult> &)> done);

    // For the editor's diff against the live object. The live object (nullopt when there is
    // none); the kind is mapped as apply maps it (a NoKindMatchReason error when it cannot be).
    static void fetchLive(ApiClient &api, const QJsonObject &object,
                          Callback<std::optional<QJsonObject>> done,
                          const QString &defaultNamespace = QStringLiteral("default"));
    // The object as it would be after applying it: a server dry run with `options` (dryRun
    // forced on). The server's error when it would fail.
    static void dryRunApply(ApiClient &api, const QJsonObject &object, ApplyOptions options,
                            Callback<QJsonObject> done);

Q_SIGNALS:
    void progress(int done, int total);
    void objectApplied(const timonel::client::ApplyResult &result);
    void finished(const QList<timonel::client::ApplyResult> &results);

private:
    void discover(std::function<void()> then);
    void next();
    void applyObject(int index, const ServedResource &served);
    void objectDone(int index);
    void awaitEstablished(std::function<void()> then);
    void pollEstablished(std::function<void()> then);
    void finish();

    ApiClient &m_api;
    ApplyOptions m_options;
    QList<ApplyObject> m_objects;
    QList<int> m_order; // indexes into m_objects, in apply order
    QList<ApplyResult> m_results;
    int m_position = 0; // into m_order
    int m_done = 0;
    bool m_running = false;
    bool m_cancelled = false;

    QList<ServedResource> m_served;
    bool m_haveDiscovery = false;
    std::optional<Error> m_discoveryError;
    // Whether discovery was read after the last CRD this run wrote: if not, an unknown kind is
    // worth asking about again.
    bool m_discoveryFresh = false;
    Resource m_crdResource;
    QStringList m_unestablished; // CRDs this run wrote that were not seen Established yet
    std::chrono::steady_clock::time_point m_establishDeadline;
};

} // namespace timonel::client
