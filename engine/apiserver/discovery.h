// API discovery, legacy (/api, /apis, /api/v1, /apis/<g>/<v>) and aggregated (apidiscovery.k8s.io
// v2), generated from the schema registry so CustomResourceDefinitions appear as they are added.
#pragma once

#include "core/schema.h"

#include <QJsonObject>
#include <QStringList>

namespace timonel::apiserver {

// The Content-Type of aggregated discovery; kubectl reads a body as aggregated only with it.
inline constexpr char aggregatedDiscoveryContentType[] =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

QJsonObject legacyApiVersions();
QJsonObject legacyApiGroupList(const core::SchemaRegistry &registry);
// nullopt-like empty object when the group or group/version is unknown.
QJsonObject legacyApiGroup(const core::SchemaRegistry &registry, const QString &group);
QJsonObject legacyResourceList(const core::SchemaRegistry &registry, const QString &group,
                               const QString &version);
// core == true: the document of /api (the core group only); else of /apis.
QJsonObject aggregatedDiscovery(const core::SchemaRegistry &registry, bool core);

// Groups in the order discovery lists them, versions of each.
QStringList servedGroups(const core::SchemaRegistry &registry);
QStringList servedVersions(const core::SchemaRegistry &registry, const QString &group);

} // namespace timonel::apiserver
