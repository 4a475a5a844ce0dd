#include "fieldset.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace timonel::apiserver {

namespace {

// structured-merge-diff's total order of values: numbers, strings, booleans, lists, maps, null.
int typeRank(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Double:
        return 0;
    case QJsonValue::String:
        return 1;
    case QJsonValue::Bool:
        return 2;
    case QJsonValue::Array:
        return 3;
    case QJsonValue::Object:
        return 4;
    default:
        return 5;
    }
}

int compareValues(const QJsonValue &a, const QJsonValue &b)
{
    const int ra = typeRank(a), rb = typeRank(b);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    switch (a.type()) {
    case QJsonValue::Double: {
        const double x = a.toDouble(), y = b.toDouble();
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    case QJsonValue::String:
        return a.toString().compare(b.toString());
    case QJsonValue::Bool:
        return int(a.toBool()) - int(b.toBool());
    case QJsonValue::Array: {
        const QJsonArray x = a.toArray(), y = b.toArray();
        for (qsizetype i = 0; i < std::min(x.size(), y.size()); ++i)
            if (const int c = compareValues(x.at(i), y.at(i)))
                return c;
        return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
    }
    case QJsonValue::Object: {
        const QJsonObject x = a.toObject(), y = b.toObject();
        auto i = x.begin(), j = y.begin();
        for (; i != x.end() && j != y.end(); ++i, ++j) {
            if (const int c = i.key().compare(j.key()))
                return c;
            if (const int c = compareValues(i.value(), j.value()))
                return c;
        }
        return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
    }
    default:
        return 0;
    }
}

// value.ToString: how a key or set value appears in a printed path.
QString valueToString(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Double:
        return goNumber(v.toDouble());
    case QJsonValue::String:
        return goQuote(v.toString());
    case QJsonValue::Bool:
        return v.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Array: {
        QStringList parts;
        for (const QJsonValue &item : v.toArray())
            parts.append(valueToString(item));
        return u'[' + parts.join(u',') + u']';
    }
    case QJsonValue::Object: {
        QString out;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            out += it.key() + u'=' + valueToString(it.value());
        return out;
    }
    default:
        return u"null"_s;
    }
}

QString goJsonString(const QString &s)
{
    QString out = u"\""_s;
    for (const QChar c : s) {
        switch (c.unicode()) {
        case '"':
            out += u"\\\""_s;
            break;
        case '\\':
            out += u"\\\\"_s;
            break;
        case '\n':
            out += u"\\n"_s;
            break;
        case '\r':
            out += u"\\r"_s;
            break;
        case '\t':
            out += u"\\t"_s;
            break;
        case '<':
        case '>':
        case '&':
        case 0x2028:
        case 0x2029:
            out += u"\\u%1"_s.arg(uint(c.unicode()), 4, 16, QChar(u'0'));
            break;
        default:
            if (c.unicode() < 0x20)
                out += u"\\u%1"_s.arg(uint(c.unicode()), 4, 16, QChar(u'0'));
            else
                out += c;
        }
    }
    return out + u'"';
}

} // namespace

QString goNumber(double number)
{
    if (std::isfinite(number) && number == std::trunc(number) && std::abs(number) < 1e21)
        return QString::number(qint64(number));
    const double magnitude = std::abs(number);
    if (magnitude >= 1e-4 && magnitude < 1e21)
        return QString::number(number, 'f', QLocale::FloatingPointShortest);
    QString s = QString::number(number, 'e', QLocale::FloatingPointShortest);
    // Go writes at least two exponent digits: 1e-05, 1e+21.
    const qsizetype e = s.indexOf(u'e');
    if (e >= 0 && s.size() - e == 3)
        s.insert(e + 2, u'0');
    return s;
}

QString goJson(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Double:
        return goNumber(value.toDouble());
    case QJsonValue::String:
        return goJsonString(value.toString());
    case QJsonValue::Bool:
        return value.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Array: {
        QStringList parts;
        for (const QJsonValue &item : value.toArray())
            parts.append(goJson(item));
        return u'[' + parts.join(u',') + u']';
    }
    case QJsonValue::Object: {
        QStringList parts;
        const QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            parts.append(goJsonString(it.key()) + u':' + goJson(it.value()));
        return u'{' + parts.join(u',') + u'}';
    }
    default:
        return u"null"_s;
    }
}

PathElement PathElement::field(const QString &name)
{
    PathElement e;
    e.kind = Kind::Field;
    e.fieldName = name;
    return e;
}

PathElement PathElement::key(KeyFields keys)
{
    std::stable_sort(keys.begin(), keys.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    PathElement e;
    e.kind = Kind::Key;
    e.keys = std::move(keys);
    return e;
}

PathElement PathElement::setValue(const QJsonValue &value)
{
    PathElement e;
    e.kind = Kind::Value;
    e.value = value;
    return e;
}

PathElement PathElement::listIndex(int index)
{
    PathElement e;
    e.kind = Kind::Index;
    e.index = index;
    return e;
}

QString PathElement::toString() const
{
    switch (kind) {
    case Kind::Field:
        return u'.' + fieldName;
    case Kind::Key: {
        QStringList parts;
        for (const auto &[name, v] : keys)
            parts.append(name + u'=' + valueToString(v));
        return u'[' + parts.join(u',') + u']';
    }
    case Kind::Value:
        return u"[="_s + valueToString(value) + u']';
    case Kind::Index:
        return u'[' + QString::number(index) + u']';
    }
    return {};
}

QString PathElement::serialized() const
{
    switch (kind) {
    case Kind::Field:
        return u"f:"_s + fieldName;
    case Kind::Key: {
        QStringList parts;
        for (const auto &[name, v] : keys)
            parts.append(goJsonString(name) + u':' + goJson(v));
        return u"k:{"_s + parts.join(u',') + u'}';
    }
    case Kind::Value:
        return u"v:"_s + goJson(value);
    case Kind::Index:
        return u"i:"_s + QString::number(index);
    }
    return {};
}

QString PathElement::unknownKindError()
{
    return u"unknown path element type"_s;
}

std::expected<PathElement, QString> PathElement::parse(const QString &s)
{
    if (s.size() < 2)
        return std::unexpected(u"key must be 2 characters long:"_s);
    if (s.at(1) != u':')
        return std::unexpected(u"missing colon: "_s + s);
    const QString rest = s.mid(2);
    const auto parseJson = [&](QJsonValue &out) -> bool {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson('[' + rest.toUtf8() + ']', &error);
        if (error.error != QJsonParseError::NoError || doc.array().size() != 1)
            return false;
        out = doc.array().at(0);
        return true;
    };
    switch (s.at(0).unicode()) {
    case 'f':
        return field(rest);
    case 'v': {
        QJsonValue v;
        if (!parseJson(v))
            return std::unexpected(u"invalid value in path element: "_s + s);
        return setValue(v);
    }
    case 'k': {
        QJsonValue v;
        if (!parseJson(v) || !v.isObject())
            return std::unexpected(u"invalid key in path element: "_s + s);
        KeyFields fields;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            fields.append({it.key(), it.value()});
        return key(std::move(fields));
    }
    case 'i': {
        bool ok = false;
        const int i = rest.toInt(&ok);
        if (!ok)
            return std::unexpected(u"invalid index in path element: "_s + s);
        return listIndex(i);
    }
    default:
        return std::unexpected(unknownKindError());
    }
}

int compare(const PathElement &a, const PathElement &b)
{
    if (a.kind != b.kind)
        return int(a.kind) < int(b.kind) ? -1 : 1;
    switch (a.kind) {
    case PathElement::Kind::Field:
        return a.fieldName.compare(b.fieldName) < 0 ? -1 : (a.fieldName == b.fieldName ? 0 : 1);
    case PathElement::Kind::Key:
        for (qsizetype i = 0; i < std::min(a.keys.size(), b.keys.size()); ++i) {
            if (const int c = a.keys[i].first.compare(b.keys[i].first))
                return c < 0 ? -1 : 1;
            if (const int c = compareValues(a.keys[i].second, b.keys[i].second))
                return c < 0 ? -1 : 1;
        }
        return a.keys.size() < b.keys.size() ? -1 : (a.keys.size() > b.keys.size() ? 1 : 0);
    case PathElement::Kind::Value: {
        const int c = compareValues(a.value, b.value);
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case PathElement::Kind::Index:
        return a.index < b.index ? -1 : (a.index > b.index ? 1 : 0);
    }
    return 0;
}

QString pathToString(const FieldPath &path)
{
    QString out;
    for (const PathElement &e : path)
        out += e.toString();
    return out;
}

namespace {

template <typename Entries> auto findEntry(Entries &entries, const PathElement &element)
{
    return std::lower_bound(
        entries.begin(), entries.end(), element,
        [](const auto &entry, const PathElement &e) { return entry.element < e; });
}

} // namespace

FieldSet::Entry &FieldSet::descend(const PathElement &element)
{
    auto it = findEntry(m_entries, element);
    if (it != m_entries.end() && it->element == element)
        return *it;
    return *m_entries.insert(it, Entry{element, false, {}});
}

void FieldSet::dropEmpty()
{
    std::erase_if(m_entries, [](const Entry &e) { return !e.member && e.children.isEmpty(); });
}

void FieldSet::insert(const FieldPath &path)
{
    if (path.isEmpty())
        return;
    FieldSet *level = this;
    for (qsizetype i = 0; i + 1 < path.size(); ++i)
        level = &level->descend(path[i]).children;
    level->descend(path.last()).member = true;
}

void FieldSet::insertMember(const PathElement &element)
{
    descend(element).member = true;
}

void FieldSet::insertBelow(const PathElement &element, const FieldSet &children)
{
    if (children.isEmpty())
        return;
    Entry &entry = descend(element);
    entry.children = entry.children.united(children);
}

bool FieldSet::hasMember(const PathElement &element) const
{
    auto it = findEntry(m_entries, element);
    return it != m_entries.end() && it->element == element && it->member;
}

bool FieldSet::has(const FieldPath &path) const
{
    const FieldSet *level = this;
    for (qsizetype i = 0; i < path.size(); ++i) {
        auto it = findEntry(level->m_entries, path[i]);
        if (it == level->m_entries.end() || !(it->element == path[i]))
            return false;
        if (i + 1 == path.size())
            return it->member;
        level = &it->children;
    }
    return false;
}

bool FieldSet::isEmpty() const
{
    return m_entries.empty(); // entries without members below are never kept
}

FieldSet FieldSet::below(const PathElement &element) const
{
    auto it = findEntry(m_entries, element);
    if (it != m_entries.end() && it->element == element)
        return it->children;
    return {};
}

FieldSet FieldSet::united(const FieldSet &other) const
{
    FieldSet out;
    auto a = m_entries.begin(), b = other.m_entries.begin();
    while (a != m_entries.end() || b != other.m_entries.end()) {
        if (b == other.m_entries.end() || (a != m_entries.end() && a->element < b->element)) {
            out.m_entries.push_back(*a++);
        } else if (a == m_entries.end() || b->element < a->element) {
            out.m_entries.push_back(*b++);
        } else {
            out.m_entries.push_back(
                Entry{a->element, a->member || b->member, a->children.united(b->children)});
            ++a, ++b;
        }
    }
    return out;
}

FieldSet FieldSet::intersected(const FieldSet &other) const
{
    FieldSet out;
    for (const Entry &e : m_entries) {
        auto it = findEntry(other.m_entries, e.element);
        if (it == other.m_entries.end() || !(it->element == e.element))
            continue;
        out.m_entries.push_back(
            Entry{e.element, e.member && it->member, e.children.intersected(it->children)});
    }
    out.dropEmpty();
    return out;
}

FieldSet FieldSet::subtracted(const FieldSet &other) const
{
    FieldSet out;
    for (const Entry &e : m_entries) {
        auto it = findEntry(other.m_entries, e.element);
        if (it == other.m_entries.end() || !(it->element == e.element)) {
            out.m_entries.push_back(e);
            continue;
        }
        out.m_entries.push_back(
            Entry{e.element, e.member && !it->member, e.children.subtracted(it->children)});
    }
    out.dropEmpty();
    return out;
}

QList<FieldPath> FieldSet::paths() const
{
    QList<FieldPath> out;
    for (const Entry &e : m_entries)
        if (e.member)
            out.append(FieldPath{e.element});
    for (const Entry &e : m_entries)
        for (const FieldPath &p : e.children.paths())
            out.append(FieldPath{e.element} + p);
    return out;
}

QJsonObject FieldSet::toFieldsV1() const
{
    QJsonObject out;
    for (const Entry &e : m_entries) {
        QJsonObject child = e.children.toFieldsV1();
        if (e.member && !child.isEmpty())
            child.insert(u"."_s, QJsonObject());
        out.insert(e.element.serialized(), child);
    }
    return out;
}

namespace {

// Reads one level of FieldsV1. An object with nothing below it (or only ".") makes its own
// path a member, as structured-merge-diff reads it.
std::expected<bool, QString> readFieldsV1(const QJsonObject &fields, FieldSet &into)
{
    bool member = false;
    bool anyChild = false;
    for (auto it = fields.begin(); it != fields.end(); ++it) {
        if (it.key() == u".") {
            member = true;
            continue;
        }
        auto element = PathElement::parse(it.key());
        if (!element) {
            if (element.error() == PathElement::unknownKindError())
                continue; // written by a newer version: dropped, as Kubernetes does
            return std::unexpected(element.error());
        }
        FieldSet below;
        auto childMember = readFieldsV1(it.value().toObject(), below);
        if (!childMember)
            return std::unexpected(childMember.error());
        if (*childMember) {
            into.insertMember(*element);
            anyChild = true;
        }
        if (!below.isEmpty()) {
            into.insertBelow(*element, below);
            anyChild = true;
        }
    }
    return member || !anyChild;
}

} // namespace

std::expected<FieldSet, QString> FieldSet::fromFieldsV1(const QJsonObject &fields)
{
    FieldSet set;
    if (auto ok = readFieldsV1(fields, set); !ok)
        return std::unexpected(ok.error());
    return set;
}

bool operator==(const FieldSet &a, const FieldSet &b)
{
    if (a.m_entries.size() != b.m_entries.size())
        return false;
    for (size_t i = 0; i < a.m_entries.size(); ++i) {
        const FieldSet::Entry &x = a.m_entries[i], &y = b.m_entries[i];
        if (!(x.element == y.element) || x.member != y.member || !(x.children == y.children))
            return false;
    }
    return true;
}

} // namespace timonel::apiserver
