// Edits to a manifest's YAML text addressed by field path, made in place: the lines that hold
// the field change and nothing else does. Comments (full-line and trailing), blank lines,
// quoting, key order and the other documents of the file stay byte for byte, so the form
// editor and the text editor can share one text.
//
// Works on block-style YAML as people and `kubectl get -o yaml` write it, with sequences
// indented under their key or not (new lines follow the document's own style and indent
// width). A flow collection (`{a: 1}`, `[x, y]`) is rewritten as a whole, on one line, when a
// field inside it changes; an empty one (`resources: {}`) opens into block style. Every edit is
// checked before it is returned: the new text must parse (core::parseYaml) to the old value with
// just that field changed, otherwise the edit is refused with an error rather than made wrong.
//
// Paths are written as the API server's field errors write them:
// "spec.template.spec.containers[0].image", "metadata.labels.app"; keys holding dots go in
// brackets, quoted or not: metadata.labels["app.kubernetes.io/name"].
//
// The parts: fieldpath.h (paths), textedit.h (whole-line changes, where the documents are),
// yamlstructure_p.h (where each key, item and value is written), yamlwriter_p.h (values as
// lines), and here the edits that put them together.
#pragma once

#include "manifest/fieldpath.h"
#include "manifest/textedit.h"

#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <expected>

namespace timonel::manifest {

// Edits to one document of a file, made in turn on the file's text. Each one is a whole
// change (maps and lists given as values are merged key by key and item by item, so the
// lines of what stays equal are kept); edit() is all of them together as one TextEdit.
class DocumentEdit
{
public:
    // `document` as documentRanges() gives it; the whole text when it holds one document.
    DocumentEdit(const QString &text, LineRange document);
    // The document-th of documentRanges(text) (an empty one past the end when there is none).
    explicit DocumentEdit(const QString &text, int document = 0);

    // Sets the value at `path`, inserting the missing keys (and maps above them) after the
    // last child of their parent; path "list[N]" with N the list's size appends. Scalars are
    // replaced in place, keeping the key's line and its trailing comment; a string is quoted
    // only when it must be (as core::toYaml decides), then with the quotes it had, if any.
    // Maps and lists are written in block style at the document's indentation. A null or
    // undefined value removes the key or item with its block; the last one left in a map or
    // list leaves `key: {}` or `key: []` so the value read back stays what was asked.
    std::expected<void, QString> setValue(const QString &path, const QJsonValue &value);
    // Appends an item to the list at path (a container, a port, an env var), creating it.
    std::expected<void, QString> appendItem(const QString &path, const QJsonValue &item);
    // Removes item `index` of the list at path.
    std::expected<void, QString> removeItem(const QString &path, int index);

    QString text() const;       // the file with the edits so far
    LineRange document() const; // where the document is now
    TextEdit edit() const;      // every edit so far as one change of the original file
    QJsonValue value() const;   // the document as core::parseYaml reads it; undefined if not

private:
    QStringList m_original; // the file's lines as given
    QStringList m_lines;    // and as edited
    bool m_finalNewline = true;
    bool m_crlf = false;
    LineRange m_document;
};

// One edit of the document-th document of `text` (see documentRanges), as the new text.
std::expected<QString, QString> setValue(const QString &text, const QString &path,
                                         const QJsonValue &value, int document = 0);
std::expected<QString, QString> appendItem(const QString &text, const QString &path,
                                           const QJsonValue &item, int document = 0);
std::expected<QString, QString> removeItem(const QString &text, const QString &path, int index,
                                           int document = 0);

} // namespace timonel::manifest
