#pragma once

#include <QString>

namespace timonel::core {

// Go-style durations, as kind's --wait and kubectl's --timeout take them: "90s", "5m", "1m30s",
// "1.5h", "250ms", "0". Returns milliseconds, or -1 when the text is not a duration.
qint64 parseDuration(const QString &text);

} // namespace timonel::core
