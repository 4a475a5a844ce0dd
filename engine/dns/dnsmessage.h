// DNS messages on the wire (RFC 1035 §4, EDNS0 from RFC 6891): the one format queries and
// responses share. The cluster DNS decodes what clients send, builds its answers as records and
// encodes them with name compression, truncating to what the transport allows.
//
// Names are kept in presentation form without the final dot ("web.default.svc.cluster.local",
// the root is ""); a '.' or '\' inside a label is escaped with '\' so labels stay unambiguous.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>

#include <expected>
#include <optional>
#include <variant>

namespace timonel::dns {

namespace RecordType {
enum : quint16
{
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    PTR = 12,
    TXT = 16,
    AAAA = 28,
    SRV = 33,
    OPT = 41,
    ANY = 255,
};
}

enum class ResponseCode : quint8
{
    NoError = 0,
    FormatError = 1,
    ServerFailure = 2,
    NameError = 3, // NXDOMAIN
    NotImplemented = 4,
    Refused = 5,
};

inline constexpr quint16 ClassIn = 1;
// Without EDNS0 a UDP message may not exceed this (RFC 1035 §4.2.1).
inline constexpr int UdpPayloadLimit = 512;

struct Question
{
    QString name;
    quint16 type = RecordType::A;
    quint16 klass = ClassIn;

    friend bool operator==(const Question &, const Question &) = default;
};

struct SrvData
{
    quint16 priority = 0;
    quint16 weight = 0;
    quint16 port = 0;
    QString target;

    friend bool operator==(const SrvData &, const SrvData &) = default;
};

struct SoaData
{
    QString mname;
    QString rname;
    quint32 serial = 0;
    quint32 refresh = 0;
    quint32 retry = 0;
    quint32 expire = 0;
    quint32 minimum = 0;

    friend bool operator==(const SoaData &, const SoaData &) = default;
};

// A resource record. The data holds an address (A, AAAA), a domain name (CNAME, PTR, NS), SRV,
// SOA, or the raw RDATA of any other type.
struct Record
{
    using Data = std::variant<QHostAddress, QString, SrvData, SoaData, QByteArray>;

    QString name;
    quint16 type = RecordType::A;
    quint16 klass = ClassIn;
    quint32 ttl = 0;
    Data data;

    static Record address(const QString &name, quint32 ttl, const QHostAddress &address);
    static Record domainName(const QString &name, quint16 type, quint32 ttl, const QString &target);
    static Record srv(const QString &name, quint32 ttl, SrvData data);
    static Record soa(const QString &name, quint32 ttl, SoaData data);

    QHostAddress addressData() const;
    QString nameData() const; // CNAME, PTR, NS
    SrvData srvData() const;
    SoaData soaData() const;

    friend bool operator==(const Record &, const Record &) = default;
};

struct Message
{
    quint16 id = 0;
    bool response = false;
    quint8 opcode = 0; // 0: standard query
    bool authoritative = false;
    bool truncated = false;
    bool recursionDesired = false;
    bool recursionAvailable = false;
    ResponseCode rcode = ResponseCode::NoError;
    QList<Question> questions;
    QList<Record> answers;
    QList<Record> authority;
    QList<Record> additional; // without the OPT pseudo-record: that is `ednsUdpSize`
    // The UDP payload size of the sender's EDNS0 OPT record; absent without EDNS0.
    std::optional<quint16> ednsUdpSize;

    // The response skeleton to `query`: its id, opcode, RD bit, question and EDNS0 presence.
    static Message responseTo(const Message &query, ResponseCode rcode = ResponseCode::NoError);

    // The largest response the sender of this query accepts over UDP.
    int udpResponseLimit() const;

    friend bool operator==(const Message &, const Message &) = default;
};

struct DecodeError
{
    QString message;
    // The header, when at least that much was readable: enough to send FORMERR back.
    std::optional<Message> header;
};

std::expected<Message, DecodeError> decode(const QByteArray &wire);

// The message on the wire. When it exceeds `maxSize` the additional records go first, then the
// answer and authority records that do not fit, and the TC bit is set so the client retries
// over TCP (RFC 2181 §9).
QByteArray encode(const Message &message, int maxSize = 65535);

// Presentation-form helpers.
QString typeName(quint16 type);
bool sameName(const QString &a, const QString &b);
// The labels of a presentation-form name, unescaped ("a\.b.c" -> ["a.b", "c"]).
QStringList labelsOf(const QString &name);

} // namespace timonel::dns
