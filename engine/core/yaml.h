// YAML <-> JSON trees: Kubernetes manifests, kind configs and kubeconfigs are YAML on disk and
// JSON trees everywhere else in the engine.
#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <expected>

namespace timonel::core {

struct YamlError
{
    int line = 0;   // 1-based; 0 when the position is unknown
    int column = 0; // 1-based; 0 when the position is unknown
    QString message;
};

// "kind.yaml:3:5: message" (the position is left out when unknown).
QString formatYamlError(const YamlError &error, const QString &source);

// Exactly one document; empty text (or only comments) gives null. Scalars are typed as
// Kubernetes reads manifests: plain true/false, null/~, integers (decimal, 0x, 0o, and a leading
// 0 as octal like kubectl's `defaultMode: 0644`), floats; quoted, block and !!str scalars stay
// strings. Anchors and aliases (and `<<` merge keys) are resolved; duplicate keys are errors.
std::expected<QJsonValue, YamlError> parseYaml(const QByteArray &text);

// A multi-document stream ("---"); empty documents are skipped, as kubectl does.
std::expected<QList<QJsonValue>, YamlError> parseYamlDocuments(const QByteArray &text);

// Block style like `kubectl get -o yaml`: 2-space indent, sequences not indented under their
// key, keys in QJsonObject order. Strings that would read back as another type are quoted, so
// parseYaml(toYaml(v)) == v for every JSON value.
QByteArray toYaml(const QJsonValue &value);

} // namespace timonel::core
