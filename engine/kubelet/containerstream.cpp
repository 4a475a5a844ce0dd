#include "containerstream.h"

#include <QLoggingCategory>

#include <sys/socket.h>

namespace timonel::kubelet {

Q_DECLARE_LOGGING_CATEGORY(lcKubeletServer)

namespace {
constexpr qint64 kReadChunk = 256 * 1024;
// Bounded so that a paused reader leaves the rest with the daemon.
constexpr qint64 kSocketReadBuffer = 256 * 1024;
} // namespace

ContainerStream::ContainerStream(QString socketPath, QByteArray method, QByteArray target,
                                 QObject *parent)
    : QObject(parent), m_socketPath(std::move(socketPath)), m_method(std::move(method)),
      m_target(std::move(target))
{
}

ContainerStream::~ContainerStream()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void ContainerStream::start()
{
    m_socket = new QLocalSocket(this);
    m_socket->setReadBufferSize(kSocketReadBuffer);
    connect(m_socket, &QLocalSocket::connected, this, &ContainerStream::onConnected);
    connect(m_socket, &QLocalSocket::readyRead, this, &ContainerStream::onReadyRead);
    connect(m_socket, &QLocalSocket::disconnected, this, &ContainerStream::onDisconnected);
    connect(m_socket, &QLocalSocket::bytesWritten, this, &ContainerStream::onBytesWritten);
    connect(m_socket, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError e) {
        if (e == QLocalSocket::PeerClosedError || m_parser.headersComplete())
            onDisconnected();
        else
            finish(QStringLiteral("cannot reach Docker at %1: %2")
                       .arg(m_socketPath, m_socket->errorString()));
    });
    m_socket->connectToServer(m_socketPath);
}

void ContainerStream::onConnected()
{
    QList<std::pair<QByteArray, QByteArray>> headers;
    if (!m_body.isEmpty() || m_method == "POST")
        headers.emplaceBack("Content-Type", "application/json");
    if (m_hijack) {
        headers.emplaceBack("Connection", "Upgrade");
        headers.emplaceBack("Upgrade", "tcp");
    }
    m_socket->write(docker::buildRequest(m_method, m_target, headers, m_body));
}

void ContainerStream::onReadyRead()
{
    while (m_socket && !m_paused && !m_finished && m_socket->bytesAvailable() > 0) {
        const bool hadHeaders = m_parser.headersComplete();
        if (!m_parser.feed(m_socket->read(kReadChunk)))
            return finish(QStringLiteral("bad answer from Docker: %1").arg(m_parser.errorString()));
        if (!hadHeaders && m_parser.headersComplete() && m_parser.statusCode() < 400) {
            m_established = true;
            Q_EMIT established();
        }
        deliver();
        if (m_parser.isComplete())
            return finish();
    }
}

void ContainerStream::deliver()
{
    if (!m_parser.headersComplete())
        return;
    QByteArray chunk = m_parser.takeBody();
    if (chunk.isEmpty())
        return;
    if (m_parser.statusCode() >= 400)
        m_errorBody.append(chunk);
    else
        Q_EMIT data(chunk);
}

void ContainerStream::onDisconnected()
{
    if (m_finished || !m_socket)
        return;
    // What is still buffered belongs to the answer, paused or not.
    m_paused = false;
    onReadyRead();
    if (m_finished)
        return;
    m_parser.connectionClosed();
    deliver();
    if (m_parser.isComplete())
        finish();
    else
        finish(
            QStringLiteral("Docker closed the connection early: %1").arg(m_parser.errorString()));
}

void ContainerStream::finish(const QString &error)
{
    if (m_finished)
        return;
    m_finished = true;
    m_error = error;
    if (m_error.isEmpty() && m_parser.statusCode() >= 400)
        m_error = docker::daemonMessage(m_errorBody);
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    if (!m_error.isEmpty())
        qCDebug(lcKubeletServer) << m_method << m_target << "failed:" << m_error;
    Q_EMIT finished();
}

void ContainerStream::write(QByteArrayView data)
{
    if (m_socket && !m_finished && !m_writeClosed && !m_closeWritePending)
        m_socket->write(data.data(), data.size());
}

void ContainerStream::closeWrite()
{
    if (!m_socket || m_finished || m_writeClosed)
        return;
    m_closeWritePending = true;
    onBytesWritten();
}

void ContainerStream::onBytesWritten()
{
    if (m_closeWritePending && m_socket && m_socket->bytesToWrite() == 0) {
        m_closeWritePending = false;
        m_writeClosed = true;
        // QLocalSocket has no half-close; the daemon needs one to see the end of stdin.
        ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
    }
    Q_EMIT bytesWritten();
}

qint64 ContainerStream::bytesToWrite() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

void ContainerStream::setReadingPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (!paused)
        QMetaObject::invokeMethod(this, &ContainerStream::onReadyRead, Qt::QueuedConnection);
}

void callDocker(const QString &socketPath, const QByteArray &method, const QString &path,
                const QByteArray &jsonBody, QObject *context,
                std::function<void(const docker::DockerCall &call)> done)
{
    auto *call = new docker::DockerCall(socketPath, method, path.toUtf8(), context);
    if (!jsonBody.isEmpty() || method == "POST")
        call->setBody(jsonBody);
    QObject::connect(call, &docker::DockerCall::finished, call, [call, done = std::move(done)] {
        call->deleteLater();
        done(*call);
    });
    call->start();
}

} // namespace timonel::kubelet
