#pragma once

namespace timonel::controllers {
} // namespace timonel::controllers
