#include "kustomizefieldpath.h"

#include <QJsonArray>

namespace timonel::gitops::kustomize {

namespace {

using namespace Qt::StringLiterals;

std::optional<QString> walkNode(QJsonValue &node, const QStringList &path, qsizetype index,
                                const FieldWalk &walk, bool &touched)
{
    if (index == path.size()) {
        touched = true;
        return walk.set(node);
    }
    if (node.isNull() || node.isUndefined())
        return std::nullopt;
    if (node.isArray()) {
        QJsonArray array = node.toArray();
        bool any = false;
        for (qsizetype i = 0; i < array.size(); ++i) {
            QJsonValue element = array.at(i);
            bool elementTouched = false;
            if (auto error = walkNode(element, path, index, walk, elementTouched))
                return error;
            if (elementTouched) {
                array[i] = element;
                any = true;
            }
        }
        if (any) {
            node = array;
            touched = true;
        }
        return std::nullopt;
    }
    if (!node.isObject())
        return u"expected sequence or mapping node"_s;

    QString name = path.at(index);
    // "containers[]": the field must be a sequence, so it is never created.
    const bool sequence = name.endsWith(u"[]"_s);
    if (sequence)
        name.chop(2);
    if (name.isEmpty())
        return u"cannot set or create an empty field name"_s;

    QJsonObject object = node.toObject();
    QJsonValue child = object.value(name);
    const bool create = walk.create && !sequence;
    if (child.isUndefined() || (child.isNull() && create)) {
        if (!create)
            return std::nullopt;
        child = index + 1 == path.size() ? walk.newLeaf : QJsonValue(QJsonObject());
    }
    bool childTouched = false;
    if (auto error = walkNode(child, path, index + 1, walk, childTouched))
        return error;
    if (childTouched) {
        object.insert(name, child);
        node = object;
        touched = true;
    }
    return std::nullopt;
}

} // namespace

QStringList splitFieldPath(QStringView path)
{
    QStringList parts;
    QString current;
    for (qsizetype i = 0; i < path.size(); ++i) {
        if (path[i] == u'\\' && i + 1 < path.size() && path[i + 1] == u'/') {
            current += u'/';
            ++i;
        } else if (path[i] == u'/') {
            parts.append(current);
            current.clear();
        } else {
            current += path[i];
        }
    }
    parts.append(current);
    return parts;
}

std::optional<QString> walkFieldPath(QJsonObject &object, const QStringList &path,
                                     const FieldWalk &walk)
{
    QJsonValue node = object;
    bool touched = false;
    auto error = walkNode(node, path, 0, walk, touched);
    if (touched)
        object = node.toObject();
    return error;
}

std::optional<QString> applyFieldSpec(Resource &resource, const FieldSpec &spec,
                                      bool creatingTransformer, const QJsonValue &newLeaf,
                                      const FieldSetter &set)
{
    if (!spec.gvk.selectsApiVersion(resource.apiVersion(), resource.kind()))
        return std::nullopt;
    const FieldWalk walk{spec.create && creatingTransformer, newLeaf, set};
    if (auto error = walkFieldPath(resource.object, splitFieldPath(spec.path), walk))
        return u"considering field '%1' of object %2: %3"_s.arg(
            spec.path, resource.currentId().toString(), *error);
    return std::nullopt;
}

} // namespace timonel::gitops::kustomize
