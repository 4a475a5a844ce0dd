#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <deque>
#include <expected>
#include <memory>
#include <optional>

namespace timonel::core {

class SchemaType;

// One field of an object type, with everything patches, validation and OpenAPI need.
struct SchemaField
{
    QString name;
    const SchemaType *type = nullptr;
    QString description;
    int protoNumber = 0;
    bool required = false;
    QJsonValue defaultValue = QJsonValue::Undefined;
    QStringList enumValues;
    std::optional<double> minimum;
    std::optional<double> maximum;
    QString format;        // validation format: dns-label, dns-subdomain, ...
    QString patchStrategy; // "", "merge", "retainKeys", "merge,retainKeys", "replace"
    QString patchMergeKey;
    QString listType; // "", "atomic", "set", "map"
    QStringList listMapKeys;
    bool atomicMap = false; // x-kubernetes-map-type: atomic on an object or map field
};

// A type: a named object (io.k8s.api.core.v1.Probe), a list, a map or a scalar.
class SchemaType
{
public:
    enum class Kind {
        Object,
        List,
        Map,
        String,
        Integer,
        Number,
        Boolean,
        Bytes,
        Time,
        MicroTime,
        Quantity,
        IntOrString,
        FreeForm, // any JSON object, unknown fields kept
        Any,      // any JSON value
    };

    Kind kind = Kind::Any;
    QString name; // fully-qualified for named object types, "" otherwise
    QString description;
    QString format;                     // OpenAPI format: int32, int64, double, byte, date-time
    QList<SchemaField> fields;          // Object: in declaration order
    const SchemaType *element = nullptr; // List item or Map value
    bool atomic = false;                // Object whose fields are replaced as a whole
    // Go structs embedded inline: their fields appear among this type's in JSON, but protobuf
    // nests them as one message under their own field number (Volume embeds VolumeSource @2).
    struct Inline
    {
        const SchemaType *type = nullptr;
        int protoNumber = 0;
    };
    QList<Inline> inlined;

    const SchemaField *field(QStringView name) const;
    bool isScalar() const;
};

struct TableColumn
{
    QString name; // "Name", "Nominated Node"
    QString type = QStringLiteral("string");
    QString format; // "name" for the Name column
    int priority = 0;
    QString description;
    QString expression; // "name", "age", ".spec.type", or a printer function name
};

// A REST resource: what discovery, routing, field selectors and tables need to know.
struct ResourceInfo
{
    QString group; // "" for the core group
    QString version;
    QString kind;
    QString plural;
    QString singular;
    QStringList shortNames;
    QStringList categories;
    bool namespaced = true;
    QStringList verbs;
    QStringList subresources;   // status, scale, log, exec, ...
    QStringList fieldSelectors; // besides metadata.name and metadata.namespace
    QList<TableColumn> columns;
    const SchemaType *schema = nullptr;
    bool custom = false; // served for a CustomResourceDefinition

    QString apiVersion() const; // "v1", "apps/v1"
    QString groupResource() const; // "pods", "deployments.apps"
};

// The schema of every kind the API server serves: loaded from engine/core/schema/*.yaml
// (see its README), extended at run time by CustomResourceDefinitions.
class SchemaRegistry
{
public:
    SchemaRegistry();
    ~SchemaRegistry();
    SchemaRegistry(SchemaRegistry &&) noexcept;
    SchemaRegistry &operator=(SchemaRegistry &&) noexcept;

    // The built-in kinds, from the schema files compiled into the binary. Loaded once.
    static const SchemaRegistry &builtIn();
    // A fresh copy of the built-in kinds, for a registry that CRDs will extend.
    static SchemaRegistry loadBuiltIn();
    // Loads schema files; fails with "file: message" on the first error (unknown type,
    // bad flag, duplicate kind).
    static std::expected<SchemaRegistry, QString> load(const QStringList &files);

    const SchemaType *type(QStringView qualifiedName) const;
    const ResourceInfo *resource(QStringView group, QStringView version, QStringView plural) const;
    const ResourceInfo *resourceForKind(QStringView group, QStringView version,
                                        QStringView kind) const;
    QList<const ResourceInfo *> resources() const;
    QList<const SchemaType *> namedTypes() const;

    // Types made at run time (CRD schemas) are owned by the registry that adds them.
    SchemaType *newType();
    // Adds or replaces the resource with the same group, version and plural.
    void addResource(ResourceInfo info);
    void removeResource(QStringView group, QStringView version, QStringView plural);

    struct Private; // opaque; public so that the loader in schema.cpp can fill it

private:
    std::unique_ptr<Private> d;
};

// Converts a CustomResourceDefinition's openAPIV3Schema into types owned by registry.
std::expected<const SchemaType *, QString> schemaFromOpenApi(const QJsonObject &openApi,
                                                             SchemaRegistry &registry);

} // namespace timonel::core
