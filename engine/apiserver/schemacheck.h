// Checks and defaults driven by the schema of a kind: what Kubernetes' strict JSON decoding,
// defaulting functions and the generic part of its validation do.
#pragma once

#include "apierror.h"

#include "core/schema.h"

#include <QJsonObject>
#include <QStringList>

namespace timonel::apiserver {

// A value of the wrong JSON type, e.g. a string where the schema wants an integer.
struct TypeMismatch
{
    QString path;       // "spec.replicas"
    QString goMessage;  // as Go's JSON decoder words it, for built-in kinds
    QString openApiType; // "integer": what a custom resource's schema wants
    QString jsonType;   // "string": what came
};

struct DecodeProblems
{
    QStringList unknownFields; // `unknown field "spec.foo"`, as strict decoding reports them
    QList<TypeMismatch> typeErrors; // always an error, whatever fieldValidation says
};

// Walks an object against its schema. Fields of FreeForm/Any types are not descended into.
DecodeProblems checkFields(const QJsonObject &object, const core::SchemaType *schema);

// Sets the schema's static defaults on every object present in the tree (as Kubernetes'
// SetDefaults_* do: a default applies where its parent exists and the field is missing).
void applySchemaDefaults(QJsonObject &object, const core::SchemaType *schema);

// Required fields, enums, ranges and formats from the schema.
FieldErrors validateAgainstSchema(const QJsonObject &object, const core::SchemaType *schema);

// Kubernetes canonicalises resource quantities on write ("1000m" -> "1").
void canonicalizeQuantities(QJsonObject &object, const core::SchemaType *schema);

} // namespace timonel::apiserver
