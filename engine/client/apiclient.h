// The Kubernetes API as the engine's components use it: one interface, two transports. Remote
// users (the GUI, the CLI, node agents, GitOps) talk HTTPS with a kubeconfig (HttpsClient);
// the controllers and scheduler inside the control-plane process use the in-process transport
// the API server provides, which skips HTTP but not admission or validation.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>

#include <expected>
#include <functional>
#include <memory>
#include <optional>

namespace timonel::client {

// A resource as the API names it: group ("" for core), version, plural resource name.
struct Resource
{
    QString group;
    QString version;
    QString resource;

    QString apiVersion() const { return group.isEmpty() ? version : group + u'/' + version; }
    friend bool operator==(const Resource &, const Resource &) = default;
};

// A failed call: the HTTP code and the Status reason/message the server sent (code 0 when the
// server could not be reached at all).
struct Error
{
    int code = 0;
    QString reason;
    QString message;
    QJsonObject status;

    bool isNotFound() const { return code == 404; }
    bool isConflict() const { return code == 409; }
    bool isGone() const { return code == 410; }
};

template<typename T>
using Result = std::expected<T, Error>;
template<typename T>
using Callback = std::function<void(Result<T>)>;

struct ListQuery
{
    QString labelSelector;
    QString fieldSelector;
    int limit = 0;
    QString continueToken;
    QString resourceVersion;
    int timeoutSeconds = 0; // watch: the server ends it after this long (0: the server's default)
};

struct WriteQuery
{
    QString fieldManager;
    bool dryRun = false;
    bool force = false; // server-side apply
};

struct DeleteQuery
{
    std::optional<qint64> gracePeriodSeconds;
    QString propagationPolicy; // Orphan, Background, Foreground
    QString preconditionUid;
    bool dryRun = false;
};

enum class PatchType { Json, Merge, StrategicMerge, Apply };

struct WatchEvent
{
    QString type; // ADDED MODIFIED DELETED BOOKMARK ERROR
    QJsonObject object;
};

// An open watch; destroying it stops the stream. `finished` tells that the server ended it
// (timeout, error, lost connection): the watcher re-lists or re-watches as it sees fit.
class WatchHandle : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

Q_SIGNALS:
    void event(const timonel::client::WatchEvent &event);
    void finished(const std::optional<timonel::client::Error> &error);
};

// A resource the server serves, from discovery.
struct ServedResource
{
    Resource resource;
    QString kind;
    bool namespaced = true;
    QStringList verbs;
};

class ApiClient : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    // Callbacks are always called later from the event loop, never from inside the call.
    virtual void get(const Resource &r, const QString &ns, const QString &name,
                     Callback<QJsonObject> done) = 0;
    // The List object: {kind, apiVersion, metadata{resourceVersion, continue}, items}.
    virtual void list(const Resource &r, const QString &ns, const ListQuery &query,
                      Callback<QJsonObject> done) = 0;
    virtual void create(const Resource &r, const QString &ns, const QJsonObject &object,
                        const WriteQuery &query, Callback<QJsonObject> done) = 0;
    // POST to a subresource of an existing object: pods/<name>/binding, pods/<name>/eviction.
    // The reply is what the server answers (a Status for both of those).
    virtual void createSubresource(const Resource &r, const QString &ns, const QString &name,
                                   const QString &subresource, const QJsonObject &object,
                                   const WriteQuery &query, Callback<QJsonObject> done) = 0;
    // subresource: "" or "status" (or "scale").
    virtual void update(const Resource &r, const QString &ns, const QJsonObject &object,
                        const QString &subresource, const WriteQuery &query,
                        Callback<QJsonObject> done) = 0;
    virtual void patch(const Resource &r, const QString &ns, const QString &name,
                       PatchType type, const QByteArray &body, const QString &subresource,
                       const WriteQuery &query, Callback<QJsonObject> done) = 0;
    // The deleted object, or the object marked for deletion (finalizers, graceful pods).
    virtual void remove(const Resource &r, const QString &ns, const QString &name,
                        const DeleteQuery &query, Callback<QJsonObject> done) = 0;
    // Events after query.resourceVersion ("" or "0": the current objects as ADDED first).
    virtual std::unique_ptr<WatchHandle> watch(const Resource &r, const QString &ns,
                                               const ListQuery &query) = 0;

    // Every resource the server serves (not subresources).
    virtual void resources(Callback<QList<ServedResource>> done) = 0;

    // Server-side apply of an object (name and namespace from its metadata).
    void apply(const Resource &r, const QJsonObject &object, const WriteQuery &query,
               Callback<QJsonObject> done);
};

} // namespace timonel::client
