#pragma once

#include <QStringList>

namespace timonel::gui {

// The command-line interface: `timonel create cluster`, `get nodes`, ... Returns the exit code.
int runCli(const QStringList &arguments);

} // namespace timonel::gui
