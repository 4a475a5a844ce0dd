// Line diffs as `diff -u` prints them (the expected texts are GNU diff's own output), and the
// pieces of `kubectl diff` that need no cluster: the fields left out, Secret values masked,
// kubectl's names, an object the cluster does not have yet.
#include "manifest/livediff.h"
#include "manifest/unifieddiff.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace timonel;
using namespace Qt::StringLiterals;

class TestDiff : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void unifiedDiffIsGnuDiffs_data()
    {
        QTest::addColumn<QString>("before");
        QTest::addColumn<QString>("after");
        QTest::addColumn<QString>("expected");
        const QString head = u"--- before\n+++ after\n"_s;
        QTest::newRow("equal") << u"a\nb\n"_s << u"a\nb\n"_s << QString();
        QTest::newRow("one line, three lines of context")
            << u"a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"_s << u"a\nb\nc\nd\nE\nf\ng\nh\ni\nj\n"_s
            << head + u"@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"_s;
        QTest::newRow("changes six lines apart share a hunk")
            << u"1\n2\nx\n3\n4\n5\n6\n7\n8\ny\n9\n10\n"_s
            << u"1\n2\nX\n3\n4\n5\n6\n7\n8\nY\n9\n10\n"_s
            << head +
                   u"@@ -1,12 +1,12 @@\n 1\n 2\n-x\n+X\n 3\n 4\n 5\n 6\n 7\n 8\n-y\n+Y\n 9\n 10\n"_s;
        QTest::newRow("changes seven lines apart do not")
            << u"1\n2\nx\n3\n4\n5\n6\n7\n8\n8b\ny\n9\n10\n"_s
            << u"1\n2\nX\n3\n4\n5\n6\n7\n8\n8b\nY\n9\n10\n"_s
            << head + u"@@ -1,6 +1,6 @@\n 1\n 2\n-x\n+X\n 3\n 4\n 5\n"
                      "@@ -8,6 +8,6 @@\n 7\n 8\n 8b\n-y\n+Y\n 9\n 10\n"_s;
        QTest::newRow("created") << QString() << u"a\nb\nc\n"_s
                                 << head + u"@@ -0,0 +1,3 @@\n+a\n+b\n+c\n"_s;
        QTest::newRow("deleted") << u"a\nb\nc\n"_s << QString()
                                 << head + u"@@ -1,3 +0,0 @@\n-a\n-b\n-c\n"_s;
        QTest::newRow("inserted") << u"a\nb\nc\nd\ne\nf\n"_s << u"a\nb\nc\nnew\nd\ne\nf\n"_s
                                  << head + u"@@ -1,6 +1,7 @@\n a\n b\n c\n+new\n d\n e\n f\n"_s;
        QTest::newRow("final newline added")
            << u"a\nb\nc"_s << u"a\nb\nc\n"_s
            << head + u"@@ -1,3 +1,3 @@\n a\n b\n-c\n\\ No newline at end of file\n+c\n"_s;
        QTest::newRow("a line moved") << u"a\nb\nc\nd\n"_s << u"b\nc\nd\na\n"_s
                                      << head + u"@@ -1,4 +1,4 @@\n-a\n b\n c\n d\n+a\n"_s;
        QTest::newRow("removed before added")
            << u"a\nb\nc\n"_s << u"x\ny\n"_s << head + u"@@ -1,3 +1,2 @@\n-a\n-b\n-c\n+x\n+y\n"_s;
        QTest::newRow("yaml") << u"spec:\n  containers:\n  - name: web\n    image: nginx:1.25\n"
                                 "  - name: log\n    image: busybox\n"_s
                              << u"spec:\n  containers:\n  - name: web\n    image: nginx:1.27\n"
                                 "  - name: log\n    image: busybox\n  - name: side\n"
                                 "    image: busybox\n"_s
                              << head + u"@@ -1,6 +1,8 @@\n spec:\n   containers:\n   - name: web\n"
                                        "-    image: nginx:1.25\n+    image: nginx:1.27\n"
                                        "   - name: log\n     image: busybox\n"
                                        "+  - name: side\n+    image: busybox\n"_s;
    }

    void unifiedDiffIsGnuDiffs()
    {
        QFETCH(QString, before);
        QFETCH(QString, after);
        QFETCH(QString, expected);
        QCOMPARE(manifest::unifiedDiff(before, after, u"before"_s, u"after"_s), expected);
    }

    void hunksCountTheirLines()
    {
        const auto hunks =
            manifest::diffHunks(u"a\nb\nc\nd\n"_s, u"a\nB\nc\nd\ne\n"_s, /*context=*/0);
        QCOMPARE(hunks.size(), 2);
        QCOMPARE(hunks[0].header(), u"@@ -2 +2 @@"_s);
        QCOMPARE(hunks[1].header(), u"@@ -4,0 +5 @@"_s); // after old line 4, as diff -U0 says
        const QList<manifest::DiffLine> added{{manifest::DiffLine::Kind::Added, u"e"_s, false}};
        QCOMPARE(hunks[1].lines, added);
    }

    void theEditIsAShortestOne()
    {
        // Lines that repeat (YAML's "- name:", "  image:") must not lead to a longer script.
        QStringList a, b;
        for (int i = 0; i < 200; ++i) {
            a << u"- name: c%1"_s.arg(i) << u"  image: busybox"_s;
            if (i % 17 != 3)
                b << u"- name: c%1"_s.arg(i) << u"  image: busybox"_s;
            if (i % 29 == 5)
                b << u"- name: extra%1"_s.arg(i) << u"  image: nginx"_s;
        }
        int removed = 0, added = 0;
        for (const auto &hunk : manifest::diffHunks(a.join(u'\n') + u'\n', b.join(u'\n') + u'\n')) {
            for (const auto &line : hunk.lines) {
                removed += line.kind == manifest::DiffLine::Kind::Removed;
                added += line.kind == manifest::DiffLine::Kind::Added;
            }
        }
        // 12 containers of two lines go, 7 of two lines come: nothing else changes.
        QCOMPARE(removed, 24);
        QCOMPARE(added, 14);
    }

    void serverFieldsAreLeftOut()
    {
        const QJsonObject live{
            {u"apiVersion"_s, u"v1"_s},
            {u"kind"_s, u"ConfigMap"_s},
            {u"metadata"_s,
             QJsonObject{{u"name"_s, u"web"_s},
                         {u"namespace"_s, u"shop"_s},
                         {u"labels"_s, QJsonObject{{u"app"_s, u"web"_s}}},
                         {u"uid"_s, u"1234"_s},
                         {u"resourceVersion"_s, u"42"_s},
                         {u"generation"_s, 3},
                         {u"creationTimestamp"_s, u"2024-01-01T00:00:00Z"_s},
                         {u"managedFields"_s, QJsonArray{QJsonObject{{u"manager"_s, u"x"_s}}}}}},
            {u"data"_s, QJsonObject{{u"color"_s, u"red"_s}}}};
        const QJsonObject stripped = manifest::withoutServerFields(live);
        QCOMPARE(stripped[u"metadata"_s].toObject(),
                 (QJsonObject{{u"name"_s, u"web"_s},
                              {u"namespace"_s, u"shop"_s},
                              {u"labels"_s, QJsonObject{{u"app"_s, u"web"_s}}}}));
        QCOMPARE(stripped[u"data"_s], live[u"data"_s]);

        // The same object written again: no difference, though the server fields moved.
        QJsonObject again = live;
        QJsonObject metadata = again[u"metadata"_s].toObject();
        metadata[u"resourceVersion"_s] = u"43"_s;
        metadata[u"generation"_s] = 4;
        again[u"metadata"_s] = metadata;
        const manifest::ObjectDiff same = manifest::compareObjects(live, again);
        QVERIFY(same.exists);
        QVERIFY(!same.isChanged());
        QCOMPARE(same.path, u"v1.ConfigMap.shop.web"_s);

        again[u"data"_s] = QJsonObject{{u"color"_s, u"green"_s}};
        const manifest::ObjectDiff changed = manifest::compareObjects(live, again);
        QCOMPARE(changed.diff, u"--- live/v1.ConfigMap.shop.web\n+++ merged/v1.ConfigMap.shop.web\n"
                               "@@ -1,6 +1,6 @@\n apiVersion: v1\n data:\n-  color: red\n"
                               "+  color: green\n kind: ConfigMap\n metadata:\n   labels:\n"_s);
    }

    void anObjectNotInTheClusterIsAllAdded()
    {
        const QJsonObject ns{
            {u"apiVersion"_s, u"v1"_s},
            {u"kind"_s, u"Namespace"_s},
            {u"metadata"_s, QJsonObject{{u"name"_s, u"shop"_s}, {u"uid"_s, u"u"_s}}}};
        const manifest::ObjectDiff diff = manifest::compareObjects(std::nullopt, ns);
        QVERIFY(!diff.exists);
        QCOMPARE(diff.path, u"v1.Namespace.shop"_s);
        QCOMPARE(diff.diff, u"--- live/v1.Namespace.shop\n+++ merged/v1.Namespace.shop\n"
                            "@@ -0,0 +1,4 @@\n+apiVersion: v1\n+kind: Namespace\n+metadata:\n"
                            "+  name: shop\n"_s);
        QCOMPARE(
            manifest::diffName(QJsonObject{
                {u"apiVersion"_s, u"apps/v1"_s},
                {u"kind"_s, u"Deployment"_s},
                {u"metadata"_s, QJsonObject{{u"name"_s, u"web"_s}, {u"namespace"_s, u"a"_s}}}}),
            u"apps.v1.Deployment.a.web"_s);
    }

    void secretValuesAreMaskedAsKubectlMasksThem()
    {
        const auto secret = [](const QJsonObject &data) {
            return QJsonObject{{u"apiVersion"_s, u"v1"_s},
                               {u"kind"_s, u"Secret"_s},
                               {u"metadata"_s, QJsonObject{{u"name"_s, u"s"_s}}},
                               {u"data"_s, data}};
        };
        std::optional<QJsonObject> live =
            secret({{u"same"_s, u"c2FtZQ=="_s}, {u"changed"_s, u"b2xk"_s}, {u"gone"_s, u"eA=="_s}});
        QJsonObject merged =
            secret({{u"same"_s, u"c2FtZQ=="_s}, {u"changed"_s, u"bmV3"_s}, {u"new"_s, u"eQ=="_s}});
        manifest::maskSecrets(live, merged);
        QCOMPARE((*live)[u"data"_s].toObject(), (QJsonObject{{u"same"_s, u"***"_s},
                                                             {u"changed"_s, u"*** (before)"_s},
                                                             {u"gone"_s, u"***"_s}}));
        QCOMPARE(merged[u"data"_s].toObject(), (QJsonObject{{u"same"_s, u"***"_s},
                                                            {u"changed"_s, u"*** (after)"_s},
                                                            {u"new"_s, u"***"_s}}));
        // A new Secret shows no value either.
        std::optional<QJsonObject> none;
        QJsonObject created = secret({{u"token"_s, u"c2VjcmV0"_s}});
        manifest::maskSecrets(none, created);
        QCOMPARE(created[u"data"_s].toObject(), (QJsonObject{{u"token"_s, u"***"_s}}));
        QVERIFY(!manifest::compareObjects(std::nullopt, secret({{u"token"_s, u"c2VjcmV0"_s}}))
                     .diff.contains(u"c2VjcmV0"_s));
    }
};

QTEST_GUILESS_MAIN(TestDiff)
#include "tst_diff.moc"
