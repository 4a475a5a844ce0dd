// GET /containerLogs as the kubelet answers it: the options of PodLogOptions, the output of
// stdout and stderr interleaved as text, timestamps in RFC 3339 with nanoseconds (trailing zeros
// dropped, as Go's time.RFC3339Nano), and with follow a chunked stream that lasts until the
// container stops or the client goes away.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QObject>
#include <QUrlQuery>

#include <expected>
#include <optional>

namespace timonel::http {
class HttpExchange;
}

namespace timonel::kubelet {

struct ContainerLogOptions
{
    bool follow = false;
    bool previous = false;
    bool timestamps = false;
    std::optional<qint64> tailLines;
    std::optional<qint64> limitBytes;
    std::optional<qint64> sinceSeconds;
    std::optional<QDateTime> sinceTime;
};

struct LogOptionsError
{
    int status = 400;
    QByteArray body;
};

// Decoded as the kubelet decodes them: an undecodable value is a 400, an invalid one a 422
// (the kubelet's own terse JSON bodies).
std::expected<ContainerLogOptions, LogOptionsError> parseLogOptions(const QUrlQuery &query);

// Docker's fixed-width "2024-05-01T10:00:00.120000000Z" as Go's RFC3339Nano prints it:
// "2024-05-01T10:00:00.12Z".
QByteArray rfc3339Nano(QByteArrayView dockerTimestamp);

// Streams the logs of one Docker container (`tty`: its output is raw, not multiplexed).
void streamContainerLogs(http::HttpExchange *exchange, const QString &dockerSocket,
                         const QString &containerId, bool tty, const ContainerLogOptions &options,
                         QObject *parent);

} // namespace timonel::kubelet
