#include <QTest>

class Tstquantity : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Tstquantity)
#include "tst_quantity.moc"
