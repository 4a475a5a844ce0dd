// What the API server (and kubectl before it) would say of a manifest before anything is sent:
// YAML syntax, apiVersion and kind, unknown fields, wrong types, required fields, enums, ranges
// and formats from the kind's schema — each at the line and column of the field it is about.
#pragma once

#include "yamldocument.h"

#include <QList>
#include <QString>

namespace timonel::core {
class SchemaRegistry;
}

namespace timonel::manifest {

enum class Severity
{
    Error,
    Warning
};

// (Named Problem, not Diagnostic: manifestcheck.h already has a Diagnostic in this namespace.)
struct Problem
{
    int line = 1;   // in the file, 1-based
    int column = 1; // UTF-16 code units, 1-based
    Severity severity = Severity::Error;
    // Kubernetes' own words where it has them: `unknown field "spec.replica"`,
    // `spec.replicas: Invalid value: -1: must be greater than or equal to 0`.
    QString message;
    QString path; // the field it is about, "" for the document as a whole
};

// One document's problems, in line order. An unknown field is reported at its key; a wrong
// value (type, enum, range, format) at the value; a missing field at its nearest written
// ancestor's key. An empty document has none (kubectl skips it).
QList<Problem> validate(const YamlDocument &document, const core::SchemaRegistry &registry);
// Every document's, in line order.
QList<Problem> validate(const ManifestFile &file, const core::SchemaRegistry &registry);

} // namespace timonel::manifest
