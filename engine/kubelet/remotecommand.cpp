#include "remotecommand.h"

#include "containerstream.h"

#include "docker/multiplexedstream.h"
#include "http/httpserver.h"
#include "http/spdyconnection.h"
#include "http/websocket.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

#include <optional>

using namespace Qt::StringLiterals;

namespace timonel::kubelet {

Q_DECLARE_LOGGING_CATEGORY(lcKubeletServer)

namespace {

// Output waits in the client's socket up to this much before Docker is no longer read, and
// stdin in Docker's socket before the client is no longer read.
constexpr qint64 kHighWater = 1024 * 1024;
constexpr qint64 kLowWater = 256 * 1024;
// How long a SPDY client has to open its streams (the kubelet's streamCreationTimeout).
constexpr int kStreamCreationTimeoutMs = 30000;

enum Channel : int
{
    StdinChannel = 0,
    StdoutChannel = 1,
    StderrChannel = 2,
    ErrorChannel = 3,
    ResizeChannel = 4,
    // v5: a message [255, n] says channel n is closed.
    CloseSignal = 255,
};

bool queryFlag(const QUrlQuery &query, const QString &key)
{
    return query.queryItemValue(key, QUrl::FullyDecoded) == u"1";
}

QString goStringSlice(const QStringList &items)
{
    return u'[' + items.join(u' ') + u']';
}

QString statusText(const QJsonObject &status)
{
    return status.value(u"message").toString();
}

class RemoteCommandSession;

// The client's end of the command, whatever carries it.
class CommandChannels : public QObject
{
public:
    explicit CommandChannels(RemoteCommandSession *session);
    virtual void writeOutput(int channel, const QByteArray &data) = 0;
    // Reports the end and closes the connection.
    virtual void finish(const QJsonObject &status) = 0;
    virtual qint64 pendingBytes() const = 0;
    virtual void setInputPaused(bool paused) = 0;

protected:
    void resizeData(const QByteArray &data);

    RemoteCommandSession *m_session;
    QByteArray m_resizeBuffer;
};

class RemoteCommandSession : public QObject
{
public:
    RemoteCommandSession(RemoteCommandTarget target, RemoteCommandOptions options, QObject *parent)
        : QObject(parent), m_target(std::move(target)), m_options(options)
    {
    }

    void setChannels(CommandChannels *channels) { m_channels = channels; }

    void onReady();
    void onInput(const QByteArray &data);
    void onInputClosed();
    void onResize(int width, int height);
    void onDrained();
    void onGone();

private:
    void startStream(const QByteArray &target, const QByteArray &body);
    void onOutput(const QByteArray &data);
    void onStreamFinished();
    void inspectExec(int attempt);
    void applyResize();
    void done(const QJsonObject &status);
    QString failurePrefix() const
    {
        return m_target.attach ? u"error attaching to container: "_s
                               : u"error executing command in container: "_s;
    }
    bool rawOutput() const { return m_target.attach ? m_target.containerTty : m_options.tty; }

    RemoteCommandTarget m_target;
    RemoteCommandOptions m_options;
    CommandChannels *m_channels = nullptr;
    ContainerStream *m_stream = nullptr;
    QString m_execId;
    docker::MultiplexedStreamDecoder m_decoder;
    QString m_systemError;
    QByteArray m_pendingInput;
    bool m_inputClosed = false;
    std::optional<std::pair<int, int>> m_size;
    bool m_started = false;
    bool m_finished = false;
};

CommandChannels::CommandChannels(RemoteCommandSession *session)
    : QObject(session), m_session(session)
{
}

// Terminal sizes come as a stream of JSON objects: {"Width":80,"Height":24}.
void CommandChannels::resizeData(const QByteArray &data)
{
    m_resizeBuffer.append(data);
    qsizetype end;
    while ((end = m_resizeBuffer.indexOf('}')) >= 0) {
        const QJsonObject size = QJsonDocument::fromJson(m_resizeBuffer.left(end + 1)).object();
        m_resizeBuffer.remove(0, end + 1);
        if (!size.isEmpty())
            m_session->onResize(size.value(u"Width").toInt(), size.value(u"Height").toInt());
    }
    if (m_resizeBuffer.size() > 4096)
        m_resizeBuffer.clear(); // not a size: drop it rather than grow
}

// WebSocket channels: each binary message starts with its channel byte (base64 protocols: a
// digit, and the payload base64-encoded in a text message).
class WebSocketChannels : public CommandChannels
{
public:
    WebSocketChannels(http::WebSocket *socket, const QByteArray &protocol,
                      const RemoteCommandOptions &options, RemoteCommandSession *session)
        : CommandChannels(session), m_socket(socket), m_base64(protocol.contains("base64")),
          m_v5(protocol == "v5.channel.k8s.io"),
          m_jsonStatus(protocol.startsWith("v4.") || protocol.startsWith("v5.")), m_options(options)
    {
        socket->setParent(this);
        connect(socket, &http::WebSocket::binaryMessageReceived, this,
                [this](const QByteArray &m) { onMessage(m); });
        connect(socket, &http::WebSocket::textMessageReceived, this,
                [this](const QByteArray &m) { onMessage(m); });
        connect(socket, &http::WebSocket::bytesWritten, this, [this] { m_session->onDrained(); });
        connect(socket, &http::WebSocket::disconnected, this, [this] { m_session->onGone(); });
        // An empty message on the lowest writable channel tells the client the streams are up.
        send(options.stdoutStream   ? StdoutChannel
             : options.stderrStream ? StderrChannel
                                    : ErrorChannel,
             {});
        QMetaObject::invokeMethod(
            this, [this] { m_session->onReady(); }, Qt::QueuedConnection);
    }

    void writeOutput(int channel, const QByteArray &data) override { send(channel, data); }

    void finish(const QJsonObject &status) override
    {
        const bool success = status.value(u"status").toString() == u"Success";
        if (m_jsonStatus)
            send(ErrorChannel, QJsonDocument(status).toJson(QJsonDocument::Compact));
        else if (!success)
            send(ErrorChannel, statusText(status).toUtf8());
        m_socket->close(http::websocket::NormalClosure);
    }

    qint64 pendingBytes() const override { return m_socket->bytesToWrite(); }
    void setInputPaused(bool paused) override { m_socket->setReadingPaused(paused); }

private:
    void send(int channel, const QByteArray &data)
    {
        if (m_base64)
            m_socket->sendText(QByteArray(1, char('0' + channel)) + data.toBase64());
        else
            m_socket->sendBinary(QByteArray(1, char(channel)) + data);
    }

    void onMessage(const QByteArray &message)
    {
        if (message.isEmpty())
            return;
        int channel = quint8(message[0]);
        QByteArray payload = message.mid(1);
        if (m_base64) {
            channel -= '0';
            payload = QByteArray::fromBase64(payload);
        }
        if (channel == StdinChannel && m_options.stdinStream)
            m_session->onInput(payload);
        else if (channel == ResizeChannel)
            resizeData(payload);
        else if (m_v5 && channel == CloseSignal && payload.startsWith(char(StdinChannel)))
            m_session->onInputClosed();
    }

    http::WebSocket *m_socket;
    bool m_base64;
    bool m_v5;
    bool m_jsonStatus;
    RemoteCommandOptions m_options;
};

// SPDY streams: the client opens one stream per channel, named by its streamType header.
class SpdyChannels : public CommandChannels
{
public:
    SpdyChannels(QTcpSocket *socket, const QByteArray &protocol,
                 const RemoteCommandOptions &options, RemoteCommandSession *session)
        : CommandChannels(session),
          m_connection(new http::spdy::Connection(socket, http::spdy::Session::Role::Server, this))
    {
        // "v5.channel.k8s.io" -> 5 ... "channel.k8s.io" and none -> 1.
        m_version = protocol.startsWith('v') ? protocol.mid(1, 1).toInt() : 1;
        m_expected = 1 + options.stdinStream + options.stdoutStream + options.stderrStream +
                     (options.tty && m_version >= 3);
        http::spdy::Session &spdy = m_connection->session();
        connect(m_connection, &http::spdy::Connection::disconnected, this,
                [this] { m_session->onGone(); });
        connect(m_connection, &http::spdy::Connection::bytesWritten, this,
                [this] { m_session->onDrained(); });
        connect(&spdy, &http::spdy::Session::streamOpened, this, &SpdyChannels::onStream);
        connect(&spdy, &http::spdy::Session::dataReceived, this,
                [this](quint32 id, const QByteArray &data) {
                    if (id == m_stdin)
                        m_session->onInput(data);
                    else if (id == m_resize)
                        resizeData(data);
                });
        connect(&spdy, &http::spdy::Session::remoteFinished, this, [this](quint32 id) {
            if (id == m_stdin)
                m_session->onInputClosed();
        });
        connect(&spdy, &http::spdy::Session::protocolError, this, [this](const QString &e) {
            qCDebug(lcKubeletServer) << "SPDY protocol error:" << e;
            m_connection->abort();
        });
        connect(&spdy, &http::spdy::Session::goAwayReceived, m_connection,
                &http::spdy::Connection::close);
        m_timeout.setSingleShot(true);
        connect(&m_timeout, &QTimer::timeout, this, [this] {
            qCDebug(lcKubeletServer) << "timed out waiting for client to create streams";
            m_connection->abort();
        });
        m_timeout.start(kStreamCreationTimeoutMs);
    }

    void writeOutput(int channel, const QByteArray &data) override
    {
        if (const quint32 id = channel == StdoutChannel ? m_stdout : m_stderr)
            m_connection->session().sendData(id, data);
    }

    void finish(const QJsonObject &status) override
    {
        http::spdy::Session &spdy = m_connection->session();
        for (quint32 id : {m_stdout, m_stderr, m_stdin, m_resize}) {
            if (id)
                spdy.finish(id);
        }
        const bool success = status.value(u"status").toString() == u"Success";
        if (m_error) {
            if (m_version >= 4)
                spdy.sendData(m_error, QJsonDocument(status).toJson(QJsonDocument::Compact));
            else if (!success)
                spdy.sendData(m_error, statusText(status).toUtf8());
            spdy.finish(m_error);
        }
        m_connection->close();
    }

    qint64 pendingBytes() const override { return m_connection->bytesToWrite(); }
    void setInputPaused(bool paused) override { m_connection->setReadingPaused(paused); }

private:
    void onStream(quint32 id, const http::spdy::HeaderBlock &headers)
    {
        const QByteArray type = http::spdy::headerValue(headers, "streamtype");
        if (type == "error")
            m_error = id;
        else if (type == "stdin")
            m_stdin = id;
        else if (type == "stdout")
            m_stdout = id;
        else if (type == "stderr")
            m_stderr = id;
        else if (type == "resize")
            m_resize = id;
        else
            qCDebug(lcKubeletServer) << "unexpected stream type:" << type;
        m_connection->session().reply(id);
        if (++m_received == m_expected) {
            m_timeout.stop();
            m_session->onReady();
        }
    }

    http::spdy::Connection *m_connection;
    QTimer m_timeout;
    int m_version = 1;
    int m_expected = 1;
    int m_received = 0;
    quint32 m_error = 0, m_stdin = 0, m_stdout = 0, m_stderr = 0, m_resize = 0;
};

void RemoteCommandSession::onReady()
{
    if (m_started || m_finished)
        return;
    m_started = true;
    if (m_target.attach) {
        const QByteArray target = "/containers/" + m_target.containerId.toUtf8() +
                                  "/attach?stream=1&stdin=" + (m_options.stdinStream ? "1" : "0") +
                                  "&stdout=" + (m_options.stdoutStream ? "1" : "0") +
                                  "&stderr=" + (m_options.stderrStream ? "1" : "0");
        return startStream(target, {});
    }
    const QJsonObject config{{u"AttachStdin"_s, m_options.stdinStream},
                             {u"AttachStdout"_s, m_options.stdoutStream},
                             {u"AttachStderr"_s, m_options.stderrStream},
                             {u"Tty"_s, m_options.tty},
                             {u"Cmd"_s, QJsonArray::fromStringList(m_target.command)}};
    callDocker(m_target.dockerSocket, "POST", u"/containers/%1/exec"_s.arg(m_target.containerId),
               QJsonDocument(config).toJson(QJsonDocument::Compact), this,
               [this](const docker::DockerCall &call) {
                   if (call.error())
                       return done(internalErrorStatus(failurePrefix() + call.error()->message));
                   m_execId = QJsonDocument::fromJson(call.body()).object().value(u"Id").toString();
                   const QJsonObject start{{u"Detach"_s, false}, {u"Tty"_s, m_options.tty}};
                   startStream("/exec/" + m_execId.toUtf8() + "/start",
                               QJsonDocument(start).toJson(QJsonDocument::Compact));
               });
}

void RemoteCommandSession::startStream(const QByteArray &target, const QByteArray &body)
{
    m_stream = new ContainerStream(m_target.dockerSocket, "POST", target, this);
    m_stream->setBody(body);
    m_stream->setHijack(true);
    connect(m_stream, &ContainerStream::established, this, [this] {
        if (!m_pendingInput.isEmpty())
            m_stream->write(std::exchange(m_pendingInput, {}));
        if (m_inputClosed)
            m_stream->closeWrite();
        applyResize();
    });
    connect(m_stream, &ContainerStream::data, this, &RemoteCommandSession::onOutput);
    connect(m_stream, &ContainerStream::bytesWritten, this, [this] {
        if (m_stream->bytesToWrite() < kLowWater)
            m_channels->setInputPaused(false);
    });
    connect(m_stream, &ContainerStream::finished, this, &RemoteCommandSession::onStreamFinished);
    m_stream->start();
}

void RemoteCommandSession::onOutput(const QByteArray &data)
{
    if (m_finished)
        return;
    if (rawOutput()) {
        m_channels->writeOutput(StdoutChannel, data);
    } else {
        for (const auto &frame : m_decoder.feed(data)) {
            if (frame.stream == docker::SystemErrorStream)
                m_systemError += QString::fromUtf8(frame.payload).trimmed();
            else if (frame.stream == docker::StdoutStream || frame.stream == docker::StderrStream)
                m_channels->writeOutput(frame.stream, frame.payload);
        }
    }
    if (m_channels->pendingBytes() > kHighWater)
        m_stream->setReadingPaused(true);
}

void RemoteCommandSession::onDrained()
{
    if (m_stream && m_channels && m_channels->pendingBytes() < kLowWater)
        m_stream->setReadingPaused(false);
}

void RemoteCommandSession::onInput(const QByteArray &data)
{
    if (m_inputClosed || m_finished)
        return;
    if (m_stream && m_stream->isEstablished()) {
        m_stream->write(data);
        if (m_stream->bytesToWrite() > kHighWater)
            m_channels->setInputPaused(true);
    } else {
        m_pendingInput.append(data);
        if (m_pendingInput.size() > kHighWater)
            m_channels->setInputPaused(true);
    }
}

void RemoteCommandSession::onInputClosed()
{
    if (m_inputClosed)
        return;
    m_inputClosed = true;
    if (m_stream && m_stream->isEstablished())
        m_stream->closeWrite();
}

void RemoteCommandSession::onResize(int width, int height)
{
    if (width <= 0 || height <= 0)
        return;
    m_size = {width, height};
    if (m_stream && m_stream->isEstablished())
        applyResize();
}

void RemoteCommandSession::applyResize()
{
    if (!m_size || m_finished)
        return;
    const QString path = m_target.attach
                             ? u"/containers/%1/resize?h=%2&w=%3"_s.arg(m_target.containerId)
                             : u"/exec/%1/resize?h=%2&w=%3"_s.arg(m_execId);
    callDocker(m_target.dockerSocket, "POST", path.arg(m_size->second).arg(m_size->first), {}, this,
               [](const docker::DockerCall &call) {
                   if (call.error())
                       qCDebug(lcKubeletServer) << "resize failed:" << call.error()->message;
               });
    m_size.reset();
}

void RemoteCommandSession::onStreamFinished()
{
    if (m_finished)
        return;
    if (m_stream->hasError())
        return done(internalErrorStatus(failurePrefix() + m_stream->errorString()));
    if (!m_systemError.isEmpty())
        return done(internalErrorStatus(failurePrefix() + m_systemError));
    if (m_target.attach)
        return done(QJsonObject{{u"metadata"_s, QJsonObject()}, {u"status"_s, u"Success"_s}});
    inspectExec(0);
}

void RemoteCommandSession::inspectExec(int attempt)
{
    callDocker(m_target.dockerSocket, "GET", u"/exec/%1/json"_s.arg(m_execId), {}, this,
               [this, attempt](const docker::DockerCall &call) {
                   if (call.error())
                       return done(internalErrorStatus(failurePrefix() + call.error()->message));
                   const QJsonObject exec = QJsonDocument::fromJson(call.body()).object();
                   // The stream can end a moment before the daemon records the exit code.
                   if (exec.value(u"Running").toBool() && attempt < 100) {
                       QTimer::singleShot(20, this, [this, attempt] { inspectExec(attempt + 1); });
                       return;
                   }
                   done(exitStatus(m_target.command, exec.value(u"ExitCode").toInt(-1)));
               });
}

void RemoteCommandSession::done(const QJsonObject &status)
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_stream) {
        m_stream->disconnect(this);
        m_stream->deleteLater();
        m_stream = nullptr;
    }
    m_channels->finish(status);
}

void RemoteCommandSession::onGone()
{
    // The client went away (or the connection closed after the status): nothing more to do;
    // the process of an exec keeps running, as with the kubelet.
    if (m_stream) {
        m_stream->disconnect(this);
        m_stream->deleteLater();
        m_stream = nullptr;
    }
    m_finished = true;
    deleteLater();
}

} // namespace

std::expected<RemoteCommandOptions, QString> remoteCommandOptions(const QUrlQuery &query)
{
    RemoteCommandOptions options;
    options.tty = queryFlag(query, u"tty"_s);
    options.stdinStream = queryFlag(query, u"input"_s) || queryFlag(query, u"stdin"_s);
    options.stdoutStream = queryFlag(query, u"output"_s) || queryFlag(query, u"stdout"_s);
    options.stderrStream = queryFlag(query, u"error"_s) || queryFlag(query, u"stderr"_s);
    if (options.tty)
        options.stderrStream = false;
    if (!options.stdinStream && !options.stdoutStream && !options.stderrStream)
        return std::unexpected(u"you must specify at least 1 of stdin, stdout, stderr"_s);
    return options;
}

QJsonObject exitStatus(const QStringList &command, int exitCode)
{
    if (exitCode == 0)
        return {{u"metadata"_s, QJsonObject()}, {u"status"_s, u"Success"_s}};
    const QString code = QString::number(exitCode);
    return {{u"metadata"_s, QJsonObject()},
            {u"status"_s, u"Failure"_s},
            {u"message"_s, u"command terminated with non-zero exit code: error executing command "
                           "%1, exit code %2"_s.arg(goStringSlice(command), code)},
            {u"reason"_s, u"NonZeroExitCode"_s},
            {u"details"_s,
             QJsonObject{{u"causes"_s, QJsonArray{QJsonObject{{u"reason"_s, u"ExitCode"_s},
                                                              {u"message"_s, code}}}}}}};
}

QJsonObject internalErrorStatus(const QString &message)
{
    return {{u"metadata"_s, QJsonObject()},
            {u"status"_s, u"Failure"_s},
            {u"message"_s, u"Internal error occurred: "_s + message},
            {u"reason"_s, u"InternalError"_s},
            {u"details"_s,
             QJsonObject{{u"causes"_s, QJsonArray{QJsonObject{{u"message"_s, message}}}}}},
            {u"code"_s, 500}};
}

void serveRemoteCommand(http::HttpExchange *exchange, const RemoteCommandTarget &target,
                        const RemoteCommandOptions &options, QObject *parent)
{
    auto *session = new RemoteCommandSession(target, options, parent);
    QByteArray protocol;
    if (http::websocket::isUpgradeRequest(exchange->request())) {
        static const QList<QByteArray> protocols{"v5.channel.k8s.io",        "v4.channel.k8s.io",
                                                 "v4.base64.channel.k8s.io", "channel.k8s.io",
                                                 "base64.channel.k8s.io",    ""};
        http::WebSocket *socket = http::acceptWebSocket(exchange, protocols, &protocol);
        if (!socket) {
            delete session;
            return;
        }
        session->setChannels(new WebSocketChannels(socket, protocol, options, session));
        return;
    }
    static const QList<QByteArray> protocols{"v5.channel.k8s.io", "v4.channel.k8s.io",
                                             "v3.channel.k8s.io", "v2.channel.k8s.io",
                                             "channel.k8s.io"};
    QTcpSocket *socket = http::spdy::acceptUpgrade(exchange, protocols, &protocol);
    if (!socket) {
        delete session;
        return;
    }
    session->setChannels(new SpdyChannels(socket, protocol, options, session));
}

} // namespace timonel::kubelet
