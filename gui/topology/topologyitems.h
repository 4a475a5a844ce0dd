// What the topology scene draws: one card per object (kind, name, status, a restart badge),
// one lane per cluster node holding its pods, and all edges as one item that draws them
// between the cards' current places (so moving cards drag their edges along).
#pragma once

#include "topologymodel.h"

#include <QGraphicsItem>

namespace timonel::topology {

// Colours by health, readable on the palette's base colour (light or dark).
QColor healthColor(Health health);

// The cards' colours, worked out once per palette rather than in every paint (a thousand cards
// repaint in one frame). The scene refreshes them when the palette changes.
struct TopologyColors
{
    QColor base, window, text, windowText, highlight, placeholder;
    bool dark = false;
    QColor fill[5];       // by Health: the card's background
    QColor statusText[5]; // by Health: the status line

    static const TopologyColors &current();
    static void refresh();
};

// The GitOps sync that applied the item (its gitops.timonel.dev/sync label), "" for none.
QString syncOf(const Item &item);

class ObjectItem : public QGraphicsItem
{
public:
    enum
    {
        Type = UserType + 1
    };
    ObjectItem(const Item &item, QSizeF size);

    const Item &item() const { return m_item; }
    void setItem(const Item &item);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    Item m_item;
    QSizeF m_size;
};

class LaneItem : public QGraphicsItem
{
public:
    enum
    {
        Type = UserType + 2
    };
    explicit LaneItem(const Lane &lane);

    const Lane &lane() const { return m_lane; }
    void setLane(const Lane &lane);
    void setRect(const QRectF &rect); // in scene coordinates
    QRectF rect() const { return m_rect; }
    // True over the title line, where the node's menu opens.
    bool isOnHeader(const QPointF &scenePos) const;

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    Lane m_lane;
    QRectF m_rect;
};

class EdgesItem : public QGraphicsItem
{
public:
    EdgesItem();

    struct Line
    {
        const QGraphicsItem *from;
        const QGraphicsItem *to;
        EdgeKind kind;
        const QGraphicsItem *lane; // the target pod's lane, else nullptr
    };
    void setLines(QList<Line> lines);
    // The cards moved: their edges are drawn again.
    void refresh();

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QList<Line> m_lines;
    QRectF m_bounds;
};

} // namespace timonel::topology
