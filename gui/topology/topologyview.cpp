#include "topologyview.h"

#include "topologyitems.h"
#include "topologyscene.h"

#include <QContextMenuEvent>
#include <QKeyEvent>
#include <QWheelEvent>

namespace timonel::topology {

TopologyView::TopologyView(TopologyScene *scene, QWidget *parent)
    : QGraphicsView(scene, parent), m_scene(scene)
{
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setOptimizationFlags(QGraphicsView::DontSavePainterState);
    setFocusPolicy(Qt::StrongFocus);
    connect(scene, &TopologyScene::laidOut, this, [this] {
        if (!m_fitted && m_scene->objectCount() > 0) {
            m_fitted = true;
            fit();
        }
    });
}

void TopologyView::zoomBy(qreal factor)
{
    const qreal target = std::clamp(zoom() * factor, 0.05, 4.0);
    scale(target / zoom(), target / zoom());
}

void TopologyView::fit()
{
    const QRectF bounds = scene()->itemsBoundingRect();
    if (bounds.isEmpty())
        return;
    fitInView(bounds.adjusted(-20, -20, 20, 20), Qt::KeepAspectRatio);
    if (zoom() > 1.0) // small graphs at their natural size
        setTransform(QTransform());
    centerOn(bounds.center());
}

void TopologyView::wheelEvent(QWheelEvent *event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        zoomBy(std::pow(1.0015, event->angleDelta().y()));
        event->accept();
        return;
    }
    QGraphicsView::wheelEvent(event);
}

void TopologyView::keyPressEvent(QKeyEvent *event)
{
    const bool control = event->modifiers() & Qt::ControlModifier;
    if ((control && (event->key() == Qt::Key_Plus || event->key() == Qt::Key_Equal)))
        zoomBy(1.25);
    else if (control && event->key() == Qt::Key_Minus)
        zoomBy(0.8);
    else if ((control && event->key() == Qt::Key_0) || event->key() == Qt::Key_F)
        fit();
    else
        return QGraphicsView::keyPressEvent(event);
    event->accept();
}

void TopologyView::contextMenuEvent(QContextMenuEvent *event)
{
    const QPointF at = mapToScene(event->pos());
    for (QGraphicsItem *item : scene()->items(at)) {
        if (item->type() == ObjectItem::Type) {
            const QString id = static_cast<ObjectItem *>(item)->item().id;
            m_scene->select(id);
            Q_EMIT objectMenuRequested(id, event->globalPos());
            return;
        }
        if (item->type() == LaneItem::Type) {
            auto *lane = static_cast<LaneItem *>(item);
            if (lane->isOnHeader(at) && !lane->lane().node.isEmpty())
                Q_EMIT nodeMenuRequested(lane->lane().node, event->globalPos());
            return;
        }
    }
}

void TopologyView::mouseDoubleClickEvent(QMouseEvent *event)
{
    for (QGraphicsItem *item : scene()->items(mapToScene(event->pos()))) {
        if (item->type() == ObjectItem::Type) {
            Q_EMIT objectActivated(static_cast<ObjectItem *>(item)->item().id);
            return;
        }
    }
    QGraphicsView::mouseDoubleClickEvent(event);
}

} // namespace timonel::topology
