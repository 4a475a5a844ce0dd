// The editor's manifest checks: documents and their lines, field paths found in the text, and
// each problem at the line and column of the field it is about.
#include "manifest/manifestcheck.h"

#include <QElapsedTimer>
#include <QTest>

using namespace timonel;
using namespace Qt::StringLiterals;

namespace {

const QString deployment = uR"(# a comment before the first document
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: sidecar
        image: busybox
      - name: nginx
        image: nginx
        ports:
        - containerPort: 80
)"_s;

} // namespace

class TestManifestCheck : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void documentsKeepTheirLinesInTheFile()
    {
        const auto documents = manifest::splitDocuments(
            u"a: 1\n---\n---\nkind: Service\napiVersion: v1\n...\n---\nb: [\n"_s);
        QCOMPARE(documents.size(), 3);
        QCOMPARE(documents[0].firstLine, 1);
        QCOMPARE(documents[1].firstLine, 4);
        QCOMPARE(documents[1].value[u"kind"_s].toString(), u"Service"_s);
        QVERIFY(documents[2].syntaxError);
        QCOMPARE(documents[2].firstLine, 8);
        QVERIFY2(documents[2].syntaxError->line >= 8,
                 qPrintable(QString::number(documents[2].syntaxError->line)));
    }

    void fieldPathsAreFoundInTheText_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::newRow("top") << u"kind"_s << 4 << 1;
        QTest::newRow("nested") << u"spec.replicas"_s << 9 << 3;
        QTest::newRow("second item") << u"spec.template.spec.containers[1]"_s << 21 << 7;
        QTest::newRow("key on the dash line")
            << u"spec.template.spec.containers[1].name"_s << 21 << 9;
        QTest::newRow("key under an item")
            << u"spec.template.spec.containers[1].image"_s << 22 << 9;
        QTest::newRow("nested list")
            << u"spec.template.spec.containers[1].ports[0].containerPort"_s << 24 << 11;
        QTest::newRow("missing: its parent") << u"spec.template.spec.hostname"_s << 17 << 5;
        QTest::newRow("inside a flow map: the map") << u"metadata.labels.app"_s << 7 << 3;
    }
    void fieldPathsAreFoundInTheText()
    {
        QFETCH(QString, path);
        QFETCH(int, line);
        QFETCH(int, column);
        const auto documents = manifest::splitDocuments(deployment);
        QCOMPARE(documents.size(), 1);
        const auto [l, c] = manifest::locatePath(documents[0], path);
        QCOMPARE(l, line);
        QCOMPARE(c, column);
    }

    void aValidManifestHasNoProblems()
    {
        const auto problems = manifest::checkManifest(deployment);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.value(0).message));
    }

    void problemsAreMarkedWhereTheyAre_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown field")
            << u"  replicas: 2"_s << u"  replica: 2"_s << 9 << u"unknown field \"spec.replica\""_s;
        QTest::newRow("wrong type")
            << u"  replicas: 2"_s << u"  replicas: two"_s << 9 << u"replicas"_s;
        QTest::newRow("bad enum") << u"        image: nginx\n"_s
                                  << u"        image: nginx\n        imagePullPolicy: Sometimes\n"_s
                                  << 23 << u"imagePullPolicy"_s;
        QTest::newRow("unknown kind")
            << u"kind: Deployment"_s << u"kind: Deploymint"_s << 4
            << u"no matches for kind \"Deploymint\" in version \"apps/v1\""_s;
        QTest::newRow("no name") << u"  name: web\n"_s << u"  namespace: web\n"_s << 5
                                 << u"metadata.name: Required value"_s;
        QTest::newRow("syntax") << u"  replicas: 2"_s << u"  replicas: [2"_s << 9 << QString();
    }
    void problemsAreMarkedWhereTheyAre()
    {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(int, line);
        QFETCH(QString, message);
        QString text = deployment;
        QVERIFY(text.contains(from));
        text.replace(from, to);
        // In the second document of three: lines count from the file's start.
        const QString before = u"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"_s;
        text = before + text + u"---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n"_s;
        const auto problems = manifest::checkManifest(text);
        QVERIFY(!problems.isEmpty());
        QVERIFY2(problems.first().line >= line + 4 && problems.first().line <= line + 5,
                 qPrintable(u"%1: %2"_s.arg(problems.first().line).arg(problems.first().message)));
        QVERIFY2(problems.first().message.contains(message), qPrintable(problems.first().message));
    }

    void aFiveThousandLineManifestIsCheckedQuickly()
    {
        QString text;
        int n = 0;
        while (text.count(u'\n') < 5000)
            text +=
                QString(deployment).replace(u"name: web"_s, u"name: web%1"_s.arg(n++)) +
                u"---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s%1\nspec:\n  "
                u"selector: {app: web}\n  ports:\n  - port: 80\n    targetPort: 80\n---\n"_s.arg(n);
        QElapsedTimer timer;
        timer.start();
        const auto problems = manifest::checkManifest(text);
        const qint64 ms = timer.elapsed();
        QVERIFY2(problems.isEmpty(), qPrintable(problems.value(0).message));
        qInfo("checked %lld lines, %d documents in %lld ms", qint64(text.count(u'\n')), n * 2, ms);
    }
};

QTEST_GUILESS_MAIN(TestManifestCheck)
#include "tst_manifestcheck.moc"
