// The ResourceQuota admission plugin (k8s.io/apiserver/pkg/admission/plugin/resourcequota): a
// create or update that would take its namespace past one of the namespace's quotas is refused
// with Kubernetes' Forbidden message; one that fits is charged to the quotas in the same
// admission, so the very next request already sees it (the resource quota controller recounts
// later, and gives back what deleted objects held).
#pragma once

#include "apierror.h"

#include "core/schema.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace timonel::apiserver {

struct QuotaRequest
{
    QString groupResource;            // "pods", "deployments.apps"
    QString subresource;              // "" for the object itself
    QJsonObject object;               // as it would be stored, name and namespace set
    const QJsonObject *old = nullptr; // the stored object on update, null on create
};

// Whether the plugin looks at the request at all: creates of every namespaced kind, updates that
// can change what a pod, service or claim uses.
bool quotaHandles(const QuotaRequest &request);

// The namespace's quotas (as stored) that the request changes, with status.used raised by what
// it adds: the caller stores them, with the resourceVersion they carry, before the object. Empty
// when no quota is concerned. Forbidden as Kubernetes says it: "exceeded quota: q, requested:
// pods=1, used: pods=2, limited: pods=2", "failed quota: q: must specify limits.cpu for: nginx",
// "status unknown for quota: q, resources: pods".
ApiResult<QList<QJsonObject>> chargeQuotas(const QuotaRequest &request,
                                           const QList<QJsonObject> &quotas, const QDateTime &now);

class Storage;
// Stores the charged quotas at once, each only if nobody wrote it since it was read (the
// optimistic concurrency Kubernetes' quota writes use).
void storeQuotaCharges(Storage &storage, const core::ResourceInfo &resourceQuotas,
                       const QList<QJsonObject> &charged);

} // namespace timonel::apiserver
