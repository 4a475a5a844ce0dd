// RFC 6902 JSON patch (application/json-patch+json), as the Kubernetes API server applies it.
#pragma once

#include <QJsonArray>
#include <QJsonValue>
#include <QString>

#include <expected>

namespace timonel::core {

// Applies operations to document (an object or an array) with the semantics of
// gopkg.in/evanphx/json-patch.v4, which kube-apiserver uses, quirks included: add, remove,
// replace, move, copy and test; "-" appends; negative indices count from the end; removing a
// missing key is an error, replacing one adds it; a missing or null "value" is null; copies
// may grow the document by at most 3 MiB in total. Errors are the library's texts, e.g.
// "testing value /spec/replicas failed: test failed" or
// "error in remove for path: '/x': Unable to remove nonexistent key: x: missing value".
std::expected<QJsonValue, QString> applyJsonPatch(const QJsonValue &document,
                                                  const QJsonArray &operations);

} // namespace timonel::core
