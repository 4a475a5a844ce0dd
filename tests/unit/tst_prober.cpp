#include <QTest>

class Test_prober : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Test_prober)
#include "tst_prober.moc"
