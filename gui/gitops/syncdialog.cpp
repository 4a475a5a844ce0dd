#include "syncdialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>

namespace timonel::gui {

SyncDialog::SyncDialog(const QStringList &takenNames, QWidget *parent)
    : QDialog(parent), m_taken(takenNames), m_repository(new QLineEdit),
      m_revision(new QLineEdit(QStringLiteral("HEAD"))), m_path(new QLineEdit),
      m_name(new QLineEdit), m_autoSync(new QCheckBox(tr("&Auto-sync: apply each new commit"))),
      m_prune(new QCheckBox(tr("&Prune: delete what git no longer has"))),
      m_selfHeal(new QCheckBox(tr("&Self-heal: undo changes made in the cluster"))),
      m_problem(new QLabel), m_commit(new QLabel), m_command(new QLabel)
{
    setWindowTitle(tr("Add a GitOps sync"));
    auto *form = new QFormLayout;
    m_repository->setPlaceholderText(tr("a local git repository"));
    auto *browse = new QToolButton;
    browse->setText(tr("Browse..."));
    auto *repositoryRow = new QHBoxLayout;
    repositoryRow->addWidget(m_repository);
    repositoryRow->addWidget(browse);
    form->addRow(tr("&Repository:"), repositoryRow);
    m_revision->setToolTip(tr("A branch, a tag or a commit; HEAD follows the checked-out branch"));
    form->addRow(tr("&Branch:"), m_revision);
    m_path->setPlaceholderText(tr("the repository's root"));
    m_path->setToolTip(tr("The directory whose manifests (or kustomization) the sync applies"));
    form->addRow(tr("&Directory:"), m_path);
    m_name->setToolTip(tr("Labels every object the sync applies (gitops.timonel.dev/sync)"));
    form->addRow(tr("&Name:"), m_name);
    m_autoSync->setChecked(true);
    m_autoSync->setToolTip(tr("Within a second of each commit; otherwise only on Sync now"));
    form->addRow(QString(), m_autoSync);
    m_prune->setToolTip(tr("Only objects this sync applied are ever deleted"));
    form->addRow(QString(), m_prune);
    form->addRow(QString(), m_selfHeal);

    m_commit->setWordWrap(true);
    m_commit->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(m_commit);
    m_problem->setWordWrap(true);
    QPalette problemPalette = m_problem->palette();
    problemPalette.setColor(QPalette::WindowText, QColor(0xd0, 0x30, 0x30));
    m_problem->setPalette(problemPalette);
    form->addRow(m_problem);
    m_command->setWordWrap(true);
    m_command->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_command->setToolTip(tr("The same from a terminal"));
    QFont mono = m_command->font();
    mono.setFamily(QStringLiteral("monospace"));
    m_command->setFont(mono);
    form->addRow(tr("Command line:"), m_command);

    auto *buttons = new QDialogButtonBox;
    m_add = buttons->addButton(tr("&Add"), QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (settings())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString directory =
            QFileDialog::getExistingDirectory(this, tr("Git repository"), m_repository->text());
        if (!directory.isEmpty())
            m_repository->setText(directory);
    });
    // A name given by hand stays; cleared, it follows the repository and directory again.
    connect(m_name, &QLineEdit::textChanged, this,
            [this](const QString &text) { m_nameEdited = !text.isEmpty(); });
    for (QLineEdit *edit : {m_repository, m_revision, m_path, m_name})
        connect(edit, &QLineEdit::textChanged, this, &SyncDialog::revalidate);
    for (QCheckBox *box : {m_autoSync, m_prune, m_selfHeal})
        connect(box, &QCheckBox::toggled, this, &SyncDialog::revalidate);
    revalidate();
    resize(560, sizeHint().height());
}

std::expected<SyncSettings, QString> SyncDialog::settings() const
{
    return check().transform([](const auto &checked) { return checked.first; });
}

std::expected<std::pair<SyncSettings, gitops::CommitInfo>, QString> SyncDialog::check() const
{
    SyncSettings s;
    s.spec.repository = m_repository->text().trimmed();
    s.spec.revision = m_revision->text().trimmed();
    if (s.spec.revision.isEmpty())
        s.spec.revision = QStringLiteral("HEAD");
    s.spec.path = m_path->text().trimmed();
    while (s.spec.path.startsWith(u'/'))
        s.spec.path.remove(0, 1);
    while (s.spec.path.endsWith(u'/'))
        s.spec.path.chop(1);
    s.spec.name = m_name->text().trimmed();
    s.autoSync = m_autoSync->isChecked();
    s.spec.prune = m_prune->isChecked();
    s.spec.selfHeal = s.autoSync && m_selfHeal->isChecked();
    auto source = gitops::openSource(s.spec);
    if (!source)
        return std::unexpected(source.error());
    if (const QString problem = gitops::syncNameProblem(s.spec.name); !problem.isEmpty())
        return std::unexpected(problem);
    if (m_taken.contains(s.spec.name))
        return std::unexpected(nameTakenProblem(s.spec.name));
    return std::pair{s, source->commit};
}

QString SyncDialog::commandLine() const
{
    const auto s = settings();
    return s ? gitops::syncCommandLine(s->spec, s->autoSync) : QString();
}

void SyncDialog::revalidate()
{
    m_selfHeal->setEnabled(m_autoSync->isChecked());
    if (!m_nameEdited) {
        const QSignalBlocker quiet(m_name);
        m_name->setText(m_repository->text().trimmed().isEmpty()
                            ? QString()
                            : gitops::defaultSyncName(m_repository->text().trimmed(),
                                                      m_path->text().trimmed()));
    }
    const auto checked = check();
    m_problem->setText(checked ? QString() : checked.error());
    m_add->setEnabled(bool(checked));
    m_command->setText(checked ? gitops::syncCommandLine(checked->first.spec,
                                                         checked->first.autoSync)
                               : QString());
    m_commit->setText(checked ? tr("At commit %1: %2").arg(checked->second.shortId,
                                                           checked->second.summary)
                              : QString());
}

} // namespace timonel::gui
