// The generic registry behind every resource: create, read, update, patch, delete and watch of
// objects, with the defaulting, validation, admission and bookkeeping (uid, generation,
// managedFields, finalizers, deletionTimestamp) Kubernetes applies. The HTTP handlers and the
// in-process client of the controllers both come through here, so both get the same checks.
#pragma once

#include "apierror.h"
#include "storage/storage.h"

#include "core/fieldselector.h"
#include "core/labelselector.h"
#include "core/schema.h"

#include <QJsonObject>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

namespace timonel::apiserver {

enum class FieldValidation { Ignore, Warn, Strict };

struct WriteOptions
{
    bool dryRun = false;
    QString fieldManager;
    FieldValidation fieldValidation = FieldValidation::Warn;
    bool force = false; // server-side apply: take over conflicting fields
};

struct ListOptions
{
    core::LabelSelector labels = core::LabelSelector::everything();
    core::FieldSelector fields;
    int limit = 0;
    QString continueToken;
};

struct DeleteOptions
{
    std::optional<qint64> gracePeriodSeconds;
    QString propagationPolicy; // Orphan, Background, Foreground; "" = the kind's default
    QString preconditionUid;
    QString preconditionResourceVersion;
    bool dryRun = false;
};

enum class PatchType { Json, Merge, StrategicMerge, Apply };

struct Written
{
    QJsonObject object;
    QStringList warnings;
    bool created = false; // create, or an apply/update that created the object
    bool deleted = false; // delete: the object is gone (not only marked for deletion)
};

struct ListResult
{
    QList<QJsonObject> items;
    qint64 revision = 0;
    QString continueToken;
    qint64 remainingItemCount = -1; // -1: unknown/not sent
};

// A list kept as the stored JSON text: for lists without selectors, answered without parsing
// every object.
struct JsonListResult
{
    QList<StoredJson> items;
    qint64 revision = 0;
    QString continueToken;
};

using WriteCallback = std::function<void(ApiResult<Written>)>;

struct ClusterNetwork
{
    QString serviceSubnet = QStringLiteral("10.96.0.0/16");
    int nodePortFirst = 30000;
    int nodePortLast = 32767;
};

class ServiceAllocator;

class ResourceStore : public QObject
{
    Q_OBJECT
public:
    ResourceStore(Storage &storage, core::SchemaRegistry &schemas, ClusterNetwork network,
                  QObject *parent = nullptr);
    ~ResourceStore() override;

    Storage &storage() { return m_storage; }
    core::SchemaRegistry &schemas() { return m_schemas; }

    static QString keyFor(const core::ResourceInfo &r, const QString &ns, const QString &name);
    static QString prefixFor(const core::ResourceInfo &r, const QString &ns);

    ApiResult<QJsonObject> get(const core::ResourceInfo &r, const QString &ns,
                               const QString &name) const;
    ApiResult<ListResult> list(const core::ResourceInfo &r, const QString &ns,
                               const ListOptions &options) const;
    // The same without selectors, as stored text (options.labels and fields must be empty).
    ApiResult<JsonListResult> listJson(const core::ResourceInfo &r, const QString &ns,
                                       const ListOptions &options) const;
    // The value of a field selector's field for an object of this resource; nullopt when the
    // resource does not support selecting by it.
    static bool supportsField(const core::ResourceInfo &r, QStringView field);
    bool matches(const core::ResourceInfo &r, const QJsonObject &object,
                 const ListOptions &options) const;

    void create(const core::ResourceInfo &r, const QString &ns, QJsonObject object,
                const WriteOptions &options, WriteCallback done);
    void update(const core::ResourceInfo &r, const QString &ns, const QString &name,
                const QString &subresource, QJsonObject object, const WriteOptions &options,
                WriteCallback done);
    void patch(const core::ResourceInfo &r, const QString &ns, const QString &name,
               const QString &subresource, PatchType type, const QByteArray &body,
               const WriteOptions &options, WriteCallback done);
    void remove(const core::ResourceInfo &r, const QString &ns, const QString &name,
                const DeleteOptions &options, WriteCallback done);
    void removeCollection(const core::ResourceInfo &r, const QString &ns,
                          const ListOptions &list, const DeleteOptions &options,
                          std::function<void(ApiResult<QJsonObject>)> done);

    // A watch as Kubernetes starts one: an unset or "0" resourceVersion first replays the
    // objects that match as they are now (to be sent as ADDED), any other watches the changes
    // after it. Filtering the changes is the caller's (eventTypeFor), as events must also tell
    // when an object stops matching.
    struct WatchStart
    {
        QList<QJsonObject> initial;
        qint64 fromRevision = 0;
        std::unique_ptr<Watch> watch;
    };
    ApiResult<WatchStart> watch(const core::ResourceInfo &r, const QString &ns,
                                const ListOptions &options, const QString &resourceVersion);

    // A list as the API answers it: {kind: <Kind>List, apiVersion, metadata, items}.
    static QJsonObject listMetadata(qint64 revision, const QString &continueToken);
    static QJsonObject listDocument(const core::ResourceInfo &r, const ListResult &result);

    // How a storage event looks to a watcher with these selectors: ADDED, MODIFIED, DELETED
    // (also when an object stops matching), or empty when the watcher does not see it.
    QString eventTypeFor(const core::ResourceInfo &r, const WatchEvent &event,
                         const ListOptions &options) const;

    // The autoscaling/v1 Scale view of a resource with a scale subresource.
    static QJsonObject scaleOf(const core::ResourceInfo &r, const QJsonObject &object);

Q_SIGNALS:
    // A CustomResourceDefinition was written or removed.
    void customResourceDefinitionWritten(const QJsonObject &crd, bool deleted);

private:
    struct Prepared;
    ApiResult<QJsonObject> decodeCheck(const core::ResourceInfo &r, QJsonObject &object,
                                       const WriteOptions &options, QStringList &warnings) const;
    void finishCreate(const core::ResourceInfo &r, const QString &ns, QJsonObject object,
                      const WriteOptions &options, QStringList warnings, WriteCallback done);
    void finishUpdate(const core::ResourceInfo &r, const QString &ns, const QString &name,
                      const QString &subresource, const QJsonObject &old, QJsonObject object,
                      const WriteOptions &options, QStringList warnings, WriteCallback done);
    void destroy(const core::ResourceInfo &r, const QString &key, const QJsonObject &object,
                 bool dryRun, WriteCallback done);
    // The admission chain after validation, in kube-apiserver's order: the registry's service
    // allocations, DefaultStorageClass, LimitRanger (defaults, then limits), ResourceQuota (which
    // charges the namespace's quotas unless it is a dry run). Invalid or Forbidden on refusal.
    std::optional<ApiError> admit(const core::ResourceInfo &r, QJsonObject &object,
                                  const QJsonObject *old, const QString &subresource,
                                  bool dryRun);
    void afterWrite(const core::ResourceInfo &r, const QJsonObject &object, bool deleted);
    ApiError storageError(const core::ResourceInfo &r, const QString &name,
                          const StorageError &e) const;

    Storage &m_storage;
    core::SchemaRegistry &m_schemas;
    ClusterNetwork m_network;
    std::unique_ptr<ServiceAllocator> m_allocator;
};

} // namespace timonel::apiserver
