#include "kustomizeresource.h"

#include "kustomizeconfig.h"

#include "core/yaml.h"

#include <QJsonArray>

#include <algorithm>

namespace timonel::gitops::kustomize {

namespace {

using namespace Qt::StringLiterals;

// kyaml's markers for empty parts of an id.
const QString noNamespace = u"[noNs]"_s;
const QString noName = u"[noName]"_s;
const QString notNamespaceable = u"_non_namespaceable_"_s;

bool isDocumentMarker(const QByteArray &line)
{
    return line.startsWith("---") &&
           (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r');
}

bool isBlankOrComment(const QByteArray &line)
{
    const QByteArray trimmed = line.trimmed();
    return trimmed.isEmpty() || trimmed.startsWith('#');
}

// Lists (kind ending in "List" with items) are replaced by their items, after the other
// documents, as kustomize's resource factory does.
void appendObject(Resources &resources, QList<Resource> &listItems, const QJsonObject &object,
                  const QString &file, int line, QList<RenderProblem> &problems)
{
    const QString kind = object.value(u"kind"_s).toString();
    if (kind.isEmpty()) {
        problems.append({file, line, u"missing kind in object"_s});
        return;
    }
    if (kind.endsWith(u"List"_s) && object.contains(u"items"_s)) {
        const QJsonValue items = object.value(u"items"_s);
        if (items.isNull())
            return;
        if (!items.isArray()) {
            problems.append({file, line, u"expected array in %1/items"_s.arg(kind)});
            return;
        }
        for (const QJsonValue &item : items.toArray()) {
            if (!item.isObject()) {
                problems.append({file, line, u"expected an object in %1/items"_s.arg(kind)});
                continue;
            }
            listItems.append({item.toObject(), file, line});
        }
        return;
    }
    if (object.value(u"metadata"_s).toObject().value(u"name"_s).toString().isEmpty()) {
        problems.append({file, line, u"missing metadata.name in object %1"_s.arg(kind)});
        return;
    }
    resources.append({object, file, line});
}

} // namespace

QString ResId::effectiveNamespace() const
{
    if (clusterScoped)
        return notNamespaceable;
    if (ns.isEmpty())
        return u"default"_s;
    return ns;
}

bool ResId::sameNamespace(const ResId &other) const
{
    return effectiveNamespace() == other.effectiveNamespace();
}

bool ResId::equals(const ResId &other) const
{
    return sameNamespace(other) && group == other.group && version == other.version &&
           kind == other.kind && name == other.name;
}

QString ResId::toString() const
{
    const QString gvk = (kind.isEmpty() ? u"[noKind]"_s : kind) + u'.' +
                        (version.isEmpty() ? u"[noVer]"_s : version) + u'.' +
                        (group.isEmpty() ? u"[noGrp]"_s : group);
    return gvk + u'/' + (name.isEmpty() ? noName : name) + u'.' + (ns.isEmpty() ? noNamespace : ns);
}

QString Resource::apiVersion() const
{
    return object.value(u"apiVersion"_s).toString();
}

QString Resource::kind() const
{
    return object.value(u"kind"_s).toString();
}

QString Resource::name() const
{
    return object.value(u"metadata"_s).toObject().value(u"name"_s).toString();
}

QString Resource::ns() const
{
    return object.value(u"metadata"_s).toObject().value(u"namespace"_s).toString();
}

void Resource::setName(const QString &name)
{
    QJsonObject metadata = object.value(u"metadata"_s).toObject();
    metadata.insert(u"name"_s, name);
    object.insert(u"metadata"_s, metadata);
}

void Resource::setNamespace(const QString &ns)
{
    QJsonObject metadata = object.value(u"metadata"_s).toObject();
    if (ns.isEmpty())
        metadata.remove(u"namespace"_s);
    else
        metadata.insert(u"namespace"_s, ns);
    object.insert(u"metadata"_s, metadata);
}

QJsonObject Resource::metadataMap(const QString &field) const
{
    return object.value(u"metadata"_s).toObject().value(field).toObject();
}

void Resource::setMetadataMap(const QString &field, const QJsonObject &map)
{
    QJsonObject metadata = object.value(u"metadata"_s).toObject();
    if (map.isEmpty())
        metadata.remove(field);
    else
        metadata.insert(field, map);
    object.insert(u"metadata"_s, metadata);
}

ResId Resource::currentId() const
{
    const auto [group, version] = splitApiVersion(apiVersion());
    return {group, version, kind(), name(), ns(), isClusterScoped(apiVersion(), kind())};
}

QList<ResId> Resource::previousIds() const
{
    const auto [group, version] = splitApiVersion(apiVersion());
    QList<ResId> ids;
    for (const PreviousName &previous : previousNames)
        ids.append({group, version, previous.kind, previous.name, previous.ns, false});
    return ids;
}

ResId Resource::originalId() const
{
    const QList<ResId> ids = previousIds();
    return ids.isEmpty() ? currentId() : ids.front();
}

void Resource::storePreviousId()
{
    const ResId id = currentId();
    previousNames.append({id.kind, id.name, id.effectiveNamespace()});
}

QList<qsizetype> indexesMatchingAnyId(const Resources &resources, const ResId &id)
{
    QList<qsizetype> indexes;
    for (qsizetype i = 0; i < resources.size(); ++i) {
        QList<ResId> ids = resources[i].previousIds();
        ids.append(resources[i].currentId());
        for (const ResId &candidate : std::as_const(ids)) {
            if (id.equals(candidate)) {
                indexes.append(i);
                break;
            }
        }
    }
    return indexes;
}

std::optional<QString> appendResource(Resources &resources, Resource resource)
{
    const ResId id = resource.currentId();
    for (const Resource &existing : std::as_const(resources)) {
        if (existing.currentId().equals(id))
            return u"may not add resource with an already registered id: %1"_s.arg(id.toString());
    }
    resources.append(std::move(resource));
    return std::nullopt;
}

QList<YamlDocument> splitYamlDocuments(const QByteArray &text)
{
    QList<YamlDocument> documents;
    const QList<QByteArray> lines = text.split('\n');
    YamlDocument current;
    bool seenContent = false;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray &line = lines[i];
        const int lineNumber = int(i) + 1;
        if (isDocumentMarker(line) && i > 0) {
            documents.append(current);
            current = YamlDocument{{}, lineNumber, lineNumber};
            seenContent = false;
        }
        if (!seenContent && !isBlankOrComment(line) && !isDocumentMarker(line)) {
            current.contentLine = lineNumber;
            seenContent = true;
        }
        if (!line.trimmed().isEmpty())
            current.lastLine = lineNumber;
        current.text += line;
        if (i + 1 < lines.size())
            current.text += '\n';
    }
    documents.append(current);
    return documents;
}

Resources resourcesFromYaml(const QByteArray &text, const QString &file,
                            QList<RenderProblem> &problems)
{
    Resources resources;
    QList<Resource> listItems;
    for (const YamlDocument &document : splitYamlDocuments(text)) {
        const auto parsed = core::parseYaml(document.text);
        if (!parsed) {
            // An error found at the end of the text (an unclosed bracket) is shown on the
            // document's last line rather than on the next document's marker.
            const int line = parsed.error().line > 0
                                 ? std::min(document.firstLine + parsed.error().line - 1,
                                            std::max(document.lastLine, document.firstLine))
                                 : document.contentLine;
            problems.append(
                {file, line,
                 u"MalformedYAMLError: yaml: line %1: %2"_s.arg(line).arg(parsed.error().message)});
            continue;
        }
        if (parsed->isNull())
            continue;
        if (!parsed->isObject()) {
            problems.append({file, document.contentLine,
                             u"expected a YAML object, found %1"_s.arg(
                                 parsed->isArray() ? u"a sequence"_s : u"a scalar"_s)});
            continue;
        }
        appendObject(resources, listItems, parsed->toObject(), file, document.contentLine,
                     problems);
    }
    // Items may be Lists themselves: they append to listItems as it is walked.
    for (qsizetype i = 0; i < listItems.size(); ++i) {
        const Resource item = listItems[i];
        appendObject(resources, listItems, item.object, item.file, item.line, problems);
    }
    return resources;
}

} // namespace timonel::gitops::kustomize
