#include "multiplexedstream.h"

#include <QtEndian>

#include <algorithm>
#include <limits>
#include <utility>

namespace timonel::docker {

namespace {
// Reserve at most this much for a frame up front: a corrupt size must not allocate gigabytes.
constexpr qint64 MaxReserve = 16 << 20;
} // namespace

QList<MultiplexedStreamDecoder::Frame> MultiplexedStreamDecoder::feed(QByteArrayView data)
{
    QList<Frame> frames;
    if (hasError())
        return frames;
    qsizetype pos = 0;
    while (pos < data.size()) {
        if (m_headerFill < HeaderSize) {
            const qsizetype take = std::min(HeaderSize - m_headerFill, data.size() - pos);
            std::copy_n(data.data() + pos, take, m_header + m_headerFill);
            m_headerFill += take;
            pos += take;
            if (m_headerFill < HeaderSize)
                break;
            const int stream = static_cast<unsigned char>(m_header[0]);
            if (stream > SystemErrorStream) {
                m_error = QStringLiteral("unknown stream type %1 in a multiplexed stream "
                                         "(is the container using a TTY?)")
                              .arg(stream);
                return frames;
            }
            m_payloadSize = qFromBigEndian<quint32>(m_header + 4);
            m_payload.reserve(std::min(m_payloadSize, MaxReserve));
        } else {
            const qsizetype take =
                std::min<qint64>(m_payloadSize - m_payload.size(), data.size() - pos);
            m_payload.append(data.sliced(pos, take));
            pos += take;
        }
        if (m_payload.size() == m_payloadSize) {
            frames.append({static_cast<unsigned char>(m_header[0]), std::exchange(m_payload, {})});
            m_headerFill = 0;
            m_payloadSize = 0;
        }
    }
    return frames;
}

QByteArray encodeFrame(int stream, QByteArrayView payload)
{
    Q_ASSERT(stream >= 0 && stream <= 255);
    Q_ASSERT(payload.size() <= qint64(std::numeric_limits<quint32>::max()));
    QByteArray out(8, '\0');
    out[0] = char(stream);
    qToBigEndian<quint32>(quint32(payload.size()), out.data() + 4);
    out.append(payload);
    return out;
}

QList<QByteArray> LineSplitter::feed(QByteArrayView data)
{
    QList<QByteArray> lines;
    qsizetype pos = 0;
    while (pos < data.size()) {
        const qsizetype newline = data.indexOf('\n', pos);
        if (newline < 0) {
            m_partial.append(data.sliced(pos));
            break;
        }
        m_partial.append(data.sliced(pos, newline - pos));
        pos = newline + 1;
        QByteArray line = std::exchange(m_partial, {});
        if (line.endsWith('\r'))
            line.chop(1);
        lines.append(std::move(line));
    }
    return lines;
}

QByteArray LineSplitter::takeRest()
{
    return std::exchange(m_partial, {});
}

} // namespace timonel::docker
