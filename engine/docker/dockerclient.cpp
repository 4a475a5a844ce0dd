#include "dockerclient.h"

#include "multiplexedstream.h"

#include "core/canceltoken.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QUrl>
#include <QUrlQuery>

namespace timonel::docker {

namespace {
// This file's user-visible texts, translated in the "DockerClient" context.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(DockerClient)
};
} // namespace

namespace {

// The newest API version whose fields this client knows; older daemons get their own version.
constexpr int MaxMinor = 45;
constexpr int MinMinor = 41;

QString encoded(const QString &s)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(s));
}

// Image references go into paths as the docker CLI sends them: '/' and ':' as they are.
QString encodedReference(const QString &reference)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(reference, "/:@"));
}

QString jsonParam(const QJsonObject &o)
{
    return encoded(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)));
}

// "path?filters=..." (or "path&filters=..." when the path has a query already).
QString withFilters(const QString &path, const QJsonObject &filters)
{
    if (filters.isEmpty())
        return path;
    return path + (path.contains(QLatin1Char('?')) ? QLatin1Char('&') : QLatin1Char('?')) +
           QStringLiteral("filters=") + jsonParam(filters);
}

int minorOf(const QString &version)
{
    const QStringList parts = version.split(QLatin1Char('.'));
    return parts.size() == 2 && parts[0] == QLatin1String("1") ? parts[1].toInt() : -1;
}

// The shapes of answer the typed calls below want from the generic ones.
Result<QJsonObject> asObject(const Result<QJsonValue> &v)
{
    if (!v)
        return std::unexpected(v.error());
    return v->toObject();
}

Result<QJsonArray> asArray(const Result<QJsonValue> &v)
{
    if (!v)
        return std::unexpected(v.error());
    return v->toArray();
}

Result<QString> idOf(const Result<QJsonValue> &v)
{
    if (!v)
        return std::unexpected(v.error());
    return v->toObject().value(QLatin1String("Id")).toString();
}

// Success unless the daemon said otherwise; `alsoFine` is a status that means "already so".
Result<void> asDone(const Result<QByteArray> &r, int alsoFine = 0)
{
    if (!r && r.error().status != alsoFine)
        return std::unexpected(r.error());
    return {};
}

} // namespace

QJsonObject labelFilter(const QString &key, const QString &value)
{
    const QString term = value.isEmpty() ? key : key + QLatin1Char('=') + value;
    return QJsonObject{{QStringLiteral("label"), QJsonArray{term}}};
}

DockerClient::DockerClient(QString socketPath) : m_socketPath(std::move(socketPath)) {}

QString DockerClient::defaultSocketPath()
{
    const QString host = qEnvironmentVariable("DOCKER_HOST");
    if (host.startsWith(QLatin1String("unix://")))
        return host.mid(7);
    return QStringLiteral("/var/run/docker.sock");
}

Result<QString> DockerClient::apiVersion() const
{
    std::lock_guard lock(m_negotiated->mutex);
    if (!m_negotiated->version.isEmpty())
        return m_negotiated->version;
    DockerCall probe(m_socketPath, "GET", "/version");
    probe.start();
    probe.waitForFinished(30000, m_cancel);
    if (probe.error())
        return std::unexpected(*probe.error());
    const QJsonObject v = QJsonDocument::fromJson(probe.body()).object();
    const QString server = v.value(QLatin1String("ApiVersion")).toString();
    const int minor = minorOf(server);
    if (minor < MinMinor)
        return std::unexpected(DockerError{
            0, Tr::tr("Docker at %1 speaks API %2; Timonel needs 1.%3 or newer (Docker 20.10+)")
                   .arg(m_socketPath, server)
                   .arg(MinMinor)});
    m_negotiated->version = QStringLiteral("1.%1").arg(std::min(minor, MaxMinor));
    return m_negotiated->version;
}

std::unique_ptr<DockerCall> DockerClient::call(const QByteArray &method, const QString &path,
                                               DockerError *error) const
{
    const auto version = apiVersion();
    if (!version) {
        if (error)
            *error = version.error();
        return nullptr;
    }
    const QByteArray target = "/v" + version->toLatin1() + path.toUtf8();
    return std::make_unique<DockerCall>(m_socketPath, method, target);
}

Result<QByteArray> DockerClient::run(const QByteArray &method, const QString &path,
                                     const QByteArray &body, int timeoutMs) const
{
    DockerError error;
    auto c = call(method, path, &error);
    if (!c)
        return std::unexpected(error);
    if (!body.isEmpty() || method == "POST" || method == "PUT")
        c->setBody(body);
    c->start();
    c->waitForFinished(timeoutMs, m_cancel);
    if (c->error())
        return std::unexpected(*c->error());
    return c->body();
}

Result<QJsonValue> DockerClient::runJson(const QByteArray &method, const QString &path,
                                         const QJsonValue &body, int timeoutMs) const
{
    QByteArray payload;
    if (body.isObject())
        payload = QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
    else if (body.isArray())
        payload = QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact);
    auto raw = run(method, path, payload, timeoutMs);
    if (!raw)
        return std::unexpected(raw.error());
    if (raw->trimmed().isEmpty())
        return QJsonValue();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(*raw, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return std::unexpected(
            DockerError{0, Tr::tr("Docker answered %1 %2 with unreadable JSON: %3")
                               .arg(QString::fromLatin1(method), path, parseError.errorString())});
    return doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
}

Result<void> DockerClient::runStreaming(std::unique_ptr<DockerCall> c,
                                        const std::function<bool(const QByteArray &)> &onData,
                                        int timeoutMs) const
{
    c->setMode(DockerCall::Mode::Streaming);
    bool stoppedByCaller = false;
    DockerCall *raw = c.get();
    QObject::connect(raw, &DockerCall::data, raw, [&](const QByteArray &chunk) {
        if (!stoppedByCaller && !onData(chunk)) {
            stoppedByCaller = true;
            raw->abort(QStringLiteral("stopped"));
        }
    });
    c->start();
    const bool completed = c->waitForFinished(timeoutMs, m_cancel);
    if (stoppedByCaller)
        return {};
    if (!completed && !(m_cancel && m_cancel->isCancelled()) && timeoutMs >= 0)
        return {}; // the caller's time window ended: that is how a bounded follow ends
    if (c->error())
        return std::unexpected(*c->error());
    return {};
}

Result<void> DockerClient::ping() const
{
    DockerCall c(m_socketPath, "GET", "/_ping");
    c.start();
    c.waitForFinished(10000, m_cancel);
    if (c.error())
        return std::unexpected(*c.error());
    return {};
}

Result<QJsonObject> DockerClient::version() const
{
    return asObject(runJson("GET", QStringLiteral("/version")));
}

// --- containers --------------------------------------------------------------------------------

Result<QJsonArray> DockerClient::listContainers(const QJsonObject &filters, bool all) const
{
    const QString path =
        withFilters(QStringLiteral("/containers/json?all=%1").arg(all ? 1 : 0), filters);
    return asArray(runJson("GET", path));
}

Result<QString> DockerClient::createContainer(const QString &name, const QJsonObject &config) const
{
    QString path = QStringLiteral("/containers/create");
    if (!name.isEmpty())
        path += QStringLiteral("?name=") + encoded(name);
    return idOf(runJson("POST", path, config));
}

Result<QJsonObject> DockerClient::inspectContainer(const QString &id) const
{
    return asObject(runJson("GET", QStringLiteral("/containers/%1/json").arg(encoded(id))));
}

Result<void> DockerClient::startContainer(const QString &id) const
{
    return asDone(run("POST", QStringLiteral("/containers/%1/start").arg(encoded(id))),
                  304); // 304: already started
}

Result<void> DockerClient::stopContainer(const QString &id, int timeoutSeconds) const
{
    return asDone(
        run("POST", QStringLiteral("/containers/%1/stop?t=%2").arg(encoded(id)).arg(timeoutSeconds),
            {}, (timeoutSeconds + 60) * 1000),
        304); // 304: already stopped
}

Result<void> DockerClient::killContainer(const QString &id, const QString &signal) const
{
    return asDone(
        run("POST", QStringLiteral("/containers/%1/kill?signal=%2").arg(encoded(id), signal)));
}

Result<void> DockerClient::removeContainer(const QString &id, bool force, bool volumes) const
{
    return asDone(run("DELETE", QStringLiteral("/containers/%1?force=%2&v=%3")
                                    .arg(encoded(id))
                                    .arg(force ? 1 : 0)
                                    .arg(volumes ? 1 : 0)));
}

Result<int> DockerClient::waitContainer(const QString &id, const QString &condition) const
{
    auto v = runJson("POST",
                     QStringLiteral("/containers/%1/wait?condition=%2").arg(encoded(id), condition),
                     {}, -1);
    if (!v)
        return std::unexpected(v.error());
    return v->toObject().value(QLatin1String("StatusCode")).toInt();
}

Result<void> DockerClient::putArchive(const QString &id, const QString &directory,
                                      const QByteArray &tar) const
{
    DockerError error;
    auto c =
        call("PUT",
             QStringLiteral("/containers/%1/archive?path=%2").arg(encoded(id), encoded(directory)),
             &error);
    if (!c)
        return std::unexpected(error);
    c->setBody(tar, "application/x-tar");
    c->start();
    c->waitForFinished(120000, m_cancel);
    if (c->error())
        return std::unexpected(*c->error());
    return {};
}

Result<QByteArray> DockerClient::getArchive(const QString &id, const QString &path) const
{
    return run("GET",
               QStringLiteral("/containers/%1/archive?path=%2").arg(encoded(id), encoded(path)));
}

Result<QJsonObject> DockerClient::stats(const QString &id) const
{
    return asObject(
        runJson("GET", QStringLiteral("/containers/%1/stats?stream=false").arg(encoded(id))));
}

Result<ExecResult> DockerClient::exec(const QString &id, const QStringList &command,
                                      const QByteArray &stdinData) const
{
    const QJsonObject config{{QStringLiteral("AttachStdin"), !stdinData.isEmpty()},
                             {QStringLiteral("AttachStdout"), true},
                             {QStringLiteral("AttachStderr"), true},
                             {QStringLiteral("Tty"), false},
                             {QStringLiteral("Cmd"), QJsonArray::fromStringList(command)}};
    auto created = runJson("POST", QStringLiteral("/containers/%1/exec").arg(encoded(id)), config);
    if (!created)
        return std::unexpected(created.error());
    const QString execId = created->toObject().value(QLatin1String("Id")).toString();

    DockerError error;
    auto c = call("POST", QStringLiteral("/exec/%1/start").arg(execId), &error);
    if (!c)
        return std::unexpected(error);
    c->setBody(QJsonDocument(
                   QJsonObject{{QStringLiteral("Detach"), false}, {QStringLiteral("Tty"), false}})
                   .toJson(QJsonDocument::Compact));
    c->setHijack(true);
    ExecResult result;
    MultiplexedStreamDecoder decoder;
    DockerCall *raw = c.get();
    QObject::connect(raw, &DockerCall::responseStarted, raw, [&] {
        if (!stdinData.isEmpty() && raw->status() < 400) {
            raw->write(stdinData);
            raw->closeWrite();
        }
    });
    auto onData = [&](const QByteArray &chunk) {
        for (const auto &frame : decoder.feed(chunk))
            (frame.stream == 2 ? result.err : result.out).append(frame.payload);
        return true;
    };
    auto streamed = runStreaming(std::move(c), onData, -1);
    if (!streamed)
        return std::unexpected(streamed.error());
    auto inspected = runJson("GET", QStringLiteral("/exec/%1/json").arg(execId));
    if (!inspected)
        return std::unexpected(inspected.error());
    result.exitCode = inspected->toObject().value(QLatin1String("ExitCode")).toInt(-1);
    return result;
}

Result<void> DockerClient::logs(const QString &id, bool follow,
                                const std::function<bool(int, const QByteArray &)> &onData,
                                int timeoutMs, const QString &tail, bool timestamps) const
{
    DockerError error;
    auto c =
        call("GET",
             QStringLiteral("/containers/%1/logs?stdout=1&stderr=1&follow=%2&tail=%3&timestamps=%4")
                 .arg(encoded(id))
                 .arg(follow ? 1 : 0)
                 .arg(tail)
                 .arg(timestamps ? 1 : 0),
             &error);
    if (!c)
        return std::unexpected(error);
    // Containers with a TTY send raw output; the others Docker's multiplexed frames.
    auto inspected = inspectContainer(id);
    if (!inspected)
        return std::unexpected(inspected.error());
    const bool tty =
        inspected->value(QLatin1String("Config")).toObject().value(QLatin1String("Tty")).toBool();
    MultiplexedStreamDecoder decoder;
    return runStreaming(
        std::move(c),
        [&](const QByteArray &chunk) {
            if (tty)
                return onData(1, chunk);
            for (const auto &frame : decoder.feed(chunk)) {
                if (!onData(frame.stream, frame.payload))
                    return false;
            }
            return true;
        },
        timeoutMs);
}

// --- networks and volumes ----------------------------------------------------------------------

Result<QJsonArray> DockerClient::listNetworks(const QJsonObject &filters) const
{
    const QString path = withFilters(QStringLiteral("/networks"), filters);
    return asArray(runJson("GET", path));
}

Result<QString> DockerClient::createNetwork(const QJsonObject &config) const
{
    return idOf(runJson("POST", QStringLiteral("/networks/create"), config));
}

Result<QJsonObject> DockerClient::inspectNetwork(const QString &id) const
{
    return asObject(runJson("GET", QStringLiteral("/networks/%1").arg(encoded(id))));
}

Result<void> DockerClient::removeNetwork(const QString &id) const
{
    return asDone(run("DELETE", QStringLiteral("/networks/%1").arg(encoded(id))));
}

Result<QJsonArray> DockerClient::listVolumes(const QJsonObject &filters) const
{
    const QString path = withFilters(QStringLiteral("/volumes"), filters);
    auto v = asObject(runJson("GET", path));
    if (!v)
        return std::unexpected(v.error());
    return v->value(QLatin1String("Volumes")).toArray();
}

Result<QJsonObject> DockerClient::createVolume(const QString &name,
                                               const QMap<QString, QString> &labels) const
{
    QJsonObject l;
    for (auto it = labels.begin(); it != labels.end(); ++it)
        l.insert(it.key(), it.value());
    return asObject(
        runJson("POST", QStringLiteral("/volumes/create"),
                QJsonObject{{QStringLiteral("Name"), name}, {QStringLiteral("Labels"), l}}));
}

Result<void> DockerClient::removeVolume(const QString &name, bool force) const
{
    return asDone(run(
        "DELETE", QStringLiteral("/volumes/%1?force=%2").arg(encoded(name)).arg(force ? 1 : 0)));
}

// --- images ------------------------------------------------------------------------------------

Result<QJsonArray> DockerClient::listImages(const QJsonObject &filters) const
{
    const QString path = withFilters(QStringLiteral("/images/json"), filters);
    return asArray(runJson("GET", path));
}

Result<QJsonObject> DockerClient::inspectImage(const QString &reference) const
{
    return asObject(
        runJson("GET", QStringLiteral("/images/%1/json").arg(encodedReference(reference))));
}

Result<void> DockerClient::removeImage(const QString &reference, bool force) const
{
    return asDone(run(
        "DELETE",
        QStringLiteral("/images/%1?force=%2").arg(encodedReference(reference)).arg(force ? 1 : 0)));
}

Result<void> DockerClient::tagImage(const QString &source, const QString &repository,
                                    const QString &tag) const
{
    return asDone(
        run("POST", QStringLiteral("/images/%1/tag?repo=%2&tag=%3")
                        .arg(encodedReference(source), encoded(repository), encoded(tag))));
}

// Progress streams (import, pull) are JSON lines; an error arrives as a line with "error"
// after a 200 status, so every line is checked.
namespace {
struct JsonLines
{
    LineSplitter splitter;
    std::optional<DockerError> error;
    QJsonObject last;
    template <typename F> void feed(const QByteArray &chunk, F &&each)
    {
        for (const QByteArray &line : splitter.feed(chunk))
            take(line, each);
    }
    template <typename F> void finish(F &&each) { take(splitter.takeRest(), each); }
    template <typename F> void take(const QByteArray &line, F &&each)
    {
        if (line.trimmed().isEmpty())
            return;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.contains(QLatin1String("error")) && !error)
            error = DockerError{500, o.value(QLatin1String("error")).toString()};
        last = o;
        each(o);
    }
};
} // namespace

Result<QJsonObject>
DockerClient::streamJsonMessages(std::unique_ptr<DockerCall> c, int timeoutMs,
                                 const std::function<void(const QJsonObject &)> &each) const
{
    JsonLines lines;
    auto forward = [&](const QJsonObject &o) {
        if (each)
            each(o);
    };
    auto streamed = runStreaming(
        std::move(c),
        [&](const QByteArray &chunk) {
            lines.feed(chunk, forward);
            return true;
        },
        timeoutMs);
    lines.finish(forward);
    if (!streamed)
        return std::unexpected(streamed.error());
    if (lines.error)
        return std::unexpected(*lines.error);
    return lines.last;
}

Result<QString> DockerClient::importImage(QIODevice *tar, qint64 size, const QString &repository,
                                          const QString &tag, const QStringList &changes) const
{
    QString path = QStringLiteral("/images/create?fromSrc=-&repo=%1&tag=%2")
                       .arg(encoded(repository), encoded(tag));
    for (const QString &change : changes)
        path += QStringLiteral("&changes=") + encoded(change);
    DockerError error;
    auto c = call("POST", path, &error);
    if (!c)
        return std::unexpected(error);
    c->setUploadDevice(tar, size, "application/x-tar");
    auto last = streamJsonMessages(std::move(c), 600000, {});
    if (!last)
        return std::unexpected(last.error());
    return last->value(QLatin1String("status")).toString();
}

Result<void>
DockerClient::buildImage(QIODevice *context, qint64 size, const QString &tag,
                         const QString &dockerfile, const QMap<QString, QString> &buildArgs,
                         const std::function<void(const QJsonObject &)> &onProgress) const
{
    QJsonObject args;
    for (auto it = buildArgs.cbegin(); it != buildArgs.cend(); ++it)
        args.insert(it.key(), it.value());
    const QString path =
        QStringLiteral("/build?t=%1&dockerfile=%2&rm=1&forcerm=1&buildargs=%3")
            .arg(encoded(tag), encoded(dockerfile),
                 encoded(QString::fromUtf8(QJsonDocument(args).toJson(QJsonDocument::Compact))));
    DockerError error;
    auto c = call("POST", path, &error);
    if (!c)
        return std::unexpected(error);
    c->setUploadDevice(context, size, "application/x-tar");
    auto last = streamJsonMessages(std::move(c), 600000, onProgress);
    if (!last)
        return std::unexpected(last.error());
    return {};
}

Result<void>
DockerClient::pullImage(const QString &reference,
                        const std::function<void(const QJsonObject &)> &onProgress) const
{
    QString image = reference, tag = QStringLiteral("latest");
    const qsizetype colon = reference.lastIndexOf(QLatin1Char(':'));
    if (colon > reference.lastIndexOf(QLatin1Char('/'))) {
        image = reference.left(colon);
        tag = reference.mid(colon + 1);
    }
    DockerError error;
    auto c =
        call("POST",
             QStringLiteral("/images/create?fromImage=%1&tag=%2").arg(encoded(image), encoded(tag)),
             &error);
    if (!c)
        return std::unexpected(error);
    auto last = streamJsonMessages(std::move(c), -1, onProgress);
    if (!last)
        return std::unexpected(last.error());
    return {};
}

Result<void> DockerClient::events(const QJsonObject &filters,
                                  const std::function<bool(const QJsonObject &)> &onEvent,
                                  int timeoutMs, qint64 since) const
{
    const QString path = withFilters(since >= 0 ? QStringLiteral("/events?since=%1").arg(since)
                                                : QStringLiteral("/events"),
                                     filters);
    DockerError error;
    auto c = call("GET", path, &error);
    if (!c)
        return std::unexpected(error);
    JsonLines lines;
    bool keepGoing = true;
    return runStreaming(
        std::move(c),
        [&](const QByteArray &chunk) {
            lines.feed(chunk, [&](const QJsonObject &o) {
                if (keepGoing)
                    keepGoing = onEvent(o);
            });
            return keepGoing;
        },
        timeoutMs);
}

} // namespace timonel::docker
