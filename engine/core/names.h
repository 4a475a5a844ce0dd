#pragma once

#include <QString>
#include <QStringList>
#include <QStringView>

// Kubernetes' syntactic validators (k8s.io/apimachinery/pkg/util/validation, as of Kubernetes
// 1.32). Each returns the messages Kubernetes would give, word for word, in the order it gives
// them; an empty list means the value is valid. Callers put them behind a field path
// ("metadata.name: Invalid value: \"Web\": <message>").
namespace timonel::core {

QStringList isDns1123Label(QStringView value);
QStringList isDns1123Subdomain(QStringView value);
QStringList isDns1035Label(QStringView value);
// Label and annotation keys: an optional DNS subdomain prefix and '/', then a name of at most
// 63 characters.
QStringList isQualifiedName(QStringView value);
QStringList isValidLabelValue(QStringView value);
// IANA_SVC_NAME: container and service port names.
QStringList isValidPortName(QStringView value);
QStringList isValidPortNum(qint64 port);
// Addresses as Kubernetes 1.32 parses them (k8s.io/utils/net's "sloppy" parser, which still
// accepts leading zeros in IPv4 octets).
QStringList isValidIp(QStringView value);
QStringList isValidCidr(QStringView value);
// Container environment variable names. Kubernetes 1.32 enables the beta
// RelaxedEnvironmentVariableValidation gate by default, so any printable ASCII but '=' is
// accepted; isStrictEnvVarName is the older C-identifier-like rule.
QStringList isEnvVarName(QStringView value);
QStringList isStrictEnvVarName(QStringView value);
// Keys of ConfigMap and Secret data.
QStringList isConfigMapKey(QStringView value);

// The name rule Kubernetes applies to metadata.name of a kind ("Pod", "Service"...; plural
// resource names such as "services" are accepted too). With forGenerateName the value is a
// metadata.generateName prefix, whose trailing '-' is allowed as Kubernetes allows it.
// Kinds Timonel does not know get the most common rule, DNS subdomain.
QStringList validateObjectName(QStringView name, QStringView kind, bool forGenerateName = false);

// The five random characters names.SimpleNameGenerator appends to metadata.generateName.
QString generateNameSuffix();
// base + generateNameSuffix(), base cut to 58 characters first so the result fits in 63.
QString generateName(QStringView base);

} // namespace timonel::core
