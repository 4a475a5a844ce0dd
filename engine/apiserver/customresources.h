// CustomResourceDefinitions come alive here: each stored CRD registers its served versions as
// resources (schema, names, subresources, printer columns) so discovery, OpenAPI, validation
// and tables serve them like built-in kinds; its status reports the names accepted and
// Established. As kube-apiserver's apiextensions part.
#pragma once

#include <QJsonObject>
#include <QObject>

namespace timonel::core {
class SchemaRegistry;
}

namespace timonel::apiserver {

class ResourceStore;

class CustomResources : public QObject
{
    Q_OBJECT
public:
    CustomResources(ResourceStore &store, core::SchemaRegistry &schemas, QObject *parent = nullptr);

    // Registers every CRD in storage (at start-up).
    void loadAll();
    void onWritten(const QJsonObject &crd, bool deleted);

Q_SIGNALS:
    void resourcesChanged();

private:
    void registerVersions(const QJsonObject &crd);
    void unregister(const QJsonObject &crd);
    void reportEstablished(const QJsonObject &crd);
    void deleteInstances(const QJsonObject &crd);

    ResourceStore &m_store;
    core::SchemaRegistry &m_schemas;
};

} // namespace timonel::apiserver
