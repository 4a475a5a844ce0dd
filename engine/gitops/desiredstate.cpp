#include "desiredstate.h"

#include "core/yaml.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace timonel::gitops {

namespace {

bool isManifestName(const QString &name)
{
    return !name.startsWith(u'.') &&
           (name.endsWith(u".yaml"_s) || name.endsWith(u".yml"_s) || name.endsWith(u".json"_s));
}

void collect(const SourceTree &tree, const QString &directory, QStringList &files)
{
    for (const QString &name : tree.list(directory)) {
        const QString path = directory.isEmpty() ? name : directory + u'/' + name;
        if (name.endsWith(u'/')) {
            if (!name.startsWith(u'.'))
                collect(tree, path.chopped(1), files);
        } else if (isManifestName(name)) {
            files << path;
        }
    }
}

// A line that starts a new YAML document ("---", "--- # comment", "--- !tag").
bool isSeparator(QByteArrayView line)
{
    return line.startsWith("---") &&
           (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
}

} // namespace

void readManifestFile(const QString &file, const QByteArray &text, DesiredState &into)
{
    // Documents split on their separator lines, so each keeps its first line for messages.
    QList<QPair<int, QByteArray>> documents{qMakePair(1, QByteArray())};
    int lineNumber = 0;
    for (const QByteArray &line : text.split('\n')) {
        ++lineNumber;
        if (isSeparator(line)) {
            documents.append(qMakePair(lineNumber + 1, QByteArray()));
            continue;
        }
        if (line.trimmed() == "...")
            continue;
        documents.last().second += line + '\n';
    }
    for (const auto &[firstLine, document] : std::as_const(documents)) {
        auto value = core::parseYaml(document);
        if (!value) {
            // An error found at the end of the text (an unclosed bracket) is on its last line.
            QByteArray written = document;
            while (written.endsWith('\n'))
                written.chop(1);
            const int last = firstLine + int(written.count('\n'));
            const int line = value.error().line > 0
                                 ? std::min(firstLine + value.error().line - 1, last)
                                 : firstLine;
            into.problems.append({file, line, value.error().message});
            continue;
        }
        if (value->isNull())
            continue;
        if (!value->isObject() || value->toObject().value(u"kind").toString().isEmpty()) {
            into.problems.append({file, firstLine, u"not a Kubernetes object: no kind"_s});
            continue;
        }
        into.objects.append({value->toObject(), file, firstLine});
    }
}

DesiredState readDesiredState(const SourceTree &tree)
{
    DesiredState state;
    if (isKustomization(tree, QString())) {
        RenderResult rendered = renderKustomization(tree, QString());
        state.objects = std::move(rendered.objects);
        state.problems = std::move(rendered.problems);
        return state;
    }
    QStringList files;
    collect(tree, QString(), files);
    for (const QString &file : std::as_const(files))
        if (const std::optional<QByteArray> text = tree.read(file))
            readManifestFile(file, *text, state);
    return state;
}

} // namespace timonel::gitops
