// The CLI's own behaviour that needs no Docker: usage, flags, errors, and its language.
#include "testsupport.h"

#include <QTemporaryDir>

using timonel::test::Run;

class TestCli : public QObject
{
    Q_OBJECT

    static Run timonel(const QStringList &args, const QString &lang = QStringLiteral("C.UTF-8"))
    {
        // An unreachable Docker socket: nothing here may need the engine.
        return timonel::test::run(
            timonel::test::binary(QStringLiteral("timonel")), args,
            {{QStringLiteral("LANG"), lang},
             {QStringLiteral("LC_ALL"), lang},
             {QStringLiteral("LANGUAGE"), QString()},
             {QStringLiteral("DOCKER_HOST"), QStringLiteral("unix:///nonexistent/docker.sock")}},
            30000);
    }

private Q_SLOTS:
    void helpListsTheKindVerbs()
    {
        const Run r = timonel({QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        for (const char *verb :
             {"create cluster", "delete cluster", "get clusters", "get nodes", "get kubeconfig",
              "export kubeconfig", "start cluster", "stop cluster"})
            QVERIFY2(r.out.contains(QLatin1String(verb)), verb);
    }

    void commandHelpShowsItsOptions()
    {
        const Run r = timonel(
            {QStringLiteral("create"), QStringLiteral("cluster"), QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(QLatin1String("--config")));
        QVERIFY(r.out.contains(QLatin1String("--wait")));
    }

    void badInputIsOneLineOnStderr_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown command")
            << QStringList{QStringLiteral("frobnicate")} << QStringLiteral("unknown command");
        QTest::newRow("unknown flag") << QStringList{QStringLiteral("get"), QStringLiteral("nodes"),
                                                     QStringLiteral("--bogus")}
                                      << QStringLiteral("bogus");
        QTest::newRow("bad wait") << QStringList{QStringLiteral("create"),
                                                 QStringLiteral("cluster"),
                                                 QStringLiteral("--wait"), QStringLiteral("soon")}
                                  << QStringLiteral("--wait");
        QTest::newRow("missing config")
            << QStringList{QStringLiteral("create"), QStringLiteral("cluster"),
                           QStringLiteral("--config"), QStringLiteral("/nonexistent/kind.yaml")}
            << QStringLiteral("/nonexistent/kind.yaml");
        QTest::newRow("bad workers")
            << QStringList{QStringLiteral("create"), QStringLiteral("cluster"),
                           QStringLiteral("--workers"), QStringLiteral("many")}
            << QStringLiteral("--workers");
        QTest::newRow("delete clusters without names")
            << QStringList{QStringLiteral("delete"), QStringLiteral("clusters")}
            << QStringLiteral("--all");
        QTest::newRow("delete clusters with names and --all")
            << QStringList{QStringLiteral("delete"), QStringLiteral("clusters"),
                           QStringLiteral("a"), QStringLiteral("--all")}
            << QStringLiteral("--all");
        QTest::newRow("positional where none is taken")
            << QStringList{QStringLiteral("get"), QStringLiteral("nodes"), QStringLiteral("extra")}
            << QStringLiteral("extra");
        QTest::newRow("no docker") << QStringList{QStringLiteral("get"), QStringLiteral("clusters")}
                                   << QStringLiteral("Docker is not running");
    }

    void badInputIsOneLineOnStderr()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = timonel(args);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith(QLatin1String("ERROR: ")), qPrintable(r.err));
        QCOMPARE(r.err.trimmed().count(QLatin1Char('\n')), 0);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    void speaksSpanishWhenTheSystemDoes()
    {
        const QStringList args = {QStringLiteral("create"), QStringLiteral("cluster"),
                                  QStringLiteral("--wait"), QStringLiteral("soon")};
        const Run english = timonel(args);
        const Run spanish = timonel(args, QStringLiteral("es_ES.UTF-8"));
        QCOMPARE(spanish.exitCode, 1);
        QVERIFY(english.err.contains(QLatin1String("invalid --wait duration")));
        QVERIFY2(!spanish.err.contains(QLatin1String("invalid --wait duration")),
                 qPrintable(spanish.err));
        QVERIFY2(spanish.err.contains(QLatin1String("--wait")) &&
                     spanish.err.contains(QLatin1String("soon")),
                 qPrintable(spanish.err));
        const Run help = timonel({QStringLiteral("--help")}, QStringLiteral("es_ES.UTF-8"));
        QVERIFY2(!help.out.contains(QLatin1String("Lists existing clusters")),
                 qPrintable(help.out));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
