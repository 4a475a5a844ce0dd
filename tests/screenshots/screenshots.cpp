// The README's screenshots: the main window on a live cluster, with the topology graph in front
// and then a manifest in the editor (its objects shown in the graph as ghosts), in one language.
// packaging/dev screenshots runs it under Xvfb for English and Spanish, after making a cluster
// and deploying the samples into it.
//
//   screenshots --context CONTEXT --lang en|es --manifest FILE --out DIR
//
// Waits (up to 5 minutes) for every pod the graph shows to run and be ready.
#include "editor/yamleditor.h"
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

    const QDeadlineTimer deadline(5 * 60 * 1000);
    while (!deadline.hasExpired() &&
           (!allPodsReady(*topology->model()) || topology->scene()->isSettling()))
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
    return save(window, out.filePath(QStringLiteral("main-editor-%1.png").arg(lang))) ? 0 : 1;
}
