#include "topologyscene.h"

#include "topologyitems.h"

#include <QEvent>
#include <QtConcurrentRun>
#include <QTimer>
#include <QVariantAnimation>

namespace timonel::topology {

TopologyScene::TopologyScene(TopologyModel *model, QObject *parent)
    : QGraphicsScene(parent), m_model(model), m_edges(new EdgesItem),
      m_layoutTimer(new QTimer(this)), m_animation(new QVariantAnimation(this))
{
    addItem(m_edges);
    setItemIndexMethod(QGraphicsScene::BspTreeIndex);
    m_layoutTimer->setSingleShot(true);
    m_layoutTimer->setInterval(60);
    connect(m_layoutTimer, &QTimer::timeout, this, &TopologyScene::startLayout);
    connect(&m_layoutWatcher, &QFutureWatcher<LayoutResult>::finished, this, [this] {
        applyLayout(m_layoutWatcher.result());
        if (m_layoutAgain) {
            m_layoutAgain = false;
            scheduleLayout();
        }
    });
    m_animation->setDuration(350);
    m_animation->setStartValue(0.0);
    m_animation->setEndValue(1.0);
    m_animation->setEasingCurve(QEasingCurve::OutCubic);
    connect(m_animation, &QVariantAnimation::valueChanged, this,
            [this](const QVariant &t) { onAnimationStep(t.toReal()); });
    connect(model, &TopologyModel::structureChanged, this, &TopologyScene::scheduleLayout);
    connect(model, &TopologyModel::itemsChanged, this, &TopologyScene::updateItems);
    connect(this, &QGraphicsScene::selectionChanged, this,
            [this] { Q_EMIT objectSelected(selectedId()); });
    scheduleLayout();
}

TopologyScene::~TopologyScene()
{
    m_layoutWatcher.waitForFinished();
}

bool TopologyScene::isSettling() const
{
    return m_layoutTimer->isActive() || m_layoutWatcher.isRunning() || m_layoutAgain ||
           m_animation->state() == QAbstractAnimation::Running;
}

QString TopologyScene::selectedId() const
{
    for (QGraphicsItem *item : selectedItems())
        if (item->type() == ObjectItem::Type)
            return static_cast<ObjectItem *>(item)->item().id;
    return {};
}

void TopologyScene::select(const QString &id)
{
    clearSelection();
    if (ObjectItem *item = m_objects.value(id))
        item->setSelected(true);
}

bool TopologyScene::event(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange) {
        TopologyColors::refresh();
        update();
    }
    return QGraphicsScene::event(event);
}

void TopologyScene::scheduleLayout()
{
    if (m_layoutWatcher.isRunning())
        m_layoutAgain = true;
    else
        m_layoutTimer->start();
}

void TopologyScene::startLayout()
{
    // The model is read here, on the UI thread; Graphviz works on the copy.
    LayoutInput input = LayoutInput::fromModel(*m_model);
    m_layoutWatcher.setFuture(
        QtConcurrent::run([input = std::move(input)] { return layOut(input); }));
}

void TopologyScene::syncLanes(const LayoutResult &result)
{
    QHash<QString, Lane> lanes;
    for (const Lane &lane : m_model->lanes())
        lanes.insert(lane.node, lane);
    for (auto it = m_lanes.begin(); it != m_lanes.end();) {
        if (!result.lanes.contains(it.key())) {
            delete *it;
            it = m_lanes.erase(it);
        } else {
            ++it;
        }
    }
    for (auto it = result.lanes.begin(); it != result.lanes.end(); ++it) {
        Lane lane = lanes.value(it.key(), Lane{it.key(), false, false, {}});
        if (lane.status.isEmpty() && !lane.node.isEmpty())
            lane.status = QStringLiteral("Unknown");
        LaneItem *item = m_lanes.value(it.key());
        if (!item) {
            item = new LaneItem(lane);
            addItem(item);
            m_lanes.insert(it.key(), item);
        } else {
            item->setLane(lane);
        }
        item->setRect(*it);
    }
}

void TopologyScene::applyLayout(const LayoutResult &result)
{
    ++m_layouts;
    m_layoutError = result.error;
    m_animation->stop();
    onAnimationStep(1.0); // a running animation ends where it was going
    m_moves.clear();
    syncLanes(result);

    // Cards that went, or are no longer shown, go now.
    for (auto it = m_objects.begin(); it != m_objects.end();) {
        if (!result.positions.contains(it.key()) || !m_model->isShown(it.key())) {
            delete *it;
            it = m_objects.erase(it);
        } else {
            ++it;
        }
    }
    const LayoutInput sizes;
    for (auto it = result.positions.begin(); it != result.positions.end(); ++it) {
        const Item *item = m_model->item(it.key());
        if (!item)
            continue; // gone since the layout started; the next one has it
        ObjectItem *card = m_objects.value(it.key());
        const bool pod = item->key == u"pods" && !item->ghost;
        if (!card) {
            card = new ObjectItem(*item, pod ? sizes.podSize : sizes.itemSize);
            addItem(card);
            m_objects.insert(it.key(), card);
            // New pods come out of their lane's title; others fade in where they go.
            const QRectF lane = result.lanes.value(item->lane);
            const QPointF from = pod ? lane.topLeft() + QPointF(laneMargin, 0) : *it;
            card->setPos(from);
            card->setOpacity(m_animated ? 0 : 1);
            m_moves.append({card, from, *it, true});
        } else {
            card->setItem(*item);
            if (card->pos() != *it)
                m_moves.append({card, card->pos(), *it, false});
        }
    }

    QList<EdgesItem::Line> lines;
    for (const Edge &edge : m_model->edges()) {
        const ObjectItem *from = m_objects.value(edge.from), *to = m_objects.value(edge.to);
        if (from && to)
            lines.append({from, to, edge.kind,
                          to->item().key == u"pods" ? m_lanes.value(to->item().lane) : nullptr});
    }
    m_edges->setLines(std::move(lines));
    setSceneRect(result.bounds.adjusted(-40, -40, 40, 40));

    if (m_animated && !m_moves.isEmpty())
        m_animation->start();
    else
        onAnimationStep(1.0);
    Q_EMIT laidOut();
}

void TopologyScene::onAnimationStep(qreal t)
{
    for (const Move &move : std::as_const(m_moves)) {
        move.item->setPos(move.from + (move.to - move.from) * t);
        if (move.fadeIn)
            move.item->setOpacity(t);
    }
    if (!m_moves.isEmpty())
        m_edges->refresh();
    if (t >= 1.0)
        m_moves.clear();
}

void TopologyScene::updateItems(const QStringList &ids)
{
    for (const QString &id : ids) {
        if (ObjectItem *card = m_objects.value(id)) {
            if (const Item *item = m_model->item(id))
                card->setItem(*item);
        } else if (id.startsWith(QLatin1String("nodes||"))) {
            const QString node = id.mid(7);
            if (LaneItem *lane = m_lanes.value(node))
                for (const Lane &l : m_model->lanes())
                    if (l.node == node)
                        lane->setLane(l);
        }
    }
}

} // namespace timonel::topology
