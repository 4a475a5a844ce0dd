// Renders a kustomization the way `kustomize build` (v5) does, for what GitOps syncs use:
// resources (files and nested kustomizations), namespace, namePrefix/nameSuffix with the name
// references kustomize fixes up, commonLabels/labels, commonAnnotations, images, replicas,
// patches, and ConfigMap/Secret generators with kustomize's name-content hash suffixes.
// Objects come out in resource order (kustomize v5's default, `sortOptions` absent).
#pragma once

#include "gitops/sourcetree.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace timonel::gitops {

struct RenderedObject
{
    QJsonObject object;
    QString file; // where it came from: a manifest, or the kustomization that generated it
    int line = 0; // 1-based line of its document (or generator entry); 0 when unknown
};

struct RenderProblem
{
    QString file;
    int line = 0;    // 1-based; 0 when unknown
    QString message; // one line, worded like kustomize's errors
};

struct RenderResult
{
    QList<RenderedObject> objects;
    QList<RenderProblem> problems; // what could not be rendered; the rest still is
};

// The names kustomize recognizes, in the order it looks for them.
QStringList kustomizationFileNames();

// True when directory holds a kustomization.yaml, kustomization.yml or Kustomization.
// directory is relative to the tree's root ("" for the root itself).
bool isKustomization(const SourceTree &tree, const QString &directory);

// `kustomize build directory`, reading every file through tree.
RenderResult renderKustomization(const SourceTree &tree, const QString &directory);

} // namespace timonel::gitops
