// The label every object a GitOps sync applies carries; its value is the sync's name. Prune
// only ever looks at objects with it, and the desktop's graph marks them. Header only, so the
// graph can know it without linking libgit2.
#pragma once

#include <QLatin1StringView>

namespace timonel::gitops {

inline constexpr QLatin1StringView syncLabel{"gitops.timonel.dev/sync"};

} // namespace timonel::gitops
