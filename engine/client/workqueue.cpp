#include "workqueue.h"

#include <QPointer>
#include <QTimer>

namespace timonel::client {

WorkQueue::Handler WorkQueue::retrying(std::function<void(const QString &key, RetryDone done)> sync)
{
    return [sync = std::move(sync)](const QString &key, Done done) {
        sync(key, [done = std::move(done)](bool retry) {
            done(retry ? Outcome::Retry : Outcome::Done);
        });
    };
}

WorkQueue::WorkQueue(Handler handler, int maxConcurrent, QObject *parent)
    : QObject(parent), m_handler(std::move(handler)), m_maxConcurrent(std::max(1, maxConcurrent))
{
}

WorkQueue::~WorkQueue() = default;

void WorkQueue::add(const QString &key)
{
    if (m_shutDown)
        return;
    if (m_processing.contains(key)) {
        m_dirty.insert(key);
        return;
    }
    if (m_queued.contains(key))
        return;
    m_queued.insert(key);
    m_queue.push_back(key);
    schedule();
}

void WorkQueue::addAfter(const QString &key, std::chrono::milliseconds delay)
{
    if (m_shutDown)
        return;
    if (delay <= std::chrono::milliseconds::zero())
        return add(key);
    QTimer::singleShot(delay, this, [this, key] { add(key); });
}

void WorkQueue::addRateLimited(const QString &key)
{
    const int failures = m_failures.value(key);
    m_failures[key] = failures + 1;
    // Doubling, capped: 2^failures overflows long before any sane limit, so cap the shift.
    const std::chrono::milliseconds delay =
        std::min(m_maxDelay, std::chrono::milliseconds(m_baseDelay.count() *
                                                       (qint64(1) << std::min(failures, 30))));
    addAfter(key, delay);
}

void WorkQueue::forget(const QString &key)
{
    m_failures.remove(key);
}

void WorkQueue::setBackoffLimits(std::chrono::milliseconds base, std::chrono::milliseconds max)
{
    m_baseDelay = base;
    m_maxDelay = max;
}

void WorkQueue::shutDown()
{
    m_shutDown = true;
    m_queue.clear();
    m_queued.clear();
    m_dirty.clear();
}

void WorkQueue::schedule()
{
    if (m_scheduled)
        return;
    m_scheduled = true;
    // Batches the adds of one event-loop turn (an informer's relist adds many at once).
    QTimer::singleShot(0, this, [this] {
        m_scheduled = false;
        dispatch();
    });
}

void WorkQueue::dispatch()
{
    while (!m_shutDown && !m_queue.empty() && m_processing.size() < m_maxConcurrent) {
        const QString key = m_queue.front();
        m_queue.pop_front();
        m_queued.remove(key);
        m_processing.insert(key);
        auto called = std::make_shared<bool>(false);
        m_handler(key, [guard = QPointer<WorkQueue>(this), key, called](Outcome outcome) {
            if (!guard || std::exchange(*called, true))
                return;
            guard->finished(key, outcome);
        });
    }
}

void WorkQueue::finished(const QString &key, Outcome outcome)
{
    m_processing.remove(key);
    if (m_shutDown)
        return;
    if (outcome == Outcome::Done)
        forget(key);
    else
        addRateLimited(key);
    if (m_dirty.remove(key))
        add(key);
    schedule();
}

} // namespace timonel::client
