// The form's first section: the object's kind, name and namespace, how many pods a workload
// runs (replicas, a Job's parallelism), and its labels.
#pragma once

#include <QWidget>

class QFormLayout;
class QLabel;
class QLineEdit;

namespace timonel::gui::form {

class FormBinding;
struct WorkloadKind;

class MetadataSection : public QWidget
{
    Q_OBJECT
public:
    explicit MetadataSection(FormBinding *binding, QWidget *parent = nullptr);

    // For the document as the binding read it last; workload is its kind's (nullptr: none).
    void refresh(const WorkloadKind *workload);

private:
    FormBinding *m_binding;
    const WorkloadKind *m_workload = nullptr;
    QLabel *m_kind;
    QFormLayout *m_object;
    QLineEdit *m_count;
};

} // namespace timonel::gui::form
