// A controller's work queue, as client-go's rate-limited workqueue: it holds keys ("ns/name"),
// not events, so a key queued several times before it is processed is processed once; a key is
// never processed twice at once (queued again while being processed, it is processed again
// afterwards); failures are retried with per-key exponential back-off (5 ms doubling up to a
// limit). Handlers run on the event loop and report when their asynchronous work is done.
#pragma once

#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>

#include <chrono>
#include <deque>
#include <functional>

class QTimer;

namespace timonel::client {

class WorkQueue : public QObject
{
    Q_OBJECT
public:
    enum class Outcome
    {
        Done,  // forget the key's back-off
        Retry, // process the key again after its back-off
    };
    using Done = std::function<void(Outcome)>;
    // Called once per dequeued key; must call `done` exactly once, now or later.
    using Handler = std::function<void(const QString &key, Done done)>;

    // A Handler for the many syncs that only tell whether to retry: done(true) retries the key
    // after its back-off, done(false) forgets the back-off.
    using RetryDone = std::function<void(bool retry)>;
    static Handler retrying(std::function<void(const QString &key, RetryDone done)> sync);

    explicit WorkQueue(Handler handler, int maxConcurrent = 4, QObject *parent = nullptr);
    ~WorkQueue() override;

    void add(const QString &key);
    void addAfter(const QString &key, std::chrono::milliseconds delay);
    // After the key's current back-off, which then doubles.
    void addRateLimited(const QString &key);
    void forget(const QString &key);
    void setBackoffLimits(std::chrono::milliseconds base, std::chrono::milliseconds max);

    // Stops handing out keys; work in progress finishes, its done() is then ignored.
    void shutDown();

    qsizetype length() const { return qsizetype(m_queue.size()); }
    bool isProcessing(const QString &key) const { return m_processing.contains(key); }
    int retries(const QString &key) const { return m_failures.value(key); }

private:
    void schedule();
    void dispatch();
    void finished(const QString &key, Outcome outcome);

    Handler m_handler;
    int m_maxConcurrent;
    std::deque<QString> m_queue;
    QSet<QString> m_queued;     // in m_queue
    QSet<QString> m_processing; // handed to the handler, done() not yet called
    QSet<QString> m_dirty;      // added again while processing
    QHash<QString, int> m_failures;
    std::chrono::milliseconds m_baseDelay{5};
    std::chrono::milliseconds m_maxDelay{std::chrono::seconds(1000)};
    bool m_scheduled = false;
    bool m_shutDown = false;
};

} // namespace timonel::client
