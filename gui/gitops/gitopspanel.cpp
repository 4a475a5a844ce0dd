#include "gitopspanel.h"

#include "clusterdiff.h"
#include "diffview.h"
#include "gitops/desiredstate.h"
#include "gitops/gitsource.h"
#include "gitops/refwatcher.h"
#include "gitops/synclabel.h"
#include "gitops/syncdialog.h"
#include "topology/topologyitems.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTimer>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace timonel::gui {

namespace {

// How many of the repository's commits the history lists.
constexpr int historyLength = 100;
// How often the synced objects' health is read again: while a sync is not Healthy, and (every
// fifth time) when it is.
constexpr int healthInterval = 2000;
constexpr int healthyEvery = 5;

QColor statusColor(const QString &status)
{
    using topology::Health;
    if (status == QLatin1String("Synced") || status == QLatin1String("Healthy"))
        return topology::healthColor(Health::Good);
    if (status == QLatin1String("Failed") || status == QLatin1String("Degraded") ||
        status == QLatin1String("Missing"))
        return topology::healthColor(Health::Failed);
    if (status == QLatin1String("Suspended"))
        return topology::healthColor(Health::Finished);
    return topology::healthColor(Health::Progressing);
}

QString localTime(const QDateTime &time)
{
    return time.isValid() ? QLocale().toString(time.toLocalTime(), QLocale::ShortFormat)
                          : QString();
}

QTreeWidget *treeWithColumns(const QStringList &headers)
{
    auto *tree = new QTreeWidget;
    tree->setHeaderLabels(headers);
    tree->setRootIsDecorated(false);
    tree->setUniformRowHeights(true);
    tree->setAlternatingRowColors(true);
    tree->header()->setStretchLastSection(true);
    return tree;
}

QPushButton *button(const QString &text, const QString &toolTip)
{
    auto *b = new QPushButton(text);
    b->setToolTip(toolTip);
    return b;
}

} // namespace

struct GitOpsPanel::Entry
{
    SyncSettings settings;
    std::unique_ptr<gitops::Syncer> syncer;
    std::unique_ptr<gitops::Syncer> preview; // syncs without auto-sync: dry runs of new commits
    std::unique_ptr<gitops::RefWatcher> refs;
    QList<SyncRecord> records; // oldest first
    std::optional<gitops::SyncReport> last;
    QString head;      // the commit the revision is at, "" while it does not resolve
    QString headError; // why it does not
    QString running;   // the commit a run is syncing, "" when none runs
    QTreeWidgetItem *row = nullptr;
};

GitOpsPanel::GitOpsPanel(QWidget *parent)
    : QWidget(parent),
      m_syncs(treeWithColumns(
          {tr("Sync"), tr("Status"), tr("Health"), tr("Commit"), tr("Source"), tr("Last sync")})),
      m_details(new QTabWidget),
      m_objects(treeWithColumns(
          {tr("Kind"), tr("Namespace"), tr("Name"), tr("Result"), tr("Health"), tr("Source")})),
      m_history(treeWithColumns({tr("Commit"), tr("Summary"), tr("Author"), tr("Date"),
                                 tr("Synced")})),
      m_log(new QPlainTextEdit),
      m_add(button(tr("&Add sync..."), tr("Follow a git repository on this computer"))),
      m_syncNow(button(tr("Sync &now"), tr("Apply the branch's commit now"))),
      m_diff(button(tr("&Diff"), tr("Compare git with the cluster"))),
      m_graph(button(tr("Show in &graph"), tr("The graph with this sync's objects only"))),
      m_remove(button(tr("&Remove"), tr("Stop syncing; what was applied stays in the cluster")))
{
    m_log->setReadOnly(true);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    QFont mono = m_log->font();
    mono.setFamily(QStringLiteral("monospace"));
    m_log->setFont(mono);
    m_syncs->setContextMenuPolicy(Qt::CustomContextMenu);
    m_history->setContextMenuPolicy(Qt::CustomContextMenu);

    auto *historyPage = new QWidget;
    auto *rollback = button(tr("Sync to &this commit"),
                            tr("Apply the selected commit (a rollback); Sync now goes back to the "
                               "branch"));
    rollback->setEnabled(false);
    auto *historyButtons = new QHBoxLayout;
    historyButtons->addWidget(rollback);
    historyButtons->addStretch();
    auto *historyLayout = new QVBoxLayout(historyPage);
    historyLayout->setContentsMargins(0, 0, 0, 0);
    historyLayout->addWidget(m_history);
    historyLayout->addLayout(historyButtons);
    m_details->addTab(m_objects, tr("Objects"));
    m_details->addTab(historyPage, tr("History"));
    m_details->addTab(m_log, tr("Log"));

    auto *buttons = new QHBoxLayout;
    for (QPushButton *b : {m_add, m_syncNow, m_diff, m_graph, m_remove})
        buttons->addWidget(b);
    buttons->addStretch();
    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_syncs);
    splitter->addWidget(m_details);
    // A few syncs above; their many objects and commits below.
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    splitter->setSizes({1000, 3000});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(buttons);
    layout->addWidget(splitter, 1);

    connect(m_add, &QPushButton::clicked, this, &GitOpsPanel::addFromDialog);
    connect(m_syncNow, &QPushButton::clicked, this, [this] { syncNow(currentSync()); });
    connect(m_diff, &QPushButton::clicked, this, [this] { showDiff(currentSync()); });
    connect(m_graph, &QPushButton::clicked, this, [this] {
        Q_EMIT showInGraph(QString(gitops::syncLabel) + u'=' + currentSync());
    });
    connect(m_remove, &QPushButton::clicked, this, [this] { removeSync(currentSync()); });
    connect(rollback, &QPushButton::clicked, this, [this] {
        if (QTreeWidgetItem *commit = m_history->currentItem())
            syncNow(currentSync(), commit->data(0, Qt::UserRole).toString());
    });
    connect(m_history, &QTreeWidget::currentItemChanged, rollback,
            [rollback](QTreeWidgetItem *current) { rollback->setEnabled(current); });
    connect(m_history, &QTreeWidget::customContextMenuRequested, this, &GitOpsPanel::historyMenu);
    connect(m_syncs, &QTreeWidget::currentItemChanged, this, &GitOpsPanel::updateDetails);
    connect(m_syncs, &QTreeWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        Entry *e = entry(currentSync());
        if (!e || !m_syncs->itemAt(pos))
            return;
        QMenu menu;
        menu.addAction(m_syncNow->text(), this, [this, name = e->settings.spec.name] {
            syncNow(name);
        });
        menu.addAction(m_diff->text(), m_diff, &QPushButton::click);
        menu.addAction(m_graph->text(), m_graph, &QPushButton::click);
        menu.addSeparator();
        // The switches, each restarting the sync with its new value.
        auto toggle = [this, &menu, e](const QString &text, bool value, auto change) {
            QAction *action = menu.addAction(text);
            action->setCheckable(true);
            action->setChecked(value);
            connect(action, &QAction::toggled, this, [this, e, change](bool on) {
                change(e->settings, on);
                e->settings.spec.selfHeal = e->settings.spec.selfHeal && e->settings.autoSync;
                save();
                start(*e);
            });
            return action;
        };
        toggle(tr("Auto-sync"), e->settings.autoSync,
               [](SyncSettings &s, bool on) { s.autoSync = on; });
        toggle(tr("Prune"), e->settings.spec.prune,
               [](SyncSettings &s, bool on) { s.spec.prune = on; });
        toggle(tr("Self-heal"), e->settings.spec.selfHeal,
               [](SyncSettings &s, bool on) { s.spec.selfHeal = on; })
            ->setEnabled(e->settings.autoSync);
        menu.addSeparator();
        menu.addAction(m_remove->text(), m_remove, &QPushButton::click);
        menu.exec(m_syncs->viewport()->mapToGlobal(pos));
    });
    auto *health = new QTimer(this);
    health->start(healthInterval);
    connect(health, &QTimer::timeout, this, &GitOpsPanel::checkHealth);
    updateDetails();
}

GitOpsPanel::~GitOpsPanel() = default;

void GitOpsPanel::setCluster(client::ApiClient *api, const QString &context,
                             const QString &defaultNamespace)
{
    m_entries.clear();
    m_syncs->clear();
    m_api = api;
    m_context = context;
    m_defaultNamespace = defaultNamespace.isEmpty() ? QStringLiteral("default") : defaultNamespace;
    if (m_api) {
        const SyncStore store(m_context);
        for (const SyncSettings &settings : store.syncs()) {
            auto e = std::make_unique<Entry>();
            e->settings = settings;
            e->records = store.history(settings.spec.name);
            m_entries.push_back(std::move(e));
            start(*m_entries.back());
        }
        if (!m_entries.empty())
            m_syncs->setCurrentItem(m_entries.front()->row);
    }
    updateDetails();
}

std::expected<void, QString> GitOpsPanel::addSync(const SyncSettings &settings)
{
    if (!m_api)
        return std::unexpected(tr("Connect to a cluster first (double-click it in the clusters "
                                  "panel)."));
    if (const QString problem = gitops::syncNameProblem(settings.spec.name); !problem.isEmpty())
        return std::unexpected(problem);
    if (entry(settings.spec.name))
        return std::unexpected(nameTakenProblem(settings.spec.name));
    auto e = std::make_unique<Entry>();
    e->settings = settings;
    SyncStore(m_context).forget(settings.spec.name); // a sync of that name removed before
    m_entries.push_back(std::move(e));
    save();
    start(*m_entries.back());
    m_syncs->setCurrentItem(m_entries.back()->row);
    Q_EMIT message(tr("Sync \"%1\" added").arg(settings.spec.name),
                   gitops::syncCommandLine(settings.spec, settings.autoSync));
    return {};
}

void GitOpsPanel::removeSync(const QString &name)
{
    const auto found = std::ranges::find_if(
        m_entries, [&name](const auto &e) { return e->settings.spec.name == name; });
    if (found == m_entries.end())
        return;
    delete (*found)->row;
    m_entries.erase(found);
    SyncStore(m_context).forget(name);
    save();
    updateDetails();
    Q_EMIT message(tr("Sync \"%1\" removed; what it applied stays in the cluster").arg(name),
                   QStringLiteral("kubectl get all -A -l %1=%2").arg(gitops::syncLabel, name));
}

void GitOpsPanel::syncNow(const QString &name, const QString &commit)
{
    Entry *e = entry(name);
    if (!e)
        return;
    e->syncer->syncNow(commit);
    gitops::SyncSpec spec = e->settings.spec;
    if (!commit.isEmpty())
        spec.revision = commit;
    Q_EMIT message(commit.isEmpty()
                       ? tr("Syncing \"%1\" ...").arg(name)
                       : tr("Syncing \"%1\" to commit %2 ...").arg(name, commit.left(7)),
                   gitops::syncCommandLine(spec, false));
}

void GitOpsPanel::showDiff(const QString &name)
{
    Entry *e = entry(name);
    if (!e)
        return;
    gitops::SyncSpec spec = e->settings.spec;
    spec.defaultNamespace = m_defaultNamespace;
    const auto source = gitops::openSource(spec);
    if (!source) {
        Q_EMIT message(tr("Cannot compare with git: %1").arg(source.error()), {});
        return;
    }
    const gitops::DesiredState desired = gitops::readDesiredState(*source->tree);
    client::ApplyOptions options = gitops::applyOptions(spec);
    // Git's version, whoever owns a field now: what the sync means to make of the object.
    options.force = true;

    auto *view = new DiffView;
    view->setTitle(tr("Diff of %1 at %2").arg(name, source->commit.shortId));
    view->showMessage(tr("Asking the cluster ..."));
    Q_EMIT diffReady(view);
    diffAgainstCluster(*m_api, gitops::applyObjects(desired), options, view,
                       [view](const QList<manifest::ObjectDiff> &diffs) { view->setDiffs(diffs); });
    const QString command =
        QStringLiteral("git -C %1 archive %2 %3 | kubectl diff --server-side --force-conflicts -f -")
            .arg(spec.repository, source->commit.shortId, spec.path);
    if (!desired.problems.isEmpty()) {
        const gitops::RenderProblem &p = desired.problems.first();
        Q_EMIT message(tr("%n file(s) of git could not be read; first: %1:%2: %3", nullptr,
                          int(desired.problems.size()))
                           .arg(p.file)
                           .arg(p.line)
                           .arg(p.message),
                       command);
    } else {
        Q_EMIT message(view->title(), command);
    }
}

QStringList GitOpsPanel::syncNames() const
{
    QStringList names;
    for (const auto &e : m_entries)
        names << e->settings.spec.name;
    return names;
}

QString GitOpsPanel::currentSync() const
{
    const QTreeWidgetItem *row = m_syncs->currentItem();
    return row ? row->data(NameColumn, Qt::UserRole).toString() : QString();
}

void GitOpsPanel::selectSync(const QString &name)
{
    if (Entry *e = entry(name))
        m_syncs->setCurrentItem(e->row);
}

const gitops::SyncReport *GitOpsPanel::lastReport(const QString &name) const
{
    const Entry *e = entry(name);
    return e && e->last ? &*e->last : nullptr;
}

GitOpsPanel::Entry *GitOpsPanel::entry(const QString &name) const
{
    for (const auto &e : m_entries)
        if (e->settings.spec.name == name)
            return e.get();
    return nullptr;
}

void GitOpsPanel::start(Entry &e)
{
    e.syncer.reset();
    e.preview.reset();
    e.refs.reset();
    e.running.clear();
    e.head.clear();
    e.headError.clear();
    if (!e.row) {
        e.row = new QTreeWidgetItem(m_syncs);
        e.row->setData(NameColumn, Qt::UserRole, e.settings.spec.name);
    }
    gitops::SyncSpec spec = e.settings.spec;
    spec.defaultNamespace = m_defaultNamespace;
    Entry *entry = &e;

    if (auto repository = gitops::GitRepository::open(spec.repository)) {
        e.refs = std::make_unique<gitops::RefWatcher>(std::move(*repository), spec.revision);
        e.head = e.refs->commit();
        connect(e.refs.get(), &gitops::RefWatcher::changed, this,
                [this, entry](const QString &commit) {
                    entry->head = commit;
                    entry->headError.clear();
                    if (entry->preview)
                        entry->preview->syncNow();
                    updateRow(*entry);
                    if (currentSync() == entry->settings.spec.name)
                        updateHistory(*entry);
                });
        connect(e.refs.get(), &gitops::RefWatcher::error, this,
                [this, entry](const QString &error) {
                    entry->head.clear();
                    entry->headError = error;
                    updateRow(*entry);
                });
    } else {
        e.headError = repository.error();
    }

    e.syncer = std::make_unique<gitops::Syncer>(*m_api, spec);
    connect(e.syncer.get(), &gitops::Syncer::started, this, [this, entry](const QString &commit) {
        entry->running = commit;
        updateRow(*entry);
    });
    connect(e.syncer.get(), &gitops::Syncer::finished, this,
            [this, entry](const gitops::SyncReport &report) { finished(*entry, report, false); });
    connect(e.syncer.get(), &gitops::Syncer::healthChanged, this,
            [this, entry](const gitops::SyncReport &report) { healthChanged(*entry, report); });
    if (e.settings.autoSync) {
        e.syncer->watch();
    } else {
        spec.dryRun = true;
        e.preview = std::make_unique<gitops::Syncer>(*m_api, spec);
        connect(e.preview.get(), &gitops::Syncer::finished, this,
                [this, entry](const gitops::SyncReport &report) {
                    finished(*entry, report, true);
                });
        e.preview->syncNow();
    }
    updateRow(e);
    if (currentSync() == e.settings.spec.name)
        updateDetails();
}

void GitOpsPanel::finished(Entry &e, const gitops::SyncReport &report, bool preview)
{
    const QString name = e.settings.spec.name;
    if (!preview)
        e.running.clear();
    e.last = report;
    if (!preview && !report.commit.isEmpty()) {
        const SyncRecord record{report.commit, report.commitSummary, report.finishedAt,
                                gitops::statusName(report.status),
                                gitops::healthName(report.health)};
        e.records = SyncStore(m_context).record(name, record);
    }
    updateRow(e);
    if (currentSync() == name)
        updateDetails();
    if (!preview || report.status != gitops::SyncStatus::Synced) {
        const QString text =
            report.status == gitops::SyncStatus::Failed
                ? tr("Sync \"%1\" failed: %2").arg(name, report.error)
            : preview ? tr("Sync \"%1\": commit %2 is not applied yet")
                            .arg(name, report.commit.left(7))
                      : tr("Sync \"%1\": %2 at %3, %4")
                            .arg(name, gitops::statusName(report.status), report.commit.left(7),
                                 gitops::healthName(report.health));
        Q_EMIT message(text, gitops::syncCommandLine(e.settings.spec, false));
    }
    Q_EMIT syncFinished(name, report);
}

void GitOpsPanel::checkHealth()
{
    const bool healthyToo = ++m_healthTicks % healthyEvery == 0;
    for (const auto &e : m_entries)
        if (e->last && !e->last->dryRun &&
            (healthyToo || e->last->health != gitops::Health::Healthy))
            e->syncer->checkHealth();
}

void GitOpsPanel::healthChanged(Entry &e, const gitops::SyncReport &report)
{
    e.last = report;
    if (!e.records.isEmpty() && e.records.last().commit == report.commit) {
        SyncRecord newest = e.records.last();
        newest.health = gitops::healthName(report.health);
        e.records = SyncStore(m_context).record(e.settings.spec.name, newest, true);
    }
    updateRow(e);
    if (currentSync() == e.settings.spec.name)
        updateDetails();
}

void GitOpsPanel::updateRow(const Entry &e)
{
    const gitops::SyncSpec &spec = e.settings.spec;
    QTreeWidgetItem *row = e.row;
    row->setText(NameColumn, spec.name);
    QStringList switches;
    switches << (e.settings.autoSync ? tr("auto-sync") : tr("manual"));
    if (spec.prune)
        switches << tr("prune");
    if (spec.selfHeal)
        switches << tr("self-heal");
    row->setToolTip(NameColumn, switches.join(QStringLiteral(", ")));

    QString status, statusTip;
    if (!e.running.isEmpty()) {
        status = tr("Syncing");
        statusTip = tr("Applying commit %1").arg(e.running.left(7));
    } else if (!e.last) {
        status = tr("Waiting");
    } else if (e.last->status == gitops::SyncStatus::Failed) {
        status = gitops::statusName(e.last->status);
        statusTip = e.last->error;
    } else if (!e.head.isEmpty() && e.head != e.last->commit) {
        status = gitops::statusName(gitops::SyncStatus::OutOfSync);
        statusTip = tr("The cluster has commit %1; %2 is at %3")
                        .arg(e.last->commit.left(7), spec.revision, e.head.left(7));
    } else {
        status = gitops::statusName(e.last->status);
        if (e.last->status == gitops::SyncStatus::OutOfSync)
            statusTip = e.last->lines().join(u'\n');
    }
    if (!e.headError.isEmpty())
        statusTip = e.headError;
    row->setText(StatusColumn, status);
    row->setToolTip(StatusColumn, statusTip);
    row->setForeground(StatusColumn, statusColor(status));

    const QString health = e.last && e.last->status != gitops::SyncStatus::Failed
                               ? gitops::healthName(e.last->health)
                               : QString();
    row->setText(HealthColumn, health);
    row->setForeground(HealthColumn, statusColor(health));
    row->setText(CommitColumn, e.last && !e.last->commit.isEmpty()
                                   ? e.last->commit.left(7) + u' ' + e.last->commitSummary
                                   : QString());
    row->setToolTip(CommitColumn, e.last ? e.last->commit : QString());
    const QString source =
        spec.path.isEmpty() ? spec.repository : QDir(spec.repository).filePath(spec.path);
    row->setText(SourceColumn, tr("%1 at %2").arg(source, spec.revision));
    row->setToolTip(SourceColumn, gitops::syncCommandLine(spec, e.settings.autoSync));
    row->setText(LastSyncColumn, e.records.isEmpty() ? QString()
                                                     : localTime(e.records.last().finishedAt));
    for (int column = 0; column < m_syncs->columnCount() - 1; ++column)
        m_syncs->resizeColumnToContents(column);
}

void GitOpsPanel::updateDetails()
{
    const Entry *e = entry(currentSync());
    for (QPushButton *b : {m_syncNow, m_diff, m_graph, m_remove})
        b->setEnabled(e);
    m_add->setEnabled(m_api);
    m_objects->clear();
    m_log->clear();
    if (!e) {
        m_history->clear();
        return;
    }
    updateHistory(*e);
    if (!e->last)
        return;
    const gitops::SyncReport &report = *e->last;
    QList<QTreeWidgetItem *> rows;
    for (const gitops::RenderProblem &p : report.problems) {
        auto *row = new QTreeWidgetItem({QString(), QString(), QString(), tr("not read"),
                                         QString(), QStringLiteral("%1:%2").arg(p.file).arg(p.line)});
        row->setToolTip(3, p.message);
        row->setForeground(3, statusColor(QStringLiteral("Failed")));
        rows << row;
    }
    for (const gitops::SyncedObject &o : report.objects) {
        const client::ApplyResult &r = o.result;
        const QString health = r.ok ? gitops::healthName(o.health.health) : QString();
        auto *row = new QTreeWidgetItem(
            {r.kind, r.ns, r.name,
             r.dryRun && r.ok ? tr("%1 (dry run)").arg(r.outcomeText()) : r.outcomeText(), health,
             r.source.line > 0 ? QStringLiteral("%1:%2").arg(r.source.file).arg(r.source.line)
                               : r.source.file});
        row->setToolTip(3, r.ok ? r.summary() : r.error.message);
        row->setToolTip(4, o.health.message);
        row->setForeground(3, statusColor(r.ok ? QStringLiteral("Synced")
                                               : QStringLiteral("Failed")));
        row->setForeground(4, statusColor(health));
        rows << row;
    }
    for (const QString &pruned : report.pruned) {
        auto *row = new QTreeWidgetItem(
            {pruned.section(u'/', 0, 0), QString(), pruned.section(u'/', 1), tr("pruned")});
        rows << row;
    }
    m_objects->addTopLevelItems(rows);
    for (int c = 0; c < m_objects->columnCount() - 1; ++c)
        m_objects->resizeColumnToContents(c);

    QStringList log{localTime(report.finishedAt) + QStringLiteral("  ") + report.headline()};
    log << report.lines();
    m_log->setPlainText(log.join(u'\n'));
}

void GitOpsPanel::updateHistory(const Entry &e)
{
    const QString selected =
        m_history->currentItem() ? m_history->currentItem()->data(0, Qt::UserRole).toString()
                                 : QString();
    m_history->clear();
    auto repository = gitops::GitRepository::open(e.settings.spec.repository);
    if (!repository)
        return;
    // The commit the cluster has: the last run that applied anything.
    QString applied;
    for (const SyncRecord &r : e.records)
        if (r.status != QLatin1String("Failed"))
            applied = r.commit;
    QList<QTreeWidgetItem *> rows;
    QTreeWidgetItem *current = nullptr;
    for (const gitops::CommitInfo &c :
         repository->history(e.settings.spec.revision, historyLength, e.settings.spec.path)) {
        QString synced;
        for (const SyncRecord &r : e.records)
            if (r.commit == c.id)
                synced = tr("%1, %2 (%3)").arg(r.status, r.health, localTime(r.finishedAt));
        auto *row = new QTreeWidgetItem(
            {c.shortId, c.summary, c.author, localTime(c.time), synced});
        row->setData(0, Qt::UserRole, c.id);
        row->setToolTip(0, c.id);
        if (c.id == applied) {
            QFont bold = row->font(0);
            bold.setBold(true);
            for (int column = 0; column < m_history->columnCount(); ++column)
                row->setFont(column, bold);
            row->setToolTip(4, tr("The cluster has this commit"));
        }
        if (c.id == selected)
            current = row;
        rows << row;
    }
    m_history->addTopLevelItems(rows);
    if (current)
        m_history->setCurrentItem(current);
    for (int c = 0; c < m_history->columnCount() - 1; ++c)
        m_history->resizeColumnToContents(c);
}

void GitOpsPanel::historyMenu(const QPoint &pos)
{
    QTreeWidgetItem *row = m_history->itemAt(pos);
    if (!row)
        return;
    const QString commit = row->data(0, Qt::UserRole).toString();
    QMenu menu;
    menu.addAction(tr("Sync to this commit"), this,
                   [this, commit] { syncNow(currentSync(), commit); });
    menu.addAction(tr("Copy commit id"), this,
                   [commit] { QApplication::clipboard()->setText(commit); });
    menu.exec(m_history->viewport()->mapToGlobal(pos));
}

void GitOpsPanel::addFromDialog()
{
    SyncDialog dialog(syncNames(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const auto settings = dialog.settings();
    if (!settings)
        return;
    if (auto added = addSync(*settings); !added)
        Q_EMIT message(added.error(), {});
}

void GitOpsPanel::save() const
{
    QList<SyncSettings> all;
    for (const auto &e : m_entries)
        all << e->settings;
    SyncStore(m_context).setSyncs(all);
}

} // namespace timonel::gui
