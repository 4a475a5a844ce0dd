#include <QTest>

class Test_scheduler : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Test_scheduler)
#include "tst_scheduler.moc"
