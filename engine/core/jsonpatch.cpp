#include "jsonpatch.h"

#include "gostrings.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

#include <optional>

using namespace Qt::StringLiterals;

namespace timonel::core {

namespace {

// kube-apiserver's JSONPatchMaxCopyBytes default: "copy" could otherwise double a list per
// operation and exhaust memory from one small request.
constexpr qint64 accumulatedCopySizeLimit = 3 * 1024 * 1024;

using Error = std::optional<QString>;

// strconv.Atoi: an optional sign and decimal digits, nothing else.
std::expected<qint64, QString> goAtoi(const QString &s)
{
    const QStringView digits =
        s.startsWith(u'+') || s.startsWith(u'-') ? QStringView(s).mid(1) : QStringView(s);
    bool ok = !digits.isEmpty();
    for (QChar c : digits)
        ok = ok && c >= u'0' && c <= u'9';
    if (!ok)
        return std::unexpected(u"strconv.Atoi: parsing %1: invalid syntax"_s.arg(goQuote(s)));
    const qint64 value = s.toLongLong(&ok);
    if (!ok)
        return std::unexpected(u"strconv.Atoi: parsing %1: value out of range"_s.arg(goQuote(s)));
    return value;
}

QString invalidIndex(qint64 index)
{
    return u"Unable to access invalid index: %1: invalid index referenced"_s.arg(index);
}

// RFC 6901 reference token: "~1" is "/", then "~0" is "~".
QString unescapeToken(QString token)
{
    return token.replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s);
}

// Go's nil: JSON null and absent members are the same to json-patch v4.
QJsonValue orNull(const QJsonValue &v)
{
    return v.isUndefined() ? QJsonValue(QJsonValue::Null) : v;
}

qint64 compactSize(const QJsonValue &v)
{
    if (v.isObject())
        return QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact).size();
    // A scalar or array, measured inside a one-element array minus its brackets.
    return QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact).size() - 2;
}

// The object or array that holds the last token of a path, and that token.
struct Location
{
    QStringList parents; // decoded tokens from the root to the container
    QString key;
    QJsonValue container;
};

// The containers json-patch v4 calls partialDoc and partialArray, on a copy of one node.
std::expected<QJsonValue, QString> containerGet(const QJsonValue &container, const QString &key)
{
    if (container.isObject())
        return orNull(container.toObject().value(key));
    const QJsonArray array = container.toArray();
    auto index = goAtoi(key);
    if (!index)
        return std::unexpected(index.error());
    qint64 i = *index;
    if (i < 0) {
        if (i < -array.size())
            return std::unexpected(invalidIndex(i));
        i += array.size();
    }
    if (i >= array.size())
        return std::unexpected(invalidIndex(i));
    return orNull(array.at(i));
}

Error containerAdd(QJsonValue &container, const QString &key, const QJsonValue &value)
{
    if (container.isObject()) {
        QJsonObject object = container.toObject();
        object.insert(key, value);
        container = object;
        return {};
    }
    QJsonArray array = container.toArray();
    if (key == u"-") {
        array.append(value);
        container = array;
        return {};
    }
    auto index = goAtoi(key);
    if (!index)
        return u"value was not a proper array index: '%1': %2"_s.arg(key, index.error());
    // Inserting into n elements addresses n + 1 slots, so -1 appends.
    const qint64 slots = array.size() + 1;
    qint64 i = *index;
    if (i >= slots || i < -slots)
        return invalidIndex(i);
    if (i < 0)
        i += slots;
    array.insert(i, value);
    container = array;
    return {};
}

Error containerRemove(QJsonValue &container, const QString &key)
{
    if (container.isObject()) {
        QJsonObject object = container.toObject();
        if (!object.contains(key))
            return u"Unable to remove nonexistent key: %1: missing value"_s.arg(key);
        object.remove(key);
        container = object;
        return {};
    }
    QJsonArray array = container.toArray();
    auto index = goAtoi(key);
    if (!index)
        return index.error();
    qint64 i = *index;
    if (i >= array.size() || i < -array.size())
        return invalidIndex(i);
    if (i < 0)
        i += array.size();
    array.removeAt(i);
    container = array;
    return {};
}

// Only called after containerGet succeeded on the same key.
void containerSet(QJsonValue &container, const QString &key, const QJsonValue &value)
{
    if (container.isObject()) {
        QJsonObject object = container.toObject();
        object.insert(key, value);
        container = object;
        return;
    }
    QJsonArray array = container.toArray();
    qint64 i = goAtoi(key).value_or(0);
    if (i < 0)
        i += array.size();
    array.replace(i, value);
    container = array;
}

class Patcher
{
public:
    explicit Patcher(const QJsonValue &document) : m_document(document) {}

    Error apply(const QJsonObject &op);
    QJsonValue document() const { return m_document; }

private:
    Error add(const QJsonObject &op);
    Error remove(const QJsonObject &op);
    Error replace(const QJsonObject &op);
    Error move(const QJsonObject &op);
    Error test(const QJsonObject &op);
    Error copy(const QJsonObject &op);

    std::optional<Location> find(const QString &path) const;
    void store(const Location &location);
    static QJsonValue storeAt(const QJsonValue &node, const Location &location, qsizetype depth);

    QJsonValue m_document;
    qint64 m_copied = 0;
};

// Operation.Path() / From(): the member as a string, or Go's error for it.
std::expected<QString, QString> member(const QJsonObject &op, QLatin1StringView name)
{
    const QJsonValue v = op.value(name);
    if (v.isUndefined() || v.isNull())
        return std::unexpected(name == "path"_L1
                                   ? u"operation missing path field: missing value"_s
                                   : u"operation, missing from field: missing value"_s);
    if (!v.isString())
        return std::unexpected(
            u"json: cannot unmarshal %1 into Go value of type string"_s.arg(goJsonTypeName(v)));
    return v.toString();
}

QJsonValue operationValue(const QJsonObject &op)
{
    return orNull(op.value("value"_L1));
}

// findObject: every token but the last must name an existing object or array.
std::optional<Location> Patcher::find(const QString &path) const
{
    const QStringList tokens = path.split(u'/');
    if (tokens.size() < 2)
        return std::nullopt;
    Location location{{}, unescapeToken(tokens.last()), m_document};
    for (qsizetype i = 1; i + 1 < tokens.size(); ++i) {
        const QString token = unescapeToken(tokens.at(i));
        auto child = containerGet(location.container, token);
        if (!child || !(child->isObject() || child->isArray()))
            return std::nullopt;
        location.parents.append(token);
        location.container = *child;
    }
    return location;
}

QJsonValue Patcher::storeAt(const QJsonValue &node, const Location &location, qsizetype depth)
{
    if (depth == location.parents.size())
        return location.container;
    const QString &token = location.parents.at(depth);
    QJsonValue updated = node;
    const QJsonValue child = containerGet(node, token).value_or(QJsonValue());
    containerSet(updated, token, storeAt(child, location, depth + 1));
    return updated;
}

void Patcher::store(const Location &location)
{
    m_document = storeAt(m_document, location, 0);
}

Error Patcher::apply(const QJsonObject &op)
{
    const QJsonValue kind = op.value("op"_L1);
    const QString name = kind.isString() ? kind.toString() : u"unknown"_s;
    if (name == u"add")
        return add(op);
    if (name == u"remove")
        return remove(op);
    if (name == u"replace")
        return replace(op);
    if (name == u"move")
        return move(op);
    if (name == u"test")
        return test(op);
    if (name == u"copy")
        return copy(op);
    return u"Unexpected kind: %1"_s.arg(name);
}

Error Patcher::add(const QJsonObject &op)
{
    auto path = member(op, "path"_L1);
    if (!path)
        return u"add operation failed to decode path: missing value"_s;
    auto location = find(*path);
    if (!location)
        return u"add operation does not apply: doc is missing path: \"%1\": missing value"_s.arg(
            *path);
    if (Error e = containerAdd(location->container, location->key, operationValue(op)))
        return u"error in add for path: '%1': %2"_s.arg(*path, *e);
    store(*location);
    return {};
}

Error Patcher::remove(const QJsonObject &op)
{
    auto path = member(op, "path"_L1);
    if (!path)
        return u"remove operation failed to decode path: missing value"_s;
    auto location = find(*path);
    if (!location)
        return u"remove operation does not apply: doc is missing path: \"%1\": missing value"_s.arg(
            *path);
    if (Error e = containerRemove(location->container, location->key))
        return u"error in remove for path: '%1': %2"_s.arg(*path, *e);
    store(*location);
    return {};
}

Error Patcher::replace(const QJsonObject &op)
{
    auto path = member(op, "path"_L1);
    if (!path)
        return u"replace operation failed to decode path: "_s + path.error();
    if (path->isEmpty()) {
        // v4.12 replaces the whole document with an object or array, and silently ignores
        // anything else (its error wraps a nil error, which is nil).
        const QJsonValue value = operationValue(op);
        if (value.isObject() || value.isArray())
            m_document = value;
        return {};
    }
    auto location = find(*path);
    if (!location)
        return u"replace operation does not apply: doc is missing path: %1: missing value"_s.arg(
            *path);
    if (!containerGet(location->container, location->key))
        return u"replace operation does not apply: doc is missing key: %1: missing value"_s.arg(
            *path);
    containerSet(location->container, location->key, operationValue(op));
    store(*location);
    return {};
}

Error Patcher::move(const QJsonObject &op)
{
    auto from = member(op, "from"_L1);
    if (!from)
        return u"move operation failed to decode from: "_s + from.error();
    auto source = find(*from);
    if (!source)
        return u"move operation does not apply: doc is missing from path: %1: missing value"_s.arg(
            *from);
    auto value = containerGet(source->container, source->key);
    if (!value)
        return u"error in move for path: '%1': %2"_s.arg(source->key, value.error());
    if (Error e = containerRemove(source->container, source->key))
        return u"error in move for path: '%1': %2"_s.arg(source->key, *e);
    store(*source);

    auto path = member(op, "path"_L1);
    if (!path)
        return u"move operation failed to decode path: "_s + path.error();
    auto target = find(*path);
    if (!target)
        return u"move operation does not apply: doc is missing destination path: %1: missing value"_s
            .arg(*path);
    if (Error e = containerAdd(target->container, target->key, *value))
        return u"error in move for path: '%1': %2"_s.arg(*path, *e);
    store(*target);
    return {};
}

Error Patcher::test(const QJsonObject &op)
{
    auto path = member(op, "path"_L1);
    if (!path)
        return u"test operation failed to decode path: "_s + path.error();
    const QString failed = u"testing value %1 failed: test failed"_s.arg(*path);
    const bool hasValue = !operationValue(op).isNull();
    if (path->isEmpty())
        return op.contains("value"_L1) && m_document == operationValue(op) ? Error() : failed;
    auto location = find(*path);
    if (!location)
        return u"test operation does not apply: is missing path: %1: missing value"_s.arg(*path);
    auto value = containerGet(location->container, location->key);
    if (!value)
        return u"error in test for path: '%1': %2"_s.arg(*path, value.error());
    // A missing or null member matches a missing or null value, and nothing else.
    if (value->isNull() || !hasValue)
        return value->isNull() && !hasValue ? Error() : failed;
    return *value == operationValue(op) ? Error() : failed;
}

Error Patcher::copy(const QJsonObject &op)
{
    auto from = member(op, "from"_L1);
    if (!from)
        return u"copy operation failed to decode from: "_s + from.error();
    auto source = find(*from);
    if (!source)
        return u"copy operation does not apply: doc is missing from path: %1: missing value"_s.arg(
            *from);
    // A missing object member copies as null.
    auto value = containerGet(source->container, source->key);
    if (!value)
        return u"error in copy for from: '%1': %2"_s.arg(*from, value.error());

    auto path = member(op, "path"_L1);
    if (!path)
        return u"copy operation failed to decode path: missing value"_s;
    auto target = find(*path);
    if (!target)
        return u"copy operation does not apply: doc is missing destination path: %1: missing value"_s
            .arg(*path);
    m_copied += value->isNull() ? 0 : compactSize(*value);
    if (m_copied > accumulatedCopySizeLimit)
        return u"Unable to complete the copy, the accumulated size increase of copy is %1, "
               "exceeding the limit %2"_s.arg(m_copied)
                   .arg(accumulatedCopySizeLimit);
    if (Error e = containerAdd(target->container, target->key, *value))
        return u"error while adding value during copy: "_s + *e;
    store(*target);
    return {};
}

} // namespace

std::expected<QJsonValue, QString> applyJsonPatch(const QJsonValue &document,
                                                  const QJsonArray &operations)
{
    if (!document.isObject() && !document.isArray())
        return std::unexpected(u"json: cannot unmarshal %1 into Go value of type "
                               "jsonpatch.partialDoc"_s.arg(goJsonTypeName(document)));
    Patcher patcher(document);
    for (const QJsonValue &op : operations) {
        if (!op.isObject() && !op.isNull())
            return std::unexpected(u"json: cannot unmarshal %1 into Go value of type "
                                   "jsonpatch.Operation"_s.arg(goJsonTypeName(op)));
        if (Error e = patcher.apply(op.toObject()))
            return std::unexpected(*e);
    }
    return patcher.document();
}

} // namespace timonel::core
