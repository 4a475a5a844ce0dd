#include "kubeletserver.h"

#include "containerlogs.h"
#include "containerstream.h"
#include "portforward.h"
#include "remotecommand.h"
#include "resourcestats.h"
#include "runtimelabels.h"

#include "http/httpserver.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QPointer>
#include <QSslConfiguration>
#include <QSslKey>
#include <QUrl>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace timonel::kubelet {

Q_LOGGING_CATEGORY(lcKubeletServer, "timonel.kubelet", QtInfoMsg)

namespace {

void respondText(http::HttpExchange *exchange, int status, const QString &text)
{
    exchange->respond(status, {{"Content-Type", "text/plain; charset=utf-8"}}, text.toUtf8());
}

std::expected<QByteArray, QString> readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::unexpected(u"cannot read %1: %2"_s.arg(path, file.errorString()));
    return file.readAll();
}

QString label(const QJsonObject &labels, QLatin1StringView key)
{
    return labels.value(key).toString();
}

} // namespace

KubeletServer::KubeletServer(KubeletServerOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
}

KubeletServer::~KubeletServer()
{
    stop();
}

std::expected<void, QString> KubeletServer::start()
{
    m_http = std::make_unique<http::HttpServer>([this](http::HttpExchange *e) { handle(e); });
    // Streams live long: the server's idle timeout applies between requests only.
    if (m_options.plainHttp)
        return m_http->listenPlain(m_options.address, m_options.port);
    auto certificate = readFile(m_options.certificateFile);
    auto key = readFile(m_options.keyFile);
    auto ca = readFile(m_options.clientCaFile);
    for (const auto *file : {&certificate, &key, &ca}) {
        if (!*file)
            return std::unexpected(file->error());
    }
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(QSslCertificate::fromData(*certificate, QSsl::Pem));
    QSslKey privateKey(*key, QSsl::Ec, QSsl::Pem);
    if (privateKey.isNull())
        privateKey = QSslKey(*key, QSsl::Rsa, QSsl::Pem);
    tls.setPrivateKey(privateKey);
    tls.setCaCertificates(QSslCertificate::fromData(*ca, QSsl::Pem));
    // Anonymous clients get the kubelet's 401 rather than a failed handshake.
    tls.setPeerVerifyMode(QSslSocket::QueryPeer);
    if (tls.localCertificate().isNull() || tls.privateKey().isNull())
        return std::unexpected(u"the node agent's serving certificate or key is unreadable"_s);
    auto listening = m_http->listen(m_options.address, m_options.port, tls);
    if (listening)
        qCInfo(lcKubeletServer) << "serving logs, exec and port-forward on port" << port();
    return listening;
}

void KubeletServer::stop()
{
    if (m_http)
        m_http->close();
}

quint16 KubeletServer::port() const
{
    return m_http ? m_http->port() : 0;
}

void KubeletServer::handle(http::HttpExchange *exchange)
{
    const http::HttpRequest &request = exchange->request();
    if (!m_options.plainHttp && request.clientCertificate.isNull())
        return respondText(exchange, 401, u"Unauthorized"_s);
    const QStringList parts = request.path.split(u'/', Qt::SkipEmptyParts);
    const QString root = parts.value(0);
    const bool get = request.method == "GET";
    const bool getOrPost = get || request.method == "POST";
    if (root == u"containerLogs" && parts.size() == 4) {
        if (!get)
            return respondText(exchange, 405, u"405: Method Not Allowed"_s);
        return serveLogs(exchange, parts[1], parts[2], parts[3]);
    }
    if ((root == u"exec" || root == u"attach") && (parts.size() == 4 || parts.size() == 5)) {
        if (!getOrPost)
            return respondText(exchange, 405, u"405: Method Not Allowed"_s);
        return serveRemoteCommand(exchange, parts[1], parts[2],
                                  parts.size() == 5 ? parts[3] : QString(), parts.last(),
                                  root == u"attach");
    }
    if (root == u"portForward" && (parts.size() == 3 || parts.size() == 4)) {
        if (!getOrPost)
            return respondText(exchange, 405, u"405: Method Not Allowed"_s);
        return servePortForward(exchange, parts[1], parts[2], parts.value(3));
    }
    if (request.path == u"/metrics/resource" && m_options.resourceStats) {
        if (!get)
            return respondText(exchange, 405, u"405: Method Not Allowed"_s);
        return exchange->respond(200, {{"Content-Type", resourceMetricsContentType}},
                                 resourceMetricsText(m_options.resourceStats->stats()));
    }
    respondText(exchange, 404, u"404 page not found\n"_s);
}

void KubeletServer::findPod(http::HttpExchange *exchange, const QString &ns, const QString &name,
                            PodCallback done)
{
    QJsonArray terms{u"%1=%2"_s.arg(labels::podNamespace, ns),
                     u"%1=%2"_s.arg(labels::podName, name)};
    if (!m_options.nodeName.isEmpty())
        terms.append(u"%1=%2"_s.arg(labels::node, m_options.nodeName));
    const QByteArray filters =
        QJsonDocument(QJsonObject{{u"label"_s, terms}}).toJson(QJsonDocument::Compact);
    const QString path = u"/containers/json?all=1&filters="_s +
                         QString::fromLatin1(QUrl::toPercentEncoding(QString::fromUtf8(filters)));
    QPointer<http::HttpExchange> guard(exchange);
    callDocker(m_options.docker.socketPath(), "GET", path, {}, exchange,
               [guard, done = std::move(done)](const docker::DockerCall &call) {
                   if (!guard || guard->isFinished())
                       return;
                   if (call.error())
                       return respondText(guard, 500, call.error()->message);
                   // The newest sandbox names the pod: a deleted pod's containers may linger.
                   const QJsonArray listed = QJsonDocument::fromJson(call.body()).array();
                   PodContainers pod;
                   qint64 newest = -1;
                   for (const QJsonValue &v : listed) {
                       const QJsonObject c = v.toObject();
                       const QJsonObject l = c.value(u"Labels").toObject();
                       if (label(l, labels::containerType) == labels::sandboxType &&
                           c.value(u"Created").toInteger() > newest) {
                           newest = c.value(u"Created").toInteger();
                           pod.uid = label(l, labels::podUid);
                           pod.sandboxId = c.value(u"Id").toString();
                           pod.podIp = label(l, labels::podIP);
                           pod.sandboxRunning = c.value(u"State").toString() == u"running";
                       }
                   }
                   for (const QJsonValue &v : listed) {
                       const QJsonObject c = v.toObject();
                       const QJsonObject l = c.value(u"Labels").toObject();
                       pod.exists = true;
                       if (label(l, labels::containerType) != labels::containerTypeValue ||
                           (newest >= 0 && label(l, labels::podUid) != pod.uid))
                           continue;
                       pod.containers[label(l, labels::containerName)].append(
                           {c.value(u"Id").toString(), label(l, labels::restartCount).toInt(),
                            c.value(u"State").toString() == u"running"});
                   }
                   for (auto &instances : pod.containers)
                       std::sort(instances.begin(), instances.end(),
                                 [](const Instance &a, const Instance &b) {
                                     return a.restartCount > b.restartCount;
                                 });
                   done(pod);
               });
}

void KubeletServer::serveLogs(http::HttpExchange *exchange, const QString &ns, const QString &pod,
                              const QString &container)
{
    auto options = parseLogOptions(exchange->request().query);
    if (!options)
        return exchange->respond(options.error().status,
                                 {{"Content-Type", "text/plain; charset=utf-8"}},
                                 options.error().body);
    findPod(exchange, ns, pod,
            [this, exchange, ns, pod, container, options = *options](const PodContainers &found) {
                if (!found.exists)
                    return respondText(exchange, 404, u"pod \"%1\" does not exist"_s.arg(pod));
                const QList<Instance> instances = found.containers.value(container);
                // The newest instance is the current one; the node agent keeps one exited instance
                // before it, which is what --previous shows.
                if (instances.isEmpty())
                    return respondText(exchange, 400,
                                       u"container \"%1\" in pod \"%2\" is waiting to start: "
                                       "ContainerCreating"_s.arg(container, pod));
                if (options.previous && instances.size() < 2)
                    return respondText(
                        exchange, 400,
                        u"previous terminated container \"%1\" in pod \"%2\" not found"_s.arg(
                            container, pod));
                const QString id = instances.at(options.previous ? 1 : 0).id;
                // Whether the output is multiplexed depends on the container's TTY.
                const QString socket = m_options.docker.socketPath();
                callDocker(socket, "GET", u"/containers/%1/json"_s.arg(id), {}, exchange,
                           [this, exchange, socket, id, options](const docker::DockerCall &call) {
                               if (call.error())
                                   return respondText(exchange, 400, call.error()->message);
                               const bool tty = QJsonDocument::fromJson(call.body())
                                                    .object()
                                                    .value(u"Config")
                                                    .toObject()
                                                    .value(u"Tty")
                                                    .toBool();
                               streamContainerLogs(exchange, socket, id, tty, options, this);
                           });
            });
}

void KubeletServer::serveRemoteCommand(http::HttpExchange *exchange, const QString &ns,
                                       const QString &pod, const QString &uid,
                                       const QString &container, bool attach)
{
    auto options = remoteCommandOptions(exchange->request().query);
    if (!options)
        return respondText(exchange, 400, options.error());
    findPod(
        exchange, ns, pod,
        [this, exchange, pod, ns, uid, container, attach,
         options = *options](const PodContainers &found) {
            if (!found.exists || (!uid.isEmpty() && uid != found.uid))
                return respondText(exchange, 404, u"pod does not exist"_s);
            QString id;
            for (const Instance &instance : found.containers.value(container)) {
                if (instance.running) {
                    id = instance.id;
                    break;
                }
            }
            if (id.isEmpty())
                return respondText(
                    exchange, 500,
                    attach ? u"container %1 not found in pod %2_%3"_s.arg(container, pod, ns)
                           : u"container not found (\"%1\")"_s.arg(container));
            RemoteCommandTarget target;
            target.dockerSocket = m_options.docker.socketPath();
            target.containerId = id;
            target.attach = attach;
            if (!attach) {
                target.command =
                    exchange->request().query.allQueryItemValues(u"command"_s, QUrl::FullyDecoded);
                return kubelet::serveRemoteCommand(exchange, target, options, this);
            }
            // attach shows the container's own output: raw when it runs with a TTY.
            callDocker(target.dockerSocket, "GET", u"/containers/%1/json"_s.arg(id), {}, exchange,
                       [this, exchange, target, options](const docker::DockerCall &call) mutable {
                           if (call.error())
                               return respondText(exchange, 500, call.error()->message);
                           target.containerTty = QJsonDocument::fromJson(call.body())
                                                     .object()
                                                     .value(u"Config")
                                                     .toObject()
                                                     .value(u"Tty")
                                                     .toBool();
                           kubelet::serveRemoteCommand(exchange, target, options, this);
                       });
        });
}

void KubeletServer::servePortForward(http::HttpExchange *exchange, const QString &ns,
                                     const QString &pod, const QString &uid)
{
    findPod(exchange, ns, pod, [this, exchange, ns, pod, uid](const PodContainers &found) {
        if (!found.exists)
            return respondText(exchange, 404, u"pod does not exist"_s);
        if (!uid.isEmpty() && uid != found.uid)
            return respondText(exchange, 404, u"pod not found"_s);
        if (!found.sandboxRunning)
            return respondText(exchange, 500, u"pod not found (\"%1_%2\")"_s.arg(pod, ns));
        // hostNetwork pods have no address of their own: they share the node's.
        const QString ip = found.podIp.isEmpty() ? u"127.0.0.1"_s : found.podIp;
        kubelet::servePortForward(exchange, {ip, found.sandboxId}, this);
    });
}

} // namespace timonel::kubelet
