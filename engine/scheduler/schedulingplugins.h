#pragma once

namespace timonel::scheduler {
} // namespace timonel::scheduler
