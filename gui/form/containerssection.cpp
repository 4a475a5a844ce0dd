#include "form/containerssection.h"

#include "form/formbinding.h"
#include "form/probesection.h"
#include "form/workloadkinds.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace timonel::gui::form {

ContainersSection::ContainersSection(FormBinding *binding, QWidget *parent)
    : QGroupBox(tr("Containers"), parent), m_binding(binding)
{
    setObjectName(u"containersBox"_s);
    auto *row = new QHBoxLayout(this);
    auto *side = new QVBoxLayout;
    m_list = new QListWidget;
    m_list->setObjectName(u"containers"_s);
    m_list->setMaximumWidth(180);
    m_list->setMaximumHeight(160);
    side->addWidget(m_list);
    auto *add = new QPushButton(tr("Add"));
    auto *remove = new QPushButton(tr("Remove"));
    add->setObjectName(u"addContainer"_s);
    remove->setObjectName(u"removeContainer"_s);
    side->addWidget(add);
    side->addWidget(remove);
    side->addStretch(1);
    row->addLayout(side);
    // The binding is the context: it goes before the widgets do.
    connect(m_list, &QListWidget::currentRowChanged, binding, [this](int index) { select(index); });
    connect(add, &QPushButton::clicked, binding, [this] { addContainer(); });
    connect(remove, &QPushButton::clicked, binding, [this] { removeContainer(); });
    row->addWidget(buildDetail(), 1);
}

QWidget *ContainersSection::buildDetail()
{
    m_detail = new QWidget;
    auto *detail = new QVBoxLayout(m_detail);
    detail->setContentsMargins(0, 0, 0, 0);
    auto *form = new QFormLayout;
    detail->addLayout(form);
    const auto at = [this](const QString &key) {
        return [this, key] {
            const QString path = containerPath();
            return path.isEmpty() ? path : path + u'.' + key;
        };
    };
    const Scope scope = Scope::Container;
    m_binding->addLine(form, u"containerName"_s, tr("Name"), FieldType::Text, at(u"name"_s), scope);
    m_binding->addLine(form, u"image"_s, tr("Image"), FieldType::Text, at(u"image"_s), scope);
    m_binding->addLine(form, u"requestsCpu"_s, tr("CPU request"), FieldType::Quantity,
                       at(u"resources.requests.cpu"_s), scope);
    m_binding->addLine(form, u"requestsMemory"_s, tr("Memory request"), FieldType::Quantity,
                       at(u"resources.requests.memory"_s), scope);
    m_binding->addLine(form, u"limitsCpu"_s, tr("CPU limit"), FieldType::Quantity,
                       at(u"resources.limits.cpu"_s), scope);
    m_binding->addLine(form, u"limitsMemory"_s, tr("Memory limit"), FieldType::Quantity,
                       at(u"resources.limits.memory"_s), scope);
    detail->addWidget(new QLabel(tr("Ports")));
    m_binding->addTable(detail, u"containerPorts"_s, tr("Ports"), at(u"ports"_s),
                        {{tr("Name"), u"name"_s, FieldType::Text},
                         {tr("Container port"), u"containerPort"_s, FieldType::Port},
                         {tr("Protocol"), u"protocol"_s, FieldType::Protocol}},
                        QJsonObject{{u"containerPort"_s, 80}}, scope);
    detail->addWidget(new QLabel(tr("Environment")));
    m_binding->addTable(
        detail, u"env"_s, tr("Environment"), at(u"env"_s),
        {{tr("Name"), u"name"_s, FieldType::Text}, {tr("Value"), u"value"_s, FieldType::Text}},
        QJsonObject{{u"name"_s, u"NAME"_s}, {u"value"_s, u""_s}}, scope);
    for (const auto &[key, title] : {std::pair{u"livenessProbe"_s, tr("Liveness probe")},
                                     std::pair{u"readinessProbe"_s, tr("Readiness probe")}}) {
        auto *probe = new ProbeSection(m_binding, key, title, [this] { return containerPath(); });
        detail->addWidget(probe);
        m_probes.append(probe);
    }
    return m_detail;
}

QString ContainersSection::podSpec() const
{
    return m_workload ? QString(m_workload->podSpec) : QString();
}

QString ContainersSection::containerPath() const
{
    if (!m_workload || m_container < 0)
        return {};
    return manifest::itemPath(podSpec() + u".containers"_s, m_container);
}

void ContainersSection::refresh(const WorkloadKind *workload)
{
    m_workload = workload;
    setVisible(workload != nullptr);
    const QJsonArray containers =
        workload ? manifest::valueAt(m_binding->value(), podSpec() + u".containers"_s).toArray()
                 : QJsonArray();
    const QSignalBlocker blocker(m_list);
    for (int i = 0; i < containers.size(); ++i) {
        QString name = containers[i][u"name"_s].toString();
        if (name.isEmpty())
            name = tr("(unnamed)");
        if (i >= m_list->count())
            m_list->addItem(name);
        else if (m_list->item(i)->text() != name)
            m_list->item(i)->setText(name);
    }
    while (m_list->count() > containers.size())
        delete m_list->takeItem(m_list->count() - 1);
    int wanted = qMin(m_container, int(containers.size()) - 1);
    if (wanted < 0 && !containers.isEmpty())
        wanted = 0;
    if (wanted != m_container) {
        m_container = wanted;
        m_binding->reset(Scope::Container);
    }
    m_list->setCurrentRow(m_container);
    m_detail->setEnabled(m_container >= 0);
    for (ProbeSection *probe : std::as_const(m_probes))
        probe->refresh();
}

void ContainersSection::select(int index)
{
    if (index == m_container || index < 0)
        return;
    m_container = index;
    m_binding->reset(Scope::Container);
    m_binding->requestRefresh();
}

void ContainersSection::addContainer()
{
    const QString path = podSpec() + u".containers"_s;
    if (!m_workload)
        return;
    const QJsonArray containers = manifest::valueAt(m_binding->value(), path).toArray();
    QStringList names;
    for (const QJsonValue &c : containers)
        names << c[u"name"_s].toString();
    int n = int(containers.size()) + 1;
    while (names.contains(u"container-%1"_s.arg(n)))
        ++n;
    const int previous = m_container;
    m_container = int(containers.size()); // shown once it is there
    if (!m_binding->apply([&](manifest::DocumentEdit &edit) {
            return edit.appendItem(
                path, QJsonObject{{u"name"_s, u"container-%1"_s.arg(n)}, {u"image"_s, u""_s}});
        }))
        m_container = previous;
}

void ContainersSection::removeContainer()
{
    if (!m_workload || m_container < 0)
        return;
    m_binding->apply([&](manifest::DocumentEdit &edit) {
        return edit.removeItem(podSpec() + u".containers"_s, m_container);
    });
}

} // namespace timonel::gui::form
