#include "createclusterdialog.h"

#include "cluster/clusters.h"
#include "core/canceltoken.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QSet>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStyle>
#include <QTableWidget>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>

namespace timonel::gui {

namespace {

enum PortColumn
{
    ContainerPort,
    HostPort,
    ListenAddress,
    Protocol,
    PortColumns
};

constexpr int maxControlPlanes = 5;
constexpr int maxWorkers = 50;

QString cellText(const QTableWidget *table, int row, int column)
{
    if (auto *combo = qobject_cast<QComboBox *>(table->cellWidget(row, column)))
        return combo->currentText();
    const QTableWidgetItem *item = table->item(row, column);
    return item ? item->text().trimmed() : QString();
}

} // namespace

QByteArray kindConfigYaml(const QString &name, int controlPlanes, int workers,
                          const QList<cluster::PortMapping> &ports)
{
    QByteArray yaml = "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n";
    if (!name.isEmpty())
        yaml += "name: " + name.toUtf8() + '\n';
    yaml += "nodes:\n";
    for (int i = 0; i < controlPlanes; ++i) {
        yaml += "- role: control-plane\n";
        if (i != 0 || ports.isEmpty())
            continue;
        yaml += "  extraPortMappings:\n";
        for (const cluster::PortMapping &p : ports) {
            yaml += "  - containerPort: " + QByteArray::number(p.containerPort) + '\n';
            if (p.hostPort != 0)
                yaml += "    hostPort: " + QByteArray::number(p.hostPort) + '\n';
            if (p.listenAddress != cluster::defaults::listenAddress)
                yaml += "    listenAddress: \"" + p.listenAddress.toUtf8() + "\"\n";
            if (p.protocol != cluster::defaults::protocol)
                yaml += "    protocol: " + p.protocol.toUtf8() + '\n';
        }
    }
    for (int i = 0; i < workers; ++i)
        yaml += "- role: worker\n";
    return yaml;
}

CreateClusterDialog::CreateClusterDialog(QWidget *parent)
    : QDialog(parent), m_pages(new QStackedWidget(this))
{
    setWindowTitle(tr("Create a cluster"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_pages);

    // The form.
    auto *form = new QWidget;
    auto *formLayout = new QFormLayout(form);
    m_name = new QLineEdit(QString(cluster::defaults::clusterName));
    m_name->setToolTip(tr("Lowercase letters, digits and '-'; nodes are named after it"));
    formLayout->addRow(tr("&Name:"), m_name);
    m_controlPlanes = new QSpinBox;
    m_controlPlanes->setRange(1, maxControlPlanes);
    formLayout->addRow(tr("&Control planes:"), m_controlPlanes);
    m_workers = new QSpinBox;
    m_workers->setRange(0, maxWorkers);
    formLayout->addRow(tr("&Workers:"), m_workers);

    m_ports = new QTableWidget(0, PortColumns);
    m_ports->setHorizontalHeaderLabels(
        {tr("Container port"), tr("Host port"), tr("Listen address"), tr("Protocol")});
    m_ports->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_ports->verticalHeader()->hide();
    m_ports->setToolTip(tr("Ports of the first control plane published on this machine "
                           "(KinD's extraPortMappings); an empty host port picks a free one"));
    auto *addPort = new QToolButton;
    addPort->setText(tr("Add port"));
    auto *removePort = new QToolButton;
    removePort->setText(tr("Remove port"));
    auto *portButtons = new QHBoxLayout;
    portButtons->addWidget(addPort);
    portButtons->addWidget(removePort);
    portButtons->addStretch();
    auto *portsBox = new QVBoxLayout;
    portsBox->addWidget(m_ports);
    portsBox->addLayout(portButtons);
    formLayout->addRow(tr("Port mappings:"), portsBox);

    m_configFile = new QLineEdit;
    m_configFile->setPlaceholderText(tr("optional: a KinD config file instead of the above"));
    auto *browse = new QToolButton;
    browse->setText(tr("Browse..."));
    auto *configRow = new QHBoxLayout;
    configRow->addWidget(m_configFile);
    configRow->addWidget(browse);
    formLayout->addRow(tr("KinD &config:"), configRow);
    m_setContext = new QCheckBox(tr("Make it kubectl's current context"));
    m_setContext->setChecked(true);
    formLayout->addRow(QString(), m_setContext);

    m_problem = new QLabel;
    m_problem->setWordWrap(true);
    QPalette problemPalette = m_problem->palette();
    problemPalette.setColor(QPalette::WindowText, QColor(0xd0, 0x30, 0x30));
    m_problem->setPalette(problemPalette);
    formLayout->addRow(m_problem);
    m_equivalent = new QPlainTextEdit;
    m_equivalent->setReadOnly(true);
    m_equivalent->setMaximumHeight(fontMetrics().lineSpacing() * 7);
    m_equivalent->setToolTip(tr("The same from a terminal"));
    formLayout->addRow(tr("Command line:"), m_equivalent);
    m_pages->addWidget(form);

    // The progress page.
    auto *progress = new QWidget;
    auto *progressLayout = new QVBoxLayout(progress);
    m_steps = new QListWidget;
    progressLayout->addWidget(m_steps);
    m_progress = new QProgressBar;
    progressLayout->addWidget(m_progress);
    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    progressLayout->addWidget(m_status);
    m_pages->addWidget(progress);

    m_buttons = new QDialogButtonBox;
    m_create = m_buttons->addButton(tr("C&reate"), QDialogButtonBox::AcceptRole);
    m_cancel = m_buttons->addButton(QDialogButtonBox::Cancel);
    layout->addWidget(m_buttons);

    connect(m_create, &QPushButton::clicked, this, &CreateClusterDialog::startCreation);
    connect(m_cancel, &QPushButton::clicked, this, &CreateClusterDialog::reject);
    connect(addPort, &QToolButton::clicked, this, &CreateClusterDialog::addPortRow);
    connect(removePort, &QToolButton::clicked, this, [this] {
        const int row =
            m_ports->currentRow() >= 0 ? m_ports->currentRow() : m_ports->rowCount() - 1;
        if (row >= 0)
            m_ports->removeRow(row);
        revalidate();
    });
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString file =
            QFileDialog::getOpenFileName(this, tr("KinD config file"), QString(),
                                         tr("YAML files (*.yaml *.yml);;All files (*)"));
        if (!file.isEmpty())
            m_configFile->setText(file);
    });
    connect(m_name, &QLineEdit::textChanged, this, &CreateClusterDialog::revalidate);
    connect(m_controlPlanes, &QSpinBox::valueChanged, this, &CreateClusterDialog::revalidate);
    connect(m_workers, &QSpinBox::valueChanged, this, &CreateClusterDialog::revalidate);
    connect(m_configFile, &QLineEdit::textChanged, this, &CreateClusterDialog::revalidate);
    connect(m_ports, &QTableWidget::itemChanged, this, &CreateClusterDialog::revalidate);
    revalidate();
    resize(560, 620);
}

CreateClusterDialog::~CreateClusterDialog()
{
    if (m_cancelToken)
        m_cancelToken->cancel();
}

void CreateClusterDialog::addPortRow()
{
    const int row = m_ports->rowCount();
    m_ports->insertRow(row);
    m_ports->setItem(row, ContainerPort, new QTableWidgetItem);
    m_ports->setItem(row, HostPort, new QTableWidgetItem);
    m_ports->setItem(row, ListenAddress,
                     new QTableWidgetItem(QString(cluster::defaults::listenAddress)));
    auto *protocol = new QComboBox;
    protocol->addItems({QStringLiteral("TCP"), QStringLiteral("UDP"), QStringLiteral("SCTP")});
    connect(protocol, &QComboBox::currentTextChanged, this, &CreateClusterDialog::revalidate);
    m_ports->setCellWidget(row, Protocol, protocol);
    m_ports->setCurrentCell(row, ContainerPort);
    revalidate();
}

std::expected<cluster::CreateOptions, QString> CreateClusterDialog::options() const
{
    cluster::CreateOptions options;
    options.setCurrentContext = m_setContext->isChecked();
    const QString configPath = m_configFile->text().trimmed();
    if (!configPath.isEmpty()) {
        QFile file(configPath);
        if (!file.open(QIODevice::ReadOnly))
            return std::unexpected(tr("Cannot read %1: %2").arg(configPath, file.errorString()));
        auto config = cluster::parseClusterConfig(file.readAll(), configPath);
        if (!config)
            return std::unexpected(config.error());
        options.config = *config;
    } else {
        options.config =
            cluster::defaultClusterConfig(m_controlPlanes->value(), m_workers->value());
        QSet<QString> published;
        for (int row = 0; row < m_ports->rowCount(); ++row) {
            cluster::PortMapping port;
            bool ok = false;
            port.containerPort = cellText(m_ports, row, ContainerPort).toInt(&ok);
            if (!ok || port.containerPort < 1 || port.containerPort > 65535)
                return std::unexpected(
                    tr("Port mapping %1: the container port must be a number from 1 to 65535")
                        .arg(row + 1));
            const QString host = cellText(m_ports, row, HostPort);
            port.hostPort = host.isEmpty() ? 0 : host.toInt(&ok);
            if (!ok || port.hostPort < 0 || port.hostPort > 65535)
                return std::unexpected(
                    tr("Port mapping %1: the host port must be empty or a number from 1 to 65535")
                        .arg(row + 1));
            port.listenAddress = cellText(m_ports, row, ListenAddress);
            if (QHostAddress(port.listenAddress).isNull())
                return std::unexpected(tr("Port mapping %1: \"%2\" is not an IP address")
                                           .arg(row + 1)
                                           .arg(port.listenAddress));
            port.protocol = cellText(m_ports, row, Protocol);
            const QString key = QStringLiteral("%1:%2/%3")
                                    .arg(port.listenAddress)
                                    .arg(port.hostPort)
                                    .arg(port.protocol);
            if (port.hostPort != 0 && published.contains(key))
                return std::unexpected(
                    tr("Port mapping %1: host port %2/%3 is already mapped above")
                        .arg(row + 1)
                        .arg(port.hostPort)
                        .arg(port.protocol));
            published.insert(key);
            options.config.nodes.first().extraPortMappings.append(port);
        }
    }
    options.name = m_name->text().trimmed();
    if (options.name.isEmpty())
        options.name = options.config.name;
    if (options.name.isEmpty())
        return std::unexpected(tr("Give the cluster a name"));
    if (const QString why = cluster::validateClusterName(options.name); !why.isEmpty())
        return std::unexpected(why);
    return options;
}

QString CreateClusterDialog::commandLine() const
{
    const QString name = m_name->text().trimmed();
    const QString configPath = m_configFile->text().trimmed();
    if (!configPath.isEmpty())
        return QStringLiteral("timonel create cluster --name %1 --config %2").arg(name, configPath);
    if (m_controlPlanes->value() == 1 && m_ports->rowCount() == 0)
        return QStringLiteral("timonel create cluster --name %1 --workers %2")
            .arg(name)
            .arg(m_workers->value());
    QList<cluster::PortMapping> ports;
    if (auto parsed = options(); parsed)
        ports = parsed->config.nodes.first().extraPortMappings;
    return QStringLiteral("timonel create cluster --config - <<'EOF'\n") +
           QString::fromUtf8(
               kindConfigYaml(name, m_controlPlanes->value(), m_workers->value(), ports)) +
           QStringLiteral("EOF");
}

void CreateClusterDialog::revalidate()
{
    const bool fromFile = !m_configFile->text().trimmed().isEmpty();
    m_controlPlanes->setEnabled(!fromFile);
    m_workers->setEnabled(!fromFile);
    m_ports->setEnabled(!fromFile);
    const auto parsed = options();
    m_problem->setText(parsed ? QString() : parsed.error());
    m_create->setEnabled(bool(parsed));
    m_equivalent->setPlainText(commandLine());
}

void CreateClusterDialog::startCreation()
{
    auto parsed = options();
    if (!parsed || m_running)
        return;
    const cluster::CreateOptions options = *parsed;
    m_running = true;
    m_pages->setCurrentIndex(1);
    m_create->hide();
    m_steps->clear();
    const QStringList titles = cluster::ClusterCreator(options).stepTitles();
    for (const QString &title : titles)
        new QListWidgetItem(style()->standardIcon(QStyle::SP_TitleBarMinButton), title, m_steps);
    m_progress->setRange(0, int(titles.size()));
    m_progress->setValue(0);
    m_status->setText(tr("Creating cluster \"%1\" ...").arg(options.name));

    m_cancelToken = std::make_shared<core::CancelToken>();
    QPointer<CreateClusterDialog> self(this);
    auto *worker = QThread::create([self, options, cancel = m_cancelToken] {
        cluster::ClusterCreator creator(options);
        // Queued into the dialog's thread (and dropped once it is gone): the creator works in
        // this one.
        if (CreateClusterDialog *dialog = self.data()) {
            connect(&creator, &cluster::ClusterCreator::stepStarted, dialog,
                    &CreateClusterDialog::onStepStarted);
            connect(&creator, &cluster::ClusterCreator::stepFinished, dialog,
                    &CreateClusterDialog::onStepFinished);
            connect(&creator, &cluster::ClusterCreator::rollingBack, dialog, [self] {
                if (self)
                    self->m_status->setText(tr("Removing what was created ..."));
            });
        }
        auto created = creator.run(cancel.get());
        const QString error = created ? QString()
                              : cancel->isCancelled()
                                  ? tr("Cluster creation was cancelled; nothing was left behind.")
                                  : created.error();
        QMetaObject::invokeMethod(qApp, [self, name = options.name, error] {
            if (self)
                self->onCreated(name, error);
        });
    });
    connect(worker, &QThread::finished, worker, &QObject::deleteLater);
    worker->start();
}

void CreateClusterDialog::onStepStarted(int index, const QString &title)
{
    if (QListWidgetItem *item = m_steps->item(index)) {
        item->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
        m_steps->setCurrentItem(item);
    }
    m_status->setText(title + QStringLiteral(" ..."));
}

void CreateClusterDialog::onStepFinished(int index, const QString &title, bool ok,
                                         const QString &detail)
{
    if (QListWidgetItem *item = m_steps->item(index)) {
        item->setIcon(style()->standardIcon(ok ? QStyle::SP_DialogApplyButton
                                               : QStyle::SP_MessageBoxCritical));
        item->setText(detail.isEmpty() || !ok ? title
                                              : QStringLiteral("%1 (%2)").arg(title, detail));
    }
    if (ok)
        m_progress->setValue(index + 1);
}

void CreateClusterDialog::onCreated(const QString &cluster, const QString &error)
{
    m_running = false;
    m_cancelToken.reset();
    m_cancel->setText(tr("Close"));
    m_cancel->setEnabled(true);
    if (error.isEmpty()) {
        m_progress->setValue(m_progress->maximum());
        m_status->setText(tr("Cluster \"%1\" is ready. kubectl context: %2")
                              .arg(cluster, cluster::contextName(cluster)));
    } else {
        m_status->setText(error);
    }
    Q_EMIT finished(cluster, error);
}

void CreateClusterDialog::reject()
{
    if (m_running) {
        // Closed once the creation has undone itself (finished() then enables Close).
        if (m_cancelToken)
            m_cancelToken->cancel();
        m_cancel->setEnabled(false);
        m_status->setText(tr("Cancelling ..."));
        return;
    }
    QDialog::reject();
}

} // namespace timonel::gui
