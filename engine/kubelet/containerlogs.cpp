#include "containerlogs.h"

#include "containerstream.h"

#include "docker/multiplexedstream.h"
#include "http/httpserver.h"

#include <QPointer>
#include <QTimer>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace timonel::kubelet {

namespace {

constexpr qint64 kHighWater = 1024 * 1024;
constexpr qint64 kLowWater = 256 * 1024;
// While the client is slow, how often to look whether it caught up (the exchange has no
// signal for it).
constexpr int kDrainPollMs = 20;

// Query values as apimachinery converts them into PodLogOptions: a bool is true unless "0" or
// "false", a number must parse.
bool flag(const QUrlQuery &query, const QString &key)
{
    if (!query.hasQueryItem(key))
        return false;
    const QString value = query.queryItemValue(key, QUrl::FullyDecoded);
    return value != u"0" && value.compare(u"false", Qt::CaseInsensitive) != 0;
}

std::optional<std::optional<qint64>> number(const QUrlQuery &query, const QString &key)
{
    if (!query.hasQueryItem(key))
        return std::optional<qint64>();
    bool ok = false;
    const qint64 value = query.queryItemValue(key, QUrl::FullyDecoded).toLongLong(&ok);
    if (!ok)
        return std::nullopt;
    return std::optional<qint64>(value);
}

class LogStream : public QObject
{
public:
    LogStream(http::HttpExchange *exchange, const QString &socket, const QString &id, bool tty,
              const ContainerLogOptions &options, QObject *parent)
        : QObject(parent), m_exchange(exchange), m_tty(tty), m_options(options)
    {
        if (options.limitBytes)
            m_remaining = *options.limitBytes;
        QByteArray target = "/containers/" + id.toUtf8() + "/logs?stdout=1&stderr=1&timestamps=1";
        // Timestamps always come from Docker: they are rewritten, or dropped when not asked for.
        target += options.follow ? "&follow=1" : "&follow=0";
        if (options.tailLines)
            target += "&tail=" + QByteArray::number(*options.tailLines);
        std::optional<qint64> sinceMs;
        if (options.sinceSeconds)
            sinceMs = QDateTime::currentMSecsSinceEpoch() - *options.sinceSeconds * 1000;
        else if (options.sinceTime)
            sinceMs = options.sinceTime->toMSecsSinceEpoch();
        if (sinceMs)
            target += "&since=" + QByteArray::number(*sinceMs / 1000) + '.' +
                      QByteArray::number(*sinceMs % 1000 * 1000000).rightJustified(9, '0');
        m_stream = new ContainerStream(socket, "GET", target, this);
        connect(m_stream, &ContainerStream::established, this, [this] {
            if (m_exchange)
                m_exchange->beginStream(200, {{"Content-Type", "text/plain; charset=utf-8"}});
        });
        connect(m_stream, &ContainerStream::data, this, &LogStream::onData);
        connect(m_stream, &ContainerStream::finished, this, &LogStream::onFinished);
        connect(exchange, &http::HttpExchange::clientGone, this, &QObject::deleteLater);
        m_drain.setInterval(kDrainPollMs);
        connect(&m_drain, &QTimer::timeout, this, [this] {
            if (!m_exchange || m_exchange->unsentBytes() < kLowWater) {
                m_drain.stop();
                m_stream->setReadingPaused(false);
            }
        });
        m_stream->start();
    }

private:
    void onData(const QByteArray &bytes)
    {
        if (m_tty) {
            m_line.append(bytes);
            const qsizetype end = m_line.lastIndexOf('\n');
            if (end >= 0) {
                entries(QByteArrayView(m_line).first(end + 1));
                m_line.remove(0, end + 1);
            }
        } else {
            for (const auto &frame : m_decoder.feed(bytes))
                entries(frame.payload);
        }
        if (m_exchange && m_exchange->unsentBytes() > kHighWater && !m_drain.isActive()) {
            m_stream->setReadingPaused(true);
            m_drain.start();
        }
    }

    // Docker's entries, each "<timestamp> <text>" and (but for a partial line) a newline.
    void entries(QByteArrayView text)
    {
        QByteArray out;
        while (!text.isEmpty()) {
            qsizetype end = text.indexOf('\n');
            end = end < 0 ? text.size() : end + 1;
            const QByteArrayView entry = text.first(end);
            text = text.sliced(end);
            const qsizetype space = entry.indexOf(' ');
            if (space < 0) {
                out.append(entry);
                continue;
            }
            if (m_options.timestamps)
                out.append(rfc3339Nano(entry.first(space))).append(' ');
            out.append(entry.sliced(space + 1));
        }
        write(out);
    }

    void write(QByteArray out)
    {
        if (!m_exchange || out.isEmpty() || m_done)
            return;
        if (m_remaining >= 0 && out.size() >= m_remaining) {
            out.truncate(m_remaining);
            m_exchange->writeChunk(out);
            m_done = true;
            m_exchange->endStream();
            deleteLater();
            return;
        }
        if (m_remaining >= 0)
            m_remaining -= out.size();
        m_exchange->writeChunk(out);
    }

    void onFinished()
    {
        if (!m_exchange || m_done) {
            deleteLater();
            return;
        }
        if (!m_exchange->isStreaming()) {
            const QString error = m_stream->hasError() ? m_stream->errorString()
                                                       : u"no logs from the container runtime"_s;
            m_exchange->respond(400, {{"Content-Type", "text/plain; charset=utf-8"}},
                                error.toUtf8());
        } else {
            if (!m_line.isEmpty())
                entries(std::exchange(m_line, {}));
            if (!m_done)
                m_exchange->endStream();
        }
        m_done = true;
        deleteLater();
    }

    QPointer<http::HttpExchange> m_exchange;
    ContainerStream *m_stream = nullptr;
    bool m_tty;
    ContainerLogOptions m_options;
    docker::MultiplexedStreamDecoder m_decoder;
    QByteArray m_line; // TTY output: the unfinished last line
    qint64 m_remaining = -1;
    QTimer m_drain;
    bool m_done = false;
};

} // namespace

std::expected<ContainerLogOptions, LogOptionsError> parseLogOptions(const QUrlQuery &query)
{
    const LogOptionsError undecodable{400, R"({"message": "Unable to decode query."})"};
    ContainerLogOptions options;
    options.follow = flag(query, u"follow"_s);
    options.previous = flag(query, u"previous"_s);
    options.timestamps = flag(query, u"timestamps"_s);
    QUrlQuery numbers = query;
    // The kubelet still honours the old "tail" parameter; "all" means no limit.
    if (const QString tail = query.queryItemValue(u"tail"_s); !tail.isEmpty()) {
        numbers.removeAllQueryItems(u"tailLines"_s);
        if (tail != u"all")
            numbers.addQueryItem(u"tailLines"_s, tail);
    }
    for (auto [key, field] : {std::pair{u"tailLines"_s, &options.tailLines},
                              std::pair{u"limitBytes"_s, &options.limitBytes},
                              std::pair{u"sinceSeconds"_s, &options.sinceSeconds}}) {
        auto value = number(numbers, key);
        if (!value)
            return std::unexpected(undecodable);
        *field = *value;
    }
    if (const QString since = query.queryItemValue(u"sinceTime"_s, QUrl::FullyDecoded);
        !since.isEmpty()) {
        const QDateTime time = QDateTime::fromString(since, Qt::ISODate);
        if (!time.isValid())
            return std::unexpected(undecodable);
        options.sinceTime = time;
    }
    const bool invalid = (options.tailLines && *options.tailLines < 0) ||
                         (options.limitBytes && *options.limitBytes < 1) ||
                         (options.sinceSeconds && options.sinceTime) ||
                         (options.sinceSeconds && *options.sinceSeconds < 1);
    if (invalid)
        return std::unexpected(LogOptionsError{422, R"({"message": "Invalid request."})"});
    return options;
}

QByteArray rfc3339Nano(QByteArrayView dockerTimestamp)
{
    const qsizetype dot = dockerTimestamp.indexOf('.');
    if (dot < 0)
        return dockerTimestamp.toByteArray();
    qsizetype zone = dot + 1;
    while (zone < dockerTimestamp.size() && dockerTimestamp[zone] >= '0' &&
           dockerTimestamp[zone] <= '9')
        ++zone;
    qsizetype digitsEnd = zone;
    while (digitsEnd > dot + 1 && dockerTimestamp[digitsEnd - 1] == '0')
        --digitsEnd;
    QByteArray out = dockerTimestamp.first(digitsEnd == dot + 1 ? dot : digitsEnd).toByteArray();
    return out.append(dockerTimestamp.sliced(zone));
}

void streamContainerLogs(http::HttpExchange *exchange, const QString &dockerSocket,
                         const QString &containerId, bool tty, const ContainerLogOptions &options,
                         QObject *parent)
{
    new LogStream(exchange, dockerSocket, containerId, tty, options, parent);
}

} // namespace timonel::kubelet
