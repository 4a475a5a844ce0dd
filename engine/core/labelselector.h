#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <expected>
#include <optional>

namespace timonel::core {

struct LabelRequirement
{
    QString key;
    enum class Operator
    {
        Equals, // "=" and "=="
        NotEquals,
        In,
        NotIn,
        Exists,
        DoesNotExist,
        GreaterThan,
        LessThan,
    } op = Operator::Equals;
    // Sorted and without duplicates when parsed from a string; as written for matchExpressions.
    QStringList values;

    friend bool operator==(const LabelRequirement &, const LabelRequirement &) = default;
};

// A label selector with the semantics of k8s.io/apimachinery/pkg/labels: an AND of
// requirements kept sorted by key, so equal selectors print the same.
class LabelSelector
{
public:
    // Selects everything.
    LabelSelector() = default;

    // The string form of ?labelSelector= and kubectl -l: "app=web", "tier in (a,b)",
    // "!canary", "release", "x>1", comma for AND, whitespace around tokens ignored, "" for
    // everything. Errors are Kubernetes' texts ("unable to parse requirement: ...").
    static std::expected<LabelSelector, QString> parse(QStringView text);
    // A metav1.LabelSelector (matchLabels / matchExpressions with In, NotIn, Exists,
    // DoesNotExist), as metav1.LabelSelectorAsSelector converts it: an empty object selects
    // everything. A missing (null) selector selects nothing in Kubernetes: use nothing().
    static std::expected<LabelSelector, QString> fromJson(const QJsonObject &selector);
    // key=value for every entry, unvalidated, as labels.SelectorFromSet does for the map
    // selectors of Services and ReplicationControllers. An empty map selects everything.
    static LabelSelector fromSet(const QJsonObject &labels);

    static LabelSelector everything() { return {}; }
    static LabelSelector nothing();

    bool matches(const QJsonObject &labels) const;
    // True when the selector does not restrict anything (false for nothing()).
    bool isEmpty() const { return !m_nothing && m_requirements.isEmpty(); }
    bool isNothing() const { return m_nothing; }
    // Canonical form as Kubernetes prints it: "app=web,tier in (a,b)" (values of a set-based
    // requirement sorted). "" for everything() and nothing(). "==" prints as "=".
    QString toString() const;
    QList<LabelRequirement> requirements() const { return m_requirements; }
    // The value key must equal ("app=web", "app in (web)"), as RequiresExactMatch: only the
    // first requirement on key counts.
    std::optional<QString> exactValue(QStringView key) const;

    friend bool operator==(const LabelSelector &, const LabelSelector &) = default;

private:
    QList<LabelRequirement> m_requirements;
    bool m_nothing = false;
};

} // namespace timonel::core
