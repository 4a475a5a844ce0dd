#include <QTest>

class Tststorage : public QObject
{
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Tststorage)
#include "tst_storage.moc"
