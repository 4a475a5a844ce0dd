// RFC 7386 JSON merge patch (application/merge-patch+json).
#pragma once

#include <QJsonValue>

namespace timonel::core {

// Merges patch into target as kube-apiserver does (evanphx/json-patch v4 MergePatch): a null
// member deletes the key, objects merge recursively, anything else replaces. Nulls inside
// values added where the target had nothing (or null) are dropped, as in the RFC.
QJsonValue applyMergePatch(const QJsonValue &target, const QJsonValue &patch);

// The merge patch that turns original into modified: changed and added keys with their new
// values, removed keys as null, objects diffed recursively, arrays and scalars whole. Two
// equal documents give {}. When either side is not an object the patch is modified itself.
QJsonValue createMergePatch(const QJsonValue &original, const QJsonValue &modified);

} // namespace timonel::core
