#pragma once

#include <QObject>

#include <atomic>

namespace timonel::core {

// A request to stop long work, settable from any thread (a Cancel button, Ctrl-C).
// Waiters either poll isCancelled() between steps or connect to cancelled() to abort
// what is in flight; the signal is emitted in the thread that calls cancel().
class CancelToken : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    bool isCancelled() const { return m_cancelled.load(); }
    void cancel()
    {
        if (!m_cancelled.exchange(true))
            Q_EMIT cancelled();
    }

Q_SIGNALS:
    void cancelled();

private:
    std::atomic_bool m_cancelled{false};
};

} // namespace timonel::core
