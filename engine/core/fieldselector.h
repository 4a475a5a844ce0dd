#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <expected>
#include <functional>
#include <optional>

namespace timonel::core {

struct FieldRequirement
{
    QString field;
    enum class Operator
    {
        Equals,
        NotEquals
    } op = Operator::Equals; // "=", "==" are Equals
    QString value;           // unescaped

    friend bool operator==(const FieldRequirement &, const FieldRequirement &) = default;
};

// A field selector with the semantics of k8s.io/apimachinery/pkg/fields: an AND of
// field=value / field!=value terms. Which fields a kind supports is the API server's business.
class FieldSelector
{
public:
    // Selects everything.
    FieldSelector() = default;

    // The string form of ?fieldSelector= and kubectl --field-selector:
    // "metadata.name=web,status.phase!=Running". No whitespace trimming; in values, '\' escapes
    // '\', ',' and '='. Errors are Kubernetes' texts.
    static std::expected<FieldSelector, QString> parse(QStringView text);

    static FieldSelector everything() { return {}; }
    static FieldSelector nothing();

    // valueOf gives a field's value; a field it does not know compares as "".
    bool matches(const std::function<std::optional<QString>(QStringView field)> &valueOf) const;
    // Fields read from the object itself with fieldValue().
    bool matches(const QJsonObject &object) const;
    QStringList fields() const;
    QList<FieldRequirement> requirements() const { return m_requirements; }
    // The value field must equal, for the metadata.name=x fast path (RequiresExactMatch).
    std::optional<QString> exactValue(QStringView field) const;
    bool isEmpty() const { return !m_nothing && m_requirements.isEmpty(); }
    bool isNothing() const { return m_nothing; }
    // "a=b,c!=d" in Kubernetes' order (terms sorted as written), values escaped again.
    QString toString() const;

    friend bool operator==(const FieldSelector &, const FieldSelector &) = default;

private:
    QList<FieldRequirement> m_requirements;
    bool m_nothing = false;
};

// The value at a dotted path ("spec.nodeName", "involvedObject.uid") as a field selector sees
// it: strings as they are, booleans "true"/"false", integers in decimal; nullopt when missing,
// null, an object or an array.
std::optional<QString> fieldValue(const QJsonObject &object, QStringView dottedPath);

} // namespace timonel::core
