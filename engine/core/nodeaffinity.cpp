#include "nodeaffinity.h"

#include <QJsonArray>
#include <QStringList>

namespace timonel::core {

namespace {

std::optional<qint64> parseInt(const QString &text)
{
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    return ok ? std::optional(value) : std::nullopt;
}

} // namespace

bool nodeSelectorRequirementMatches(const QJsonObject &requirement,
                                    const std::optional<QString> &value)
{
    const QString op = requirement.value(u"operator").toString();
    QStringList values;
    for (const QJsonValue &v : requirement.value(u"values").toArray())
        values.append(v.toString());
    if (op == u"In")
        return value && values.contains(*value);
    if (op == u"NotIn")
        return !value || !values.contains(*value);
    if (op == u"Exists")
        return value.has_value();
    if (op == u"DoesNotExist")
        return !value;
    if (op == u"Gt" || op == u"Lt") {
        // Exactly one integer value; a label that is not an integer does not match.
        const auto bound = values.size() == 1 ? parseInt(values.first()) : std::nullopt;
        const auto actual = value ? parseInt(*value) : std::nullopt;
        if (!bound || !actual)
            return false;
        return op == u"Gt" ? *actual > *bound : *actual < *bound;
    }
    return false; // an unknown operator is a parse error: the term matches nothing
}

bool nodeSelectorTermMatches(const QJsonObject &term, const QJsonObject &node)
{
    const QJsonArray expressions = term.value(u"matchExpressions").toArray();
    const QJsonArray fields = term.value(u"matchFields").toArray();
    if (expressions.isEmpty() && fields.isEmpty())
        return false;
    const QJsonObject meta = node.value(u"metadata").toObject();
    const QJsonObject labels = meta.value(u"labels").toObject();
    for (const QJsonValue &e : expressions) {
        const QString key = e.toObject().value(u"key").toString();
        const std::optional<QString> value =
            labels.contains(key) ? std::optional(labels.value(key).toString()) : std::nullopt;
        if (!nodeSelectorRequirementMatches(e.toObject(), value))
            return false;
    }
    for (const QJsonValue &f : fields) {
        const QJsonObject field = f.toObject();
        const QString op = field.value(u"operator").toString();
        // Only metadata.name, and only with In or NotIn, is a valid field requirement.
        if (field.value(u"key").toString() != u"metadata.name" || (op != u"In" && op != u"NotIn"))
            return false;
        if (!nodeSelectorRequirementMatches(field, meta.value(u"name").toString()))
            return false;
    }
    return true;
}

bool podSpecMatchesNode(const QJsonObject &spec, const QJsonObject &node)
{
    const QJsonObject labels = node.value(u"metadata").toObject().value(u"labels").toObject();
    const QJsonObject selector = spec.value(u"nodeSelector").toObject();
    for (auto it = selector.begin(); it != selector.end(); ++it)
        if (!labels.contains(it.key()) ||
            labels.value(it.key()).toString() != it.value().toString())
            return false;
    const QJsonValue required = spec.value(u"affinity")
                                    .toObject()
                                    .value(u"nodeAffinity")
                                    .toObject()
                                    .value(u"requiredDuringSchedulingIgnoredDuringExecution");
    if (!required.isObject())
        return true;
    for (const QJsonValue &term : required.toObject().value(u"nodeSelectorTerms").toArray())
        if (nodeSelectorTermMatches(term.toObject(), node))
            return true;
    return false;
}

} // namespace timonel::core
