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

} // namespace timonel::test
