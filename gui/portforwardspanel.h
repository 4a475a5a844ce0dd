// Port forwards from the desktop: a pod's or a Service's port on 127.0.0.1, as
// `kubectl port-forward` makes them, listed with their state and the connections they carry,
// each with "Open in browser" and Stop. They end with the connection to the cluster.
#pragma once

#include <QWidget>

class QTreeWidget;
class QTreeWidgetItem;

namespace timonel::client {
class HttpsClient;
class PortForward;
} // namespace timonel::client

namespace timonel::gui {

class PortForwardsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit PortForwardsPanel(QWidget *parent = nullptr);
    ~PortForwardsPanel() override;

    // The client forwards go through (nullptr: none, and every forward stops).
    void setClient(client::HttpsClient *client);
    QTreeWidget *list() const { return m_list; }

    // Forwards `port` of a pod or a Service (key "pods" or "services"): a Service's port is
    // forwarded to a pod it selects, at the target port. The row shows how it goes.
    void forward(const QString &key, const QString &ns, const QString &name, quint16 port);
    // The ports an object offers: a pod's container ports, a Service's ports.
    static QList<quint16> portsOf(const QJsonObject &object);

    // The local port of a forward once it listens (0 before, or when it failed).
    quint16 localPort(int row) const;

Q_SIGNALS:
    // For the status bar and log: a line, and the kubectl command doing the same.
    void message(const QString &text, const QString &command);

private:
    void start(QTreeWidgetItem *row, const QString &ns, const QString &pod, quint16 podPort);
    void setState(QTreeWidgetItem *row, const QString &state);
    void stopRow(QTreeWidgetItem *row);

    client::HttpsClient *m_client = nullptr;
    QTreeWidget *m_list;
};

} // namespace timonel::gui
