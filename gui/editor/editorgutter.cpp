#include "editor/editorgutter.h"

#include "editor/folding.h"
#include "editor/problemmarks.h"
#include "editor/yamleditor.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

namespace timonel::gui {

EditorGutter::EditorGutter(YamlEditor *editor) : QWidget(editor), m_editor(editor) {}

QSize EditorGutter::sizeHint() const
{
    return {m_editor->gutterWidth(), 0};
}

QTextBlock EditorGutter::blockAt(int y) const
{
    const QTextBlock block = m_editor->cursorForPosition(QPoint(0, y)).block();
    const QRectF rect =
        m_editor->blockBoundingGeometry(block).translated(m_editor->contentOffset());
    return y >= rect.top() && y < rect.bottom() ? block : QTextBlock();
}

void EditorGutter::paintEvent(QPaintEvent *event)
{
    QPainter painter(this);
    painter.fillRect(event->rect(), background);
    const QHash<int, bool> problems = m_editor->problemLines();
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
                painter.setBrush(problemmarks::color(*it));
                painter.drawEllipse(QRectF(3, line.center().y() - d / 2.0, d, d));
            }
            painter.setPen(number == current ? currentNumberColor : numberColor);
            painter.setFont(m_editor->font());
            painter.drawText(QRect(0, line.top(), numbersRight, lineHeight), Qt::AlignRight,
                             QString::number(number + 1));
            if (folding::isHeader(block)) {
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
        folding::isHeader(block))
        m_editor->toggleFold(block.blockNumber() + 1);
}

void EditorGutter::mouseReleaseEvent(QMouseEvent *event)
{
    event->accept();
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

} // namespace timonel::gui
