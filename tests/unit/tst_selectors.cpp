#include <QTest>

class Tstselectors : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Tstselectors)
#include "tst_selectors.moc"
