// `timonel sync`: keeps a cluster in sync with a local git repository, once or watching.
#pragma once

#include <QStringList>

namespace timonel::core {
class CancelToken;
}

namespace timonel::gui {

// Arguments after "sync"; Ctrl-C (the token) ends a --watch. Returns the exit code.
int runSync(const QStringList &arguments, core::CancelToken &interrupted);

} // namespace timonel::gui
