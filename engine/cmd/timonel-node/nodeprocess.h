#pragma once

#include <QJsonObject>
#include <QString>

#include <expected>

namespace timonel::node {

// Makes SIGTERM and SIGINT quit the application's event loop cleanly, and reaps orphaned
// children when this process is PID 1 of its container.
void installSignalHandlers();

// Where a node finds its configuration (written into the container by cluster creation).
inline constexpr const char *ConfigDir = "/etc/timonel";

// /etc/timonel/node.json: {"cluster","nodeName","role","nodeIP","podCIDR",...}
std::expected<QJsonObject, QString>
loadNodeConfig(const QString &dir = QString::fromLatin1(ConfigDir));

// The line cluster creation waits for in the node container's output.
inline constexpr const char *ReadyLine = "timonel-node: ready";

} // namespace timonel::node
