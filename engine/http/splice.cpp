#include "splice.h"

#include <QSslSocket>

namespace timonel::http {

namespace {

constexpr qint64 kHighWater = 1024 * 1024;
constexpr qint64 kPiece = 64 * 1024;
// Bounded, so that an unread side leaves the rest in the kernel.
constexpr qint64 kSocketReadBuffer = 256 * 1024;

qint64 pending(const QTcpSocket *socket)
{
    const auto *tls = qobject_cast<const QSslSocket *>(socket);
    return socket->bytesToWrite() + (tls ? tls->encryptedBytesToWrite() : 0);
}

} // namespace

Splice::Splice(QTcpSocket *a, QTcpSocket *b, const QByteArray &pendingForA, QObject *parent)
    : QObject(parent), m_a(a), m_b(b)
{
    for (QTcpSocket *socket : {a, b}) {
        QTcpSocket *other = socket == a ? b : a;
        socket->setParent(this);
        socket->setReadBufferSize(kSocketReadBuffer);
        connect(socket, &QIODevice::readyRead, this,
                [this, socket, other] { pump(socket, other); });
        // Room in this side's send buffer: the other side may be read again.
        connect(socket, &QIODevice::bytesWritten, this,
                [this, socket, other] { pump(other, socket); });
        if (auto *tls = qobject_cast<QSslSocket *>(socket))
            connect(tls, &QSslSocket::encryptedBytesWritten, this,
                    [this, socket, other] { pump(other, socket); });
        connect(socket, &QAbstractSocket::disconnected, this, [this, socket] { closed(socket); });
    }
    if (!pendingForA.isEmpty())
        a->write(pendingForA);
    // Whatever both already hold was announced before this splice listened.
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (m_a && m_b) {
                pump(m_a, m_b);
                pump(m_b, m_a);
            }
            for (QTcpSocket *socket : {m_a.data(), m_b.data()}) {
                if (socket && socket->state() == QAbstractSocket::UnconnectedState)
                    closed(socket);
            }
        },
        Qt::QueuedConnection);
}

Splice::~Splice()
{
    for (QTcpSocket *socket : {m_a.data(), m_b.data()}) {
        if (socket) {
            socket->disconnect(this);
            socket->abort();
        }
    }
}

void Splice::pump(QTcpSocket *from, QTcpSocket *to, bool force)
{
    if (!from || !to)
        return;
    const bool open = to->state() == QAbstractSocket::ConnectedState;
    while (from->bytesAvailable() > 0 && (force || pending(to) < kHighWater)) {
        const QByteArray piece = from->read(kPiece);
        if (open)
            to->write(piece);
    }
}

void Splice::closed(QTcpSocket *side)
{
    bool &sideClosed = side == m_a ? m_aClosed : m_bClosed;
    if (m_done || sideClosed)
        return;
    sideClosed = true;
    QTcpSocket *other = side == m_a ? m_b : m_a;
    // What the closed side still had buffered is delivered before the other side closes.
    pump(side, other, true);
    if (other && other->state() != QAbstractSocket::UnconnectedState) {
        other->disconnectFromHost(); // once what it still has to send has left
        if (other->state() != QAbstractSocket::UnconnectedState)
            return;
    }
    m_done = true;
    Q_EMIT finished();
    deleteLater();
}

} // namespace timonel::http
