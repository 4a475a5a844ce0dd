// The client side of the API server benchmark: a minimal keep-alive HTTPS/1.1 client, a
// `timonel-node apiserver` process, and a load driver that times requests and the CPU the
// server spends on them.
#pragma once

#include <QByteArray>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace timonel::bench {

using namespace Qt::StringLiterals;

// One clock for the whole run, so that times taken in different callbacks compare.
inline qint64 nowNs()
{
    static const QElapsedTimer clock = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return clock.nsecsElapsed();
}

inline double msSince(qint64 startNs)
{
    return (nowNs() - startNs) / 1e6;
}

// Nearest-rank percentile.
inline double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype rank = qsizetype(std::ceil(p * values.size()));
    return values[std::clamp<qsizetype>(rank - 1, 0, values.size() - 1)];
}

// Runs the event loop until `done` holds or the time is up.
inline bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QTimer guard;
    guard.setSingleShot(true);
    guard.start(timeoutMs);
    while (!done()) {
        if (!guard.isActive())
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

// The metadata.resourceVersion of one object (not a list) as compact JSON: found by search rather
// than parsed, so that 50,000 watch events cost the client little next to the server.
inline qint64 resourceVersionIn(QByteArrayView json)
{
    constexpr QByteArrayView key = "\"resourceVersion\":\"";
    const qsizetype at = json.indexOf(key);
    if (at < 0)
        return 0;
    const QByteArrayView rest = json.sliced(at + key.size());
    return rest.first(std::max<qsizetype>(rest.indexOf('"'), 0)).toLongLong();
}

inline qint64 statusKb(qint64 pid, QByteArrayView field)
{
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith(field) && line.at(field.size()) == ':')
            return line.mid(field.size() + 1).trimmed().split(' ').value(0).toLongLong();
    return 0;
}

// CPU time (user + system) a process has used so far, in milliseconds.
inline double cpuMs(qint64 pid)
{
    QFile stat(u"/proc/%1/stat"_s.arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray line = stat.readAll();
    // Fields after the parenthesized command name, which may hold spaces: utime is the 14th.
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    return (fields.value(11).toLongLong() + fields.value(12).toLongLong()) * 1000.0 /
           sysconf(_SC_CLK_TCK);
}

// The raw rate of durable appends to `directory`'s disk: what bounds a storage that commits
// with fsync (SQLite in WAL mode, synchronous=FULL), one commit at a time.
inline double fsyncsPerSecond(const QString &directory)
{
    const QByteArray path = QFile::encodeName(directory + u"/fsync-probe"_s);
    const int fd = ::open(path.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return 0;
    const QByteArray page(4096, 'x');
    const qint64 start = nowNs();
    int syncs = 0;
    while (syncs < 2000 && nowNs() - start < 1'000'000'000) {
        if (::write(fd, page.constData(), page.size()) != page.size() || ::fdatasync(fd) != 0)
            break;
        ++syncs;
    }
    const double seconds = (nowNs() - start) / 1e9;
    ::close(fd);
    ::unlink(path.constData());
    return syncs / seconds;
}

struct Response
{
    int status = 0;
    QByteArray body;
};

struct Request
{
    QByteArray method = "GET";
    QByteArray target;
    QByteArray body;
    QByteArray contentType = "application/json";
    QByteArray accept = "application/json";
};

// One keep-alive HTTPS connection, one request at a time: a minimal HTTP/1.1 client, so that
// the client's own overhead stays small and each connection is exactly one server connection.
class Connection : public QObject
{
public:
    using Done = std::function<void(const Response &)>;

    Connection(const QSslConfiguration &tls, quint16 port)
    {
        m_socket.setSslConfiguration(tls);
        connect(&m_socket, &QSslSocket::readyRead, this, &Connection::onReadyRead);
        connect(&m_socket, &QAbstractSocket::errorOccurred, this, [this] {
            m_error = m_socket.errorString();
            // A request in flight fails at once rather than at its caller's deadline.
            if (m_done)
                finish({0, "connection lost: " + m_error.toUtf8()});
        });
        connect(&m_socket, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            m_error = errors.value(0).errorString();
        });
        m_socket.connectToHostEncrypted(u"127.0.0.1"_s, port);
    }

    bool isReady() const { return m_socket.isEncrypted(); }
    QString error() const { return m_error; }

    void send(const Request &r, Done done)
    {
        m_done = std::move(done);
        m_onHead = {};
        m_onLine = {};
        write(r);
    }

    // A request whose chunked body arrives line by line for as long as the server streams it.
    void stream(const Request &r, std::function<void(int)> onHead,
                std::function<void(QByteArrayView)> onLine)
    {
        m_done = {};
        m_onHead = std::move(onHead);
        m_onLine = std::move(onLine);
        write(r);
    }

    // Nothing is called back any more: the callers' state may be gone.
    void abort()
    {
        m_done = {};
        m_onHead = {};
        m_onLine = {};
        m_socket.abort();
    }

private:
    enum class Phase
    {
        Head,
        Body,
        Chunked
    };

    void write(const Request &r)
    {
        QByteArray out =
            r.method + ' ' + r.target +
            " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: timonel-bench\r\nAccept: " + r.accept +
            "\r\n";
        if (r.method != "GET")
            out += "Content-Type: " + r.contentType +
                   "\r\nContent-Length: " + QByteArray::number(r.body.size()) + "\r\n";
        out += "\r\n" + r.body;
        m_socket.write(out);
    }

    void onReadyRead()
    {
        if (m_pos > 0) {
            m_in.remove(0, m_pos);
            m_pos = 0;
        }
        m_in.append(m_socket.readAll());
        for (;;) {
            if (m_phase == Phase::Head) {
                const qsizetype end = m_in.indexOf("\r\n\r\n", m_pos);
                if (end < 0)
                    return;
                const QList<QByteArray> lines = m_in.mid(m_pos, end - m_pos).split('\n');
                m_status = lines.value(0).mid(9, 3).toInt();
                m_length = 0;
                bool chunked = false;
                for (const QByteArray &line : lines) {
                    const QByteArray lower = line.trimmed().toLower();
                    if (lower.startsWith("content-length:"))
                        m_length = lower.mid(15).trimmed().toLongLong();
                    else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked"))
                        chunked = true;
                }
                m_pos = end + 4;
                m_body.clear();
                m_phase = chunked ? Phase::Chunked : Phase::Body;
                if (m_onHead)
                    m_onHead(m_status);
            }
            if (m_phase == Phase::Body) {
                if (m_in.size() - m_pos < m_length)
                    return;
                const QByteArray body = m_in.mid(m_pos, m_length);
                m_pos += m_length;
                finish({m_status, body});
                continue;
            }
            const qsizetype eol = m_in.indexOf("\r\n", m_pos);
            if (eol < 0)
                return;
            QByteArrayView sizeField = QByteArrayView(m_in).sliced(m_pos, eol - m_pos);
            if (const qsizetype semicolon = sizeField.indexOf(';'); semicolon >= 0)
                sizeField = sizeField.first(semicolon);
            const qint64 size = sizeField.trimmed().toLongLong(nullptr, 16);
            if (m_in.size() < eol + 2 + size + 2)
                return;
            const QByteArrayView data = QByteArrayView(m_in).sliced(eol + 2, size);
            m_pos = eol + 2 + size + 2;
            if (size == 0) {
                finish({m_status, m_body});
            } else if (m_onLine) {
                m_line.append(data);
                qsizetype from = 0;
                for (qsizetype nl; (nl = m_line.indexOf('\n', from)) >= 0; from = nl + 1)
                    m_onLine(QByteArrayView(m_line).sliced(from, nl - from));
                m_line.remove(0, from);
            } else {
                m_body.append(data);
            }
        }
    }

    void finish(const Response &r)
    {
        m_phase = Phase::Head;
        m_onHead = {};
        m_onLine = {};
        if (auto done = std::exchange(m_done, {}))
            done(r);
    }

    QSslSocket m_socket;
    QString m_error;
    QByteArray m_in;
    qsizetype m_pos = 0;
    Phase m_phase = Phase::Head;
    int m_status = 0;
    qint64 m_length = 0;
    QByteArray m_body;
    QByteArray m_line;
    Done m_done;
    std::function<void(int)> m_onHead;
    std::function<void(QByteArrayView)> m_onLine;
};

// A `timonel-node apiserver` process of its own, with TLS and client certificates.
class Server
{
public:
    ~Server() { stop(); }

    std::expected<void, QString> start(const QString &dataDirectory, const QString &pkiDirectory)
    {
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        QObject::connect(&m_process, &QProcess::finished, &m_process,
                         [this](int code, QProcess::ExitStatus status) {
                             if (!m_stopping)
                                 qWarning() << "timonel-node apiserver ended: exit code" << code
                                            << (status == QProcess::CrashExit ? "(crashed)" : "");
                         });
        m_process.start(qEnvironmentVariable("TIMONEL_BIN_DIR") + u"/timonel-node"_s,
                        {u"apiserver"_s, u"--port=0"_s, u"--data="_s + dataDirectory,
                         u"--pki="_s + pkiDirectory});
        if (!m_process.waitForStarted(10'000))
            return std::unexpected(m_process.errorString());
        QByteArray out;
        QDeadlineTimer deadline(20'000);
        while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
            m_process.waitForReadyRead(200);
            out += m_process.readAll();
            const qsizetype at = out.indexOf("timonel-node: ready (apiserver :");
            if (at >= 0 && out.indexOf(')', at) > at) {
                m_port = out.mid(at + 32, out.indexOf(')', at) - at - 32).toUShort();
                return {};
            }
        }
        return std::unexpected(u"timonel-node apiserver did not become ready: "_s +
                               QString::fromUtf8(out));
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_stopping = true;
        m_process.terminate();
        if (!m_process.waitForFinished(10'000)) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }

    quint16 port() const { return m_port; }
    qint64 rssKb() const { return statusKb(m_process.processId(), "VmRSS"); }
    qint64 peakRssKb() const { return statusKb(m_process.processId(), "VmHWM"); }
    double cpuMs() const { return bench::cpuMs(m_process.processId()); }

private:
    QProcess m_process;
    quint16 m_port = 0;
    bool m_stopping = false;
};

using Connections = std::vector<std::unique_ptr<Connection>>;

struct Load
{
    int completed = 0;
    double seconds = 0;
    QList<double> latencyMs;
    int failures = 0;
    QByteArray firstFailure;
    qint64 bytes = 0;       // of the successful responses' bodies
    double serverCpuMs = 0; // what the server's process spent on them
    double clientCpuMs = 0; // and this one, which shares the machine

    double perSecond() const { return seconds > 0 ? completed / seconds : 0; }
    // Server CPU per request: a figure the machine's other load does not inflate much.
    double serverCpuPerRequest() const { return completed ? serverCpuMs / completed : 0; }
};

// Up to `total` requests made by `make`, each connection sending its next one as soon as its last
// one was answered. After `budgetMs` no new request starts, so `completed` may fall short.
inline Load drive(const Server &server, const Connections &clients, int total,
                  const std::function<Request(int)> &make, int budgetMs = 60'000)
{
    Load load;
    load.latencyMs.reserve(total);
    int issued = 0;
    const qint64 start = nowNs(), budgetEnd = start + qint64(budgetMs) * 1'000'000;
    std::function<void(Connection *)> next = [&](Connection *c) {
        if (issued >= total || nowNs() > budgetEnd)
            return;
        const int i = issued++;
        const qint64 sent = nowNs();
        c->send(make(i), [&, c, sent](const Response &r) {
            load.latencyMs.append(msSince(sent));
            if (r.status < 200 || r.status >= 300) {
                if (load.failures++ == 0)
                    load.firstFailure = QByteArray::number(r.status) + ' ' + r.body.left(400);
            } else {
                load.bytes += r.body.size();
            }
            ++load.completed;
            next(c);
        });
    };
    const double serverCpu = server.cpuMs(), clientCpu = cpuMs(QCoreApplication::applicationPid());
    for (const auto &c : clients)
        next(c.get());
    const bool finished = waitFor(
        [&] { return load.completed == issued && (issued == total || nowNs() > budgetEnd); },
        budgetMs + 30'000);
    load.seconds = msSince(start) / 1000;
    load.serverCpuMs = server.cpuMs() - serverCpu;
    load.clientCpuMs = cpuMs(QCoreApplication::applicationPid()) - clientCpu;
    if (!finished) {
        for (const auto &c : clients)
            c->abort(); // their callbacks refer to this frame
        load.firstFailure = "timed out after " + QByteArray::number(load.completed) + " of " +
                            QByteArray::number(issued) + "; " + load.firstFailure;
    }
    return load;
}

inline Response call(Connection &c, const Request &r, int timeoutMs = 30'000)
{
    std::optional<Response> response;
    c.send(r, [&](const Response &answer) { response = answer; });
    if (!waitFor([&] { return response.has_value(); }, timeoutMs)) {
        c.abort();
        return {0, "timed out"};
    }
    return *response;
}

} // namespace timonel::bench
