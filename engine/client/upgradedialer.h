// An HTTP/1.1 connection upgrade to the Kubernetes API, as exec, attach and port-forward need
// them and QNetworkAccessManager does not do them: a socket of its own with the kubeconfig's TLS
// settings and credentials, the request written by hand, the answer's head read, and the socket
// handed over after a 101 (for WebSocket or SPDY frames), or the error answer turned into an
// Error with the server's Status.
#pragma once

#include "client/apiclient.h"
#include "client/kubeconfigclient.h"

#include <QByteArray>
#include <QList>

#include <functional>

class QObject;
class QTcpSocket;

namespace timonel::client {

struct Upgraded
{
    QTcpSocket *socket = nullptr; // the caller's, unparented; what follows the 101 is unread in it
    QByteArray protocol;          // the subprotocol the server chose
};

// GET with "Upgrade: websocket", offering `protocols` in order of preference
// (Sec-WebSocket-Protocol). `pathAndQuery` is percent-encoded and starts at the API root
// ("/api/v1/namespaces/x/pods/y/exec?..."). `done` is called once, from the event loop, unless
// `context` is destroyed first (the attempt then ends with it).
void dialWebSocket(const ClusterAccess &access, const QByteArray &pathAndQuery,
                   const QList<QByteArray> &protocols, QObject *context,
                   std::function<void(Result<Upgraded>)> done);

// POST with "Upgrade: SPDY/3.1", offering `protocols` as X-Stream-Protocol-Version.
void dialSpdy(const ClusterAccess &access, const QByteArray &pathAndQuery,
              const QList<QByteArray> &protocols, QObject *context,
              std::function<void(Result<Upgraded>)> done);

} // namespace timonel::client
