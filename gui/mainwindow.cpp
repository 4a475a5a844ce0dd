#include "mainwindow.h"

#include "clusterconnection.h"
#include "clusterspanel.h"
#include "eventspanel.h"
#include "logview.h"
#include "resourcetree.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QJsonArray>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

namespace timonel::gui {

namespace {

QDockWidget *dock(QMainWindow *window, const QString &title, const QString &objectName,
                  QWidget *content, Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, window);
    dock->setObjectName(objectName);
    dock->setWidget(content);
    window->addDockWidget(area, dock);
    return dock;
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_clusters(new ClustersPanel), m_resources(new ResourceTree),
      m_events(new EventsPanel), m_tabs(new QTabWidget(this)), m_contextLabel(new QLabel)
{
    setWindowTitle(tr("Timonel"));
    m_tabs->setDocumentMode(true);
    m_tabs->setTabsClosable(true);
    setCentralWidget(m_tabs);
    dock(this, tr("Clusters"), QStringLiteral("clustersDock"), m_clusters, Qt::LeftDockWidgetArea);
    dock(this, tr("Resources"), QStringLiteral("resourcesDock"), m_resources,
         Qt::LeftDockWidgetArea);
    dock(this, tr("Events and problems"), QStringLiteral("eventsDock"), m_events,
         Qt::BottomDockWidgetArea);
    statusBar()->addPermanentWidget(m_contextLabel);
    m_contextLabel->setText(tr("No context"));

    connect(m_clusters, &ClustersPanel::message, this, &MainWindow::showMessage);
    connect(m_clusters, &ClustersPanel::contextActivated, this, &MainWindow::connectTo);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, &MainWindow::closeTab);
    connect(m_resources, &ResourceTree::objectActivated, this,
            [this](const QString &key, const QString &ns, const QString &name) {
                if (key == QLatin1String("pods"))
                    showLogs(ns, name);
            });
    createMenus();

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    if (!settings.contains(QStringLiteral("window/geometry")))
        resize(1280, 800);
    refresh();
    connectTo(settings.value(QStringLiteral("context")).toString());
}

MainWindow::~MainWindow()
{
    // The views let go of the connection before it goes.
    m_resources->setConnection(nullptr);
    m_events->setConnection(nullptr);
    closeConnectionTabs();
}

void MainWindow::createMenus()
{
    QMenu *clusterMenu = menuBar()->addMenu(tr("&Cluster"));
    clusterMenu->addAction(m_clusters->createAction());
    QAction *refreshAction = clusterMenu->addAction(tr("&Refresh"), this, &MainWindow::refresh);
    refreshAction->setShortcut(QKeySequence::Refresh);
    clusterMenu->addSeparator();
    QAction *quit = clusterMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *d : findChildren<QDockWidget *>())
        view->addAction(d->toggleViewAction());

    QMenu *settingsMenu = menuBar()->addMenu(tr("&Settings"));
    QMenu *language = settingsMenu->addMenu(tr("&Language"));
    auto *languages = new QActionGroup(this);
    const QString chosen = QSettings().value(QStringLiteral("language")).toString();
    for (const auto &[code, name] : {std::pair{QString(), tr("System language")},
                                     std::pair{QStringLiteral("en"), tr("English")},
                                     std::pair{QStringLiteral("es"), QStringLiteral("Español")}}) {
        QAction *action = language->addAction(name);
        action->setCheckable(true);
        action->setChecked(code == chosen);
        languages->addAction(action);
        connect(action, &QAction::triggered, this, [this, code] { chooseLanguage(code); });
    }

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Timonel"), this, [this] {
        QMessageBox::about(this, tr("About Timonel"),
                           tr("Timonel %1: local Kubernetes clusters on Docker, with a YAML "
                              "editor, a live topology graph and GitOps.")
                               .arg(QCoreApplication::applicationVersion()));
    });
}

void MainWindow::chooseLanguage(const QString &language)
{
    QSettings().setValue(QStringLiteral("language"), language);
    QMessageBox::information(this, tr("Language"),
                             tr("The new language applies the next time Timonel starts."));
}

void MainWindow::showMessage(const QString &text, const QString &command)
{
    statusBar()->showMessage(text);
    statusBar()->setToolTip(command.isEmpty() ? QString() : tr("Command line: %1").arg(command));
}

void MainWindow::refresh()
{
    m_clusters->refresh();
}

void MainWindow::connectTo(const QString &context)
{
    QString error;
    std::unique_ptr<ClusterConnection> connection = ClusterConnection::open(context, &error);
    m_resources->setConnection(nullptr);
    m_events->setConnection(nullptr);
    closeConnectionTabs();
    m_connection = std::move(connection);
    if (!m_connection) {
        m_contextLabel->setText(tr("No context"));
        if (!context.isEmpty())
            showMessage(tr("Cannot use context \"%1\": %2").arg(context, error), {});
        return;
    }
    connect(m_connection.get(), &ClusterConnection::problem, this,
            [this](const QString &message) { showMessage(message, {}); });
    m_resources->setConnection(m_connection.get());
    m_events->setConnection(m_connection.get());
    m_connection->start();
    m_contextLabel->setText(tr("Context: %1").arg(m_connection->context()));
    m_contextLabel->setToolTip(
        QStringLiteral("kubectl config use-context %1").arg(m_connection->context()));
    QSettings().setValue(QStringLiteral("context"), m_connection->context());
}

void MainWindow::showLogs(const QString &ns, const QString &pod)
{
    if (!m_connection)
        return;
    const QString key = QStringLiteral("logs|%1|%2").arg(ns, pod);
    for (int i = 0; i < m_tabs->count(); ++i)
        if (m_tabs->widget(i)->property("tabKey").toString() == key) {
            m_tabs->setCurrentIndex(i);
            return;
        }
    QStringList containers;
    for (const QJsonObject &p : m_connection->objects(QStringLiteral("pods")))
        if (p[QLatin1String("metadata")][QLatin1String("name")] == pod &&
            p[QLatin1String("metadata")][QLatin1String("namespace")] == ns)
            for (const QJsonValue &c :
                 p[QLatin1String("spec")][QLatin1String("containers")].toArray())
                containers.append(c[QLatin1String("name")].toString());
    auto *view = new LogView(m_connection->https(), ns, pod, containers);
    view->setProperty("tabKey", key);
    view->setProperty("usesConnection", true);
    m_tabs->setCurrentIndex(m_tabs->addTab(view, view->title()));
    m_tabs->setTabToolTip(m_tabs->currentIndex(), view->commandLine());
    showMessage(tr("Showing the log of %1").arg(pod), view->commandLine());
}

void MainWindow::closeTab(int index)
{
    QWidget *widget = m_tabs->widget(index);
    m_tabs->removeTab(index);
    delete widget;
}

void MainWindow::closeConnectionTabs()
{
    for (int i = m_tabs->count() - 1; i >= 0; --i)
        if (m_tabs->widget(i)->property("usesConnection").toBool())
            closeTab(i);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_clusters->isBusy() &&
        QMessageBox::question(this, tr("Quit"),
                              tr("A cluster operation is still running. Quit anyway?")) !=
            QMessageBox::Yes) {
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

} // namespace timonel::gui
