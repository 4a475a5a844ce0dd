#include "topologytab.h"

#include "clusterconnection.h"
#include "manifest/yamldocument.h"
#include "objectdetails.h"
#include "topology/topologyitems.h"
#include "topology/topologymodel.h"
#include "topology/topologyscene.h"
#include "topology/topologyview.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSplitter>
#include <QToolButton>
#include <QUrl>

namespace timonel::gui {

namespace {

struct ObjectRef
{
    QString key, ns, name;
};

ObjectRef parseId(const QString &id)
{
    const QStringList parts = id.split(QLatin1Char('|'));
    return parts.size() == 3 ? ObjectRef{parts[0], parts[1], parts[2]} : ObjectRef{};
}

QToolButton *toolButton(const QString &text, const QString &toolTip, QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setText(text);
    button->setToolTip(toolTip);
    button->setAutoRaise(true);
    return button;
}

} // namespace

TopologyTab::TopologyTab(ClusterConnection *connection, QWidget *parent)
    : QWidget(parent), m_connection(connection), m_model(new topology::TopologyModel(this)),
      m_scene(new topology::TopologyScene(m_model, this)),
      m_view(new topology::TopologyView(m_scene)), m_details(new ObjectDetails(connection)),
      m_namespace(new QComboBox), m_labels(new QLineEdit)
{
    m_namespace->addItem(tr("All namespaces"), QString());
    m_namespace->setToolTip(QStringLiteral("kubectl get all --all-namespaces"));
    m_labels->setPlaceholderText(tr("Label selector, e.g. app=web"));
    m_labels->setClearButtonEnabled(true);
    auto *zoomIn = toolButton(QStringLiteral("+"), tr("Zoom in (Ctrl++)"), this);
    auto *zoomOut = toolButton(QStringLiteral("−"), tr("Zoom out (Ctrl+-)"), this);
    auto *fit = toolButton(tr("Fit"), tr("Show the whole graph (F)"), this);

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Namespace:")));
    bar->addWidget(m_namespace);
    bar->addWidget(m_labels, 1);
    auto *layoutProblem = new QLabel;
    layoutProblem->setStyleSheet(QStringLiteral("color: #d0352b"));
    bar->addWidget(layoutProblem);
    bar->addWidget(zoomOut);
    bar->addWidget(zoomIn);
    bar->addWidget(fit);
    auto *splitter = new QSplitter;
    splitter->addWidget(m_view);
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({3000, 1000}); // the graph first, whatever the YAML view would like
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(splitter, 1);

    connect(zoomIn, &QToolButton::clicked, this, [this] { m_view->zoomBy(1.25); });
    connect(zoomOut, &QToolButton::clicked, this, [this] { m_view->zoomBy(0.8); });
    connect(fit, &QToolButton::clicked, m_view, &topology::TopologyView::fit);
    connect(m_namespace, &QComboBox::currentIndexChanged, this, [this] {
        const QString ns = m_namespace->currentData().toString();
        m_model->setNamespaceFilter(ns);
        m_namespace->setToolTip(ns.isEmpty() ? QStringLiteral("kubectl get all --all-namespaces")
                                             : QStringLiteral("kubectl get all -n %1").arg(ns));
    });
    connect(m_labels, &QLineEdit::textChanged, this, [this](const QString &text) {
        const auto set = m_model->setLabelFilter(text);
        // A selector being typed is often invalid for a moment: say so, keep the last good one.
        m_labels->setStyleSheet(set ? QString() : QStringLiteral("color: #d0352b"));
        m_labels->setToolTip(set ? QStringLiteral("kubectl get all -l %1").arg(text) : set.error());
    });
    connect(m_scene, &topology::TopologyScene::objectSelected, this, [this](const QString &id) {
        const ObjectRef ref = parseId(id);
        const topology::Item *item = m_model->item(id);
        if (item && !item->ghost)
            m_details->showObject(ref.key, ref.ns, ref.name);
        else
            m_details->showObject({}, {}, {});
    });
    connect(m_scene, &topology::TopologyScene::laidOut, layoutProblem,
            [this, layoutProblem] { layoutProblem->setText(m_scene->layoutError()); });
    connect(m_view, &topology::TopologyView::objectActivated, this, [this](const QString &id) {
        const ObjectRef ref = parseId(id);
        if (ref.key == QLatin1String("pods"))
            Q_EMIT logsRequested(ref.ns, ref.name);
    });
    connect(m_view, &topology::TopologyView::objectMenuRequested, this, &TopologyTab::objectMenu);
    connect(m_view, &topology::TopologyView::nodeMenuRequested, this, &TopologyTab::nodeMenu);

    for (const WatchedKind &kind : watchedKinds())
        for (const QJsonObject &object : connection->objects(kind.key()))
            m_model->apply(kind.key(), object);
    connect(connection, &ClusterConnection::objectChanged, m_model,
            &topology::TopologyModel::apply);
    connect(connection, &ClusterConnection::objectRemoved, m_model,
            &topology::TopologyModel::remove);
    connect(connection, &ClusterConnection::objectChanged, this, [this](const QString &key) {
        if (key == QLatin1String("namespaces"))
            updateNamespaces();
    });
    connect(connection, &ClusterConnection::objectRemoved, this, [this](const QString &key) {
        if (key == QLatin1String("namespaces"))
            updateNamespaces();
    });
    updateNamespaces();
}

TopologyTab::~TopologyTab() = default;

void TopologyTab::updateNamespaces()
{
    QStringList names;
    for (const QJsonObject &ns : m_connection->objects(QStringLiteral("namespaces")))
        names << ns[QLatin1String("metadata")][QLatin1String("name")].toString();
    names.sort();
    const QString current = m_namespace->currentData().toString();
    QSignalBlocker block(m_namespace);
    while (m_namespace->count() > 1)
        m_namespace->removeItem(1);
    for (const QString &name : std::as_const(names))
        m_namespace->addItem(name, name);
    m_namespace->setCurrentIndex(std::max(0, m_namespace->findData(current)));
}

void TopologyTab::setGhosts(const QString &source, const QString &yaml,
                            const QString &defaultNamespace)
{
    QList<QJsonObject> objects;
    for (const manifest::YamlDocument &document : manifest::parseManifestFile(yaml).documents) {
        QJsonObject object = document.value.toObject();
        QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
        if (object.isEmpty() || meta.value(QLatin1String("name")).toString().isEmpty())
            continue;
        if (meta.value(QLatin1String("namespace")).toString().isEmpty()) {
            meta.insert(QStringLiteral("namespace"), defaultNamespace);
            object.insert(QStringLiteral("metadata"), meta);
        }
        objects << object;
    }
    m_model->setGhosts(source, objects);
}

void TopologyTab::showNamespace(const QString &ns)
{
    if (!ns.isEmpty() && m_namespace->findData(ns) < 0)
        m_namespace->addItem(ns, ns);
    m_namespace->setCurrentIndex(std::max(0, m_namespace->findData(ns)));
}

void TopologyTab::showLabels(const QString &selector)
{
    showNamespace(QString());
    m_labels->setText(selector);
}

void TopologyTab::reveal(const QString &key, const QString &ns, const QString &name)
{
    const QString id = topology::itemId(key, ns, name);
    m_scene->select(id);
    if (auto *card = m_scene->objectItem(id))
        m_view->centerOn(card);
}

void TopologyTab::objectMenu(const QString &id, const QPoint &globalPos)
{
    const ObjectRef ref = parseId(id);
    const topology::Item *item = m_model->item(id);
    if (!item || item->ghost)
        return;
    QMenu menu;
    if (ref.key == QLatin1String("pods")) {
        menu.addAction(tr("Show log"), this,
                       [this, ref] { Q_EMIT logsRequested(ref.ns, ref.name); })
            ->setToolTip(QStringLiteral("kubectl logs -n %1 %2").arg(ref.ns, ref.name));
        menu.addAction(tr("Open a shell"), this,
                       [this, ref] { Q_EMIT shellRequested(ref.ns, ref.name); })
            ->setToolTip(QStringLiteral("kubectl exec -it -n %1 %2 -- sh").arg(ref.ns, ref.name));
    }
    if (ref.key == QLatin1String("pods") || ref.key == QLatin1String("services"))
        menu.addAction(tr("Port-forward…"), this,
                       [this, ref] { Q_EMIT portForwardRequested(ref.key, ref.ns, ref.name); });
    // A LoadBalancer's address opens in the browser.
    if (ref.key == QLatin1String("services") && item->status == QLatin1String("LoadBalancer") &&
        !item->detail.isEmpty()) {
        for (const QJsonObject &service : m_connection->objects(ref.key)) {
            if (service[QLatin1String("metadata")][QLatin1String("name")] != ref.name ||
                service[QLatin1String("metadata")][QLatin1String("namespace")] != ref.ns)
                continue;
            for (const QJsonValue &port :
                 service[QLatin1String("spec")][QLatin1String("ports")].toArray()) {
                const QUrl url(QStringLiteral("http://%1:%2/")
                                   .arg(item->detail)
                                   .arg(port[QLatin1String("port")].toInt()));
                menu.addAction(tr("Open %1").arg(url.toString()), this,
                               [url] { QDesktopServices::openUrl(url); });
            }
        }
    }
    if (!menu.isEmpty())
        menu.exec(globalPos);
}

void TopologyTab::nodeMenu(const QString &node, const QPoint &globalPos)
{
    QMenu menu;
    menu.setToolTipsVisible(true);
    menu.addAction(tr("Stop node"), this, [this, node] { Q_EMIT nodeActionRequested(node, false); })
        ->setToolTip(QStringLiteral("docker stop %1").arg(node));
    menu.addAction(tr("Start node"), this, [this, node] { Q_EMIT nodeActionRequested(node, true); })
        ->setToolTip(QStringLiteral("docker start %1").arg(node));
    menu.exec(globalPos);
}

} // namespace timonel::gui
