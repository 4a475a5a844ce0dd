// Strategic merge patch (application/strategic-merge-patch+json), the patch kubectl sends for
// `apply`, `edit`, `set image` and `patch --type strategic` on built-in kinds.
#pragma once

#include "schema.h"

#include <QJsonObject>
#include <QString>

#include <expected>

namespace timonel::core {

// Applies patch to original as k8s.io/apimachinery/pkg/util/strategicpatch does on the API
// server (StrategicMergeMapPatch), driven by the schema of the patched type:
//  - a list field with patchStrategy merge and a patchMergeKey merges element-wise by that
//    key (new elements in patch order, $setElementOrder/<field> orders the result); a merge
//    list of scalars is a union; any other list is replaced;
//  - objects and map<T> fields merge key-wise, a null value deletes the key; a field with
//    patchStrategy replace is replaced; FreeForm/Any values and fields the schema does not
//    know merge like a JSON merge patch;
//  - directives: $patch: replace|delete on maps and merge-list elements, $retainKeys,
//    $setElementOrder/<field>, $deleteFromPrimitiveList/<field>; $patch: merge is rejected,
//    as apimachinery does.
// With a null schema it behaves as a JSON merge patch that also understands the directives.
// Directive keys never survive into the result (the API server's typed decoding drops them).
// Errors are apimachinery's texts, e.g. "map: map[image:nginx] does not contain declared
// merge key: name".
std::expected<QJsonObject, QString> applyStrategicMergePatch(const QJsonObject &original,
                                                             const QJsonObject &patch,
                                                             const SchemaType *schema);

// The two-way patch from original to modified as kubectl computes it (CreateTwoWayMergePatch):
// changed fields, removed fields as null, merge lists as changed elements plus
// `$patch: delete` elements and a $setElementOrder/<field> list, merge lists of scalars with a
// $deleteFromPrimitiveList/<field> list, $retainKeys for retainKeys fields.
// Applying it to original gives modified. Documents that cannot be diffed by their schema (a
// merge-list element without its merge key, lists of lists) give modified with
// `$patch: replace`, which still turns original into modified.
QJsonObject createStrategicMergePatch(const QJsonObject &original, const QJsonObject &modified,
                                      const SchemaType *schema);

} // namespace timonel::core
