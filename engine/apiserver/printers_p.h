#pragma once

// Internals shared by the printer functions: reading our JSON objects and formatting values as
// pkg/printers/internalversion/printers.go does (printerhelpers.cpp), and the printers of each
// group of kinds that the table in printers.cpp names (podprinters.cpp, serviceprinters.cpp,
// workloadprinters.cpp, storageprinters.cpp).

#include "printers.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <initializer_list>
#include <optional>

namespace timonel::apiserver::printing {

// A printer's parameters, as PrinterFunction takes them.
using O = const QJsonObject &;
using N = const QDateTime &;

// --- Reading JSON objects -------------------------------------------------------------------

QJsonValue at(const QJsonValue &value, std::initializer_list<QStringView> path);
bool isSet(const QJsonValue &v);
qint64 integer(const QJsonValue &v, qint64 fallback = 0);
QString orElse(const QString &text, const QString &fallback);
QString joined(const QJsonArray &values, QStringView separator = u",");

// The first condition of a type, as Kubernetes' Get*Condition helpers find it.
QJsonObject condition(const QJsonValue &conditions, QStringView type);
bool conditionIsTrue(const QJsonValue &conditions, QStringView type);

// An RFC 3339 time (metav1.Time, or MicroTime with its fraction) in microseconds since the epoch;
// nullopt for a missing (zero) or unreadable one. QDateTime keeps only milliseconds, and a
// MicroTime's last digits can move an age across a whole second.
using Micros = std::optional<qint64>;
Micros timeOf(const QJsonValue &timestamp);
// The whole seconds from one time to another, truncated as Go's Duration.Seconds() conversion.
qint64 secondsBetween(qint64 fromMicros, qint64 toMicros);
qint64 micros(N now);
// translateTimestampSince: "<unknown>" for a zero (missing) time.
QString since(Micros time, N now);
QString since(const QJsonValue &timestamp, N now);

// --- Formatting values ------------------------------------------------------------------------

// labels.FormatLabels: "k1=v1,k2=v2" sorted by key, "<none>" when empty.
QString formatLabels(const QJsonValue &labels);
// metav1.LabelSelectorAsSelector(...).String(); nullopt when the selector is invalid. A missing
// selector selects nothing, which prints as "" like an empty one.
std::optional<QString> selectorText(const QJsonValue &selector);
// metav1.FormatLabelSelector.
QString formatLabelSelector(const QJsonValue &selector);
// Quantity.String() of a stored quantity; a zero (missing) quantity prints "0".
QString quantityText(const QJsonValue &value);
// An int-or-string field (intstr.IntOrString.String()).
QString intOrString(const QJsonValue &v);
// helper.GetAccessModesAsString: each mode once, always in this order.
QString accessModes(const QJsonValue &modes);
// "a,b,c + 2 more..." for the first `max` of `count` items; "<unset>" for none
// (listWithMoreString).
QString listWithMore(const QStringList &list, qsizetype count, qsizetype max = 3);
// The load balancer ingress points, distinct and sorted (loadBalancerStatusStringer, wide).
QString loadBalancerIngress(const QJsonValue &status);

// --- Pods (podprinters.cpp) -------------------------------------------------------------------

QJsonValue podReady(O o, N);
QJsonValue podStatus(O o, N);
QJsonValue podRestarts(O o, N now);
QJsonValue podIp(O o, N);
QJsonValue podReadinessGates(O o, N);

// --- Services, endpoints, ingresses (serviceprinters.cpp) -------------------------------------

QJsonValue serviceClusterIp(O o, N);
QJsonValue serviceExternalIp(O o, N);
QJsonValue servicePorts(O o, N);
QJsonValue endpointsAddresses(O o, N);
QJsonValue endpointSlicePorts(O o, N);
QJsonValue endpointSliceEndpoints(O o, N);
QJsonValue ingressHosts(O o, N);
QJsonValue ingressAddress(O o, N);
QJsonValue ingressPorts(O o, N);
QJsonValue ingressClassParameters(O o, N);

// --- Workloads (workloadprinters.cpp) ---------------------------------------------------------

// "<ready>/<desired>"; spec.replicas defaults to 1 as Kubernetes defaults it on every read.
QJsonValue readyOfDesired(O o, N);
QJsonValue deploymentSelector(O o, N);
QJsonValue controllerRevisionController(O o, N);
QJsonValue hpaReference(O o, N);
QJsonValue hpaTargets(O o, N);
QJsonValue jobStatus(O o, N);
QJsonValue jobCompletions(O o, N);
QJsonValue jobDuration(O o, N now);
QJsonValue cronJobSuspend(O o, N);
QJsonValue cronJobLastSchedule(O o, N now);

// --- Storage (storageprinters.cpp) ------------------------------------------------------------

QJsonValue phaseOrTerminating(O o, N);
// helper.GetPersistentVolume(Claim)Class: the beta annotation, present even if empty, wins.
QJsonValue storageClassOf(O o, N);
QJsonValue pvClaim(O o, N);
QJsonValue pvcCapacity(O o, N);
QJsonValue pvcAccessModes(O o, N);
QJsonValue storageClassName(O o, N);
QJsonValue storageClassAllowVolumeExpansion(O o, N);
QJsonValue csiDriverModes(O o, N);
QJsonValue csiDriverTokenRequests(O o, N);

} // namespace timonel::apiserver::printing
