// Starting points for new manifests, one per common kind, each valid as it stands (the tests
// check that the validator finds nothing in any of them).
#pragma once

#include <QList>
#include <QString>

namespace timonel::manifest {

struct ManifestTemplate
{
    QString kind;  // "Deployment"
    QString title; // "Deployment", translated
    QString yaml;  // one or more documents, ending with a line break
};

QList<ManifestTemplate> templates();

} // namespace timonel::manifest
