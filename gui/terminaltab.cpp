#include "terminaltab.h"

#include "client/httpsclient.h"
#include "client/podstreams.h"
#include "core/shellquote.h"

#include <QBuffer>
#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSocketNotifier>
#include <QTimer>
#include <QVBoxLayout>

// qtermwidget's headers say `signals` and `slots`, which the project's QT_NO_KEYWORDS removes.
#define signals Q_SIGNALS
#define slots Q_SLOTS
#include <qtermwidget.h>
#undef slots
#undef signals

#include <cerrno>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace timonel::gui {

namespace {

constexpr int historyLines = 10000;

} // namespace

QStringList TerminalTab::defaultCommand()
{
    return {u"sh"_s, u"-c"_s, u"command -v bash >/dev/null && exec bash || exec sh"_s};
}

TerminalTab::TerminalTab(client::HttpsClient &client, QString ns, QString pod, QString container,
                         QStringList command, QWidget *parent)
    : QWidget(parent), m_client(client), m_ns(std::move(ns)), m_pod(std::move(pod)),
      m_container(std::move(container)), m_command(std::move(command)),
      m_terminal(new QTermWidget(0)), m_state(new QLabel),
      m_restart(new QPushButton(tr("&Restart")))
{
    m_terminal->setTerminalFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_terminal->setHistorySize(historyLines);
    m_terminal->setScrollBarPosition(QTermWidget::ScrollBarRight);
    applyColorScheme();
    // No local shell: what the user types comes out as sendData, what the container writes
    // goes in through the pseudo-terminal's slave side.
    m_terminal->startTerminalTeletype();
    m_ptyFd = m_terminal->getPtySlaveFd();
    if (m_ptyFd >= 0) {
        // The container's terminal already did the line discipline: pass bytes through as
        // they are, and never block the window on a full buffer.
        termios mode;
        if (::tcgetattr(m_ptyFd, &mode) == 0) {
            ::cfmakeraw(&mode);
            ::tcsetattr(m_ptyFd, TCSANOW, &mode);
        }
        ::fcntl(m_ptyFd, F_SETFL, ::fcntl(m_ptyFd, F_GETFL) | O_NONBLOCK);
        m_ptyWritable = new QSocketNotifier(m_ptyFd, QSocketNotifier::Write, this);
        m_ptyWritable->setEnabled(false);
        connect(m_ptyWritable, &QSocketNotifier::activated, this, &TerminalTab::flushDisplay);
    }
    connect(m_terminal, &QTermWidget::sendData, this, [this](const char *data, int size) {
        if (m_session)
            m_session->writeStdin(QByteArray(data, size));
    });
    // The display widget's size is the terminal's size in characters.
    m_terminal->installEventFilter(this);
    if (QWidget *display = m_terminal->focusProxy())
        display->installEventFilter(this);

    m_restart->setEnabled(false);
    m_restart->setToolTip(tr("Run the command again in this terminal"));
    connect(m_restart, &QPushButton::clicked, this, &TerminalTab::restart);
    auto *bar = new QHBoxLayout;
    bar->addWidget(m_state, 1);
    bar->addWidget(m_restart);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_terminal, 1);
    setFocusProxy(m_terminal);
    m_state->setToolTip(commandLine());
    start();
}

TerminalTab::~TerminalTab()
{
    // Before the terminal closes the pseudo-terminal the notifier watches.
    delete m_ptyWritable;
    m_ptyWritable = nullptr;
    if (m_session)
        m_session->close();
}

QString TerminalTab::title() const
{
    return tr("Terminal: %1").arg(m_pod);
}

QString TerminalTab::commandLine() const
{
    QString line = u"kubectl exec -it -n %1 %2"_s.arg(m_ns, m_pod);
    if (!m_container.isEmpty())
        line += u" -c "_s + m_container;
    line += u" --"_s;
    for (const QString &word : m_command)
        line += u' ' + core::shellQuoted(word);
    return line;
}

QWidget *TerminalTab::keyboardTarget() const
{
    return m_terminal->focusProxy();
}

QSize TerminalTab::terminalSize() const
{
    return {m_terminal->screenColumnsCount(), m_terminal->screenLinesCount()};
}

bool TerminalTab::isRunning() const
{
    return m_session && m_session->isRunning();
}

QString TerminalTab::screenText() const
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    m_terminal->saveHistory(&buffer);
    return QString::fromUtf8(buffer.data());
}

void TerminalTab::restart()
{
    if (isRunning())
        return;
    display("\r\n");
    start();
}

void TerminalTab::start()
{
    if (m_session) {
        m_session->disconnect(this);
        m_session->deleteLater();
    }
    m_started = false;
    m_sentSize = {};
    m_restart->setEnabled(false);
    m_state->setText(tr("Connecting to %1…").arg(m_pod));
    auto *session = new client::ExecSession(m_client.access(), this);
    m_session = session;
    connect(session, &client::ExecSession::started, this, [this] {
        m_started = true;
        m_state->setText(m_container.isEmpty()
                             ? tr("Connected to pod %1").arg(m_pod)
                             : tr("Connected to container %1 of pod %2").arg(m_container, m_pod));
    });
    connect(session, &client::ExecSession::stdoutReceived, this, &TerminalTab::display);
    connect(session, &client::ExecSession::stderrReceived, this, &TerminalTab::display);
    connect(session, &client::ExecSession::finished, this, &TerminalTab::onFinished);
    session->start(m_ns, m_pod, m_container, m_command, true, true);
    updateSize();
}

void TerminalTab::onFinished(int exitCode, const QString &error)
{
    QString line;
    if (error.isEmpty())
        line = tr("The command ended with exit code %1.").arg(exitCode);
    else if (m_started)
        line = tr("The connection to the container was lost: %1").arg(error);
    else
        line = tr("Could not open a terminal: %1").arg(error);
    notice(line);
    m_state->setText(line);
    m_restart->setEnabled(true);
    Q_EMIT finished(exitCode, error);
}

void TerminalTab::notice(const QString &text)
{
    // On a line of its own, dimmed, the attributes reset afterwards.
    display("\r\n\x1b[2m" + text.toUtf8() + "\x1b[0m\r\n");
}

void TerminalTab::display(const QByteArray &data)
{
    if (m_ptyFd < 0)
        return;
    m_ptyPending += data;
    flushDisplay();
}

void TerminalTab::flushDisplay()
{
    while (!m_ptyPending.isEmpty()) {
        const ssize_t written = ::write(m_ptyFd, m_ptyPending.constData(), m_ptyPending.size());
        if (written > 0) {
            m_ptyPending.remove(0, written);
            continue;
        }
        if (written < 0 && errno == EINTR)
            continue;
        break; // full (EAGAIN): the rest once the terminal has read
    }
    if (m_ptyWritable)
        m_ptyWritable->setEnabled(!m_ptyPending.isEmpty());
}

bool TerminalTab::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Resize || event->type() == QEvent::Show)
        scheduleSizeUpdate();
    return QWidget::eventFilter(watched, event);
}

void TerminalTab::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        applyColorScheme();
    QWidget::changeEvent(event);
}

// The terminal takes its new size in characters as it handles the resize: read it after.
void TerminalTab::scheduleSizeUpdate()
{
    if (m_sizeUpdateQueued)
        return;
    m_sizeUpdateQueued = true;
    QTimer::singleShot(0, this, [this] {
        m_sizeUpdateQueued = false;
        updateSize();
    });
}

void TerminalTab::updateSize()
{
    const QSize size = terminalSize();
    if (!m_session || size == m_sentSize || size.width() <= 0 || size.height() <= 0)
        return;
    m_sentSize = size;
    m_session->resize(size.width(), size.height());
}

void TerminalTab::applyColorScheme()
{
    // The terminal's background follows the window's: dark text on white in a light palette,
    // soft colours on near-black in a dark one.
    const bool dark = palette().color(QPalette::Base).lightness() < 128;
    const QString scheme = dark ? u"DarkPastels"_s : u"BlackOnWhite"_s;
    if (QTermWidget::availableColorSchemes().contains(scheme))
        m_terminal->setColorScheme(scheme);
}

} // namespace timonel::gui
