// The YAML editor widget: highlighting and theme, gutter, folding, problems, typing aids,
// completion, find/replace and the line API the form editor uses.
#include "editor/findbar.h"
#include "editor/yamleditor.h"

#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/Theme>

#include <QAbstractItemView>
#include <QApplication>
#include <QElapsedTimer>
#include <QHelpEvent>
#include <QLineEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>
#include <QToolTip>

using namespace timonel::gui;

namespace {

// Lines:          1              2          3           4            5
const QString pod = QStringLiteral("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n"
                                   // 6              7        8
                                   "    app: web\nspec:\n  containers:\n"
                                   // 9                10                      11
                                   "  - name: nginx\n    image: nginx:1.27\n    ports:\n"
                                   // 12                        13 (empty)
                                   "    - containerPort: 80\n");

QList<int> hiddenLines(const YamlEditor &editor)
{
    QList<int> hidden;
    for (QTextBlock b = editor.document()->firstBlock(); b.isValid(); b = b.next())
        if (!b.isVisible())
            hidden.append(b.blockNumber() + 1);
    return hidden;
}

QList<int> range(int first, int last)
{
    QList<int> lines;
    for (int i = first; i <= last; ++i)
        lines.append(i);
    return lines;
}

QTextCharFormat formatAt(const QTextBlock &block, int position)
{
    for (const QTextLayout::FormatRange &r : block.layout()->formats())
        if (position >= r.start && position < r.start + r.length)
            return r.format;
    return {};
}

void placeCursor(YamlEditor &editor, int line, int column)
{
    editor.goToLine(line, column);
    QCOMPARE(editor.cursorLine(), line);
}

// The marks the editor puts under problems (wavy underline).
QList<QTextEdit::ExtraSelection> problemMarks(const YamlEditor &editor)
{
    QList<QTextEdit::ExtraSelection> marks;
    for (const QTextEdit::ExtraSelection &s : editor.extraSelections())
        if (s.format.underlineStyle() == QTextCharFormat::WaveUnderline)
            marks.append(s);
    return marks;
}

} // namespace

class TestYamlEditor : public QObject
{
    Q_OBJECT

private:
    void show(YamlEditor &editor)
    {
        editor.resize(700, 500);
        editor.show();
        editor.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&editor));
        editor.setFocus();
    }

private Q_SLOTS:
    void keysAndCommentsAreHighlightedDifferently()
    {
        YamlEditor editor;
        editor.setText(QStringLiteral("kind: Pod # the kind\n"));
        const QTextBlock block = editor.document()->firstBlock();
        const QTextCharFormat key = formatAt(block, 0);
        const QTextCharFormat comment = formatAt(block, 12);
        QVERIFY(key.hasProperty(QTextFormat::ForegroundBrush));
        QVERIFY(comment.hasProperty(QTextFormat::ForegroundBrush));
        QVERIFY(key.foreground().color() != comment.foreground().color());
    }

    void darkPalettePicksDarkTheme()
    {
        const KSyntaxHighlighting::Repository repository;
        const QString dark =
            repository.defaultTheme(KSyntaxHighlighting::Repository::DarkTheme).name();
        const QString light =
            repository.defaultTheme(KSyntaxHighlighting::Repository::LightTheme).name();
        QVERIFY(dark != light);

        const QPalette original = QApplication::palette();
        QPalette lightPalette = original;
        lightPalette.setColor(QPalette::Window, QColor(0xef, 0xf0, 0xf1));
        QApplication::setPalette(lightPalette);
        QWidget window;
        YamlEditor editor(&window);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(editor.themeName(), light);
        QVERIFY(editor.palette().color(QPalette::Base).lightness() >= 128);
        editor.setText(QStringLiteral("kind: Pod"));
        const QColor lightKey = formatAt(editor.document()->firstBlock(), 0).foreground().color();

        // The desktop switches to dark: the application palette changes.
        QPalette darkPalette = original;
        darkPalette.setColor(QPalette::Window, QColor(0x20, 0x22, 0x26));
        darkPalette.setColor(QPalette::WindowText, Qt::white);
        QApplication::setPalette(darkPalette); // reaches widgets through the event loop
        QTRY_COMPARE(editor.themeName(), dark);
        QVERIFY(editor.palette().color(QPalette::Base).lightness() < 128);
        QVERIFY(formatAt(editor.document()->firstBlock(), 0).foreground().color() != lightKey);

        QApplication::setPalette(lightPalette);
        QTRY_COMPARE(editor.themeName(), light);
        // A palette set on the editor itself counts too.
        editor.setPalette(darkPalette);
        QCOMPARE(editor.themeName(), dark);
        QApplication::setPalette(original);
    }

    void gutterGrowsWithLineCount()
    {
        YamlEditor editor;
        editor.setText(QStringLiteral("a: 1\n").repeated(9));
        const int small = editor.gutterWidth();
        editor.setText(QStringLiteral("a: 1\n").repeated(12000));
        const int large = editor.gutterWidth();
        QVERIFY2(large > small, qPrintable(QStringLiteral("%1 vs %2").arg(large).arg(small)));
        QCOMPARE(editor.viewport()->geometry().left() - editor.contentsRect().left(), large);
    }

    void foldingHidesExactlyTheBlock_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("end");
        QTest::newRow("mapping") << pod << 3 << 6;
        QTest::newRow("nested mapping") << pod << 5 << 6;
        QTest::newRow("top-level key, trailing blank line stays") << pod << 7 << 12;
        QTest::newRow("sequence at the key's indentation") << pod << 8 << 12;
        QTest::newRow("sequence item") << pod << 9 << 12;
        QTest::newRow("inner sequence") << pod << 11 << 12;
        const QString docs = QStringLiteral("---\na: 1\nb:\n  c: 2\n\n---\nd: 3\n...\ne: 4\n");
        QTest::newRow("document") << docs << 1 << 4;
        QTest::newRow("document with end marker") << docs << 6 << 8;
        QTest::newRow("comments inside a block")
            << QStringLiteral("a:\n  b: 1\n# note\n  c: 2\n# after\nd: 3\n") << 1 << 4;
    }

    void foldingHidesExactlyTheBlock()
    {
        QFETCH(QString, text);
        QFETCH(int, line);
        QFETCH(int, end);
        YamlEditor editor;
        show(editor);
        editor.setText(text);
        QVERIFY(editor.isFoldable(line));
        QCOMPARE(editor.foldEnd(line), end);
        const int lineHeight = editor.cursorRect().height();
        const auto top = [&](int l) {
            QTextCursor c(editor.document()->findBlockByNumber(l - 1));
            return editor.cursorRect(c).top();
        };
        const int nextTopBefore = end < editor.blockCount() ? top(end + 1) : 0;

        editor.fold(line);
        QVERIFY(editor.isFolded(line));
        QCOMPARE(hiddenLines(editor), range(line + 1, end));
        if (end < editor.blockCount()) // the line after the fold moved up under its header
            QCOMPARE(top(end + 1), top(line) + lineHeight);

        editor.unfold(line);
        QVERIFY(!editor.isFolded(line));
        QCOMPARE(hiddenLines(editor), QList<int>());
        if (end < editor.blockCount())
            QCOMPARE(top(end + 1), nextTopBefore);
    }

    void linesWithoutDeeperLinesDoNotFold()
    {
        YamlEditor editor;
        editor.setText(pod);
        for (int line : {1, 2, 4, 6, 10, 12, 13})
            QVERIFY2(!editor.isFoldable(line), qPrintable(QString::number(line)));
        editor.fold(4);
        QCOMPARE(hiddenLines(editor), QList<int>());
    }

    void clickingTheFoldMarkerTogglesTheFold()
    {
        YamlEditor editor;
        show(editor);
        editor.setText(pod);
        QTextCursor header(editor.document()->findBlockByNumber(2));
        const int y = editor.cursorRect(header).center().y();
        QWidget *gutter =
            editor.childAt(editor.contentsRect().left() + 2, editor.viewport()->y() + y);
        QVERIFY(gutter && gutter != editor.viewport());
        const QPoint marker(gutter->width() - 4, y);
        QTest::mouseClick(gutter, Qt::LeftButton, {}, marker);
        QCOMPARE(hiddenLines(editor), range(4, 6));
        QTest::mouseClick(gutter, Qt::LeftButton, {}, marker);
        QCOMPARE(hiddenLines(editor), QList<int>());
        // The line number is not the marker.
        QTest::mouseClick(gutter, Qt::LeftButton, {}, QPoint(2, y));
        QCOMPARE(hiddenLines(editor), QList<int>());
    }

    void foldAllLeavesTheOutermostHeadersAndUnfoldAllRestores()
    {
        YamlEditor editor;
        editor.setText(pod);
        editor.foldAll();
        QCOMPARE(hiddenLines(editor), range(4, 6) + range(8, 12));
        QVERIFY(editor.isFolded(3));
        QVERIFY(editor.isFolded(7));
        editor.unfoldAll();
        QCOMPARE(hiddenLines(editor), QList<int>());
    }

    void anEditInsideAFoldOpensIt()
    {
        YamlEditor editor;
        show(editor);
        editor.setText(pod);
        editor.fold(7);
        QVERIFY(editor.replaceLines(10, 10, QStringLiteral("    image: nginx:1.28")));
        QCOMPARE(hiddenLines(editor), QList<int>());
        // Moving the cursor into a fold opens it too.
        editor.fold(3);
        editor.goToLine(5);
        QCOMPARE(hiddenLines(editor), QList<int>());
    }

    void arrowKeysStepOverAFold()
    {
        YamlEditor editor;
        show(editor);
        editor.setText(pod);
        editor.fold(3);
        placeCursor(editor, 3, 2);
        QTest::keyClick(&editor, Qt::Key_Down);
        QCOMPARE(editor.cursorLine(), 7);
        QTest::keyClick(&editor, Qt::Key_Up);
        QCOMPARE(editor.cursorLine(), 3);
        QVERIFY(editor.isFolded(3));
    }

    void enterAtTheEndOfAFoldedHeaderShowsTheHiddenLines()
    {
        YamlEditor editor;
        show(editor);
        editor.setText(pod);
        editor.fold(3);
        placeCursor(editor, 3, 10);
        QTest::keyClick(&editor, Qt::Key_Return);
        QCOMPARE(hiddenLines(editor), QList<int>());
        QCOMPARE(editor.document()->findBlockByNumber(4).text(), QStringLiteral("  name: web"));
    }

    void problemsAreUnderlinedWhereTheyAre_data()
    {
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<int>("length");
        QTest::addColumn<QString>("marked");
        QTest::newRow("key up to its colon") << 4 << 3 << 0 << QStringLiteral("name");
        QTest::newRow("value with a colon inside") << 10 << 12 << 0 << QStringLiteral("nginx:1.27");
        QTest::newRow("explicit length") << 10 << 18 << 4 << QStringLiteral("1.27");
        QTest::newRow("past the end: the whole line") << 7 << 9 << 0 << QStringLiteral("spec:");
        QTest::newRow("length past the end is cut") << 2 << 7 << 40 << QStringLiteral("Pod");
    }

    void problemsAreUnderlinedWhereTheyAre()
    {
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(int, length);
        QFETCH(QString, marked);
        YamlEditor editor;
        editor.setText(pod);
        editor.setDiagnostics({{line, column, length, true, QStringLiteral("bad")}});
        const QList<QTextEdit::ExtraSelection> marks = problemMarks(editor);
        QCOMPARE(marks.size(), 1);
        QCOMPARE(marks[0].cursor.blockNumber() + 1, line);
        QCOMPARE(marks[0].cursor.selectedText(), marked);
        QCOMPARE(editor.diagnostics().size(), 1);
        QCOMPARE(editor.diagnosticsAt(line), QStringLiteral("bad"));
        QCOMPARE(editor.diagnosticsAt(line + 1), QString());
    }

    void errorsAndWarningsHaveDifferentColours()
    {
        YamlEditor editor;
        editor.setText(pod);
        editor.setDiagnostics(
            {{4, 3, 0, true, QStringLiteral("e")}, {6, 5, 0, false, QStringLiteral("w")}});
        const QList<QTextEdit::ExtraSelection> marks = problemMarks(editor);
        QCOMPARE(marks.size(), 2);
        QVERIFY(marks[0].format.underlineColor() != marks[1].format.underlineColor());
        editor.setDiagnostics({});
        QCOMPARE(problemMarks(editor).size(), 0);
    }

    void hoveringAProblemShowsItsMessage()
    {
        YamlEditor editor;
        show(editor);
        editor.setText(pod);
        editor.setDiagnostics({{4, 3, 0, true, QStringLiteral("metadata.name: Invalid value")}});
        QTextCursor inside(editor.document()->findBlockByNumber(3));
        inside.setPosition(inside.position() + 4);
        const QPoint over = editor.cursorRect(inside).center();
        QHelpEvent onText(QEvent::ToolTip, over, editor.viewport()->mapToGlobal(over));
        QApplication::sendEvent(editor.viewport(), &onText);
        QTRY_VERIFY(QToolTip::isVisible());
        QCOMPARE(QToolTip::text(), QStringLiteral("metadata.name: Invalid value"));

        QToolTip::hideText();
        QTRY_VERIFY(!QToolTip::isVisible());
        // Elsewhere on the text: nothing.
        QTextCursor elsewhere(editor.document()->findBlockByNumber(1));
        const QPoint away = editor.cursorRect(elsewhere).center();
        QHelpEvent offText(QEvent::ToolTip, away, editor.viewport()->mapToGlobal(away));
        QApplication::sendEvent(editor.viewport(), &offText);
        QVERIFY(!QToolTip::isVisible());

        // Over the marker in the gutter.
        QWidget *gutter =
            editor.childAt(editor.contentsRect().left() + 2, editor.viewport()->y() + over.y());
        QVERIFY(gutter);
        QHelpEvent onGutter(QEvent::ToolTip, QPoint(4, over.y()),
                            gutter->mapToGlobal(QPoint(4, over.y())));
        QApplication::sendEvent(gutter, &onGutter);
        QTRY_VERIFY(QToolTip::isVisible());
        QCOMPARE(QToolTip::text(), QStringLiteral("metadata.name: Invalid value"));
        QToolTip::hideText();
    }

    void goToLineMovesTheCursorAndReportsIt()
    {
        YamlEditor editor;
        editor.setText(pod);
        QSignalSpy moved(&editor, &YamlEditor::cursorMoved);
        editor.goToLine(10, 5);
        QCOMPARE(editor.cursorLine(), 10);
        QCOMPARE(editor.cursorColumn(), 5);
        QVERIFY(!moved.isEmpty());
        QCOMPARE(moved.last(), QVariantList({10, 5}));
        editor.goToLine(10, 99); // clamped to the end of the line
        QCOMPARE(editor.cursorColumn(), 22);
    }

    void enterKeepsAndDeepensIndentation_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("next");
        QTest::newRow("key opening a block") << QStringLiteral("spec:") << QStringLiteral("  ");
        QTest::newRow("key with a value") << QStringLiteral("  name: web") << QStringLiteral("  ");
        QTest::newRow("nested key") << QStringLiteral("  labels:") << QStringLiteral("    ");
        QTest::newRow("sequence item") << QStringLiteral("- name: a") << QStringLiteral("  ");
        QTest::newRow("sequence item opening a block")
            << QStringLiteral("  - containers:") << QStringLiteral("      ");
        QTest::newRow("key with a comment")
            << QStringLiteral("  ports: # open") << QStringLiteral("    ");
        QTest::newRow("top level value") << QStringLiteral("kind: Pod") << QString();
    }

    void enterKeepsAndDeepensIndentation()
    {
        QFETCH(QString, line);
        QFETCH(QString, next);
        YamlEditor editor;
        show(editor);
        editor.setText(line);
        editor.moveCursor(QTextCursor::End);
        QTest::keyClick(&editor, Qt::Key_Return);
        QCOMPARE(editor.text(), line + u'\n' + next);
        QCOMPARE(editor.cursorLine(), 2);
        QCOMPARE(editor.cursorColumn(), next.size() + 1);
        editor.undo(); // one step
        QCOMPARE(editor.text(), line);
    }

    void enterInsideTheIndentationPushesTheLineDown_data()
    {
        QTest::addColumn<int>("column");
        QTest::newRow("line start") << 1;
        QTest::newRow("inside the indentation") << 2;
        QTest::newRow("end of the indentation") << 3;
    }

    void enterInsideTheIndentationPushesTheLineDown()
    {
        QFETCH(int, column);
        YamlEditor editor;
        show(editor);
        editor.setText(QStringLiteral("a:\n  b: 1"));
        placeCursor(editor, 2, column);
        QTest::keyClick(&editor, Qt::Key_Return);
        QCOMPARE(editor.text(), QStringLiteral("a:\n\n  b: 1"));
        QCOMPARE(editor.cursorLine(), 3);
        QCOMPARE(editor.cursorColumn(), column);
    }

    void tabInsertsTwoSpacesAndBacktabUnindents()
    {
        YamlEditor editor;
        show(editor);
        editor.setText(QStringLiteral("a:\nb: 1"));
        QTest::keyClick(&editor, Qt::Key_Tab);
        QCOMPARE(editor.text(), QStringLiteral("  a:\nb: 1"));
        editor.selectAll();
        QTest::keyClick(&editor, Qt::Key_Tab);
        QCOMPARE(editor.text(), QStringLiteral("    a:\n  b: 1"));
        QTest::keyClick(&editor, Qt::Key_Backtab);
        QTest::keyClick(&editor, Qt::Key_Backtab);
        QCOMPARE(editor.text(), QStringLiteral("a:\nb: 1"));
    }

    void ctrlSlashCommentsAndUncommentsTheSelectedLines()
    {
        YamlEditor editor;
        show(editor);
        const QString text = QStringLiteral("a: 1\nb:\n  c: 2\n\n  d: 3\ne: 4");
        editor.setText(text);
        QTextCursor c(editor.document()->findBlockByNumber(1));
        c.setPosition(editor.document()->findBlockByNumber(5).position(), QTextCursor::KeepAnchor);
        editor.setTextCursor(c); // lines 2-5 (ends at the start of line 6)
        QTest::keyClick(&editor, Qt::Key_Slash, Qt::ControlModifier);
        QCOMPARE(editor.text(), QStringLiteral("a: 1\n# b:\n#   c: 2\n\n#   d: 3\ne: 4"));
        QTest::keyClick(&editor, Qt::Key_Slash, Qt::ControlModifier);
        QCOMPARE(editor.text(), text);
        // Without a selection: the cursor's line; one undo step each.
        placeCursor(editor, 3, 1);
        QTest::keyClick(&editor, Qt::Key_Slash, Qt::ControlModifier);
        QCOMPARE(editor.text(), QStringLiteral("a: 1\nb:\n  # c: 2\n\n  d: 3\ne: 4"));
        editor.undo();
        QCOMPARE(editor.text(), text);
    }

    void completionListsMatchingItemsAndInsertsTheChosenOne()
    {
        YamlEditor editor;
        show(editor);
        QList<std::pair<int, int>> asked;
        editor.setCompletionProvider([&](int line, int column) {
            asked.append({line, column});
            return QList<CompletionItem>{
                {QStringLiteral("replicas"), QStringLiteral("integer"),
                 QStringLiteral("replicas: ")},
                {QStringLiteral("revisionHistoryLimit"), QStringLiteral("integer"), QString()},
                {QStringLiteral("selector"), QStringLiteral("LabelSelector"),
                 QStringLiteral("selector:\n  matchLabels:\n    ")},
                {QStringLiteral("template"), QStringLiteral("PodTemplateSpec"), QString()}};
        });
        editor.setText(QStringLiteral("spec:\n  re"));
        editor.moveCursor(QTextCursor::End);
        QTest::keyClick(&editor, Qt::Key_Space, Qt::ControlModifier);
        QCOMPARE(asked, (QList<std::pair<int, int>>{{2, 5}}));
        QAbstractItemView *popup = editor.completionPopup();
        QTRY_VERIFY(popup->isVisible());
        const auto shown = [&] {
            QStringList texts;
            for (int i = 0; i < popup->model()->rowCount(); ++i)
                texts.append(popup->model()->index(i, 0).data().toString());
            return texts;
        };
        QCOMPARE(shown(),
                 QStringList({QStringLiteral("replicas"), QStringLiteral("revisionHistoryLimit")}));
        QTest::keyClick(&editor, Qt::Key_V); // "rev"
        QCOMPARE(shown(), QStringList({QStringLiteral("revisionHistoryLimit")}));
        QTest::keyClick(&editor, Qt::Key_Backspace);
        QCOMPARE(shown().size(), 2);
        QTest::keyClick(popup, Qt::Key_Return);
        QCOMPARE(editor.text(), QStringLiteral("spec:\n  replicas: "));
        QVERIFY(!popup->isVisible());

        // A multi-line insert text takes the indentation of where it goes.
        editor.setText(QStringLiteral("spec:\n  se"));
        editor.moveCursor(QTextCursor::End);
        editor.showCompletions();
        QTRY_VERIFY(popup->isVisible());
        QCOMPARE(shown(), QStringList({QStringLiteral("selector")}));
        QTest::keyClick(popup, Qt::Key_Return);
        QCOMPARE(editor.text(), QStringLiteral("spec:\n  selector:\n    matchLabels:\n      "));
        editor.undo();
        QCOMPARE(editor.text(), QStringLiteral("spec:\n  se"));

        // Typing something no item starts with closes the list.
        editor.showCompletions();
        QTRY_VERIFY(popup->isVisible());
        QTest::keyClick(&editor, Qt::Key_Z);
        QVERIFY(!popup->isVisible());
    }

    void typingAKeyOffersCompletionsAfterAPause()
    {
        YamlEditor editor;
        show(editor);
        editor.setCompletionProvider([](int, int) {
            return QList<CompletionItem>{
                {QStringLiteral("containers"), {}, QStringLiteral("containers:\n- ")}};
        });
        editor.setText(QStringLiteral("spec:\n  "));
        editor.moveCursor(QTextCursor::End);
        QTest::keyClicks(&editor, QStringLiteral("co"));
        QAbstractItemView *popup = editor.completionPopup();
        QTRY_VERIFY_WITH_TIMEOUT(popup->isVisible(), 3000);
        QTest::keyClick(popup, Qt::Key_Return);
        QCOMPARE(editor.text(), QStringLiteral("spec:\n  containers:\n  - "));
        // Not in a value. (No pause: the timer fires on the next pass of the event loop.)
        editor.setAutoCompletionDelay(0);
        editor.setText(QStringLiteral("kind: "));
        editor.moveCursor(QTextCursor::End);
        QTest::keyClicks(&editor, QStringLiteral("co"));
        QCoreApplication::processEvents();
        QVERIFY(!popup->isVisible());
        // The same typing where a key goes does open it: the check above could fail.
        editor.setText(QStringLiteral("spec:\n  "));
        editor.moveCursor(QTextCursor::End);
        QTest::keyClicks(&editor, QStringLiteral("co"));
        QCoreApplication::processEvents();
        QVERIFY(popup->isVisible());
        popup->hide();
        // Switched off.
        editor.setAutoCompletionDelay(-1);
        editor.setText(QStringLiteral("spec:\n  "));
        editor.moveCursor(QTextCursor::End);
        QTest::keyClicks(&editor, QStringLiteral("co"));
        QCoreApplication::processEvents();
        QVERIFY(!popup->isVisible());
    }

    void findHighlightsEveryMatchAndStepsThroughThem()
    {
        YamlEditor editor;
        show(editor);
        editor.setText(pod);
        QTest::keyClick(&editor, Qt::Key_F, Qt::ControlModifier);
        FindBar *bar = editor.findBar();
        QTRY_VERIFY(bar->isVisible());
        QVERIFY(bar->findField()->hasFocus());
        // Docked under the text.
        QVERIFY(bar->geometry().top() > editor.viewport()->geometry().bottom());

        QTest::keyClicks(bar->findField(), QStringLiteral("NGINX"));
        QCOMPARE(bar->matchCount(), 2);
        QCOMPARE(editor.textCursor().selectedText(), QStringLiteral("nginx"));
        QCOMPARE(editor.cursorLine(), 9);
        QCOMPARE(bar->status(), QStringLiteral("1 of 2"));
        int highlighted = 0;
        for (const QTextEdit::ExtraSelection &s : editor.extraSelections())
            highlighted += s.cursor.selectedText() == QStringLiteral("nginx");
        QCOMPARE(highlighted, 2);

        QTest::keyClick(bar->findField(), Qt::Key_F3);
        QCOMPARE(editor.cursorLine(), 10);
        QCOMPARE(bar->status(), QStringLiteral("2 of 2"));
        QTest::keyClick(&editor, Qt::Key_F3); // wraps
        QCOMPARE(editor.cursorLine(), 9);
        QTest::keyClick(bar->findField(), Qt::Key_F3, Qt::ShiftModifier);
        QCOMPARE(editor.cursorLine(), 10);

        bar->setCaseSensitive(true);
        QCOMPARE(bar->matchCount(), 0);
        QCOMPARE(bar->status(), QStringLiteral("No matches"));
        bar->setCaseSensitive(false);
        bar->setRegularExpression(true);
        bar->findField()->setText(QStringLiteral("nginx:\\d"));
        QCOMPARE(bar->matchCount(), 1);
        bar->findField()->setText(QStringLiteral("nginx("));
        QVERIFY(bar->status().startsWith(QStringLiteral("Not a valid regular expression")));

        QTest::keyClick(bar->findField(), Qt::Key_Escape);
        QVERIFY(!bar->isVisible());
        QVERIFY(editor.hasFocus());
        QCOMPARE(editor.extraSelections().size(), 1); // the current line only
        QCOMPARE(editor.viewport()->geometry().bottom(),
                 editor.contentsRect().bottom() - (editor.horizontalScrollBar()->isVisible()
                                                       ? editor.horizontalScrollBar()->height()
                                                       : 0));
    }

    void replaceAllIsOneUndoStep_data()
    {
        QTest::addColumn<bool>("regex");
        QTest::addColumn<QString>("find");
        QTest::addColumn<QString>("replace");
        QTest::addColumn<int>("count");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain") << false << QStringLiteral("web") << QStringLiteral("api") << 2
                               << QString(pod).replace(QStringLiteral("web"),
                                                       QStringLiteral("api"));
        QTest::newRow("captures") << true << QStringLiteral("name: (\\w+)")
                                  << QStringLiteral("name: \\1-x") << 2
                                  << QString(pod)
                                         .replace(QStringLiteral("name: web"),
                                                  QStringLiteral("name: web-x"))
                                         .replace(QStringLiteral("name: nginx"),
                                                  QStringLiteral("name: nginx-x"));
        QTest::newRow("line starts")
            << true << QStringLiteral("^(?=kind)") << QStringLiteral("# ") << 1
            << QString(pod).replace(QStringLiteral("kind"), QStringLiteral("# kind"));
        QTest::newRow("nothing") << false << QStringLiteral("absent") << QStringLiteral("x") << 0
                                 << pod;
    }

    void replaceAllIsOneUndoStep()
    {
        QFETCH(bool, regex);
        QFETCH(QString, find);
        QFETCH(QString, replace);
        QFETCH(int, count);
        QFETCH(QString, expected);
        YamlEditor editor;
        show(editor);
        editor.setText(pod);
        QTest::keyClick(&editor, Qt::Key_H, Qt::ControlModifier);
        FindBar *bar = editor.findBar();
        QVERIFY(bar->replaceField()->isVisible());
        bar->setRegularExpression(regex);
        bar->findField()->setText(find);
        bar->replaceField()->setText(replace);
        QCOMPARE(bar->replaceAll(), count);
        QCOMPARE(editor.text(), expected);
        if (count == 0)
            return;
        QVERIFY(editor.isModified());
        editor.undo();
        QCOMPARE(editor.text(), pod);
        QVERIFY(!editor.document()->isUndoAvailable());
    }

    void replaceReplacesTheSelectedMatchAndMovesOn()
    {
        YamlEditor editor;
        show(editor);
        editor.setText(pod);
        editor.openReplace();
        FindBar *bar = editor.findBar();
        bar->findField()->setText(QStringLiteral("web"));
        bar->replaceField()->setText(QStringLiteral("api"));
        QCOMPARE(editor.cursorLine(), 4);
        QTest::keyClick(bar->replaceField(), Qt::Key_Return);
        QCOMPARE(editor.document()->findBlockByNumber(3).text(), QStringLiteral("  name: api"));
        QCOMPARE(editor.cursorLine(), 6); // the next match, selected
        QCOMPARE(editor.textCursor().selectedText(), QStringLiteral("web"));
        QCOMPARE(bar->matchCount(), 1);
    }

    void replaceLinesIsOneUndoStepAndKeepsTheOtherLines_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("first");
        QTest::addColumn<int>("last");
        QTest::addColumn<QString>("with");
        QTest::addColumn<QString>("expected");
        const QString abcd = QStringLiteral("a\nb\nc\nd");
        const QString file = QStringLiteral("a\nb\nc\nd\n");
        QTest::newRow("middle, more lines")
            << abcd << 2 << 3 << QStringLiteral("x\ny\nz") << QStringLiteral("a\nx\ny\nz\nd");
        QTest::newRow("middle, trailing newline")
            << abcd << 2 << 3 << QStringLiteral("x\n") << QStringLiteral("a\nx\nd");
        QTest::newRow("remove") << abcd << 2 << 3 << QString() << QStringLiteral("a\nd");
        QTest::newRow("insert before")
            << abcd << 2 << 1 << QStringLiteral("new") << QStringLiteral("a\nnew\nb\nc\nd");
        QTest::newRow("first") << abcd << 1 << 1 << QStringLiteral("A\n")
                               << QStringLiteral("A\nb\nc\nd");
        QTest::newRow("last") << abcd << 4 << 4 << QStringLiteral("z")
                              << QStringLiteral("a\nb\nc\nz");
        QTest::newRow("remove last") << abcd << 3 << 4 << QString() << QStringLiteral("a\nb");
        QTest::newRow("append") << abcd << 5 << 4 << QStringLiteral("e")
                                << QStringLiteral("a\nb\nc\nd\ne");
        QTest::newRow("file, before the final newline")
            << file << 4 << 4 << QStringLiteral("z\n") << QStringLiteral("a\nb\nc\nz\n");
        QTest::newRow("empty line")
            << abcd << 2 << 2 << QStringLiteral("\n") << QStringLiteral("a\n\nc\nd");
    }

    void replaceLinesIsOneUndoStepAndKeepsTheOtherLines()
    {
        QFETCH(QString, text);
        QFETCH(int, first);
        QFETCH(int, last);
        QFETCH(QString, with);
        QFETCH(QString, expected);
        YamlEditor editor;
        editor.setText(text);
        QVERIFY(editor.replaceLines(first, last, with));
        QCOMPARE(editor.text(), expected);
        editor.undo();
        QCOMPARE(editor.text(), text);
        QVERIFY(!editor.document()->isUndoAvailable());
    }

    void replaceLinesRejectsRangesOutsideTheDocument()
    {
        YamlEditor editor;
        editor.setText(QStringLiteral("a\nb"));
        QVERIFY(!editor.replaceLines(0, 1, QStringLiteral("x")));
        QVERIFY(!editor.replaceLines(2, 3, QStringLiteral("x")));
        QVERIFY(!editor.replaceLines(2, 0, QStringLiteral("x")));
        QVERIFY(!editor.replaceLines(4, 3, QStringLiteral("x")));
        QCOMPARE(editor.text(), QStringLiteral("a\nb"));
        QVERIFY(!editor.document()->isUndoAvailable());
    }

    void replaceLinesKeepsTheCursorOnItsLine()
    {
        YamlEditor editor;
        editor.setText(pod);
        placeCursor(editor, 10, 7);
        // Two lines become three, above the cursor.
        QVERIFY(editor.replaceLines(
            4, 5, QStringLiteral("  name: web\n  namespace: default\n  labels:")));
        QCOMPARE(editor.cursorLine(), 11);
        QCOMPARE(editor.cursorColumn(), 7);
        QCOMPARE(editor.textCursor().block().text(), QStringLiteral("    image: nginx:1.27"));
        // The cursor's own line is replaced: same line and column.
        QVERIFY(editor.replaceLines(11, 11, QStringLiteral("    image: nginx:1.28")));
        QCOMPARE(editor.cursorLine(), 11);
        QCOMPARE(editor.cursorColumn(), 7);
    }

    void setTextKeepingUndoChangesOnlyTheDifferentLines()
    {
        YamlEditor editor;
        editor.setText(pod);
        QVERIFY(!editor.isModified());
        QVERIFY(!editor.document()->isUndoAvailable());
        editor.fold(7);
        placeCursor(editor, 2, 4);
        const QString changed =
            QString(pod).replace(QStringLiteral("name: web"), QStringLiteral("name: api"));
        editor.setText(changed, true);
        QCOMPARE(editor.text(), changed);
        QVERIFY(editor.isModified());
        QVERIFY(editor.isFolded(7)); // untouched lines keep their fold
        QCOMPARE(editor.cursorLine(), 2);
        QCOMPARE(editor.cursorColumn(), 4);
        editor.undo();
        QCOMPARE(editor.text(), pod);
        editor.setText(QStringLiteral("x"));
        QVERIFY(!editor.document()->isUndoAvailable());
        QVERIFY(!editor.isModified());
    }

    void setTextKeepingUndoReachesAnyText_data()
    {
        QTest::addColumn<QString>("before");
        QTest::addColumn<QString>("after");
        QTest::newRow("identical") << pod << pod;
        QTest::newRow("from empty") << QString() << pod;
        QTest::newRow("to empty") << pod << QString();
        QTest::newRow("line appended") << QStringLiteral("a\nb") << QStringLiteral("a\nb\nc");
        QTest::newRow("final newline added") << QStringLiteral("a\nb") << QStringLiteral("a\nb\n");
        QTest::newRow("last line removed") << QStringLiteral("a\nb\nc") << QStringLiteral("a\nb");
        QTest::newRow("first line removed") << QStringLiteral("a\nb\nc") << QStringLiteral("b\nc");
        QTest::newRow("repeated lines") << QStringLiteral("a\na\na") << QStringLiteral("a\na");
        QTest::newRow("middle changed")
            << QStringLiteral("a\nb\nc") << QStringLiteral("a\nx\ny\nc");
    }

    void setTextKeepingUndoReachesAnyText()
    {
        QFETCH(QString, before);
        QFETCH(QString, after);
        YamlEditor editor;
        editor.setText(before);
        editor.setText(after, true);
        QCOMPARE(editor.text(), after);
        QCOMPARE(editor.document()->isUndoAvailable(), before != after);
        editor.undo();
        QCOMPARE(editor.text(), before);
        // Inserting nothing changes nothing.
        QVERIFY(editor.replaceLines(editor.blockCount() + 1, editor.blockCount(), QString()));
        QCOMPARE(editor.text(), before);
    }

    void opensALargeFileQuickly()
    {
        // 100 Deployments of 50 lines: 5,000 lines.
        QString doc = QStringLiteral(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-%1\n"
            "  namespace: default\n  labels:\n    app: web # the app\n    tier: frontend\n"
            "spec:\n  replicas: 3\n  minReadySeconds: 5\n  selector:\n    matchLabels:\n      app: "
            "web\n  template:\n"
            "    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n"
            "      - name: nginx\n        image: \"nginx:1.27\"\n        ports:\n"
            "        - containerPort: 80\n          protocol: TCP\n        env:\n"
            "        - name: MODE\n          value: 'production'\n        - name: LEVEL\n"
            "          value: \"3\"\n        resources:\n          limits:\n            cpu: 500m\n"
            "            memory: 128Mi\n          requests:\n            cpu: 250m\n"
            "            memory: 64Mi\n        readinessProbe:\n          httpGet:\n"
            "            path: /healthz\n            port: 80\n          periodSeconds: 5\n"
            "        args: [\"--port\", \"80\"]\n        command:\n        - /bin/sh\n"
            "        - -c\n        - |\n          exec nginx -g 'daemon off;'\n"
            "      restartPolicy: Always\n");
        QCOMPARE(doc.count(u'\n'), 50);
        QString text;
        for (int i = 0; i < 100; ++i)
            text += doc.arg(i);

        YamlEditor editor;
        show(editor);
        QElapsedTimer timer;
        timer.start();
        editor.setText(text);
        const qint64 set = timer.elapsed();
        editor.viewport()->repaint();
        const qint64 painted = timer.elapsed();
        QCOMPARE(editor.blockCount(), 5001);
        timer.restart();
        editor.goToLine(4990);
        editor.viewport()->repaint();
        const qint64 end = timer.elapsed();
        timer.restart();
        QTest::keyClicks(&editor, QStringLiteral("x"));
        const qint64 typed = timer.elapsed();
        timer.restart();
        editor.foldAll();
        editor.viewport()->repaint();
        editor.unfoldAll();
        editor.viewport()->repaint();
        const qint64 folds = timer.elapsed();
        qInfo("5,000 lines: setText %lld ms, first paint %lld ms (total %lld ms); jump to the end "
              "and paint %lld ms; a keystroke %lld ms; fold all + unfold all %lld ms",
              set, painted - set, painted, end, typed, folds);
        // The last line is highlighted like the first (the highlighter went all the way).
        const QTextBlock last = editor.document()->findBlockByNumber(4999);
        QVERIFY(formatAt(last, 6).hasProperty(QTextFormat::ForegroundBrush));
    }
};

QTEST_MAIN(TestYamlEditor)
#include "tst_yamleditor.moc"
