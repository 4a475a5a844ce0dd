#include "form/probesection.h"

#include "form/formbinding.h"

#include <QComboBox>
#include <QFormLayout>
#include <QJsonObject>
#include <QStandardItemModel>

using namespace Qt::StringLiterals;

namespace timonel::gui::form {

namespace {

// The probe handlers the form edits, as the keys of a probe.
const QStringList probeHandlers = {u"httpGet"_s, u"tcpSocket"_s, u"exec"_s, u"grpc"_s};

} // namespace

ProbeSection::ProbeSection(FormBinding *binding, const QString &key, const QString &title,
                           std::function<QString()> containerPath, QWidget *parent)
    : QGroupBox(title, parent), m_binding(binding), m_key(key),
      m_containerPath(std::move(containerPath))
{
    auto *form = new QFormLayout(this);
    const QString prefix = key.chopped(u"Probe"_s.size()); // liveness, readiness
    m_handler = new QComboBox;
    m_handler->setObjectName(prefix + u"Type"_s);
    m_handler->addItem(tr("None"), QString());
    m_handler->addItem(tr("HTTP GET"), u"httpGet"_s);
    m_handler->addItem(tr("TCP socket"), u"tcpSocket"_s);
    m_handler->addItem(tr("Other (exec, gRPC)"), u"other"_s);
    // Shown when the YAML has one; written in the editor, not here.
    qobject_cast<QStandardItemModel *>(m_handler->model())->item(3)->setEnabled(false);
    form->addRow(tr("Check:"), m_handler);
    connect(m_handler, &QComboBox::activated, binding, [this] { handlerChosen(); });

    binding->addLine(
        form, prefix + u"Path"_s, tr("Path"), FieldType::Text,
        [this] { return handler() == u"httpGet" ? path() + u".httpGet.path"_s : QString(); },
        Scope::Container);
    binding->addLine(
        form, prefix + u"Port"_s, tr("Port"), FieldType::PortOrName,
        [this] {
            const QString check = handler();
            return check == u"httpGet" || check == u"tcpSocket" ? path() + u'.' + check + u".port"_s
                                                                : QString();
        },
        Scope::Container);
    const auto timing = [this](const QString &field) {
        return [this, field] {
            const QString probe = path();
            return manifest::valueAt(m_binding->value(), probe).isObject() ? probe + u'.' + field
                                                                           : QString();
        };
    };
    binding->addLine(form, prefix + u"InitialDelay"_s, tr("Initial delay (s)"), FieldType::Count,
                     timing(u"initialDelaySeconds"_s), Scope::Container);
    binding->addLine(form, prefix + u"Period"_s, tr("Period (s)"), FieldType::Count,
                     timing(u"periodSeconds"_s), Scope::Container);
}

QString ProbeSection::path() const
{
    const QString container = m_containerPath();
    return container.isEmpty() ? container : container + u'.' + m_key;
}

QString ProbeSection::handler() const
{
    const QString probePath = path();
    const QJsonObject probe = probePath.isEmpty()
                                  ? QJsonObject()
                                  : manifest::valueAt(m_binding->value(), probePath).toObject();
    for (const QString &handler : probeHandlers) {
        if (probe.contains(handler))
            return handler == u"httpGet" || handler == u"tcpSocket" ? handler : u"other"_s;
    }
    return {};
}

void ProbeSection::refresh()
{
    const int index = m_handler->findData(handler());
    if (m_handler->currentIndex() != index)
        m_handler->setCurrentIndex(index);
    m_handler->setEnabled(!m_containerPath().isEmpty());
}

void ProbeSection::handlerChosen()
{
    const QString probePath = path();
    const QString wanted = m_handler->currentData().toString();
    if (probePath.isEmpty() || wanted == handler())
        return;
    if (wanted.isEmpty()) {
        m_binding->apply([&](manifest::DocumentEdit &edit) {
            return edit.setValue(probePath, QJsonValue::Undefined);
        });
        return;
    }
    // The port carries over from the other kind of check, else the container's first port.
    const QJsonValue &value = m_binding->value();
    QJsonValue port = manifest::valueAt(value, probePath + u".httpGet.port"_s);
    if (port.isUndefined())
        port = manifest::valueAt(value, probePath + u".tcpSocket.port"_s);
    if (port.isUndefined())
        port = manifest::valueAt(value, m_containerPath() + u".ports[0].containerPort"_s);
    if (port.isUndefined())
        port = 80;
    const QJsonObject check = wanted == u"httpGet"
                                  ? QJsonObject{{u"path"_s, u"/"_s}, {u"port"_s, port}}
                                  : QJsonObject{{u"port"_s, port}};
    const bool done =
        m_binding->apply([&](manifest::DocumentEdit &edit) -> std::expected<void, QString> {
            // The new check first, so the probe never empties on the way.
            if (auto set = edit.setValue(probePath + u'.' + wanted, check); !set)
                return set;
            for (const QString &other : probeHandlers) {
                if (other == wanted)
                    continue;
                if (auto removed = edit.setValue(probePath + u'.' + other, QJsonValue::Undefined);
                    !removed)
                    return removed;
            }
            return {};
        });
    if (!done)
        m_binding->requestRefresh(); // back to what the YAML says
}

} // namespace timonel::gui::form
