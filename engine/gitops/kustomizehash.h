// The name-content hash kustomize appends to generated ConfigMaps and Secrets
// (api/hasher): a sha256 of the object's canonical JSON, as Go's encoding/json writes it, of
// which ten hex digits are kept with the vowel-like ones swapped for letters.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace timonel::gitops::kustomize {

// encoding/json.Marshal: object keys sorted bytewise, HTML characters escaped.
QByteArray goJson(const QJsonValue &value);

// The first ten hex digits of sha256(data), 0 1 3 a e written g h k m t.
QString encodeHash(const QByteArray &data);

// kustomize's Hasher.Hash of a ConfigMap or Secret.
QString nameContentHash(const QJsonObject &object);

} // namespace timonel::gitops::kustomize
