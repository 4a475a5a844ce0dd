// Walks a field spec's path through an object the way kustomize's fieldspec filter does: every
// element of a sequence met on the way, missing fields created when the spec says so, and the
// setter called on what the path ends at.
#pragma once

#include "kustomizeconfig.h"
#include "kustomizeresource.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

#include <functional>
#include <optional>

namespace timonel::gitops::kustomize {

// Changes the node a path ends at; returns an error message, or nullopt.
using FieldSetter = std::function<std::optional<QString>(QJsonValue &node)>;

struct FieldWalk
{
    // Create missing fields on the way (a spec with create: true, for a transformer that
    // creates). The last one is created as newLeaf: "" for names and namespaces, {} for
    // label and annotation maps.
    bool create = false;
    QJsonValue newLeaf;
    FieldSetter set;
};

// "metadata/annotations/a\/b" -> {"metadata", "annotations", "a/b"}.
QStringList splitFieldPath(QStringView path);

// Walks path through object; the error is kustomize's ("expected sequence or mapping node").
std::optional<QString> walkFieldPath(QJsonObject &object, const QStringList &path,
                                     const FieldWalk &walk);

// walkFieldPath for a spec whose group/version/kind selects the resource's object (and nothing
// otherwise), creating fields when both spec.create and creatingTransformer say so. The error
// names the field and the object, as kustomize's does.
std::optional<QString> applyFieldSpec(Resource &resource, const FieldSpec &spec,
                                      bool creatingTransformer, const QJsonValue &newLeaf,
                                      const FieldSetter &set);

} // namespace timonel::gitops::kustomize
