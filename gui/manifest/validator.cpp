#include "validator.h"

#include "apiserver/schemacheck.h"
#include "core/schema.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace timonel::manifest {

namespace {

using apiserver::FieldError;

// Groups Kubernetes itself serves: a kind missing from one of them is a mistake, while one in
// another group may come with a CustomResourceDefinition not installed yet.
bool isBuiltInGroup(const QString &group)
{
    static const QSet<QString> groups = [] {
        QSet<QString> out;
        for (const core::ResourceInfo *r : core::SchemaRegistry::builtIn().resources())
            if (!r->custom)
                out.insert(r->group);
        out.insert(QString());
        return out;
    }();
    return groups.contains(group) || group.endsWith(".k8s.io"_L1);
}

class Checker
{
public:
    explicit Checker(const YamlDocument &document) : m_document(document) {}

    // The object being checked: the document, or an item of a List ("items[2]").
    void setObjectPath(const QString &path) { m_objectPath = path; }

    // At the key of the field, or of its nearest written ancestor when it is missing. Paths
    // are the object's own, as the API server names them.
    void atKey(const QString &path, Severity severity, const QString &message)
    {
        const QString full = inDocument(path);
        const NodePosition at = m_document.nearestPosition(full).second;
        add(at.key.isValid() ? at.key : at.value, severity, message, full);
    }

    // At the value of the field (a wrong value), else as atKey.
    void atValue(const QString &path, Severity severity, const QString &message)
    {
        const QString full = inDocument(path);
        if (const auto at = m_document.position(full); at && at->value.isValid())
            add(at->value, severity, message, full);
        else
            atKey(path, severity, message);
    }

    QList<Problem> take()
    {
        std::ranges::stable_sort(m_problems, [](const Problem &a, const Problem &b) {
            return std::pair(a.line, a.column) < std::pair(b.line, b.column);
        });
        return std::move(m_problems);
    }

private:
    QString inDocument(const QString &path) const
    {
        if (path.isEmpty() || m_objectPath.isEmpty())
            return m_objectPath + path;
        return m_objectPath + u'.' + path;
    }

    void add(TextPosition at, Severity severity, const QString &message, const QString &path)
    {
        if (!at.isValid())
            at = {m_document.firstLine, 1};
        for (const Problem &p : std::as_const(m_problems))
            if (p.path == path && p.message == message)
                return;
        m_problems.append({at.line, at.column, severity, message, path});
    }

    const YamlDocument &m_document;
    QString m_objectPath;
    QList<Problem> m_problems;
};

// kubectl's checks before it looks the kind up (its validation.getObjectKind), in its words.
bool checkTypeMeta(const QJsonObject &object, Checker &checker)
{
    bool ok = true;
    for (const auto &[field, notSet, notString] :
         {std::tuple("apiVersion"_L1, "apiVersion not set"_L1, "apiVersion isn't string type"_L1),
          std::tuple("kind"_L1, "kind not set"_L1, "kind isn't string type"_L1)}) {
        const QJsonValue v = object.value(field);
        if (v.isUndefined() || v.isNull() || v == QJsonValue(QString())) {
            checker.atKey(field, Severity::Error, notSet);
            ok = false;
        } else if (!v.isString()) {
            checker.atValue(field, Severity::Error, notString);
            ok = false;
        }
    }
    const QString apiVersion = object.value("apiVersion"_L1).toString();
    if (apiVersion.count(u'/') > 1) {
        checker.atValue(u"apiVersion"_s, Severity::Error,
                        u"unexpected GroupVersion string: "_s + apiVersion);
        ok = false;
    }
    return ok;
}

void checkSchema(const QJsonObject &object, const core::ResourceInfo &resource, Checker &checker)
{
    const apiserver::DecodeProblems decoded = apiserver::checkFields(object, resource.schema);
    // Worded as strict decoding reports them: `unknown field "spec.foo"`.
    for (const QString &problem : decoded.unknownFields)
        checker.atKey(problem.section(u'"', 1, -2), Severity::Error, problem);
    for (const apiserver::TypeMismatch &m : decoded.typeErrors) {
        // A custom resource is checked against its OpenAPI schema, a built-in kind by Go's
        // decoder: the API server words the two differently.
        const QString message =
            resource.custom ? FieldError::invalid(m.path, m.jsonType,
                                                  u"%1 in body must be of type %2: \"%3\""_s.arg(
                                                      m.path, m.openApiType, m.jsonType))
                                  .toString()
                            : m.goMessage;
        checker.atValue(m.path, Severity::Error, message);
    }
    for (const FieldError &e : apiserver::validateAgainstSchema(object, resource.schema)) {
        if (e.type == FieldError::Type::Required)
            checker.atKey(e.field, Severity::Error, e.toString());
        else
            checker.atValue(e.field, Severity::Error, e.toString());
    }
}

void checkObject(const QJsonValue &value, const core::SchemaRegistry &registry, Checker &checker)
{
    if (!value.isObject()) {
        checker.atKey(QString(), Severity::Error, u"invalid object to validate"_s);
        return;
    }
    const QJsonObject object = value.toObject();
    if (!checkTypeMeta(object, checker))
        return;
    const QString apiVersion = object.value("apiVersion"_L1).toString();
    const QString kind = object.value("kind"_L1).toString();
    if (apiVersion == u"v1" && kind == u"List") {
        // kubectl's own list of objects (what `kubectl get -o yaml` writes): each item is one.
        const QJsonArray items = object.value("items"_L1).toArray();
        for (qsizetype i = 0; i < items.size(); ++i) {
            checker.setObjectPath(indexPath(u"items"_s, int(i)));
            checkObject(items[i], registry, checker);
        }
        return;
    }
    const QString group = apiVersion.contains(u'/') ? apiVersion.section(u'/', 0, 0) : QString();
    const QString version = apiVersion.section(u'/', -1);
    const core::ResourceInfo *resource = registry.resourceForKind(group, version, kind);
    if (!resource) {
        checker.atValue(u"kind"_s, isBuiltInGroup(group) ? Severity::Error : Severity::Warning,
                        u"no matches for kind \"%1\" in version \"%2\""_s.arg(kind, apiVersion));
        return;
    }
    const QJsonObject meta = object.value("metadata"_L1).toObject();
    if (meta.value("name"_L1).toString().isEmpty() &&
        meta.value("generateName"_L1).toString().isEmpty())
        checker.atKey(
            u"metadata.name"_s, Severity::Error,
            FieldError::required(u"metadata.name"_s, u"name or generateName is required"_s)
                .toString());
    checkSchema(object, *resource, checker);
}

} // namespace

QList<Problem> validate(const YamlDocument &document, const core::SchemaRegistry &registry)
{
    if (document.syntaxError) {
        const core::YamlError &e = *document.syntaxError;
        return {{e.line, std::max(1, e.column), Severity::Error, e.message, QString()}};
    }
    if (document.isEmpty())
        return {};
    Checker checker(document);
    checkObject(document.value, registry, checker);
    return checker.take();
}

QList<Problem> validate(const ManifestFile &file, const core::SchemaRegistry &registry)
{
    QList<Problem> out;
    for (const YamlDocument &document : file.documents)
        out.append(validate(document, registry));
    return out;
}

} // namespace timonel::manifest
