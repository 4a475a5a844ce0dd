#include "kustomizeconfig.h"

#include <QHash>
#include <QSet>

namespace timonel::gitops::kustomize {

namespace {

using namespace Qt::StringLiterals;

FieldSpec spec(const char *group, const char *version, const char *kind, const char *path,
               bool create)
{
    return {{QString::fromLatin1(group), QString::fromLatin1(version), QString::fromLatin1(kind)},
            QString::fromLatin1(path),
            create};
}

// Kinds whose pod template labels kustomize keeps in step with metadata labels.
FieldSpecs metadataLabelFieldSpecs()
{
    return {
        spec("", "", "", "metadata/labels", true),
        spec("", "v1", "ReplicationController", "spec/template/metadata/labels", true),
        spec("", "", "Deployment", "spec/template/metadata/labels", true),
        spec("", "", "ReplicaSet", "spec/template/metadata/labels", true),
        spec("", "", "DaemonSet", "spec/template/metadata/labels", true),
        spec("apps", "", "StatefulSet", "spec/template/metadata/labels", true),
        spec("batch", "", "Job", "spec/template/metadata/labels", true),
        spec("batch", "", "CronJob", "spec/jobTemplate/metadata/labels", true),
        spec("batch", "", "CronJob", "spec/jobTemplate/spec/template/metadata/labels", true),
    };
}

// Where each workload kind keeps its pod spec, for the name references below.
struct PodSpecHolder
{
    const char *group;
    const char *version;
    const char *kind;
    const char *podSpec;
};

constexpr PodSpecHolder pod{"", "", "Pod", "spec"};
constexpr PodSpecHolder podV1{"", "v1", "Pod", "spec"};
constexpr PodSpecHolder podTemplate{"", "", "PodTemplate", "template/spec"};
constexpr PodSpecHolder deployment{"", "", "Deployment", "spec/template/spec"};
constexpr PodSpecHolder replicaSet{"", "", "ReplicaSet", "spec/template/spec"};
constexpr PodSpecHolder daemonSet{"", "", "DaemonSet", "spec/template/spec"};
constexpr PodSpecHolder statefulSet{"", "", "StatefulSet", "spec/template/spec"};
constexpr PodSpecHolder job{"", "", "Job", "spec/template/spec"};
constexpr PodSpecHolder cronJob{"", "", "CronJob", "spec/jobTemplate/spec/template/spec"};
constexpr PodSpecHolder replicationController{"", "", "ReplicationController",
                                              "spec/template/spec"};

void addPodSpecFields(FieldSpecs &specs, std::initializer_list<PodSpecHolder> holders,
                      std::initializer_list<const char *> fields)
{
    for (const PodSpecHolder &holder : holders) {
        for (const char *field : fields) {
            const QString path =
                QString::fromLatin1(holder.podSpec) + u'/' + QString::fromLatin1(field);
            specs.append({{QString::fromLatin1(holder.group), QString::fromLatin1(holder.version),
                           QString::fromLatin1(holder.kind)},
                          path,
                          false});
        }
    }
}

NameReference reference(const char *group, const char *version, const char *kind,
                        FieldSpecs referrers = {})
{
    return {{QString::fromLatin1(group), QString::fromLatin1(version), QString::fromLatin1(kind)},
            std::move(referrers)};
}

QList<NameReference> makeNameReferences()
{
    QList<NameReference> references;
    for (const char *workload :
         {"Deployment", "ReplicationController", "ReplicaSet", "StatefulSet"}) {
        references.append(reference(
            "", "", workload,
            {spec("", "", "HorizontalPodAutoscaler", "spec/scaleTargetRef/name", false)}));
    }

    NameReference configMap = reference("", "v1", "ConfigMap");
    addPodSpecFields(
        configMap.referrers,
        {podV1, podTemplate, deployment, replicaSet, daemonSet, statefulSet, job, cronJob},
        {"volumes/configMap/name", "containers/env/valueFrom/configMapKeyRef/name",
         "initContainers/env/valueFrom/configMapKeyRef/name",
         "containers/envFrom/configMapRef/name", "initContainers/envFrom/configMapRef/name",
         "volumes/projected/sources/configMap/name"});
    configMap.referrers += {
        spec("", "", "Node", "spec/configSource/configMap", false),
        spec("", "", "Role", "rules/resourceNames", false),
        spec("", "", "ClusterRole", "rules/resourceNames", false),
        spec("", "", "Ingress",
             "metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap", false),
    };
    references.append(configMap);

    NameReference secret = reference("", "v1", "Secret");
    addPodSpecFields(
        secret.referrers,
        {podV1, podTemplate, deployment, replicaSet, daemonSet, statefulSet, job, cronJob},
        {"volumes/secret/secretName", "containers/env/valueFrom/secretKeyRef/name",
         "initContainers/env/valueFrom/secretKeyRef/name", "containers/envFrom/secretRef/name",
         "initContainers/envFrom/secretRef/name", "imagePullSecrets/name",
         "volumes/projected/sources/secret/name"});
    secret.referrers += {
        spec("", "", "Ingress", "spec/tls/secretName", false),
        spec("", "", "Ingress", "metadata/annotations/ingress.kubernetes.io\\/auth-secret", false),
        spec("", "", "Ingress", "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret",
             false),
        spec("", "", "Ingress",
             "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret", false),
        spec("", "", "ServiceAccount", "imagePullSecrets/name", false),
        spec("", "", "StorageClass", "parameters/secretName", false),
        spec("", "", "StorageClass", "parameters/adminSecretName", false),
        spec("", "", "StorageClass", "parameters/userSecretName", false),
        spec("", "", "StorageClass", "parameters/secretRef", false),
        spec("", "", "Role", "rules/resourceNames", false),
        spec("", "", "ClusterRole", "rules/resourceNames", false),
        spec("serving.knative.dev", "v1", "Service",
             "spec/template/spec/containers/env/valueFrom/secretKeyRef/name", false),
        spec("", "", "PersistentVolume", "spec/azureFile/secretName", false),
    };
    references.append(secret);

    references.append(
        reference("", "v1", "Service",
                  {
                      spec("apps", "", "StatefulSet", "spec/serviceName", false),
                      spec("", "", "Ingress", "spec/rules/http/paths/backend/serviceName", false),
                      spec("", "", "Ingress", "spec/backend/serviceName", false),
                      spec("", "", "Ingress", "spec/rules/http/paths/backend/service/name", false),
                      spec("", "", "Ingress", "spec/defaultBackend/service/name", false),
                      spec("apiregistration.k8s.io", "", "APIService", "spec/service/name", false),
                      spec("admissionregistration.k8s.io", "", "ValidatingWebhookConfiguration",
                           "webhooks/clientConfig/service", false),
                      spec("admissionregistration.k8s.io", "", "MutatingWebhookConfiguration",
                           "webhooks/clientConfig/service", false),
                  }));

    references.append(
        reference("rbac.authorization.k8s.io", "", "Role",
                  {spec("rbac.authorization.k8s.io", "", "RoleBinding", "roleRef/name", false)}));
    references.append(reference(
        "rbac.authorization.k8s.io", "", "ClusterRole",
        {spec("rbac.authorization.k8s.io", "", "RoleBinding", "roleRef/name", false),
         spec("rbac.authorization.k8s.io", "", "ClusterRoleBinding", "roleRef/name", false)}));

    // The same workloads name service accounts, claims and priority classes.
    const auto workloads = {pod,     statefulSet, deployment, replicationController,
                            cronJob, job,         daemonSet};
    NameReference serviceAccount =
        reference("", "v1", "ServiceAccount",
                  {spec("rbac.authorization.k8s.io", "", "RoleBinding", "subjects", false),
                   spec("rbac.authorization.k8s.io", "", "ClusterRoleBinding", "subjects", false)});
    addPodSpecFields(serviceAccount.referrers, workloads, {"serviceAccountName"});
    references.append(serviceAccount);

    NameReference claim = reference("", "v1", "PersistentVolumeClaim");
    addPodSpecFields(claim.referrers, workloads, {"volumes/persistentVolumeClaim/claimName"});
    references.append(claim);

    references.append(reference("", "v1", "PersistentVolume",
                                {spec("", "", "PersistentVolumeClaim", "spec/volumeName", false),
                                 spec("", "", "ClusterRole", "rules/resourceNames", false)}));
    references.append(reference(
        "storage.k8s.io", "v1", "StorageClass",
        {spec("", "", "PersistentVolume", "spec/storageClassName", false),
         spec("", "", "PersistentVolumeClaim", "spec/storageClassName", false),
         spec("", "", "StatefulSet", "spec/volumeClaimTemplates/spec/storageClassName", false)}));

    NameReference priorityClass = reference("scheduling.k8s.io", "v1", "PriorityClass");
    addPodSpecFields(priorityClass.referrers, workloads, {"priorityClassName"});
    references.append(priorityClass);

    // kustomize spells this group "networking.k8s.io/v1", so no IngressClass ever matches and
    // Ingress classes are never renamed; kept as kustomize has it.
    references.append(reference("networking.k8s.io/v1", "v1", "IngressClass",
                                {spec("", "", "Ingress", "spec/ingressClassName", false)}));
    references.append(
        reference("admissionregistration.k8s.io", "", "ValidatingAdmissionPolicy",
                  {spec("admissionregistration.k8s.io", "", "ValidatingAdmissionPolicyBinding",
                        "spec/policyName", false)}));
    return references;
}

// kyaml's precomputedIsNamespaceScoped entries that are cluster-scoped.
const QSet<QString> &clusterScopedTypes()
{
    static const QSet<QString> types = [] {
        const char *const pairs[][2] = {
            {"admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"},
            {"admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"},
            {"admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration"},
            {"admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration"},
            {"admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"},
            {"admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding"},
            {"apiextensions.k8s.io/v1", "CustomResourceDefinition"},
            {"apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"},
            {"apiregistration.k8s.io/v1", "APIService"},
            {"apiregistration.k8s.io/v1beta1", "APIService"},
            {"certificates.k8s.io/v1", "CertificateSigningRequest"},
            {"certificates.k8s.io/v1beta1", "CertificateSigningRequest"},
            {"flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"},
            {"flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration"},
            {"networking.k8s.io/v1", "IngressClass"},
            {"networking.k8s.io/v1beta1", "IngressClass"},
            {"node.k8s.io/v1", "RuntimeClass"},
            {"node.k8s.io/v1beta1", "RuntimeClass"},
            {"policy/v1beta1", "PodSecurityPolicy"},
            {"rbac.authorization.k8s.io/v1", "ClusterRole"},
            {"rbac.authorization.k8s.io/v1", "ClusterRoleBinding"},
            {"rbac.authorization.k8s.io/v1beta1", "ClusterRole"},
            {"rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"},
            {"scheduling.k8s.io/v1", "PriorityClass"},
            {"scheduling.k8s.io/v1beta1", "PriorityClass"},
            {"storage.k8s.io/v1", "CSIDriver"},
            {"storage.k8s.io/v1", "CSINode"},
            {"storage.k8s.io/v1", "StorageClass"},
            {"storage.k8s.io/v1", "VolumeAttachment"},
            {"storage.k8s.io/v1beta1", "CSIDriver"},
            {"storage.k8s.io/v1beta1", "CSINode"},
            {"storage.k8s.io/v1beta1", "StorageClass"},
            {"storage.k8s.io/v1beta1", "VolumeAttachment"},
            {"v1", "ComponentStatus"},
            {"v1", "Namespace"},
            {"v1", "Node"},
            {"v1", "NodeProxyOptions"},
            {"v1", "PersistentVolume"},
        };
        QSet<QString> set;
        for (const auto &pair : pairs)
            set.insert(QString::fromLatin1(pair[0]) + u' ' + QString::fromLatin1(pair[1]));
        return set;
    }();
    return types;
}

} // namespace

bool Gvk::selects(QStringView otherGroup, QStringView otherVersion, QStringView otherKind) const
{
    return (group.isEmpty() || group == otherGroup) &&
           (version.isEmpty() || version == otherVersion) && (kind.isEmpty() || kind == otherKind);
}

bool Gvk::selectsApiVersion(QStringView apiVersion, QStringView otherKind) const
{
    const auto [otherGroup, otherVersion] = splitApiVersion(apiVersion);
    return selects(otherGroup, otherVersion, otherKind);
}

std::pair<QString, QString> splitApiVersion(QStringView apiVersion)
{
    const qsizetype slash = apiVersion.indexOf(u'/');
    if (slash < 0)
        return {QString(), apiVersion.toString()};
    return {apiVersion.left(slash).toString(), apiVersion.mid(slash + 1).toString()};
}

bool isClusterScoped(QStringView apiVersion, QStringView kind)
{
    return clusterScopedTypes().contains(apiVersion.toString() + u' ' + kind.toString());
}

const FieldSpecs &commonLabelFieldSpecs()
{
    static const FieldSpecs specs = [] {
        FieldSpecs all = {
            spec("", "v1", "Service", "spec/selector", true),
            spec("", "v1", "ReplicationController", "spec/selector", true),
            spec("", "", "Deployment", "spec/selector/matchLabels", true),
            spec("", "", "ReplicaSet", "spec/selector/matchLabels", true),
            spec("", "", "DaemonSet", "spec/selector/matchLabels", true),
            spec("apps", "", "StatefulSet", "spec/selector/matchLabels", true),
            spec("batch", "", "Job", "spec/selector/matchLabels", false),
            spec("batch", "", "CronJob", "spec/jobTemplate/spec/selector/matchLabels", false),
            spec("policy", "", "PodDisruptionBudget", "spec/selector/matchLabels", false),
            spec("networking.k8s.io", "", "NetworkPolicy", "spec/podSelector/matchLabels", false),
            spec("networking.k8s.io", "", "NetworkPolicy",
                 "spec/ingress/from/podSelector/matchLabels", false),
            spec("networking.k8s.io", "", "NetworkPolicy", "spec/egress/to/podSelector/matchLabels",
                 false),
        };
        // Affinity terms and spread constraints of these select the workload's own pods.
        for (const char *kind : {"Deployment", "StatefulSet"}) {
            for (const char *path :
                 {"spec/template/spec/affinity/podAffinity/"
                  "preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/"
                  "matchLabels",
                  "spec/template/spec/affinity/podAffinity/"
                  "requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
                  "spec/template/spec/affinity/podAntiAffinity/"
                  "preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/"
                  "matchLabels",
                  "spec/template/spec/affinity/podAntiAffinity/"
                  "requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
                  "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels"})
                all.append(spec("apps", "", kind, path, false));
        }
        all += metadataLabelFieldSpecs();
        all += volumeClaimTemplateLabelFieldSpecs();
        return all;
    }();
    return specs;
}

const FieldSpecs &templateLabelFieldSpecs()
{
    static const FieldSpecs specs = metadataLabelFieldSpecs();
    return specs;
}

const FieldSpecs &volumeClaimTemplateLabelFieldSpecs()
{
    static const FieldSpecs specs = {
        spec("apps", "", "StatefulSet", "spec/volumeClaimTemplates[]/metadata/labels", true),
    };
    return specs;
}

const FieldSpecs &commonAnnotationFieldSpecs()
{
    static const FieldSpecs specs = {
        spec("", "", "", "metadata/annotations", true),
        spec("", "v1", "ReplicationController", "spec/template/metadata/annotations", true),
        spec("", "", "Deployment", "spec/template/metadata/annotations", true),
        spec("", "", "ReplicaSet", "spec/template/metadata/annotations", true),
        spec("", "", "DaemonSet", "spec/template/metadata/annotations", true),
        spec("", "", "StatefulSet", "spec/template/metadata/annotations", true),
        spec("batch", "", "Job", "spec/template/metadata/annotations", true),
        spec("batch", "", "CronJob", "spec/jobTemplate/metadata/annotations", true),
        spec("batch", "", "CronJob", "spec/jobTemplate/spec/template/metadata/annotations", true),
    };
    return specs;
}

const FieldSpecs &namespaceFieldSpecs()
{
    static const FieldSpecs specs = {
        // A v1 Namespace is renamed to the kustomization's namespace.
        spec("", "", "Namespace", "metadata/name", true),
        spec("apiregistration.k8s.io", "", "APIService", "spec/service/namespace", true),
        spec("apiextensions.k8s.io", "", "CustomResourceDefinition",
             "spec/conversion/webhook/clientConfig/service/namespace", false),
    };
    return specs;
}

const FieldSpecs &imageFieldSpecs()
{
    static const FieldSpecs specs = {
        spec("", "", "", "spec/containers[]/image", true),
        spec("", "", "", "spec/initContainers[]/image", true),
        spec("", "", "", "spec/volumes[]/image/reference", true),
        spec("", "", "", "spec/template/spec/containers[]/image", true),
        spec("", "", "", "spec/template/spec/initContainers[]/image", true),
        spec("", "", "", "spec/template/spec/volumes[]/image/reference", true),
    };
    return specs;
}

const FieldSpecs &replicaFieldSpecs()
{
    static const FieldSpecs specs = {
        spec("", "", "Deployment", "spec/replicas", true),
        spec("", "", "ReplicationController", "spec/replicas", true),
        spec("", "", "ReplicaSet", "spec/replicas", true),
        spec("", "", "StatefulSet", "spec/replicas", true),
    };
    return specs;
}

const QList<Gvk> &kindsNeverPrefixed()
{
    static const QList<Gvk> kinds = {{{}, {}, u"CustomResourceDefinition"_s},
                                     {u"apiregistration.k8s.io"_s, {}, u"APIService"_s},
                                     {{}, {}, u"Namespace"_s}};
    return kinds;
}

const QList<NameReference> &nameReferences()
{
    static const QList<NameReference> references = makeNameReferences();
    return references;
}

bool mergeFieldSpecs(FieldSpecs &into, const FieldSpecs &more)
{
    for (const FieldSpec &incoming : more) {
        bool present = false;
        for (const FieldSpec &existing : std::as_const(into)) {
            if (existing.path == incoming.path &&
                incoming.gvk.selects(existing.gvk.group, existing.gvk.version, existing.gvk.kind)) {
                if (existing.create != incoming.create)
                    return false;
                present = true;
                break;
            }
        }
        if (!present)
            into.append(incoming);
    }
    return true;
}

} // namespace timonel::gitops::kustomize
