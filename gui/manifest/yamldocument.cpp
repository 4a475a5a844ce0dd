#include "yamldocument.h"

#include <QJsonObject>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <sstream>
#include <vector>

using namespace Qt::StringLiterals;

namespace timonel::manifest {

namespace {

// "---" or "..." alone or followed by a blank: a document boundary, as YAML reads one.
bool isMarker(QStringView line, QStringView marker)
{
    if (!line.startsWith(marker))
        return false;
    return line.size() == 3 || line[3] == u' ' || line[3] == u'\t' || line[3] == u'\r';
}

// What follows "--- " on its own line that is not a comment: part of the next document.
bool hasContentAfterMarker(QStringView line)
{
    const QStringView rest = line.mid(3).trimmed();
    return !rest.isEmpty() && !rest.startsWith(u'#');
}

// A document's lines as UTF-8, to turn yaml-cpp's byte columns into QString columns.
class LineTable
{
public:
    LineTable(const QByteArray &utf8, int firstLine) : m_utf8(utf8), m_firstLine(firstLine)
    {
        qsizetype start = 0;
        bool ascii = true;
        for (qsizetype i = 0; i <= utf8.size(); ++i) {
            if (i == utf8.size() || utf8[i] == '\n') {
                m_lines.push_back({start, ascii});
                start = i + 1;
                ascii = true;
            } else if (uchar(utf8[i]) >= 0x80) {
                ascii = false;
            }
        }
    }

    // A 0-based line and byte column of the document -> a position in the file.
    TextPosition toFile(int line, int byteColumn) const
    {
        if (line < 0 || size_t(line) >= m_lines.size())
            return {};
        const Line &l = m_lines[size_t(line)];
        int column = byteColumn;
        if (!l.ascii)
            column = int(QString::fromUtf8(m_utf8.constData() + l.start, byteColumn).size());
        return {m_firstLine + line, column + 1};
    }

    TextPosition toFile(const YAML::Mark &mark) const
    {
        return mark.is_null() ? TextPosition{} : toFile(mark.line, mark.column);
    }

private:
    struct Line
    {
        qsizetype start;
        bool ascii;
    };
    const QByteArray &m_utf8;
    int m_firstLine;
    std::vector<Line> m_lines;
};

// Where a value left empty would be typed: after the colon that follows the key at position.
TextPosition afterColon(const QStringList &lines, int firstLine, TextPosition key)
{
    const int index = key.line - firstLine;
    if (index < 0 || index >= lines.size())
        return key;
    const QString &line = lines.at(index);
    qsizetype i = key.column - 1;
    if (i < line.size() && (line[i] == u'"' || line[i] == u'\'')) {
        const QChar quote = line[i];
        for (++i; i < line.size() && line[i] != quote; ++i)
            if (quote == u'"' && line[i] == u'\\')
                ++i;
    }
    const qsizetype colon = line.indexOf(u':', i);
    if (colon < 0)
        return key;
    return {key.line, int(colon) + 3};
}

// Records where every node of one document is written, from yaml-cpp's parse events (no node
// tree is built: the value comes from core::parseYaml).
class PositionIndexer : public YAML::EventHandler
{
public:
    PositionIndexer(const LineTable &table, const QStringList &lines, int firstLine,
                    QHash<QString, NodePosition> &out)
        : m_table(table), m_lines(lines), m_firstLine(firstLine), m_out(out)
    {
    }

    void OnDocumentStart(const YAML::Mark &) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark &mark, YAML::anchor_t) override { node(mark, Leaf::Null); }
    void OnAlias(const YAML::Mark &mark, YAML::anchor_t) override { node(mark, Leaf::Alias); }
    void OnScalar(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t,
                  const std::string &value) override
    {
        // A plain "<<" is a merge key (a quoted one is an ordinary key).
        m_mergeKey = tag == "?" && value == "<<";
        m_scalar = &value;
        node(mark, Leaf::Scalar);
        m_scalar = nullptr;
    }
    void OnSequenceStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t,
                         YAML::EmitterStyle::value) override
    {
        collection(mark, false);
    }
    void OnSequenceEnd() override { end(); }
    void OnMapStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t,
                    YAML::EmitterStyle::value) override
    {
        collection(mark, true);
    }
    void OnMapEnd() override { end(); }

private:
    enum class Leaf
    {
        Null,
        Alias,
        Scalar,
        Collection
    }; // what an event places

    struct Frame
    {
        bool map = false;
        QString path;
        int nextIndex = 0;
        bool expectKey = true;
        bool skipValue = false; // after a complex key or a merge key
        QString key;
        TextPosition keyPosition;
    };

    // Places a node in its parent; returns its path, or nothing when it is a key or skipped.
    std::optional<QString> place(const YAML::Mark &mark, Leaf leaf)
    {
        const TextPosition at = m_table.toFile(mark);
        if (m_frames.empty()) {
            m_out.insert(QString(), {{}, at});
            return QString();
        }
        Frame &top = m_frames.back();
        if (!top.map) {
            const QString path = indexPath(top.path, top.nextIndex++);
            m_out.insert(path, {{}, at});
            return path;
        }
        if (top.expectKey) {
            top.expectKey = false;
            top.keyPosition = at;
            if (leaf == Leaf::Collection || m_mergeKey) {
                top.skipValue = true;
            } else {
                top.key = leaf == Leaf::Scalar ? QString::fromStdString(*m_scalar) : u"null"_s;
            }
            return std::nullopt;
        }
        top.expectKey = true;
        if (top.skipValue) {
            top.skipValue = false;
            return std::nullopt;
        }
        const QString path = joinPath(top.path, top.key);
        TextPosition valueAt = at;
        // An empty value's event sits at the next token, often on a later line.
        if (leaf == Leaf::Null && (!at.isValid() || at.line > top.keyPosition.line))
            valueAt = afterColon(m_lines, m_firstLine, top.keyPosition);
        m_out.insert(path, {top.keyPosition, valueAt});
        return path;
    }

    void node(const YAML::Mark &mark, Leaf leaf)
    {
        if (m_skipDepth == 0)
            place(mark, leaf);
        m_mergeKey = false;
    }

    void collection(const YAML::Mark &mark, bool map)
    {
        if (m_skipDepth > 0) {
            ++m_skipDepth;
            return;
        }
        const std::optional<QString> path = place(mark, Leaf::Collection);
        if (!path) {
            m_skipDepth = 1; // a complex key, or a merge key's map: its entries are not indexed
            return;
        }
        m_frames.push_back({map, *path});
    }

    void end()
    {
        if (m_skipDepth > 0) {
            --m_skipDepth;
            return;
        }
        if (!m_frames.empty())
            m_frames.pop_back();
    }

    const LineTable &m_table;
    const QStringList &m_lines;
    int m_firstLine;
    QHash<QString, NodePosition> &m_out;
    std::vector<Frame> m_frames;
    int m_skipDepth = 0;
    bool m_mergeKey = false;
    const std::string *m_scalar = nullptr;
};

QString topLevelScalar(const QStringList &lines, QStringView key)
{
    for (const QString &line : lines) {
        if (line.startsWith(key) && line.mid(key.size()).startsWith(u':')) {
            QString value = line.mid(key.size() + 1);
            if (const qsizetype hash = value.indexOf(u" #"); hash >= 0)
                value.truncate(hash);
            value = value.trimmed();
            if (value.size() >= 2 && (value.front() == u'"' || value.front() == u'\''))
                value = value.mid(1, value.size() - 2);
            return value;
        }
    }
    return {};
}

YamlDocument parseDocument(const QStringList &lines, int firstLine)
{
    YamlDocument document;
    document.firstLine = firstLine;
    document.lastLine = firstLine + int(lines.size()) - 1;
    document.text = lines.join(u'\n');
    const QByteArray utf8 = document.text.toUtf8();
    const LineTable table(utf8, firstLine);

    if (auto parsed = core::parseYaml(utf8)) {
        document.value = *parsed;
    } else {
        core::YamlError error = parsed.error();
        if (error.line > 0) {
            const TextPosition at = table.toFile(error.line - 1, std::max(0, error.column - 1));
            error.line = at.line;
            error.column = error.column > 0 ? at.column : 0;
        } else {
            error.line = firstLine;
        }
        document.syntaxError = error;
    }

    // Positions even when the value did not parse: the part before the error still helps.
    if (!document.isEmpty()) {
        try {
            std::istringstream stream(std::string(utf8.constData(), size_t(utf8.size())));
            YAML::Parser parser(stream);
            PositionIndexer indexer(table, lines, firstLine, document.positions);
            parser.HandleNextDocument(indexer);
        } catch (const YAML::Exception &) {
            // The syntax error is reported from parseYaml; what was indexed stays.
        }
    }

    if (document.value.isObject()) {
        const QJsonObject object = document.value.toObject();
        const QJsonObject meta = object.value("metadata"_L1).toObject();
        document.apiVersion = object.value("apiVersion"_L1).toString();
        document.kind = object.value("kind"_L1).toString();
        document.namespaceName = meta.value("namespace"_L1).toString();
        document.name = meta.value("name"_L1).toString();
    } else if (document.syntaxError) {
        document.apiVersion = topLevelScalar(lines, u"apiVersion");
        document.kind = topLevelScalar(lines, u"kind");
    }
    return document;
}

// "labels[app]" steps (how validation names map entries) as "labels.app".
QString normalizedPath(const QString &path)
{
    if (!path.contains(u'['))
        return path;
    const QStringList steps = splitPath(path);
    QString out;
    for (const QString &step : steps)
        out = step.startsWith(u'[') ? out + step : joinPath(out, step);
    return out;
}

// The path without its last step ("" for a top-level key).
QString parentOf(const QString &path)
{
    if (path.endsWith(u']'))
        return path.left(path.lastIndexOf(u'['));
    const qsizetype dot = path.lastIndexOf(u'.');
    const qsizetype bracket = path.lastIndexOf(u']');
    if (dot < 0)
        return QString();
    return bracket > dot ? path.left(bracket + 1) : path.left(dot);
}

// --- the cursor ------------------------------------------------------------------------------

bool isBlank(QChar c)
{
    return c == u' ' || c == u'\t' || c == u'\r';
}

// One line as the cursor reader sees it: block structure only, from indentation, "- " and ":".
struct LineShape
{
    bool blank = true;  // empty, spaces or a comment only
    int indent = 0;     // the first non-blank column, 0-based
    QList<int> dashes;  // columns of the leading "- " item indicators
    int content = -1;   // where the text after the dashes starts
    int keyColumn = -1; // a "key:" written at content
    QString key;
    int colon = -1;
    int value = -1;           // the first non-blank after the colon, -1 when none (or a comment)
    bool blockScalar = false; // the value (or the item) is | or >
    int openBrackets = 0;     // [ and { of a flow value left open at the end of the line
};

// [ and { minus ] and }, outside quotes.
int bracketBalance(QStringView text)
{
    int depth = 0;
    QChar quote;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (!quote.isNull()) {
            if (c == quote)
                quote = QChar();
            else if (quote == u'"' && c == u'\\')
                ++i;
        } else if (c == u'"' || c == u'\'') {
            quote = c;
        } else if (c == u'#' && i > 0 && isBlank(text[i - 1])) {
            break;
        } else if (c == u'[' || c == u'{') {
            ++depth;
        } else if (c == u']' || c == u'}') {
            --depth;
        }
    }
    return depth;
}

LineShape shapeOf(QStringView line)
{
    LineShape s;
    int i = 0;
    const int n = int(line.size());
    while (i < n && isBlank(line[i]))
        ++i;
    if (i == n || line[i] == u'#')
        return s;
    s.blank = false;
    s.indent = i;
    while (i < n && line[i] == u'-' && (i + 1 == n || isBlank(line[i + 1]))) {
        s.dashes.append(i);
        for (++i; i < n && isBlank(line[i]);)
            ++i;
    }
    if (i == n || line[i] == u'#')
        return s;
    s.content = i;
    const QChar first = line[i];
    int keyEnd = -1; // just after the key's text
    if (first == u'"' || first == u'\'') {
        int j = i + 1;
        for (; j < n && line[j] != first; ++j)
            if (first == u'"' && line[j] == u'\\')
                ++j;
        int k = j + 1;
        while (k < n && isBlank(line[k]))
            ++k;
        if (j < n && k < n && line[k] == u':' && (k + 1 == n || isBlank(line[k + 1]))) {
            s.key = line.mid(i + 1, j - i - 1).toString();
            s.colon = k;
            keyEnd = j + 1;
        }
    } else if (!QStringView(u"{[|>*&!?%@`").contains(first)) {
        for (int k = i; k < n; ++k) {
            if (line[k] == u':' && (k + 1 == n || isBlank(line[k + 1]))) {
                s.colon = k;
                keyEnd = k;
                break;
            }
            if (line[k] == u'#' && isBlank(line[k - 1]))
                break;
        }
        if (keyEnd >= 0)
            s.key = line.mid(i, keyEnd - i).trimmed().toString();
    }
    int valueStart = s.content;
    if (keyEnd >= 0) {
        s.keyColumn = i;
        int v = s.colon + 1;
        while (v < n && isBlank(line[v]))
            ++v;
        s.value = v < n && line[v] != u'#' ? v : -1;
        valueStart = s.value;
    }
    if (valueStart < 0)
        return s;
    // An anchor or tag before the value ("key: &a |") does not change what the value is.
    int v = valueStart;
    while (v < n && (line[v] == u'&' || line[v] == u'!')) {
        while (v < n && !isBlank(line[v]))
            ++v;
        while (v < n && isBlank(line[v]))
            ++v;
    }
    if (v < n) {
        s.blockScalar = line[v] == u'|' || line[v] == u'>';
        if (line[v] == u'[' || line[v] == u'{')
            s.openBrackets = std::max(0, bracketBalance(line.mid(v)));
    }
    return s;
}

// Reads the lines of a document up to the cursor's to find the collections that hold it.
class CursorReader
{
public:
    CursorReader(const QStringList &lines, int last)
    {
        m_shapes.reserve(size_t(last) + 1);
        m_owner.assign(size_t(last) + 1, -1);
        int scalarOwner = -1;
        int scalarIndent = 0;
        int flowOwner = -1;
        int depth = 0;
        for (int j = 0; j <= last; ++j) {
            const QString &text = lines.at(j);
            m_shapes.push_back(shapeOf(text));
            if (scalarOwner >= 0) {
                qsizetype indent = 0;
                while (indent < text.size() && isBlank(text[indent]))
                    ++indent;
                if (indent == text.size() || indent > scalarIndent) {
                    m_owner[size_t(j)] = scalarOwner;
                    continue;
                }
                scalarOwner = -1;
            }
            if (flowOwner >= 0) {
                m_owner[size_t(j)] = flowOwner;
                depth += bracketBalance(text);
                if (depth <= 0)
                    flowOwner = -1;
                continue;
            }
            const LineShape &s = m_shapes.back();
            if (s.blockScalar) {
                scalarOwner = j;
                scalarIndent =
                    s.keyColumn >= 0 ? s.keyColumn : (s.dashes.isEmpty() ? -1 : s.dashes.last());
            } else if (s.openBrackets > 0) {
                flowOwner = j;
                depth = s.openBrackets;
            }
        }
    }

    const LineShape &shape(int line) const { return m_shapes[size_t(line)]; }
    // The line whose block scalar or flow collection this line continues, -1 when none.
    int owner(int line) const { return m_owner[size_t(line)]; }
    bool skipped(int line) const { return owner(line) >= 0 || shape(line).blank; }

    // The path of the collection holding what starts at column on line (right of its dashes).
    QString containerOf(int line, int column) const
    {
        const LineShape &here = shape(line);
        for (qsizetype i = here.dashes.size() - 1; i >= 0; --i)
            if (here.dashes[i] < column)
                return itemAt(line, here.dashes[i]);
        for (int j = line - 1; j >= 0; --j) {
            if (skipped(j))
                continue;
            const LineShape &s = shape(j);
            if (s.keyColumn >= 0 && s.keyColumn < column)
                return joinPath(containerOf(j, s.keyColumn), s.key);
            for (qsizetype i = s.dashes.size() - 1; i >= 0; --i)
                if (s.dashes[i] < column)
                    return itemAt(j, s.dashes[i]);
            if (s.indent < column)
                break; // text left of us that opens nothing: a top-level scalar
        }
        return QString();
    }

    // The path of the sequence item whose "-" is at column on line.
    QString itemAt(int line, int column) const
    {
        int index = 0;
        for (int j = line - 1; j >= 0; --j) {
            if (skipped(j))
                continue;
            const LineShape &s = shape(j);
            if (const qsizetype at = s.dashes.indexOf(column); at >= 0) {
                ++index;
                if (at > 0) // "- - a": the first item of a sequence inside an item
                    return indexPath(itemAt(j, s.dashes[at - 1]), index);
                continue;
            }
            // The key the sequence belongs to; at the dashes' own column when not indented.
            if (s.keyColumn >= 0 && s.keyColumn <= column)
                return indexPath(joinPath(containerOf(j, s.keyColumn), s.key), index);
            for (qsizetype i = s.dashes.size() - 1; i >= 0; --i)
                if (s.dashes[i] < column)
                    return indexPath(itemAt(j, s.dashes[i]), index);
            if (s.indent < column)
                break;
        }
        return indexPath(QString(), index);
    }

    // The field a line writes: its key, else its last item.
    QString fieldOf(int line) const
    {
        const LineShape &s = shape(line);
        if (s.keyColumn >= 0)
            return joinPath(containerOf(line, s.keyColumn), s.key);
        return s.dashes.isEmpty() ? containerOf(line, s.indent) : itemAt(line, s.dashes.last());
    }

private:
    std::vector<LineShape> m_shapes;
    std::vector<int> m_owner;
};

QString lastKey(const QString &path)
{
    if (path.endsWith(u']'))
        return QString();
    const QStringList steps = splitPath(path);
    return steps.isEmpty() ? QString() : steps.last();
}

// Inside a flow collection the indentation says nothing: the positions of its entries on the
// cursor's line do.
void refineInFlow(const YamlDocument &document, const QString &text, int line, int c,
                  CursorPlace &place)
{
    const QString base = place.path;
    QString bestPath;
    TextPosition best;
    bool bestIsKey = false;
    for (auto it = document.positions.cbegin(); it != document.positions.cend(); ++it) {
        const QString &path = it.key();
        if (path.size() <= base.size() || !path.startsWith(base) ||
            (!base.isEmpty() && path[base.size()] != u'.' && path[base.size()] != u'['))
            continue;
        for (const bool isKey : {true, false}) {
            const TextPosition at = isKey ? it->key : it->value;
            if (at.line == line && at.column - 1 <= c && (!best.isValid() || best < at)) {
                best = at;
                bestPath = path;
                bestIsKey = isKey;
            }
        }
    }
    if (!best.isValid())
        return;
    const int start = best.column - 1;
    const QStringView between = QStringView(text).mid(start, c - start);
    const QString parent = parentOf(bestPath);
    if (between.contains(u',')) { // past the entry: on the next one
        const QString after = between.mid(between.lastIndexOf(u',') + 1).trimmed().toString();
        if (bestPath.endsWith(u']')) {
            place = {CursorPlace::Role::Value, parent,
                     indexPath(parent, splitPath(bestPath).last().mid(1).chopped(1).toInt() + 1),
                     QString(), after};
        } else {
            place = {CursorPlace::Role::Key, parent,
                     after.isEmpty() ? parent : joinPath(parent, after), after, after};
        }
        return;
    }
    const QChar opening = start < text.size() ? text[start] : QChar();
    if (!bestIsKey && opening == u'{') { // just inside a flow map: its first key
        place = {CursorPlace::Role::Key, bestPath, bestPath, QString(), QString()};
        return;
    }
    if (bestIsKey && !between.contains(u':')) {
        const QString word = between.toString();
        place = {CursorPlace::Role::Key, parent, bestPath, lastKey(bestPath),
                 word.startsWith(u'"') || word.startsWith(u'\'') ? word.mid(1) : word};
        return;
    }
    const QString word = bestIsKey ? between.mid(between.indexOf(u':') + 1).trimmed().toString()
                                   : between.toString();
    place = {CursorPlace::Role::Value, parent, bestPath, lastKey(bestPath), word};
}

} // namespace

CursorPlace pathAt(const YamlDocument &document, int line, int column)
{
    CursorPlace place;
    const QStringList lines = document.text.split(u'\n');
    const int index = line - document.firstLine;
    if (index < 0 || index >= lines.size())
        return place;
    const CursorReader reader(lines, index);
    const QString &text = lines.at(index);
    const LineShape &s = reader.shape(index);
    int c = std::clamp(column - 1, 0, int(text.size()));

    if (const int owner = reader.owner(index); owner >= 0) {
        place.role = CursorPlace::Role::Value;
        place.path = reader.fieldOf(owner);
        place.parentPath = parentOf(place.path);
        place.key = lastKey(place.path);
        if (reader.shape(owner).openBrackets > 0)
            refineInFlow(document, text, line, c, place);
        return place;
    }
    if (s.blank) {
        place.parentPath = reader.containerOf(index, c);
        place.path = place.parentPath;
        return place;
    }
    c = std::max(c, s.indent);
    bool flow = false;
    if (s.keyColumn >= 0) {
        place.parentPath = reader.containerOf(index, s.keyColumn);
        place.key = s.key;
        place.path = joinPath(place.parentPath, s.key);
        if (c > s.colon) {
            place.role = CursorPlace::Role::Value;
            if (s.value >= 0 && c > s.value)
                place.word = text.mid(s.value, c - s.value);
            flow = s.value >= 0 && (text[s.value] == u'{' || text[s.value] == u'[');
        } else {
            place.word = text.mid(s.keyColumn, std::max(0, c - s.keyColumn));
            if (place.word.startsWith(u'"') || place.word.startsWith(u'\''))
                place.word.remove(0, 1);
        }
    } else if (!s.dashes.isEmpty()) {
        // "- " and maybe a word: an item, which may be a map whose first key is being typed.
        place.role = CursorPlace::Role::Value;
        place.path = reader.itemAt(index, s.dashes.last());
        place.parentPath = parentOf(place.path);
        if (s.content >= 0 && c > s.content)
            place.word = text.mid(s.content, c - s.content);
        flow = s.content >= 0 && (text[s.content] == u'{' || text[s.content] == u'[');
    } else {
        // A word with no colon yet: a key being typed, or a flow collection at the top.
        place.parentPath = reader.containerOf(index, s.indent);
        place.key = text.mid(s.indent).trimmed();
        place.path = joinPath(place.parentPath, place.key);
        place.word = text.mid(s.indent, c - s.indent);
        flow = text[s.indent] == u'{' || text[s.indent] == u'[';
        if (flow) {
            place.key.clear();
            place.path = place.parentPath;
        }
    }
    if (flow)
        refineInFlow(document, text, line, c, place);
    return place;
}

QStringList splitPath(QStringView path)
{
    QStringList steps;
    qsizetype i = 0;
    while (i < path.size()) {
        if (path[i] == u'.') {
            ++i;
            continue;
        }
        if (path[i] == u'[') {
            const qsizetype close = path.indexOf(u']', i);
            QStringView inside = path.mid(i + 1, (close < 0 ? path.size() : close) - i - 1);
            if (inside.size() >= 2 && (inside.front() == u'"' || inside.front() == u'\'') &&
                inside.back() == inside.front())
                inside = inside.sliced(1, inside.size() - 2); // ["app.kubernetes.io/name"]
            bool numeric = !inside.isEmpty();
            for (QChar c : inside)
                numeric = numeric && c.isDigit();
            steps.append(numeric ? u'[' + inside.toString() + u']' : inside.toString());
            i = close < 0 ? path.size() : close + 1;
            continue;
        }
        qsizetype end = i;
        while (end < path.size() && path[end] != u'.' && path[end] != u'[')
            ++end;
        steps.append(path.mid(i, end - i).toString());
        i = end;
    }
    return steps;
}

QString joinPath(const QString &parent, const QString &key)
{
    return parent.isEmpty() ? key : parent + u'.' + key;
}

QString indexPath(const QString &parent, int index)
{
    return parent + u'[' + QString::number(index) + u']';
}

std::optional<NodePosition> YamlDocument::position(const QString &path) const
{
    if (auto it = positions.constFind(path); it != positions.cend())
        return *it;
    if (auto it = positions.constFind(normalizedPath(path)); it != positions.cend())
        return *it;
    return std::nullopt;
}

std::pair<QString, NodePosition> YamlDocument::nearestPosition(const QString &path) const
{
    QString at = normalizedPath(path);
    while (true) {
        if (auto it = positions.constFind(at); it != positions.cend())
            return {at, *it};
        if (at.isEmpty())
            break;
        at = parentOf(at);
    }
    const TextPosition first{firstLine, 1};
    return {QString(), {first, first}};
}

int ManifestFile::documentAt(int line) const
{
    for (int i = 0; i < documents.size(); ++i)
        if (line <= documents.at(i).lastLine)
            return i;
    return -1;
}

ManifestFile parseManifestFile(const QString &text)
{
    ManifestFile file;
    const QStringList lines = text.split(u'\n');
    QStringList body;
    int firstLine = 1;
    auto finish = [&] {
        if (!body.isEmpty())
            file.documents.append(parseDocument(body, firstLine));
        body.clear();
    };
    for (int i = 0; i < lines.size(); ++i) {
        const QString &line = lines.at(i);
        if (isMarker(line, u"---")) {
            finish();
            if (hasContentAfterMarker(line)) {
                // "--- {a: 1}": the content belongs to the new document; keep its columns.
                firstLine = i + 1;
                body.append(u"   "_s + line.mid(3));
            } else {
                firstLine = i + 2;
            }
            continue;
        }
        if (isMarker(line, u"...")) {
            finish();
            firstLine = i + 2;
            continue;
        }
        body.append(line);
    }
    finish();
    return file;
}

} // namespace timonel::manifest
