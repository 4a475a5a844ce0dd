#include "protobufwire.h"

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace timonel::apiserver::protowire {

namespace {

// Texts of Go's io.ErrUnexpectedEOF and of the errors of k8s' gogo-generated unmarshalers.
const QString unexpectedEof = u"unexpected EOF"_s;
const QString integerOverflow = u"proto: integer overflow"_s;
const QString negativeLength = u"proto: negative length found during unmarshaling"_s;
const QString unexpectedEndOfGroup = u"proto: unexpected end of group"_s;

} // namespace

QString wrongWireType(int wire, QStringView field)
{
    // Go names the struct field: the JSON name with a capital first letter.
    return u"proto: wrong wireType = %1 for field %2"_s.arg(wire).arg(
        field.isEmpty() ? QString()
                        : field.first(1).toString().toUpper() + field.sliced(1).toString());
}

Result<quint64> Reader::varint()
{
    quint64 value = 0;
    for (int shift = 0;; shift += 7) {
        if (shift >= 64)
            return std::unexpected(integerOverflow);
        if (atEnd())
            return std::unexpected(unexpectedEof);
        const auto byte = static_cast<quint8>(m_data[m_pos++]);
        value |= quint64(byte & 0x7f) << shift;
        if (byte < 0x80)
            return value;
    }
}

Result<QByteArrayView> Reader::bytes(quint64 length)
{
    if (length > quint64(m_data.size() - m_pos))
        return std::unexpected(unexpectedEof);
    const QByteArrayView view = m_data.sliced(m_pos, qsizetype(length));
    m_pos += qsizetype(length);
    return view;
}

Result<QByteArrayView> Reader::lengthDelimited()
{
    const auto length = varint();
    if (!length)
        return std::unexpected(length.error());
    // Go converts the length to int: with the top bit set it is negative.
    if (*length > quint64(std::numeric_limits<qint64>::max()))
        return std::unexpected(negativeLength);
    return bytes(*length);
}

Result<void> Reader::skip(int wire)
{
    int depth = 0;
    for (;;) {
        Result<void> ok;
        switch (wire) {
        case Varint:
            if (const auto v = varint(); !v)
                ok = std::unexpected(v.error());
            break;
        case Fixed64:
        case Fixed32:
            if (const auto v = bytes(wire == Fixed64 ? 8 : 4); !v)
                ok = std::unexpected(v.error());
            break;
        case LengthDelimited:
            if (const auto v = lengthDelimited(); !v)
                ok = std::unexpected(v.error());
            break;
        case StartGroup:
            ++depth;
            break;
        case EndGroup:
            if (depth == 0)
                return std::unexpected(unexpectedEndOfGroup);
            --depth;
            break;
        default:
            return std::unexpected(u"proto: illegal wireType %1"_s.arg(wire));
        }
        if (!ok || depth == 0)
            return ok;
        const auto key = varint();
        if (!key)
            return std::unexpected(key.error());
        wire = int(*key & 7);
    }
}

Result<Tag> readTag(Reader &in, QStringView message)
{
    const auto key = in.varint();
    if (!key)
        return std::unexpected(key.error());
    const Tag tag{static_cast<qint32>(*key >> 3), int(*key & 7)};
    if (tag.wire == EndGroup)
        return std::unexpected(u"proto: %1: wiretype end group for non-group"_s.arg(message));
    if (tag.field <= 0)
        return std::unexpected(
            u"proto: %1: illegal tag %2 (wire type %3)"_s.arg(message).arg(tag.field).arg(*key));
    return tag;
}

Result<QByteArrayView> readLengthDelimited(Reader &in, int wire, QStringView field)
{
    if (wire != LengthDelimited)
        return std::unexpected(wrongWireType(wire, field));
    return in.lengthDelimited();
}

Result<FixedMessage> readFixedMessage(QByteArrayView data, QStringView message,
                                      std::initializer_list<FixedField> fields)
{
    FixedMessage out;
    Reader in(data);
    while (!in.atEnd()) {
        const auto tag = readTag(in, message);
        if (!tag)
            return std::unexpected(tag.error());
        const auto known = std::ranges::find(fields, tag->field, &FixedField::number);
        if (known == fields.end()) {
            if (auto ok = in.skip(tag->wire); !ok)
                return std::unexpected(ok.error());
            continue;
        }
        if (tag->wire != known->wire)
            return std::unexpected(wrongWireType(tag->wire, known->name));
        if (known->wire == Varint) {
            const auto v = in.varint();
            if (!v)
                return std::unexpected(v.error());
            out.varints.insert(known->number, *v);
        } else {
            const auto v = in.lengthDelimited();
            if (!v)
                return std::unexpected(v.error());
            out.bytes.insert(known->number, *v);
        }
    }
    return out;
}

} // namespace timonel::apiserver::protowire
