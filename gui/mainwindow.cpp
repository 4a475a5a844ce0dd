#include "mainwindow.h"

#include "client/applier.h"
#include "client/kubeconfigclient.h"
#include "clusterconnection.h"
#include "clusterspanel.h"
#include "diffview.h"
#include "editor/yamleditor.h"
#include "eventspanel.h"
#include "gitops/gitopspanel.h"
#include "logview.h"
#include "manifest/templates.h"
#include "manifest/yamldocument.h"
#include "manifesttab.h"
#include "portforwardspanel.h"
#include "resourcetree.h"
#include "samples.h"
#include "terminaltab.h"
#include "topologytab.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QJsonArray>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QThread>

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
      m_events(new EventsPanel), m_portForwards(new PortForwardsPanel),
      m_gitops(new GitOpsPanel),
      m_tabs(new QTabWidget(this)), m_contextLabel(new QLabel)
{
    setWindowTitle(tr("Timonel"));
    m_tabs->setDocumentMode(true);
    m_tabs->setTabsClosable(true);
    setCentralWidget(m_tabs);
    dock(this, tr("Clusters"), QStringLiteral("clustersDock"), m_clusters, Qt::LeftDockWidgetArea);
    dock(this, tr("Resources"), QStringLiteral("resourcesDock"), m_resources,
         Qt::LeftDockWidgetArea);
    QDockWidget *events = dock(this, tr("Events and problems"), QStringLiteral("eventsDock"),
                               m_events, Qt::BottomDockWidgetArea);
    tabifyDockWidget(events, dock(this, tr("GitOps"), QStringLiteral("gitopsDock"), m_gitops,
                                  Qt::BottomDockWidgetArea));
    events->raise();
    connect(m_gitops, &GitOpsPanel::message, this, &MainWindow::showMessage);
    connect(m_gitops, &GitOpsPanel::diffReady, this, [this](DiffView *view) {
        view->setProperty("usesConnection", true);
        m_tabs->setCurrentIndex(m_tabs->addTab(view, view->title()));
    });
    connect(m_gitops, &GitOpsPanel::showInGraph, this, [this](const QString &selector) {
        showTopology();
        if (TopologyTab *topology = topologyTab())
            topology->showLabels(selector);
    });
    m_events->addTab(m_portForwards, tr("Port forwards"));
    connect(m_portForwards, &PortForwardsPanel::message, this, &MainWindow::showMessage);
    statusBar()->addPermanentWidget(m_contextLabel);
    m_contextLabel->setText(tr("No context"));

    connect(m_clusters, &ClustersPanel::message, this, &MainWindow::showMessage);
    connect(m_clusters, &ClustersPanel::contextActivated, this, &MainWindow::connectTo);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, &MainWindow::closeTab);
    connect(m_events, &EventsPanel::problemActivated, this,
            [this](const QString &file, int line, int column) {
                for (int i = 0; i < m_tabs->count(); ++i)
                    if (auto *tab = qobject_cast<ManifestTab *>(m_tabs->widget(i));
                        tab && tab->title().remove(u'*') == file) {
                        m_tabs->setCurrentIndex(i);
                        tab->editor()->goToLine(line, column);
                    }
            });
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
    // The context of the last session, while it exists; else kubectl's current one.
    const QString last = settings.value(QStringLiteral("context")).toString();
    if (!last.isEmpty() && client::readClusterAccess({}, last))
        connectTo(last);
    else
        connectTo(QString());
}

MainWindow::~MainWindow()
{
    // The views let go of the connection before it goes.
    m_resources->setConnection(nullptr);
    m_events->setConnection(nullptr);
    m_portForwards->setClient(nullptr);
    m_gitops->setCluster(nullptr, {}, {});
    closeConnectionTabs();
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New manifest"), QKeySequence::New, this, [this] { newManifest(); });
    file->addAction(tr("&Open..."), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open a manifest"), QString(), tr("YAML files (*.yaml *.yml);;All files (*)"));
        if (!path.isEmpty())
            openManifest(path);
    });
    m_recentMenu = file->addMenu(tr("Open &recent"));
    updateRecentMenu();
    file->addAction(tr("&Save"), QKeySequence::Save, this, [this] {
        if (ManifestTab *tab = currentManifest())
            saveManifest(tab, false);
    });
    file->addAction(tr("Save &as..."), QKeySequence::SaveAs, this, [this] {
        if (ManifestTab *tab = currentManifest())
            saveManifest(tab, true);
    });
    QMenu *manifestMenu = menuBar()->addMenu(tr("&Manifest"));
    QAction *deployAction = manifestMenu->addAction(tr("&Deploy"), this, [this] {
        if (ManifestTab *tab = currentManifest())
            deploy(tab, false);
    });
    deployAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    deployAction->setToolTip(
        QStringLiteral("kubectl apply --server-side --field-manager=timonel -f FILE"));
    QAction *dryRunAction = manifestMenu->addAction(tr("D&ry run"), this, [this] {
        if (ManifestTab *tab = currentManifest())
            deploy(tab, true);
    });
    dryRunAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Return));
    dryRunAction->setToolTip(QStringLiteral(
        "kubectl apply --server-side --field-manager=timonel --dry-run=server -f FILE"));
    QAction *diffAction = manifestMenu->addAction(tr("D&iff against cluster"), this, [this] {
        ManifestTab *tab = currentManifest();
        if (!tab)
            return;
        if (!m_connection) {
            showMessage(tr("Connect to a cluster first (double-click it in the clusters panel)."),
                        {});
            return;
        }
        client::ApplyOptions options;
        options.defaultNamespace = m_connection->defaultNamespace();
        DiffView *view = tab->showDiff(m_connection->api(), options);
        view->setProperty("usesConnection", true); // it asks the cluster: it goes with it
        m_tabs->setCurrentIndex(m_tabs->addTab(view, view->title()));
    });
    diffAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    diffAction->setToolTip(
        QStringLiteral("kubectl diff --server-side --field-manager=timonel -f FILE"));
    QMenu *deploySamples = manifestMenu->addMenu(tr("Deploy a &sample"));
    for (const Sample &sample : samples()) {
        QAction *action = deploySamples->addAction(sample.title);
        action->setToolTip(sample.description);
        connect(action, &QAction::triggered, this, [this, id = sample.id] {
            bool ok = false;
            const QString ns = QInputDialog::getText(this, tr("Deploy a sample"), tr("Namespace:"),
                                                     QLineEdit::Normal, id, &ok);
            if (ok && !ns.trimmed().isEmpty())
                deploySample(id, ns.trimmed());
        });
    }

    QMenu *templatesMenu = file->addMenu(tr("New from &template"));
    for (const manifest::ManifestTemplate &t : manifest::templates())
        templatesMenu->addAction(t.title, this, [this, yaml = t.yaml] { newManifest(yaml); });
    QMenu *samplesMenu = file->addMenu(tr("Open a &sample"));
    for (const Sample &sample : samples()) {
        QAction *action = samplesMenu->addAction(sample.title);
        action->setToolTip(sample.description);
        connect(action, &QAction::triggered, this, [this, manifest = sample.manifest] {
            QFile f(manifest);
            if (f.open(QIODevice::ReadOnly))
                newManifest(QString::fromUtf8(f.readAll()));
        });
    }

    QMenu *clusterMenu = menuBar()->addMenu(tr("&Cluster"));
    clusterMenu->addAction(m_clusters->createAction());
    QAction *refreshAction = clusterMenu->addAction(tr("&Refresh"), this, &MainWindow::refresh);
    refreshAction->setShortcut(QKeySequence::Refresh);
    clusterMenu->addSeparator();
    QAction *quit = clusterMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("&Topology"), QKeySequence(Qt::CTRL | Qt::Key_T), this,
                    &MainWindow::showTopology);
    view->addSeparator();
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
    m_portForwards->setClient(nullptr);
    m_gitops->setCluster(nullptr, {}, {});
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
    m_portForwards->setClient(&m_connection->https());
    m_connection->start();
    m_gitops->setCluster(&m_connection->api(), m_connection->context(),
                         m_connection->defaultNamespace());
    showTopology();
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

void MainWindow::openShell(const QString &ns, const QString &pod)
{
    if (!m_connection)
        return;
    const QString key = QStringLiteral("shell|%1|%2").arg(ns, pod);
    for (int i = 0; i < m_tabs->count(); ++i)
        if (m_tabs->widget(i)->property("tabKey").toString() == key) {
            m_tabs->setCurrentIndex(i);
            return;
        }
    auto *terminal = new TerminalTab(m_connection->https(), ns, pod, QString());
    terminal->setProperty("tabKey", key);
    terminal->setProperty("usesConnection", true);
    const QString command = terminal->commandLine();
    m_tabs->setCurrentIndex(m_tabs->addTab(terminal, terminal->title()));
    m_tabs->setTabToolTip(m_tabs->currentIndex(), command);
    terminal->setFocus();
    showMessage(tr("Opening a shell in %1").arg(pod), command);
}

void MainWindow::askPortForward(const QString &key, const QString &ns, const QString &name)
{
    if (!m_connection)
        return;
    QStringList ports;
    for (const QJsonObject &object : m_connection->objects(key))
        if (object[QLatin1String("metadata")][QLatin1String("name")] == name &&
            object[QLatin1String("metadata")][QLatin1String("namespace")] == ns)
            for (quint16 port : PortForwardsPanel::portsOf(object))
                ports << QString::number(port);
    bool ok = false;
    const QString chosen = QInputDialog::getItem(
        this, tr("Port-forward"), tr("Port of %1 to forward:").arg(name), ports, 0, true, &ok);
    if (!ok)
        return;
    const int port = chosen.trimmed().toInt();
    if (port < 1 || port > 65535) {
        showMessage(tr("\"%1\" is not a port: give a number from 1 to 65535").arg(chosen), {});
        return;
    }
    m_portForwards->forward(key, ns, name, quint16(port));
    m_events->setCurrentWidget(m_portForwards);
}

TopologyTab *MainWindow::topologyTab() const
{
    for (int i = 0; i < m_tabs->count(); ++i)
        if (auto *tab = qobject_cast<TopologyTab *>(m_tabs->widget(i)))
            return tab;
    return nullptr;
}

void MainWindow::showTopology()
{
    if (TopologyTab *open = topologyTab()) {
        m_tabs->setCurrentWidget(open);
        return;
    }
    if (!m_connection)
        return;
    auto *tab = new TopologyTab(m_connection.get());
    tab->setProperty("usesConnection", true);
    connect(tab, &TopologyTab::logsRequested, this, &MainWindow::showLogs);
    connect(tab, &TopologyTab::shellRequested, this, &MainWindow::openShell);
    connect(tab, &TopologyTab::portForwardRequested, this, &MainWindow::askPortForward);
    connect(tab, &TopologyTab::nodeActionRequested, this, [this](const QString &node, bool start) {
        if (!m_connection || !m_clusters->setNodeRunning(m_connection->context(), node, start))
            showMessage(tr("Node \"%1\" is not a Timonel node container on this machine").arg(node),
                        {});
    });
    m_tabs->insertTab(0, tab, tr("Topology"));
    m_tabs->setTabToolTip(0, QStringLiteral("kubectl get all -A -o wide"));
    m_tabs->setCurrentIndex(0);
    for (int i = 0; i < m_tabs->count(); ++i)
        if (auto *manifest = qobject_cast<ManifestTab *>(m_tabs->widget(i)))
            updateGhosts(manifest);
}

void MainWindow::updateGhosts(ManifestTab *tab, bool removed)
{
    if (TopologyTab *topology = topologyTab())
        topology->setGhosts(tab->objectName(), removed ? QString() : tab->editor()->text(),
                            m_connection ? m_connection->defaultNamespace() : QString());
}

ManifestTab *MainWindow::currentManifest() const
{
    return qobject_cast<ManifestTab *>(m_tabs->currentWidget());
}

ManifestTab *MainWindow::newManifest(const QString &text)
{
    auto *tab = new ManifestTab;
    // A key for the problems panel that stays while the title changes.
    static int untitled = 0;
    tab->setObjectName(QStringLiteral("manifest%1").arg(++untitled));
    connect(tab, &ManifestTab::problemsChanged, this,
            [this, tab](const QList<manifest::Problem> &found) {
                QList<Problem> problems;
                for (const manifest::Problem &p : found)
                    problems.append({tab->title().remove(u'*'), p.line, p.column,
                                     p.severity == manifest::Severity::Error, p.message});
                m_events->setProblems(tab->title().remove(u'*'), problems);
                updateGhosts(tab);
            });
    connect(tab, &ManifestTab::titleChanged, this, [this, tab](const QString &title) {
        if (const int index = m_tabs->indexOf(tab); index >= 0) {
            m_tabs->setTabText(index, title);
            m_tabs->setTabToolTip(index, tab->filePath());
        }
    });
    m_tabs->setCurrentIndex(m_tabs->addTab(tab, tab->title()));
    if (!text.isEmpty())
        tab->setText(text);
    tab->editor()->setFocus();
    return tab;
}

ManifestTab *MainWindow::openManifest(const QString &path)
{
    for (int i = 0; i < m_tabs->count(); ++i)
        if (auto *tab = qobject_cast<ManifestTab *>(m_tabs->widget(i));
            tab && tab->filePath() == QFileInfo(path).absoluteFilePath()) {
            m_tabs->setCurrentIndex(i);
            return tab;
        }
    ManifestTab *tab = newManifest();
    QString error;
    if (!tab->open(QFileInfo(path).absoluteFilePath(), &error)) {
        closeTab(m_tabs->indexOf(tab));
        showMessage(error, {});
        return nullptr;
    }
    rememberRecent(tab->filePath());
    return tab;
}

bool MainWindow::saveManifest(ManifestTab *tab, bool choosePath)
{
    QString path = tab->filePath();
    if (choosePath || path.isEmpty()) {
        path = QFileDialog::getSaveFileName(this, tr("Save the manifest"), path,
                                            tr("YAML files (*.yaml *.yml);;All files (*)"));
        if (path.isEmpty())
            return false;
    }
    QString error;
    if (!tab->save(path, &error)) {
        showMessage(error, {});
        return false;
    }
    rememberRecent(tab->filePath());
    showMessage(tr("Saved %1").arg(tab->filePath()), {});
    return true;
}

namespace {

// Runs the applier and reports its lines; `title` names the run in the results panel.
void runApplier(MainWindow *window, EventsPanel *panel, ClusterConnection *connection,
                const QList<QJsonObject> &objects, client::ApplyOptions options,
                const QString &title, const std::function<void(const QString &)> &message)
{
    auto *applier = new client::Applier(connection->api(), options, window);
    const bool dryRun = options.dryRun;
    QObject::connect(
        applier, &client::Applier::finished, window,
        [window, panel, applier, title, dryRun,
         message](const QList<client::ApplyResult> &results) {
            QList<std::pair<bool, QString>> lines;
            int failed = 0;
            for (const client::ApplyResult &r : results) {
                lines.append({r.ok, r.summary(dryRun)});
                failed += r.ok ? 0 : 1;
            }
            panel->showResults(title, lines);
            const int applied = int(results.size()) - failed;
            message(failed == 0
                        ? MainWindow::tr("%1: %n object(s) applied", nullptr, applied).arg(title)
                        : MainWindow::tr("%1: %2 applied, %3 failed")
                              .arg(title)
                              .arg(applied)
                              .arg(failed));
            Q_EMIT window->deployFinished(applied, failed);
            applier->deleteLater();
        });
    applier->apply(objects);
}

} // namespace

void MainWindow::deploy(ManifestTab *tab, bool dryRun)
{
    if (!m_connection) {
        showMessage(tr("Connect to a cluster first (double-click it in the clusters panel)."), {});
        return;
    }
    QList<QJsonObject> objects;
    for (const manifest::YamlDocument &document :
         manifest::parseManifestFile(tab->editor()->text()).documents) {
        if (document.syntaxError) {
            showMessage(tr("Line %1: %2: nothing was deployed")
                            .arg(document.syntaxError->line)
                            .arg(document.syntaxError->message),
                        {});
            tab->editor()->goToLine(document.syntaxError->line, document.syntaxError->column);
            return;
        }
        if (document.value.isObject())
            objects.append(document.value.toObject());
    }
    client::ApplyOptions options;
    options.dryRun = dryRun;
    options.defaultNamespace = m_connection->defaultNamespace();
    const QString name = tab->title().remove(u'*');
    const QString command =
        QStringLiteral("kubectl apply --server-side --field-manager=timonel%1 -f %2")
            .arg(dryRun ? QStringLiteral(" --dry-run=server") : QString(),
                 tab->filePath().isEmpty() ? name : tab->filePath());
    showMessage(dryRun ? tr("Dry run of %1 ...").arg(name) : tr("Deploying %1 ...").arg(name),
                command);
    runApplier(this, m_events, m_connection.get(), objects, options,
               dryRun ? tr("Dry run of %1").arg(name) : tr("Deploy of %1").arg(name),
               [this, command](const QString &text) { showMessage(text, command); });
}

void MainWindow::deploySample(const QString &sampleId, const QString &ns)
{
    if (!m_connection) {
        showMessage(tr("Connect to a cluster first (double-click it in the clusters panel)."), {});
        return;
    }
    const QList<Sample> all = samples();
    const auto sample = std::ranges::find(all, sampleId, &Sample::id);
    if (sample == all.end())
        return;
    auto objects = sampleObjects(*sample);
    if (!objects) {
        showMessage(objects.error(), {});
        return;
    }
    // The namespace first; the applier sends Namespaces before the rest.
    objects->prepend(
        QJsonObject{{QStringLiteral("apiVersion"), QStringLiteral("v1")},
                    {QStringLiteral("kind"), QStringLiteral("Namespace")},
                    {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("name"), ns}}}});
    const QString command =
        QStringLiteral("kubectl create namespace %1; kubectl apply --server-side -n %1 -f %2")
            .arg(ns, sample->manifest.mid(2));
    showMessage(tr("Preparing the images of %1 ...").arg(sample->title), command);
    const Sample chosen = *sample;
    const QString base = samplesBaseImage();
    QPointer<MainWindow> self(this);
    auto *worker = QThread::create([self, chosen, base, ns, command, objects = *objects] {
        auto prepared =
            prepareSampleImages(chosen, docker::DockerClient(), base, [self](const QString &line) {
                QMetaObject::invokeMethod(self, [self, line] {
                    if (self)
                        self->statusBar()->showMessage(line);
                });
            });
        QMetaObject::invokeMethod(self, [self, prepared, chosen, ns, command, objects] {
            if (!self)
                return;
            if (!prepared) {
                self->showMessage(prepared.error(), command);
                return;
            }
            if (!self->m_connection)
                return;
            client::ApplyOptions options;
            options.defaultNamespace = ns;
            // The sample shows in the graph as it comes up.
            self->showTopology();
            if (TopologyTab *topology = self->topologyTab())
                topology->showNamespace(ns);
            runApplier(self, self->m_events, self->m_connection.get(), objects, options,
                       tr("Deploy of %1 into %2").arg(chosen.title, ns),
                       [self, command](const QString &text) {
                           if (self)
                               self->showMessage(text, command);
                       });
        });
    });
    connect(worker, &QThread::finished, worker, &QObject::deleteLater);
    worker->start();
}

void MainWindow::rememberRecent(const QString &path)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("recentFiles")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    settings.setValue(QStringLiteral("recentFiles"), recent.mid(0, 8));
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
    for (const QString &path : recent)
        m_recentMenu
            ->addAction(QFileInfo(path).fileName(), this, [this, path] { openManifest(path); })
            ->setToolTip(path);
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::closeTab(int index)
{
    QWidget *widget = m_tabs->widget(index);
    if (auto *tab = qobject_cast<ManifestTab *>(widget)) {
        if (tab->editor()->isModified() &&
            QMessageBox::question(this, tr("Close"),
                                  tr("%1 has changes that are not saved. Close it anyway?")
                                      .arg(tab->title().remove(u'*'))) != QMessageBox::Yes)
            return;
        m_events->setProblems(tab->title().remove(u'*'), {});
        updateGhosts(tab, true);
    }
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
    for (int i = 0; i < m_tabs->count(); ++i)
        if (auto *tab = qobject_cast<ManifestTab *>(m_tabs->widget(i));
            tab && tab->editor()->isModified()) {
            if (QMessageBox::question(this, tr("Quit"),
                                      tr("Some manifests have changes that are not saved. Quit "
                                         "anyway?")) != QMessageBox::Yes) {
                event->ignore();
                return;
            }
            break;
        }
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

} // namespace timonel::gui
