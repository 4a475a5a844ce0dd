// The containers of a workload's pod template: a list to choose one from (Add, Remove), and
// the chosen one's name, image, resource requests and limits, ports, environment and probes.
// Hidden for kinds that run no pods.
#pragma once

#include <QGroupBox>

class QListWidget;

namespace timonel::gui::form {

class FormBinding;
class ProbeSection;
struct WorkloadKind;

class ContainersSection : public QGroupBox
{
    Q_OBJECT
public:
    explicit ContainersSection(FormBinding *binding, QWidget *parent = nullptr);

    // For the document as the binding read it last; workload is its kind's (nullptr: none).
    // The container shown stays when it is still there.
    void refresh(const WorkloadKind *workload);

    // The container shown (-1: none), in the pod template's list.
    int current() const { return m_container; }
    void select(int index);

private:
    QWidget *buildDetail();
    QString podSpec() const;
    // The container's path in the document; "" while none is shown.
    QString containerPath() const;
    void addContainer();
    void removeContainer();

    FormBinding *m_binding;
    const WorkloadKind *m_workload = nullptr;
    int m_container = -1;
    QListWidget *m_list;
    QWidget *m_detail;
    QList<ProbeSection *> m_probes;
};

} // namespace timonel::gui::form
