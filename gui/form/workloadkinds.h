// The kinds whose objects run pods: where their pod template's spec is, and the field counting
// their pods. Data, so that the form's sections ask this table rather than test kinds.
#pragma once

#include <QLatin1StringView>
#include <QString>

namespace timonel::gui::form {

struct WorkloadKind
{
    QLatin1StringView kind;
    QLatin1StringView podSpec; // "spec.template.spec"
    QLatin1StringView count;   // "spec.replicas"; empty when the kind has none
};

// nullptr for a kind that runs no pods.
const WorkloadKind *workloadKind(const QString &kind);

} // namespace timonel::gui::form
