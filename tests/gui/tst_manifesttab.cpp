// Manifests in the main window, offscreen: an invalid one is marked at the right line in the
// editor and listed in the problems panel, which takes the cursor there; saving and opening
// keep the text; the form beside the editor and the editor change one text.
#include "editor/yamleditor.h"
#include "eventspanel.h"
#include "form/objectform.h"
#include "mainwindow.h"
#include "manifesttab.h"

#include <QAction>
#include <QGroupBox>
#include <QLineEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
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

    void theFormAndTheEditorEditOneText()
    {
        const QString text = uR"(# Front end
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # short names please
spec:
  replicas: 3   # scaled by hand
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.25
---
# The way in
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
)"_s;
        gui::ManifestTab tab;
        tab.resize(1200, 700);
        tab.setFormVisible(true);
        QVERIFY(tab.formAction()->isChecked());
        tab.setText(text);
        tab.show();
        QVERIFY(QTest::qWaitForWindowActive(&tab));
        gui::YamlEditor *editor = tab.editor();
        gui::ObjectForm *form = tab.form();
        const auto line = [&](int number) {
            return editor->document()->findBlockByNumber(number - 1).text();
        };
        editor->goToLine(5);
        QTRY_COMPARE(form->kind(), u"Deployment"_s);
        auto *replicas = form->findChild<QLineEdit *>(u"replicas"_s);
        auto *image = form->findChild<QLineEdit *>(u"image"_s);
        QCOMPARE(replicas->text(), u"3"_s);

        // Typed into the form: that line changes in the editor, comments and the rest stay, and
        // the field keeps the focus.
        replicas->setFocus();
        QTRY_VERIFY(replicas->hasFocus());
        replicas->selectAll();
        QTest::keyClick(replicas, Qt::Key_Backspace);
        QTest::keyClicks(replicas, u"5"_s);
        QCOMPARE(line(7), u"  replicas: 5   # scaled by hand"_s);
        QCOMPARE(editor->text(), QString(text).replace(u"replicas: 3"_s, u"replicas: 5"_s));
        QTest::qWait(gui::ManifestTab::formDelayMs * 2);
        QVERIFY(replicas->hasFocus());
        QCOMPARE(replicas->text(), u"5"_s);

        // One undo step in the editor takes it back, and the form follows.
        editor->setFocus();
        QTRY_VERIFY(editor->hasFocus());
        QTest::keyClick(editor, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(editor->text(), text);
        QVERIFY(!editor->document()->isUndoAvailable());
        QTRY_COMPARE(replicas->text(), u"3"_s);

        // Typed into the editor: the form shows it, and the editor keeps the focus.
        editor->goToLine(12, int(line(12).size()) + 1);
        QTest::keyClick(editor, Qt::Key_Backspace);
        QTest::keyClicks(editor, u"7"_s);
        QCOMPARE(line(12), u"        image: nginx:1.27"_s);
        QTRY_COMPARE(image->text(), u"nginx:1.27"_s);
        QVERIFY(editor->hasFocus());

        // The cursor in the second document: the form shows that one.
        editor->goToLine(18);
        QTRY_COMPARE(form->kind(), u"Service"_s);
        QVERIFY(form->findChild<QGroupBox *>(u"serviceBox"_s)->isVisible());
        QVERIFY(!form->findChild<QGroupBox *>(u"containersBox"_s)->isVisible());
        QCOMPARE(form->findChild<QLineEdit *>(u"name"_s)->text(), u"web"_s);
        // And its edits land there.
        auto *name = form->findChild<QLineEdit *>(u"name"_s);
        name->setFocus();
        QTRY_VERIFY(name->hasFocus());
        name->selectAll();
        QTest::keyClick(name, Qt::Key_Backspace);
        QTest::keyClicks(name, u"front"_s);
        QCOMPARE(line(18), u"  name: front"_s);
        QCOMPARE(line(5), u"  name: web   # short names please"_s);

        // Hidden (Ctrl+Shift+F), the form is remembered hidden for the next tabs.
        editor->setFocus();
        QTRY_VERIFY(editor->hasFocus());
        QTest::keyClick(editor, Qt::Key_F, Qt::ControlModifier | Qt::ShiftModifier);
        QVERIFY(!tab.formAction()->isChecked());
        QVERIFY(!form->isVisible());
        QCOMPARE(QSettings().value(u"manifest/formVisible"_s).toBool(), false);
        gui::ManifestTab next;
        QVERIFY(!next.isFormVisible());
    }

    void aFormEditOfATextTheEditorNoLongerHasIsNotMade()
    {
        const QString text = u"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
                             "spec:\n  replicas: 3\n"_s;
        gui::ManifestTab tab;
        tab.setFormVisible(true);
        tab.setText(text);
        tab.updateForm();
        auto *replicas = tab.form()->findChild<QLineEdit *>(u"replicas"_s);
        QCOMPARE(replicas->text(), u"3"_s);
        // A line typed in the editor, and the form edited before it caught up.
        QTextCursor top(tab.editor()->document());
        top.insertText(u"# on top\n"_s);
        replicas->setText(u"5"_s);
        Q_EMIT replicas->textEdited(u"5"_s);
        QCOMPARE(tab.editor()->text(), u"# on top\n"_s + text);
        QCOMPARE(replicas->text(), u"3"_s);
        // Caught up, the form edits the right line.
        replicas->setText(u"6"_s);
        Q_EMIT replicas->textEdited(u"6"_s);
        QCOMPARE(tab.editor()->document()->findBlockByNumber(6).text(), u"  replicas: 6"_s);
    }
};

QTEST_MAIN(TestManifestTab)
#include "tst_manifesttab.moc"
