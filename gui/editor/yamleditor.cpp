#include "editor/yamleditor.h"

#include "editor/editorgutter.h"
#include "editor/findbar.h"
#include "editor/folding.h"
#include "editor/linecommands.h"
#include "editor/problemmarks.h"

#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>

#include <QAbstractItemView>
#include <QFontDatabase>
#include <QHelpEvent>
#include <QPainter>
#include <QScrollBar>
#include <QTextBlock>
#include <QToolTip>

namespace timonel::gui {

using linecommands::indentWidth;

namespace {

KSyntaxHighlighting::Repository &repository()
{
    static KSyntaxHighlighting::Repository shared;
    return shared;
}

} // namespace

YamlEditor::YamlEditor(QWidget *parent)
    : QPlainTextEdit(parent), m_highlighter(new KSyntaxHighlighting::SyntaxHighlighter(document())),
      m_gutter(new EditorGutter(this)), m_completion(new CompletionPopup(this))
{
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setTabStopDistance(fontMetrics().horizontalAdvance(u' ') * indentWidth);
    m_highlighter->setDefinition(repository().definitionForName(QStringLiteral("YAML")));
    applyTheme();

    connect(this, &QPlainTextEdit::blockCountChanged, this, &YamlEditor::updateMargins);
    connect(this, &QPlainTextEdit::updateRequest, this, [this](const QRect &rect, int dy) {
        if (dy != 0)
            m_gutter->scroll(0, dy);
        else
            m_gutter->update(0, rect.y(), m_gutter->width(), rect.height());
    });
    connect(this, &QPlainTextEdit::cursorPositionChanged, this, [this] {
        revealBlock(textCursor().block());
        updateSelections();
        m_gutter->update();
        Q_EMIT cursorMoved(cursorLine(), cursorColumn());
    });
    connect(document(), &QTextDocument::contentsChange, this, &YamlEditor::repairFolds);

    updateMargins();
    updateSelections();
}

YamlEditor::~YamlEditor() = default;

// --- text

void YamlEditor::setText(const QString &text, bool keepUndo)
{
    if (!keepUndo) {
        setPlainText(text);
        document()->setModified(false);
        return;
    }
    // Only the lines that differ, so that folds, cursor and scroll outside them stay.
    const QStringList before = toPlainText().split(u'\n');
    const QStringList after = text.split(u'\n');
    qsizetype head = 0;
    while (head < before.size() && head < after.size() && before[head] == after[head])
        ++head;
    if (head == before.size() && head == after.size())
        return;
    qsizetype tail = 0;
    while (tail < before.size() - head && tail < after.size() - head &&
           before[before.size() - 1 - tail] == after[after.size() - 1 - tail])
        ++tail;
    QString middle;
    for (qsizetype i = head; i < after.size() - tail; ++i)
        middle += after[i] + u'\n';
    replaceLines(int(head) + 1, int(before.size() - tail), middle);
}

bool YamlEditor::isModified() const
{
    return document()->isModified();
}

void YamlEditor::setModified(bool modified)
{
    document()->setModified(modified);
}

int YamlEditor::cursorLine() const
{
    return textCursor().blockNumber() + 1;
}

int YamlEditor::cursorColumn() const
{
    return textCursor().positionInBlock() + 1;
}

void YamlEditor::goToLine(int line, int column)
{
    const QTextBlock block = document()->findBlockByNumber(std::clamp(line, 1, blockCount()) - 1);
    revealBlock(block);
    QTextCursor cursor(block);
    cursor.setPosition(block.position() + std::clamp(column - 1, 0, block.length() - 1));
    setTextCursor(cursor);
    centerCursor();
    setFocus();
}

bool YamlEditor::replaceLines(int firstLine, int lastLine, const QString &text)
{
    const int count = blockCount();
    if (firstLine < 1 || lastLine < firstLine - 1 || lastLine > count || firstLine > count + 1)
        return false;
    if (text.isEmpty() && lastLine < firstLine)
        return true; // inserting nothing
    QString fragment = text;
    if (!fragment.isEmpty() && !fragment.endsWith(u'\n'))
        fragment += u'\n';
    const int added = int(fragment.count(u'\n'));
    const int delta = added - (lastLine - firstLine + 1);

    int start = 0;
    int end = 0;
    if (lastLine < count) {
        start = document()->findBlockByNumber(firstLine - 1).position();
        end = document()->findBlockByNumber(lastLine).position();
    } else {
        // Up to the end: the last line has no newline of its own.
        end = document()->characterCount() - 1;
        start = firstLine <= count ? document()->findBlockByNumber(firstLine - 1).position() : end;
        if (fragment.isEmpty() && firstLine > 1)
            start -= 1; // the newline before the removed lines
        fragment.chop(fragment.isEmpty() ? 0 : 1);
        if (firstLine > count)
            fragment.prepend(u'\n');
    }

    // Where the cursor ends up: same line and column when that line survives.
    const auto mapLine = [&](int line) {
        if (line < firstLine)
            return line;
        if (line > lastLine)
            return line + delta;
        return std::max(1, std::min(line, firstLine + added - 1));
    };
    const QTextCursor old = textCursor();
    const auto lineColumn = [&](int position) {
        const QTextBlock b = document()->findBlock(position);
        return std::pair{b.blockNumber() + 1, position - b.position()};
    };
    const auto [anchorLine, anchorColumn] = lineColumn(old.anchor());
    const auto [line, column] = lineColumn(old.position());
    const int scroll = verticalScrollBar()->value();

    QTextCursor edit(document());
    edit.beginEditBlock();
    edit.setPosition(start);
    edit.setPosition(end, QTextCursor::KeepAnchor);
    edit.insertText(fragment);
    edit.endEditBlock();

    const auto positionOf = [&](int l, int c) {
        const QTextBlock b = document()->findBlockByNumber(mapLine(l) - 1);
        return b.position() + std::min(c, b.length() - 1);
    };
    QTextCursor restored(document());
    restored.setPosition(positionOf(anchorLine, anchorColumn));
    restored.setPosition(positionOf(line, column), QTextCursor::KeepAnchor);
    setTextCursor(restored);
    verticalScrollBar()->setValue(scroll);
    return true;
}

// --- theme and layout

QString YamlEditor::themeName() const
{
    return m_highlighter->theme().name();
}

void YamlEditor::applyTheme()
{
    if (m_applyingTheme)
        return;
    m_applyingTheme = true;
    // The window colour is inherited (we never set it), so it tells what the desktop wants.
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    const KSyntaxHighlighting::Theme theme =
        repository().defaultTheme(dark ? KSyntaxHighlighting::Repository::DarkTheme
                                       : KSyntaxHighlighting::Repository::LightTheme);
    if (m_highlighter->theme().name() != theme.name()) {
        m_highlighter->setTheme(theme);
        m_highlighter->rehighlight();
    }
    using Role = KSyntaxHighlighting::Theme::EditorColorRole;
    const auto color = [&](Role role) { return QColor::fromRgba(theme.editorColor(role)); };
    QPalette p = palette();
    p.setColor(QPalette::Base, color(Role::BackgroundColor));
    p.setColor(QPalette::Text,
               QColor::fromRgba(theme.textColor(KSyntaxHighlighting::Theme::Normal)));
    p.setColor(QPalette::Highlight, color(Role::TextSelection));
    p.setColor(QPalette::HighlightedText,
               QColor::fromRgba(theme.selectedTextColor(KSyntaxHighlighting::Theme::Normal)));
    setPalette(p);
    m_currentLineColor = color(Role::CurrentLine);
    m_searchColor = color(Role::SearchHighlight);
    m_gutter->background = color(Role::IconBorder);
    m_gutter->numberColor = color(Role::LineNumbers);
    m_gutter->currentNumberColor = color(Role::CurrentLineNumber);
    for (QTextEdit::ExtraSelection &mark : m_searchMarks)
        mark.format.setBackground(m_searchColor);
    m_applyingTheme = false;
    updateSelections();
    m_gutter->update();
}

void YamlEditor::changeEvent(QEvent *event)
{
    QPlainTextEdit::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange)
        applyTheme();
    else if (event->type() == QEvent::FontChange) {
        setTabStopDistance(fontMetrics().horizontalAdvance(u' ') * indentWidth);
        updateMargins();
    }
}

int YamlEditor::gutterWidth() const
{
    const int digits = int(QString::number(std::max(1, blockCount())).size());
    return m_gutter->markerWidth() + fontMetrics().horizontalAdvance(u'9') * std::max(2, digits) +
           4 + m_gutter->foldWidth();
}

void YamlEditor::updateMargins()
{
    const bool docked = m_findBar && m_findBar->parentWidget() == this && !m_findBar->isHidden();
    const int bottom = docked ? m_findBar->sizeHint().height() : 0;
    setViewportMargins(gutterWidth(), 0, 0, bottom);
    const QRect r = contentsRect();
    const QRect v = viewport()->geometry();
    m_gutter->setGeometry(r.left(), v.top(), gutterWidth(), v.height());
    if (docked)
        m_findBar->setGeometry(r.left(), v.bottom() + 1, v.right() + 1 - r.left(), bottom);
}

void YamlEditor::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    updateMargins();
}

void YamlEditor::paintEvent(QPaintEvent *event)
{
    QPlainTextEdit::paintEvent(event);
    // A folded header ends with a "⋯" box standing for its hidden lines.
    QPainter painter(viewport());
    const QFontMetrics fm = fontMetrics();
    for (QTextBlock block = firstVisibleBlock(); block.isValid(); block = block.next()) {
        if (!block.isVisible())
            continue;
        const QRectF rect = blockBoundingGeometry(block).translated(contentOffset());
        if (rect.top() > event->rect().bottom())
            break;
        if (!block.next().isValid() || block.next().isVisible() || !folding::isHeader(block) ||
            block.layout()->lineCount() == 0)
            continue;
        const qreal x = rect.left() + block.layout()->lineAt(0).naturalTextWidth() +
                        document()->documentMargin() + fm.horizontalAdvance(u' ');
        const QRectF box(x, rect.top() + 1, fm.horizontalAdvance(QStringLiteral(" ⋯ ")),
                         fm.height() - 2);
        painter.setPen(m_gutter->numberColor);
        painter.drawRoundedRect(box, 3, 3);
        painter.drawText(box, Qt::AlignCenter, QStringLiteral("⋯"));
    }
}

// --- problems and highlights

void YamlEditor::setDiagnostics(const QList<EditorDiagnostic> &diagnostics)
{
    m_diagnostics = diagnostics;
    m_diagnosticMarks.clear();
    for (const EditorDiagnostic &d : diagnostics)
        m_diagnosticMarks.append(problemmarks::mark(document(), d));
    updateSelections();
    m_gutter->update();
}

QHash<int, bool> YamlEditor::problemLines() const
{
    return problemmarks::lines(m_diagnosticMarks);
}

QString YamlEditor::diagnosticsAt(int line) const
{
    return problemmarks::messagesOnLine(m_diagnosticMarks, line);
}

void YamlEditor::setSearchHighlights(const QList<QTextCursor> &matches)
{
    m_searchMarks.clear();
    for (const QTextCursor &match : matches) {
        QTextEdit::ExtraSelection mark;
        mark.format.setBackground(m_searchColor);
        mark.cursor = match;
        m_searchMarks.append(mark);
    }
    updateSelections();
}

void YamlEditor::updateSelections()
{
    QTextEdit::ExtraSelection current;
    current.format.setBackground(m_currentLineColor);
    current.format.setProperty(QTextFormat::FullWidthSelection, true);
    current.cursor = textCursor();
    current.cursor.clearSelection();
    setExtraSelections(QList{current} + m_searchMarks + m_diagnosticMarks);
}

bool YamlEditor::viewportEvent(QEvent *event)
{
    if (event->type() != QEvent::ToolTip)
        return QPlainTextEdit::viewportEvent(event);
    // The messages of the marked text under the pointer.
    auto *help = static_cast<QHelpEvent *>(event);
    const QString messages =
        problemmarks::messagesAt(m_diagnosticMarks, cursorForPosition(help->pos()).position());
    if (messages.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(help->globalPos(), messages, viewport());
    return true;
}

// --- folding

bool YamlEditor::isFoldable(int line) const
{
    return folding::isHeader(document()->findBlockByNumber(line - 1));
}

bool YamlEditor::isFolded(int line) const
{
    return folding::isFolded(document()->findBlockByNumber(line - 1));
}

int YamlEditor::foldEnd(int line) const
{
    const QTextBlock block = document()->findBlockByNumber(line - 1);
    return block.isValid() ? folding::endOf(block).blockNumber() + 1 : line;
}

void YamlEditor::fold(int line)
{
    setFolded(document()->findBlockByNumber(line - 1), true);
}

void YamlEditor::unfold(int line)
{
    setFolded(document()->findBlockByNumber(line - 1), false);
}

void YamlEditor::toggleFold(int line)
{
    setFolded(document()->findBlockByNumber(line - 1), !isFolded(line));
}

void YamlEditor::foldAll()
{
    relayout(folding::foldAll(document()));
}

void YamlEditor::unfoldAll()
{
    relayout(folding::unfoldAll(document()));
}

void YamlEditor::setFolded(const QTextBlock &header, bool folded)
{
    const folding::Changed changed = folding::setFolded(header, folded);
    if (changed.isEmpty())
        return;
    if (folded) {
        // The cursor leaves the hidden lines for the end of the header.
        const QTextBlock end = folding::endOf(header);
        const int cursor = textCursor().position();
        if (cursor > header.position() + header.length() - 1 &&
            cursor < end.position() + end.length()) {
            QTextCursor c(header);
            c.movePosition(QTextCursor::EndOfBlock);
            setTextCursor(c);
        }
    }
    relayout(changed);
}

void YamlEditor::relayout(const folding::Changed &changed)
{
    if (changed.isEmpty())
        return;
    document()->markContentsDirty(changed.from, changed.to - changed.from);
    viewport()->update();
    m_gutter->update();
}

void YamlEditor::revealBlock(const QTextBlock &block)
{
    relayout(folding::reveal(block));
}

// Runs inside the document's change notification, so marking the range dirty joins the pending
// relayout.
void YamlEditor::repairFolds(int position, int added)
{
    const folding::Changed changed = folding::repair(document(), position, added);
    if (changed.isEmpty())
        return;
    document()->markContentsDirty(changed.from, changed.to - changed.from);
    m_gutter->update();
}

// --- typing

void YamlEditor::keyPressEvent(QKeyEvent *event)
{
    const bool popup = m_completion->isVisible();
    const int key = event->key();
    const Qt::KeyboardModifiers mods = event->modifiers() & ~Qt::KeypadModifier;
    if (popup && (key == Qt::Key_Return || key == Qt::Key_Enter || key == Qt::Key_Escape ||
                  key == Qt::Key_Tab || key == Qt::Key_Backtab)) {
        event->ignore(); // the completer takes these
        return;
    }
    if (mods == Qt::ControlModifier && key == Qt::Key_F)
        return openFind();
    if (mods == Qt::ControlModifier && key == Qt::Key_H)
        return openReplace();
    if (key == Qt::Key_F3 && (mods == Qt::NoModifier || mods == Qt::ShiftModifier)) {
        if (mods == Qt::ShiftModifier)
            findBar()->findPrevious();
        else
            findBar()->findNext();
        return;
    }
    if (key == Qt::Key_Escape && m_findBar && m_findBar->isVisible())
        return m_findBar->closeBar();
    if (mods == Qt::ControlModifier && key == Qt::Key_Space)
        return showCompletions();
    if (mods == Qt::ControlModifier && key == Qt::Key_Slash)
        return toggleComment();
    if (key == Qt::Key_Backtab)
        return unindentSelection();
    if (key == Qt::Key_Tab && mods == Qt::NoModifier) {
        const QTextCursor c = textCursor();
        if (c.hasSelection() &&
            document()->findBlock(c.selectionStart()) != document()->findBlock(c.selectionEnd()))
            return indentSelection();
        return insertPlainText(QString(indentWidth, u' '));
    }
    if ((key == Qt::Key_Return || key == Qt::Key_Enter) &&
        (mods == Qt::NoModifier || mods == Qt::ShiftModifier))
        return linecommands::insertNewline(this);
    QPlainTextEdit::keyPressEvent(event);
    m_completion->keyTyped(event, popup);
}

void YamlEditor::indentSelection()
{
    linecommands::indentSelection(this);
}

void YamlEditor::unindentSelection()
{
    linecommands::unindentSelection(this);
}

void YamlEditor::toggleComment()
{
    linecommands::toggleComment(this);
}

// --- completion

void YamlEditor::setCompletionProvider(CompletionProvider provider)
{
    m_completion->setProvider(std::move(provider));
}

QAbstractItemView *YamlEditor::completionPopup() const
{
    return m_completion->popup();
}

void YamlEditor::setAutoCompletionDelay(int ms)
{
    m_completion->setAutoDelay(ms);
}

void YamlEditor::showCompletions()
{
    m_completion->show();
}

// --- find bar

FindBar *YamlEditor::findBar()
{
    if (!m_findBar) {
        m_findBar = new FindBar(this, this);
        m_findBar->setFont(QFontDatabase::systemFont(QFontDatabase::GeneralFont));
        m_findBar->hide();
        m_findBar->installEventFilter(this);
    }
    return m_findBar;
}

void YamlEditor::openFind()
{
    findBar()->openFind();
}

void YamlEditor::openReplace()
{
    findBar()->openReplace();
}

bool YamlEditor::eventFilter(QObject *watched, QEvent *event)
{
    // The docked bar takes room below the text while shown (its height changes with the
    // replace row: LayoutRequest); an owner's layout takes it over (ParentChange).
    const QEvent::Type type = event->type();
    if (watched == m_findBar && (type == QEvent::Show || type == QEvent::Hide ||
                                 type == QEvent::ParentChange || type == QEvent::LayoutRequest))
        updateMargins();
    return QPlainTextEdit::eventFilter(watched, event);
}

} // namespace timonel::gui
