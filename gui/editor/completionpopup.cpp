#include "editor/completionpopup.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QKeyEvent>
#include <QPainter>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QScrollBar>
#include <QStandardItemModel>
#include <QStyledItemDelegate>
#include <QTextBlock>
#include <QTimer>

#include <algorithm>

namespace timonel::gui {

namespace {

constexpr int insertTextRole = Qt::UserRole + 1;
constexpr int detailRole = Qt::UserRole + 2;

bool isWordChar(QChar c)
{
    return c.isLetterOrNumber() || c == u'_' || c == u'-' || c == u'.' || c == u'/';
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

CompletionPopup::CompletionPopup(QPlainTextEdit *editor)
    : QObject(editor), m_editor(editor), m_items(new QStandardItemModel(this)),
      m_autoTimer(new QTimer(this))
{
    m_completer = new QCompleter(m_items, this);
    m_completer->setWidget(editor);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchStartsWith);
    m_completer->popup()->setItemDelegate(new CompletionDelegate(m_completer->popup()));
    connect(m_completer, qOverload<const QModelIndex &>(&QCompleter::activated), this,
            [this](const QModelIndex &index) { insert(index.data(insertTextRole).toString()); });
    // Typing a key pops the list up after a pause, not on every letter.
    m_autoTimer->setSingleShot(true);
    m_autoTimer->setInterval(300);
    connect(m_autoTimer, &QTimer::timeout, this, &CompletionPopup::autoComplete);
}

void CompletionPopup::setProvider(CompletionProvider provider)
{
    m_provider = std::move(provider);
}

QAbstractItemView *CompletionPopup::popup() const
{
    return m_completer->popup();
}

bool CompletionPopup::isVisible() const
{
    return m_completer->popup()->isVisible();
}

void CompletionPopup::setAutoDelay(int ms)
{
    m_autoTimer->setInterval(std::max(0, ms));
    m_autoEnabled = ms >= 0;
}

QString CompletionPopup::prefix() const
{
    const QTextCursor c = m_editor->textCursor();
    const QString text = c.block().text();
    int start = c.positionInBlock();
    while (start > 0 && isWordChar(text.at(start - 1)))
        --start;
    // A sequence dash is not part of the word.
    while (start < c.positionInBlock() && text.at(start) == u'-')
        ++start;
    return text.mid(start, c.positionInBlock() - start);
}

void CompletionPopup::show()
{
    m_autoTimer->stop();
    if (!m_provider)
        return;
    m_items->clear();
    const QTextCursor cursor = m_editor->textCursor();
    for (const CompletionItem &item :
         m_provider(cursor.blockNumber() + 1, cursor.positionInBlock() + 1)) {
        auto *row = new QStandardItem(item.text);
        row->setEditable(false);
        row->setData(item.insertText.isEmpty() ? item.text : item.insertText, insertTextRole);
        row->setData(item.detail, detailRole);
        row->setToolTip(item.detail);
        m_items->appendRow(row);
    }
    const QString typed = prefix();
    m_start = cursor.position() - int(typed.size());
    m_completer->setCompletionPrefix(typed);
    refreshPrefix();
}

void CompletionPopup::keyTyped(const QKeyEvent *event, bool wasVisible)
{
    if (wasVisible) {
        refreshPrefix();
    } else if (event->text().size() == 1 && event->text().at(0).isLetter() && m_provider &&
               m_autoEnabled) {
        // A letter where a key goes (after indentation or "- "): offer keys after a pause.
        static const QRegularExpression keyPosition(QStringLiteral("^ *(- +)*[A-Za-z][\\w.-]*$"));
        const QTextCursor c = m_editor->textCursor();
        if (keyPosition.match(c.block().text().left(c.positionInBlock())).hasMatch())
            m_autoTimer->start();
    }
}

void CompletionPopup::refreshPrefix()
{
    const QTextCursor c = m_editor->textCursor();
    QTextDocument *document = m_editor->document();
    const QTextBlock block = document->findBlock(m_start);
    const QString typed = block.text().mid(m_start - block.position(), c.position() - m_start);
    const bool inWord = c.block() == block && c.position() >= m_start &&
                        std::all_of(typed.begin(), typed.end(), isWordChar);
    if (inWord)
        m_completer->setCompletionPrefix(typed);
    if (!inWord || m_completer->completionCount() == 0) {
        m_completer->popup()->hide();
        return;
    }
    QAbstractItemView *popup = m_completer->popup();
    QTextCursor start(document);
    start.setPosition(m_start);
    QRect rect = m_editor->cursorRect(start).translated(m_editor->viewport()->pos());
    rect.setWidth(popup->sizeHintForColumn(0) + popup->verticalScrollBar()->sizeHint().width());
    m_completer->complete(rect);
    popup->setCurrentIndex(m_completer->completionModel()->index(0, 0));
}

void CompletionPopup::autoComplete()
{
    if (!m_editor->hasFocus() || isVisible())
        return;
    show();
    // The one match being exactly what was typed helps nobody.
    if (m_completer->completionCount() == 1 && m_completer->currentCompletion() == prefix())
        m_completer->popup()->hide();
}

void CompletionPopup::insert(const QString &insertText)
{
    QTextCursor c = m_editor->textCursor();
    const int end = c.position();
    if (m_start < 0 || m_start > end)
        return;
    c.setPosition(m_start);
    const int column = c.positionInBlock();
    c.setPosition(end, QTextCursor::KeepAnchor);
    QString text = insertText;
    text.replace(u'\n', u'\n' + QString(column, u' '));
    c.beginEditBlock();
    c.insertText(text);
    c.endEditBlock();
    m_editor->setTextCursor(c);
    m_start = -1;
}

} // namespace timonel::gui
