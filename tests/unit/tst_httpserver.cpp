#include <QTest>

class Tsthttpserver : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Tsthttpserver)
#include "tst_httpserver.moc"
