// The topology graph as a scene: follows a TopologyModel, lays it out off the UI thread after
// each change of structure (a few changes in a row give one layout), and moves the cards to
// their new places in a short animation rather than jumping; new pods come out of their node's
// lane title. A status change only repaints its card.
#pragma once

#include "topologylayout.h"

#include <QFutureWatcher>
#include <QGraphicsScene>
#include <QHash>

class QTimer;
class QVariantAnimation;

namespace timonel::topology {

class EdgesItem;
class LaneItem;
class ObjectItem;

class TopologyScene : public QGraphicsScene
{
    Q_OBJECT
public:
    explicit TopologyScene(TopologyModel *model, QObject *parent = nullptr);
    ~TopologyScene() override;

    TopologyModel *model() const { return m_model; }
    ObjectItem *objectItem(const QString &id) const { return m_objects.value(id); }
    LaneItem *laneItem(const QString &node) const { return m_lanes.value(node); }
    int objectCount() const { return int(m_objects.size()); }
    // How many layouts were applied: a status change must not add one.
    int layoutCount() const { return m_layouts; }
    // True while a layout is pending, running or being animated.
    bool isSettling() const;
    // Off: cards go straight to their places (tests, benchmarks).
    void setAnimated(bool animated) { m_animated = animated; }
    // The last layout's problem ("" when Graphviz did its work).
    QString layoutError() const { return m_layoutError; }

    // The selected object's id, "" for none.
    QString selectedId() const;
    void select(const QString &id);

protected:
    bool event(QEvent *event) override;

Q_SIGNALS:
    void laidOut();
    void objectSelected(const QString &id);

private:
    void scheduleLayout();
    void startLayout();
    void applyLayout(const LayoutResult &result);
    void updateItems(const QStringList &ids);
    void syncLanes(const LayoutResult &result);
    void onAnimationStep(qreal t);

    TopologyModel *m_model;
    QHash<QString, ObjectItem *> m_objects; // by item id
    QHash<QString, LaneItem *> m_lanes;     // by node
    EdgesItem *m_edges;
    QTimer *m_layoutTimer;
    QFutureWatcher<LayoutResult> m_layoutWatcher;
    bool m_layoutAgain = false;
    int m_layouts = 0;
    QString m_layoutError;
    bool m_animated = true;

    struct Move
    {
        QGraphicsItem *item;
        QPointF from;
        QPointF to;
        bool fadeIn;
    };
    QList<Move> m_moves;
    QVariantAnimation *m_animation;
};

} // namespace timonel::topology
