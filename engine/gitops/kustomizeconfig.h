// What kustomize knows about kinds, as data: which fields its transformers touch (its default
// "transformer configurations", api/internal/konfig/builtinpluginconsts) and which kinds are
// cluster-scoped (kyaml's precomputed table for its built-in OpenAPI schema).
#pragma once

#include <QList>
#include <QString>
#include <QStringView>

namespace timonel::gitops::kustomize {

// A group/version/kind selector: an empty part matches anything.
struct Gvk
{
    QString group;
    QString version;
    QString kind;

    bool selects(QStringView group, QStringView version, QStringView kind) const;
    bool selectsApiVersion(QStringView apiVersion, QStringView kind) const;
};

// A field to transform in the objects a Gvk selects. The path is "/"-separated ("\/" for a
// "/" inside a key, as in annotation names); a sequence on the way means every element, and
// "name[]" says the field must be a sequence. create adds missing fields on the way.
struct FieldSpec
{
    Gvk gvk;
    QString path;
    bool create = false;
};

using FieldSpecs = QList<FieldSpec>;

// Objects of kind target that referrers name: when the target is renamed, they follow.
struct NameReference
{
    Gvk target;
    FieldSpecs referrers;
};

// "apps/v1" -> ("apps", "v1"); "v1" -> ("", "v1").
std::pair<QString, QString> splitApiVersion(QStringView apiVersion);

bool isClusterScoped(QStringView apiVersion, QStringView kind);

// commonLabels: metadata, pod template and volume claim template labels, and selectors.
const FieldSpecs &commonLabelFieldSpecs();
// labels with includeTemplates: metadata and pod template labels.
const FieldSpecs &templateLabelFieldSpecs();
// labels with includeVolumeClaimTemplates: a StatefulSet's volume claim templates.
const FieldSpecs &volumeClaimTemplateLabelFieldSpecs();
const FieldSpecs &commonAnnotationFieldSpecs();
// Besides metadata.namespace, which every namespaced object gets.
const FieldSpecs &namespaceFieldSpecs();
const FieldSpecs &imageFieldSpecs();
const FieldSpecs &replicaFieldSpecs();
// Kinds namePrefix and nameSuffix leave alone: CRDs, APIServices, Namespaces.
const QList<Gvk> &kindsNeverPrefixed();
const QList<NameReference> &nameReferences();

// kustomize's FsSlice.MergeAll: appends the specs not already there; false when one is there
// with a different create flag ("conflicting fieldspecs").
bool mergeFieldSpecs(FieldSpecs &into, const FieldSpecs &more);

} // namespace timonel::gitops::kustomize
