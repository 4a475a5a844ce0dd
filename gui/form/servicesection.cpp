#include "form/servicesection.h"

#include "form/formbinding.h"

#include <QFormLayout>
#include <QJsonObject>
#include <QLabel>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace timonel::gui::form {

ServiceSection::ServiceSection(FormBinding *binding, QWidget *parent)
    : QGroupBox(tr("Service"), parent)
{
    setObjectName(u"serviceBox"_s);
    auto *layout = new QFormLayout(this);
    // The types are API values, shown as kubectl and the documentation write them.
    binding->addChoice(layout, u"serviceType"_s, tr("Type"),
                       {{tr("ClusterIP (default)"), QString()},
                        {u"ClusterIP"_s, u"ClusterIP"_s},
                        {u"NodePort"_s, u"NodePort"_s},
                        {u"LoadBalancer"_s, u"LoadBalancer"_s},
                        {u"ExternalName"_s, u"ExternalName"_s}},
                       [] { return u"spec.type"_s; });
    auto *tables = new QVBoxLayout;
    layout->addRow(tables);
    tables->addWidget(new QLabel(tr("Selector")));
    binding->addTable(tables, u"selector"_s, tr("Selector"), [] { return u"spec.selector"_s; });
    tables->addWidget(new QLabel(tr("Ports")));
    binding->addTable(
        tables, u"servicePorts"_s, tr("Ports"), [] { return u"spec.ports"_s; },
        {{tr("Name"), u"name"_s, FieldType::Text},
         {tr("Port"), u"port"_s, FieldType::Port},
         {tr("Target port"), u"targetPort"_s, FieldType::PortOrName},
         {tr("Protocol"), u"protocol"_s, FieldType::Protocol},
         {tr("Node port"), u"nodePort"_s, FieldType::Port}},
        QJsonObject{{u"port"_s, 80}, {u"targetPort"_s, 80}});
}

} // namespace timonel::gui::form
