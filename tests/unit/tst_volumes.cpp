#include <QTest>

class Test_volumes : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Test_volumes)
#include "tst_volumes.moc"
