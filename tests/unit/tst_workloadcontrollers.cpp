#include <QTest>

class Test_workloadcontrollers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Test_workloadcontrollers)
#include "tst_workloadcontrollers.moc"
