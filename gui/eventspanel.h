// The events and problems panel: the cluster's Events as `kubectl get events` lists them
// (newest first, warnings marked), and the problems of the open manifests (line:column,
// message), which take the user to the place when activated.
#pragma once

#include <QJsonObject>
#include <QTabWidget>

class QTreeWidget;

namespace timonel::gui {

class ClusterConnection;

struct Problem
{
    QString file; // the document's title
    int line = 0;
    int column = 0;
    bool error = true; // else a warning
    QString message;
};

class EventsPanel : public QTabWidget
{
    Q_OBJECT
public:
    explicit EventsPanel(QWidget *parent = nullptr);

    void setConnection(ClusterConnection *connection);
    // Replaces the problems listed for `file`.
    void setProblems(const QString &file, const QList<Problem> &problems);

    // The outcome of a deploy or dry run, a line per object, newest run first.
    void showResults(const QString &title, const QList<std::pair<bool, QString>> &lines);

    QTreeWidget *eventsView() const { return m_events; }
    QTreeWidget *resultsView() const { return m_results; }
    QTreeWidget *problemsView() const { return m_problems; }

Q_SIGNALS:
    void problemActivated(const QString &file, int line, int column);

private:
    void onEvent(const QString &key, const QJsonObject &event);
    void onEventRemoved(const QString &key, const QJsonObject &event);
    void updateTitles();

    QTreeWidget *m_events;
    QTreeWidget *m_problems;
    QTreeWidget *m_results;
    ClusterConnection *m_connection = nullptr;
};

} // namespace timonel::gui
