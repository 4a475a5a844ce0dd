// Manifests in the main window, offscreen: an invalid one is marked at the right line in the
// editor and listed in the problems panel, which takes the cursor there; saving and opening
// keep the text.
#include "editor/yamleditor.h"
#include "eventspanel.h"
#include "mainwindow.h"
#include "manifesttab.h"

#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace timonel;
using namespace Qt::StringLiterals;

class TestManifestTab : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        // Settings of this test only.
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"TimonelTest"_s);
        QSettings().clear();
    }

    void anInvalidManifestIsMarkedAtItsLine()
    {
        gui::MainWindow window;
        gui::ManifestTab *tab = window.newManifest(uR"(apiVersion: v1
kind: ConfigMap
metadata:
  name: a
data: {x: y}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports: [{port: 80}]
  selectr: {app: web}
)"_s);
        QVERIFY(tab);
        const auto marks = tab->editor()->diagnostics();
        QCOMPARE(marks.size(), 1);
        QCOMPARE(marks[0].line, 13);
        QCOMPARE(marks[0].column, 3);
        QCOMPARE(marks[0].message, u"unknown field \"spec.selectr\""_s);

        QTreeWidget *problems = window.eventsPanel()->problemsView();
        QCOMPARE(problems->topLevelItemCount(), 1);
        QCOMPARE(problems->topLevelItem(0)->text(1), u"13:3"_s);
        tab->editor()->goToLine(1);
        Q_EMIT problems->itemActivated(problems->topLevelItem(0), 0);
        QCOMPARE(tab->editor()->textCursor().blockNumber() + 1, 13);

        // Fixed by typing: the mark and the problem go once typing pauses.
        QTextCursor typo = tab->editor()->document()->find(u"selectr"_s);
        QVERIFY(!typo.isNull());
        typo.insertText(u"selector"_s);
        QTRY_COMPARE_WITH_TIMEOUT(problems->topLevelItemCount(), 0, 5000);
        QVERIFY(tab->editor()->diagnostics().isEmpty());
    }

    void savedAndOpenedAgainUnchanged()
    {
        gui::MainWindow window;
        const QString text = u"# keep me\napiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n"_s;
        gui::ManifestTab *tab = window.newManifest(text);
        QString error;
        QVERIFY2(tab->save(m_dir.filePath(u"ns.yaml"_s), &error), qPrintable(error));
        QCOMPARE(tab->title(), u"ns.yaml"_s);
        gui::ManifestTab *again = window.openManifest(m_dir.filePath(u"ns.yaml"_s));
        QCOMPARE(again, tab); // already open: shown, not opened twice
        gui::MainWindow other;
        gui::ManifestTab *opened = other.openManifest(m_dir.filePath(u"ns.yaml"_s));
        QVERIFY(opened);
        QCOMPARE(opened->editor()->text(), text);
        QVERIFY(opened->problems().isEmpty());
    }
};

QTEST_MAIN(TestManifestTab)
#include "tst_manifesttab.moc"
