// Manifests as the editor sees them: a file's YAML documents with their lines, and what the
// API server would say of each before anything is sent — YAML syntax, apiVersion and kind,
// unknown fields, wrong types, required fields and enums, from the built-in schema — each at
// the line and column of the field it is about.
#pragma once

#include "core/yaml.h"

#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>

namespace timonel::core {
class SchemaRegistry;
}

namespace timonel::manifest {

struct ManifestDocument
{
    int firstLine = 1; // of the document's text in the file, 1-based
    int lastLine = 1;
    QString text;
    QJsonValue value; // null for an empty document or one that does not parse
    std::optional<core::YamlError> syntaxError; // with lines of the file
};

// The documents of a file, split at "---" lines as kubectl reads them.
QList<ManifestDocument> splitDocuments(const QString &text);

struct Diagnostic
{
    int line = 1; // in the file, 1-based
    int column = 1;
    bool error = true; // else a warning
    QString message;
};

// Where a field path ("spec.template.spec.containers[0].image", as the API server names
// fields) is written in a block-style document: the line and column of its key, in the file.
// A path that is not written (a missing field, or one inside a flow collection) gives its
// nearest written ancestor; the document's first line when none is.
std::pair<int, int> locatePath(const ManifestDocument &document, const QString &path);

// Every problem of one document, in line order.
QList<Diagnostic> checkDocument(const ManifestDocument &document,
                                const core::SchemaRegistry &registry);
// Every problem of a file's documents, with the built-in schema by default.
QList<Diagnostic> checkManifest(const QString &text);
QList<Diagnostic> checkManifest(const QString &text, const core::SchemaRegistry &registry);

} // namespace timonel::manifest
