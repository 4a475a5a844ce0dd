#include <QTest>

class Tstprotobuf : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Tstprotobuf)
#include "tst_protobuf.moc"
