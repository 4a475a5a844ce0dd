// A kustomization.yaml, read as kustomize reads it: unknown fields and values of the wrong type
// are errors (reported, and the field ignored); deprecated spellings (bases, imageTags, env) are
// folded into their current ones. Each entry keeps its line for the messages about it.
#pragma once

#include "gitops/kustomize.h"
#include "gitops/sourcetree.h"
#include "kustomizeconfig.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <expected>
#include <optional>

namespace timonel::gitops::kustomize {

using StringMap = QMap<QString, QString>;

struct GeneratorOptions
{
    StringMap labels;
    StringMap annotations;
    bool disableNameSuffixHash = false;
    bool immutable = false;
};

// A configMapGenerator or secretGenerator entry.
struct GeneratorArgs
{
    QString name;
    QString ns;
    QString behavior;
    QString type; // secrets only
    QStringList literals;
    QStringList files;
    QStringList envs;
    std::optional<GeneratorOptions> options;
    int line = 0;
};

struct ImageOverride
{
    QString name;
    QString newName;
    QString newTag;
    QString digest;
    int line = 0;
};

// A `labels` entry.
struct LabelSet
{
    StringMap pairs;
    bool includeSelectors = false;
    bool includeTemplates = false;
    bool includeVolumeClaimTemplates = false;
    FieldSpecs fields;
    int line = 0;
};

// kustomize's types.Selector, for patch targets.
struct PatchTarget
{
    QString group;
    QString version;
    QString kind;
    QString name; // a regular expression, anchored
    QString ns;   // a regular expression, anchored
    QString labelSelector;
    QString annotationSelector;
};

// A `patches`, `patchesStrategicMerge` or `patchesJson6902` entry.
struct PatchArgs
{
    QString path;
    QString patch;
    std::optional<PatchTarget> target;
    bool allowNameChange = false;
    bool allowKindChange = false;
    int line = 0;
};

struct ReplicaCount
{
    QString name;
    qint64 count = 0;
    int line = 0;
};

struct ListEntry
{
    QString value;
    int line = 0;
};

struct Kustomization
{
    QString directory; // in the tree; "" for its root
    QString file;      // the kustomization file's path in the tree

    QList<ListEntry> resources;
    QString ns;
    QString namePrefix;
    QString nameSuffix;
    StringMap commonLabels;
    QList<LabelSet> labels;
    StringMap commonAnnotations;
    QList<ImageOverride> images;
    QList<ReplicaCount> replicas;
    QList<GeneratorArgs> configMapGenerator;
    QList<GeneratorArgs> secretGenerator;
    std::optional<GeneratorOptions> generatorOptions;
    QList<PatchArgs> patchesStrategicMerge;
    QList<PatchArgs> patches;
    QList<PatchArgs> patchesJson6902;
};

// The kustomization file in directory, or nullopt with the problem reported.
std::optional<Kustomization> loadKustomization(const SourceTree &tree, const QString &directory,
                                               QList<RenderProblem> &problems);

// directory + "/" + relative, with "." and ".." resolved; nullopt when it leaves the tree.
std::optional<QString> resolvePath(const QString &directory, const QString &relative);

// True when path is directory or inside it.
bool isWithin(const QString &path, const QString &directory);

// A file the kustomization names, read as kustomize's loader reads it: relative to the
// kustomization's directory, and never from outside it. The error is kustomize's.
std::expected<QByteArray, QString> readKustomizationFile(const SourceTree &tree,
                                                         const Kustomization &kustomization,
                                                         const QString &relative);

} // namespace timonel::gitops::kustomize
