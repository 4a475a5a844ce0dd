// The objects a kustomization build carries from step to step, with the history kustomize keeps
// in its build annotations: the ids an object had before a namespace, prefix, suffix or hash
// renamed it, and the prefixes and suffixes it got. Name references are fixed from that
// history once the whole build is done.
#pragma once

#include "gitops/kustomize.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace timonel::gitops::kustomize {

// kyaml's resid.ResId: group, version, kind, name and namespace.
struct ResId
{
    QString group;
    QString version;
    QString kind;
    QString name;
    QString ns;
    bool clusterScoped = false;

    // "default" for an empty namespace; one shared value for cluster-scoped objects.
    QString effectiveNamespace() const;
    bool sameNamespace(const ResId &other) const;
    // Same group, version, kind, name and effective namespace.
    bool equals(const ResId &other) const;
    // kustomize's form: "ConfigMap.v1.[noGrp]/settings.[noNs]".
    QString toString() const;
};

enum class Behavior
{
    Unspecified,
    Create,
    Merge,
    Replace,
};

struct Resource
{
    QJsonObject object;
    QString file;
    int line = 0;

    struct PreviousName
    {
        QString kind;
        QString name;
        QString ns; // effective namespace at the time
    };
    QList<PreviousName> previousNames; // oldest first
    QStringList prefixes;
    QStringList suffixes;
    bool hashSuffix = false; // a generated ConfigMap or Secret, to be suffixed with its hash
    Behavior behavior = Behavior::Unspecified;

    QString apiVersion() const;
    QString kind() const;
    QString name() const;
    QString ns() const;
    void setName(const QString &name);
    void setNamespace(const QString &ns);                              // "" removes it
    QJsonObject metadataMap(const QString &field) const;               // labels or annotations
    void setMetadataMap(const QString &field, const QJsonObject &map); // {} removes it

    ResId currentId() const;
    // Previous ids carry the current group and version, and are never cluster-scoped (as
    // kustomize rebuilds them from its annotations).
    QList<ResId> previousIds() const;
    ResId originalId() const;
    // Remembers the current id before a transformer renames the object.
    void storePreviousId();
};

using Resources = QList<Resource>;

// Indexes of the resources whose current or any previous id equals id.
QList<qsizetype> indexesMatchingAnyId(const Resources &resources, const ResId &id);

// Appends resource, or gives kustomize's error when its id is already there.
std::optional<QString> appendResource(Resources &resources, Resource resource);

// The objects of a manifest file: documents in order (empty ones skipped), then the items of
// any List. Documents that do not parse or are not objects with a kind and a name are reported
// with their line and left out.
Resources resourcesFromYaml(const QByteArray &text, const QString &file,
                            QList<RenderProblem> &problems);

// One document of a YAML stream: its text and the line it starts on.
struct YamlDocument
{
    QByteArray text;
    int firstLine = 1;   // of text in the stream
    int contentLine = 1; // first line that is not blank, a comment or a "---" marker
    int lastLine = 1;    // last line that is not blank
};

QList<YamlDocument> splitYamlDocuments(const QByteArray &text);

} // namespace timonel::gitops::kustomize
