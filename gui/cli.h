#pragma once

#include <QStringList>

namespace timonel::gui {

// The command-line interface: `timonel create cluster`, `get nodes`, ... Returns the exit code.
int runCli(const QStringList &arguments);

// Go-style durations as kind's --wait takes them ("90s", "5m", "1m30s", "2h", "0"); -1 if invalid.
qint64 parseDuration(const QString &text);

} // namespace timonel::gui
