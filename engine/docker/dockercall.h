#pragma once

#include "httpresponseparser.h"

#include <QByteArray>
#include <QLocalSocket>
#include <QObject>
#include <QPointer>

#include <optional>

class QIODevice;

namespace timonel::core {
class CancelToken;
}

namespace timonel::docker {

// What went wrong talking to the Docker daemon. status is the HTTP status the daemon answered
// (404 for a missing container...), or 0 when the daemon could not be reached at all.
struct DockerError
{
    int status = 0;
    QString message;
};

// One HTTP exchange with the Docker daemon on its own unix-socket connection.
//
// Buffered calls keep the response body; streaming calls (logs, events, pull progress, hijacked
// exec/attach streams) hand it out through data() as it arrives. Calls are asynchronous on the
// event loop of the thread that owns them; waitForFinished() runs a local event loop for callers
// on worker threads (cluster creation), never on the GUI thread.
class DockerCall : public QObject
{
    Q_OBJECT
public:
    enum class Mode
    {
        Buffered,
        Streaming
    };

    DockerCall(const QString &socketPath, const QByteArray &method, const QByteArray &target,
               QObject *parent = nullptr);
    ~DockerCall() override;

    void setBody(const QByteArray &body, const QByteArray &contentType = "application/json");
    // Uploads `size` bytes read from `device` (not owned; must outlive the call), e.g. a rootfs
    // tar.
    void setUploadDevice(QIODevice *device, qint64 size, const QByteArray &contentType);
    void setMode(Mode mode) { m_mode = mode; }
    // Asks the daemon to hijack the connection (exec/attach): after the response headers the
    // socket carries the raw stream both ways.
    void setHijack(bool hijack) { m_hijack = hijack; }

    void start();
    void abort(const QString &reason);

    // Hijacked connections: bytes for the process's stdin, and end of stdin.
    void write(QByteArrayView data);
    void closeWrite();

    bool isFinished() const { return m_finished; }
    int status() const { return m_parser.statusCode(); }
    QByteArray header(QByteArrayView name) const { return m_parser.header(name); }
    QByteArray body() const { return m_body; }
    // Set when the daemon could not be reached, the exchange broke, or the status is >= 400
    // (with the daemon's own message).
    const std::optional<DockerError> &error() const { return m_error; }

    // Runs a local event loop until the call finishes, `msecs` pass (-1: no limit) or `cancel`
    // fires. Returns false if the call did not finish (it is then aborted with an error).
    bool waitForFinished(int msecs = -1, const core::CancelToken *cancel = nullptr);

Q_SIGNALS:
    void responseStarted();
    void data(const QByteArray &chunk);
    void finished();

private:
    void onConnected();
    void onReadyRead();
    void onDisconnected();
    void onSocketError(QLocalSocket::LocalSocketError error);
    void pumpUpload();
    void deliverBody();
    void finish(std::optional<DockerError> error = std::nullopt);

    QString m_socketPath;
    QByteArray m_method;
    QByteArray m_target;
    QByteArray m_body;
    QByteArray m_requestBody;
    QByteArray m_contentType;
    QPointer<QIODevice> m_upload;
    qint64 m_uploadSize = -1;
    qint64 m_uploaded = 0;
    Mode m_mode = Mode::Buffered;
    bool m_hijack = false;
    bool m_finished = false;
    bool m_aborted = false;
    QLocalSocket *m_socket = nullptr;
    HttpResponseParser m_parser;
    std::optional<DockerError> m_error;
};

// The daemon's message from an error body ({"message": "..."}), or the raw text.
QString daemonMessage(const QByteArray &body);

} // namespace timonel::docker
