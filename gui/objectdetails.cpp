#include "objectdetails.h"

#include "clusterconnection.h"
#include "core/yaml.h"
#include "editor/yamleditor.h"
#include "logview.h"

#include <QHeaderView>
#include <QScrollBar>
#include <QTreeWidget>

namespace timonel::gui {

namespace {

QString metaField(const QJsonObject &object, const char *field)
{
    return object.value(QLatin1String("metadata"))
        .toObject()
        .value(QLatin1String(field))
        .toString();
}

} // namespace

ObjectDetails::ObjectDetails(ClusterConnection *connection, QWidget *parent)
    : QTabWidget(parent), m_connection(connection), m_yaml(new YamlEditor),
      m_events(new QTreeWidget)
{
    setDocumentMode(true);
    m_yaml->setReadOnly(true);
    m_events->setRootIsDecorated(false);
    m_events->setHeaderLabels({tr("Last seen"), tr("Type"), tr("Reason"), tr("Message")});
    m_events->header()->setSectionResizeMode(3, QHeaderView::Stretch);
    addTab(m_yaml, tr("YAML"));
    addTab(m_events, tr("Events"));
    connect(connection, &ClusterConnection::objectChanged, this, &ObjectDetails::onChanged);
}

bool ObjectDetails::isShown(const QJsonObject &object) const
{
    return metaField(object, "name") == m_name && metaField(object, "namespace") == m_ns;
}

void ObjectDetails::showObject(const QString &key, const QString &ns, const QString &name)
{
    m_key = key;
    m_ns = ns;
    m_name = name;
    m_kind.clear();
    for (const WatchedKind &kind : watchedKinds())
        if (kind.key() == key)
            m_kind = kind.kind;
    m_yaml->setText(QString());
    m_events->clear();
    if (m_log) {
        removeTab(indexOf(m_log));
        delete m_log;
        m_log = nullptr;
    }
    if (key.isEmpty())
        return;
    for (const QJsonObject &object : m_connection->objects(key))
        if (isShown(object))
            onChanged(key, object);
    for (const QJsonObject &event : m_connection->objects(QStringLiteral("events")))
        addEvent(event);
    if (key == QLatin1String("pods")) {
        QStringList containers;
        for (const QJsonObject &pod : m_connection->objects(key))
            if (isShown(pod))
                for (const QJsonValue &c :
                     pod[QLatin1String("spec")][QLatin1String("containers")].toArray())
                    containers << c[QLatin1String("name")].toString();
        m_log = new LogView(m_connection->https(), ns, name, containers);
        addTab(m_log, tr("Log"));
    }
}

void ObjectDetails::onChanged(const QString &key, const QJsonObject &object)
{
    if (key == QLatin1String("events")) {
        addEvent(object);
        return;
    }
    if (key != m_key || !isShown(object))
        return;
    // The view stays where the reader scrolled to.
    const int scroll = m_yaml->verticalScrollBar()->value();
    m_yaml->setText(QString::fromUtf8(core::toYaml(object)));
    m_yaml->verticalScrollBar()->setValue(scroll);
}

void ObjectDetails::addEvent(const QJsonObject &event)
{
    const QJsonObject involved = event.value(QLatin1String("involvedObject")).toObject();
    if (m_kind.isEmpty() || involved.value(QLatin1String("kind")).toString() != m_kind ||
        involved.value(QLatin1String("name")).toString() != m_name ||
        involved.value(QLatin1String("namespace")).toString() != m_ns)
        return;
    const QString uid = metaField(event, "uid");
    for (int i = 0; i < m_events->topLevelItemCount(); ++i)
        if (m_events->topLevelItem(i)->data(0, Qt::UserRole).toString() == uid)
            delete m_events->takeTopLevelItem(i--);
    QString time = event.value(QLatin1String("lastTimestamp")).toString();
    if (time.isEmpty())
        time = event.value(QLatin1String("eventTime")).toString();
    auto *item = new QTreeWidgetItem({event.value(QLatin1String("type")).toString(),
                                      event.value(QLatin1String("reason")).toString(), time,
                                      event.value(QLatin1String("message")).toString()});
    item->setData(0, Qt::UserRole, uid);
    m_events->addTopLevelItem(item);
}

} // namespace timonel::gui
