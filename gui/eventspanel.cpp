#include "eventspanel.h"

#include "clusterconnection.h"

#include <QHeaderView>
#include <QTreeWidget>

namespace timonel::gui {

namespace {

constexpr int UidRole = Qt::UserRole;
constexpr int TimeRole = Qt::UserRole + 1;
constexpr int LineRole = Qt::UserRole + 2;
constexpr int ColumnRole = Qt::UserRole + 3;
// The newest are kept; older ones drop off the end.
constexpr int maxEvents = 500;

QString lastSeen(const QJsonObject &event)
{
    for (const char *field : {"lastTimestamp", "eventTime", "firstTimestamp"})
        if (const QString t = event.value(QLatin1String(field)).toString(); !t.isEmpty())
            return t;
    return event[QLatin1String("metadata")][QLatin1String("creationTimestamp")].toString();
}

} // namespace

EventsPanel::EventsPanel(QWidget *parent)
    : QTabWidget(parent), m_events(new QTreeWidget), m_problems(new QTreeWidget),
      m_results(new QTreeWidget)
{
    m_events->setRootIsDecorated(false);
    m_events->setHeaderLabels(
        {tr("Last seen"), tr("Type"), tr("Reason"), tr("Object"), tr("Message")});
    m_events->header()->setStretchLastSection(true);
    m_problems->setRootIsDecorated(false);
    m_problems->setHeaderLabels({tr("Document"), tr("Line"), tr("Message")});
    m_problems->header()->setStretchLastSection(true);
    addTab(m_events, tr("Events"));
    addTab(m_problems, tr("Problems"));
    m_results->setHeaderLabels({tr("Deploy")});
    addTab(m_results, tr("Deploy results"));
    connect(m_problems, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        Q_EMIT problemActivated(item->text(0), item->data(0, LineRole).toInt(),
                                item->data(0, ColumnRole).toInt());
    });
    updateTitles();
}

void EventsPanel::setConnection(ClusterConnection *connection)
{
    if (m_connection)
        disconnect(m_connection, nullptr, this, nullptr);
    m_events->clear();
    m_connection = connection;
    if (connection) {
        connect(connection, &ClusterConnection::objectChanged, this, &EventsPanel::onEvent);
        connect(connection, &ClusterConnection::objectRemoved, this, &EventsPanel::onEventRemoved);
        for (const QJsonObject &event : connection->objects(QStringLiteral("events")))
            onEvent(QStringLiteral("events"), event);
    }
    updateTitles();
}

void EventsPanel::onEvent(const QString &key, const QJsonObject &event)
{
    if (key != QLatin1String("events"))
        return;
    const QString uid = event[QLatin1String("metadata")][QLatin1String("uid")].toString();
    const QString seen = lastSeen(event);
    for (int i = 0; i < m_events->topLevelItemCount(); ++i)
        if (m_events->topLevelItem(i)->data(0, UidRole).toString() == uid) {
            delete m_events->takeTopLevelItem(i);
            break;
        }
    const QJsonObject involved = event.value(QLatin1String("involvedObject")).toObject();
    const QString object = involved.value(QLatin1String("kind")).toString().toLower() +
                           QLatin1Char('/') + involved.value(QLatin1String("name")).toString();
    const QString type = event.value(QLatin1String("type")).toString();
    auto *item = new QTreeWidgetItem({QDateTime::fromString(seen, Qt::ISODate)
                                          .toLocalTime()
                                          .toString(QStringLiteral("HH:mm:ss")),
                                      type, event.value(QLatin1String("reason")).toString(), object,
                                      event.value(QLatin1String("message")).toString()});
    item->setData(0, UidRole, uid);
    item->setData(0, TimeRole, seen);
    item->setToolTip(4, item->text(4));
    if (type == QLatin1String("Warning"))
        for (int c = 0; c < 5; ++c)
            item->setForeground(c, QColor(0xd0, 0x70, 0x10));
    // Newest first (RFC 3339 times sort as text).
    int index = 0;
    while (index < m_events->topLevelItemCount() &&
           m_events->topLevelItem(index)->data(0, TimeRole).toString() > seen)
        ++index;
    m_events->insertTopLevelItem(index, item);
    while (m_events->topLevelItemCount() > maxEvents)
        delete m_events->takeTopLevelItem(m_events->topLevelItemCount() - 1);
    updateTitles();
}

void EventsPanel::onEventRemoved(const QString &key, const QJsonObject &event)
{
    if (key != QLatin1String("events"))
        return;
    const QString uid = event[QLatin1String("metadata")][QLatin1String("uid")].toString();
    for (int i = 0; i < m_events->topLevelItemCount(); ++i)
        if (m_events->topLevelItem(i)->data(0, UidRole).toString() == uid) {
            delete m_events->takeTopLevelItem(i);
            break;
        }
    updateTitles();
}

void EventsPanel::setProblems(const QString &file, const QList<Problem> &problems)
{
    for (int i = m_problems->topLevelItemCount() - 1; i >= 0; --i)
        if (m_problems->topLevelItem(i)->text(0) == file)
            delete m_problems->takeTopLevelItem(i);
    for (const Problem &p : problems) {
        auto *item = new QTreeWidgetItem(
            {file, QStringLiteral("%1:%2").arg(p.line).arg(p.column), p.message});
        item->setData(0, LineRole, p.line);
        item->setData(0, ColumnRole, p.column);
        item->setToolTip(2, p.message);
        item->setForeground(2, p.error ? QColor(0xd0, 0x30, 0x30) : QColor(0xd0, 0x70, 0x10));
        m_problems->addTopLevelItem(item);
    }
    updateTitles();
}

void EventsPanel::showResults(const QString &title, const QList<std::pair<bool, QString>> &lines)
{
    auto *run = new QTreeWidgetItem({title});
    for (const auto &[ok, text] : lines) {
        auto *item = new QTreeWidgetItem(run, {text});
        item->setToolTip(0, text);
        if (!ok)
            item->setForeground(0, QColor(0xd0, 0x30, 0x30));
    }
    m_results->insertTopLevelItem(0, run);
    run->setExpanded(true);
    // Earlier runs folded away.
    for (int i = 1; i < m_results->topLevelItemCount(); ++i)
        m_results->topLevelItem(i)->setExpanded(false);
    setCurrentWidget(m_results);
}

void EventsPanel::updateTitles()
{
    setTabText(0, tr("Events (%1)").arg(m_events->topLevelItemCount()));
    setTabText(1, tr("Problems (%1)").arg(m_problems->topLevelItemCount()));
}

} // namespace timonel::gui
