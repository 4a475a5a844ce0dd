#include "kustomizenamereferences.h"

#include "kustomizeconfig.h"
#include "kustomizefieldpath.h"

#include <QJsonArray>
#include <QSet>

#include <expected>

namespace timonel::gitops::kustomize {

namespace {

using namespace Qt::StringLiterals;

using Candidates = QList<const Resource *>;

// utils.SameEndingSubSlice: the shorter list is the end of the longer one.
bool sameEnding(const QStringList &a, const QStringList &b)
{
    const QStringList &shortest = a.size() <= b.size() ? a : b;
    const QStringList &longest = a.size() <= b.size() ? b : a;
    if (shortest.isEmpty())
        return longest.isEmpty();
    return longest.mid(longest.size() - shortest.size()) == shortest;
}

// Resource.PrefixesSuffixesEquals.
bool prefixesSuffixesEqual(const Resource &a, const Resource &b, bool allowEmpty)
{
    if (!allowEmpty)
        return sameEnding(a.prefixes, b.prefixes) && sameEnding(a.suffixes, b.suffixes);
    const bool eitherPrefixEmpty = a.prefixes.isEmpty() || b.prefixes.isEmpty();
    const bool eitherSuffixEmpty = a.suffixes.isEmpty() || b.suffixes.isEmpty();
    return (eitherPrefixEmpty || sameEnding(a.prefixes, b.prefixes)) &&
           (eitherSuffixEmpty || sameEnding(a.suffixes, b.suffixes));
}

bool previousIdSelectedBy(const Resource &resource, const Gvk &gvk)
{
    for (const ResId &id : resource.previousIds()) {
        if (gvk.selects(id.group, id.version, id.kind))
            return true;
    }
    return false;
}

Candidates sieve(const Candidates &candidates, const std::function<bool(const Resource &)> &keep)
{
    Candidates kept;
    for (const Resource *candidate : candidates) {
        if (keep(*candidate))
            kept.append(candidate);
    }
    return kept;
}

// resWrangler.SubsetThatCouldBeReferencedByResource: objects of the referrer's namespace,
// cluster-scoped ones, and the service accounts a RoleBinding names in other namespaces.
Candidates couldBeReferencedBy(const Resources &resources, const Resource &referrer)
{
    const ResId referrerId = referrer.currentId();
    Candidates candidates;
    QSet<QString> subjectNamespaces;
    if (referrer.kind() == u"RoleBinding"_s) {
        for (const QJsonValue &subject : referrer.object.value(u"subjects"_s).toArray()) {
            const QJsonObject s = subject.toObject();
            if (s.value(u"kind"_s).toString() == u"ServiceAccount"_s &&
                s.value(u"namespace"_s).isString())
                subjectNamespaces.insert(s.value(u"namespace"_s).toString());
        }
    }
    for (const Resource &resource : resources) {
        const ResId id = resource.currentId();
        if (referrerId.clusterScoped || id.clusterScoped || id.sameNamespace(referrerId) ||
            subjectNamespaces.contains(resource.ns()))
            candidates.append(&resource);
    }
    return candidates;
}

class ReferenceFixer
{
public:
    ReferenceFixer(const Resource &referrer, const NameReference &reference, const FieldSpec &spec,
                   Candidates candidates)
        : m_referrer(referrer), m_reference(reference), m_spec(spec),
          m_candidates(std::move(candidates))
    {
    }

    std::optional<QString> set(QJsonValue &node) const
    {
        if (node.isNull() || node.isUndefined())
            return std::nullopt;
        if (node.isObject())
            return setMapping(node);
        if (!node.isArray())
            return setScalar(node);
        QJsonArray array = node.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            QJsonValue element = array.at(i);
            if (element.isNull())
                continue;
            if (element.isArray())
                return u"a sequence is expected to hold strings or maps of string"_s;
            if (auto error = element.isObject() ? setMapping(element) : setScalar(element))
                return error;
            array[i] = element;
        }
        node = array;
        return std::nullopt;
    }

private:
    std::optional<QString> setScalar(QJsonValue &node) const
    {
        if (!node.isString())
            return std::nullopt;
        const auto referral = select(node.toString(), m_candidates, false);
        if (!referral)
            return referral.error();
        if (*referral && (*referral)->name() != node.toString())
            node = (*referral)->name();
        return std::nullopt;
    }

    // A {name, namespace} reference (role binding subjects, webhook services).
    std::optional<QString> setMapping(QJsonValue &node) const
    {
        QJsonObject map = node.toObject();
        if (!map.contains(u"name"_s))
            return u"path config error; no 'name' field in node"_s;
        const QString oldName = map.value(u"name"_s).toString();
        const auto referral = select(oldName, candidatesInNamespaceOf(map), true);
        if (!referral)
            return referral.error();
        const Resource *target = *referral;
        if (!target || (target->name() == oldName && target->ns().isEmpty()))
            return std::nullopt;
        map.insert(u"name"_s, target->name());
        if (!target->ns().isEmpty())
            map.insert(u"namespace"_s, target->ns());
        node = map;
        return std::nullopt;
    }

    // The candidates of the namespace the reference names: by original namespace, else by
    // current namespace.
    Candidates candidatesInNamespaceOf(const QJsonObject &map) const
    {
        if (!map.contains(u"namespace"_s))
            return m_candidates;
        const QString ns = map.value(u"namespace"_s).toString();
        const QString clusterWide = ResId{{}, {}, {}, {}, {}, true}.effectiveNamespace();
        const auto inNamespace = [&](bool original) {
            return sieve(m_candidates, [&](const Resource &r) {
                const QString effective = original ? r.originalId().effectiveNamespace()
                                                   : r.currentId().effectiveNamespace();
                return effective != clusterWide && effective == ns;
            });
        };
        const Candidates byOriginal = inNamespace(true);
        return byOriginal.isEmpty() ? inNamespace(false) : byOriginal;
    }

    // nameref.Filter.selectReferral.
    std::expected<const Resource *, QString> select(const QString &oldName, Candidates candidates,
                                                    bool mapping) const
    {
        candidates = sieve(candidates, [&](const Resource &r) {
            const QList<ResId> ids = r.previousIds();
            return std::any_of(ids.begin(), ids.end(),
                               [&](const ResId &id) { return id.name == oldName; });
        });
        candidates = sieve(candidates, [&](const Resource &r) {
            return previousIdSelectedBy(r, m_reference.target);
        });
        candidates = sieve(candidates, [&](const Resource &r) { return roleRefAccepts(r); });
        const ResId referrerId = m_referrer.currentId();
        if (!referrerId.clusterScoped) {
            candidates = sieve(candidates, [&](const Resource &r) {
                const ResId id = r.currentId();
                return id.clusterScoped || id.kind == u"ServiceAccount"_s ||
                       id.sameNamespace(referrerId);
            });
        }
        if (candidates.size() == 1)
            return candidates.front();
        candidates = sieve(candidates, [&](const Resource &r) {
            return prefixesSuffixesEqual(r, m_referrer, true);
        });
        if (candidates.size() > 1) {
            candidates = sieve(candidates, [&](const Resource &r) {
                return prefixesSuffixesEqual(r, m_referrer, false);
            });
        }
        if (candidates.size() == 1)
            return candidates.front();
        if (candidates.isEmpty())
            return nullptr;
        const bool identical =
            std::all_of(candidates.begin(), candidates.end(), [&](const Resource *r) {
                return r->name() == candidates.front()->name() &&
                       (!mapping || r->ns() == candidates.front()->ns());
            });
        if (identical)
            return candidates.front();
        QStringList ids;
        for (const Resource *candidate : std::as_const(candidates))
            ids.append(candidate->currentId().toString());
        return std::unexpected(u"found multiple possible referrals: %1"_s.arg(ids.join(u", "_s)));
    }

    // A RoleBinding's roleRef names a Role or a ClusterRole: its own kind and group decide.
    bool roleRefAccepts(const Resource &candidate) const
    {
        if (!m_spec.path.endsWith(u"roleRef/name"_s))
            return true;
        const QJsonObject roleRef = m_referrer.object.value(u"roleRef"_s).toObject();
        if (!roleRef.value(u"apiGroup"_s).isString() || !roleRef.value(u"kind"_s).isString())
            return true;
        const Gvk gvk{
            roleRef.value(u"apiGroup"_s).toString(), {}, roleRef.value(u"kind"_s).toString()};
        return previousIdSelectedBy(candidate, gvk);
    }

    const Resource &m_referrer;
    const NameReference &m_reference;
    const FieldSpec &m_spec;
    Candidates m_candidates;
};

} // namespace

void fixNameReferences(Resources &resources, QList<RenderProblem> &problems)
{
    // Referrers are chosen by their original ids, before any transformer renamed them.
    QList<ResId> originalIds;
    for (const Resource &resource : std::as_const(resources))
        originalIds.append(resource.originalId());

    // Only reference fields change here, never names: every referrer sees the same targets.
    const Resources targets = resources;
    for (qsizetype i = 0; i < resources.size(); ++i) {
        Resource &referrer = resources[i];
        const ResId &original = originalIds[i];
        Candidates candidates;
        bool candidatesKnown = false;
        for (const NameReference &reference : nameReferences()) {
            for (const FieldSpec &spec : reference.referrers) {
                if (!spec.gvk.selects(original.group, original.version, original.kind))
                    continue;
                if (!candidatesKnown) {
                    candidates = couldBeReferencedBy(targets, referrer);
                    candidatesKnown = true;
                }
                const ReferenceFixer fixer(referrer, reference, spec, candidates);
                const FieldWalk walk{false, {}, [&](QJsonValue &node) { return fixer.set(node); }};
                if (auto error = walkFieldPath(referrer.object, splitFieldPath(spec.path), walk)) {
                    problems.append({referrer.file, referrer.line,
                                     u"updating name reference in '%1' field of '%2': %3"_s.arg(
                                         spec.path, referrer.currentId().toString(), *error)});
                }
            }
        }
    }
}

} // namespace timonel::gitops::kustomize
