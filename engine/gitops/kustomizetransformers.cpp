#include "kustomizetransformers.h"

#include "kustomizefieldpath.h"
#include "kustomizepatches.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace timonel::gitops::kustomize {

namespace {

using namespace Qt::StringLiterals;

void report(QList<RenderProblem> &problems, const Resource &resource, const QString &message)
{
    problems.append({resource.file, resource.line, message});
}

// Sets key=value in the label or annotation map a path ends at.
FieldSetter mapEntrySetter(const QString &key, const QString &value)
{
    return [key, value](QJsonValue &node) -> std::optional<QString> {
        if (node.isNull() || node.isUndefined())
            return std::nullopt;
        if (!node.isObject())
            return u"wrong node kind: expected MappingNode but got %1"_s.arg(
                node.isArray() ? u"SequenceNode"_s : u"ScalarNode"_s);
        QJsonObject map = node.toObject();
        map.insert(key, value);
        node = map;
        return std::nullopt;
    };
}

FieldSetter scalarSetter(const std::function<QString(const QString &)> &value)
{
    return [value](QJsonValue &node) -> std::optional<QString> {
        if (node.isArray() || node.isObject())
            return u"wrong node kind: expected ScalarNode but got %1"_s.arg(
                node.isArray() ? u"SequenceNode"_s : u"MappingNode"_s);
        node = value(node.toString());
        return std::nullopt;
    };
}

void addToName(Resources &resources, const QString &text, bool prefix,
               QList<RenderProblem> &problems)
{
    const QList<Gvk> &skipped = kindsNeverPrefixed();
    const FieldSpec spec{{}, u"metadata/name"_s, false};
    for (Resource &resource : resources) {
        const ResId original = resource.originalId();
        const auto selects = [&](const Gvk &gvk) {
            return gvk.selects(original.group, original.version, original.kind);
        };
        if (std::any_of(skipped.begin(), skipped.end(), selects) || !selects(spec.gvk))
            continue;
        (prefix ? resource.prefixes : resource.suffixes).append(text);
        resource.storePreviousId();
        const auto setter =
            scalarSetter([&](const QString &name) { return prefix ? text + name : name + text; });
        if (auto error = applyFieldSpec(resource, spec, true, u""_s, setter))
            report(problems, resource, *error);
    }
}

// image.Split: name, tag and digest of "registry:5000/name:tag@sha256:...".
struct ImageParts
{
    QString name;
    QString tag;
    QString digest;
};

ImageParts splitImage(const QString &image)
{
    qsizetype slash = image.indexOf(u'/');
    const QStringView search = slash > 0 ? QStringView(image).mid(slash) : QStringView(image);
    if (slash <= 0)
        slash = 0;
    qsizetype at = search.indexOf(u'@');
    qsizetype colon = search.indexOf(u':');
    if (colon < 0 && at < 0)
        return {image, {}, {}};
    if (at >= 0 && (at < colon || colon < 0)) {
        at += slash;
        return {image.left(at), {}, image.mid(at + 1)};
    }
    if (at >= 0 && colon >= 0) {
        at += slash;
        colon += slash;
        return {image.left(colon), image.mid(colon + 1, at - colon - 1), image.mid(at + 1)};
    }
    colon += slash;
    return {image.left(colon), image.mid(colon + 1), {}};
}

// imageTagUpdater.SetImageValue; the name is a regular expression, as in kustomize.
class ImageUpdater
{
public:
    explicit ImageUpdater(const ImageOverride &image)
        : m_image(image),
          m_pattern(
              u"^"_s + image.name +
              uR"((:[a-zA-Z0-9_.{}-]*)?(@[a-zA-Z0-9]+([.+_-][a-zA-Z0-9]+)*:[a-zA-Z0-9_.{}-]*)?$)"_s)
    {
    }

    bool update(QJsonValue &value) const
    {
        if (!value.isString() || !m_pattern.isValid() ||
            !m_pattern.match(value.toString()).hasMatch())
            return false;
        ImageParts parts = splitImage(value.toString());
        if (!m_image.newName.isEmpty())
            parts.name = m_image.newName;
        if (!m_image.newTag.isEmpty() && !m_image.digest.isEmpty()) {
            parts.tag = m_image.newTag;
            parts.digest = m_image.digest;
        } else if (!m_image.newTag.isEmpty()) {
            parts.tag = m_image.newTag;
            parts.digest.clear();
        } else if (!m_image.digest.isEmpty()) {
            parts.tag.clear();
            parts.digest = m_image.digest;
        }
        QString result = parts.name;
        if (!parts.tag.isEmpty())
            result += u':' + parts.tag;
        if (!parts.digest.isEmpty())
            result += u'@' + parts.digest;
        value = result;
        return true;
    }

    // imagetag.LegacyFilter: the image of every container and init container, wherever a
    // "containers" or "initContainers" list is in the object.
    void updateContainers(QJsonValue &node) const
    {
        if (node.isArray()) {
            QJsonArray array = node.toArray();
            for (qsizetype i = 0; i < array.size(); ++i) {
                QJsonValue element = array.at(i);
                updateContainers(element);
                array[i] = element;
            }
            node = array;
            return;
        }
        if (!node.isObject())
            return;
        QJsonObject object = node.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            QJsonValue value = it.value();
            updateContainers(value);
            if ((it.key() == u"containers"_s || it.key() == u"initContainers"_s) &&
                value.isArray()) {
                QJsonArray containers = value.toArray();
                for (qsizetype i = 0; i < containers.size(); ++i) {
                    QJsonObject container = containers.at(i).toObject();
                    QJsonValue image = container.value(u"image"_s);
                    if (containers.at(i).isObject() && update(image)) {
                        container.insert(u"image"_s, image);
                        containers[i] = container;
                    }
                }
                value = containers;
            }
            it.value() = value;
        }
        node = object;
    }

private:
    ImageOverride m_image;
    QRegularExpression m_pattern;
};

FieldSpecs labelFieldSpecs(const LabelSet &set, bool &ok)
{
    FieldSpecs specs = set.fields;
    ok = true;
    if (set.includeSelectors) {
        ok = mergeFieldSpecs(specs, commonLabelFieldSpecs());
    } else {
        if (set.includeTemplates)
            ok = mergeFieldSpecs(specs, templateLabelFieldSpecs());
        if (set.includeVolumeClaimTemplates)
            ok = ok && mergeFieldSpecs(specs, volumeClaimTemplateLabelFieldSpecs());
        ok = ok && mergeFieldSpecs(specs, {{{}, u"metadata/labels"_s, true}});
    }
    return specs;
}

} // namespace

void setNamespace(Resources &resources, const QString &ns, QList<RenderProblem> &problems)
{
    for (Resource &resource : resources) {
        if (resource.object.isEmpty())
            continue;
        resource.storePreviousId();
        const ResId id = resource.currentId();
        if (!id.clusterScoped)
            resource.setNamespace(ns);
        // The subjects named "default" of role bindings: the default service account of the
        // namespace the objects go to (kustomize's setRoleBindingSubjects: defaultOnly).
        if (id.kind == u"RoleBinding"_s || id.kind == u"ClusterRoleBinding"_s) {
            QJsonArray subjects = resource.object.value(u"subjects"_s).toArray();
            for (qsizetype i = 0; i < subjects.size(); ++i) {
                QJsonObject subject = subjects.at(i).toObject();
                if (subject.value(u"name"_s).toString() == u"default"_s) {
                    subject.insert(u"namespace"_s, ns);
                    subjects[i] = subject;
                }
            }
            if (resource.object.value(u"subjects"_s).isArray())
                resource.object.insert(u"subjects"_s, subjects);
        }
        for (const FieldSpec &spec : namespaceFieldSpecs()) {
            if (spec.path == u"metadata/name"_s && resource.apiVersion() != u"v1"_s)
                continue;
            const auto setter = scalarSetter([&](const QString &) { return ns; });
            if (auto error = applyFieldSpec(resource, spec, true, u""_s, setter))
                report(problems, resource, u"namespace transformation failed: "_s + *error);
        }
    }
    for (qsizetype i = 0; i < resources.size(); ++i) {
        for (qsizetype j = i + 1; j < resources.size(); ++j) {
            if (resources[i].currentId().equals(resources[j].currentId())) {
                report(problems, resources[j],
                       u"namespace transformation produces ID conflict: %1"_s.arg(
                           resources[j].currentId().toString()));
            }
        }
    }
}

void addNamePrefix(Resources &resources, const QString &prefix, QList<RenderProblem> &problems)
{
    addToName(resources, prefix, true, problems);
}

void addNameSuffix(Resources &resources, const QString &suffix, QList<RenderProblem> &problems)
{
    addToName(resources, suffix, false, problems);
}

void addLabels(Resources &resources, const StringMap &labels, const FieldSpecs &specs,
               QList<RenderProblem> &problems)
{
    for (Resource &resource : resources) {
        for (auto label = labels.begin(); label != labels.end(); ++label) {
            for (const FieldSpec &spec : specs) {
                if (auto error = applyFieldSpec(resource, spec, true, QJsonObject(),
                                                mapEntrySetter(label.key(), label.value()))) {
                    report(problems, resource, *error);
                }
            }
        }
    }
}

void addAnnotations(Resources &resources, const StringMap &annotations,
                    QList<RenderProblem> &problems)
{
    for (Resource &resource : resources) {
        for (auto annotation = annotations.begin(); annotation != annotations.end(); ++annotation) {
            for (const FieldSpec &spec : commonAnnotationFieldSpecs()) {
                if (auto error =
                        applyFieldSpec(resource, spec, true, QJsonObject(),
                                       mapEntrySetter(annotation.key(), annotation.value()))) {
                    report(problems, resource, *error);
                }
            }
        }
    }
}

void setImage(Resources &resources, const ImageOverride &image, QList<RenderProblem> &problems)
{
    const ImageUpdater updater(image);
    const FieldSetter setter = [&](QJsonValue &node) -> std::optional<QString> {
        updater.update(node);
        return std::nullopt;
    };
    for (Resource &resource : resources) {
        if (resource.kind() == u"CustomResourceDefinition"_s)
            continue;
        QJsonValue object = resource.object;
        updater.updateContainers(object);
        resource.object = object.toObject();
        for (const FieldSpec &spec : imageFieldSpecs()) {
            if (auto error = applyFieldSpec(resource, spec, false, {}, setter))
                report(problems, resource, *error);
        }
    }
}

bool setReplicas(Resources &resources, const ReplicaCount &replicas, QList<RenderProblem> &problems)
{
    bool found = false;
    for (const FieldSpec &spec : replicaFieldSpecs()) {
        for (Resource &resource : resources) {
            QList<ResId> ids = resource.previousIds();
            ids.append(resource.currentId());
            const bool matches = std::any_of(ids.begin(), ids.end(), [&](const ResId &id) {
                return id.name == replicas.name && spec.gvk.selects(id.group, id.version, id.kind);
            });
            if (!matches)
                continue;
            found = true;
            const FieldSetter setter = [&](QJsonValue &node) -> std::optional<QString> {
                node = double(replicas.count);
                return std::nullopt;
            };
            if (auto error = applyFieldSpec(resource, spec, true, 0, setter))
                report(problems, resource, *error);
        }
    }
    return found;
}

void runTransformers(const Kustomization &kustomization, const SourceTree &tree,
                     Resources &resources, QList<RenderProblem> &problems)
{
    const Kustomization &k = kustomization;
    applyStrategicMergePatches(k, tree, resources, problems);
    applyPatches(k, tree, resources, problems);
    if (!k.ns.isEmpty())
        setNamespace(resources, k.ns, problems);
    if (!k.namePrefix.isEmpty())
        addNamePrefix(resources, k.namePrefix, problems);
    if (!k.nameSuffix.isEmpty())
        addNameSuffix(resources, k.nameSuffix, problems);
    for (const LabelSet &set : k.labels) {
        bool ok = true;
        const FieldSpecs specs = labelFieldSpecs(set, ok);
        if (!ok) {
            problems.append(
                {k.file, set.line, u"failed to merge labels: conflicting fieldspecs"_s});
            continue;
        }
        addLabels(resources, set.pairs, specs, problems);
    }
    if (!k.commonLabels.isEmpty())
        addLabels(resources, k.commonLabels, commonLabelFieldSpecs(), problems);
    if (!k.commonAnnotations.isEmpty())
        addAnnotations(resources, k.commonAnnotations, problems);
    applyJson6902Patches(k, tree, resources, problems);
    for (const ReplicaCount &replicas : k.replicas) {
        if (!setReplicas(resources, replicas, problems)) {
            problems.append(
                {k.file, replicas.line,
                 u"resource with name %1 does not match a config with the following "
                 "GVK [Deployment.[noVer].[noGrp] ReplicationController.[noVer].[noGrp] "
                 "ReplicaSet.[noVer].[noGrp] StatefulSet.[noVer].[noGrp]]"_s.arg(replicas.name)});
        }
    }
    for (const ImageOverride &image : k.images)
        setImage(resources, image, problems);
}

} // namespace timonel::gitops::kustomize
