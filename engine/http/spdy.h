#pragma once

namespace timonel::http {
} // namespace timonel::http
