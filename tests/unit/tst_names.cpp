#include <QTest>

class Tstnames : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Tstnames)
#include "tst_names.moc"
