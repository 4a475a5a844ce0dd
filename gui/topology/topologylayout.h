// Where the topology graph's items go: a layered layout, left to right — Ingresses, Services
// and workloads, ReplicaSets and Jobs, then the cluster's nodes as lanes holding their pods,
// then the configuration pods use.
//
// Graphviz's dot lays out everything but the pods, with each lane as one box sized for its pods;
// within a lane, pods sit in a grid, ordered by the place of their owner so that edges cross
// little. Lanes keep their order (control planes first, then by name) whatever the edges.
// Pure computation on plain values: the view runs it off the UI thread.
#pragma once

#include "topologymodel.h"

#include <QHash>
#include <QList>
#include <QPointF>
#include <QRectF>
#include <QSizeF>
#include <QString>

namespace timonel::topology {

struct LayoutInput
{
    struct Vertex
    {
        QString id;
        bool inLane = false; // a scheduled or pending pod: placed in its lane's grid
        QString lane;        // for those: the node, "" for pods not scheduled yet
    };
    QList<Vertex> vertices;
    QList<Edge> edges;
    QStringList lanes; // in the order to show them; more are added for pods on unknown nodes
    QSizeF itemSize{180, 46};
    QSizeF podSize{160, 40};

    static LayoutInput fromModel(const TopologyModel &model);
};

struct LayoutResult
{
    QHash<QString, QPointF> positions; // each vertex's top-left corner
    QHash<QString, QRectF> lanes;      // by node name ("" for the pending pods' lane)
    QStringList laneOrder;
    QRectF bounds;
    QString error; // Graphviz failed: everything was placed in plain columns instead
};

// The grid of a lane: how many pods side by side.
int laneColumns(int pods);
inline constexpr qreal laneHeader = 30;
inline constexpr qreal laneMargin = 10;
inline constexpr qreal podSpacing = 8;
inline constexpr qreal laneMinimumWidth = 300;

LayoutResult layOut(const LayoutInput &input);

} // namespace timonel::topology
