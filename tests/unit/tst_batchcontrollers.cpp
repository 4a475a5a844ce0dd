#include <QTest>

class Test_batchcontrollers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Test_batchcontrollers)
#include "tst_batchcontrollers.moc"
