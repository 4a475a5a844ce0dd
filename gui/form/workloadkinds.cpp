#include "form/workloadkinds.h"

using namespace Qt::StringLiterals;

namespace timonel::gui::form {

namespace {

constexpr WorkloadKind workloadKinds[] = {
    {"Deployment"_L1, "spec.template.spec"_L1, "spec.replicas"_L1},
    {"StatefulSet"_L1, "spec.template.spec"_L1, "spec.replicas"_L1},
    {"ReplicaSet"_L1, "spec.template.spec"_L1, "spec.replicas"_L1},
    {"DaemonSet"_L1, "spec.template.spec"_L1, {}},
    {"Job"_L1, "spec.template.spec"_L1, "spec.parallelism"_L1},
    {"CronJob"_L1, "spec.jobTemplate.spec.template.spec"_L1, {}},
    {"Pod"_L1, "spec"_L1, {}},
};

} // namespace

const WorkloadKind *workloadKind(const QString &kind)
{
    for (const WorkloadKind &workload : workloadKinds) {
        if (workload.kind == kind)
            return &workload;
    }
    return nullptr;
}

} // namespace timonel::gui::form
