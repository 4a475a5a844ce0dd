#include "quotaadmission.h"

#include "resourcestore.h"

#include "core/quotausage.h"

#include <QLoggingCategory>

using namespace Qt::StringLiterals;
using namespace timonel::core::quota;

Q_DECLARE_LOGGING_CATEGORY(lcApiServer)

namespace timonel::apiserver {

namespace {

QJsonObject objectAt(const QJsonObject &o, QStringView key)
{
    return o.value(key).toObject();
}

QString nameOf(const QJsonObject &o)
{
    return objectAt(o, u"metadata").value(u"name").toString();
}

// prettyPrintResourceNames.
QString sortedNames(QStringList names)
{
    names.sort();
    return names.join(u',');
}

} // namespace

bool quotaHandles(const QuotaRequest &request)
{
    return Evaluator(request.groupResource)
        .handles(request.subresource, request.object, request.old);
}

ApiResult<QList<QJsonObject>> chargeQuotas(const QuotaRequest &request,
                                           const QList<QJsonObject> &quotas, const QDateTime &now)
{
    const Evaluator evaluator(request.groupResource);
    if (quotas.isEmpty() || !evaluator.handles(request.subresource, request.object, request.old))
        return QList<QJsonObject>();
    auto forbidden = [&](const QString &why) {
        return std::unexpected(
            ApiError::forbidden(request.groupResource, nameOf(request.object), why));
    };

    // The quotas that cover the object, and whether they can judge it.
    QList<qsizetype> covering;
    for (qsizetype i = 0; i < quotas.size(); ++i) {
        const QJsonObject &quota = quotas[i];
        if (!evaluator.matches(quota, request.object))
            continue;
        const QJsonObject status = objectAt(quota, u"status");
        const QStringList restricted =
            evaluator.matchingResources(resourceList(status.value(u"hard")).keys());
        if (const QString e = evaluator.constraints(restricted, request.object); !e.isEmpty())
            return forbidden(u"failed quota: %1: %2"_s.arg(nameOf(quota), e));
        const QJsonObject used = objectAt(status, u"used");
        for (const QString &name : restricted)
            if (!used.contains(name))
                return forbidden(u"status unknown for quota: %1, resources: %2"_s.arg(
                    nameOf(quota), sortedNames(restricted)));
        covering.append(i);
    }

    ResourceList delta = evaluator.usage(request.object, now);
    if (const QStringList negative = negatives(delta); !negative.isEmpty())
        return forbidden(
            u"quota usage is negative for resource(s): %1"_s.arg(sortedNames(negative)));
    // An update is charged only for what it adds.
    if (request.old &&
        !objectAt(*request.old, u"metadata").value(u"resourceVersion").toString().isEmpty())
        delta = subtractNonNegative(delta, evaluator.usage(*request.old, now));
    delta = removeZeros(delta);
    if (delta.isEmpty() || covering.isEmpty())
        return QList<QJsonObject>();

    QList<QJsonObject> charged;
    for (qsizetype i : std::as_const(covering)) {
        QJsonObject quota = quotas[i];
        QJsonObject status = objectAt(quota, u"status");
        const ResourceList hard = resourceList(status.value(u"hard"));
        const ResourceList used = resourceList(status.value(u"used"));
        const ResourceList requested = mask(delta, hard.keys());
        const ResourceList newUsed = add(used, requested);
        if (const QStringList over = exceeding(mask(newUsed, requested.keys()), hard);
            !over.isEmpty()) {
            return forbidden(u"exceeded quota: %1, requested: %2, used: %3, limited: %4"_s.arg(
                nameOf(quota), prettyPrint(mask(requested, over)), prettyPrint(mask(used, over)),
                prettyPrint(mask(hard, over))));
        }
        if (equals(newUsed, used))
            continue;
        status.insert(u"used"_s, toJson(newUsed));
        quota.insert(u"status"_s, status);
        charged.append(quota);
    }
    return charged;
}

void storeQuotaCharges(Storage &storage, const core::ResourceInfo &resourceQuotas,
                       const QList<QJsonObject> &charged)
{
    for (const QJsonObject &quota : charged) {
        const QJsonObject meta = objectAt(quota, u"metadata");
        const QString key = ResourceStore::keyFor(
            resourceQuotas, meta.value(u"namespace").toString(), meta.value(u"name").toString());
        // Admission runs on the storage's thread between two reads of it: nothing can have
        // written the quota since, but a failure must not pass silently.
        storage.update(key, quota, meta.value(u"resourceVersion").toString().toLongLong(),
                       [key](const StorageResult &result) {
                           if (!result)
                               qCWarning(lcApiServer).noquote()
                                   << "cannot charge quota" << key << result.error().message;
                       });
    }
}

} // namespace timonel::apiserver
