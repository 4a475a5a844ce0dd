// A file's text as whole lines: one change of a run of lines (the editor's undo step), the
// smallest such change between two texts, and where the file's YAML documents are.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace timonel::manifest {

// 1-based lines of a file, both included; an empty range has last == first - 1.
struct LineRange
{
    int first = 1;
    int last = 0;

    int count() const { return last - first + 1; }
    bool operator==(const LineRange &) const = default;
};

// One change as the editor applies it, one undo step: lines firstLine..lastLine (1-based,
// inclusive) of the whole file are replaced by `text`, whole lines each ending in '\n' (""
// removes them; lastLine == firstLine - 1 inserts before firstLine). The same convention as
// YamlEditor::replaceLines.
struct TextEdit
{
    int firstLine = 1;
    int lastLine = 0;
    QString text;

    // Nothing to do: no line replaced and none inserted.
    bool isEmpty() const { return lastLine < firstLine && text.isEmpty(); }
    bool operator==(const TextEdit &) const = default;
};

QString applyEdit(const QString &text, const TextEdit &edit);
// The smallest run of lines whose replacement turns `before` into `after`.
TextEdit lineDiff(const QString &before, const QString &after);
int lineCount(const QString &text); // "a\nb" and "a\nb\n" both have 2; "" has 0
// The lines without their '\n': "a\nb" and "a\nb\n" are {"a", "b"}; "" is none.
QStringList splitLines(const QString &text);

// The line ranges of the file's documents between "---" (and "...") lines, without those
// lines. Documents holding only comments and blank lines are left out, as kubectl and
// core::parseYamlDocuments leave them out, so index i here is value i there.
QList<LineRange> documentRanges(const QString &text);

} // namespace timonel::manifest
