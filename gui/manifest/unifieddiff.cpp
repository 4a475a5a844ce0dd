#include "manifest/unifieddiff.h"

#include <QHash>

#include <algorithm>
#include <vector>

namespace timonel::manifest {

namespace {

// The two texts as numbers, one a line (equal lines, equal numbers), and which lines the
// shortest edit removes from the first and adds in the second.
class LineDiff
{
public:
    LineDiff(const QStringList &a, bool aNewline, const QStringList &b, bool bNewline)
        : m_removed(a.size(), 0), m_added(b.size(), 0)
    {
        // A last line without its newline differs from the same text with one.
        QHash<QString, int> ids;
        QHash<QString, int> unterminated;
        const auto id = [&](const QString &line, bool last, bool newline) {
            QHash<QString, int> &table = last && !newline ? unterminated : ids;
            const auto it = table.constFind(line);
            if (it != table.cend())
                return *it;
            const int next = int(ids.size() + unterminated.size());
            table.insert(line, next);
            return next;
        };
        for (qsizetype i = 0; i < a.size(); ++i)
            m_a.push_back(id(a[i], i + 1 == a.size(), aNewline));
        for (qsizetype i = 0; i < b.size(); ++i)
            m_b.push_back(id(b[i], i + 1 == b.size(), bNewline));
        compare(0, int(m_a.size()), 0, int(m_b.size()));
        slide(m_a, m_removed, m_added);
        slide(m_b, m_added, m_removed);
    }

    bool removed(qsizetype i) const { return m_removed[i]; }
    bool added(qsizetype j) const { return m_added[j]; }

private:
    // Marks the shortest edit of a[aLo, aHi) into b[bLo, bHi): the equal ends aside, it splits
    // the rest at a point a shortest edit goes through and does each half, so that memory
    // stays linear (Myers, "An O(ND) difference algorithm and its variations", 1986, 4b).
    void compare(int aLo, int aHi, int bLo, int bHi)
    {
        while (aLo < aHi && bLo < bHi && m_a[aLo] == m_b[bLo])
            ++aLo, ++bLo;
        while (aLo < aHi && bLo < bHi && m_a[aHi - 1] == m_b[bHi - 1])
            --aHi, --bHi;
        if (aLo == aHi || bLo == bHi) {
            std::fill(m_removed.begin() + aLo, m_removed.begin() + aHi, 1);
            std::fill(m_added.begin() + bLo, m_added.begin() + bHi, 1);
            return;
        }
        const auto [x, y] = split(aLo, aHi, bLo, bHi);
        if ((x == aLo && y == bLo) || (x == aHi && y == bHi)) { // never, but never loop
            std::fill(m_removed.begin() + aLo, m_removed.begin() + aHi, 1);
            std::fill(m_added.begin() + bLo, m_added.begin() + bHi, 1);
            return;
        }
        compare(aLo, x, bLo, y);
        compare(x, aHi, y, bHi);
    }

    // Searches from both corners at once, one edit more on each side per round, keeping for
    // each diagonal k = x - y (relative to aLo, bLo) how far the search got on it. When the two
    // meet on a diagonal, the point where the last one stopped lies on a shortest edit: along a
    // diagonal the cost to either corner never grows as it gets nearer, and the other search
    // has gone past the point as cheaply.
    std::pair<int, int> split(int aLo, int aHi, int bLo, int bHi) const
    {
        constexpr int none = -1; // a diagonal the search has not reached
        const int n = aHi - aLo;
        const int m = bHi - bLo;
        const int delta = n - m; // the diagonal of the end corner
        const bool odd = delta % 2 != 0;
        // forward[k + m]: the largest x a path of d edits from (0, 0) reaches on diagonal k;
        // backward[k + m]: the smallest x a path of d edits back from (n, m) reaches on it.
        // Only the diagonals that cross the grid, -m..n, are kept.
        std::vector<int> forward(n + m + 1, none), backward(n + m + 1, none);
        const auto at = [m](std::vector<int> &v, int k) -> int & { return v[k + m]; };
        const auto inGrid = [n, m](int k) { return k >= -m && k <= n; };
        const auto equal = [&](int x, int y) { return m_a[aLo + x] == m_b[bLo + y]; };
        for (int d = 0; d <= n + m; ++d) {
            for (int k = d; k >= -d; k -= 2) {
                if (!inGrid(k))
                    continue;
                // Down from diagonal k + 1 (an added line) or right from k - 1 (a removed one),
                // whichever gets further; at the start, the corner.
                int x = d == 0 ? 0 : none;
                if (d > 0 && inGrid(k + 1) && k + 1 <= d - 1) {
                    const int from = at(forward, k + 1);
                    if (from != none && from - (k + 1) < m)
                        x = std::max(x, from);
                }
                if (d > 0 && inGrid(k - 1) && k - 1 >= -(d - 1)) {
                    const int from = at(forward, k - 1);
                    if (from != none && from < n)
                        x = std::max(x, from + 1);
                }
                at(forward, k) = x;
                if (x == none)
                    continue;
                int y = x - k;
                while (x < n && y < m && equal(x, y))
                    ++x, ++y;
                at(forward, k) = x;
                // Met the backward search of d - 1 edits: 2d - 1 in all.
                if (odd && k >= delta - (d - 1) && k <= delta + (d - 1) &&
                    at(backward, k) != none && x >= at(backward, k))
                    return {aLo + x, bLo + y};
            }
            for (int k = delta + d; k >= delta - d; k -= 2) {
                if (!inGrid(k))
                    continue;
                // Up from diagonal k - 1 or left from k + 1, whichever gets further back.
                int x = d == 0 ? n : none;
                if (d > 0 && inGrid(k - 1) && k - 1 >= delta - (d - 1)) {
                    const int from = at(backward, k - 1);
                    if (from != none && from - (k - 1) > 0)
                        x = x == none ? from : std::min(x, from);
                }
                if (d > 0 && inGrid(k + 1) && k + 1 <= delta + (d - 1)) {
                    const int from = at(backward, k + 1);
                    if (from != none && from > 0)
                        x = x == none ? from - 1 : std::min(x, from - 1);
                }
                at(backward, k) = x;
                if (x == none)
                    continue;
                int y = x - k;
                while (x > 0 && y > 0 && equal(x - 1, y - 1))
                    --x, --y;
                at(backward, k) = x;
                // Met the forward search of d edits: 2d in all.
                if (!odd && k >= -d && k <= d && at(forward, k) != none && x <= at(forward, k))
                    return {aLo + x, bLo + y};
            }
        }
        return {aLo, bLo}; // not reached: the searches meet within (n + m) / 2 rounds
    }

    // Of the equally short edits, the one that reads best (as GNU diff and git choose it): a
    // run of changed lines that could as well take in the identical line after it slides down
    // as far as it goes, joining the changes after it; then back up to the last place where
    // the other text changes too, so that lines removed and the lines replacing them show
    // together. `changed` are this text's marks, `other` the other text's.
    static void slide(const std::vector<int> &ids, std::vector<char> &changed,
                      const std::vector<char> &other)
    {
        // The k-th unchanged line here goes with the k-th unchanged line there.
        std::vector<qsizetype> kept;
        for (qsizetype j = 0; j < qsizetype(other.size()); ++j) {
            if (!other[j])
                kept.push_back(j);
        }
        kept.push_back(qsizetype(other.size()));
        // A run ending before the k-th unchanged line meets changes of the other text there.
        const auto meetsChange = [&](qsizetype k) { return kept[k] > 0 && other[kept[k] - 1]; };
        const qsizetype n = qsizetype(ids.size());
        qsizetype i = 0;
        qsizetype k = 0; // unchanged lines before i
        while (i < n) {
            if (!changed[i]) {
                ++i, ++k;
                continue;
            }
            qsizetype start = i, end = i;
            while (end < n && changed[end])
                ++end;
            qsizetype length = 0, best = -1;
            do {
                length = end - start;
                while (start > 0 && ids[start - 1] == ids[end - 1]) {
                    changed[--start] = 1;
                    changed[--end] = 0;
                    --k;
                    while (start > 0 && changed[start - 1])
                        --start;
                }
                best = meetsChange(k) ? end : -1;
                while (end < n && ids[start] == ids[end]) {
                    changed[start++] = 0;
                    changed[end++] = 1;
                    ++k;
                    while (end < n && changed[end])
                        ++end;
                    if (meetsChange(k))
                        best = end;
                }
            } while (length != end - start); // it took in another run: once more
            while (best >= 0 && end > best) {
                changed[--start] = 1;
                changed[--end] = 0;
                --k;
            }
            i = end;
        }
    }

    std::vector<int> m_a, m_b;
    std::vector<char> m_removed, m_added;
};

QStringList linesOf(const QString &text)
{
    if (text.isEmpty())
        return {};
    QStringList lines = text.split(u'\n');
    if (text.endsWith(u'\n'))
        lines.removeLast();
    return lines;
}

QString range(int first, int count)
{
    if (count == 1)
        return QString::number(first);
    return QStringLiteral("%1,%2").arg(count == 0 ? first - 1 : first).arg(count);
}

} // namespace

QString DiffHunk::header() const
{
    return QStringLiteral("@@ -%1 +%2 @@")
        .arg(range(oldFirst, oldCount), range(newFirst, newCount));
}

QList<DiffHunk> diffHunks(const QString &before, const QString &after, int context)
{
    const QStringList a = linesOf(before), b = linesOf(after);
    const bool aNewline = before.isEmpty() || before.endsWith(u'\n');
    const bool bNewline = after.isEmpty() || after.endsWith(u'\n');
    const LineDiff diff(a, aNewline, b, bNewline);

    // The edit as one list of lines, each with its line numbers on both sides.
    struct Step
    {
        DiffLine line;
        int oldLine; // 1-based: the line's number, or the number of the next old line
        int newLine;
    };
    std::vector<Step> steps;
    qsizetype i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        if (i < a.size() && diff.removed(i)) {
            steps.push_back({{DiffLine::Kind::Removed, a[i], i + 1 == a.size() && !aNewline},
                             int(i) + 1,
                             int(j) + 1});
            ++i;
        } else if (j < b.size() && diff.added(j)) {
            steps.push_back({{DiffLine::Kind::Added, b[j], j + 1 == b.size() && !bNewline},
                             int(i) + 1,
                             int(j) + 1});
            ++j;
        } else {
            // The same line on both sides; shown as the new side has it.
            steps.push_back({{DiffLine::Kind::Same, b[j], j + 1 == b.size() && !bNewline},
                             int(i) + 1,
                             int(j) + 1});
            ++i, ++j;
        }
    }

    QList<DiffHunk> hunks;
    const int count = int(steps.size());
    int s = 0;
    while (s < count) {
        while (s < count && steps[s].line.kind == DiffLine::Kind::Same)
            ++s;
        if (s == count)
            break;
        // From `context` lines before the first change to `context` lines after the last one
        // that is not more than 2 * context unchanged lines from the next.
        const int start = std::max(0, s - context);
        int end = s; // past the last change so far
        for (int t = s; t < count; ++t) {
            if (steps[t].line.kind != DiffLine::Kind::Same) {
                end = t + 1;
            } else if (t - end >= 2 * context) {
                break;
            }
        }
        const int stop = std::min(count, end + context);
        DiffHunk hunk;
        hunk.oldFirst = steps[start].oldLine;
        hunk.newFirst = steps[start].newLine;
        for (int t = start; t < stop; ++t) {
            const DiffLine &line = steps[t].line;
            hunk.oldCount += line.kind != DiffLine::Kind::Added ? 1 : 0;
            hunk.newCount += line.kind != DiffLine::Kind::Removed ? 1 : 0;
            hunk.lines.append(line);
        }
        hunks.append(hunk);
        s = stop;
    }
    return hunks;
}

QString unifiedDiff(const QString &before, const QString &after, const QString &beforeName,
                    const QString &afterName, int context)
{
    const QList<DiffHunk> hunks = diffHunks(before, after, context);
    if (hunks.isEmpty())
        return {};
    QString out = QStringLiteral("--- %1\n+++ %2\n").arg(beforeName, afterName);
    for (const DiffHunk &hunk : hunks) {
        out += hunk.header() + u'\n';
        for (const DiffLine &line : hunk.lines) {
            const QChar mark = line.kind == DiffLine::Kind::Removed ? u'-'
                               : line.kind == DiffLine::Kind::Added ? u'+'
                                                                    : u' ';
            out += mark + line.text + u'\n';
            if (line.noNewline)
                out += QStringLiteral("\\ No newline at end of file\n");
        }
    }
    return out;
}

} // namespace timonel::manifest
