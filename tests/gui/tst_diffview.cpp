// "Diff against cluster" of a manifest tab, against an in-process API server: every object of
// the file compared as `kubectl diff --server-side` compares it, the server's fields left out,
// objects not in the cluster all added, one that cannot be compared named with the reason; and
// the view colours the diff.
#include "apiserver/apiserver.h"
#include "apiserver/inprocessclient.h"
#include "client/applier.h"
#include "core/yaml.h"
#include "diffview.h"
#include "editor/yamleditor.h"
#include "manifesttab.h"
#include "unit/apiservertesting.h"

#include <QLabel>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>

#include <memory>

using namespace timonel;
using namespace Qt::StringLiterals;

namespace {

QList<client::ApplyObject> objects(const QString &yaml)
{
    QList<client::ApplyObject> out;
    const auto documents = core::parseYamlDocuments(yaml.toUtf8());
    for (const QJsonValue &v : documents.value_or(QList<QJsonValue>()))
        out.append({v.toObject(), {}});
    return out;
}

const QString existing = uR"(apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web
  namespace: shop
data:
  color: red
  size: large
)"_s;

} // namespace

class TestDiffView : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<apiserver::ApiServer> m_server;
    std::unique_ptr<apiserver::InProcessClient> m_api;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"TimonelTest"_s);
        QSettings().clear();
        auto started = test::startTestApiServer(m_dir.path());
        QVERIFY2(started, qPrintable(started ? QString() : started.error()));
        m_server = std::move(*started);
        m_api = std::make_unique<apiserver::InProcessClient>(m_server->store());
        std::optional<QList<client::ApplyResult>> results;
        client::Applier::apply(*m_api, objects(existing), {},
                               [&](const QList<client::ApplyResult> &r) { results = r; });
        QTRY_VERIFY_WITH_TIMEOUT(results.has_value(), 20000);
        for (const client::ApplyResult &r : *results)
            QVERIFY2(r.ok, qPrintable(r.summary()));
    }

    void theDiffShowsWhatApplyingWouldChange()
    {
        gui::ManifestTab tab;
        tab.setText(uR"(# What the shop should be
apiVersion: v1
kind: ConfigMap
metadata:
  name: web
  namespace: shop
data:
  color: green   # was red
  size: large
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: extra
  namespace: shop
data:
  mode: fast
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: example.com/v1
kind: Gadget
metadata:
  name: g
)"_s);
        QSignalSpy finished(&tab, &gui::ManifestTab::diffFinished);
        client::ApplyOptions options;
        options.defaultNamespace = u"shop"_s;
        std::unique_ptr<gui::DiffView> view(tab.showDiff(*m_api, options));
        QCOMPARE(view->title(), u"Diff of Untitled"_s);
        QVERIFY(view->diffText().isEmpty()); // until the cluster answers
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        QCOMPARE(finished.first(), (QVariantList{2, 1}));

        const QString text = view->diffText();
        // The changed object: just its changed line, nothing the server keeps for itself.
        QVERIFY2(
            text.startsWith(u"--- live/v1.ConfigMap.shop.web\n+++ merged/v1.ConfigMap.shop.web\n"
                            "@@ -1,6 +1,6 @@\n apiVersion: v1\n data:\n-  color: red\n"
                            "+  color: green\n   size: large\n kind: ConfigMap\n metadata:\n"
                            "--- live/v1.ConfigMap.shop.extra\n"_s),
            qPrintable(text));
        for (const QString &serverField : {u"managedFields"_s, u"resourceVersion"_s, u"uid:"_s,
                                           u"creationTimestamp"_s, u"generation"_s})
            QVERIFY2(!text.contains(serverField), qPrintable(serverField));
        // The new object: all added.
        QVERIFY2(text.contains(u"+++ merged/v1.ConfigMap.shop.extra\n@@ -0,0 +1,7 @@\n"
                               "+apiVersion: v1\n+data:\n+  mode: fast\n+kind: ConfigMap\n"
                               "+metadata:\n+  name: extra\n+  namespace: shop\n"_s),
                 qPrintable(text));
        // The namespace is as the file says; the unknown kind is named with the reason.
        QVERIFY(!text.contains(u"v1.Namespace.shop"_s));
        const QList<manifest::ObjectDiff> &diffs = view->diffs();
        QCOMPARE(diffs.size(), 4);
        QCOMPARE(diffs[0].line, 1);
        QCOMPARE(diffs[1].document, 1);
        QVERIFY(!diffs[2].isChanged());
        QVERIFY(diffs[2].error.isEmpty());
        QCOMPARE(diffs[3].error, u"no matches for kind \"Gadget\" in version \"example.com/v1\""_s);
        QCOMPARE(view->summary(), u"1 object(s) would be created; 1 object(s) would change; "
                                  "1 object(s) unchanged; 1 object(s) could not be compared"_s);
        QVERIFY(view->findChild<QLabel *>(u"errors"_s)->text().contains(u"Gadget g: no matches"_s));

        // Nothing was stored by the dry runs.
        auto live = test::await<QJsonObject>([&](auto done) {
            m_api->get({{}, u"v1"_s, u"configmaps"_s}, u"shop"_s, u"web"_s, done);
        });
        QVERIFY(live);
        QCOMPARE((*live)[u"data"_s][u"color"_s].toString(), u"red"_s);
    }

    void aFileThatDoesNotParseIsNotSent()
    {
        gui::ManifestTab tab;
        tab.setText(u"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n"_s);
        QSignalSpy finished(&tab, &gui::ManifestTab::diffFinished);
        std::unique_ptr<gui::DiffView> view(tab.showDiff(*m_api, {}));
        QVERIFY2(view->summary().startsWith(u"Line "_s), qPrintable(view->summary()));
        QVERIFY(view->summary().endsWith(u": nothing was compared"_s));
        QTest::qWait(50);
        QCOMPARE(finished.count(), 0);
    }

    void addedAndRemovedLinesAreColoured()
    {
        gui::DiffView view;
        manifest::ObjectDiff diff;
        diff.exists = true;
        diff.diff = u"--- live/x\n+++ merged/x\n@@ -1 +1 @@\n-a: 1\n+a: 2\n b: 3\n"_s;
        view.setDiffs({diff});
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const auto colour = [&](int line) {
            const QTextBlock block = view.textView()->document()->findBlockByNumber(line);
            const QList<QTextLayout::FormatRange> formats = block.layout()->formats();
            return formats.isEmpty() ? QColor() : formats.first().format.foreground().color();
        };
        const QColor removed = colour(3), added = colour(4);
        QVERIFY(removed.isValid() && added.isValid());
        QVERIFY(removed.red() > removed.green());
        QVERIFY(added.green() > added.red());
        QVERIFY(!colour(5).isValid()); // context lines keep the text's colour
        QVERIFY(view.textView()->isReadOnly());
        QCOMPARE(view.summary(), u"1 object(s) would change"_s);
    }
};

QTEST_MAIN(TestDiffView)
#include "tst_diffview.moc"
