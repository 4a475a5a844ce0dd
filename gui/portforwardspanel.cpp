#include "portforwardspanel.h"

#include "client/httpsclient.h"
#include "client/podstreams.h"

#include <QDesktopServices>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>
#include <QPushButton>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>

namespace timonel::gui {

namespace {

enum Column
{
    Target,
    Local,
    State
};
constexpr int ForwardRole = Qt::UserRole; // the row's PortForward

client::PortForward *forwardOf(const QTreeWidgetItem *row)
{
    return qobject_cast<client::PortForward *>(row->data(Target, ForwardRole).value<QObject *>());
}

} // namespace

PortForwardsPanel::PortForwardsPanel(QWidget *parent) : QWidget(parent), m_list(new QTreeWidget)
{
    m_list->setRootIsDecorated(false);
    m_list->setHeaderLabels({tr("Forwarding"), tr("Local address"), tr("State")});
    m_list->header()->setStretchLastSection(true);
    auto *open = new QPushButton(tr("Open in browser"));
    auto *stop = new QPushButton(tr("Stop"));
    open->setEnabled(false);
    stop->setEnabled(false);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(open);
    buttons->addWidget(stop);
    buttons->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_list);
    layout->addLayout(buttons);
    connect(m_list, &QTreeWidget::currentItemChanged, this, [this, open, stop] {
        QTreeWidgetItem *row = m_list->currentItem();
        open->setEnabled(row && localPort(m_list->indexOfTopLevelItem(row)) != 0);
        stop->setEnabled(row != nullptr);
    });
    auto openRow = [this] {
        if (QTreeWidgetItem *row = m_list->currentItem())
            if (const quint16 port = localPort(m_list->indexOfTopLevelItem(row)))
                QDesktopServices::openUrl(QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(port)));
    };
    connect(open, &QPushButton::clicked, this, openRow);
    connect(m_list, &QTreeWidget::itemActivated, this, openRow);
    connect(stop, &QPushButton::clicked, this, [this] {
        if (QTreeWidgetItem *row = m_list->currentItem())
            stopRow(row);
    });
}

PortForwardsPanel::~PortForwardsPanel()
{
    setClient(nullptr);
}

void PortForwardsPanel::setClient(client::HttpsClient *client)
{
    while (m_list->topLevelItemCount() > 0)
        stopRow(m_list->topLevelItem(0));
    m_client = client;
}

QList<quint16> PortForwardsPanel::portsOf(const QJsonObject &object)
{
    QList<quint16> ports;
    const QJsonObject spec = object.value(QLatin1String("spec")).toObject();
    for (const QJsonValue &c : spec.value(QLatin1String("containers")).toArray())
        for (const QJsonValue &p : c[QLatin1String("ports")].toArray())
            ports << quint16(p[QLatin1String("containerPort")].toInt());
    for (const QJsonValue &p : spec.value(QLatin1String("ports")).toArray())
        ports << quint16(p[QLatin1String("port")].toInt());
    ports.removeAll(0);
    return ports;
}

quint16 PortForwardsPanel::localPort(int row) const
{
    const QTreeWidgetItem *item = m_list->topLevelItem(row);
    const client::PortForward *forward = item ? forwardOf(item) : nullptr;
    return forward && forward->isListening() ? forward->localPort() : 0;
}

void PortForwardsPanel::forward(const QString &key, const QString &ns, const QString &name,
                                quint16 port)
{
    if (!m_client)
        return;
    const bool service = key == QLatin1String("services");
    const QString target = QStringLiteral("%1/%2:%3")
                               .arg(service ? QStringLiteral("svc") : QStringLiteral("pod"), name)
                               .arg(port);
    const QString command =
        QStringLiteral("kubectl port-forward -n %1 %2/%3 :%4")
            .arg(ns, service ? QStringLiteral("svc") : QStringLiteral("pod"), name)
            .arg(port);
    auto *row = new QTreeWidgetItem(m_list, {QStringLiteral("%1/%2").arg(ns, target)});
    row->setToolTip(Target, command);
    m_list->setCurrentItem(row);
    setState(row, tr("Starting ..."));
    Q_EMIT message(tr("Forwarding %1 ...").arg(target), command);
    if (!service)
        return start(row, ns, name, port);
    QPointer<PortForwardsPanel> self(this);
    const QPersistentModelIndex index = m_list->indexFromItem(row);
    client::resolveServiceBackend(
        *m_client, ns, name, QString::number(port),
        [self, index, ns](client::Result<client::ServiceBackend> backend) {
            if (!self || !index.isValid())
                return;
            QTreeWidgetItem *row = self->m_list->itemFromIndex(index);
            if (!backend)
                return self->setState(row, backend.error().message);
            row->setText(Target,
                         row->text(Target) +
                             QStringLiteral(" → %1:%2").arg(backend->pod).arg(backend->port));
            self->start(row, ns, backend->pod, backend->port);
        });
}

void PortForwardsPanel::start(QTreeWidgetItem *row, const QString &ns, const QString &pod,
                              quint16 podPort)
{
    auto *forward = new client::PortForward(*m_client, this);
    row->setData(Target, ForwardRole, QVariant::fromValue<QObject *>(forward));
    const auto listening = forward->start(ns, pod, podPort);
    if (!listening) {
        setState(row, listening.error());
        return;
    }
    row->setText(Local, QStringLiteral("127.0.0.1:%1").arg(*listening));
    const QPersistentModelIndex index = m_list->indexFromItem(row);
    connect(forward, &client::PortForward::ready, this, [this, index, forward] {
        if (index.isValid())
            setState(m_list->itemFromIndex(index), tr("Forwarding"));
        Q_EMIT message(tr("Forwarding from 127.0.0.1:%1").arg(forward->localPort()), {});
    });
    connect(forward, &client::PortForward::error, this,
            [this, index](const QString &text, bool fatal) {
                if (index.isValid() && fatal)
                    setState(m_list->itemFromIndex(index), text);
                Q_EMIT message(text, {});
            });
    Q_EMIT m_list->currentItemChanged(m_list->currentItem(), nullptr);
}

void PortForwardsPanel::setState(QTreeWidgetItem *row, const QString &state)
{
    row->setText(State, state);
    row->setToolTip(State, state);
}

void PortForwardsPanel::stopRow(QTreeWidgetItem *row)
{
    if (client::PortForward *forward = forwardOf(row)) {
        forward->stop();
        forward->deleteLater();
    }
    delete row;
}

} // namespace timonel::gui
