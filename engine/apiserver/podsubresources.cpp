#include "podsubresources.h"

using namespace Qt::StringLiterals;

namespace timonel::apiserver {

void createPodSubresource(ResourceStore &store, const core::ResourceInfo &r, const QString &ns,
                          const QString &name, const QString &subresource,
                          const QJsonObject &body, const WriteOptions &options,
                          std::function<void(ApiResult<QJsonObject>)> done)
{
    Q_UNUSED(store);
    Q_UNUSED(ns);
    Q_UNUSED(name);
    Q_UNUSED(body);
    Q_UNUSED(options);
    done(std::unexpected(ApiError::methodNotAllowed(u"create"_s, r.plural + u'/' + subresource)));
}

} // namespace timonel::apiserver
