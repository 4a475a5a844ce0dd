#include "manifesttab.h"

#include "core/schema.h"
#include "editor/yamleditor.h"
#include "manifest/completion.h"
#include "manifest/yamldocument.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QTimer>
#include <QVBoxLayout>

namespace timonel::gui {

namespace {

// Problems are checked once typing pauses this long.
constexpr int checkDelayMs = 300;

} // namespace

ManifestTab::ManifestTab(QWidget *parent)
    : QWidget(parent), m_editor(new YamlEditor), m_checkTimer(new QTimer(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_editor);
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

} // namespace timonel::gui
