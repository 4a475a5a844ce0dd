#include "protobuf.h"

#include "protobufwire.h"

#include "core/schema.h"
#include "fieldset.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtEndian>
#include <QTimeZone>

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <memory>

using namespace Qt::StringLiterals;

namespace timonel::apiserver {

using core::SchemaField;
using core::SchemaType;
using Kind = SchemaType::Kind;

namespace {

using namespace protowire;

// Kubernetes objects nest a dozen or so messages deep; the limit keeps crafted input (a
// recursive type such as JSONSchemaProps) from exhausting the stack.
constexpr int maxDepth = 100;

// metav1.Time (whole seconds, RFC 3339) and MicroTime (microseconds): message{seconds=1,
// nanos=2}; an empty message is the zero time, which JSON writes as null.
Result<QJsonValue> timeValue(QByteArrayView data, bool micro)
{
    if (data.isEmpty())
        return QJsonValue(QJsonValue::Null);
    const auto m =
        readFixedMessage(data, u"Timestamp", {{1, Varint, u"Seconds"}, {2, Varint, u"Nanos"}});
    if (!m)
        return std::unexpected(m.error());
    qint64 seconds = qint64(m->varints.value(1));
    // Time keeps whole seconds only (its JSON never carried more); MicroTime truncates to
    // microseconds. Like Go's time.Unix, nanoseconds outside [0, 1s) carry into the seconds.
    qint64 nanos = micro ? qint32(m->varints.value(2)) : 0;
    constexpr qint64 nanosPerSecond = 1'000'000'000;
    constexpr qint64 firstSecond = -62'167'219'200; // 0000-01-01T00:00:00Z
    constexpr qint64 lastSecond = 253'402'300'799;  // 9999-12-31T23:59:59Z
    const QString outOfRange = u"Time.MarshalJSON: year outside of range [0,9999]"_s;
    if (seconds < firstSecond - 3 || seconds > lastSecond + 3)
        return std::unexpected(outOfRange);
    seconds += nanos / nanosPerSecond;
    nanos %= nanosPerSecond;
    if (nanos < 0) {
        nanos += nanosPerSecond;
        --seconds;
    }
    if (seconds < firstSecond || seconds > lastSecond)
        return std::unexpected(outOfRange);
    const QDateTime t = QDateTime::fromSecsSinceEpoch(seconds, QTimeZone::UTC);
    // Qt's calendar has no year 0: its year -1 is Go's year 0.
    const int year = t.date().year() < 0 ? t.date().year() + 1 : t.date().year();
    QString text =
        QString::asprintf("%04d-%02d-%02dT%02d:%02d:%02d", year, t.date().month(), t.date().day(),
                          t.time().hour(), t.time().minute(), t.time().second());
    if (micro)
        text += QString::asprintf(".%06d", int(nanos / 1000));
    return QJsonValue(text + u'Z');
}

// resource.Quantity: message{string=1}; the zero quantity is "0".
Result<QJsonValue> quantityValue(QByteArrayView data)
{
    const auto m = readFixedMessage(data, u"Quantity", {{1, LengthDelimited, u"String_"}});
    if (!m)
        return std::unexpected(m.error());
    return m->bytes.contains(1) ? QJsonValue(QString::fromUtf8(m->bytes.value(1)))
                                : QJsonValue(u"0"_s);
}

// intstr.IntOrString: message{type=1 (0 int, 1 string), intVal=2, strVal=3}.
Result<QJsonValue> intOrStringValue(QByteArrayView data)
{
    const auto m = readFixedMessage(
        data, u"IntOrString",
        {{1, Varint, u"Type"}, {2, Varint, u"IntVal"}, {3, LengthDelimited, u"StrVal"}});
    if (!m)
        return std::unexpected(m.error());
    switch (qint64(m->varints.value(1))) {
    case 0:
        return QJsonValue(qint32(m->varints.value(2)));
    case 1:
        return QJsonValue(QString::fromUtf8(m->bytes.value(3)));
    default:
        return std::unexpected(u"impossible IntOrString.Type"_s);
    }
}

// runtime.RawExtension and apiextensions' JSON: message{raw=1} holding the JSON text.
Result<QJsonValue> rawJsonValue(QByteArrayView data)
{
    const auto m = readFixedMessage(data, u"RawExtension", {{1, LengthDelimited, u"Raw"}});
    if (!m)
        return std::unexpected(m.error());
    const QByteArrayView raw = m->bytes.value(1);
    if (raw.isEmpty())
        return QJsonValue(QJsonValue::Null);
    // Wrapped in an array so that scalars parse too.
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson("[" + raw.toByteArray() + "]", &error);
    if (error.error != QJsonParseError::NoError || doc.array().size() != 1)
        return std::unexpected(
            u"json: error calling MarshalJSON for type *runtime.RawExtension: %1"_s.arg(
                error.error != QJsonParseError::NoError ? error.errorString() : u"invalid JSON"_s));
    return doc.array().at(0);
}

QJsonValue zeroValue(const SchemaType &type)
{
    switch (type.kind) {
    case Kind::String:
    case Kind::Bytes:
        return QString();
    case Kind::Integer:
    case Kind::IntOrString:
        return 0;
    case Kind::Number:
        return 0.0;
    case Kind::Boolean:
        return false;
    case Kind::Quantity:
        return u"0"_s;
    case Kind::Object:
        return QJsonObject();
    default:
        return QJsonValue::Null;
    }
}

bool isPackable(const SchemaType &type)
{
    return type.kind == Kind::Integer || type.kind == Kind::Boolean || type.kind == Kind::Number;
}

// Scalars that are plain protobuf fields, not messages (as Quantity or IntOrString are).
bool isPlainScalar(const SchemaType &type)
{
    return isPackable(type) || type.kind == Kind::String || type.kind == Kind::Bytes;
}

bool isZero(const QJsonValue &v)
{
    return (v.isString() && v.toString().isEmpty()) || (v.isBool() && !v.toBool()) ||
           (v.isDouble() && v.toDouble() == 0);
}

// gogo writes every non-pointer scalar, set or not, so a zero on the wire usually means "unset"
// and JSON's omitempty drops it. Required fields have no omitempty. Pointer fields are written
// only when set: a zero the schema allows and that differs from the default it would otherwise
// get (replicas: 0) was set deliberately.
bool keepsZero(const SchemaField &field)
{
    if (field.required)
        return true;
    const Kind kind = field.type->kind;
    if (kind != Kind::Integer && kind != Kind::Boolean && kind != Kind::Number)
        return false;
    return !field.defaultValue.isUndefined() && (!field.minimum || *field.minimum <= 0);
}

// A message being decoded. Protobuf merges a message field that occurs more than once, and
// repeated fields arrive one element at a time, so values collect here and become JSON once at
// the end, rather than a growing QJsonObject being rewritten for every element.
struct MessageBuilder
{
    QJsonObject values;
    std::map<QString, QJsonArray> lists;
    std::map<QString, std::map<QString, QJsonValue>> maps;
    std::map<QString, std::unique_ptr<MessageBuilder>> messages;

    QJsonObject toJson() const
    {
        QJsonObject out = values;
        for (const auto &[name, list] : lists)
            out.insert(name, list);
        for (const auto &[name, entries] : maps) {
            QJsonObject map;
            for (const auto &[key, value] : entries)
                map.insert(key, value); // in key order, so each insert appends
            out.insert(name, map);
        }
        for (const auto &[name, message] : messages)
            out.insert(name, message->toJson());
        return out;
    }
};

class Decoder
{
public:
    Result<void> message(QByteArrayView data, const SchemaType &type, MessageBuilder &into,
                         int depth) const;

private:
    Result<QJsonValue> value(Reader &in, int wire, const SchemaType &type, QStringView field,
                             int depth) const;
    Result<QJsonValue> scalar(Reader &in, int wire, const SchemaType &type,
                              QStringView field) const;
    Result<QJsonValue> wrapped(QByteArrayView data, const SchemaType &type, int depth) const;
    Result<std::pair<QString, QJsonValue>> mapEntry(QByteArrayView data, const SchemaField &field,
                                                    int depth) const;
};

Result<void> Decoder::message(QByteArrayView data, const SchemaType &type, MessageBuilder &into,
                              int depth) const
{
    if (depth > maxDepth)
        return std::unexpected(u"proto: exceeded maximum nesting depth of %1"_s.arg(maxDepth));
    const QStringView name = QStringView(type.name).sliced(type.name.lastIndexOf(u'.') + 1);
    Reader in(data);
    while (!in.atEnd()) {
        const auto tag = readTag(in, name);
        if (!tag)
            return std::unexpected(tag.error());
        // A Go struct embedded inline: its fields are this object's in JSON, one nested
        // message on the wire. Its merged-in fields do not count as this type's own numbers.
        const SchemaType *embedded = nullptr;
        for (const SchemaType::Inline &i : type.inlined)
            if (i.protoNumber == tag->field)
                embedded = i.type;
        if (embedded) {
            const auto bytes = readLengthDelimited(in, tag->wire, name);
            if (!bytes)
                return std::unexpected(bytes.error());
            if (auto ok = message(*bytes, *embedded, into, depth + 1); !ok)
                return ok;
            continue;
        }
        const SchemaField *field = nullptr;
        for (const SchemaField &f : type.fields) {
            if (f.protoNumber != tag->field || !f.type)
                continue;
            const bool fromInline = std::any_of(
                type.inlined.begin(), type.inlined.end(),
                [&](const SchemaType::Inline &i) { return i.type->field(f.name) != nullptr; });
            if (!fromInline)
                field = &f;
        }
        if (!field) {
            if (auto ok = in.skip(tag->wire); !ok)
                return ok;
            continue;
        }
        const SchemaType &fieldType = *field->type;
        if (fieldType.kind == Kind::List && fieldType.element) {
            QJsonArray &list = into.lists[field->name];
            const SchemaType &element = *fieldType.element;
            if (tag->wire == LengthDelimited && isPackable(element)) {
                const auto packed = in.lengthDelimited();
                if (!packed)
                    return std::unexpected(packed.error());
                Reader items(*packed);
                const int wire = element.kind != Kind::Number ? Varint
                                 : element.format == u"float" ? Fixed32
                                                              : Fixed64;
                while (!items.atEnd()) {
                    const auto v = scalar(items, wire, element, field->name);
                    if (!v)
                        return std::unexpected(v.error());
                    list.append(*v);
                }
                continue;
            }
            const auto v = value(in, tag->wire, element, field->name, depth);
            if (!v)
                return std::unexpected(v.error());
            list.append(*v);
        } else if (fieldType.kind == Kind::Map && fieldType.element) {
            const auto data = readLengthDelimited(in, tag->wire, field->name);
            if (!data)
                return std::unexpected(data.error());
            auto entry = mapEntry(*data, *field, depth);
            if (!entry)
                return std::unexpected(entry.error());
            into.maps[field->name].insert_or_assign(std::move(entry->first),
                                                    std::move(entry->second));
        } else if (fieldType.kind == Kind::Object) {
            const auto data = readLengthDelimited(in, tag->wire, field->name);
            if (!data)
                return std::unexpected(data.error());
            auto &message = into.messages[field->name];
            if (!message)
                message = std::make_unique<MessageBuilder>();
            if (auto ok = this->message(*data, fieldType, *message, depth + 1); !ok)
                return ok;
        } else {
            const auto v = value(in, tag->wire, fieldType, field->name, depth);
            if (!v)
                return std::unexpected(v.error());
            if (isPlainScalar(fieldType) && isZero(*v) && !keepsZero(*field))
                into.values.remove(field->name);
            else
                into.values.insert(field->name, *v);
        }
    }
    return {};
}

Result<QJsonValue> Decoder::scalar(Reader &in, int wire, const SchemaType &type,
                                   QStringView field) const
{
    switch (type.kind) {
    case Kind::Integer:
    case Kind::Boolean: {
        if (wire != Varint)
            return std::unexpected(wrongWireType(wire, field));
        const auto v = in.varint();
        if (!v)
            return std::unexpected(v.error());
        if (type.kind == Kind::Boolean)
            return QJsonValue(*v != 0);
        // int32 values travel sign-extended to 64 bits; Go truncates them back.
        return type.format == u"int32" ? QJsonValue(qint32(*v)) : QJsonValue(qint64(*v));
    }
    case Kind::Number: {
        if (wire != Fixed64 && wire != Fixed32)
            return std::unexpected(wrongWireType(wire, field));
        const auto bytes = in.bytes(wire == Fixed64 ? 8 : 4);
        if (!bytes)
            return std::unexpected(bytes.error());
        const double number = wire == Fixed64
                                  ? std::bit_cast<double>(qFromLittleEndian<quint64>(bytes->data()))
                                  : std::bit_cast<float>(qFromLittleEndian<quint32>(bytes->data()));
        if (std::isnan(number) || std::isinf(number))
            return std::unexpected(u"json: unsupported value: %1"_s.arg(std::isnan(number)
                                                                            ? u"NaN"_s
                                                                        : number > 0 ? u"+Inf"_s
                                                                                     : u"-Inf"_s));
        return QJsonValue(number);
    }
    case Kind::String:
    case Kind::Bytes: {
        const auto v = readLengthDelimited(in, wire, field);
        if (!v)
            return std::unexpected(v.error());
        if (type.kind == Kind::String)
            return QJsonValue(QString::fromUtf8(*v));
        return QJsonValue(QString::fromLatin1(v->toByteArray().toBase64()));
    }
    default:
        Q_UNREACHABLE_RETURN(QJsonValue());
    }
}

// One value of type: a field's, a list element or a map value.
Result<QJsonValue> Decoder::value(Reader &in, int wire, const SchemaType &type, QStringView field,
                                  int depth) const
{
    switch (type.kind) {
    case Kind::Integer:
    case Kind::Boolean:
    case Kind::Number:
    case Kind::String:
    case Kind::Bytes:
        return scalar(in, wire, type, field);
    default:
        break;
    }
    const auto data = readLengthDelimited(in, wire, field);
    if (!data)
        return std::unexpected(data.error());
    switch (type.kind) {
    case Kind::Object: {
        MessageBuilder object;
        if (auto ok = message(*data, type, object, depth + 1); !ok)
            return std::unexpected(ok.error());
        return object.toJson();
    }
    case Kind::Time:
    case Kind::MicroTime:
        return timeValue(*data, type.kind == Kind::MicroTime);
    case Kind::Quantity:
        return quantityValue(*data);
    case Kind::IntOrString:
        return intOrStringValue(*data);
    case Kind::FreeForm:
    case Kind::Any:
        return rawJsonValue(*data);
    default:
        return wrapped(*data, type, depth);
    }
}

// A list or map where protobuf has no place for one (a map's value, a list's element) travels
// in a message of its own with the items as field 1, as user.Info's extra (ExtraValue) does.
Result<QJsonValue> Decoder::wrapped(QByteArrayView data, const SchemaType &type, int depth) const
{
    if (!type.element)
        return QJsonValue(QJsonValue::Null);
    SchemaType wrapper;
    wrapper.kind = Kind::Object;
    SchemaField items;
    items.name = u"items"_s;
    items.type = &type;
    items.protoNumber = 1;
    wrapper.fields.append(items);
    MessageBuilder object;
    if (auto ok = message(data, wrapper, object, depth + 1); !ok)
        return std::unexpected(ok.error());
    const QJsonValue list = object.toJson().value(u"items");
    return list.isUndefined() ? QJsonValue(QJsonValue::Null) : list;
}

// A map entry: message{key=1, value=2}; a missing value is the element type's zero.
Result<std::pair<QString, QJsonValue>> Decoder::mapEntry(QByteArrayView data,
                                                         const SchemaField &field, int depth) const
{
    const SchemaType &element = *field.type->element;
    QString key;
    QJsonValue value = QJsonValue::Undefined;
    Reader in(data);
    while (!in.atEnd()) {
        const auto tag = readTag(in, u"MapEntry");
        if (!tag)
            return std::unexpected(tag.error());
        if (tag->field == 1) {
            const auto v = readLengthDelimited(in, tag->wire, field.name);
            if (!v)
                return std::unexpected(v.error());
            key = QString::fromUtf8(*v);
        } else if (tag->field == 2) {
            auto v = this->value(in, tag->wire, element, field.name, depth);
            if (!v)
                return std::unexpected(v.error());
            value = *v;
        } else if (auto ok = in.skip(tag->wire); !ok) {
            return std::unexpected(ok.error());
        }
    }
    return std::pair{key, value.isUndefined() ? zeroValue(element) : value};
}

struct Envelope
{
    QString apiVersion;
    QString kind;
    QByteArrayView raw;
};

// runtime.Unknown{typeMeta=1{apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4}.
// kubectl leaves the content encoding and type empty: raw is plain protobuf.
Result<Envelope> readEnvelope(QByteArrayView data)
{
    const auto unknown = readFixedMessage(data, u"Unknown",
                                          {{1, LengthDelimited, u"TypeMeta"},
                                           {2, LengthDelimited, u"Raw"},
                                           {3, LengthDelimited, u"ContentEncoding"},
                                           {4, LengthDelimited, u"ContentType"}});
    if (!unknown)
        return std::unexpected(unknown.error());
    const auto typeMeta =
        readFixedMessage(unknown->bytes.value(1), u"TypeMeta",
                         {{1, LengthDelimited, u"APIVersion"}, {2, LengthDelimited, u"Kind"}});
    if (!typeMeta)
        return std::unexpected(typeMeta.error());
    return Envelope{QString::fromUtf8(typeMeta->bytes.value(1)),
                    QString::fromUtf8(typeMeta->bytes.value(2)), unknown->bytes.value(2)};
}

} // namespace

std::expected<QJsonObject, QString> decodeProtobufObject(QByteArrayView body,
                                                         const core::SchemaRegistry &schemas)
{
    // The texts of k8s.io/apimachinery's protobuf serializer.
    static constexpr QByteArrayView prefix("k8s\0", 4);
    if (body.isEmpty())
        return std::unexpected(u"empty data"_s);
    if (!body.startsWith(prefix))
        return std::unexpected(
            u"provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]"_s);
    if (body.size() == prefix.size())
        return std::unexpected(u"empty body"_s);
    const auto envelope = readEnvelope(body.sliced(prefix.size()));
    if (!envelope)
        return std::unexpected(envelope.error());

    // schema.ParseGroupVersion: "v1" is the core group; more than one slash is no version.
    QString group;
    QString version;
    if (envelope->apiVersion.count(u'/') == 0) {
        version = envelope->apiVersion;
    } else if (envelope->apiVersion.count(u'/') == 1) {
        group = envelope->apiVersion.section(u'/', 0, 0);
        version = envelope->apiVersion.section(u'/', 1, 1);
    }
    const QString typeMeta = u"runtime.TypeMeta{APIVersion:%1, Kind:%2}"_s.arg(
        goQuote(envelope->apiVersion), goQuote(envelope->kind));
    if (envelope->kind.isEmpty())
        return std::unexpected(u"Object 'Kind' is missing in '%1'"_s.arg(typeMeta));
    if (version.isEmpty())
        return std::unexpected(u"Object 'apiVersion' is missing in '%1'"_s.arg(typeMeta));

    const core::ResourceInfo *resource = schemas.resourceForKind(group, version, envelope->kind);
    if (!resource || !resource->schema)
        return std::unexpected(
            u"no kind %1 is registered for version %2 in scheme \"pkg/api/legacyscheme/scheme.go:30\""_s
                .arg(goQuote(envelope->kind), goQuote(envelope->apiVersion)));

    MessageBuilder builder;
    if (auto ok = Decoder().message(envelope->raw, *resource->schema, builder, 0); !ok)
        return std::unexpected(ok.error());
    QJsonObject object = builder.toJson();
    object.insert(u"apiVersion", envelope->apiVersion);
    object.insert(u"kind", envelope->kind);
    return object;
}

} // namespace timonel::apiserver