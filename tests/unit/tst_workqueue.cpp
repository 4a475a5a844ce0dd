#include <QTest>

class Test_workqueue : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Test_workqueue)
#include "tst_workqueue.moc"
