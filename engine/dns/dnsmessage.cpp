#include "dnsmessage.h"

#include <QHash>
#include <QStringList>
#include <QtEndian>

using namespace Qt::StringLiterals;

namespace timonel::dns {

namespace {

constexpr int HeaderSize = 12;
constexpr int MaxNameWireLength = 255; // RFC 1035 §2.3.4
constexpr int MaxLabelLength = 63;
constexpr int MaxPointer = 0x3fff;
constexpr quint16 AdvertisedUdpSize = 1232; // the DNS flag day 2020 recommendation

QString escapeLabel(const QByteArray &label)
{
    QString out;
    out.reserve(label.size());
    for (char c : label) {
        if (c == '.' || c == '\\')
            out += u'\\';
        out += QChar::fromLatin1(c);
    }
    return out;
}

class Reader
{
public:
    explicit Reader(const QByteArray &data) : m_data(data) {}

    bool failed() const { return !m_error.isEmpty(); }
    const QString &error() const { return m_error; }
    int position() const { return m_pos; }
    int remaining() const { return int(m_data.size()) - m_pos; }

    void fail(const QString &message)
    {
        if (m_error.isEmpty())
            m_error = message;
    }

    quint8 u8()
    {
        if (!need(1))
            return 0;
        return quint8(m_data[m_pos++]);
    }
    quint16 u16()
    {
        if (!need(2))
            return 0;
        quint16 v = qFromBigEndian<quint16>(m_data.constData() + m_pos);
        m_pos += 2;
        return v;
    }
    quint32 u32()
    {
        if (!need(4))
            return 0;
        quint32 v = qFromBigEndian<quint32>(m_data.constData() + m_pos);
        m_pos += 4;
        return v;
    }
    QByteArray bytes(int n)
    {
        if (!need(n))
            return {};
        QByteArray v = m_data.mid(m_pos, n);
        m_pos += n;
        return v;
    }

    // A possibly compressed name. Pointers must point strictly backwards, which also bounds
    // the number of jumps: a loop can never close.
    QString name()
    {
        QStringList labels;
        int pos = m_pos;
        int end = -1; // where reading continues after the first pointer
        int wireLength = 1;
        int lowestStart = pos;
        while (true) {
            if (pos >= m_data.size()) {
                fail(u"name runs past the end of the message"_s);
                return {};
            }
            const quint8 length = quint8(m_data[pos]);
            if ((length & 0xc0) == 0xc0) {
                if (pos + 1 >= m_data.size()) {
                    fail(u"name runs past the end of the message"_s);
                    return {};
                }
                const int target = ((length & 0x3f) << 8) | quint8(m_data[pos + 1]);
                if (target >= lowestStart) {
                    fail(u"compression pointer does not point backwards"_s);
                    return {};
                }
                if (end < 0)
                    end = pos + 2;
                pos = lowestStart = target;
                continue;
            }
            if (length & 0xc0) {
                fail(u"unsupported label type"_s);
                return {};
            }
            if (length == 0) {
                pos += 1;
                break;
            }
            wireLength += length + 1;
            if (wireLength > MaxNameWireLength) {
                fail(u"name longer than 255 octets"_s);
                return {};
            }
            if (pos + 1 + length > m_data.size()) {
                fail(u"name runs past the end of the message"_s);
                return {};
            }
            labels.append(escapeLabel(m_data.mid(pos + 1, length)));
            pos += 1 + length;
        }
        m_pos = end >= 0 ? end : pos;
        return labels.join(u'.');
    }

private:
    bool need(int n)
    {
        if (failed())
            return false;
        if (n < 0 || m_pos + n > m_data.size()) {
            fail(u"message truncated"_s);
            return false;
        }
        return true;
    }

    const QByteArray &m_data;
    int m_pos = 0;
    QString m_error;
};

Record readRecord(Reader &in)
{
    Record r;
    r.name = in.name();
    r.type = in.u16();
    r.klass = in.u16();
    r.ttl = in.u32();
    const int length = in.u16();
    if (in.failed())
        return r;
    if (length > in.remaining()) {
        in.fail(u"record data runs past the end of the message"_s);
        return r;
    }
    const int end = in.position() + length;
    switch (r.type) {
    case RecordType::A:
    case RecordType::AAAA: {
        const int size = r.type == RecordType::A ? 4 : 16;
        if (length != size) {
            in.fail(u"%1 record with %2 octets of data"_s.arg(typeName(r.type)).arg(length));
            return r;
        }
        const QByteArray raw = in.bytes(size);
        if (size == 4)
            r.data = QHostAddress(qFromBigEndian<quint32>(raw.constData()));
        else
            r.data = QHostAddress(reinterpret_cast<const quint8 *>(raw.constData()));
        break;
    }
    case RecordType::CNAME:
    case RecordType::PTR:
    case RecordType::NS:
        r.data = in.name();
        break;
    case RecordType::SRV: {
        SrvData srv;
        srv.priority = in.u16();
        srv.weight = in.u16();
        srv.port = in.u16();
        srv.target = in.name();
        r.data = srv;
        break;
    }
    case RecordType::SOA: {
        SoaData soa;
        soa.mname = in.name();
        soa.rname = in.name();
        soa.serial = in.u32();
        soa.refresh = in.u32();
        soa.retry = in.u32();
        soa.expire = in.u32();
        soa.minimum = in.u32();
        r.data = soa;
        break;
    }
    default:
        r.data = in.bytes(length);
        break;
    }
    if (!in.failed() && in.position() != end)
        in.fail(u"%1 record data length does not match its content"_s.arg(typeName(r.type)));
    return r;
}

class Writer
{
public:
    QByteArray out;

    void u8(quint8 v) { out.append(char(v)); }
    void u16(quint16 v)
    {
        char b[2];
        qToBigEndian(v, b);
        out.append(b, 2);
    }
    void u32(quint32 v)
    {
        char b[4];
        qToBigEndian(v, b);
        out.append(b, 4);
    }
    void patch16(int at, quint16 v) { qToBigEndian(v, out.data() + at); }

    void name(const QString &name, bool compress)
    {
        const QStringList labels = labelsOf(name);
        for (qsizetype i = 0; i < labels.size(); ++i) {
            const QString key = labels.mid(i).join(QChar(0)).toLower();
            if (compress) {
                if (auto it = m_offsets.constFind(key); it != m_offsets.cend()) {
                    u16(quint16(0xc000 | *it));
                    return;
                }
            }
            if (compress && out.size() <= MaxPointer && !m_offsets.contains(key))
                m_offsets.insert(key, int(out.size()));
            const QByteArray label = labels[i].toLatin1().left(MaxLabelLength);
            u8(quint8(label.size()));
            out.append(label);
        }
        u8(0);
    }

    void record(const Record &r)
    {
        name(r.name, true);
        u16(r.type);
        u16(r.klass);
        u32(r.ttl);
        const int lengthAt = int(out.size());
        u16(0);
        const int start = int(out.size());
        if (const auto *address = std::get_if<QHostAddress>(&r.data)) {
            if (address->protocol() == QAbstractSocket::IPv4Protocol) {
                u32(address->toIPv4Address());
            } else {
                const Q_IPV6ADDR v6 = address->toIPv6Address();
                out.append(reinterpret_cast<const char *>(v6.c), 16);
            }
        } else if (const auto *target = std::get_if<QString>(&r.data)) {
            name(*target, true);
        } else if (const auto *srv = std::get_if<SrvData>(&r.data)) {
            u16(srv->priority);
            u16(srv->weight);
            u16(srv->port);
            name(srv->target, false); // RFC 2782: the target is never compressed
        } else if (const auto *soa = std::get_if<SoaData>(&r.data)) {
            name(soa->mname, true);
            name(soa->rname, true);
            u32(soa->serial);
            u32(soa->refresh);
            u32(soa->retry);
            u32(soa->expire);
            u32(soa->minimum);
        } else if (const auto *raw = std::get_if<QByteArray>(&r.data)) {
            out.append(*raw);
        }
        patch16(lengthAt, quint16(out.size() - start));
    }

private:
    QHash<QString, int> m_offsets; // lower-cased name suffix -> where it was written
};

quint16 flagsOf(const Message &m)
{
    quint16 flags = 0;
    if (m.response)
        flags |= 0x8000;
    flags |= quint16(m.opcode & 0xf) << 11;
    if (m.authoritative)
        flags |= 0x0400;
    if (m.truncated)
        flags |= 0x0200;
    if (m.recursionDesired)
        flags |= 0x0100;
    if (m.recursionAvailable)
        flags |= 0x0080;
    flags |= quint16(m.rcode) & 0xf;
    return flags;
}

} // namespace

Record Record::address(const QString &name, quint32 ttl, const QHostAddress &address)
{
    const quint16 type =
        address.protocol() == QAbstractSocket::IPv4Protocol ? RecordType::A : RecordType::AAAA;
    return Record{name, type, ClassIn, ttl, address};
}

Record Record::domainName(const QString &name, quint16 type, quint32 ttl, const QString &target)
{
    return Record{name, type, ClassIn, ttl, target};
}

Record Record::srv(const QString &name, quint32 ttl, SrvData data)
{
    return Record{name, RecordType::SRV, ClassIn, ttl, std::move(data)};
}

Record Record::soa(const QString &name, quint32 ttl, SoaData data)
{
    return Record{name, RecordType::SOA, ClassIn, ttl, std::move(data)};
}

QHostAddress Record::addressData() const
{
    const auto *v = std::get_if<QHostAddress>(&data);
    return v ? *v : QHostAddress();
}

QString Record::nameData() const
{
    const auto *v = std::get_if<QString>(&data);
    return v ? *v : QString();
}

SrvData Record::srvData() const
{
    const auto *v = std::get_if<SrvData>(&data);
    return v ? *v : SrvData();
}

SoaData Record::soaData() const
{
    const auto *v = std::get_if<SoaData>(&data);
    return v ? *v : SoaData();
}

Message Message::responseTo(const Message &query, ResponseCode rcode)
{
    Message m;
    m.id = query.id;
    m.response = true;
    m.opcode = query.opcode;
    m.recursionDesired = query.recursionDesired;
    m.recursionAvailable = true;
    m.rcode = rcode;
    m.questions = query.questions;
    if (query.ednsUdpSize)
        m.ednsUdpSize = AdvertisedUdpSize;
    return m;
}

int Message::udpResponseLimit() const
{
    // RFC 6891 §6.2.5: values below 512 are treated as 512.
    return std::max<int>(UdpPayloadLimit, ednsUdpSize.value_or(UdpPayloadLimit));
}

std::expected<Message, DecodeError> decode(const QByteArray &wire)
{
    if (wire.size() < HeaderSize)
        return std::unexpected(DecodeError{u"message shorter than its header"_s, {}});
    Reader in(wire);
    Message m;
    m.id = in.u16();
    const quint16 flags = in.u16();
    m.response = flags & 0x8000;
    m.opcode = (flags >> 11) & 0xf;
    m.authoritative = flags & 0x0400;
    m.truncated = flags & 0x0200;
    m.recursionDesired = flags & 0x0100;
    m.recursionAvailable = flags & 0x0080;
    m.rcode = ResponseCode(flags & 0xf);
    const int counts[4] = {in.u16(), in.u16(), in.u16(), in.u16()};
    const Message header = m;

    for (int i = 0; i < counts[0] && !in.failed(); ++i) {
        Question q;
        q.name = in.name();
        q.type = in.u16();
        q.klass = in.u16();
        m.questions.append(q);
    }
    for (int section = 1; section < 4; ++section) {
        for (int i = 0; i < counts[section] && !in.failed(); ++i) {
            Record r = readRecord(in);
            if (in.failed())
                break;
            if (r.type == RecordType::OPT) {
                if (section != 3 || m.ednsUdpSize || !r.name.isEmpty()) {
                    in.fail(u"misplaced or repeated OPT record"_s);
                    break;
                }
                m.ednsUdpSize = r.klass;
                continue;
            }
            (section == 1 ? m.answers : section == 2 ? m.authority : m.additional).append(r);
        }
    }
    if (!in.failed() && in.remaining() > 0)
        in.fail(u"%1 octets after the last record"_s.arg(in.remaining()));
    if (in.failed())
        return std::unexpected(DecodeError{in.error(), header});
    return m;
}

QByteArray encode(const Message &message, int maxSize)
{
    Writer w;
    w.u16(message.id);
    w.u16(flagsOf(message));
    for (int i = 0; i < 4; ++i)
        w.u16(0); // counts, patched below
    for (const Question &q : message.questions) {
        w.name(q.name, true);
        w.u16(q.type);
        w.u16(q.klass);
    }
    const int optSize = message.ednsUdpSize ? 11 : 0;

    // Compression only points backwards, so every prefix that ends on a record boundary is a
    // well-formed message: truncating is cutting at the last boundary that fits.
    const QList<Record> *sections[3] = {&message.answers, &message.authority, &message.additional};
    int written[3] = {0, 0, 0};
    bool truncated = message.truncated;
    bool full = false;
    for (int s = 0; s < 3 && !full; ++s) {
        for (const Record &r : *sections[s]) {
            const qsizetype before = w.out.size();
            w.record(r);
            if (w.out.size() + optSize > maxSize) {
                w.out.truncate(before);
                full = true;
                // Dropping additional records loses nothing the client asked for.
                if (s < 2)
                    truncated = true;
                break;
            }
            ++written[s];
        }
    }
    if (message.ednsUdpSize) {
        w.u8(0); // root
        w.u16(RecordType::OPT);
        w.u16(*message.ednsUdpSize);
        w.u32(0); // extended RCODE, version 0, no DO bit
        w.u16(0);
    }
    Message flags = message;
    flags.truncated = truncated;
    w.patch16(2, flagsOf(flags));
    w.patch16(4, quint16(message.questions.size()));
    w.patch16(6, quint16(written[0]));
    w.patch16(8, quint16(written[1]));
    w.patch16(10, quint16(written[2] + (message.ednsUdpSize ? 1 : 0)));
    return w.out;
}

QString typeName(quint16 type)
{
    switch (type) {
    case RecordType::A:
        return u"A"_s;
    case RecordType::NS:
        return u"NS"_s;
    case RecordType::CNAME:
        return u"CNAME"_s;
    case RecordType::SOA:
        return u"SOA"_s;
    case RecordType::PTR:
        return u"PTR"_s;
    case RecordType::TXT:
        return u"TXT"_s;
    case RecordType::AAAA:
        return u"AAAA"_s;
    case RecordType::SRV:
        return u"SRV"_s;
    case RecordType::OPT:
        return u"OPT"_s;
    case RecordType::ANY:
        return u"ANY"_s;
    }
    return u"TYPE%1"_s.arg(type);
}

bool sameName(const QString &a, const QString &b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

QStringList labelsOf(const QString &name)
{
    QStringList labels;
    if (name.isEmpty() || name == "."_L1)
        return labels;
    QString current;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name[i];
        if (c == u'\\' && i + 1 < name.size()) {
            current += name[++i];
        } else if (c == u'.') {
            labels.append(current);
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.isEmpty())
        labels.append(current); // a trailing dot ends the name without an empty label
    return labels;
}

} // namespace timonel::dns
