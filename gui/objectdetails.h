// Beside the topology graph: the selected object's YAML as the cluster has it now, its events,
// and for a pod its log, following the watches.
#pragma once

#include <QJsonObject>
#include <QTabWidget>

class QTreeWidget;

namespace timonel::gui {

class ClusterConnection;
class LogView;
class YamlEditor;

class ObjectDetails : public QTabWidget
{
    Q_OBJECT
public:
    // `connection` must outlive the panel.
    explicit ObjectDetails(ClusterConnection *connection, QWidget *parent = nullptr);

    // The object by the desktop's key ("pods", "deployments.apps"); "" key: nothing selected.
    void showObject(const QString &key, const QString &ns, const QString &name);
    QString key() const { return m_key; }
    YamlEditor *yaml() const { return m_yaml; }
    QTreeWidget *events() const { return m_events; }
    LogView *log() const { return m_log; }

private:
    void onChanged(const QString &key, const QJsonObject &object);
    void addEvent(const QJsonObject &event);
    bool isShown(const QJsonObject &object) const;

    ClusterConnection *m_connection;
    QString m_key, m_ns, m_name, m_kind;
    YamlEditor *m_yaml;
    QTreeWidget *m_events;
    LogView *m_log = nullptr;
};

} // namespace timonel::gui
