// The controllers' work queue: keys deduplicated, never processed twice at once, retried with
// back-off.
#include "client/workqueue.h"

#include <QTest>

using namespace timonel::client;
using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

class TestWorkQueue : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void keysAddedTwiceBeforeProcessingAreProcessedOnce()
    {
        QStringList seen;
        WorkQueue queue([&](const QString &key, WorkQueue::Done done) {
            seen.append(key);
            done(WorkQueue::Outcome::Done);
        });
        queue.add(u"a"_s);
        queue.add(u"b"_s);
        queue.add(u"a"_s);
        QCOMPARE(queue.length(), 2);
        QTRY_COMPARE(seen, (QStringList{u"a"_s, u"b"_s}));
    }

    void aKeyAddedWhileProcessingIsProcessedAgainAfterwards()
    {
        int calls = 0;
        int concurrent = 0, maxConcurrent = 0;
        WorkQueue::Done pending;
        WorkQueue queue([&](const QString &, WorkQueue::Done done) {
            ++calls;
            maxConcurrent = std::max(maxConcurrent, ++concurrent);
            pending = [&concurrent, done](WorkQueue::Outcome o) {
                --concurrent;
                done(o);
            };
        });
        queue.add(u"k"_s);
        QTRY_COMPARE(calls, 1);
        QVERIFY(queue.isProcessing(u"k"_s));
        queue.add(u"k"_s);
        queue.add(u"k"_s);
        QTest::qWait(20);
        QCOMPARE(calls, 1); // not while the first is in progress
        std::exchange(pending, {})(WorkQueue::Outcome::Done);
        QTRY_COMPARE(calls, 2);
        std::exchange(pending, {})(WorkQueue::Outcome::Done);
        QTest::qWait(20);
        QCOMPARE(calls, 2);
        QCOMPARE(maxConcurrent, 1);
    }

    void concurrencyIsBounded()
    {
        QList<WorkQueue::Done> pending;
        WorkQueue queue(
            [&](const QString &, WorkQueue::Done done) { pending.append(std::move(done)); }, 2);
        for (const QString &k : {u"a"_s, u"b"_s, u"c"_s})
            queue.add(k);
        QTRY_COMPARE(pending.size(), 2);
        QTest::qWait(20);
        QCOMPARE(pending.size(), 2);
        pending.takeFirst()(WorkQueue::Outcome::Done);
        QTRY_COMPARE(pending.size(), 2); // c started once a slot freed
    }

    void failuresAreRetriedWithGrowingBackoffAndForgottenOnSuccess()
    {
        QList<qint64> times;
        QElapsedTimer clock;
        clock.start();
        WorkQueue queue([&](const QString &, WorkQueue::Done done) {
            times.append(clock.elapsed());
            done(times.size() < 4 ? WorkQueue::Outcome::Retry : WorkQueue::Outcome::Done);
        });
        queue.setBackoffLimits(20ms, 1s);
        queue.add(u"k"_s);
        QTRY_COMPARE_WITH_TIMEOUT(times.size(), 4, 5000);
        // 20, 40, 80 ms between attempts (at least).
        QVERIFY(times[1] - times[0] >= 19);
        QVERIFY(times[2] - times[1] >= 39);
        QVERIFY(times[3] - times[2] >= 79);
        QCOMPARE(queue.retries(u"k"_s), 0);
    }

    void aDoneCalledTwiceCountsOnce()
    {
        int calls = 0;
        WorkQueue queue([&](const QString &, WorkQueue::Done done) {
            ++calls;
            done(WorkQueue::Outcome::Retry);
            done(WorkQueue::Outcome::Retry);
        });
        queue.setBackoffLimits(1000s, 1000s);
        queue.add(u"k"_s);
        QTRY_COMPARE(calls, 1);
        QCOMPARE(queue.retries(u"k"_s), 1);
    }

    void shutDownStopsHandingOutKeys()
    {
        int calls = 0;
        WorkQueue queue([&](const QString &, WorkQueue::Done done) {
            ++calls;
            done(WorkQueue::Outcome::Done);
        });
        queue.add(u"a"_s);
        queue.shutDown();
        queue.add(u"b"_s);
        QTest::qWait(30);
        QCOMPARE(calls, 0);
    }
};

QTEST_GUILESS_MAIN(TestWorkQueue)
#include "tst_workqueue.moc"
