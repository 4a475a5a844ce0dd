// What can be typed at the cursor of a manifest: the fields of the schema type there (those not
// written yet, required ones first), or the values a field takes (enum values, true/false, the
// kinds and apiVersions the registry serves).
#pragma once

#include "yamldocument.h"

#include <QList>
#include <QString>

namespace timonel::core {
class SchemaRegistry;
}

namespace timonel::manifest {

struct CompletionItem
{
    QString text;        // what the list shows: "replicas", "IfNotPresent", "Deployment"
    QString detail;      // the field's type as `kubectl explain` names it ("integer",
                         // "[]Container", "map[string]string"); a kind's apiVersion
    QString description; // the field's first sentence, for a tooltip
    // What to insert in place of the word at the cursor ("replicas: ",
    // "containers:\n  - name: "); lines after the first are indented relative to the first,
    // so the editor adds the key's own indentation after each line break.
    QString insertText;
    bool required = false;
};

// Items whose text starts with the word at the cursor (case-insensitively); none where the
// schema says nothing (inside a free-form object, or in a kind the registry does not know).
QList<CompletionItem> complete(const YamlDocument &document, int line, int column,
                               const core::SchemaRegistry &registry);

} // namespace timonel::manifest
