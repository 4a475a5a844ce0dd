#include <QTest>

class Test_streams : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Test_streams)
#include "tst_streams.moc"
