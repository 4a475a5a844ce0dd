// What the unit tests that need a real API server share: one on a free loopback port (plain
// HTTP) with its data under a test's temporary directory, and a wait for one client call.
#pragma once

#include "apiserver/apiserver.h"
#include "client/apiclient.h"

#include <QEventLoop>
#include <QString>
#include <QTimer>

#include <expected>
#include <functional>
#include <memory>
#include <optional>

namespace timonel::test {

// Started; `network` sets the service subnet and NodePort range it allocates from.
inline std::expected<std::unique_ptr<apiserver::ApiServer>, QString>
startTestApiServer(const QString &directory, apiserver::ClusterNetwork network = {})
{
    apiserver::ApiServerOptions options;
    options.address = QHostAddress::LocalHost;
    options.port = 0;
    options.plainHttp = true;
    options.dataDirectory = directory + QStringLiteral("/data");
    options.encryptionKeyFile = directory + QStringLiteral("/key");
    options.network = std::move(network);
    auto server = std::make_unique<apiserver::ApiServer>(options);
    if (auto started = server->start(); !started)
        return std::unexpected(started.error());
    return server;
}

// The answer to one asynchronous client call, waited for in a local event loop; an answer
// that comes after the timeout is dropped.
template <typename T>
client::Result<T> await(const std::function<void(client::Callback<T>)> &call, int timeoutMs = 10000)
{
    struct State
    {
        std::optional<client::Result<T>> result;
        QEventLoop loop;
    };
    auto state = std::make_shared<State>();
    call([weak = std::weak_ptr<State>(state)](client::Result<T> r) {
        if (auto s = weak.lock()) {
            s->result = std::move(r);
            s->loop.quit();
        }
    });
    if (!state->result) {
        QTimer::singleShot(timeoutMs, &state->loop, &QEventLoop::quit);
        state->loop.exec();
    }
    if (!state->result)
        return std::unexpected(
            client::Error{0, QStringLiteral("Timeout"), QStringLiteral("no answer in time"), {}});
    return *state->result;
}

// A client that passes every call on to another: tests derive from it to count or note the
// calls they care about (overriding those and calling this class's version), or to alter an
// answer on its way back.
class ForwardingClient : public client::ApiClient
{
public:
    explicit ForwardingClient(client::ApiClient &inner) : m_inner(inner) {}

    void get(const client::Resource &r, const QString &ns, const QString &name,
             client::Callback<QJsonObject> done) override
    {
        m_inner.get(r, ns, name, std::move(done));
    }
    void list(const client::Resource &r, const QString &ns, const client::ListQuery &query,
              client::Callback<QJsonObject> done) override
    {
        m_inner.list(r, ns, query, std::move(done));
    }
    void create(const client::Resource &r, const QString &ns, const QJsonObject &object,
                const client::WriteQuery &query, client::Callback<QJsonObject> done) override
    {
        m_inner.create(r, ns, object, query, std::move(done));
    }
    void createSubresource(const client::Resource &r, const QString &ns, const QString &name,
                           const QString &subresource, const QJsonObject &object,
                           const client::WriteQuery &query,
                           client::Callback<QJsonObject> done) override
    {
        m_inner.createSubresource(r, ns, name, subresource, object, query, std::move(done));
    }
    void update(const client::Resource &r, const QString &ns, const QJsonObject &object,
                const QString &subresource, const client::WriteQuery &query,
                client::Callback<QJsonObject> done) override
    {
        m_inner.update(r, ns, object, subresource, query, std::move(done));
    }
    void patch(const client::Resource &r, const QString &ns, const QString &name,
               client::PatchType type, const QByteArray &body, const QString &subresource,
               const client::WriteQuery &query, client::Callback<QJsonObject> done) override
    {
        m_inner.patch(r, ns, name, type, body, subresource, query, std::move(done));
    }
    void remove(const client::Resource &r, const QString &ns, const QString &name,
                const client::DeleteQuery &query, client::Callback<QJsonObject> done) override
    {
        m_inner.remove(r, ns, name, query, std::move(done));
    }
    std::unique_ptr<client::WatchHandle> watch(const client::Resource &r, const QString &ns,
                                               const client::ListQuery &query) override
    {
        return m_inner.watch(r, ns, query);
    }
    void resources(client::Callback<QList<client::ServedResource>> done) override
    {
        m_inner.resources(std::move(done));
    }

private:
    client::ApiClient &m_inner;
};

} // namespace timonel::test
