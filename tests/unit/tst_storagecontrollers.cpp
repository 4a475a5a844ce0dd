#include <QTest>

class Test_storagecontrollers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Test_storagecontrollers)
#include "tst_storagecontrollers.moc"
