#include "dockercall.h"

#include "core/canceltoken.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QIODevice>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTimer>

#include <sys/socket.h>

Q_LOGGING_CATEGORY(lcDocker, "timonel.docker", QtInfoMsg)

namespace timonel::docker {

namespace {
constexpr qint64 UploadPiece = 1 << 20;
}

QString daemonMessage(const QByteArray &body)
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (doc.isObject()) {
        const QString message = doc.object().value(QLatin1String("message")).toString();
        if (!message.isEmpty())
            return message;
    }
    return QString::fromUtf8(body).trimmed();
}

DockerCall::DockerCall(const QString &socketPath, const QByteArray &method,
                       const QByteArray &target, QObject *parent)
    : QObject(parent), m_socketPath(socketPath), m_method(method), m_target(target)
{
}

DockerCall::~DockerCall()
{
    if (m_socket)
        m_socket->abort();
}

void DockerCall::setBody(const QByteArray &body, const QByteArray &contentType)
{
    m_requestBody = body;
    m_contentType = contentType;
}

void DockerCall::setUploadDevice(QIODevice *device, qint64 size, const QByteArray &contentType)
{
    m_upload = device;
    m_uploadSize = size;
    m_contentType = contentType;
}

void DockerCall::start()
{
    qCDebug(lcDocker) << m_method << m_target;
    m_socket = new QLocalSocket(this);
    connect(m_socket, &QLocalSocket::connected, this, &DockerCall::onConnected);
    connect(m_socket, &QLocalSocket::readyRead, this, &DockerCall::onReadyRead);
    connect(m_socket, &QLocalSocket::disconnected, this, &DockerCall::onDisconnected);
    connect(m_socket, &QLocalSocket::errorOccurred, this, &DockerCall::onSocketError);
    connect(m_socket, &QLocalSocket::bytesWritten, this, &DockerCall::pumpUpload);
    if (m_method == "HEAD")
        m_parser.setNoBody(true);
    m_socket->connectToServer(m_socketPath);
}

void DockerCall::onConnected()
{
    QList<std::pair<QByteArray, QByteArray>> headers;
    headers.append(std::pair<QByteArray, QByteArray>("User-Agent", "timonel/" TIMONEL_VERSION));
    if (!m_contentType.isEmpty())
        headers.append(std::pair<QByteArray, QByteArray>("Content-Type", m_contentType));
    if (m_hijack) {
        headers.append(std::pair<QByteArray, QByteArray>("Connection", "Upgrade"));
        headers.append(std::pair<QByteArray, QByteArray>("Upgrade", "tcp"));
    }
    if (m_upload) {
        headers.append(
            std::pair<QByteArray, QByteArray>("Content-Length", QByteArray::number(m_uploadSize)));
        m_socket->write(buildRequest(m_method, m_target, headers, {}));
        pumpUpload();
        return;
    }
    m_socket->write(buildRequest(m_method, m_target, headers, m_requestBody));
}

void DockerCall::pumpUpload()
{
    // Keep at most one piece queued so a large rootfs never sits whole in memory.
    if (!m_upload || m_finished || m_uploaded >= m_uploadSize)
        return;
    if (m_socket->bytesToWrite() > UploadPiece)
        return;
    const QByteArray piece = m_upload->read(std::min(UploadPiece, m_uploadSize - m_uploaded));
    if (piece.isEmpty()) {
        finish(DockerError{
            0, tr("could not read the data to upload: %1").arg(m_upload->errorString())});
        return;
    }
    m_uploaded += piece.size();
    m_socket->write(piece);
}

void DockerCall::onReadyRead()
{
    const bool hadHeaders = m_parser.headersComplete();
    if (!m_parser.feed(m_socket->readAll())) {
        finish(DockerError{0, tr("bad answer from Docker: %1").arg(m_parser.errorString())});
        return;
    }
    if (!hadHeaders && m_parser.headersComplete())
        Q_EMIT responseStarted();
    deliverBody();
    if (m_parser.isComplete())
        finish();
}

void DockerCall::deliverBody()
{
    if (!m_parser.headersComplete())
        return;
    QByteArray chunk = m_parser.takeBody();
    if (chunk.isEmpty())
        return;
    // Errors are always buffered so that their message can be reported.
    if (m_mode == Mode::Streaming && m_parser.statusCode() < 400)
        Q_EMIT data(chunk);
    else
        m_body.append(chunk);
}

void DockerCall::onDisconnected()
{
    if (m_finished)
        return;
    m_parser.connectionClosed();
    deliverBody();
    if (m_parser.isComplete())
        finish();
    else if (!m_parser.headersComplete())
        finish(DockerError{0, tr("Docker closed the connection without answering")});
    else
        finish(DockerError{
            0, tr("Docker closed the connection early: %1").arg(m_parser.errorString())});
}

void DockerCall::onSocketError(QLocalSocket::LocalSocketError error)
{
    if (m_finished)
        return;
    if (error == QLocalSocket::PeerClosedError) {
        onDisconnected();
        return;
    }
    if (m_parser.headersComplete()) {
        onDisconnected();
        return;
    }
    finish(DockerError{0, tr("Docker is not running at %1 (%2). Start it with "
                             "\"sudo systemctl start docker\" or \"sudo dockerd &\".")
                              .arg(m_socketPath, m_socket->errorString())});
}

void DockerCall::write(QByteArrayView data)
{
    if (m_socket && !m_finished)
        m_socket->write(data.data(), data.size());
}

void DockerCall::closeWrite()
{
    if (!m_socket || m_finished)
        return;
    m_socket->flush();
    // QLocalSocket has no half-close; the daemon needs one to see the end of stdin.
    ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
}

void DockerCall::abort(const QString &reason)
{
    if (m_finished)
        return;
    m_aborted = true;
    finish(DockerError{0, reason});
}

void DockerCall::finish(std::optional<DockerError> error)
{
    if (m_finished)
        return;
    m_finished = true;
    if (!error && m_parser.statusCode() >= 400)
        error = DockerError{m_parser.statusCode(), daemonMessage(m_body)};
    m_error = error;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
    if (m_error)
        qCDebug(lcDocker) << m_method << m_target << "failed:" << m_error->status
                          << m_error->message;
    Q_EMIT finished();
}

bool DockerCall::waitForFinished(int msecs, const core::CancelToken *cancel)
{
    if (m_finished)
        return true;
    QEventLoop loop;
    connect(this, &DockerCall::finished, &loop, &QEventLoop::quit);
    QTimer timer;
    if (msecs >= 0) {
        timer.setSingleShot(true);
        connect(&timer, &QTimer::timeout, &loop, [this] {
            abort(tr("Docker did not answer %1 %2 in time")
                      .arg(QString::fromLatin1(m_method), QString::fromLatin1(m_target)));
        });
        timer.start(msecs);
    }
    if (cancel) {
        connect(
            cancel, &core::CancelToken::cancelled, &loop, [this] { abort(tr("cancelled")); },
            Qt::QueuedConnection);
        if (cancel->isCancelled())
            abort(tr("cancelled"));
    }
    if (!m_finished)
        loop.exec(QEventLoop::ExcludeUserInputEvents);
    return !m_aborted;
}

} // namespace timonel::docker
