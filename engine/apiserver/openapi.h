// OpenAPI v3, generated from the schema registry: what `kubectl explain` reads, and what makes
// kubectl trust server-side field validation and compute strategic merge patches.
#pragma once

#include "core/schema.h"

#include <QByteArray>
#include <QJsonObject>

namespace timonel::apiserver {

// /openapi/v3: one entry per group/version ("api/v1", "apis/apps/v1") with a content hash in
// its URL, so clients refetch exactly when a document changes.
QJsonObject openApiRoot(const core::SchemaRegistry &registry);

// /openapi/v3/api/v1, /openapi/v3/apis/<g>/<v>: paths of every resource and the schemas they
// reach. Empty for an unknown group/version.
QJsonObject openApiDocument(const core::SchemaRegistry &registry, const QString &group,
                            const QString &version);

// The OpenAPI v3 schema of one type (components.schemas entries, CRD validation output).
QJsonObject openApiSchema(const core::SchemaType *type);

} // namespace timonel::apiserver
