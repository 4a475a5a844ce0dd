// Line diffs of two texts as `diff -u` prints them: a shortest edit script (Myers' algorithm,
// in linear space), grouped into hunks of changed lines with `context` unchanged lines around
// them; changes closer than 2 * context lines share a hunk. Of equally short scripts, the one
// that reads as GNU diff's do: runs of changes slid down to join the changes after them, lines
// removed shown right before the lines that replace them. The format is GNU diff's, headers,
// line counts and "\ No newline at end of file" included. Qt Core only.
#pragma once

#include <QList>
#include <QString>

namespace timonel::manifest {

struct DiffLine
{
    enum class Kind
    {
        Same,
        Removed,
        Added
    };
    Kind kind = Kind::Same;
    QString text;
    // The last line of its text, which does not end in '\n' ("\ No newline at end of file").
    bool noNewline = false;

    bool operator==(const DiffLine &) const = default;
};

struct DiffHunk
{
    // 1-based first lines and counts in the old and the new text. A count of 0 means none of
    // that side's lines are in the hunk; its first line is then the one after which lines go.
    int oldFirst = 1;
    int oldCount = 0;
    int newFirst = 1;
    int newCount = 0;
    QList<DiffLine> lines;

    // "@@ -3,7 +3,8 @@": a count of 1 is left out, and an empty side gives the line before it.
    QString header() const;
};

// The hunks turning `before` into `after`; none when they are equal.
QList<DiffHunk> diffHunks(const QString &before, const QString &after, int context = 3);

// The whole unified diff: "--- beforeName", "+++ afterName", then each hunk's header and lines
// (" ", "-", "+"); "" when the texts are equal.
QString unifiedDiff(const QString &before, const QString &after, const QString &beforeName,
                    const QString &afterName, int context = 3);

} // namespace timonel::manifest
