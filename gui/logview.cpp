#include "logview.h"

#include "client/httpsclient.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QVBoxLayout>

namespace timonel::gui {

namespace {

// Lines kept in the view; the oldest go first (a followed log can grow without end).
constexpr int maxLines = 50000;
constexpr qint64 tailLines = 5000;

} // namespace

LogView::LogView(client::HttpsClient &client, QString ns, QString pod, QStringList containers,
                 QWidget *parent)
    : QWidget(parent), m_client(client), m_ns(std::move(ns)), m_pod(std::move(pod)),
      m_container(new QComboBox), m_follow(new QCheckBox(tr("&Follow"))),
      m_timestamps(new QCheckBox(tr("&Timestamps"))), m_search(new QLineEdit),
      m_text(new QPlainTextEdit), m_state(new QLabel)
{
    m_container->addItems(containers);
    m_follow->setChecked(true);
    m_search->setPlaceholderText(tr("Search (Enter: next match)"));
    m_search->setClearButtonEnabled(true);
    m_text->setReadOnly(true);
    m_text->setMaximumBlockCount(maxLines);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Container:")));
    bar->addWidget(m_container);
    bar->addWidget(m_follow);
    bar->addWidget(m_timestamps);
    bar->addWidget(m_search, 1);
    bar->addWidget(m_state);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_text);

    connect(m_container, &QComboBox::currentTextChanged, this, &LogView::reload);
    connect(m_follow, &QCheckBox::toggled, this, &LogView::reload);
    connect(m_timestamps, &QCheckBox::toggled, this, &LogView::reload);
    connect(m_search, &QLineEdit::returnPressed, this, &LogView::findNext);
    reload();
}

LogView::~LogView() = default;

QString LogView::title() const
{
    return tr("Logs: %1").arg(m_pod);
}

QString LogView::commandLine() const
{
    QString command = QStringLiteral("kubectl logs -n %1 %2").arg(m_ns, m_pod);
    if (m_container->count() > 1)
        command += QStringLiteral(" -c ") + m_container->currentText();
    if (m_follow->isChecked())
        command += QStringLiteral(" -f");
    if (m_timestamps->isChecked())
        command += QStringLiteral(" --timestamps");
    return command + QStringLiteral(" --tail=%1").arg(tailLines);
}

void LogView::reload()
{
    m_stream.reset();
    m_text->clear();
    client::LogQuery query;
    query.container = m_container->currentText();
    query.follow = m_follow->isChecked();
    query.timestamps = m_timestamps->isChecked();
    query.tailLines = tailLines;
    m_state->setText(m_follow->isChecked() ? tr("following") : QString());
    setToolTip(commandLine());
    QPointer<LogView> self(this);
    m_stream = m_client.logs(
        m_ns, m_pod, query,
        [self](const QByteArray &chunk) {
            if (!self)
                return;
            // The last line may be partial: appended as it comes, so the view reads as a
            // terminal would.
            QTextCursor end(self->m_text->document());
            end.movePosition(QTextCursor::End);
            end.insertText(QString::fromUtf8(chunk));
            if (!self->m_text->verticalScrollBar()->isSliderDown())
                self->m_text->ensureCursorVisible();
        },
        [self](client::Result<void> done) {
            if (!self)
                return;
            self->m_state->setText(done ? tr("ended") : done.error().message);
        });
}

bool LogView::findNext()
{
    const QString needle = m_search->text();
    if (needle.isEmpty())
        return false;
    if (m_text->find(needle))
        return true;
    // Wrap around.
    QTextCursor start(m_text->document());
    m_text->setTextCursor(start);
    return m_text->find(needle);
}

} // namespace timonel::gui
