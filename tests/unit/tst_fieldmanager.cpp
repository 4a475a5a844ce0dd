#include <QTest>

class Tstfieldmanager : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Tstfieldmanager)
#include "tst_fieldmanager.moc"
