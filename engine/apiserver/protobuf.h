#pragma once

#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <expected>

namespace timonel::core {
class SchemaRegistry;
}

namespace timonel::apiserver {

// The media type kubectl's `create` generators POST (see KUBECTL-WIRE.md §7).
inline constexpr QLatin1StringView protobufContentType("application/vnd.kubernetes.protobuf");

// Decodes a Kubernetes protobuf request body ("k8s\0" + runtime.Unknown wrapping the object's
// generated.proto bytes) into the JSON object the JSON codec would have produced for the same Go
// object: apiVersion and kind come from the envelope, fields are found by their schema proto
// numbers (SchemaField::protoNumber), unknown field numbers are skipped. gogo writes every
// non-pointer scalar even when unset; like JSON's omitempty, zeros are dropped unless the field is
// required, or is a number or boolean whose default the zero would replace (replicas: 0).
//
// Errors are single lines, with Kubernetes' own texts where it has one ("unexpected EOF",
// "proto: wrong wireType = 2 for field Replicas", "no kind \"Foo\" is registered for version
// \"apps/v1\" in scheme ..."); any input, however malformed, gives a value or an error.
std::expected<QJsonObject, QString> decodeProtobufObject(QByteArrayView body,
                                                         const core::SchemaRegistry &schemas);

} // namespace timonel::apiserver
