// The protobuf wire format as Kubernetes' gogo-generated unmarshalers read it: varints, tags,
// length-delimited values and skipped fields, with their error texts.
#pragma once

#include <QByteArrayView>
#include <QHash>
#include <QString>
#include <QStringView>

#include <expected>
#include <initializer_list>

namespace timonel::apiserver::protowire {

template <typename T> using Result = std::expected<T, QString>;

enum WireType : int
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
};

// "proto: wrong wireType = 2 for field Replicas", for a field named by its JSON name.
QString wrongWireType(int wire, QStringView field);

// Reads values one after the other from a message's bytes, which it does not own.
class Reader
{
public:
    explicit Reader(QByteArrayView data) : m_data(data) {}

    bool atEnd() const { return m_pos >= m_data.size(); }

    Result<quint64> varint();
    Result<QByteArrayView> bytes(quint64 length);
    Result<QByteArrayView> lengthDelimited();
    // Skips the value of a field whose tag was just read, groups included.
    Result<void> skip(int wire);

private:
    QByteArrayView m_data;
    qsizetype m_pos = 0;
};

struct Tag
{
    qint32 field;
    int wire;
};

// `message` names the message being read, for the errors.
Result<Tag> readTag(Reader &in, QStringView message);

// Reads one length-delimited field value, as a message, string or bytes field expects it.
Result<QByteArrayView> readLengthDelimited(Reader &in, int wire, QStringView field);

// A small message with a hand-written JSON form (Timestamp, Quantity, IntOrString...): the last
// value of each known field, by number. Unknown fields are skipped.
struct FixedField
{
    int number;
    int wire; // Varint or LengthDelimited
    QStringView name;
};

struct FixedMessage
{
    QHash<int, quint64> varints;
    QHash<int, QByteArrayView> bytes;
};

Result<FixedMessage> readFixedMessage(QByteArrayView data, QStringView message,
                                      std::initializer_list<FixedField> fields);

} // namespace timonel::apiserver::protowire
