// Matching nodes against a pod's nodeSelector and node affinity (NodeSelectorTerms), as the
// scheduler and the DaemonSet controller both read them (k8s.io/component-helpers nodeaffinity).
#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

namespace timonel::core {

// One NodeSelectorRequirement against a value that may be absent (labels.Requirement.Matches):
// In, NotIn, Exists, DoesNotExist, Gt and Lt (one integer value); anything else matches nothing.
bool nodeSelectorRequirementMatches(const QJsonObject &requirement,
                                    const std::optional<QString> &value);
// A NodeSelectorTerm (matchExpressions on labels, matchFields on metadata.name with In/NotIn);
// a term with neither matches nothing.
bool nodeSelectorTermMatches(const QJsonObject &term, const QJsonObject &node);
// A pod spec's nodeSelector and requiredDuringScheduling node affinity together.
bool podSpecMatchesNode(const QJsonObject &podSpec, const QJsonObject &node);

} // namespace timonel::core
