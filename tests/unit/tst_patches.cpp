#include <QTest>

class Tstpatches : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Tstpatches)
#include "tst_patches.moc"
