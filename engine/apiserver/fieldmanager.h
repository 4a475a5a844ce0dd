#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <expected>

namespace timonel::core {
class SchemaType;
} // namespace timonel::core

// Server-side apply and metadata.managedFields, as the Kubernetes API server keeps them
// (k8s.io/apimachinery/pkg/util/managedfields on sigs.k8s.io/structured-merge-diff).
namespace timonel::apiserver {

// A field another manager owns and the applied configuration would change.
struct FieldConflict
{
    QString manager;     // "kubectl-client-side-apply"
    QString operation;   // "Apply" or "Update"
    QString apiVersion;  // the manager's entry's; printed for Update managers only
    QString subresource; // "status", "scale" or ""
    QString field;       // ".spec.replicas", ".spec.containers[name=\"c\"].image"

    // The Status cause message: conflict with "kubectl-client-side-apply" using apps/v1
    QString message() const;
};

struct ApplyFailure
{
    int code = 409;                 // HTTP status: 409 conflicts, 400 bad request, 500 other
    QString reason;                 // Status reason: "Conflict", "BadRequest", "" (unknown)
    QList<FieldConflict> conflicts; // the Status details' causes, in message order
    // Kubernetes' text: "Apply failed with 1 conflict: conflict with
    // \"kubectl-client-side-apply\" using apps/v1: .spec.replicas", the multi-conflict form
    // ("Apply failed with 2 conflicts: conflicts with \"m\" using apps/v1:\n- .a\n- .b"), or
    // the plain message of another failure.
    QString message;
};

// Server-side apply of config (the applied configuration, parsed) by manager onto live (an
// empty object when the object does not exist yet), for the resource whose schema is
// schema, served at apiVersion. Returns the merged object with metadata.managedFields
// updated; the caller still defaults, validates, applies its update rules (resourceVersion
// precondition, immutable and system metadata) and stores it, as for any update. config's
// apiVersion must be apiVersion and its kind live's ("invalid object type: apps/v1,
// Kind=Pod"); on create the caller checks the kind against the resource's.
//
// Merges per the schema (see typedvalue.h), removes fields manager applied before and no
// longer applies unless another manager owns them, and fails on conflicts with fields
// other managers own whose values would change, unless force takes them over. Apply by
// manager "kubectl" on an object with a client-side-apply annotation
// (kubectl.kubernetes.io/last-applied-configuration) is the upgrade path from client-side
// apply: conflicts on fields whose live value still equals the annotation's are taken over
// without force, and the annotation is rewritten to config. An object without
// managedFields first gets its fields owned by "before-first-apply".
std::expected<QJsonObject, ApplyFailure>
applyConfiguration(const QJsonObject &live, const QJsonObject &config, const QString &manager,
                   bool force, const core::SchemaType *schema, const QString &apiVersion,
                   const QDateTime &now, const QString &subresource = {});

// Ownership bookkeeping of an ordinary write (create, update, patch; operation Update):
// returns newObject with metadata.managedFields where the fields whose values changed from
// oldObject (an empty object on create) are owned by manager and no longer by others.
// Entries with the same manager, apiVersion and subresource merge; managers left without
// fields go; beyond ten Update managers the oldest merge into "ancient-changes".
// managedFields set in newObject are taken as given (a client editing ownership, as kubectl
// does when it upgrades client-side apply), and [] or [{}] clears them; on a subresource
// they are ignored. An existing object without managedFields does not start tracking.
QJsonObject updateManagedFields(const QJsonObject &oldObject, const QJsonObject &newObject,
                                const QString &manager, const core::SchemaType *schema,
                                const QString &apiVersion, const QDateTime &now,
                                const QString &subresource = {});

// The manager of a request without ?fieldManager=: the User-Agent up to its first "/"
// ("kubectl/v1.32.0 (linux/amd64)" -> "kubectl"), printable characters, at most 128 bytes.
QString fieldManagerFromUserAgent(const QString &userAgent);

} // namespace timonel::apiserver
