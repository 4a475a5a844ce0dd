// What differs between kinds when they are written: the defaults that depend on other fields,
// the validation rules no schema can express, what a new object starts with, and which fields
// an update may change. As Kubernetes' per-kind "strategies" (pkg/registry/*/strategy.go), kept
// in one table keyed by group/resource; kinds without an entry get only the generic behaviour.
#pragma once

#include "apierror.h"

#include "core/schema.h"

#include <QJsonObject>

namespace timonel::apiserver {

struct KindStrategy
{
    // Defaults beyond the schema's static ones (imagePullPolicy from the image tag, ...).
    void (*defaults)(QJsonObject &object) = nullptr;
    // Sets what a new object starts with (a Pod's Pending status, a Namespace's finalizer).
    void (*prepareForCreate)(QJsonObject &object) = nullptr;
    // Kind-specific validation; `old` is null on create.
    FieldErrors (*validate)(const QJsonObject &object, const QJsonObject *old) = nullptr;
};

const KindStrategy &strategyFor(const core::ResourceInfo &resource);

// True when the kind's objects have a spec whose changes bump metadata.generation.
bool tracksGeneration(const core::ResourceInfo &resource);

// Validation every kind shares: metadata.name (per the kind's naming rule), namespace, labels
// and annotations.
FieldErrors validateObjectMeta(const QJsonObject &object, const core::ResourceInfo &resource);

} // namespace timonel::apiserver
