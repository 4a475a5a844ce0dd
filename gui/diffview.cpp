#include "diffview.h"

#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSyntaxHighlighter>
#include <QVBoxLayout>

namespace timonel::gui {

namespace {

// The marks of a unified diff: file headers bold, hunk headers in the link colour, added lines
// green and removed lines red (lighter on a dark background).
class DiffHighlighter : public QSyntaxHighlighter
{
public:
    DiffHighlighter(QTextDocument *document, const QPalette &palette) : QSyntaxHighlighter(document)
    {
        const bool dark = palette.color(QPalette::Base).lightness() < 128;
        m_added.setForeground(dark ? QColor(0x7e, 0xe7, 0x87) : QColor(0x1a, 0x7f, 0x37));
        m_added.setBackground(QColor(0x2e, 0xa0, 0x43, 40));
        m_removed.setForeground(dark ? QColor(0xff, 0xa1, 0x98) : QColor(0xcf, 0x22, 0x2e));
        m_removed.setBackground(QColor(0xf8, 0x51, 0x49, 40));
        m_hunk.setForeground(palette.color(QPalette::Link));
        m_header.setFontWeight(QFont::Bold);
    }

protected:
    void highlightBlock(const QString &text) override
    {
        const QTextCharFormat *format = nullptr;
        if (text.startsWith(QLatin1String("+++ ")) || text.startsWith(QLatin1String("--- ")))
            format = &m_header;
        else if (text.startsWith(QLatin1String("@@")))
            format = &m_hunk;
        else if (text.startsWith(u'+'))
            format = &m_added;
        else if (text.startsWith(u'-'))
            format = &m_removed;
        if (format)
            setFormat(0, int(text.size()), *format);
    }

private:
    QTextCharFormat m_added, m_removed, m_hunk, m_header;
};

} // namespace

DiffView::DiffView(QWidget *parent)
    : QWidget(parent), m_summary(new QLabel), m_errors(new QLabel), m_text(new QPlainTextEdit)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_summary->setObjectName(QStringLiteral("summary"));
    m_summary->setWordWrap(true);
    m_summary->setContentsMargins(6, 4, 6, 0);
    m_errors->setObjectName(QStringLiteral("errors"));
    m_errors->setWordWrap(true);
    m_errors->setContentsMargins(6, 0, 6, 0);
    m_errors->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errors->hide();
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    new DiffHighlighter(m_text->document(), m_text->palette());
    layout->addWidget(m_summary);
    layout->addWidget(m_errors);
    layout->addWidget(m_text, 1);
}

void DiffView::setTitle(const QString &title)
{
    m_title = title;
    setWindowTitle(title);
}

void DiffView::showMessage(const QString &message)
{
    m_diffs.clear();
    m_summary->setText(message);
    m_errors->hide();
    m_text->clear();
}

void DiffView::setDiffs(const QList<manifest::ObjectDiff> &diffs)
{
    m_diffs = diffs;
    int created = 0, changed = 0, unchanged = 0;
    QStringList errors;
    for (const manifest::ObjectDiff &diff : diffs) {
        if (!diff.error.isEmpty())
            errors << tr("%1 %2: %3", "kind name: why it could not be compared")
                          .arg(diff.kind, diff.name, diff.error);
        else if (!diff.exists)
            ++created;
        else if (diff.isChanged())
            ++changed;
        else
            ++unchanged;
    }
    QStringList parts;
    if (created > 0)
        parts << tr("%n object(s) would be created", nullptr, created);
    if (changed > 0)
        parts << tr("%n object(s) would change", nullptr, changed);
    if (unchanged > 0)
        parts << tr("%n object(s) unchanged", nullptr, unchanged);
    if (!errors.isEmpty())
        parts << tr("%n object(s) could not be compared", nullptr, int(errors.size()));
    if (diffs.isEmpty())
        m_summary->setText(tr("The file has no objects to compare."));
    else if (created == 0 && changed == 0 && errors.isEmpty())
        m_summary->setText(tr("No differences: the cluster has every object as the file says."));
    else
        m_summary->setText(parts.join(QStringLiteral("; ")));
    m_errors->setText(errors.join(u'\n'));
    m_errors->setVisible(!errors.isEmpty());
    m_text->setPlainText(manifest::diffText(diffs));
}

QString DiffView::summary() const
{
    return m_summary->text();
}

QString DiffView::diffText() const
{
    return m_text->toPlainText();
}

} // namespace timonel::gui
