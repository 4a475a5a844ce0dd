#include "core/duration.h"

#include <QTest>

class TestDuration : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesGoDurations_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("ms");
        QTest::newRow("zero") << "0" << qint64(0);
        QTest::newRow("seconds") << "90s" << qint64(90000);
        QTest::newRow("minutes") << "5m" << qint64(300000);
        QTest::newRow("hours") << "2h" << qint64(7200000);
        QTest::newRow("milliseconds") << "250ms" << qint64(250);
        QTest::newRow("compound") << "1m30s" << qint64(90000);
        QTest::newRow("fraction") << "1.5h" << qint64(5400000);
        QTest::newRow("no unit") << "60" << qint64(-1);
        QTest::newRow("empty") << "" << qint64(-1);
        QTest::newRow("unknown unit") << "3d" << qint64(-1);
        QTest::newRow("junk after") << "5mx" << qint64(-1);
        QTest::newRow("junk before") << "x5m" << qint64(-1);
        QTest::newRow("negative") << "-5s" << qint64(-1);
    }
    void parsesGoDurations()
    {
        QFETCH(QString, text);
        QFETCH(qint64, ms);
        QCOMPARE(timonel::core::parseDuration(text), ms);
    }
};

QTEST_APPLESS_MAIN(TestDuration)
#include "tst_duration.moc"
