// What differs between kinds when they are written: the defaults that depend on other fields,
// the validation rules no schema can express, what a new object starts with, and which fields
// an update may change. As Kubernetes' per-kind "strategies" (pkg/registry/*/strategy.go), kept
// in one table keyed by group/resource; kinds without an entry get only the generic behaviour.
#pragma once

#include "apierror.h"

#include "core/schema.h"

#include <QJsonObject>

#include <optional>

namespace timonel::apiserver {

struct KindStrategy
{
    // Defaults beyond the schema's static ones (imagePullPolicy from the image tag, ...).
    void (*defaults)(QJsonObject &object) = nullptr;
    // Sets what a new object starts with (a Pod's Pending status, a Namespace's finalizer).
    void (*prepareForCreate)(QJsonObject &object) = nullptr;
    // Kind-specific validation; `old` is null on create.
    FieldErrors (*validate)(const QJsonObject &object, const QJsonObject *old) = nullptr;
    // Puts back on an update what it may not change (subresource "", "status", "finalize"...).
    void (*prepareForUpdate)(QJsonObject &object, const QJsonObject &old,
                             const QString &subresource) = nullptr;
    // Something besides metadata.finalizers that keeps a deleted object (a namespace's
    // spec.finalizers), and what marking the object for deletion also changes.
    bool (*holdsDeletion)(const QJsonObject &object) = nullptr;
    void (*prepareForDeletion)(QJsonObject &object) = nullptr;
    // Seconds the object's owner gets to wind it down before it goes (a pod on a node): 0 to
    // delete at once.
    qint64 (*gracePeriod)(const QJsonObject &object, std::optional<qint64> requested) = nullptr;
    // A new object keeps the status its creator reports (a Node's); others start without one.
    bool statusFromCreator = false;
};

const KindStrategy &strategyFor(const core::ResourceInfo &resource);

// True when the kind's objects have a spec whose changes bump metadata.generation.
bool tracksGeneration(const core::ResourceInfo &resource);

// Validation every kind shares: metadata.name (per the kind's naming rule), namespace, labels
// and annotations.
FieldErrors validateObjectMeta(const QJsonObject &object, const core::ResourceInfo &resource);

// The DefaultStorageClass admission plugin: a claim without spec.storageClassName gets the class
// annotated storageclass.kubernetes.io/is-default-class=true, if there is one.
void defaultStorageClass(QJsonObject &claim, const QList<QJsonObject> &storageClasses);

} // namespace timonel::apiserver
