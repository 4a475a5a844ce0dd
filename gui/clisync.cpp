#include "clisync.h"

#include "client/httpsclient.h"
#include "core/canceltoken.h"
#include "gitops/syncer.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QTextStream>

namespace timonel::gui {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Cli)
};

void print(const gitops::SyncReport &report)
{
    QTextStream out(stdout);
    for (const QString &line : report.lines())
        out << line << Qt::endl;
    if (report.status != gitops::SyncStatus::Failed)
        out << report.headline() << Qt::endl;
}

} // namespace

int runSync(const QStringList &arguments, core::CancelToken &interrupted)
{
    QCommandLineParser p;
    p.setApplicationDescription(Tr::tr("Keeps a cluster as a local git repository says"));
    p.addHelpOption();
    p.addOptions({
        {QStringLiteral("repo"), Tr::tr("the repository (a working tree or a bare one)"),
         Tr::tr("path")},
        {QStringLiteral("branch"), Tr::tr("branch, tag or commit to follow (default HEAD)"),
         Tr::tr("revision"), QStringLiteral("HEAD")},
        {QStringLiteral("path"), Tr::tr("directory inside the repository (default its root)"),
         Tr::tr("dir")},
        {QStringLiteral("context"), Tr::tr("kubeconfig context (default the current one)"),
         Tr::tr("name")},
        {QStringLiteral("name"),
         Tr::tr("the sync's name, labelling what it applies (default from the repository)"),
         Tr::tr("name")},
        {QStringLiteral("prune"), Tr::tr("delete what this sync applied and git no longer has")},
        {QStringLiteral("self-heal"), Tr::tr("apply git's version again when the cluster drifts")},
        {QStringLiteral("dry-run"), Tr::tr("show what would change; change nothing")},
        {QStringLiteral("once"), Tr::tr("sync once and exit (the default)")},
        {QStringLiteral("watch"), Tr::tr("sync each new commit until interrupted")},
    });
    QStringList args = arguments;
    args.prepend(QStringLiteral("timonel sync"));
    QTextStream err(stderr);
    auto fail = [&err](const QString &message) {
        err << Tr::tr("ERROR: %1").arg(message) << Qt::endl;
        return 1;
    };
    if (!p.parse(args))
        return fail(p.errorText());
    if (p.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << p.helpText() << Qt::flush;
        return 0;
    }
    if (!p.isSet(QStringLiteral("repo")))
        return fail(Tr::tr("--repo is required"));
    if (p.isSet(QStringLiteral("once")) && p.isSet(QStringLiteral("watch")))
        return fail(Tr::tr("--once and --watch cannot go together"));
    if (p.isSet(QStringLiteral("self-heal")) && !p.isSet(QStringLiteral("watch")))
        return fail(Tr::tr("--self-heal needs --watch"));

    auto client = client::HttpsClient::fromKubeconfig({}, p.value(QStringLiteral("context")));
    if (!client)
        return fail(client.error());
    gitops::SyncSpec spec;
    spec.repository = p.value(QStringLiteral("repo"));
    spec.revision = p.value(QStringLiteral("branch"));
    spec.path = p.value(QStringLiteral("path"));
    spec.name = p.isSet(QStringLiteral("name")) ? p.value(QStringLiteral("name"))
                                                : gitops::defaultSyncName(spec.repository, spec.path);
    if (const QString problem = gitops::syncNameProblem(spec.name); !problem.isEmpty())
        return fail(problem);
    spec.defaultNamespace = (*client)->access().defaultNamespace;
    if (spec.defaultNamespace.isEmpty())
        spec.defaultNamespace = QStringLiteral("default");
    spec.prune = p.isSet(QStringLiteral("prune"));
    spec.selfHeal = p.isSet(QStringLiteral("self-heal"));
    spec.dryRun = p.isSet(QStringLiteral("dry-run"));

    gitops::Syncer syncer(**client, spec);
    QEventLoop loop;
    int code = 0;
    QObject::connect(
        &syncer, &gitops::Syncer::finished, &loop, [&](const gitops::SyncReport &report) {
            if (report.status == gitops::SyncStatus::Failed)
                err << Tr::tr("ERROR: %1").arg(report.error) << Qt::endl;
            print(report);
            const bool clean =
                report.status != gitops::SyncStatus::Failed && report.problems.isEmpty() &&
                report.pruneFailures.isEmpty() &&
                std::ranges::all_of(report.objects, [](const auto &o) { return o.result.ok; });
            code = clean ? 0 : 1;
            if (!p.isSet(QStringLiteral("watch")))
                loop.quit();
        });
    QObject::connect(&interrupted, &core::CancelToken::cancelled, &loop, &QEventLoop::quit);
    if (p.isSet(QStringLiteral("watch")))
        syncer.watch();
    else
        syncer.syncNow();
    loop.exec();
    return code;
}

} // namespace timonel::gui
