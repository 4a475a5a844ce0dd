// The Kubernetes API over HTTPS, as kubectl speaks it: JSON over HTTP/1.1, TLS with the
// cluster's CA and a client certificate from a kubeconfig context, Status errors, streaming
// watches and pod logs. What the GUI, the CLI, node agents and GitOps use.
#pragma once

#include "client/apiclient.h"
#include "client/kubeconfigclient.h"

#include <QHash>
#include <QSslConfiguration>

#include <functional>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace timonel::client {

// The query of GET .../pods/<pod>/log.
struct LogQuery
{
    QString container; // "" for a pod with one container
    bool follow = false;
    bool previous = false; // the previous, terminated instance of the container
    bool timestamps = false;
    std::optional<qint64> tailLines;
    std::optional<qint64> sinceSeconds;
    std::optional<qint64> limitBytes;
};

// A pod's log being read. Destroying it stops reading (a followed log only ends when the
// container does); `done` is not called after that.
class LogStream : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
};

// The HTTP response of a request the typed calls do not cover.
struct RawResponse
{
    int code = 0;
    QByteArray contentType;
    QByteArray body;
};

// Callbacks, watches and log streams belong to the client: once it is destroyed, pending
// callbacks are not called and open streams end without a finished() or `done`.
class HttpsClient : public ApiClient
{
    Q_OBJECT
public:
    explicit HttpsClient(ClusterAccess access, QObject *parent = nullptr);
    ~HttpsClient() override;

    // The client for a context ("" = current-context) of a kubeconfig file ("" = $KUBECONFIG's
    // first file, else ~/.kube/config).
    static std::expected<std::unique_ptr<HttpsClient>, QString>
    fromKubeconfig(const QString &path = {}, const QString &context = {});

    const ClusterAccess &access() const { return m_access; }

    void get(const Resource &r, const QString &ns, const QString &name,
             Callback<QJsonObject> done) override;
    void list(const Resource &r, const QString &ns, const ListQuery &query,
              Callback<QJsonObject> done) override;
    void create(const Resource &r, const QString &ns, const QJsonObject &object,
                const WriteQuery &query, Callback<QJsonObject> done) override;
    void createSubresource(const Resource &r, const QString &ns, const QString &name,
                           const QString &subresource, const QJsonObject &object,
                           const WriteQuery &query, Callback<QJsonObject> done) override;
    void update(const Resource &r, const QString &ns, const QJsonObject &object,
                const QString &subresource, const WriteQuery &query,
                Callback<QJsonObject> done) override;
    void patch(const Resource &r, const QString &ns, const QString &name, PatchType type,
               const QByteArray &body, const QString &subresource, const WriteQuery &query,
               Callback<QJsonObject> done) override;
    void remove(const Resource &r, const QString &ns, const QString &name, const DeleteQuery &query,
                Callback<QJsonObject> done) override;
    // Always asks for bookmarks. finished() carries the Status of an ERROR event (410 when
    // the resourceVersion is too old) or the transport's error; an HTTP error answer is
    // reported as an ERROR event with its Status, then finished() with the error.
    std::unique_ptr<WatchHandle> watch(const Resource &r, const QString &ns,
                                       const ListQuery &query) override;
    // Aggregated discovery (/api and /apis), falling back to the per-group-version documents
    // for servers without it.
    void resources(Callback<QList<ServedResource>> done) override;

    // GET /version.
    void version(Callback<QJsonObject> done);

    // Reads a pod's log: `chunk` gets the text as it arrives, `done` the end (an error when the
    // server refused or the connection broke).
    std::unique_ptr<LogStream> logs(const QString &ns, const QString &pod, const LogQuery &query,
                                    std::function<void(const QByteArray &)> chunk,
                                    Callback<void> done);

    // Any request, e.g. a path the typed calls do not cover; `path` is percent-encoded and may
    // carry a query. HTTP error codes are responses here: only an unreachable server fails.
    void request(const QByteArray &method, const QString &path, const QByteArray &body,
                 const QByteArray &contentType, const QByteArray &accept,
                 Callback<RawResponse> done);

private:
    struct Target;
    QNetworkReply *send(QNetworkAccessManager *manager, const QByteArray &method,
                        const QByteArray &pathAndQuery, const QByteArray &body,
                        const QByteArray &contentType, const QByteArray &accept, bool streaming);
    void call(const QByteArray &method, const Target &target, const QByteArray &body,
              const QByteArray &contentType, Callback<QJsonObject> done);
    // Watches and logs hold their connection for long: they get managers of their own, so they
    // never take the connections short requests need (Qt opens six per host and manager).
    QNetworkAccessManager *streamManager();

    ClusterAccess m_access;
    QSslConfiguration m_tls;
    QNetworkAccessManager *m_manager;
    QHash<QNetworkAccessManager *, int> m_streamManagers; // manager -> open streams
};

} // namespace timonel::client
