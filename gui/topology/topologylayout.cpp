#include "topologylayout.h"

#include <QCoreApplication>
#include <QMap>
#include <QMutex>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace timonel::topology {

namespace {

QByteArray laneVertex(const QString &node)
{
    return "lane:" + node.toUtf8();
}

// Graphviz's C API takes char * for what it only reads.
void set(void *object, const char *name, const char *value)
{
    agsafeset(object, const_cast<char *>(name), const_cast<char *>(value), const_cast<char *>(""));
}

void setSize(Agnode_t *n, QSizeF size)
{
    // Graphviz measures in inches of 72 points; a point is a pixel of the scene here.
    set(n, "width", QByteArray::number(size.width() / 72.0).constData());
    set(n, "height", QByteArray::number(size.height() / 72.0).constData());
}

struct Box
{
    QByteArray name;
    QSizeF size;
    QPointF topLeft;
};

// Runs dot on the boxes and edges (by box name); false when Graphviz fails.
bool runDot(QList<Box> &boxes, const QMap<QPair<QByteArray, QByteArray>, int> &edges,
            const QList<QByteArray> &laneNames)
{
    // Graphviz keeps global state: one layout at a time.
    static QMutex mutex;
    QMutexLocker lock(&mutex);
    GVC_t *gvc = gvContext();
    Agraph_t *g = agopen(const_cast<char *>("topology"), Agdirected, nullptr);
    set(g, "rankdir", "LR");
    set(g, "nodesep", "0.25");
    set(g, "ranksep", "1.2");
    set(g, "splines", "false");
    QHash<QByteArray, Agnode_t *> nodes;
    for (const Box &box : std::as_const(boxes)) {
        Agnode_t *n = agnode(g, const_cast<char *>(box.name.constData()), 1);
        set(n, "shape", "box");
        set(n, "fixedsize", "true");
        set(n, "label", "");
        setSize(n, box.size);
        nodes.insert(box.name, n);
    }
    // Lanes side by side in their order, whatever the edges say.
    Agraph_t *lanes = agsubg(g, const_cast<char *>("lanes"), 1);
    set(lanes, "rank", "same");
    for (qsizetype i = 0; i < laneNames.size(); ++i) {
        agsubnode(lanes, nodes.value(laneNames[i]), 1);
        if (i > 0) {
            Agedge_t *e =
                agedge(g, nodes.value(laneNames[i - 1]), nodes.value(laneNames[i]), nullptr, 1);
            set(e, "style", "invis");
            set(e, "weight", "100");
        }
    }
    for (auto it = edges.begin(); it != edges.end(); ++it) {
        Agedge_t *e =
            agedge(g, nodes.value(it.key().first), nodes.value(it.key().second), nullptr, 1);
        set(e, "weight", QByteArray::number(it.value()).constData());
    }
    const bool ok = gvLayout(gvc, g, "dot") == 0;
    if (ok) {
        const boxf bb = GD_bb(g);
        for (Box &box : boxes) {
            const pointf center = ND_coord(nodes.value(box.name));
            box.topLeft = QPointF(center.x - bb.LL.x - box.size.width() / 2,
                                  bb.UR.y - center.y - box.size.height() / 2);
        }
        gvFreeLayout(gvc, g);
    }
    agclose(g);
    gvFreeContext(gvc);
    return ok;
}

// Without Graphviz: lanes in one column, everything else in columns before it.
void placeInColumns(QList<Box> &boxes, qreal laneX)
{
    qreal y = 0, laneY = 0;
    for (Box &box : boxes) {
        if (box.name.startsWith("lane:")) {
            box.topLeft = {laneX, laneY};
            laneY += box.size.height() + 20;
        } else {
            box.topLeft = {0, y};
            y += box.size.height() + 12;
        }
    }
}

} // namespace

int laneColumns(int pods)
{
    return std::clamp(int(std::ceil(std::sqrt(pods / 3.0))), 1, 8);
}

LayoutInput LayoutInput::fromModel(const TopologyModel &model)
{
    LayoutInput input;
    for (const Lane &lane : model.lanes())
        input.lanes << lane.node;
    for (const Item &item : model.items())
        input.vertices.append({item.id, item.key == u"pods" && !item.ghost, item.lane});
    input.edges = model.edges();
    return input;
}

LayoutResult layOut(const LayoutInput &input)
{
    LayoutResult result;
    // The lanes and their pods.
    QStringList laneOrder = input.lanes;
    QHash<QString, QStringList> podsOf;
    QHash<QString, QString> laneOfPod;
    QStringList extra;
    bool pending = false;
    for (const LayoutInput::Vertex &v : input.vertices) {
        if (!v.inLane)
            continue;
        podsOf[v.lane] << v.id;
        laneOfPod.insert(v.id, v.lane);
        if (v.lane.isEmpty())
            pending = true;
        else if (!laneOrder.contains(v.lane) && !extra.contains(v.lane))
            extra << v.lane;
    }
    extra.sort();
    laneOrder << extra;
    if (pending)
        laneOrder << QString();

    const QSizeF pod = input.podSize;
    QList<Box> boxes;
    QList<QByteArray> laneNames;
    QHash<QByteArray, QString> laneOfVertex;
    for (const QString &lane : std::as_const(laneOrder)) {
        const int count = int(podsOf.value(lane).size());
        const int columns = laneColumns(count);
        const int rows = std::max(1, (count + columns - 1) / columns);
        // At least wide enough for the title: the node's name, role and state.
        const QSizeF size(std::max(laneMinimumWidth, 2 * laneMargin + columns * pod.width() +
                                                         (columns - 1) * podSpacing),
                          laneHeader + laneMargin + rows * pod.height() + (rows - 1) * podSpacing);
        boxes.append({laneVertex(lane), size, {}});
        laneNames << laneVertex(lane);
        laneOfVertex.insert(laneVertex(lane), lane);
    }
    for (const LayoutInput::Vertex &v : input.vertices)
        if (!v.inLane)
            boxes.append({v.id.toUtf8(), input.itemSize, {}});

    // Edges to pods go to their lane; configuration comes after the pods that use it.
    auto vertexOf = [&](const QString &id) {
        auto lane = laneOfPod.constFind(id);
        return lane == laneOfPod.cend() ? id.toUtf8() : laneVertex(*lane);
    };
    QMap<QPair<QByteArray, QByteArray>, int> edges;
    for (const Edge &edge : input.edges) {
        QByteArray from = vertexOf(edge.from), to = vertexOf(edge.to);
        if (edge.kind == EdgeKind::Uses)
            std::swap(from, to);
        if (from != to)
            ++edges[{from, to}];
    }
    if (!runDot(boxes, edges, laneNames)) {
        result.error = QCoreApplication::translate("timonel::topology::TopologyLayout",
                                                   "Graphviz could not lay the graph out");
        placeInColumns(boxes, 2 * (input.itemSize.width() + 80));
    }

    QHash<QString, qreal> yOf;
    for (const Box &box : std::as_const(boxes)) {
        if (auto lane = laneOfVertex.constFind(box.name); lane != laneOfVertex.cend()) {
            result.lanes.insert(*lane, QRectF(box.topLeft, box.size));
        } else {
            result.positions.insert(QString::fromUtf8(box.name), box.topLeft);
            yOf.insert(QString::fromUtf8(box.name), box.topLeft.y());
        }
        result.bounds |= QRectF(box.topLeft, box.size);
    }
    result.laneOrder = laneOrder;

    // Pods in their lane's grid, by where their owner (or else what selects them) sits.
    QHash<QString, QPair<int, qreal>> anchor; // pod → (Owns first, the source's y)
    for (const Edge &edge : input.edges) {
        if (!laneOfPod.contains(edge.to) || !yOf.contains(edge.from))
            continue;
        const QPair<int, qreal> a{edge.kind == EdgeKind::Owns ? 0 : 1, yOf.value(edge.from)};
        auto it = anchor.find(edge.to);
        if (it == anchor.end() || a < *it)
            anchor.insert(edge.to, a);
    }
    for (auto it = podsOf.begin(); it != podsOf.end(); ++it) {
        QStringList pods = it.value();
        std::sort(pods.begin(), pods.end(), [&](const QString &a, const QString &b) {
            const auto none = QPair<int, qreal>{2, 0};
            const auto ka = anchor.value(a, none), kb = anchor.value(b, none);
            return ka != kb ? ka < kb : a < b;
        });
        const QRectF lane = result.lanes.value(it.key());
        const int columns = laneColumns(int(pods.size()));
        for (int i = 0; i < pods.size(); ++i) {
            const int row = i / columns, column = i % columns;
            result.positions.insert(
                pods[i], lane.topLeft() + QPointF(laneMargin + column * (pod.width() + podSpacing),
                                                  laneHeader + row * (pod.height() + podSpacing)));
        }
    }
    return result;
}

} // namespace timonel::topology
