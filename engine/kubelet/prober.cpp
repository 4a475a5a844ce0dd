#include "prober.h"

#include "core/canceltoken.h"
#include "docker/httpresponseparser.h"

#include <QFuture>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QPointer>
#include <QPromise>
#include <QTcpSocket>
#include <QThreadPool>
#include <QTimer>
#include <QUrl>
#if QT_CONFIG(ssl)
#include <QSslSocket>
#endif

#include <algorithm>
#include <array>

using namespace Qt::StringLiterals;

namespace timonel::kubelet {

Q_LOGGING_CATEGORY(lcProber, "timonel.kubelet", QtInfoMsg)

namespace {

// What the kubelet keeps of a probe's output or an HTTP body (maxReadLength,
// maxRespBodyLength).
constexpr qsizetype maxOutput = 10 * 1024;
const QByteArray userAgent = "kube-probe/1.32";

// Exec probes block a thread on Docker for up to timeoutSeconds each: their own pool, so
// that they neither starve nor wait behind other work.
Q_GLOBAL_STATIC(QThreadPool, execPool)

QThreadPool *execThreads()
{
    static const bool configured = [] {
        execPool()->setMaxThreadCount(32);
        return true;
    }();
    Q_UNUSED(configured);
    return execPool();
}

struct ProbeSettings
{
    int initialDelaySeconds = 0;
    int periodSeconds = 10;
    int timeoutSeconds = 1;
    int successThreshold = 1;
    int failureThreshold = 3;
};

ProbeSettings settingsOf(const QJsonObject &probe)
{
    auto positive = [&](QStringView key, int fallback) {
        const int value = probe.value(key).toInt();
        return value > 0 ? value : fallback;
    };
    ProbeSettings s;
    s.initialDelaySeconds = std::max(0, probe.value(u"initialDelaySeconds").toInt());
    s.periodSeconds = positive(u"periodSeconds", 10);
    s.timeoutSeconds = positive(u"timeoutSeconds", 1);
    s.successThreshold = positive(u"successThreshold", 1);
    s.failureThreshold = positive(u"failureThreshold", 3);
    return s;
}

ProbeResult success(const QString &message = {})
{
    return {true, message, false, false};
}
ProbeResult failure(const QString &message)
{
    return {false, message, false, false};
}
ProbeResult errored(const QString &message)
{
    return {false, message, false, true};
}

// Go's net.JoinHostPort.
QString joinHostPort(const QString &host, int port)
{
    return (host.contains(u':') ? u'[' + host + u']' : host) + u':' + QString::number(port);
}

// probeutil.ResolveContainerPort: a number, a container port's name, or a number as text.
std::expected<int, QString> resolvePort(const QJsonValue &value, const QJsonObject &container)
{
    int port = -1;
    if (value.isDouble()) {
        port = value.toInt();
    } else {
        const QString name = value.toString();
        bool found = false;
        for (const QJsonValue &p : container.value(u"ports").toArray())
            if (!found && p.toObject().value(u"name").toString() == name) {
                port = p.toObject().value(u"containerPort").toInt();
                found = true;
            }
        bool number = true;
        if (!found)
            port = name.toInt(&number);
        if (!number)
            return std::unexpected(
                u"strconv.Atoi: parsing %1: invalid syntax"_s.arg(u'"' + name + u'"'));
    }
    if (port <= 0 || port >= 65536)
        return std::unexpected(u"invalid port number: %1"_s.arg(port));
    return port;
}

// How Go's dialer words a failed connection.
QString dialError(const QAbstractSocket &socket, const QString &host, const QString &address)
{
    switch (socket.error()) {
    case QAbstractSocket::ConnectionRefusedError:
        return u"dial tcp %1: connect: connection refused"_s.arg(address);
    case QAbstractSocket::HostNotFoundError:
        return u"dial tcp: lookup %1: no such host"_s.arg(host);
    case QAbstractSocket::NetworkError:
        return u"dial tcp %1: connect: %2"_s.arg(
            address, socket.errorString().contains(u"Host unreachable"_s, Qt::CaseInsensitive)
                         ? u"no route to host"_s
                         : u"network is unreachable"_s);
    case QAbstractSocket::RemoteHostClosedError:
        return u"EOF"_s;
    default:
        return u"dial tcp %1: %2"_s.arg(address, socket.errorString());
    }
}

// One run of a probe: a child of the caller's context, so that it goes (sockets, timers and
// all) when the context does; it reports once, through the context's event loop.
class ProbeRun : public QObject
{
public:
    ProbeRun(QObject *context, std::function<void(ProbeResult)> done)
        : QObject(context), m_context(context), m_done(std::move(done))
    {
        m_timer.setSingleShot(true);
    }

    void finish(const ProbeResult &result)
    {
        if (!m_done)
            return;
        QMetaObject::invokeMethod(
            m_context, [done = std::move(m_done), result] { done(result); }, Qt::QueuedConnection);
        m_done = nullptr;
        m_timer.stop();
        deleteLater();
    }

protected:
    QObject *m_context;
    std::function<void(ProbeResult)> m_done;
    QTimer m_timer; // the probe's timeoutSeconds
};

class TcpRun : public ProbeRun
{
public:
    TcpRun(QObject *context, std::function<void(ProbeResult)> done, const QString &host, int port,
           int timeoutMs)
        : ProbeRun(context, std::move(done)), m_host(host), m_address(joinHostPort(host, port))
    {
        connect(&m_socket, &QTcpSocket::connected, this, [this] {
            m_socket.abort();
            finish(success());
        });
        connect(&m_socket, &QTcpSocket::errorOccurred, this,
                [this] { finish(failure(dialError(m_socket, m_host, m_address))); });
        connect(&m_timer, &QTimer::timeout, this, [this] {
            m_socket.abort();
            finish(failure(u"dial tcp %1: i/o timeout"_s.arg(m_address)));
        });
        m_timer.start(timeoutMs);
        m_socket.connectToHost(host, quint16(port));
    }

private:
    QString m_host;
    QString m_address;
    QTcpSocket m_socket;
};

// An httpGet probe as the kubelet's HTTP client makes it: HTTP/1.1 without keep-alive,
// redirects followed on the same host only (up to 10), one timeout for the whole exchange.
class HttpGetRun : public ProbeRun
{
public:
    HttpGetRun(QObject *context, std::function<void(ProbeResult)> done, const QUrl &url,
               const QString &urlText, QList<std::pair<QByteArray, QByteArray>> headers,
               int timeoutMs)
        : ProbeRun(context, std::move(done)), m_headers(std::move(headers))
    {
        connect(&m_timer, &QTimer::timeout, this, &HttpGetRun::onTimeout);
        m_timer.start(timeoutMs);
        m_hostname = url.host();
        request(url, urlText);
    }

private:
    void request(const QUrl &url, const QString &urlText)
    {
        m_url = url;
        m_urlText = urlText;
        m_parser = docker::HttpResponseParser();
        m_received = false;
        m_body.clear();
        if (m_socket) {
            m_socket->disconnect(this);
            m_socket->abort();
            m_socket->deleteLater();
            m_socket = nullptr;
        }
        const bool tls = url.scheme() == u"https";
        const int port = url.port(tls ? 443 : 80);
        m_address = joinHostPort(url.host(), port);
        if (tls) {
#if QT_CONFIG(ssl)
            auto *socket = new QSslSocket(this);
            socket->setPeerVerifyMode(QSslSocket::VerifyNone); // as the kubelet: no verification
            connect(socket, &QSslSocket::encrypted, this, &HttpGetRun::sendRequest);
            connect(socket, &QSslSocket::sslErrors, socket,
                    [socket] { socket->ignoreSslErrors(); });
            m_socket = socket;
            socket->connectToHostEncrypted(url.host(), quint16(port));
#else
            finish(failure(u"Get \"%1\": TLS is not available"_s.arg(urlText)));
            return;
#endif
        } else {
            m_socket = new QTcpSocket(this);
            connect(m_socket, &QTcpSocket::connected, this, &HttpGetRun::sendRequest);
            m_socket->connectToHost(url.host(), quint16(port));
        }
        connect(m_socket, &QTcpSocket::readyRead, this, &HttpGetRun::onReadyRead);
        connect(m_socket, &QTcpSocket::errorOccurred, this, &HttpGetRun::onError);
    }

    void sendRequest()
    {
        QString target = m_url.path(QUrl::FullyEncoded);
        if (target.isEmpty())
            target = u"/"_s;
        if (m_url.hasQuery())
            target += u'?' + m_url.query(QUrl::FullyEncoded);
        QList<std::pair<QByteArray, QByteArray>> headers;
        QByteArray host = m_url.host(QUrl::FullyEncoded).toUtf8();
        if (host.contains(':'))
            host = '[' + host + ']';
        if (m_url.port() != -1)
            host += ':' + QByteArray::number(m_url.port());
        bool agent = false, accept = false;
        for (const auto &[name, value] : std::as_const(m_headers)) {
            if (name.compare("Host", Qt::CaseInsensitive) == 0) {
                host = value;
                continue;
            }
            agent |= name.compare("User-Agent", Qt::CaseInsensitive) == 0;
            accept |= name.compare("Accept", Qt::CaseInsensitive) == 0;
            headers.append({name, value});
        }
        headers.prepend({"Host"_ba, host});
        if (!agent)
            headers.append({"User-Agent"_ba, userAgent});
        if (!accept)
            headers.append({"Accept"_ba, "*/*"_ba});
        headers.append({"Connection"_ba, "close"_ba});
        m_socket->write(docker::buildRequest("GET", target.toUtf8(), headers, {}));
    }

    void onReadyRead()
    {
        const QByteArray data = m_socket->readAll();
        m_received |= !data.isEmpty();
        if (!m_parser.feed(data)) {
            finish(failure(u"Get \"%1\": net/http: HTTP/1.x transport connection broken: %2"_s.arg(
                m_urlText, m_parser.errorString())));
            return;
        }
        if (!m_parser.headersComplete())
            return;
        const int status = m_parser.statusCode();
        if (status < 300 || status >= 400) {
            m_socket->abort();
            finish(status >= 200 && status < 400
                       ? success()
                       : failure(u"HTTP probe failed with statuscode: %1"_s.arg(status)));
            return;
        }
        static constexpr std::array followed{301, 302, 303, 307, 308};
        const QByteArray location = m_parser.header("Location");
        if (std::ranges::contains(followed, status) && !location.isEmpty()) {
            const QUrl next = m_url.resolved(QUrl::fromEncoded(location));
            if (next.host().compare(m_hostname, Qt::CaseInsensitive) == 0) {
                const QString nextText = next.toString(QUrl::FullyEncoded);
                if (++m_redirects > 10) {
                    finish(failure(u"Get \"%1\": stopped after 10 redirects"_s.arg(nextText)));
                    return;
                }
                request(next, nextText);
                return;
            }
        }
        // A redirect the kubelet does not follow (another host) is a success with a warning.
        m_body += m_parser.takeBody();
        if (m_parser.isComplete() || m_body.size() >= maxOutput)
            finishRedirect();
    }

    void finishRedirect()
    {
        m_socket->abort();
        ProbeResult result = success(u"Probe terminated redirects, Response body: "_s +
                                     QString::fromUtf8(m_body.left(maxOutput)));
        result.warning = true;
        finish(result);
    }

    void onError()
    {
        if (m_socket->error() == QAbstractSocket::RemoteHostClosedError) {
            if (m_parser.headersComplete()) { // a redirect's body, read until the end
                m_parser.connectionClosed();
                m_body += m_parser.takeBody();
                finishRedirect();
                return;
            }
            finish(failure(
                u"Get \"%1\": %2"_s.arg(m_urlText, m_received ? u"unexpected EOF"_s : u"EOF"_s)));
            return;
        }
#if QT_CONFIG(ssl)
        if (m_socket->error() == QAbstractSocket::SslHandshakeFailedError) {
            finish(failure(
                u"Get \"%1\": remote error: tls: %2"_s.arg(m_urlText, m_socket->errorString())));
            return;
        }
#endif
        finish(failure(
            u"Get \"%1\": %2"_s.arg(m_urlText, dialError(*m_socket, m_url.host(), m_address))));
    }

    void onTimeout()
    {
        if (m_parser.headersComplete()) {
            finishRedirect();
            return;
        }
        m_socket->abort();
        finish(failure(
            u"Get \"%1\": context deadline exceeded (Client.Timeout exceeded while awaiting "
            "headers)"_s.arg(m_urlText)));
    }

    QList<std::pair<QByteArray, QByteArray>> m_headers;
    QString m_hostname; // redirects elsewhere are not followed
    QUrl m_url;
    QString m_urlText;
    QString m_address;
    QTcpSocket *m_socket = nullptr;
    docker::HttpResponseParser m_parser;
    QByteArray m_body;
    bool m_received = false;
    int m_redirects = 0;
};

class ExecRun : public ProbeRun
{
public:
    using Outcome = docker::Result<docker::ExecResult>;

    ExecRun(QObject *context, std::function<void(ProbeResult)> done,
            const docker::DockerClient &docker, const QString &containerId,
            const QStringList &command, int timeoutMs)
        : ProbeRun(context, std::move(done)), m_cancel(std::make_shared<core::CancelToken>())
    {
        auto promise = std::make_shared<QPromise<Outcome>>();
        m_watcher.setFuture(promise->future());
        connect(&m_watcher, &QFutureWatcherBase::finished, this, [this] {
            if (m_watcher.future().resultCount() == 0)
                return;
            const Outcome outcome = m_watcher.result();
            if (!outcome) {
                finish(errored(outcome.error().message));
                return;
            }
            // The kubelet's combined output: stdout, then stderr.
            const QString output = QString::fromUtf8((outcome->out + outcome->err).left(maxOutput));
            finish(outcome->exitCode == 0 ? success(output) : failure(output));
        });
        // Docker keeps running a command that outlives the probe; the kubelet reports it so.
        connect(&m_timer, &QTimer::timeout, this, [this, command] {
            m_cancel->cancel();
            finish(failure(u"command %1 timed out"_s.arg(u'"' + command.join(u' ') + u'"')));
        });
        m_timer.start(timeoutMs);
        promise->start();
        execThreads()->start([promise, docker, cancel = m_cancel, containerId, command] {
            docker::DockerClient client = docker;
            client.setCancelToken(cancel.get());
            promise->addResult(client.exec(containerId, command));
            promise->finish();
        });
    }

    ~ExecRun() override { m_cancel->cancel(); }

private:
    std::shared_ptr<core::CancelToken> m_cancel;
    QFutureWatcher<Outcome> m_watcher;
};

} // namespace

void runProbe(const docker::DockerClient &docker, ProbeType type, const QJsonObject &probe,
              const ProbeTarget &target, QObject *context, std::function<void(ProbeResult)> done)
{
    Q_UNUSED(type);
    const int timeoutMs = settingsOf(probe).timeoutSeconds * 1000;
    if (probe.contains(u"exec")) {
        QStringList command;
        for (const QJsonValue &v : probe.value(u"exec").toObject().value(u"command").toArray())
            command.append(v.toString());
        new ExecRun(context, std::move(done), docker, target.containerId, command, timeoutMs);
        return;
    }
    if (probe.contains(u"httpGet") || probe.contains(u"tcpSocket")) {
        const bool http = probe.contains(u"httpGet");
        const QJsonObject action = probe.value(http ? u"httpGet" : u"tcpSocket").toObject();
        auto port = resolvePort(action.value(u"port"), target.container);
        if (!port) {
            (new ProbeRun(context, std::move(done)))->finish(errored(port.error()));
            return;
        }
        QString host = action.value(u"host").toString();
        if (host.isEmpty())
            host = target.podIP;
        if (!http) {
            new TcpRun(context, std::move(done), host, *port, timeoutMs);
            return;
        }
        const QString scheme = action.value(u"scheme").toString(u"HTTP"_s).toLower();
        QString path = action.value(u"path").toString();
        if (path.isEmpty())
            path = u"/"_s;
        if (!path.startsWith(u'/'))
            path.prepend(u'/');
        const QString urlText = scheme + u"://"_s + joinHostPort(host, *port) + path;
        QList<std::pair<QByteArray, QByteArray>> headers;
        for (const QJsonValue &v : action.value(u"httpHeaders").toArray())
            headers.append({v.toObject().value(u"name").toString().toUtf8(),
                            v.toObject().value(u"value").toString().toUtf8()});
        new HttpGetRun(context, std::move(done), QUrl::fromEncoded(urlText.toUtf8()), urlText,
                       std::move(headers), timeoutMs);
        return;
    }
    const QString message = probe.contains(u"grpc")
                                ? u"grpc probes are not supported on Timonel nodes"_s
                                : u"missing probe handler for %1"_s.arg(target.containerName);
    (new ProbeRun(context, std::move(done)))->finish(errored(message));
}

// One probe of one container, on its own timer: the kubelet's prober worker.
class ProbeWorker : public QObject
{
public:
    ProbeWorker(ProbeManager *manager, const QString &podUid, const QString &containerName,
                ProbeType type, const QJsonObject &probe)
        : QObject(manager), m_manager(manager), m_podUid(podUid), m_containerName(containerName),
          m_type(type), m_probe(probe), m_settings(settingsOf(probe))
    {
        connect(&m_timer, &QTimer::timeout, this, &ProbeWorker::tick);
        m_timer.start(m_settings.initialDelaySeconds * 1000);
    }

    void stop()
    {
        m_stopped = true;
        m_timer.stop();
    }

    // Probes at once, unless still in its initial delay (startup just succeeded).
    void probeNow()
    {
        if (m_delayPassed)
            QTimer::singleShot(0, this, [this] { probe(); });
    }

private:
    void tick()
    {
        if (!m_delayPassed) {
            m_delayPassed = true;
            m_timer.start(m_settings.periodSeconds * 1000);
        }
        probe();
    }

    void probe();
    void onResult(const ProbeResult &result);

    ProbeManager *m_manager;
    QString m_podUid;
    QString m_containerName;
    ProbeType m_type;
    QJsonObject m_probe;
    ProbeSettings m_settings;
    QTimer m_timer;
    bool m_delayPassed = false;
    bool m_inFlight = false;
    bool m_stopped = false;
    // After a liveness or startup failure, until the container is replaced (a new worker).
    bool m_onHold = false;
    int m_lastResult = -1; // 1 success, 0 failure, -1 none yet
    int m_run = 0;         // how many times in a row
};

struct ProbeManager::ContainerProbes
{
    ProbeTarget target;
    bool started = false;
    bool ready = false;
    std::array<QPointer<ProbeWorker>, 3> workers; // by ProbeType

    ~ContainerProbes()
    {
        // Later: a worker may be the one whose signal led here.
        for (const QPointer<ProbeWorker> &w : workers)
            if (w) {
                w->stop();
                w->deleteLater();
            }
    }
};

void ProbeWorker::probe()
{
    if (m_stopped || m_inFlight || m_onHold)
        return;
    const ProbeManager::ContainerProbes *c = m_manager->find(m_podUid, m_containerName);
    if (!c)
        return;
    // Startup probes stop once the container started; the others wait for that.
    if (m_type == ProbeType::Startup ? c->started : !c->started)
        return;
    m_inFlight = true;
    runProbe(m_manager->m_docker, m_type, m_probe, c->target, this,
             [this](const ProbeResult &result) {
                 m_inFlight = false;
                 onResult(result);
             });
}

void ProbeWorker::onResult(const ProbeResult &result)
{
    ProbeManager::ContainerProbes *c = m_manager->find(m_podUid, m_containerName);
    if (m_stopped || !c)
        return;
    if (result.errored) {
        Q_EMIT m_manager->probeErrored(m_podUid, m_containerName, m_type, result.message);
        return;
    }
    const int outcome = result.success ? 1 : 0;
    if (outcome == m_lastResult) {
        ++m_run;
    } else {
        m_lastResult = outcome;
        m_run = 1;
    }
    const bool reached =
        m_run >= (result.success ? m_settings.successThreshold : m_settings.failureThreshold);
    bool changed = false;
    bool unhealthy = false;
    QPointer<ProbeWorker> readiness;
    if (reached) {
        switch (m_type) {
        case ProbeType::Readiness:
            changed = c->ready != result.success;
            c->ready = result.success;
            break;
        case ProbeType::Startup:
            unhealthy = !result.success;
            changed = result.success && !c->started;
            c->started = c->started || result.success;
            // The kubelet probes readiness as soon as the container counts as started.
            if (changed)
                readiness = c->workers[int(ProbeType::Readiness)];
            break;
        case ProbeType::Liveness:
            unhealthy = !result.success;
            break;
        }
        if (unhealthy) { // no more probes until the container is replaced
            m_onHold = true;
            m_run = 0;
        }
    }
    // Signals last: their slots may remove this container (the workers go later).
    ProbeManager *manager = m_manager;
    const QString uid = m_podUid, name = m_containerName;
    const ProbeType type = m_type;
    if (result.warning)
        Q_EMIT manager->probeWarning(uid, name, type, result.message);
    if (!result.success)
        Q_EMIT manager->probeFailed(uid, name, type, result.message);
    if (unhealthy)
        Q_EMIT manager->containerUnhealthy(uid, name, type);
    if (changed)
        Q_EMIT manager->resultChanged(uid, name);
    if (readiness)
        readiness->probeNow();
}

ProbeManager::ProbeManager(docker::DockerClient docker, QObject *parent)
    : QObject(parent), m_docker(std::move(docker))
{
}

ProbeManager::~ProbeManager()
{
    m_containers.clear();
}

ProbeManager::ContainerProbes *ProbeManager::find(const QString &podUid,
                                                  const QString &containerName) const
{
    const auto pod = m_containers.constFind(podUid);
    if (pod == m_containers.cend())
        return nullptr;
    const auto c = pod->constFind(containerName);
    return c == pod->cend() ? nullptr : c->get();
}

void ProbeManager::addContainer(const ProbeTarget &target)
{
    removeContainer(target.podUid, target.containerName);
    auto c = std::make_shared<ContainerProbes>();
    c->target = target;
    auto probeOf = [&](QStringView key) { return target.container.value(key).toObject(); };
    const std::array<std::pair<ProbeType, QJsonObject>, 3> probes{
        std::pair{ProbeType::Startup, probeOf(u"startupProbe")},
        std::pair{ProbeType::Liveness, probeOf(u"livenessProbe")},
        std::pair{ProbeType::Readiness, probeOf(u"readinessProbe")}};
    for (const auto &[type, probe] : probes)
        if (!probe.isEmpty())
            c->workers[int(type)] =
                new ProbeWorker(this, target.podUid, target.containerName, type, probe);
    c->started = !c->workers[int(ProbeType::Startup)];
    c->ready = !c->workers[int(ProbeType::Readiness)];
    m_containers[target.podUid].insert(target.containerName, c);
    qCDebug(lcProber) << "probing" << target.containerName << "of pod" << target.podUid;
    if (c->started) // not false any more, as it was before the container was added
        Q_EMIT resultChanged(target.podUid, target.containerName);
}

void ProbeManager::removeContainer(const QString &podUid, const QString &containerName)
{
    auto pod = m_containers.find(podUid);
    if (pod == m_containers.end())
        return;
    pod->remove(containerName);
    if (pod->isEmpty())
        m_containers.erase(pod);
}

void ProbeManager::removePod(const QString &podUid)
{
    m_containers.remove(podUid);
}

bool ProbeManager::isReady(const QString &podUid, const QString &containerName) const
{
    const ContainerProbes *c = find(podUid, containerName);
    return c && c->started && c->ready;
}

bool ProbeManager::isStarted(const QString &podUid, const QString &containerName) const
{
    const ContainerProbes *c = find(podUid, containerName);
    return c && c->started;
}

} // namespace timonel::kubelet
