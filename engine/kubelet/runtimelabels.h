// How the node agent names and labels the Docker containers of pods. The labels are dockershim's,
// so `docker ps` reads as it did on Kubernetes nodes with Docker; the io.timonel ones tie a
// container to its cluster and node, so that stopping or deleting a node can take its pods along.
#pragma once

#include <QLatin1StringView>

namespace timonel::kubelet::labels {

inline constexpr QLatin1StringView podName{"io.kubernetes.pod.name"};
inline constexpr QLatin1StringView podNamespace{"io.kubernetes.pod.namespace"};
inline constexpr QLatin1StringView podUid{"io.kubernetes.pod.uid"};
// The spec container's name; "POD" for the sandbox.
inline constexpr QLatin1StringView containerName{"io.kubernetes.container.name"};
// "podsandbox" or "container".
inline constexpr QLatin1StringView containerType{"io.kubernetes.docker.type"};
inline constexpr QLatin1StringView restartCount{"io.kubernetes.container.restartCount"};
// "init" for init containers, "regular" otherwise (sandboxes have none).
inline constexpr QLatin1StringView containerKind{"io.timonel.container.kind"};
// The pod's IP, on sandboxes.
inline constexpr QLatin1StringView podIP{"io.timonel.pod.ip"};
inline constexpr QLatin1StringView cluster{"io.timonel.cluster"};
// The node the pod runs on (node containers themselves carry io.timonel.node).
inline constexpr QLatin1StringView node{"io.timonel.pod.node"};

inline constexpr QLatin1StringView sandboxType{"podsandbox"};
inline constexpr QLatin1StringView containerTypeValue{"container"};
inline constexpr QLatin1StringView sandboxContainerName{"POD"};

} // namespace timonel::kubelet::labels
