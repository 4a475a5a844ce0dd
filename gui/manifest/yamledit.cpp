#include "manifest/yamledit.h"

#include "core/yaml.h"
#include "manifest/fieldpath_p.h"
#include "manifest/yamlstructure_p.h"
#include "manifest/yamlwriter_p.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>

namespace timonel::manifest {

using namespace detail;

namespace {
// This file's user-visible texts, translated in the "YamlEdit" context, as all of yamledit's.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(YamlEdit)
};

// --- edits on the structure ---------------------------------------------------------------------

// Where a path leads: the node reached, the entry holding it (-1: the root) and the collection
// holding that entry.
struct Place
{
    int node = -1;
    int entry = -1;
    int parent = -1;
};

// One Place per step found, the root's first.
QList<Place> locate(const Tree &tree, const Path &path)
{
    QList<Place> trail{{tree.root}};
    for (const Step &step : path) {
        const Node &node = tree.nodes[trail.last().node];
        int found = -1;
        if (!step.isIndex() && node.kind == Kind::Map) {
            for (int e : node.entries) {
                if (tree.entries[e].key == step.key)
                    found = e;
            }
        } else if (step.isIndex() && node.kind == Kind::Sequence &&
                   step.index < node.entries.size()) {
            found = node.entries[step.index];
        }
        if (found < 0)
            break;
        trail.append({tree.entries[found].value, found, trail.last().node});
    }
    return trail;
}

// Quotes stay as written (single or double) while the new string needs quoting at all.
QString scalarInPlace(const QJsonValue &value, Quote quote)
{
    if (!value.isString())
        return inlineText(value);
    const QString s = value.toString();
    if (isInlineValue(value) && !inlineText(value).startsWith(u'"'))
        return inlineText(value); // plain is enough
    const bool oneLine =
        std::none_of(s.begin(), s.end(), [](QChar c) { return c.unicode() < 0x20; });
    if (quote == Quote::Single && oneLine)
        return u'\'' + QString(s).replace(u'\'', QStringLiteral("''")) + u'\'';
    return isInlineValue(value) ? inlineText(value) : doubleQuoted(s);
}

bool isNullScalar(const Node &node, const QString &line)
{
    static const QStringList nulls = {QStringLiteral("null"), QStringLiteral("Null"),
                                      QStringLiteral("NULL"), QStringLiteral("~")};
    return node.kind == Kind::Scalar && node.quote == Quote::None && node.line == node.lastLine &&
           nulls.contains(line.mid(node.column, node.endColumn - node.column));
}

// Changes one document's lines; every step reads the structure afresh.
class Editor
{
public:
    Editor(QStringList &lines, int lineOffset) : m_lines(lines), m_offset(lineOffset) {}

    // `current` is the value at path before the change (undefined when missing).
    std::expected<void, QString> set(const Path &path, const QJsonValue &value,
                                     const QJsonValue &current)
    {
        auto tree = parseStructure(m_lines, m_offset);
        if (!tree)
            return std::unexpected(tree.error());
        if (!m_styleKnown) {
            m_style = detectStyle(*tree);
            m_styleKnown = true;
        }
        const QList<Place> trail = locate(*tree, path);
        const Place &place = trail.last();
        const Node &node = tree->nodes[place.node];
        const qsizetype found = trail.size() - 1;
        if (found < path.size())
            return setMissing(*tree, trail, path, value);
        if (isRemoval(value))
            return remove(*tree, trail);
        if (value.isObject() && node.kind == Kind::Map && current.isObject() &&
            !value.toObject().isEmpty()) {
            const QJsonObject now = current.toObject(), wanted = value.toObject();
            // Sets first, so removals never empty the map on the way.
            for (const QString &key : keyOrder(wanted)) {
                if (now.value(key) != wanted.value(key)) {
                    if (auto done = set(path + Path{{key}}, wanted.value(key), now.value(key));
                        !done)
                        return done;
                }
            }
            for (auto it = now.begin(); it != now.end(); ++it) {
                if (!wanted.contains(it.key())) {
                    if (auto done = set(path + Path{{it.key()}}, QJsonValue::Undefined, *it); !done)
                        return done;
                }
            }
            return {};
        }
        if (value.isArray() && node.kind == Kind::Sequence && current.isArray() &&
            !value.toArray().isEmpty()) {
            const QJsonArray now = current.toArray(), wanted = value.toArray();
            for (qsizetype i = 0; i < wanted.size(); ++i) {
                if (i < now.size() && now[i] == wanted[i])
                    continue;
                if (auto done = set(path + Path{{QString(), int(i)}}, wanted[i], now.at(i)); !done)
                    return done;
            }
            for (qsizetype i = now.size() - 1; i >= wanted.size(); --i) {
                if (auto done =
                        set(path + Path{{QString(), int(i)}}, QJsonValue::Undefined, now[i]);
                    !done)
                    return done;
            }
            return {};
        }
        const bool scalar = !value.isObject() && !value.isArray();
        if (scalar && node.kind == Kind::Scalar && node.line == node.lastLine &&
            (isInlineValue(value) || node.quote != Quote::None)) {
            replaceSpan(node, scalarInPlace(value, node.quote));
            return {};
        }
        if (!scalar && node.kind == Kind::Flow && !isEmptyFlow(node)) {
            replaceSpan(node, flowText(value));
            return {};
        }
        replaceNode(*tree, trail, value);
        return {};
    }

private:
    std::expected<void, QString> setMissing(const Tree &tree, const QList<Place> &trail,
                                            const Path &path, const QJsonValue &value)
    {
        const Node &node = tree.nodes[trail.last().node];
        const qsizetype found = trail.size() - 1;
        // A flow collection is rewritten whole, on one line; an empty one ("resources: {}",
        // as kubectl writes it) opens into block style.
        if (node.kind == Kind::Flow && !isEmptyFlow(node)) {
            QStringList span = m_lines.mid(node.line, node.lastLine - node.line + 1);
            span.last().truncate(node.endColumn);
            span.first().remove(0, node.column);
            const auto now = core::parseYaml(span.join(u'\n').toUtf8());
            if (!now)
                return std::unexpected(now.error().message);
            const auto wanted = setIn(*now, path, found, value);
            if (!wanted)
                return std::unexpected(wanted.error());
            replaceSpan(node, flowText(*wanted));
            return {};
        }
        if (isRemoval(value))
            return {};
        const Step &step = path[found];
        QJsonValue below = value; // what the missing step holds
        for (qsizetype i = path.size() - 1; i > found; --i) {
            if (path[i].isIndex() && path[i].index != 0)
                return std::unexpected(
                    Tr::tr("%1: the list has no items").arg(pathText(path.first(i))));
            below = path[i].isIndex() ? QJsonValue(QJsonArray{below})
                                      : QJsonValue(QJsonObject{{path[i].key, below}});
        }
        if (node.kind == Kind::Map && !step.isIndex()) {
            QStringList lines;
            writeValue(lines, spaces(node.column) + keyText(step.key) + u':', {}, below,
                       node.column, false, m_style);
            insertAfter(node.lastLine, lines);
            return {};
        }
        if (node.kind == Kind::Sequence && step.index == node.entries.size()) {
            QStringList lines;
            writeValue(lines, spaces(node.column) + u'-', {}, below, node.column, true, m_style);
            insertAfter(node.lastLine, lines);
            return {};
        }
        const bool empty = node.kind == Kind::Empty ||
                           isNullScalar(node, m_lines.value(node.line)) ||
                           (node.kind == Kind::Flow && isEmptyFlow(node));
        if (empty && (!step.isIndex() || step.index == 0)) {
            replaceNode(tree, trail,
                        step.isIndex() ? QJsonValue(QJsonArray{below})
                                       : QJsonValue(QJsonObject{{step.key, below}}));
            return {};
        }
        const QString here = pathText(path.first(found + 1));
        if (node.kind == Kind::Sequence && step.isIndex())
            return std::unexpected(
                Tr::tr("%1: the list has %n item(s)", nullptr, int(node.entries.size())).arg(here));
        return std::unexpected(step.isIndex()
                                   ? Tr::tr("%1: the value above it is not a list").arg(here)
                                   : Tr::tr("%1: the value above it is not a map").arg(here));
    }

    std::expected<void, QString> remove(const Tree &tree, const QList<Place> &trail)
    {
        const Place &place = trail.last();
        if (place.entry < 0) { // the whole document
            m_lines.clear();
            return {};
        }
        const Node &parent = tree.nodes[place.parent];
        if (parent.entries.size() == 1) { // leave an empty map or list behind, not null
            replaceNode(tree, trail.first(trail.size() - 1),
                        parent.kind == Kind::Map ? QJsonValue(QJsonObject())
                                                 : QJsonValue(QJsonArray()));
            return {};
        }
        const Entry &entry = tree.entries[place.entry];
        if (entry.column > indentOf(m_lines[entry.line]) && parent.entries.first() == place.entry) {
            // "- name: x" losing name: the next entry moves up after the dash.
            const Entry &next = tree.entries[parent.entries[1]];
            const QString merged =
                m_lines[entry.line].left(entry.column) + m_lines[next.line].mid(next.column);
            m_lines.remove(entry.line, next.line - entry.line + 1);
            m_lines.insert(entry.line, merged);
            return {};
        }
        m_lines.remove(entry.line, entry.lastLine - entry.line + 1);
        return {};
    }

    // Rewrites the node at the end of trail, keeping its key and the comment on the key's line.
    void replaceNode(const Tree &tree, const QList<Place> &trail, const QJsonValue &value)
    {
        const Place &place = trail.last();
        const Node &node = tree.nodes[place.node];
        QStringList lines;
        if (place.entry < 0) {
            if (value.isObject())
                writeMap(lines, value.toObject(), 0, m_style);
            else if (value.isArray())
                writeSequence(lines, value.toArray(), 0, m_style);
            else
                lines = yamlLines(value);
            if (node.kind == Kind::Empty) {
                m_lines += lines;
            } else {
                m_lines.remove(node.line, node.lastLine - node.line + 1);
                for (qsizetype i = 0; i < lines.size(); ++i)
                    m_lines.insert(node.line + i, lines[i]);
            }
            return;
        }
        const Entry &entry = tree.entries[place.entry];
        const QString &line = m_lines[entry.line];
        int from = entry.indicatorEnd;
        if (node.line == entry.line) {
            if (node.kind == Kind::BlockScalar)
                from = node.column;
            else if (node.kind == Kind::Empty)
                from = entry.indicatorEnd;
            else if (node.lastLine == entry.line)
                from = node.endColumn;
            else
                from = int(line.size());
        }
        writeValue(lines, line.left(entry.indicatorEnd), trailingComment(line, from), value,
                   entry.column, entry.item, m_style);
        m_lines.remove(entry.line, entry.lastLine - entry.line + 1);
        for (qsizetype i = 0; i < lines.size(); ++i)
            m_lines.insert(entry.line + i, lines[i]);
    }

    bool isEmptyFlow(const Node &node) const
    {
        if (node.line != node.lastLine)
            return false;
        const QString text =
            m_lines[node.line].mid(node.column, node.endColumn - node.column).remove(u' ');
        return text == u"{}" || text == u"[]";
    }

    void replaceSpan(const Node &node, const QString &text)
    {
        const QString merged = m_lines[node.line].left(node.column) + text +
                               m_lines[node.lastLine].mid(node.endColumn);
        m_lines.remove(node.line, node.lastLine - node.line + 1);
        m_lines.insert(node.line, merged);
    }

    void insertAfter(int line, const QStringList &lines)
    {
        for (qsizetype i = 0; i < lines.size(); ++i)
            m_lines.insert(line + 1 + i, lines[i]);
    }

    QStringList &m_lines;
    int m_offset;
    Style m_style;
    bool m_styleKnown = false;
};

} // namespace

// --- DocumentEdit -------------------------------------------------------------------------------

DocumentEdit::DocumentEdit(const QString &text, LineRange document)
    : m_original(splitLines(text)), m_lines(m_original),
      m_finalNewline(text.isEmpty() || text.endsWith(u'\n')),
      m_crlf(!m_original.isEmpty() && m_original.first().endsWith(u'\r')), m_document(document)
{
    // A range past the end stays there: every edit refuses it.
    m_document.first = qMax(1, m_document.first);
    m_document.last = m_document.first > m_lines.size() + 1
                          ? m_document.first - 1
                          : qBound(m_document.first - 1, m_document.last, int(m_lines.size()));
}

DocumentEdit::DocumentEdit(const QString &text, int document)
    : DocumentEdit(text, [&] {
          const QList<LineRange> ranges = documentRanges(text);
          if (document >= 0 && document < ranges.size())
              return ranges[document];
          // An empty file (or only comments) is one empty document; past the end of the others,
          // an empty range after them, which every edit refuses.
          return ranges.isEmpty() ? LineRange{1, lineCount(text)}
                                  : LineRange{lineCount(text) + 2, lineCount(text) + 1};
      }())
{
}

namespace {
std::expected<void, QString> changeDocument(QStringList &fileLines, LineRange &document, bool crlf,
                                            const QString &pathString, const QJsonValue &value)
{
    if (document.first > fileLines.size() + 1)
        return std::unexpected(Tr::tr("the file has no such document"));
    const auto path = parsePath(pathString);
    if (!path)
        return std::unexpected(path.error());
    QStringList lines = fileLines.mid(document.first - 1, document.count());
    if (crlf) {
        for (QString &line : lines) {
            if (line.endsWith(u'\r'))
                line.chop(1);
        }
    }
    const auto before = core::parseYaml((lines.join(u'\n') + u'\n').toUtf8());
    if (!before) {
        core::YamlError error = before.error();
        if (error.line > 0)
            error.line += document.first - 1;
        return std::unexpected(Tr::tr("the document is not valid YAML: %1")
                                   .arg(core::formatYamlError(error, QString())));
    }
    const auto wanted = setIn(*before, *path, 0, value);
    if (!wanted)
        return std::unexpected(wanted.error());
    if (*wanted == *before)
        return {};
    Editor editor(lines, document.first - 1);
    if (auto done = editor.set(*path, value, valueAtPath(*before, *path)); !done)
        return done;
    // The edit must read back as asked; anything else (anchors, aliases, merge keys, text this
    // reader got wrong) is refused rather than written.
    const auto after = core::parseYaml((lines.join(u'\n') + u'\n').toUtf8());
    if (!after || *after != *wanted)
        return std::unexpected(
            Tr::tr("%1 cannot be changed in place in this document").arg(pathText(*path)));
    if (crlf) {
        for (QString &line : lines)
            line += u'\r';
    }
    fileLines.remove(document.first - 1, document.count());
    for (qsizetype i = 0; i < lines.size(); ++i)
        fileLines.insert(document.first - 1 + i, lines[i]);
    document.last = document.first + int(lines.size()) - 1;
    return {};
}
} // namespace

std::expected<void, QString> DocumentEdit::setValue(const QString &path, const QJsonValue &value)
{
    return changeDocument(m_lines, m_document, m_crlf, path, value);
}

std::expected<void, QString> DocumentEdit::appendItem(const QString &path, const QJsonValue &item)
{
    const QJsonValue list = this->value();
    const auto steps = parsePath(path);
    if (!steps)
        return std::unexpected(steps.error());
    const QJsonValue current = valueAtPath(list, *steps);
    if (!current.isArray() && !current.isNull() && !current.isUndefined())
        return std::unexpected(Tr::tr("%1 is not a list").arg(path));
    return setValue(path + u'[' + QString::number(current.toArray().size()) + u']', item);
}

std::expected<void, QString> DocumentEdit::removeItem(const QString &path, int index)
{
    const auto steps = parsePath(path);
    if (!steps)
        return std::unexpected(steps.error());
    const QJsonValue current = valueAtPath(value(), *steps);
    if (!current.isArray() || index < 0 || index >= current.toArray().size())
        return std::unexpected(Tr::tr("%1 has no item %2").arg(path).arg(index));
    return setValue(path + u'[' + QString::number(index) + u']', QJsonValue::Undefined);
}

QString DocumentEdit::text() const
{
    if (m_lines.isEmpty())
        return {};
    return m_lines.join(u'\n') + (m_finalNewline ? QStringLiteral("\n") : QString());
}

LineRange DocumentEdit::document() const
{
    return m_document;
}

TextEdit DocumentEdit::edit() const
{
    const QString original =
        m_original.isEmpty()
            ? QString()
            : m_original.join(u'\n') + (m_finalNewline ? QStringLiteral("\n") : QString());
    return lineDiff(original, text());
}

QJsonValue DocumentEdit::value() const
{
    QStringList lines = m_lines.mid(m_document.first - 1, m_document.count());
    const auto parsed = core::parseYaml((lines.join(u'\n') + u'\n').toUtf8());
    return parsed ? *parsed : QJsonValue(QJsonValue::Undefined);
}

std::expected<QString, QString> setValue(const QString &text, const QString &path,
                                         const QJsonValue &value, int document)
{
    DocumentEdit edit(text, document);
    if (auto done = edit.setValue(path, value); !done)
        return std::unexpected(done.error());
    return edit.text();
}

std::expected<QString, QString> appendItem(const QString &text, const QString &path,
                                           const QJsonValue &item, int document)
{
    DocumentEdit edit(text, document);
    if (auto done = edit.appendItem(path, item); !done)
        return std::unexpected(done.error());
    return edit.text();
}

std::expected<QString, QString> removeItem(const QString &text, const QString &path, int index,
                                           int document)
{
    DocumentEdit edit(text, document);
    if (auto done = edit.removeItem(path, index); !done)
        return std::unexpected(done.error());
    return edit.text();
}

} // namespace timonel::manifest