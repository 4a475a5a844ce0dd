// `kubectl diff -f` over the API: for every object, the live object (a GET) and what a
// server-side dry-run apply would make of it, compared as manifest::compareObjects compares
// them. The requests of all objects go out at once; the answer comes once, in input order.
#pragma once

#include "client/applier.h"
#include "manifest/livediff.h"

#include <QObject>

#include <functional>

namespace timonel::gui {

// `done` is called from the event loop, not when `context` (or `api`) is gone by then. The
// objects' ApplySource fills in each diff's document and line; `kind: List` objects stand for
// their items.
void diffAgainstCluster(client::ApiClient &api, const QList<client::ApplyObject> &objects,
                        const client::ApplyOptions &options, QObject *context,
                        std::function<void(const QList<manifest::ObjectDiff> &)> done);

} // namespace timonel::gui
