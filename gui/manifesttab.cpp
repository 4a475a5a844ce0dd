#include "manifesttab.h"

#include "client/applier.h"
#include "clusterdiff.h"
#include "core/schema.h"
#include "diffview.h"
#include "editor/yamleditor.h"
#include "form/objectform.h"
#include "manifest/completion.h"
#include "manifest/yamldocument.h"

#include <QAction>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QMenu>
#include <QPointer>
#include <QSaveFile>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

namespace timonel::gui {

namespace {

// Problems are checked once typing pauses this long.
constexpr int checkDelayMs = 300;
// Screens at least this wide show the form beside the editor unless the user said otherwise.
constexpr int formScreenWidth = 1280;

const QString formVisibleKey = QStringLiteral("manifest/formVisible");

bool formVisibleByDefault()
{
    const QScreen *screen = QGuiApplication::primaryScreen();
    return screen && screen->availableGeometry().width() >= formScreenWidth;
}

} // namespace

ManifestTab::ManifestTab(QWidget *parent)
    : QWidget(parent), m_editor(new YamlEditor), m_form(new ObjectForm),
      m_splitter(new QSplitter(Qt::Horizontal)), m_checkTimer(new QTimer(this)),
      m_formTimer(new QTimer(this)), m_formAction(new QAction(tr("Object &form"), this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);
    m_splitter->addWidget(m_editor);
    m_splitter->addWidget(m_form);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setChildrenCollapsible(false);

    m_checkTimer->setSingleShot(true);
    m_checkTimer->setInterval(checkDelayMs);
    connect(m_checkTimer, &QTimer::timeout, this, &ManifestTab::check);
    connect(m_editor, &QPlainTextEdit::textChanged, m_checkTimer, qOverload<>(&QTimer::start));
    connect(m_editor->document(), &QTextDocument::modificationChanged, this,
            [this] { Q_EMIT titleChanged(title()); });
    m_editor->setCompletionProvider([this](int line, int column) {
        const manifest::ManifestFile file = manifest::parseManifestFile(m_editor->text());
        const int index = file.documentAt(line);
        QList<CompletionItem> items;
        if (index < 0)
            return items;
        for (const manifest::CompletionItem &c : manifest::complete(
                 file.documents.at(index), line, column, core::SchemaRegistry::builtIn()))
            items.append({c.text, c.detail, c.insertText});
        return items;
    });

    // The form follows the text and the cursor once they rest; its edits go to the editor.
    m_formTimer->setSingleShot(true);
    m_formTimer->setInterval(formDelayMs);
    connect(m_formTimer, &QTimer::timeout, this, &ManifestTab::updateForm);
    connect(m_editor, &QPlainTextEdit::textChanged, m_formTimer, qOverload<>(&QTimer::start));
    connect(m_editor, &YamlEditor::cursorMoved, m_formTimer, qOverload<>(&QTimer::start));
    connect(m_form, &ObjectForm::editRequested, this, &ManifestTab::applyFormEdit);

    m_formAction->setCheckable(true);
    m_formAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    m_formAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_formAction->setToolTip(tr("Show or hide the form of the object under the cursor"));
    addAction(m_formAction);
    const bool visible = QSettings().value(formVisibleKey, formVisibleByDefault()).toBool();
    m_formAction->setChecked(visible);
    m_form->setVisible(visible);
    connect(m_formAction, &QAction::toggled, this, [this](bool visible) {
        m_form->setVisible(visible);
        QSettings().setValue(formVisibleKey, visible);
        if (visible)
            updateForm();
    });
    m_editor->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_editor, &QWidget::customContextMenuRequested, this, &ManifestTab::showEditorMenu);
}

QString ManifestTab::title() const
{
    const QString name = m_path.isEmpty() ? tr("Untitled") : QFileInfo(m_path).fileName();
    return m_editor->isModified() ? name + u'*' : name;
}

bool ManifestTab::open(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = tr("Cannot open %1: %2").arg(path, file.errorString());
        return false;
    }
    m_path = path;
    m_editor->setText(QString::fromUtf8(file.readAll()));
    check();
    Q_EMIT titleChanged(title());
    return true;
}

bool ManifestTab::save(const QString &path, QString *error)
{
    const QString target = path.isEmpty() ? m_path : path;
    QSaveFile file(target);
    if (!file.open(QIODevice::WriteOnly) || file.write(m_editor->text().toUtf8()) < 0 ||
        !file.commit()) {
        *error = tr("Cannot save %1: %2").arg(target, file.errorString());
        return false;
    }
    m_path = target;
    m_editor->document()->setModified(false);
    Q_EMIT titleChanged(title());
    return true;
}

void ManifestTab::setText(const QString &text)
{
    m_editor->setText(text);
    check();
}

void ManifestTab::check()
{
    m_checkTimer->stop();
    m_problems = manifest::validate(manifest::parseManifestFile(m_editor->text()),
                                    core::SchemaRegistry::builtIn());
    QList<EditorDiagnostic> marks;
    for (const manifest::Problem &p : std::as_const(m_problems)) {
        EditorDiagnostic mark;
        mark.line = p.line;
        mark.column = p.column;
        mark.error = p.severity == manifest::Severity::Error;
        mark.message = p.message;
        marks.append(mark);
    }
    m_editor->setDiagnostics(marks);
    Q_EMIT problemsChanged(m_problems);
}

// --- the form -----------------------------------------------------------------------------------

bool ManifestTab::isFormVisible() const
{
    return m_formAction->isChecked();
}

void ManifestTab::setFormVisible(bool visible)
{
    m_formAction->setChecked(visible);
}

void ManifestTab::updateForm()
{
    m_formTimer->stop();
    if (!isFormVisible())
        return; // a hidden form catches up when it is shown
    const QString text = m_editor->text();
    // The document holding the cursor's line; on a "---" line or the comments between two
    // documents, the next one; past the last, the last.
    const int line = m_editor->cursorLine();
    manifest::LineRange range{1, manifest::lineCount(text)};
    for (const manifest::LineRange &document : manifest::documentRanges(text)) {
        range = document;
        if (line <= document.last)
            break;
    }
    m_formText = text;
    m_form->setDocument(text, range);
}

void ManifestTab::applyFormEdit(const manifest::TextEdit &edit)
{
    // An edit of a text the editor no longer has (typed there during the pause) would land on
    // the wrong lines: it is dropped, and the form shows the text as it is now.
    if (m_editor->text() != m_formText) {
        updateForm();
        return;
    }
    // One undo step; the editor keeps its cursor and the form its focus.
    m_editor->replaceLines(edit.firstLine, edit.lastLine, edit.text);
    m_formText = m_form->text();
}

void ManifestTab::showEditorMenu(const QPoint &position)
{
    QMenu *menu = m_editor->createStandardContextMenu();
    menu->addSeparator();
    menu->addAction(m_formAction);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(m_editor->viewport()->mapToGlobal(position));
}

// --- the diff against the cluster ---------------------------------------------------------------

DiffView *ManifestTab::showDiff(client::ApiClient &api, const client::ApplyOptions &options)
{
    auto *view = new DiffView;
    const QString name = title().remove(u'*');
    view->setTitle(tr("Diff of %1").arg(name));
    QList<client::ApplyObject> objects;
    int document = 0;
    for (const manifest::YamlDocument &d :
         manifest::parseManifestFile(m_editor->text()).documents) {
        if (d.syntaxError) {
            view->showMessage(tr("Line %1: %2: nothing was compared")
                                  .arg(d.syntaxError->line)
                                  .arg(d.syntaxError->message));
            return view;
        }
        if (d.isEmpty())
            continue;
        if (d.value.isObject())
            objects.append(
                {d.value.toObject(), {m_path.isEmpty() ? name : m_path, document, d.firstLine}});
        ++document;
    }
    view->showMessage(
        tr("Comparing %n object(s) with the cluster...", nullptr, int(objects.size())));
    QPointer<DiffView> guard(view);
    diffAgainstCluster(api, objects, options, this,
                       [this, guard](const QList<manifest::ObjectDiff> &diffs) {
                           int changed = 0, failed = 0;
                           for (const manifest::ObjectDiff &diff : diffs) {
                               failed += diff.error.isEmpty() ? 0 : 1;
                               changed += diff.error.isEmpty() && diff.isChanged() ? 1 : 0;
                           }
                           if (guard)
                               guard->setDiffs(diffs);
                           Q_EMIT diffFinished(changed, failed);
                       });
    return view;
}

} // namespace timonel::gui
