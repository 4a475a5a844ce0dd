// A file of manifests as the editor sees it: its YAML documents with their lines, each one's
// value as the engine reads YAML, and where each field is written, so that checks, completion
// and the form editor can go from a field path to the text and from the cursor to a path.
//
// Positions count lines and columns from 1, columns in UTF-16 code units (QString indices + 1,
// as the editor counts them). Paths are written as the API server's field errors write them:
// "spec.template.spec.containers[0].image"; map keys follow a dot (the form the schema's decode
// check reports, "metadata.labels.app"), and lookups also take the bracketed forms
// "metadata.labels[app]" and metadata.labels["app"].
#pragma once

#include "core/yaml.h"

#include <QHash>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <compare>
#include <optional>

namespace timonel::manifest {

struct TextPosition
{
    int line = 0; // 0: not written
    int column = 0;

    bool isValid() const { return line > 0; }
    auto operator<=>(const TextPosition &) const = default;
};

// Where one node is written: its key (none for sequence items and the root) and its value: a
// scalar's first character (a block scalar's | or >), a block collection's first entry, a flow
// collection's bracket, or just after "key: " when the value is left empty.
struct NodePosition
{
    TextPosition key;
    TextPosition value;
};

struct YamlDocument
{
    int firstLine = 1; // of the document's text in the file, after its "---" line
    int lastLine = 1;
    QString text; // lines firstLine..lastLine
    // Scalars typed as core::parseYaml types them. Null for an empty document (only comments,
    // which kubectl skips) and for one that does not parse.
    QJsonValue value;
    std::optional<core::YamlError> syntaxError; // with lines and columns of the file
    // Every node written in block or flow style, by path; "" is the root. Nodes reached only
    // through an alias or a `<<` merge key are not written here, so they are not listed.
    QHash<QString, NodePosition> positions;

    // For lists of documents; read from the text's top-level lines when it does not parse.
    QString apiVersion;
    QString kind;
    QString namespaceName;
    QString name;

    bool isEmpty() const { return !syntaxError && value.isNull(); }
    std::optional<NodePosition> position(const QString &path) const;
    // The node at path, or the nearest written ancestor when it is not written (a missing
    // field), with the path it found; the root at worst.
    std::pair<QString, NodePosition> nearestPosition(const QString &path) const;
};

struct ManifestFile
{
    // Every document between "---" and "..." lines, empty ones too (the editor completes in
    // them; validation skips them as kubectl does).
    QList<YamlDocument> documents;

    // The document holding a line; for a separator line, the one after it; -1 past the last.
    int documentAt(int line) const;
};

ManifestFile parseManifestFile(const QString &text);

// What the cursor is on, read from the indentation of the lines up to it (so it works while the
// line being typed does not parse yet), and inside flow collections from the positions.
struct CursorPlace
{
    enum class Role
    {
        // On a key written fully or partly ("replicas:", "repl"), or on a blank line where a key
        // of parentPath would be typed.
        Key,
        // After a key's colon, inside a block scalar, or on a sequence item ("- nginx", "- ",
        // "- na": an item that may be a map whose first key is being typed).
        Value,
    };
    Role role = Role::Key;
    QString parentPath; // the collection holding the key or item ("spec", "spec.containers")
    // The node under the cursor ("spec.replicas", "spec.containers[1]"); on a blank line the
    // collection itself (parentPath).
    QString path;
    QString key;  // the key written on the line, unquoted; "" for items and blank lines
    QString word; // the key's or value's text from its start up to the cursor
};

CursorPlace pathAt(const YamlDocument &document, int line, int column);

// "spec.containers[0].image" <-> its steps; a step is a key or "[N]". Keys in brackets, quoted
// or not (metadata.labels[app], metadata.labels["app.kubernetes.io/name"]), become plain keys.
QStringList splitPath(QStringView path);
QString joinPath(const QString &parent, const QString &key);
QString indexPath(const QString &parent, int index);

} // namespace timonel::manifest
