#include "applier.h"

namespace timonel::client {

namespace {

// Namespaces, then CRDs, then the rest: what later objects may need to exist.
int tier(const QJsonObject &object)
{
    const QString kind = object.value(QLatin1String("kind")).toString();
    if (kind == QLatin1String("Namespace"))
        return 0;
    if (kind == QLatin1String("CustomResourceDefinition"))
        return 1;
    return 2;
}

} // namespace

QString ApplyResult::summary(bool dryRun) const
{
    if (!ok) {
        if (resource.isEmpty())
            return QStringLiteral("error: ") + message;
        return reason.isEmpty() ? QStringLiteral("Error from server: ") + message
                                : QStringLiteral("Error from server (%1): %2").arg(reason, message);
    }
    const QString group = resource.section(u'.', 1);
    QString line = kind.toLower() + (group.isEmpty() ? QString() : u'.' + group) + u'/' + name +
                   QStringLiteral(" serverside-applied");
    if (dryRun)
        line += QStringLiteral(" (server dry run)");
    return line;
}

Applier::Applier(ApiClient &api, ApplyOptions options, QObject *parent)
    : QObject(parent), m_api(api), m_options(std::move(options))
{
}

void Applier::apply(const QList<QJsonObject> &objects)
{
    m_objects = objects;
    m_results.clear();
    m_order.clear();
    for (int t = 0; t <= 2; ++t)
        for (int i = 0; i < objects.size(); ++i)
            if (tier(objects.at(i)) == t)
                m_order.append(i);
    m_results.resize(objects.size());
    m_next = 0;
    m_cancelled = false;
    QPointer<Applier> self(this);
    m_api.resources([self](Result<QList<ServedResource>> served) {
        if (!self)
            return;
        if (served)
            self->m_served = *served;
        self->applyNext();
    });
}

void Applier::applyNext()
{
    if (m_cancelled || m_next >= m_order.size()) {
        if (m_cancelled)
            m_results.resize(m_next);
        Q_EMIT finished(m_results);
        return;
    }
    const int index = m_order.at(m_next++);
    QJsonObject object = m_objects.at(index);
    ApplyResult &result = m_results[index];
    result.index = index;
    result.kind = object.value(QLatin1String("kind")).toString();
    const QString apiVersion = object.value(QLatin1String("apiVersion")).toString();
    QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    result.name = meta.value(QLatin1String("name")).toString();

    const QString group = apiVersion.contains(u'/') ? apiVersion.section(u'/', 0, 0) : QString();
    const QString version = apiVersion.section(u'/', -1);
    const ServedResource *served = nullptr;
    for (const ServedResource &r : std::as_const(m_served))
        if (r.kind == result.kind && r.resource.group == group && r.resource.version == version)
            served = &r;
    auto done = [this, index] {
        Q_EMIT objectApplied(m_results.at(index));
        Q_EMIT progress(m_next, int(m_order.size()));
        applyNext();
    };
    if (!served) {
        // kubectl's words when its RESTMapper has no such kind.
        result.message = QStringLiteral("resource mapping not found for name: \"%1\" namespace: "
                                        "\"%2\" from \"\": no matches for kind \"%3\" in version "
                                        "\"%4\"")
                             .arg(result.name, meta.value(QLatin1String("namespace")).toString(),
                                  result.kind, apiVersion);
        QMetaObject::invokeMethod(this, done, Qt::QueuedConnection);
        return;
    }
    result.resource = served->resource.group.isEmpty()
                          ? served->resource.resource
                          : served->resource.resource + u'.' + served->resource.group;
    if (served->namespaced) {
        if (meta.value(QLatin1String("namespace")).toString().isEmpty())
            meta.insert(QStringLiteral("namespace"), m_options.defaultNamespace);
    } else {
        meta.remove(QStringLiteral("namespace"));
    }
    object.insert(QStringLiteral("metadata"), meta);
    result.ns = meta.value(QLatin1String("namespace")).toString();

    WriteQuery query;
    query.fieldManager = m_options.fieldManager;
    query.dryRun = m_options.dryRun;
    query.force = m_options.force;
    QPointer<Applier> self(this);
    m_api.apply(served->resource, object, query, [self, index, done](Result<QJsonObject> applied) {
        if (!self)
            return;
        ApplyResult &r = self->m_results[index];
        r.ok = bool(applied);
        if (applied)
            r.applied = *applied;
        else
            r.message = applied.error().message;
        done();
    });
}

} // namespace timonel::client
