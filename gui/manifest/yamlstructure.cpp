#include "manifest/yamlstructure_p.h"

#include "core/yaml.h"

#include <QCoreApplication>

#include <optional>

namespace timonel::manifest::detail {

namespace {
// This file's user-visible texts, translated in the "YamlEdit" context, as all of yamledit's.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(YamlEdit)
};
} // namespace

bool isBlankOrComment(const QString &line)
{
    const QString trimmed = line.trimmed();
    return trimmed.isEmpty() || trimmed.startsWith(u'#');
}

int indentOf(const QString &line)
{
    int i = 0;
    while (i < line.size() && line[i] == u' ')
        ++i;
    return i;
}

int commentStart(const QString &line, int from)
{
    QChar quote;
    for (int i = from; i < line.size(); ++i) {
        const QChar c = line[i];
        if (!quote.isNull()) {
            if (quote == u'"' && c == u'\\')
                ++i;
            else if (c == quote && quote == u'\'' && i + 1 < line.size() && line[i + 1] == c)
                ++i;
            else if (c == quote)
                quote = QChar();
            continue;
        }
        const bool tokenStart =
            i == from || line[i - 1].isSpace() || QStringView(u"[{,").contains(line[i - 1]);
        if (c == u'#' && (i == 0 || line[i - 1].isSpace()))
            return i;
        if ((c == u'"' || c == u'\'') && tokenStart)
            quote = c;
    }
    return -1;
}

QString trailingComment(const QString &line, int from)
{
    int start = commentStart(line, from);
    if (start < 0)
        return {};
    while (start > from && line[start - 1].isSpace())
        --start;
    return line.mid(start);
}

namespace {

// Reads just enough of block YAML to know where each key, item and value is written.
class Parser
{
public:
    Parser(const QStringList &lines, int lineOffset) : m_lines(lines), m_offset(lineOffset) {}

    std::expected<Tree, QString> parse()
    {
        const int first = nextContent(0);
        if (first >= m_lines.size()) {
            m_tree.root = add({Kind::Empty, int(m_lines.size()), 0, int(m_lines.size())});
            return m_tree;
        }
        m_tree.root = block(first, indentOf(m_lines[first]), -1);
        if (m_tree.root >= 0) {
            const int rest = nextContent(m_tree.nodes[m_tree.root].lastLine + 1);
            if (rest < m_lines.size())
                fail(rest, Tr::tr("unexpected content"));
        }
        if (!m_error.isEmpty())
            return std::unexpected(m_error);
        return m_tree;
    }

private:
    int nextContent(int from) const
    {
        while (from < m_lines.size() && isBlankOrComment(m_lines[from]))
            ++from;
        return from;
    }
    bool isDash(int line, int column) const
    {
        const QString &s = m_lines[line];
        return column < s.size() && s[column] == u'-' &&
               (column + 1 == s.size() || s[column + 1].isSpace());
    }
    int fail(int line, const QString &message)
    {
        if (m_error.isEmpty())
            m_error = Tr::tr("line %1: %2").arg(line + 1 + m_offset).arg(message);
        return -1;
    }
    int add(const Node &node)
    {
        m_tree.nodes.append(node);
        return int(m_tree.nodes.size() - 1);
    }

    // The end (line, column just past it) of the flow collection or quoted scalar at (line,
    // column).
    std::optional<std::pair<int, int>> spanEnd(int line, int column) const
    {
        const QChar open = m_lines[line][column];
        const bool flow = open == u'[' || open == u'{';
        QChar quote = flow ? QChar() : open;
        int depth = 0;
        for (int l = line, i = column + (flow ? 0 : 1); l < m_lines.size(); ++l, i = 0) {
            const QString &s = m_lines[l];
            for (; i < s.size(); ++i) {
                const QChar c = s[i];
                if (!quote.isNull()) {
                    if (quote == u'"' && c == u'\\') {
                        ++i;
                    } else if (c == quote && quote == u'\'' && i + 1 < s.size() && s[i + 1] == c) {
                        ++i;
                    } else if (c == quote) {
                        quote = QChar();
                        if (!flow)
                            return std::pair{l, i + 1};
                    }
                } else if (c == u'#' && (i == 0 || s[i - 1].isSpace())) {
                    break;
                } else if ((c == u'"' || c == u'\'') &&
                           (i == 0 || QStringView(u" \t[{,:").contains(s[i - 1]))) {
                    quote = c;
                } else if (c == u'[' || c == u'{') {
                    ++depth;
                } else if ((c == u']' || c == u'}') && --depth == 0) {
                    return std::pair{l, i + 1};
                }
            }
        }
        return std::nullopt;
    }

    // The key written at (line, column) and the column of its ':'.
    std::optional<std::pair<QString, int>> keyAt(int line, int column) const
    {
        const QString &s = m_lines[line];
        if (column >= s.size())
            return std::nullopt;
        const QChar c = s[column];
        if (c == u'"' || c == u'\'') {
            const auto end = spanEnd(line, column);
            if (!end || end->first != line)
                return std::nullopt;
            const auto key = core::parseYaml(s.mid(column, end->second - column).toUtf8());
            int i = end->second;
            while (i < s.size() && s[i] == u' ')
                ++i;
            if (!key || !key->isString() || i >= s.size() || s[i] != u':' ||
                (i + 1 < s.size() && !s[i + 1].isSpace()))
                return std::nullopt;
            return std::pair{key->toString(), i};
        }
        if (QStringView(u"[]{}#&*!|>%@`,").contains(c) ||
            ((c == u'-' || c == u'?') && (column + 1 == s.size() || s[column + 1].isSpace())))
            return std::nullopt;
        int limit = commentStart(s, column);
        if (limit < 0)
            limit = int(s.size());
        for (int i = column; i < limit; ++i) {
            if (s[i] == u':' && (i + 1 == s.size() || s[i + 1].isSpace()))
                return std::pair{s.mid(column, i - column).trimmed(), i};
        }
        return std::nullopt;
    }

    // A node whose first character is at (line, column); parentIndent is its holder's column.
    int block(int line, int column, int parentIndent)
    {
        if (isDash(line, column))
            return sequence(line, column);
        if (keyAt(line, column))
            return map(line, column);
        return scalar(line, column, parentIndent);
    }

    // What follows a "key:" (mapEntry) or a "-" written at column ownerIndent.
    int afterIndicator(int line, int column, int ownerIndent, bool mapEntry)
    {
        const QString &s = m_lines[line];
        int c = column;
        while (c < s.size() && s[c] == u' ')
            ++c;
        while (c < s.size() && (s[c] == u'&' || s[c] == u'!')) { // anchors and tags
            while (c < s.size() && s[c] != u' ')
                ++c;
            while (c < s.size() && s[c] == u' ')
                ++c;
        }
        if (c < s.size() && s[c] != u'#') {
            if (!mapEntry && (isDash(line, c) || keyAt(line, c)))
                return block(line, c, ownerIndent);
            return scalar(line, c, ownerIndent);
        }
        const int next = nextContent(line + 1);
        if (next < m_lines.size()) {
            const int indent = indentOf(m_lines[next]);
            // kubectl writes a key's sequence at the key's own column.
            if (indent > ownerIndent || (mapEntry && indent == ownerIndent && isDash(next, indent)))
                return block(next, indent, ownerIndent);
        }
        return add({Kind::Empty, line, int(qMin(c, s.size())), line});
    }

    int map(int line, int column)
    {
        Node node{Kind::Map, line, column};
        for (int l = line;;) {
            const auto key = keyAt(l, column);
            if (!key)
                return fail(l, Tr::tr("expected a key"));
            Entry entry{false, key->first, l, column, key->second + 1};
            entry.value = afterIndicator(l, key->second + 1, column, true);
            if (entry.value < 0)
                return -1;
            entry.lastLine = qMax(l, m_tree.nodes[entry.value].lastLine);
            m_tree.entries.append(entry);
            node.entries.append(int(m_tree.entries.size() - 1));
            node.lastLine = entry.lastLine;
            l = nextContent(entry.lastLine + 1);
            if (l >= m_lines.size() || indentOf(m_lines[l]) < column)
                break;
            if (indentOf(m_lines[l]) > column || isDash(l, column))
                return fail(l, Tr::tr("unexpected indentation"));
        }
        return add(node);
    }

    int sequence(int line, int column)
    {
        Node node{Kind::Sequence, line, column};
        for (int l = line;;) {
            Entry entry{true, QString(), l, column, column + 1};
            entry.value = afterIndicator(l, column + 1, column, false);
            if (entry.value < 0)
                return -1;
            entry.lastLine = qMax(l, m_tree.nodes[entry.value].lastLine);
            m_tree.entries.append(entry);
            node.entries.append(int(m_tree.entries.size() - 1));
            node.lastLine = entry.lastLine;
            l = nextContent(entry.lastLine + 1);
            if (l >= m_lines.size() || indentOf(m_lines[l]) < column)
                break;
            if (indentOf(m_lines[l]) > column)
                return fail(l, Tr::tr("unexpected indentation"));
            if (!isDash(l, column))
                break; // the next key of the map holding a not indented sequence
        }
        return add(node);
    }

    int scalar(int line, int column, int parentIndent)
    {
        const QString &s = m_lines[line];
        const QChar c = s[column];
        Node node{Kind::Scalar, line, column, line};
        if (c == u'|' || c == u'>') {
            node.kind = Kind::BlockScalar;
            for (int l = line + 1; l < m_lines.size(); ++l) {
                if (m_lines[l].trimmed().isEmpty())
                    continue;
                if (indentOf(m_lines[l]) <= parentIndent)
                    break;
                node.lastLine = l;
            }
        } else if (c == u'[' || c == u'{' || c == u'"' || c == u'\'') {
            const auto end = spanEnd(line, column);
            if (!end)
                return fail(line, Tr::tr("unterminated value"));
            node.kind = c == u'"' || c == u'\'' ? Kind::Scalar : Kind::Flow;
            node.quote = c == u'"' ? Quote::Double : c == u'\'' ? Quote::Single : Quote::None;
            std::tie(node.lastLine, node.endColumn) = *end;
        } else {
            const int comment = commentStart(s, column);
            node.endColumn = comment < 0 ? int(s.size()) : comment;
            while (node.endColumn > column && s[node.endColumn - 1].isSpace())
                --node.endColumn;
            // A plain scalar goes on over more indented lines.
            for (int l = nextContent(line + 1);
                 l < m_lines.size() && indentOf(m_lines[l]) > parentIndent; l = nextContent(l + 1))
                node.lastLine = l;
        }
        return add(node);
    }

    const QStringList &m_lines;
    int m_offset;
    Tree m_tree;
    QString m_error;
};

} // namespace

std::expected<Tree, QString> parseStructure(const QStringList &lines, int lineOffset)
{
    return Parser(lines, lineOffset).parse();
}

Style detectStyle(const Tree &tree)
{
    Style style;
    bool stepFound = false, sequenceFound = false;
    for (const Entry &entry : tree.entries) {
        const Node &value = tree.nodes[entry.value];
        if (entry.item || value.line == entry.line)
            continue;
        if (!stepFound && value.kind == Kind::Map && value.column > entry.column) {
            style.step = value.column - entry.column;
            stepFound = true;
        }
        if (!sequenceFound && value.kind == Kind::Sequence) {
            style.indentedSequences = value.column > entry.column;
            sequenceFound = true;
        }
    }
    return style;
}

} // namespace timonel::manifest::detail
