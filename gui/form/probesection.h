// One probe of the container the form shows (liveness or readiness): the kind of check (an
// HTTP GET or a TCP socket; exec and gRPC checks are shown, and written in the editor), its
// path and port, its initial delay and period.
#pragma once

#include <QGroupBox>

#include <functional>

class QComboBox;

namespace timonel::gui::form {

class FormBinding;

class ProbeSection : public QGroupBox
{
    Q_OBJECT
public:
    // `key` is the container's field ("livenessProbe"); containerPath gives the container's
    // path in the document, "" while none is shown.
    ProbeSection(FormBinding *binding, const QString &key, const QString &title,
                 std::function<QString()> containerPath, QWidget *parent = nullptr);

    // The check chosen in the document; enabled while a container is shown.
    void refresh();

private:
    QString path() const;
    // "httpGet", "tcpSocket", "other" (exec, grpc) or "" (no probe).
    QString handler() const;
    void handlerChosen();

    FormBinding *m_binding;
    QString m_key;
    std::function<QString()> m_containerPath;
    QComboBox *m_handler;
};

} // namespace timonel::gui::form
