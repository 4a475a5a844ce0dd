#include "typedvalue_p.h"

#include <map>

using namespace Qt::StringLiterals;

// Merge, compare and removal: structured-merge-diff's typed/merge.go, compare.go, remove.go.
namespace timonel::apiserver {

using namespace typed;

namespace {

// --- merge --------------------------------------------------------------------------------

QJsonValue merge(const QJsonValue &lhs, const QJsonValue &rhs, TypeRef t);

struct IndexedList
{
    QList<PathElement> elements;
    QList<QJsonValue> items;                  // parallel to elements
    std::map<PathElement, QJsonValue> values; // a duplicated element maps to null
};

IndexedList indexList(const Atom &a, const std::optional<QJsonArray> &list)
{
    IndexedList out;
    if (!list)
        return out;
    for (const QJsonValue &item : *list) {
        auto pe = listItemElement(a, item);
        if (!pe)
            continue; // the value was validated before: only stored garbage gets here
        auto [it, inserted] = out.values.try_emplace(*pe, item);
        if (!inserted)
            it->second = QJsonValue::Null;
        out.elements.append(*pe);
        out.items.append(item);
    }
    return out;
}

QJsonValue valueOr(const std::map<PathElement, QJsonValue> &values, const PathElement &pe)
{
    auto it = values.find(pe);
    return it == values.end() ? QJsonValue(QJsonValue::Undefined) : it->second;
}

QJsonValue mergeListItems(const Atom &a, const std::optional<QJsonArray> &lhsList,
                          const std::optional<QJsonArray> &rhsList)
{
    const IndexedList rhs = indexList(a, rhsList);
    const IndexedList lhs = indexList(a, lhsList);
    QList<PathElement> sharedOrder;
    for (const PathElement &pe : rhs.elements)
        if (lhs.values.contains(pe))
            sharedOrder.append(pe);
    std::optional<PathElement> nextShared;
    const auto advanceShared = [&] {
        nextShared.reset();
        if (!sharedOrder.isEmpty())
            nextShared = sharedOrder.takeFirst();
    };
    advanceShared();

    QJsonArray out;
    const auto append = [&](const QJsonValue &v) {
        if (!v.isUndefined())
            out.append(v);
    };
    std::map<PathElement, bool> mergedRhs;
    const qsizetype lLen = lhs.elements.size(), rLen = rhs.elements.size();
    for (qsizetype l = 0, r = 0; l < lLen || r < rLen;) {
        if (l < lLen && r < rLen) {
            const PathElement &pe = lhs.elements[l];
            if (pe == rhs.elements[r]) {
                mergedRhs[pe] = true;
                append(merge(valueOr(lhs.values, pe), valueOr(rhs.values, pe), a.element));
                ++l, ++r;
                advanceShared();
                continue;
            }
            if (rhs.values.contains(pe) && nextShared && !(*nextShared == pe)) {
                ++l; // a shared element, but not the one due now
                continue;
            }
        }
        if (l < lLen) {
            const PathElement &pe = lhs.elements[l];
            if (!rhs.values.contains(pe)) {
                append(merge(lhs.items[l], QJsonValue::Undefined, a.element));
                ++l;
                continue;
            }
            if (mergedRhs.contains(pe))
                ++l;
        }
        if (r < rLen) {
            const PathElement pe = rhs.elements[r];
            mergedRhs[pe] = true;
            append(merge(valueOr(lhs.values, pe), valueOr(rhs.values, pe), a.element));
            ++r;
            if (nextShared && *nextShared == pe)
                advanceShared();
        }
    }
    return out.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(out);
}

QJsonValue merge(const QJsonValue &lhs, const QJsonValue &rhs, TypeRef t)
{
    const Atom a = resolve(t, rhs.isUndefined() ? lhs : rhs);
    const QJsonValue leaf = rhs.isUndefined() ? lhs : rhs;
    switch (a.shape) {
    case Atom::Shape::Scalar:
        return leaf;
    case Atom::Shape::List: {
        const auto l = asList(lhs), r = asList(rhs);
        const bool empty = (!l || l->isEmpty()) && (!r || r->isEmpty());
        if (a.atomic || empty)
            return leaf;
        return mergeListItems(a, l, r);
    }
    case Atom::Shape::Map: {
        const auto l = asMap(lhs), r = asMap(rhs);
        const bool empty = (!l || l->isEmpty()) && (!r || r->isEmpty());
        if (a.atomic || empty)
            return leaf;
        QJsonObject out = l.value_or(QJsonObject());
        for (auto it = out.begin(); it != out.end();) {
            if (r && r->contains(it.key())) {
                ++it;
                continue;
            }
            const QJsonValue merged =
                merge(it.value(), QJsonValue::Undefined, childTypeOrShape(a, it.key()));
            if (merged.isUndefined()) {
                it = out.erase(it);
            } else {
                *it = merged;
                ++it;
            }
        }
        if (r) {
            for (auto it = r->begin(); it != r->end(); ++it) {
                const QJsonValue merged = merge(l ? l->value(it.key()) : QJsonValue::Undefined,
                                                it.value(), childTypeOrShape(a, it.key()));
                if (merged.isUndefined())
                    out.remove(it.key());
                else
                    out.insert(it.key(), merged);
            }
        }
        return out.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(out);
    }
    }
    return leaf;
}

// --- compare ------------------------------------------------------------------------------

struct Comparer
{
    Comparison &result;
    FieldPath path;

    void compare(const QJsonValue &lhs, const QJsonValue &rhs, TypeRef t)
    {
        bool inLeaf = false;
        const Atom al = resolve(t, lhs), ar = resolve(t, rhs);
        if (rhs.isUndefined()) {
            handle(al, lhs, rhs, inLeaf);
        } else if (lhs.isUndefined() || (al.shape == ar.shape && al.object == ar.object)) {
            handle(ar, lhs, rhs, inLeaf);
        } else {
            // A shape-typed value changed shape: both readings count, the last one decides.
            bool ignored = false;
            handle(al, lhs, rhs, ignored);
            handle(ar, lhs, rhs, inLeaf);
        }
        if (!inLeaf) {
            if (lhs.isUndefined())
                result.added.insert(path);
            else if (rhs.isUndefined())
                result.removed.insert(path);
        }
    }

    void leaf(const QJsonValue &lhs, const QJsonValue &rhs, bool &inLeaf)
    {
        if (inLeaf)
            return;
        inLeaf = true;
        if (lhs.isUndefined())
            result.added.insert(path);
        else if (rhs.isUndefined())
            result.removed.insert(path);
        else if (lhs != rhs)
            result.modified.insert(path);
    }

    void handle(const Atom &a, const QJsonValue &lhs, const QJsonValue &rhs, bool &inLeaf)
    {
        switch (a.shape) {
        case Atom::Shape::Scalar:
            leaf(lhs, rhs, inLeaf);
            return;
        case Atom::Shape::List: {
            const auto l = asList(lhs), r = asList(rhs);
            const bool empty = (!l || l->isEmpty()) && (!r || r->isEmpty());
            if (a.atomic || empty) {
                leaf(lhs, rhs, inLeaf);
                return;
            }
            listItems(a, l, r);
            return;
        }
        case Atom::Shape::Map: {
            const auto l = asMap(lhs), r = asMap(rhs);
            const bool empty = (!l || l->isEmpty()) && (!r || r->isEmpty());
            if (a.atomic || empty) {
                leaf(lhs, rhs, inLeaf);
                return;
            }
            QStringList keys = l ? l->keys() : QStringList();
            if (r)
                for (const QString &k : r->keys())
                    if (!l || !l->contains(k))
                        keys.append(k);
            for (const QString &k : keys) {
                path.append(PathElement::field(k));
                compare(l ? l->value(k) : QJsonValue::Undefined,
                        r ? r->value(k) : QJsonValue::Undefined, childTypeOrShape(a, k));
                path.removeLast();
            }
            return;
        }
        }
    }

    void item(const Atom &a, const PathElement &pe, const QJsonValue &l, const QJsonValue &r)
    {
        path.append(pe);
        compare(l, r, a.element);
        path.removeLast();
    }

    void listItems(const Atom &a, const std::optional<QJsonArray> &lhs,
                   const std::optional<QJsonArray> &rhs)
    {
        QList<PathElement> all;
        std::map<PathElement, QList<QJsonValue>> lValues, rValues;
        for (const QJsonValue &v : lhs.value_or(QJsonArray())) {
            if (auto pe = listItemElement(a, v)) {
                if (!lValues.contains(*pe))
                    all.append(*pe);
                lValues[*pe].append(v);
            }
        }
        for (const QJsonValue &v : rhs.value_or(QJsonArray())) {
            if (auto pe = listItemElement(a, v)) {
                if (!lValues.contains(*pe) && !rValues.contains(*pe))
                    all.append(*pe);
                rValues[*pe].append(v);
            }
        }
        for (const PathElement &pe : all) {
            const QList<QJsonValue> l = lValues[pe], r = rValues[pe];
            const QJsonValue none(QJsonValue::Undefined);
            if (l.size() <= 1 && r.size() <= 1) {
                item(a, pe, l.isEmpty() ? none : l[0], r.isEmpty() ? none : r[0]);
            } else if (l.size() >= 2 && r.size() >= 2) {
                if (l != r)
                    result.modified.insert(path + FieldPath{pe});
            } else if (l.size() >= 2) {
                if (!r.isEmpty())
                    item(a, pe, none, r[0]);
                result.removed.insert(path + FieldPath{pe});
            } else {
                if (!l.isEmpty())
                    item(a, pe, l[0], none);
                result.added.insert(path + FieldPath{pe});
            }
        }
    }
};

// --- removal ------------------------------------------------------------------------------

QJsonValue remove(const QJsonValue &v, const FieldSet &toRemove, TypeRef t)
{
    const Atom a = resolve(t, v);
    const QJsonValue none(QJsonValue::Undefined);
    switch (a.shape) {
    case Atom::Shape::Scalar:
        return v;
    case Atom::Shape::List: {
        const auto items = asList(v);
        if (!items || items->isEmpty() || a.atomic)
            return none;
        QJsonArray out;
        for (const QJsonValue &item : *items) {
            auto pe = listItemElement(a, item);
            if (!pe) {
                out.append(item);
                continue;
            }
            if (toRemove.hasMember(*pe))
                continue;
            const FieldSet below = toRemove.below(*pe);
            const QJsonValue kept = below.isEmpty() ? item : remove(item, below, a.element);
            out.append(kept.isUndefined() ? QJsonValue(QJsonValue::Null) : kept);
        }
        return out.isEmpty() ? none : QJsonValue(out);
    }
    case Atom::Shape::Map: {
        const auto map = asMap(v);
        if (!map || map->isEmpty() || a.atomic)
            return none;
        QJsonObject out;
        for (auto it = map->begin(); it != map->end(); ++it) {
            const PathElement pe = PathElement::field(it.key());
            if (toRemove.hasMember(pe))
                continue;
            const FieldSet below = toRemove.below(pe);
            const QJsonValue kept = below.isEmpty()
                                        ? it.value()
                                        : remove(it.value(), below, childTypeOrShape(a, it.key()));
            // An emptied value stays as null, as structured-merge-diff leaves it.
            out.insert(it.key(), kept.isUndefined() ? QJsonValue(QJsonValue::Null) : kept);
        }
        return out.isEmpty() ? none : QJsonValue(out);
    }
    }
    return v;
}

} // namespace

QJsonValue mergeTyped(const QJsonValue &lhs, const QJsonValue &rhs, TypeRef type)
{
    return merge(lhs, rhs, type);
}

Comparison compareTyped(const QJsonValue &lhs, const QJsonValue &rhs, TypeRef type)
{
    Comparison result;
    Comparer comparer{result, {}};
    comparer.compare(lhs, rhs, type);
    return result;
}

QJsonValue removeItems(const QJsonValue &value, const FieldSet &toRemove, TypeRef type)
{
    return remove(value, toRemove, type);
}

} // namespace timonel::apiserver
