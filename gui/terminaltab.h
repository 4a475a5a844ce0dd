// A shell in a container, in a tab: `kubectl exec -it POD -c CONTAINER -- sh`. A QTermWidget
// emulates the terminal; the command runs through an ExecSession with a TTY: keystrokes go to
// its stdin, its output to the terminal, and the terminal's size follows the widget's.
#pragma once

#include <QPointer>
#include <QSize>
#include <QStringList>
#include <QWidget>

class QLabel;
class QPushButton;
class QSocketNotifier;
class QTermWidget;

namespace timonel::client {
class ExecSession;
class HttpsClient;
} // namespace timonel::client

namespace timonel::gui {

class TerminalTab : public QWidget
{
    Q_OBJECT
public:
    // bash when the image has it, else sh.
    static QStringList defaultCommand();

    // `client` must outlive the tab (the main window closes terminal tabs with their
    // connection). `container` "" is the pod's only container.
    TerminalTab(client::HttpsClient &client, QString ns, QString pod, QString container,
                QStringList command = defaultCommand(), QWidget *parent = nullptr);
    ~TerminalTab() override;

    QString title() const;
    // The kubectl command that opens the same terminal.
    QString commandLine() const;
    QTermWidget *terminal() const { return m_terminal; }
    // The widget that takes the keystrokes (the terminal's display).
    QWidget *keyboardTarget() const;
    // Columns and lines.
    QSize terminalSize() const;
    QPushButton *restartButton() const { return m_restart; }
    // The command runs (or is being started).
    bool isRunning() const;
    // What the terminal shows, scrollback and screen, one line per terminal line.
    QString screenText() const;

    // Runs the command again in the same terminal, once it ended.
    void restart();

Q_SIGNALS:
    // The command ended: its exit code, or -1 and why it could not run or was cut off.
    void finished(int exitCode, const QString &error);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void start();
    void onFinished(int exitCode, const QString &error);
    void applyColorScheme();
    void scheduleSizeUpdate();
    void updateSize();
    // Shows `data` in the terminal as if the container had written it.
    void display(const QByteArray &data);
    void flushDisplay();
    // A line of Timonel's own in the terminal, set apart from the command's output.
    void notice(const QString &text);

    client::HttpsClient &m_client;
    QString m_ns;
    QString m_pod;
    QString m_container;
    QStringList m_command;
    QTermWidget *m_terminal;
    QLabel *m_state;
    QPushButton *m_restart;
    QPointer<client::ExecSession> m_session;
    bool m_started = false;
    // The terminal shows what is written to its pseudo-terminal's slave side (its "teletype"
    // mode); written without blocking, the rest when the terminal has read what came before.
    int m_ptyFd = -1;
    QSocketNotifier *m_ptyWritable = nullptr;
    QByteArray m_ptyPending;
    QSize m_sentSize;
    bool m_sizeUpdateQueued = false;
};

} // namespace timonel::gui
