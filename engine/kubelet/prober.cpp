// The probe runners, as the kubelet's prober and pkg/probe: exec (a command in the container
// through Docker, on a thread pool of its own), httpGet (the kubelet's HTTP client: same-host
// redirects, one timeout) and tcpSocket (a connection), with the kubelet's result messages.
// The workers that run them on a schedule are in probemanager.cpp.
#include "prober.h"

#include "prober_p.h"

#include "core/canceltoken.h"
#include "docker/httpresponseparser.h"

#include <QFuture>
#include <QFutureWatcher>
#include <QJsonArray>
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

} // namespace timonel::kubelet
