// The README's screenshots: the main window on a live cluster, with the topology graph in front,
// then a manifest in the editor (its objects shown in the graph as ghosts), then the GitOps
// panel, in one language. packaging/dev screenshots runs it under Xvfb for English and Spanish,
// after making a cluster and a git repository of the dockercoins sample, which a GitOps sync
// added here deploys.
//
//   screenshots --context CONTEXT --lang en|es --manifest FILE --sync-repo DIR --out DIR
//
// Waits (up to 5 minutes) for the sync and for every pod the graph shows to run and be ready.
#include "editor/yamleditor.h"
#include "gitops/gitopspanel.h"
#include "mainwindow.h"
#include "manifesttab.h"
#include "topology/topologymodel.h"
#include "topology/topologyscene.h"
#include "topology/topologyview.h"
#include "topologytab.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDeadlineTimer>
#include <QDir>
#include <QDockWidget>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>
#include <QTranslator>

using namespace timonel;

namespace {

bool allPodsReady(const topology::TopologyModel &model)
{
    int pods = 0;
    for (const topology::Item &item : model.items()) {
        if (item.key != QLatin1String("pods") || item.ghost)
            continue;
        ++pods;
        if (item.health != topology::Health::Good)
            return false;
    }
    return pods > 0;
}

bool save(QWidget &window, const QString &path)
{
    QCoreApplication::processEvents();
    if (!window.grab().save(path)) {
        std::fprintf(stderr, "screenshots: cannot write %s\n", qPrintable(path));
        return false;
    }
    std::printf("%s\n", qPrintable(path));
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("TimonelScreenshots"));
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();

    QCommandLineParser parser;
    parser.addOptions(
        {{QStringLiteral("context"), QStringLiteral("kubeconfig context"), QStringLiteral("name")},
         {QStringLiteral("lang"), QStringLiteral("en or es"), QStringLiteral("code")},
         {QStringLiteral("manifest"), QStringLiteral("file for the editor"),
          QStringLiteral("path")},
         {QStringLiteral("sync-repo"), QStringLiteral("git repository for a GitOps sync"),
          QStringLiteral("dir")},
         {QStringLiteral("out"), QStringLiteral("output directory"), QStringLiteral("dir")}});
    parser.process(app);
    const QString lang = parser.value(QStringLiteral("lang"));
    auto *translator = new QTranslator(&app);
    if (!translator->load(QStringLiteral(":/i18n/timonel_") + lang)) {
        std::fprintf(stderr, "screenshots: no translation for \"%s\"\n", qPrintable(lang));
        return 1;
    }
    app.installTranslator(translator);

    gui::MainWindow window;
    window.resize(1600, 1000);
    window.show();
    window.connectTo(parser.value(QStringLiteral("context")));
    gui::TopologyTab *topology = window.topologyTab();
    if (!topology) {
        std::fprintf(stderr, "screenshots: cannot connect to the context\n");
        return 1;
    }
    gui::ManifestTab *manifest = window.openManifest(parser.value(QStringLiteral("manifest")));
    if (!manifest) {
        std::fprintf(stderr, "screenshots: cannot open the manifest\n");
        return 1;
    }
    window.tabs()->setCurrentWidget(topology);
    gui::GitOpsPanel *gitops = window.gitOpsPanel();
    gui::SyncSettings sync;
    sync.spec.name = QStringLiteral("coins");
    sync.spec.repository = parser.value(QStringLiteral("sync-repo"));
    sync.spec.prune = true;
    if (auto added = gitops->addSync(sync); !added) {
        std::fprintf(stderr, "screenshots: %s\n", qPrintable(added.error()));
        return 1;
    }

    const QDeadlineTimer deadline(5 * 60 * 1000);
    while (!deadline.hasExpired() &&
           (!allPodsReady(*topology->model()) || topology->scene()->isSettling() ||
            !gitops->lastReport(sync.spec.name) ||
            gitops->lastReport(sync.spec.name)->health != gitops::Health::Healthy))
        QTest::qWait(200);
    if (deadline.hasExpired()) {
        std::fprintf(stderr, "screenshots: the pods did not all become ready\n");
        return 1;
    }
    topology->view()->fit();
    const QString pods = topology::itemId(QStringLiteral("deployments.apps"),
                                          QStringLiteral("coins"), QStringLiteral("worker"));
    topology->scene()->select(pods);
    const QDir out(parser.value(QStringLiteral("out")));
    if (!save(window, out.filePath(QStringLiteral("main-graph-%1.png").arg(lang))))
        return 1;

    window.tabs()->setCurrentWidget(manifest);
    manifest->editor()->goToLine(10, 1);
    if (!save(window, out.filePath(QStringLiteral("main-editor-%1.png").arg(lang))))
        return 1;

    // The GitOps panel in front, tall enough for the sync's objects and history.
    window.tabs()->setCurrentWidget(topology);
    auto *dock = window.findChild<QDockWidget *>(QStringLiteral("gitopsDock"));
    dock->raise();
    window.resizeDocks({dock}, {520}, Qt::Vertical);
    gitops->detailTabs()->setCurrentIndex(1); // History
    return save(window, out.filePath(QStringLiteral("main-gitops-%1.png").arg(lang))) ? 0 : 1;
}
