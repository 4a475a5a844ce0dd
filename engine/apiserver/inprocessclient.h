// The in-process transport of the Kubernetes API: the controllers and scheduler of the control
// plane call the registry directly, skipping HTTP but not defaulting, validation or admission.
#pragma once

#include "client/apiclient.h"
#include "core/schema.h"

namespace timonel::apiserver {

class ResourceStore;

class InProcessClient : public client::ApiClient
{
    Q_OBJECT
public:
    explicit InProcessClient(ResourceStore &store, QObject *parent = nullptr);

    void get(const client::Resource &r, const QString &ns, const QString &name,
             client::Callback<QJsonObject> done) override;
    void list(const client::Resource &r, const QString &ns, const client::ListQuery &query,
              client::Callback<QJsonObject> done) override;
    void create(const client::Resource &r, const QString &ns, const QJsonObject &object,
                const client::WriteQuery &query, client::Callback<QJsonObject> done) override;
    void createSubresource(const client::Resource &r, const QString &ns, const QString &name,
                           const QString &subresource, const QJsonObject &object,
                           const client::WriteQuery &query,
                           client::Callback<QJsonObject> done) override;
    void update(const client::Resource &r, const QString &ns, const QJsonObject &object,
                const QString &subresource, const client::WriteQuery &query,
                client::Callback<QJsonObject> done) override;
    void patch(const client::Resource &r, const QString &ns, const QString &name,
               client::PatchType type, const QByteArray &body, const QString &subresource,
               const client::WriteQuery &query, client::Callback<QJsonObject> done) override;
    void remove(const client::Resource &r, const QString &ns, const QString &name,
                const client::DeleteQuery &query, client::Callback<QJsonObject> done) override;
    std::unique_ptr<client::WatchHandle> watch(const client::Resource &r, const QString &ns,
                                               const client::ListQuery &query) override;
    void resources(client::Callback<QList<client::ServedResource>> done) override;

private:
    const core::ResourceInfo *resolve(const client::Resource &r,
                                      const client::Callback<QJsonObject> &done);

    ResourceStore &m_store;
};

} // namespace timonel::apiserver
