#include "form/metadatasection.h"

#include "form/formbinding.h"
#include "form/workloadkinds.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace timonel::gui::form {

MetadataSection::MetadataSection(FormBinding *binding, QWidget *parent)
    : QWidget(parent), m_binding(binding)
{
    auto *column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);

    auto *objectBox = new QGroupBox(tr("Object"));
    objectBox->setObjectName(u"objectBox"_s);
    m_object = new QFormLayout(objectBox);
    m_kind = new QLabel;
    m_kind->setObjectName(u"kind"_s);
    m_object->addRow(tr("Kind:"), m_kind);
    binding->addLine(m_object, u"name"_s, tr("Name"), FieldType::Text,
                     [] { return u"metadata.name"_s; });
    binding->addLine(m_object, u"namespace"_s, tr("Namespace"), FieldType::Text,
                     [] { return u"metadata.namespace"_s; });
    m_count = binding->addLine(m_object, u"replicas"_s, tr("Replicas"), FieldType::Count, [this] {
        return m_workload ? QString(m_workload->count) : QString();
    });
    column->addWidget(objectBox);

    auto *labelsBox = new QGroupBox(tr("Labels"));
    labelsBox->setObjectName(u"labelsBox"_s);
    binding->addTable(new QVBoxLayout(labelsBox), u"labels"_s, tr("Labels"),
                      [] { return u"metadata.labels"_s; });
    column->addWidget(labelsBox);
}

void MetadataSection::refresh(const WorkloadKind *workload)
{
    m_workload = workload;
    const QJsonValue &value = m_binding->value();
    const QString kind = value[u"kind"_s].toString();
    const QString apiVersion = value[u"apiVersion"_s].toString();
    m_kind->setText(
        apiVersion.isEmpty() ? kind : tr("%1 (%2)", "kind (apiVersion)").arg(kind, apiVersion));
    const bool counted = workload && !workload->count.isEmpty();
    m_object->setRowVisible(m_count, counted);
    if (auto *label = qobject_cast<QLabel *>(m_object->labelForField(m_count)))
        label->setText(counted && workload->count == "spec.parallelism"_L1 ? tr("Parallelism:")
                                                                           : tr("Replicas:"));
}

} // namespace timonel::gui::form
