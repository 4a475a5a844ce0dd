// exec and attach as the kubelet serves them: the request is upgraded to WebSocket channels
// (v5.channel.k8s.io and the older channel protocols) or to SPDY/3.1 streams (the fallback, with
// X-Stream-Protocol-Version v5 to v1), the command runs through Docker's hijacked exec or attach
// connection, and its end is reported on the error channel as a Status, as the kubelet's
// remotecommand server does.
#pragma once

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrlQuery>

#include <expected>

namespace timonel::http {
class HttpExchange;
}

namespace timonel::kubelet {

struct RemoteCommandOptions
{
    bool stdinStream = false;
    bool stdoutStream = false;
    bool stderrStream = false;
    bool tty = false;
};

// The streams a request asks for (stdin=1&stdout=1&stderr=1&tty=1). With a TTY stderr is
// dropped (it goes to the terminal); asking for none is an error.
std::expected<RemoteCommandOptions, QString> remoteCommandOptions(const QUrlQuery &query);

struct RemoteCommandTarget
{
    QString dockerSocket;
    QString containerId;
    QStringList command; // exec
    bool attach = false;
    // attach: whether the container runs with a TTY (its output is then raw, not multiplexed).
    bool containerTty = false;
};

// The Status written on the error channel when a command ends: Success, or Failure with reason
// NonZeroExitCode and the exit code as the ExitCode cause.
QJsonObject exitStatus(const QStringList &command, int exitCode);
// A Failure of reason InternalError, as apierrors.NewInternalError.
QJsonObject internalErrorStatus(const QString &message);

// Upgrades the exchange and runs the exec or attach; the session cleans up after itself when
// the command ends or the client goes away. A request that cannot be upgraded is answered as
// the kubelet answers it (400, 403).
void serveRemoteCommand(http::HttpExchange *exchange, const RemoteCommandTarget &target,
                        const RemoteCommandOptions &options, QObject *parent);

} // namespace timonel::kubelet
