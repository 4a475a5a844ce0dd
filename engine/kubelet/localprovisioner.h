#pragma once

namespace timonel::kubelet {
} // namespace timonel::kubelet
