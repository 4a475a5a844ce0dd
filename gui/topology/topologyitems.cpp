#include "topologyitems.h"

#include "gitops/synclabel.h"

#include <QApplication>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

using namespace Qt::StringLiterals;

namespace timonel::topology {

namespace {

QColor blend(const QColor &a, const QColor &b, qreal t)
{
    return QColor::fromRgbF(a.redF() * (1 - t) + b.redF() * t,
                            a.greenF() * (1 - t) + b.greenF() * t,
                            a.blueF() * (1 - t) + b.blueF() * t);
}

} // namespace

QColor healthColor(Health health)
{
    switch (health) {
    case Health::Good:
        return QColor(0x2e, 0x9d, 0x4a);
    case Health::Progressing:
        return QColor(0xd8, 0x9b, 0x1a);
    case Health::Failed:
        return QColor(0xd0, 0x35, 0x2b);
    case Health::Finished:
        return QColor(0x5b, 0x7d, 0xb1);
    case Health::Unknown:
        break;
    }
    return QColor(0x8a, 0x8a, 0x8a);
}

namespace {

TopologyColors makeColors()
{
    const QPalette palette = QApplication::palette();
    TopologyColors c;
    c.base = palette.color(QPalette::Base);
    c.window = palette.color(QPalette::Window);
    c.text = palette.color(QPalette::Text);
    c.windowText = palette.color(QPalette::WindowText);
    c.highlight = palette.color(QPalette::Highlight);
    c.placeholder = palette.color(QPalette::PlaceholderText);
    c.dark = c.base.lightness() < c.text.lightness();
    for (Health h :
         {Health::Good, Health::Progressing, Health::Failed, Health::Finished, Health::Unknown}) {
        c.fill[int(h)] = blend(c.base, healthColor(h), c.dark ? 0.28 : 0.14);
        c.statusText[int(h)] = healthColor(h).darker(c.dark ? 60 : 130);
    }
    return c;
}

TopologyColors &colors()
{
    static TopologyColors c = makeColors();
    return c;
}

} // namespace

const TopologyColors &TopologyColors::current()
{
    return colors();
}

void TopologyColors::refresh()
{
    colors() = makeColors();
}

QString syncOf(const Item &item)
{
    return item.labels.value(gitops::syncLabel).toString();
}

ObjectItem::ObjectItem(const Item &item, QSizeF size) : m_size(size)
{
    setFlag(ItemIsSelectable);
    setZValue(2);
    setItem(item);
}

void ObjectItem::setItem(const Item &item)
{
    m_item = item;
    QString tip = item.kind + u' ' + (item.ns.isEmpty() ? item.name : item.ns + u'/' + item.name);
    if (const QString sync = syncOf(item); !sync.isEmpty())
        tip += u'\n' + QCoreApplication::translate("timonel::topology::TopologyScene",
                                                   "From git, by the GitOps sync \"%1\"")
                           .arg(sync);
    setToolTip(tip);
    update();
}

QRectF ObjectItem::boundingRect() const
{
    return QRectF(-2, -11, m_size.width() + 10, m_size.height() + 13);
}

void ObjectItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const TopologyColors &colors = TopologyColors::current();
    const QColor accent = healthColor(m_item.health);
    const QRectF card(0, 0, m_size.width(), m_size.height());
    const qreal detail = option->levelOfDetailFromTransform(painter->worldTransform());
    painter->setOpacity(m_item.ghost ? 0.55 : m_item.terminating ? 0.45 : 1.0);
    const QColor &fill = colors.fill[int(m_item.health)];
    if (detail < 0.35) {
        // Too small to read: the health's colours only, the cheap way (a thousand pods repaint
        // in one frame when their states change).
        painter->setRenderHint(QPainter::Antialiasing, false);
        painter->fillRect(card, isSelected() ? colors.highlight : fill);
        painter->fillRect(QRectF(0, 0, 8 / std::max(detail, 0.05), m_size.height()), accent);
        return;
    }

    QPen border(isSelected() ? colors.highlight : accent, isSelected() ? 2.5 : 1.2);
    if (m_item.ghost)
        border.setStyle(Qt::DashLine);
    painter->setPen(border);
    painter->setBrush(fill);
    painter->drawRoundedRect(card, 6, 6);
    // The health as a strip on the left.
    painter->fillRect(QRectF(1, 4, 4, m_size.height() - 8), accent);

    QFont font = painter->font();
    const QFontMetricsF metrics(font);
    painter->setPen(colors.text);
    const qreal left = 10, width = m_size.width() - left - 6;
    const QString title =
        m_item.key == u"pods" && !m_item.ghost ? m_item.name : m_item.kind + u' ' + m_item.name;
    painter->drawText(QPointF(left, 4 + metrics.ascent()),
                      metrics.elidedText(title, Qt::ElideMiddle, width));
    QString second = m_item.ghost ? QCoreApplication::translate("timonel::topology::TopologyScene",
                                                                "not yet deployed")
                                  : m_item.status;
    if (!m_item.ghost && !m_item.detail.isEmpty())
        second += u"  ·  "_s + m_item.detail;
    painter->setPen(m_item.ghost ? colors.placeholder : colors.statusText[int(m_item.health)]);
    painter->drawText(QPointF(left, m_size.height() - 6 - metrics.descent()),
                      metrics.elidedText(second, Qt::ElideRight, width));

    if (!syncOf(m_item).isEmpty()) {
        // Synced from git: a tag on the top left edge.
        const QString tag = u"git"_s;
        QFont small = font;
        small.setPointSizeF(font.pointSizeF() * 0.75);
        const QFontMetricsF smallMetrics(small);
        const QRectF badge(10, -10, smallMetrics.horizontalAdvance(tag) + 8,
                           smallMetrics.height() + 1);
        painter->setPen(Qt::NoPen);
        painter->setBrush(QColor(0x7b, 0x5e, 0xa7));
        painter->drawRoundedRect(badge, 4, 4);
        painter->setPen(Qt::white);
        painter->setFont(small);
        painter->drawText(badge, Qt::AlignCenter, tag);
        painter->setFont(font);
    }
    if (m_item.restarts > 0) {
        const QString count = QString::number(m_item.restarts);
        const qreal w = std::max(16.0, metrics.horizontalAdvance(count) + 8);
        const QRectF badge(m_size.width() - w + 4, -7, w, 16);
        painter->setPen(Qt::NoPen);
        painter->setBrush(healthColor(Health::Failed));
        painter->drawRoundedRect(badge, 8, 8);
        painter->setPen(Qt::white);
        painter->drawText(badge, Qt::AlignCenter, count);
    }
}

LaneItem::LaneItem(const Lane &lane) : m_lane(lane)
{
    setZValue(0);
}

void LaneItem::setLane(const Lane &lane)
{
    m_lane = lane;
    update();
}

void LaneItem::setRect(const QRectF &rect)
{
    prepareGeometryChange();
    m_rect = rect;
}

bool LaneItem::isOnHeader(const QPointF &scenePos) const
{
    return QRectF(m_rect.topLeft(), QSizeF(m_rect.width(), 30)).contains(scenePos);
}

QRectF LaneItem::boundingRect() const
{
    return m_rect.adjusted(-2, -2, 2, 2);
}

void LaneItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    const TopologyColors &colors = TopologyColors::current();
    const bool pending = m_lane.node.isEmpty();
    const QColor accent = pending        ? healthColor(Health::Unknown)
                          : m_lane.ready ? healthColor(Health::Good)
                                         : healthColor(Health::Failed);
    QPen border(accent, 1.5);
    if (pending || !m_lane.ready)
        border.setStyle(Qt::DashLine);
    painter->setPen(border);
    painter->setBrush(blend(colors.window, accent, 0.06));
    painter->drawRoundedRect(m_rect, 10, 10);

    QFont font = painter->font();
    font.setBold(true);
    painter->setFont(font);
    painter->setPen(colors.windowText);
    const QString role =
        m_lane.controlPlane
            ? QCoreApplication::translate("timonel::topology::TopologyScene", "control plane")
            : QString();
    const QString title =
        pending ? QCoreApplication::translate("timonel::topology::TopologyScene", "Not scheduled")
                : (role.isEmpty() ? m_lane.node : u"%1 (%2)"_s.arg(m_lane.node, role)) + u" — "_s +
                      m_lane.status;
    const QRectF header(m_rect.left() + 10, m_rect.top(), m_rect.width() - 20, 30);
    painter->drawText(header, Qt::AlignVCenter | Qt::AlignLeft,
                      QFontMetricsF(font).elidedText(title, Qt::ElideRight, header.width()));
}

EdgesItem::EdgesItem()
{
    setZValue(1);
    setFlag(ItemUsesExtendedStyleOption);
}

void EdgesItem::setLines(QList<Line> lines)
{
    m_lines = std::move(lines);
    refresh();
}

void EdgesItem::refresh()
{
    QRectF bounds;
    for (const Line &line : std::as_const(m_lines))
        bounds |= line.from->sceneBoundingRect() | line.to->sceneBoundingRect();
    if (bounds != m_bounds) {
        prepareGeometryChange();
        m_bounds = bounds;
    }
    update();
}

QRectF EdgesItem::boundingRect() const
{
    return m_bounds;
}

namespace {

// Left to right: from the source's right side to the target's left side; configuration sits
// right of the pods using it, so its edges leave from its left side.
std::pair<QPointF, QPointF> endPoints(const QRectF &a, const QRectF &b)
{
    QPointF start(a.right() - 8, a.center().y() + 1);
    QPointF end(b.left() + 2, b.center().y() + 1);
    if (end.x() < start.x()) {
        start.setX(a.left() + 2);
        end.setX(b.right() - 8);
    }
    return {start, end};
}

} // namespace

void EdgesItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const qreal detail = option->levelOfDetailFromTransform(painter->worldTransform());
    // Far out, straight lines without antialiasing: thousands of edges stay cheap.
    const bool curves = detail >= 0.5;
    painter->setRenderHint(QPainter::Antialiasing, curves);
    for (EdgeKind kind : {EdgeKind::Owns, EdgeKind::Selects, EdgeKind::Routes, EdgeKind::Uses}) {
        QPainterPath path;
        // Far out, the edges from one card to the pods of one lane are drawn as one line to the
        // middle of those pods: a thousand lines would be noise, and slow.
        QHash<QPair<const QGraphicsItem *, const QGraphicsItem *>, QPair<qreal, qreal>> bundles;
        for (const Line &line : std::as_const(m_lines)) {
            if (line.kind != kind || !line.from->isVisible() || !line.to->isVisible())
                continue;
            const QRectF a = line.from->sceneBoundingRect(), b = line.to->sceneBoundingRect();
            if (!curves && line.lane) {
                const auto key = qMakePair(line.from, line.lane);
                auto it = bundles.find(key);
                if (it == bundles.end())
                    bundles.insert(key, {b.center().y(), b.center().y()});
                else
                    *it = {std::min(it->first, b.center().y()),
                           std::max(it->second, b.center().y())};
                continue;
            }
            const auto [start, end] = endPoints(a, b);
            if (!option->exposedRect.intersects(
                    QRectF(start, end).normalized().adjusted(-31, -1, 31, 1)))
                continue;
            if (!curves) {
                path.moveTo(start);
                path.lineTo(end);
                continue;
            }
            const qreal direction = end.x() >= start.x() ? 1 : -1;
            const qreal bend = direction * std::max(30.0, std::abs(end.x() - start.x()) / 2);
            path.moveTo(start);
            path.cubicTo(start + QPointF(bend, 0), end - QPointF(bend, 0), end);
        }
        for (auto it = bundles.cbegin(); it != bundles.cend(); ++it) {
            const QRectF lane = it.key().second->sceneBoundingRect();
            const qreal y = (it->first + it->second) / 2;
            const auto [start, end] = endPoints(it.key().first->sceneBoundingRect(),
                                                QRectF(lane.left(), y, lane.width(), 0));
            path.moveTo(start);
            path.lineTo(end);
        }
        QPen pen(TopologyColors::current().placeholder,
                 curves && kind == EdgeKind::Owns ? 1.4 : 1.0);
        pen.setCosmetic(true);
        if (kind == EdgeKind::Selects)
            pen.setColor(QColor(0x3b, 0x82, 0xc4));
        if (kind == EdgeKind::Uses)
            pen.setStyle(Qt::DotLine);
        if (kind == EdgeKind::Routes)
            pen.setColor(QColor(0x8e, 0x5b, 0xc1));
        painter->setPen(pen);
        painter->setBrush(Qt::NoBrush);
        painter->drawPath(path);
    }
}

} // namespace timonel::topology
