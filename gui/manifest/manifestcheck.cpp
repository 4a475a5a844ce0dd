#include "manifestcheck.h"

#include "apiserver/schemacheck.h"
#include "core/schema.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace timonel::manifest {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("timonel::manifest", text);
}

bool isSeparator(QStringView line)
{
    return line == u"---" || line.startsWith(u"--- ") || line.startsWith(u"---\t");
}

// One line as the path locator reads it: where its content starts once a leading "- " is
// counted as indentation, and whether it opens a sequence item.
struct LineShape
{
    int indent = -1;     // -1: blank or comment only
    int dashIndent = -1; // the "-" column when the line opens a sequence item
    QStringView content;
};

LineShape shapeOf(QStringView line)
{
    LineShape shape;
    int i = 0;
    while (i < line.size() && line[i] == u' ')
        ++i;
    if (i == line.size() || line[i] == u'#')
        return shape;
    if (line[i] == u'-' && (i + 1 == line.size() || line[i + 1] == u' ')) {
        shape.dashIndent = i;
        int j = i + 1;
        while (j < line.size() && line[j] == u' ')
            ++j;
        shape.indent = j;
        shape.content = line.mid(j);
        return shape;
    }
    shape.indent = i;
    shape.content = line.mid(i);
    return shape;
}

// "containers[0]" -> ("containers", 0); "name" -> ("name", -1).
std::pair<QString, int> splitSegment(const QString &segment)
{
    static const QRegularExpression indexed(QStringLiteral(R"(^(.*)\[(\d+)\]$)"));
    const auto m = indexed.match(segment);
    if (m.hasMatch())
        return {m.captured(1), m.captured(2).toInt()};
    return {segment, -1};
}

QStringList pathSegments(const QString &path)
{
    // Keys with dots are not in the paths the checks report; brackets stay with their key.
    return path.split(u'.', Qt::SkipEmptyParts);
}

bool startsWithKey(QStringView content, const QString &key)
{
    for (const QString &written : {key, u'"' + key + u'"', u'\'' + key + u'\''})
        if (content.startsWith(written) && content.mid(written.size()).startsWith(u':'))
            return true;
    return false;
}

} // namespace

QList<ManifestDocument> splitDocuments(const QString &text)
{
    QList<ManifestDocument> documents;
    const QStringList lines = text.split(u'\n');
    ManifestDocument current;
    QStringList body;
    auto finish = [&](int lastLine) {
        current.lastLine = std::max(current.firstLine, lastLine);
        current.text = body.join(u'\n');
        auto parsed = core::parseYaml(current.text.toUtf8());
        if (parsed) {
            current.value = *parsed;
        } else {
            core::YamlError error = parsed.error();
            error.line = error.line > 0 ? error.line + current.firstLine - 1 : current.firstLine;
            current.syntaxError = error;
        }
        documents.append(current);
    };
    for (int i = 0; i < lines.size(); ++i) {
        const QString &line = lines.at(i);
        if (isSeparator(line) || line == u"...") {
            if (i > 0 || !body.isEmpty())
                finish(i); // the line before the separator (1-based i)
            current = ManifestDocument();
            current.firstLine = i + 2;
            body.clear();
            continue;
        }
        body.append(line);
    }
    if (!body.isEmpty() || documents.isEmpty())
        finish(int(lines.size()));
    // Empty documents between separators are dropped, as kubectl drops them.
    documents.removeIf([](const ManifestDocument &d) {
        return !d.syntaxError && (d.value.isNull() || d.value.isUndefined());
    });
    return documents;
}

std::pair<int, int> locatePath(const ManifestDocument &document, const QString &path)
{
    const QStringList lines = document.text.split(u'\n');
    int from = 0;
    int to = int(lines.size());
    int blockIndent = -1; // the indent of the keys of the current map; -1: the first found
    std::pair<int, int> found{document.firstLine, 1};
    for (const QString &segment : pathSegments(path)) {
        const auto [key, index] = splitSegment(segment);
        int keyLine = -1;
        for (int i = from; i < to; ++i) {
            const LineShape shape = shapeOf(lines.at(i));
            if (shape.indent < 0)
                continue;
            if (blockIndent < 0)
                blockIndent = shape.indent;
            if (shape.indent < blockIndent && shape.dashIndent < 0)
                break; // the map ended
            if (shape.indent == blockIndent && startsWithKey(shape.content, key)) {
                keyLine = i;
                break;
            }
        }
        if (keyLine < 0)
            return found;
        const LineShape keyShape = shapeOf(lines.at(keyLine));
        found = {document.firstLine + keyLine, keyShape.indent + 1};
        // The key's block: the lines after it, until one is not indented deeper.
        int end = keyLine + 1;
        while (end < to) {
            const LineShape shape = shapeOf(lines.at(end));
            const int start = shape.dashIndent >= 0 ? shape.dashIndent : shape.indent;
            if (shape.indent >= 0 && start <= keyShape.indent &&
                !(shape.dashIndent >= 0 && shape.dashIndent == keyShape.indent))
                break;
            ++end;
        }
        from = keyLine + 1;
        to = end;
        blockIndent = -1;
        if (index < 0)
            continue;
        // The index-th item of the sequence: a "- " line at the items' indentation.
        int dashIndent = -1;
        int seen = -1;
        int itemLine = -1;
        for (int i = from; i < to; ++i) {
            const LineShape shape = shapeOf(lines.at(i));
            if (shape.dashIndent < 0 || (dashIndent >= 0 && shape.dashIndent != dashIndent))
                continue;
            dashIndent = shape.dashIndent;
            if (++seen == index) {
                itemLine = i;
                break;
            }
        }
        if (itemLine < 0)
            return found;
        found = {document.firstLine + itemLine, dashIndent + 1};
        int itemEnd = itemLine + 1;
        while (itemEnd < to) {
            const LineShape shape = shapeOf(lines.at(itemEnd));
            if (shape.indent >= 0 && (shape.dashIndent == dashIndent || shape.indent <= dashIndent))
                break;
            ++itemEnd;
        }
        from = itemLine;
        to = itemEnd;
        blockIndent = shapeOf(lines.at(itemLine)).indent;
    }
    return found;
}

QList<Diagnostic> checkDocument(const ManifestDocument &document,
                                const core::SchemaRegistry &registry)
{
    QList<Diagnostic> out;
    auto at = [&](const QString &path, bool error, const QString &message) {
        const auto [line, column] = locatePath(document, path);
        out.append({line, column, error, message});
    };
    if (document.syntaxError) {
        out.append({document.syntaxError->line, std::max(1, document.syntaxError->column), true,
                    document.syntaxError->message});
        return out;
    }
    if (!document.value.isObject()) {
        out.append({document.firstLine, 1, true,
                    tr("a manifest document must be a mapping with apiVersion and kind")});
        return out;
    }
    const QJsonObject object = document.value.toObject();
    const QString apiVersion = object.value(QLatin1String("apiVersion")).toString();
    const QString kind = object.value(QLatin1String("kind")).toString();
    // kubectl's own words for these two.
    if (apiVersion.isEmpty())
        out.append({document.firstLine, 1, true, QStringLiteral("apiVersion not set")});
    if (kind.isEmpty())
        out.append({document.firstLine, 1, true, QStringLiteral("kind not set")});
    if (!out.isEmpty())
        return out;
    const QString group = apiVersion.contains(u'/') ? apiVersion.section(u'/', 0, 0) : QString();
    const QString version = apiVersion.section(u'/', -1);
    const core::ResourceInfo *resource = registry.resourceForKind(group, version, kind);
    if (!resource) {
        // A group the cluster may serve through a CustomResourceDefinition: only a warning.
        const bool builtInGroup =
            group.isEmpty() || !group.contains(u'.') || group.endsWith(QLatin1String(".k8s.io"));
        at(QStringLiteral("kind"), builtInGroup,
           QStringLiteral("no matches for kind \"%1\" in version \"%2\"").arg(kind, apiVersion));
        return out;
    }
    const QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    if (meta.value(QLatin1String("name")).toString().isEmpty() &&
        meta.value(QLatin1String("generateName")).toString().isEmpty())
        at(QStringLiteral("metadata.name"), true,
           QStringLiteral("metadata.name: Required value: name or generateName is required"));
    const apiserver::DecodeProblems decoded = apiserver::checkFields(object, resource->schema);
    // Worded as strict decoding reports them: `unknown field "spec.foo"`.
    for (const QString &problem : decoded.unknownFields)
        at(problem.section(u'"', 1, -2), true, problem);
    for (const apiserver::TypeMismatch &mismatch : decoded.typeErrors)
        at(mismatch.path, true,
           mismatch.goMessage.isEmpty()
               ? QStringLiteral("%1: Invalid value: \"%2\": %1 in body must be of type %3")
                     .arg(mismatch.path, mismatch.jsonType, mismatch.openApiType)
               : mismatch.goMessage);
    if (decoded.typeErrors.isEmpty())
        for (const apiserver::FieldError &e :
             apiserver::validateAgainstSchema(object, resource->schema))
            at(e.field, true, e.toString());
    std::ranges::stable_sort(out, [](const Diagnostic &a, const Diagnostic &b) {
        return std::pair(a.line, a.column) < std::pair(b.line, b.column);
    });
    return out;
}

QList<Diagnostic> checkManifest(const QString &text)
{
    return checkManifest(text, core::SchemaRegistry::builtIn());
}

QList<Diagnostic> checkManifest(const QString &text, const core::SchemaRegistry &registry)
{
    QList<Diagnostic> out;
    for (const ManifestDocument &document : splitDocuments(text))
        out.append(checkDocument(document, registry));
    return out;
}

} // namespace timonel::manifest
