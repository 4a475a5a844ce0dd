// The topology graph's view: zoom (Ctrl+wheel, Ctrl++ / Ctrl+-), pan (drag, scroll bars),
// fit (F or Ctrl+0), and a context menu on a card or a node's lane title.
#pragma once

#include <QGraphicsView>

namespace timonel::topology {

class TopologyScene;

class TopologyView : public QGraphicsView
{
    Q_OBJECT
public:
    explicit TopologyView(TopologyScene *scene, QWidget *parent = nullptr);

    TopologyScene *topologyScene() const { return m_scene; }
    void zoomBy(qreal factor);
    void fit();
    qreal zoom() const { return transform().m11(); }

Q_SIGNALS:
    // Right-click on a card, or on a lane's title (node is then set, id empty).
    void objectMenuRequested(const QString &id, const QPoint &globalPos);
    void nodeMenuRequested(const QString &node, const QPoint &globalPos);
    // Double-click on a card.
    void objectActivated(const QString &id);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;

private:
    TopologyScene *m_scene;
    bool m_fitted = false; // the first layout fits the view; later ones keep the user's zoom
};

} // namespace timonel::topology
