// Where each key, item and value of a block-YAML document is written: just enough of a reader
// for yamledit to change a field's lines and nothing else. Lines and columns are 0-based here,
// within the document.
#pragma once

#include "manifest/yamlwriter_p.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <expected>

namespace timonel::manifest::detail {

enum class Kind
{
    Empty, // "key:" with nothing under it
    Scalar,
    Flow,
    BlockScalar,
    Map,
    Sequence
};

enum class Quote
{
    None,
    Single,
    Double
};

struct Node
{
    Kind kind = Kind::Empty;
    int line = 0;
    int column = 0; // Map, Sequence: the column of their keys or dashes
    int lastLine = 0;
    int endColumn = 0; // Scalar, Flow: just past their text, on lastLine
    Quote quote = Quote::None;
    QList<int> entries; // Map, Sequence: into Tree::entries
};

struct Entry
{
    bool item = false; // a sequence item, else a map entry
    QString key;
    int line = 0; // of the key or the dash
    int column = 0;
    int indicatorEnd = 0; // just past the ':' or '-'
    int value = -1;       // into Tree::nodes
    int lastLine = 0;
};

struct Tree
{
    QList<Node> nodes;
    QList<Entry> entries;
    int root = -1;
};

bool isBlankOrComment(const QString &line);
int indentOf(const QString &line);
// Where a comment starts at or after `from` (outside quotes), or -1.
int commentStart(const QString &line, int from);
// The comment after `from` with the spaces before it, as it stays on a rewritten line.
QString trailingComment(const QString &line, int from);

// The structure of one document's lines; `lineOffset` is the document's first line in the file,
// for messages ("line 12: unexpected indentation").
std::expected<Tree, QString> parseStructure(const QStringList &lines, int lineOffset);
// The indentation the document uses, for the lines written into it.
Style detectStyle(const Tree &tree);

} // namespace timonel::manifest::detail
