#pragma once

#include "dockercall.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QString>

#include <expected>
#include <functional>
#include <memory>
#include <mutex>

namespace timonel::docker {

template <typename T> using Result = std::expected<T, DockerError>;

// Label filters as the daemon takes them: {"label": ["io.timonel.cluster=dev"]}.
QJsonObject labelFilter(const QString &key, const QString &value = {});

struct ExecResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// The Docker Engine API over its unix socket, with the daemon's API version negotiated on first
// use (1.41 and newer). The synchronous methods block the calling thread in a local event loop
// and are meant for worker threads and command-line use; asynchronous users (the node agent, the
// GUI) create calls with call() and connect to their signals. A client holds no connection:
// copies are cheap and every call opens its own.
class DockerClient
{
public:
    explicit DockerClient(QString socketPath = defaultSocketPath());

    // $DOCKER_HOST when it names a unix socket, else /var/run/docker.sock.
    static QString defaultSocketPath();
    QString socketPath() const { return m_socketPath; }

    void setCancelToken(const core::CancelToken *cancel) { m_cancel = cancel; }

    // A call on an API path such as "/containers/json?all=1", versioned for this daemon.
    // Returns nullptr with `error` set if the version could not be negotiated.
    std::unique_ptr<DockerCall> call(const QByteArray &method, const QString &path,
                                     DockerError *error = nullptr) const;

    Result<void> ping() const;
    Result<QJsonObject> version() const;
    Result<QString> apiVersion() const;

    // Containers
    Result<QJsonArray> listContainers(const QJsonObject &filters = {}, bool all = true) const;
    Result<QString> createContainer(const QString &name, const QJsonObject &config) const;
    Result<QJsonObject> inspectContainer(const QString &id) const;
    Result<void> startContainer(const QString &id) const;
    Result<void> stopContainer(const QString &id, int timeoutSeconds = 10) const;
    Result<void> killContainer(const QString &id,
                               const QString &signal = QStringLiteral("SIGKILL")) const;
    Result<void> removeContainer(const QString &id, bool force = true, bool volumes = false) const;
    Result<int> waitContainer(const QString &id,
                              const QString &condition = QStringLiteral("not-running")) const;
    Result<void> putArchive(const QString &id, const QString &directory,
                            const QByteArray &tar) const;
    Result<QByteArray> getArchive(const QString &id, const QString &path) const;
    Result<QJsonObject> stats(const QString &id) const;
    // Runs a command in a running container and collects its output and exit code.
    Result<ExecResult> exec(const QString &id, const QStringList &command,
                            const QByteArray &stdinData = {}) const;
    // Container output, demultiplexed (stream 1 stdout, 2 stderr). With follow, `onData` is
    // called as output arrives and returns false to stop; the call ends when the container stops.
    Result<void> logs(const QString &id, bool follow,
                      const std::function<bool(int stream, const QByteArray &data)> &onData,
                      int timeoutMs = -1, const QString &tail = QStringLiteral("all"),
                      bool timestamps = false) const;

    // Networks and volumes
    Result<QJsonArray> listNetworks(const QJsonObject &filters = {}) const;
    Result<QString> createNetwork(const QJsonObject &config) const;
    Result<QJsonObject> inspectNetwork(const QString &id) const;
    Result<void> removeNetwork(const QString &id) const;
    Result<QJsonArray> listVolumes(const QJsonObject &filters = {}) const;
    Result<QJsonObject> createVolume(const QString &name,
                                     const QMap<QString, QString> &labels) const;
    Result<void> removeVolume(const QString &name, bool force = true) const;

    // Images
    Result<QJsonArray> listImages(const QJsonObject &filters = {}) const;
    Result<QJsonObject> inspectImage(const QString &reference) const;
    Result<void> removeImage(const QString &reference, bool force = false) const;
    Result<void> tagImage(const QString &source, const QString &repository,
                          const QString &tag) const;
    // Imports a root filesystem tar as an image, with Dockerfile-like changes ("ENV A=b", "CMD
    // [...]").
    Result<QString> importImage(QIODevice *tar, qint64 size, const QString &repository,
                                const QString &tag, const QStringList &changes = {}) const;
    // Builds an image from a build context (a tar holding the Dockerfile at `dockerfile`), tagged
    // `tag`, with build arguments; each output line ({"stream": ...}) goes to onProgress.
    Result<void> buildImage(QIODevice *context, qint64 size, const QString &tag,
                            const QString &dockerfile = QStringLiteral("Dockerfile"),
                            const QMap<QString, QString> &buildArgs = {},
                            const std::function<void(const QJsonObject &)> &onProgress = {}) const;
    // Pulls an image, reporting each progress message ({"status":..., "progress":...}).
    Result<void> pullImage(const QString &reference,
                           const std::function<void(const QJsonObject &)> &onProgress = {}) const;

    // Daemon events ({"Type":"container","Action":"start",...}) until onEvent returns false or
    // timeoutMs passes (then the result is success). With `since` (Unix seconds) past events
    // are replayed first.
    Result<void> events(const QJsonObject &filters,
                        const std::function<bool(const QJsonObject &)> &onEvent, int timeoutMs,
                        qint64 since = -1) const;

private:
    Result<QByteArray> run(const QByteArray &method, const QString &path,
                           const QByteArray &body = {}, int timeoutMs = 120000) const;
    Result<QJsonValue> runJson(const QByteArray &method, const QString &path,
                               const QJsonValue &body = {}, int timeoutMs = 120000) const;
    Result<void> runStreaming(std::unique_ptr<DockerCall> call,
                              const std::function<bool(const QByteArray &)> &onData,
                              int timeoutMs) const;
    // A stream of JSON messages ({"status"|"stream"|"error": ...}), one per line, as the image
    // calls answer: each goes to `each`; the last one comes back, or the first error message.
    Result<QJsonObject>
    streamJsonMessages(std::unique_ptr<DockerCall> c, int timeoutMs,
                       const std::function<void(const QJsonObject &)> &each) const;

    QString m_socketPath;
    const core::CancelToken *m_cancel = nullptr;
    // Negotiated lazily, once, and shared by copies of this client (which may live on other
    // threads).
    struct Negotiated
    {
        std::mutex mutex;
        QString version;
    };
    std::shared_ptr<Negotiated> m_negotiated = std::make_shared<Negotiated>();
};

} // namespace timonel::docker
