#include "yamleditor.h"

#include "findbar.h"

#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>

#include <QAbstractItemView>
#include <QCompleter>
#include <QFontDatabase>
#include <QHelpEvent>
#include <QPainter>
#include <QScrollBar>
#include <QStandardItemModel>
#include <QStyledItemDelegate>
#include <QTextBlock>
#include <QTimer>
#include <QToolTip>

namespace timonel::gui {

namespace {

KSyntaxHighlighting::Repository &repository()
{
    static KSyntaxHighlighting::Repository shared;
    return shared;
}

constexpr int indentWidth = 2;
constexpr int insertTextRole = Qt::UserRole + 1;
constexpr int detailRole = Qt::UserRole + 2;
constexpr int errorProperty = QTextFormat::UserProperty;

QColor markColor(bool error)
{
    return error ? QColor(0xda, 0x44, 0x53) : QColor(0xf6, 0x74, 0x00);
}

int indentOf(const QString &text)
{
    int i = 0;
    while (i < text.size() && text.at(i) == u' ')
        ++i;
    return i;
}

// Blank and comment-only lines neither start nor end a YAML block.
bool isInsignificant(const QString &text)
{
    const QString t = text.trimmed();
    return t.isEmpty() || t.startsWith(u'#');
}

bool isDocumentStart(const QString &text)
{
    return text.startsWith(QLatin1String("---")) && (text.size() == 3 || text.at(3).isSpace());
}

bool isDocumentEnd(const QString &text)
{
    return text.startsWith(QLatin1String("...")) && (text.size() == 3 || text.at(3).isSpace());
}

bool isSequenceItem(const QString &text, int indent)
{
    const QStringView rest = QStringView(text).mid(indent);
    return rest == u"-" || rest.startsWith(u"- ");
}

// The line without a trailing " # comment" (quotes aside: good enough for indentation).
QString codeOf(const QString &text)
{
    const qsizetype hash = text.indexOf(QLatin1String(" #"));
    return (hash < 0 ? text : text.left(hash)).trimmed();
}

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u'-' || c == u'.' || c == u'/';
}

QTextBlock nextSignificant(QTextBlock block)
{
    block = block.next();
    while (block.isValid() && isInsignificant(block.text()) && !isDocumentStart(block.text()))
        block = block.next();
    return block;
}

// A "key:" whose value is a sequence at the key's own indentation, as kubectl writes them.
bool opensSameIndentSequence(const QString &header, const QString &child, int indent)
{
    return indentOf(child) == indent && codeOf(header).endsWith(u':') &&
           isSequenceItem(child, indent);
}

// Cheap (looks at one following line): the gutter asks this for every visible line.
bool isFoldHeader(const QTextBlock &header)
{
    const QString text = header.text();
    const QTextBlock next = nextSignificant(header);
    if (!next.isValid() || isDocumentStart(next.text()))
        return false;
    if (isDocumentStart(text))
        return true;
    if (isInsignificant(text) || isDocumentEnd(text) || isDocumentEnd(next.text()))
        return false;
    const int indent = indentOf(text);
    return indentOf(next.text()) > indent || opensSameIndentSequence(text, next.text(), indent);
}

// The last line of the block a header folds: trailing blank and comment lines stay visible.
QTextBlock foldEndBlock(const QTextBlock &header)
{
    if (!isFoldHeader(header))
        return header;
    const QString text = header.text();
    QTextBlock last = header;
    if (isDocumentStart(text)) {
        for (QTextBlock b = header.next(); b.isValid() && !isDocumentStart(b.text());
             b = b.next()) {
            if (!b.text().trimmed().isEmpty())
                last = b;
            if (isDocumentEnd(b.text()))
                break;
        }
        return last;
    }
    const int indent = indentOf(text);
    const bool sequence = opensSameIndentSequence(text, nextSignificant(header).text(), indent);
    for (QTextBlock b = nextSignificant(header); b.isValid(); b = nextSignificant(b)) {
        const QString t = b.text();
        const int i = indentOf(t);
        if (isDocumentStart(t) || isDocumentEnd(t) || i < indent ||
            (i == indent && !(sequence && isSequenceItem(t, i))))
            break;
        last = b;
    }
    return last;
}

// Completion rows: the text, and the detail dimmed on the right.
class CompletionDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override
    {
        QStyledItemDelegate::paint(painter, option, index);
        const QString detail = index.data(detailRole).toString();
        if (detail.isEmpty())
            return;
        painter->save();
        const bool selected = option.state & QStyle::State_Selected;
        QColor color = option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
        color.setAlphaF(0.6f);
        painter->setPen(color);
        painter->drawText(option.rect.adjusted(0, 0, -6, 0), Qt::AlignRight | Qt::AlignVCenter,
                          detail);
        painter->restore();
    }
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        QSize size = QStyledItemDelegate::sizeHint(option, index);
        const QString detail = index.data(detailRole).toString();
        if (!detail.isEmpty())
            size.rwidth() += option.fontMetrics.horizontalAdvance(detail) + 24;
        return size;
    }
};

} // namespace

// Left of the text: problem markers, line numbers and fold markers (▸ folded, ▾ open).
class EditorGutter : public QWidget
{
public:
    explicit EditorGutter(YamlEditor *editor) : QWidget(editor), m_editor(editor) {}
    QSize sizeHint() const override { return {m_editor->gutterWidth(), 0}; }

    QColor background, numberColor, currentNumberColor;

    int markerWidth() const { return fontMetrics().height() / 2 + 4; }
    int foldWidth() const { return fontMetrics().height(); }

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override { event->accept(); }
    bool event(QEvent *event) override;

private:
    QTextBlock blockAt(int y) const
    {
        const QTextBlock block = m_editor->cursorForPosition(QPoint(0, y)).block();
        const QRectF rect =
            m_editor->blockBoundingGeometry(block).translated(m_editor->contentOffset());
        return y >= rect.top() && y < rect.bottom() ? block : QTextBlock();
    }

    YamlEditor *m_editor;
};

void EditorGutter::paintEvent(QPaintEvent *event)
{
    QPainter painter(this);
    painter.fillRect(event->rect(), background);
    // Problems by the line they are on now (their marks move with edits).
    QHash<int, bool> problems;
    for (const QTextEdit::ExtraSelection &mark : std::as_const(m_editor->m_diagnosticMarks)) {
        const int line = mark.cursor.block().blockNumber();
        problems[line] = problems.value(line) || mark.format.property(errorProperty).toBool();
    }
    const int current = m_editor->textCursor().blockNumber();
    const int numbersRight = width() - foldWidth() - 2;
    const int fold = foldWidth();
    QTextBlock block = m_editor->firstVisibleBlock();
    qreal top = m_editor->blockBoundingGeometry(block).translated(m_editor->contentOffset()).top();
    while (block.isValid() && top <= event->rect().bottom()) {
        const qreal height = m_editor->blockBoundingRect(block).height();
        if (block.isVisible() && top + height >= event->rect().top()) {
            const int lineHeight = qRound(height);
            const QRect line(0, qRound(top), width(), lineHeight);
            const int number = block.blockNumber();
            if (auto it = problems.constFind(number); it != problems.cend()) {
                const int d = markerWidth() - 6;
                painter.setRenderHint(QPainter::Antialiasing);
                painter.setPen(Qt::NoPen);
                painter.setBrush(markColor(*it));
                painter.drawEllipse(QRectF(3, line.center().y() - d / 2.0, d, d));
            }
            painter.setPen(number == current ? currentNumberColor : numberColor);
            painter.setFont(m_editor->font());
            painter.drawText(QRect(0, line.top(), numbersRight, lineHeight), Qt::AlignRight,
                             QString::number(number + 1));
            if (isFoldHeader(block)) {
                const bool folded = !block.next().isVisible();
                const QPointF c(width() - fold / 2.0 - 1, line.center().y() + 0.5);
                const qreal r = fold / 4.0;
                const QPolygonF arrow =
                    folded ? QPolygonF({c + QPointF(-r / 2, -r), c + QPointF(r, 0),
                                        c + QPointF(-r / 2, r)})
                           : QPolygonF({c + QPointF(-r, -r / 2), c + QPointF(r, -r / 2),
                                        c + QPointF(0, r)});
                painter.setRenderHint(QPainter::Antialiasing);
                painter.setPen(Qt::NoPen);
                painter.setBrush(numberColor);
                painter.drawPolygon(arrow);
            }
        }
        block = block.next();
        top += height;
    }
}

void EditorGutter::mousePressEvent(QMouseEvent *event)
{
    const QTextBlock block = blockAt(qRound(event->position().y()));
    if (block.isValid() && event->position().x() >= width() - foldWidth() - 2 &&
        isFoldHeader(block))
        m_editor->toggleFold(block.blockNumber() + 1);
}

bool EditorGutter::event(QEvent *event)
{
    if (event->type() != QEvent::ToolTip)
        return QWidget::event(event);
    auto *help = static_cast<QHelpEvent *>(event);
    const QTextBlock block = blockAt(help->pos().y());
    const QString messages =
        block.isValid() ? m_editor->diagnosticsAt(block.blockNumber() + 1) : QString();
    if (messages.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(help->globalPos(), messages, this);
    return true;
}

YamlEditor::YamlEditor(QWidget *parent)
    : QPlainTextEdit(parent), m_highlighter(new KSyntaxHighlighting::SyntaxHighlighter(document())),
      m_gutter(new EditorGutter(this)), m_completions(new QStandardItemModel(this)),
      m_autoComplete(new QTimer(this))
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

    m_completer = new QCompleter(m_completions, this);
    m_completer->setWidget(this);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchStartsWith);
    m_completer->popup()->setItemDelegate(new CompletionDelegate(m_completer->popup()));
    connect(m_completer, qOverload<const QModelIndex &>(&QCompleter::activated), this,
            [this](const QModelIndex &index) {
                insertCompletion(index.data(insertTextRole).toString());
            });
    // Typing a key pops the list up after a pause, not on every letter.
    m_autoComplete->setSingleShot(true);
    m_autoComplete->setInterval(300);
    connect(m_autoComplete, &QTimer::timeout, this, &YamlEditor::maybeAutoComplete);

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
        if (!block.next().isValid() || block.next().isVisible() || !isFoldHeader(block) ||
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
    for (const EditorDiagnostic &d : diagnostics) {
        const QTextBlock block =
            document()->findBlockByNumber(std::clamp(d.line, 1, blockCount()) - 1);
        const QString text = block.text();
        int start = std::clamp(d.column - 1, 0, int(text.size()));
        int end = start;
        if (d.length > 0) {
            end = std::min(start + d.length, int(text.size()));
        } else {
            // The token there: up to a space, or to a key's colon.
            while (
                end < text.size() && !text.at(end).isSpace() &&
                !(text.at(end) == u':' && (end + 1 == text.size() || text.at(end + 1).isSpace())))
                ++end;
            if (end == start) // nothing there: the whole line
                start = indentOf(text), end = int(text.size());
        }
        QTextEdit::ExtraSelection mark;
        mark.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        mark.format.setUnderlineColor(markColor(d.error));
        mark.format.setToolTip(d.message);
        mark.format.setProperty(errorProperty, d.error);
        mark.cursor = QTextCursor(document());
        mark.cursor.setPosition(block.position() + start);
        mark.cursor.setPosition(block.position() + end, QTextCursor::KeepAnchor);
        m_diagnosticMarks.append(mark);
    }
    updateSelections();
    m_gutter->update();
}

QString YamlEditor::diagnosticsAt(int line) const
{
    QStringList messages;
    for (const QTextEdit::ExtraSelection &mark : m_diagnosticMarks)
        if (mark.cursor.blockNumber() + 1 == line)
            messages.append(mark.format.toolTip());
    return messages.join(u'\n');
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
    const int position = cursorForPosition(help->pos()).position();
    QStringList messages;
    for (const QTextEdit::ExtraSelection &mark : std::as_const(m_diagnosticMarks))
        if (position >= mark.cursor.selectionStart() && position <= mark.cursor.selectionEnd())
            messages.append(mark.format.toolTip());
    if (messages.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(help->globalPos(), messages.join(u'\n'), viewport());
    return true;
}

// --- folding

bool YamlEditor::isFoldable(int line) const
{
    return isFoldHeader(document()->findBlockByNumber(line - 1));
}

bool YamlEditor::isFolded(int line) const
{
    const QTextBlock block = document()->findBlockByNumber(line - 1);
    return isFoldHeader(block) && !block.next().isVisible();
}

int YamlEditor::foldEnd(int line) const
{
    const QTextBlock block = document()->findBlockByNumber(line - 1);
    return block.isValid() ? foldEndBlock(block).blockNumber() + 1 : line;
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
    for (QTextBlock b = document()->firstBlock(); b.isValid(); b = b.next()) {
        if (!b.isVisible() || !isFoldHeader(b))
            continue;
        const QTextBlock end = foldEndBlock(b);
        for (QTextBlock h = b.next(); h.isValid(); h = h.next()) {
            h.setVisible(false);
            if (h == end)
                break;
        }
        b = end;
    }
    relayout(document()->firstBlock(), document()->lastBlock());
}

void YamlEditor::unfoldAll()
{
    for (QTextBlock b = document()->firstBlock(); b.isValid(); b = b.next())
        b.setVisible(true);
    relayout(document()->firstBlock(), document()->lastBlock());
}

void YamlEditor::setFolded(const QTextBlock &header, bool folded)
{
    const QTextBlock end = foldEndBlock(header);
    if (end == header)
        return;
    // Unfolding shows everything inside, nested folds included.
    for (QTextBlock b = header.next(); b.isValid(); b = b.next()) {
        b.setVisible(!folded);
        if (b == end)
            break;
    }
    if (folded) {
        const int cursor = textCursor().position();
        if (cursor > header.position() + header.length() - 1 &&
            cursor < end.position() + end.length()) {
            QTextCursor c(header);
            c.movePosition(QTextCursor::EndOfBlock);
            setTextCursor(c);
        }
    }
    relayout(header, end);
}

void YamlEditor::relayout(const QTextBlock &from, const QTextBlock &to)
{
    document()->markContentsDirty(from.position(), to.position() + to.length() - from.position());
    viewport()->update();
    m_gutter->update();
}

// Opens the folds hiding this block (the cursor, a match or an edit went there).
void YamlEditor::revealBlock(const QTextBlock &block)
{
    if (!block.isValid() || block.isVisible())
        return;
    QTextBlock b = block;
    while (b.isValid() && !b.isVisible())
        b = b.previous();
    const QTextBlock header = b;
    QTextBlock last = b;
    for (b = b.next(); b.isValid() && !b.isVisible(); b = b.next())
        b.setVisible(true), last = b;
    relayout(header, last);
}

// Keeps hidden lines behind a fold header after edits: an edit inside a fold opens it, and
// lines left hidden behind a line that no longer folds (or a new line) are shown. Runs inside
// the document's change notification, so marking the range dirty joins the pending relayout.
void YamlEditor::repairFolds(int position, int added)
{
    QTextBlock b = document()->findBlock(position);
    if (b.previous().isValid())
        b = b.previous();
    const QTextBlock last = document()->findBlock(position + added).next();
    int from = -1;
    int to = -1;
    for (; b.isValid(); b = b.next()) {
        QTextBlock run;
        if (!b.isVisible()) {
            run = b;
            while (run.previous().isValid() && !run.previous().isVisible())
                run = run.previous();
        } else if (b.next().isValid() && !b.next().isVisible() && !isFoldHeader(b)) {
            run = b.next();
        }
        if (run.isValid()) {
            from = from < 0 ? run.position() : std::min(from, run.position());
            for (; run.isValid() && !run.isVisible(); run = run.next()) {
                run.setVisible(true);
                to = run.position() + run.length();
            }
        }
        if (b == last)
            break;
    }
    if (from >= 0) {
        document()->markContentsDirty(from, to - from);
        m_gutter->update();
    }
}

// --- typing

void YamlEditor::keyPressEvent(QKeyEvent *event)
{
    const bool popup = m_completer->popup()->isVisible();
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
        (mods == Qt::NoModifier || mods == Qt::ShiftModifier) && insertNewline())
        return;
    QPlainTextEdit::keyPressEvent(event);

    if (popup) {
        refreshCompletionPrefix();
    } else if (event->text().size() == 1 && event->text().at(0).isLetter() && m_provider &&
               m_autoCompleteEnabled) {
        // A letter where a key goes (after indentation or "- "): offer keys after a pause.
        static const QRegularExpression keyPosition(QStringLiteral("^ *(- +)*[A-Za-z][\\w.-]*$"));
        const QTextCursor c = textCursor();
        if (keyPosition.match(c.block().text().left(c.positionInBlock())).hasMatch())
            m_autoComplete->start();
    }
}

bool YamlEditor::insertNewline()
{
    QTextCursor c = textCursor();
    const QString before = c.block().text().left(c.positionInBlock());
    if (!c.hasSelection() && before.trimmed().isEmpty()) {
        // Inside the indentation: the line moves down whole, an empty line above it.
        const int column = c.positionInBlock();
        c.movePosition(QTextCursor::StartOfBlock);
        c.insertBlock();
        c.setPosition(c.block().position() + column);
        setTextCursor(c);
        return true;
    }
    const QString code = codeOf(before);
    int indent = indentOf(before);
    if (code == u"-" || code.startsWith(QLatin1String("- ")))
        indent += 2; // inside the item, where its keys line up
    if (code.endsWith(u':'))
        indent += indentWidth;
    c.beginEditBlock();
    c.removeSelectedText();
    c.insertBlock();
    // The rest of the line moves down under the new indentation.
    while (c.block().text().startsWith(u' '))
        c.deleteChar();
    c.insertText(QString(indent, u' '));
    c.endEditBlock();
    setTextCursor(c);
    ensureCursorVisible();
    return true;
}

namespace {

// The lines a selection touches (a selection ending at a line's start leaves that line out).
std::pair<QTextBlock, QTextBlock> selectedBlocks(const QTextCursor &cursor)
{
    QTextDocument *doc = cursor.document();
    const QTextBlock first = doc->findBlock(cursor.selectionStart());
    QTextBlock last = doc->findBlock(cursor.selectionEnd());
    if (cursor.hasSelection() && last != first && cursor.selectionEnd() == last.position())
        last = last.previous();
    return {first, last};
}

template <typename Edit> void editLines(QPlainTextEdit *editor, Edit edit)
{
    const auto [first, last] = selectedBlocks(editor->textCursor());
    QTextCursor c(editor->document());
    c.beginEditBlock();
    for (QTextBlock b = first;; b = b.next()) {
        edit(c, b);
        if (b == last)
            break;
    }
    c.endEditBlock();
}

} // namespace

void YamlEditor::indentSelection()
{
    editLines(this, [](QTextCursor &c, const QTextBlock &b) {
        if (b.text().trimmed().isEmpty())
            return;
        c.setPosition(b.position());
        c.insertText(QString(indentWidth, u' '));
    });
}

void YamlEditor::unindentSelection()
{
    editLines(this, [](QTextCursor &c, const QTextBlock &b) {
        c.setPosition(b.position());
        c.setPosition(b.position() + std::min(indentOf(b.text()), indentWidth),
                      QTextCursor::KeepAnchor);
        c.removeSelectedText();
    });
}

void YamlEditor::toggleComment()
{
    const auto [first, last] = selectedBlocks(textCursor());
    bool allCommented = true;
    int column = std::numeric_limits<int>::max();
    for (QTextBlock b = first;; b = b.next()) {
        if (!b.text().trimmed().isEmpty()) {
            allCommented = allCommented && b.text().trimmed().startsWith(u'#');
            column = std::min(column, indentOf(b.text()));
        }
        if (b == last)
            break;
    }
    if (column == std::numeric_limits<int>::max())
        return; // only blank lines
    editLines(this, [&](QTextCursor &c, const QTextBlock &b) {
        const QString text = b.text();
        if (text.trimmed().isEmpty())
            return;
        if (allCommented) {
            const int hash = indentOf(text);
            const bool space = hash + 1 < text.size() && text.at(hash + 1) == u' ';
            c.setPosition(b.position() + hash);
            c.setPosition(b.position() + hash + (space ? 2 : 1), QTextCursor::KeepAnchor);
            c.removeSelectedText();
        } else {
            // At the shallowest indentation, so that commented blocks stay aligned.
            c.setPosition(b.position() + column);
            c.insertText(QStringLiteral("# "));
        }
    });
}

// --- completion

void YamlEditor::setCompletionProvider(CompletionProvider provider)
{
    m_provider = std::move(provider);
}

QAbstractItemView *YamlEditor::completionPopup() const
{
    return m_completer->popup();
}

QString YamlEditor::completionPrefix() const
{
    const QTextCursor c = textCursor();
    const QString text = c.block().text();
    int start = c.positionInBlock();
    while (start > 0 && isWordChar(text.at(start - 1)))
        --start;
    // A sequence dash is not part of the word.
    while (start < c.positionInBlock() && text.at(start) == u'-')
        ++start;
    return text.mid(start, c.positionInBlock() - start);
}

void YamlEditor::setAutoCompletionDelay(int ms)
{
    m_autoComplete->setInterval(std::max(0, ms));
    m_autoCompleteEnabled = ms >= 0;
}

void YamlEditor::showCompletions()
{
    m_autoComplete->stop();
    if (!m_provider)
        return;
    m_completions->clear();
    for (const CompletionItem &item : m_provider(cursorLine(), cursorColumn())) {
        auto *row = new QStandardItem(item.text);
        row->setEditable(false);
        row->setData(item.insertText.isEmpty() ? item.text : item.insertText, insertTextRole);
        row->setData(item.detail, detailRole);
        row->setToolTip(item.detail);
        m_completions->appendRow(row);
    }
    const QString prefix = completionPrefix();
    m_completionStart = textCursor().position() - int(prefix.size());
    m_completer->setCompletionPrefix(prefix);
    refreshCompletionPrefix();
}

void YamlEditor::refreshCompletionPrefix()
{
    const QTextCursor c = textCursor();
    const QTextBlock block = document()->findBlock(m_completionStart);
    const QString typed =
        block.text().mid(m_completionStart - block.position(), c.position() - m_completionStart);
    const bool inWord = c.block() == block && c.position() >= m_completionStart &&
                        std::all_of(typed.begin(), typed.end(), isWordChar);
    if (inWord)
        m_completer->setCompletionPrefix(typed);
    if (!inWord || m_completer->completionCount() == 0) {
        m_completer->popup()->hide();
        return;
    }
    QAbstractItemView *popup = m_completer->popup();
    QTextCursor start(document());
    start.setPosition(m_completionStart);
    QRect rect = cursorRect(start).translated(viewport()->pos());
    rect.setWidth(popup->sizeHintForColumn(0) + popup->verticalScrollBar()->sizeHint().width());
    m_completer->complete(rect);
    popup->setCurrentIndex(m_completer->completionModel()->index(0, 0));
}

void YamlEditor::maybeAutoComplete()
{
    if (!hasFocus() || m_completer->popup()->isVisible())
        return;
    showCompletions();
    // The one match being exactly what was typed helps nobody.
    if (m_completer->completionCount() == 1 &&
        m_completer->currentCompletion() == completionPrefix())
        m_completer->popup()->hide();
}

void YamlEditor::insertCompletion(const QString &insertText)
{
    QTextCursor c = textCursor();
    const int end = c.position();
    if (m_completionStart < 0 || m_completionStart > end)
        return;
    c.setPosition(m_completionStart);
    const int column = c.positionInBlock();
    c.setPosition(end, QTextCursor::KeepAnchor);
    QString text = insertText;
    text.replace(u'\n', u'\n' + QString(column, u' '));
    c.beginEditBlock();
    c.insertText(text);
    c.endEditBlock();
    setTextCursor(c);
    m_completionStart = -1;
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
