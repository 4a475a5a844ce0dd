// Creating a cluster from the desktop: a form (name, control planes, workers, port mappings,
// or a KinD config file) that says what is wrong before anything is made, then each creation
// step with its progress, run off the UI thread and cancellable (a cancelled or failed creation
// leaves nothing behind, as on the command line).
#pragma once

#include "cluster/clusterconfig.h"
#include "cluster/createcluster.h"

#include <QDialog>

#include <expected>
#include <memory>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTableWidget;

namespace timonel::core {
class CancelToken;
}

namespace timonel::gui {

// The KinD config that describes a cluster made from counts and port mappings: what the
// dialog shows as its command-line equivalent (`timonel create cluster --config FILE`).
QByteArray kindConfigYaml(const QString &name, int controlPlanes, int workers,
                          const QList<cluster::PortMapping> &ports);

class CreateClusterDialog : public QDialog
{
    Q_OBJECT
public:
    explicit CreateClusterDialog(QWidget *parent = nullptr);
    // A creation still running is cancelled; it undoes itself in its thread.
    ~CreateClusterDialog() override;

    // What the form asks for, or the first problem with it as one line (also shown in the
    // dialog, with Create disabled).
    std::expected<cluster::CreateOptions, QString> options() const;
    // The command that does the same from a terminal.
    QString commandLine() const;

    // Widgets the tests drive.
    QLineEdit *nameEdit() const { return m_name; }
    QSpinBox *controlPlanesBox() const { return m_controlPlanes; }
    QSpinBox *workersBox() const { return m_workers; }
    QTableWidget *portsTable() const { return m_ports; }
    QLineEdit *configFileEdit() const { return m_configFile; }
    QPushButton *createButton() const { return m_create; }
    QLabel *problemLabel() const { return m_problem; }
    QListWidget *stepList() const { return m_steps; }

    // Starts creation as the Create button does (when the form is valid).
    void startCreation();
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    // Creation ended: `cluster` is its name; `error` is empty on success.
    void finished(const QString &cluster, const QString &error);

protected:
    void reject() override;

private:
    void revalidate();
    void addPortRow();
    void onStepStarted(int index, const QString &title);
    void onStepFinished(int index, const QString &title, bool ok, const QString &detail);
    void onCreated(const QString &cluster, const QString &error);

    QStackedWidget *m_pages;
    QLineEdit *m_name;
    QSpinBox *m_controlPlanes;
    QSpinBox *m_workers;
    QTableWidget *m_ports;
    QLineEdit *m_configFile;
    QCheckBox *m_setContext;
    QLabel *m_problem;
    QPlainTextEdit *m_equivalent;
    QPushButton *m_create;
    QDialogButtonBox *m_buttons;

    QListWidget *m_steps;
    QProgressBar *m_progress;
    QLabel *m_status;
    QPushButton *m_cancel;
    // Shared with the creation's thread, which may outlive the dialog (closed by quitting).
    std::shared_ptr<core::CancelToken> m_cancelToken;
    bool m_running = false;
};

} // namespace timonel::gui
