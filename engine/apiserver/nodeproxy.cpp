#include "nodeproxy.h"

#include "http/httpserver.h"
#include "resthandler.h"

using namespace Qt::StringLiterals;

namespace timonel::apiserver {

NodeProxy::NodeProxy(ResourceStore &store, NodeProxyOptions options, QObject *parent)
    : QObject(parent), m_store(store), m_options(std::move(options))
{
}

NodeProxy::~NodeProxy() = default;

void NodeProxy::handle(http::HttpExchange *exchange, const core::ResourceInfo &r,
                       const RequestInfo &info)
{
    respondError(exchange, ApiError::methodNotAllowed(info.verb, r.plural + u'/' + info.subresource));
}

} // namespace timonel::apiserver
