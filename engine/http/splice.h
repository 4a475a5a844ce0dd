// Two connections joined: what one receives the other sends, both ways, until either closes
// (then the other is closed once what it still had to send has left). Used by the API server to
// relay exec, attach, port-forward and log streams to and from node agents.
//
// Bytes move in pieces straight from one socket's buffer to the other's, and a side is read only
// while the other has less than a bounded amount waiting to be sent, so a slow reader slows the
// writer through TCP instead of filling memory.
#pragma once

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>

namespace timonel::http {

class Splice : public QObject
{
    Q_OBJECT
public:
    // Takes both sockets. `pendingForA` was already read from `b` and goes to `a` first.
    Splice(QTcpSocket *a, QTcpSocket *b, const QByteArray &pendingForA = {},
           QObject *parent = nullptr);
    ~Splice() override;

Q_SIGNALS:
    // Both sides are closed; the splice deletes itself right after.
    void finished();

private:
    void pump(QTcpSocket *from, QTcpSocket *to, bool force = false);
    void closed(QTcpSocket *side);

    QPointer<QTcpSocket> m_a;
    QPointer<QTcpSocket> m_b;
    bool m_aClosed = false;
    bool m_bClosed = false;
    bool m_done = false;
};

} // namespace timonel::http
