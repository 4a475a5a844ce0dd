#include <QTest>

class Test_scheduling : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Test_scheduling)
#include "tst_scheduling.moc"
