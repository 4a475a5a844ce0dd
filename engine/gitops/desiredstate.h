// What git wants: the objects under a sync's path at one commit, from a kustomization at the
// top of the path (rendered as kustomize does) or else from every manifest file below it
// (*.yaml, *.yml, *.json, recursively, in path order). A broken document is a problem with its
// file and line; the other documents and files still count.
#pragma once

#include "gitops/kustomize.h"
#include "gitops/sourcetree.h"

namespace timonel::gitops {

struct DesiredState
{
    QList<RenderedObject> objects;
    QList<RenderProblem> problems;
};

DesiredState readDesiredState(const SourceTree &tree);

// The documents of one manifest file, each with the line its text starts at; empty documents
// are skipped as kubectl skips them. Appends to `into`.
void readManifestFile(const QString &file, const QByteArray &text, DesiredState &into);

} // namespace timonel::gitops
