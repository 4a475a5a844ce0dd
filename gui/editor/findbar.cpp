#include "findbar.h"

#include "yamleditor.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QStyle>
#include <QTextBlock>
#include <QTimer>
#include <QToolButton>

namespace timonel::gui {

namespace {

// Highlighting more than this many matches slows painting and tells nobody anything more.
constexpr int maxHighlights = 1000;

} // namespace

FindBar::FindBar(YamlEditor *editor, QWidget *parent)
    : QWidget(parent), m_editor(editor), m_find(new QLineEdit(this)),
      m_replace(new QLineEdit(this)), m_case(new QCheckBox(tr("Match case"), this)),
      m_regex(new QCheckBox(tr("Regular expression"), this)), m_status(new QLabel(this)),
      m_replaceLabel(new QLabel(tr("Replace:"), this)),
      m_replaceButton(new QPushButton(tr("Replace"), this)),
      m_replaceAllButton(new QPushButton(tr("Replace All"), this)), m_refresh(new QTimer(this))
{
    setAutoFillBackground(true);
    m_find->setPlaceholderText(tr("Text to find"));
    m_replace->setPlaceholderText(tr("Replacement"));
    m_find->installEventFilter(this);
    m_replace->installEventFilter(this);

    auto *previous = new QToolButton(this);
    previous->setArrowType(Qt::UpArrow);
    previous->setToolTip(tr("Previous match (Shift+F3)"));
    auto *next = new QToolButton(this);
    next->setArrowType(Qt::DownArrow);
    next->setToolTip(tr("Next match (F3)"));
    auto *close = new QToolButton(this);
    close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    close->setAutoRaise(true);
    close->setToolTip(tr("Close (Esc)"));

    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(4, 2, 4, 2);
    grid->setVerticalSpacing(2);
    grid->addWidget(new QLabel(tr("Find:"), this), 0, 0);
    grid->addWidget(m_find, 0, 1);
    grid->addWidget(previous, 0, 2);
    grid->addWidget(next, 0, 3);
    grid->addWidget(m_case, 0, 4);
    grid->addWidget(m_regex, 0, 5);
    grid->addWidget(m_status, 0, 6);
    grid->addWidget(close, 0, 7);
    grid->addWidget(m_replaceLabel, 1, 0);
    grid->addWidget(m_replace, 1, 1);
    grid->addWidget(m_replaceButton, 1, 2, 1, 2);
    grid->addWidget(m_replaceAllButton, 1, 4);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(6, 1);

    connect(m_find, &QLineEdit::textChanged, this, [this] { search(true); });
    connect(m_case, &QCheckBox::toggled, this, [this] { search(true); });
    connect(m_regex, &QCheckBox::toggled, this, [this] { search(true); });
    connect(previous, &QToolButton::clicked, this, &FindBar::findPrevious);
    connect(next, &QToolButton::clicked, this, &FindBar::findNext);
    connect(close, &QToolButton::clicked, this, &FindBar::closeBar);
    connect(m_replaceButton, &QPushButton::clicked, this, &FindBar::replaceCurrent);
    connect(m_replaceAllButton, &QPushButton::clicked, this, &FindBar::replaceAll);
    // Edits move the matches: highlight them again once typing pauses.
    m_refresh->setSingleShot(true);
    m_refresh->setInterval(150);
    connect(m_refresh, &QTimer::timeout, this, &FindBar::refresh);
    connect(m_editor->document(), &QTextDocument::contentsChanged, this, [this] {
        m_stale = true;
        if (isVisible())
            m_refresh->start();
    });
}

FindBar::~FindBar() = default;

void FindBar::openFind()
{
    for (QWidget *w :
         {static_cast<QWidget *>(m_replaceLabel), static_cast<QWidget *>(m_replace),
          static_cast<QWidget *>(m_replaceButton), static_cast<QWidget *>(m_replaceAllButton)})
        w->hide();
    const QTextCursor cursor = m_editor->textCursor();
    const QString selected = cursor.selectedText();
    if (!selected.isEmpty() && !selected.contains(QChar::ParagraphSeparator))
        m_find->setText(m_regex->isChecked() ? QRegularExpression::escape(selected) : selected);
    show();
    m_find->setFocus();
    m_find->selectAll();
    refresh();
}

void FindBar::openReplace()
{
    openFind();
    for (QWidget *w :
         {static_cast<QWidget *>(m_replaceLabel), static_cast<QWidget *>(m_replace),
          static_cast<QWidget *>(m_replaceButton), static_cast<QWidget *>(m_replaceAllButton)})
        w->show();
    if (!m_find->text().isEmpty())
        m_replace->setFocus();
}

void FindBar::closeBar()
{
    hide();
    m_editor->setSearchHighlights({});
    m_editor->setFocus();
    Q_EMIT closed();
}

void FindBar::setCaseSensitive(bool on)
{
    m_case->setChecked(on);
}

void FindBar::setRegularExpression(bool on)
{
    m_regex->setChecked(on);
}

QRegularExpression FindBar::pattern() const
{
    QRegularExpression::PatternOptions options = QRegularExpression::MultilineOption;
    if (!m_case->isChecked())
        options |= QRegularExpression::CaseInsensitiveOption;
    const QString text = m_find->text();
    return QRegularExpression(m_regex->isChecked() ? text : QRegularExpression::escape(text),
                              options);
}

const QList<FindBar::Match> &FindBar::matches()
{
    if (!m_stale)
        return m_matches;
    m_stale = false;
    m_matches.clear();
    const QRegularExpression re = pattern();
    if (m_find->text().isEmpty() || !re.isValid())
        return m_matches;
    // Document positions and plain-text offsets are the same (one separator per line).
    const QString text = m_editor->toPlainText();
    for (auto it = re.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        m_matches.append({int(m.capturedStart()), int(m.capturedLength())});
    }
    return m_matches;
}

int FindBar::matchCount()
{
    return int(matches().size());
}

QString FindBar::status() const
{
    return m_status->text();
}

void FindBar::search(bool fromSelectionStart)
{
    m_stale = true;
    const QList<Match> &all = matches();
    if (!all.isEmpty()) {
        const QTextCursor cursor = m_editor->textCursor();
        const int from = fromSelectionStart ? cursor.selectionStart() : cursor.selectionEnd();
        auto it =
            std::find_if(all.begin(), all.end(), [&](const Match &m) { return m.start >= from; });
        select(it == all.end() ? all.first() : *it);
    }
    refresh();
}

bool FindBar::findNext()
{
    const QList<Match> &all = matches();
    if (all.isEmpty()) {
        refresh();
        return false;
    }
    const QTextCursor cursor = m_editor->textCursor();
    const int start = cursor.selectionStart();
    const int end = cursor.selectionEnd();
    auto it = std::find_if(all.begin(), all.end(), [&](const Match &m) {
        return m.start >= end && !(m.start == start && m.length == end - start);
    });
    select(it == all.end() ? all.first() : *it);
    refresh();
    return true;
}

bool FindBar::findPrevious()
{
    const QList<Match> &all = matches();
    if (all.isEmpty()) {
        refresh();
        return false;
    }
    const int start = m_editor->textCursor().selectionStart();
    auto it =
        std::find_if(all.rbegin(), all.rend(), [&](const Match &m) { return m.start < start; });
    select(it == all.rend() ? all.last() : *it);
    refresh();
    return true;
}

void FindBar::select(const Match &match)
{
    QTextCursor cursor(m_editor->document());
    cursor.setPosition(match.start);
    cursor.setPosition(match.start + match.length, QTextCursor::KeepAnchor);
    m_editor->setTextCursor(cursor);
}

QString FindBar::replacementFor(const QRegularExpressionMatch &match) const
{
    const QString with = m_replace->text();
    if (!m_regex->isChecked())
        return with;
    // \0..\9 are the captures, \n and \t what they say, \x any other character itself.
    QString out;
    for (qsizetype i = 0; i < with.size(); ++i) {
        if (with.at(i) != u'\\' || i + 1 == with.size()) {
            out += with.at(i);
            continue;
        }
        const QChar c = with.at(++i);
        if (c.isDigit())
            out += match.captured(c.digitValue());
        else if (c == u'n')
            out += u'\n';
        else if (c == u't')
            out += u'\t';
        else
            out += c;
    }
    return out;
}

bool FindBar::replaceCurrent()
{
    const QRegularExpression re = pattern();
    if (m_find->text().isEmpty() || !re.isValid())
        return false;
    QTextCursor cursor = m_editor->textCursor();
    const QRegularExpressionMatch m =
        re.match(m_editor->toPlainText(), cursor.selectionStart(), QRegularExpression::NormalMatch,
                 QRegularExpression::AnchorAtOffsetMatchOption);
    const bool isMatch = m.hasMatch() && m.capturedStart() == cursor.selectionStart() &&
                         m.capturedEnd() == cursor.selectionEnd();
    if (isMatch) {
        cursor.insertText(replacementFor(m));
        m_editor->setTextCursor(cursor);
        m_stale = true;
    }
    findNext();
    return isMatch;
}

int FindBar::replaceAll()
{
    const QRegularExpression re = pattern();
    if (m_find->text().isEmpty() || !re.isValid())
        return 0;
    struct Replacement
    {
        int start;
        int length;
        QString text;
    };
    QList<Replacement> replacements;
    const QString text = m_editor->toPlainText();
    for (auto it = re.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        replacements.append({int(m.capturedStart()), int(m.capturedLength()), replacementFor(m)});
    }
    if (replacements.isEmpty())
        return 0;
    // Back to front, so that earlier positions stay valid; one edit block, one undo step.
    QTextCursor cursor(m_editor->document());
    cursor.beginEditBlock();
    for (auto it = replacements.crbegin(); it != replacements.crend(); ++it) {
        cursor.setPosition(it->start);
        cursor.setPosition(it->start + it->length, QTextCursor::KeepAnchor);
        cursor.insertText(it->text);
    }
    cursor.endEditBlock();
    m_stale = true;
    refresh();
    const int count = int(replacements.size());
    m_status->setText(tr("Replaced %n occurrence(s)", nullptr, count));
    return count;
}

void FindBar::refresh()
{
    const QRegularExpression re = pattern();
    const QList<Match> &all = matches();
    QList<QTextCursor> highlights;
    if (isVisible()) {
        for (const Match &m : all.first(std::min<qsizetype>(all.size(), maxHighlights))) {
            QTextCursor c(m_editor->document());
            c.setPosition(m.start);
            c.setPosition(m.start + m.length, QTextCursor::KeepAnchor);
            highlights.append(c);
        }
    }
    m_editor->setSearchHighlights(highlights);

    QString status;
    bool bad = false;
    if (m_find->text().isEmpty()) {
    } else if (!re.isValid()) {
        status = tr("Not a valid regular expression: %1").arg(re.errorString());
        bad = true;
    } else if (all.isEmpty()) {
        status = tr("No matches");
        bad = true;
    } else {
        const QTextCursor cursor = m_editor->textCursor();
        const auto it = std::find_if(all.begin(), all.end(), [&](const Match &m) {
            return m.start == cursor.selectionStart() &&
                   m.start + m.length == cursor.selectionEnd();
        });
        status = it == all.end() ? tr("%n match(es)", nullptr, int(all.size()))
                                 : tr("%1 of %2").arg(it - all.begin() + 1).arg(all.size());
    }
    m_status->setText(status);
    QPalette p = m_find->palette();
    p.setColor(QPalette::Text, bad ? QColor(0xda, 0x44, 0x53) : palette().color(QPalette::Text));
    m_find->setPalette(p);
}

bool FindBar::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() != QEvent::KeyPress)
        return QWidget::eventFilter(watched, event);
    auto *key = static_cast<QKeyEvent *>(event);
    const bool shift = key->modifiers() & Qt::ShiftModifier;
    switch (key->key()) {
    case Qt::Key_Escape:
        closeBar();
        return true;
    case Qt::Key_F3:
        shift ? findPrevious() : findNext();
        return true;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (watched == m_replace)
            replaceCurrent();
        else
            shift ? findPrevious() : findNext();
        return true;
    default:
        return QWidget::eventFilter(watched, event);
    }
}

void FindBar::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape)
        return closeBar();
    if (event->key() == Qt::Key_F3) {
        (event->modifiers() & Qt::ShiftModifier) ? findPrevious() : findNext();
        return;
    }
    QWidget::keyPressEvent(event);
}

} // namespace timonel::gui
