#include "runtime.h"

#include "core/quantity.h"
#include "runtimelabels.h"

#include <QRegularExpression>
#include <QTcpSocket>
#include <QThread>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace timonel::kubelet {

namespace {

QJsonObject labelsOf(const QJsonObject &pod, const RuntimeConfig &config)
{
    const QJsonObject meta = pod.value(u"metadata").toObject();
    return {{labels::podName, meta.value(u"name")},
            {labels::podNamespace, meta.value(u"namespace")},
            {labels::podUid, meta.value(u"uid")},
            {labels::cluster, config.cluster},
            {labels::node, config.nodeName}};
}

QDateTime dockerTime(const QJsonValue &value)
{
    // "0001-01-01T00:00:00Z" is Docker's "never".
    const QString text = value.toString();
    if (text.isEmpty() || text.startsWith(u"0001-"))
        return {};
    return QDateTime::fromString(text, Qt::ISODateWithMs);
}

QString dockerError(const docker::DockerError &e)
{
    return e.message;
}

// Kubernetes expands $(VAR) in command and args from the container's environment; $$ escapes.
QString expand(const QString &text, const QHash<QString, QString> &env)
{
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text[i] == u'$' && i + 1 < text.size()) {
            if (text[i + 1] == u'$') {
                out += u'$';
                ++i;
                continue;
            }
            if (text[i + 1] == u'(') {
                const qsizetype close = text.indexOf(u')', i + 2);
                if (close > 0) {
                    const QString name = text.mid(i + 2, close - i - 2);
                    if (auto it = env.constFind(name); it != env.cend()) {
                        out += *it;
                        i = close;
                        continue;
                    }
                }
            }
        }
        out += text[i];
    }
    return out;
}

QJsonArray expandAll(const QJsonArray &items, const QHash<QString, QString> &env)
{
    QJsonArray out;
    for (const QJsonValue &v : items)
        out.append(expand(v.toString(), env));
    return out;
}

// Docker's user: "uid[:gid]" from the pod's and container's securityContext.
QString userOf(const QJsonObject &pod, const QJsonObject &container)
{
    const QJsonObject podContext =
        pod.value(u"spec").toObject().value(u"securityContext").toObject();
    const QJsonObject context = container.value(u"securityContext").toObject();
    const QJsonValue user = context.contains(u"runAsUser") ? context.value(u"runAsUser")
                                                           : podContext.value(u"runAsUser");
    const QJsonValue group = context.contains(u"runAsGroup") ? context.value(u"runAsGroup")
                                                             : podContext.value(u"runAsGroup");
    if (user.isUndefined())
        return {};
    QString text = QString::number(user.toInteger());
    if (!group.isUndefined())
        text += u':' + QString::number(group.toInteger());
    return text;
}

qint64 bytesOf(const QJsonValue &quantity)
{
    auto q = core::Quantity::parse(quantity.toString());
    return q ? q->value() : 0;
}

qint64 milliCoresOf(const QJsonValue &quantity)
{
    auto q = core::Quantity::parse(quantity.toString());
    return q ? q->milliValue() : 0;
}

} // namespace

const SandboxRecord *PodRecord::liveSandbox() const
{
    for (const SandboxRecord &s : sandboxes)
        if (s.running)
            return &s;
    return nullptr;
}

const ContainerRecord *PodRecord::latest(const QString &name, bool init) const
{
    const ContainerRecord *best = nullptr;
    for (const ContainerRecord &c : containers)
        if (c.name == name && c.init == init && (!best || c.restartCount > best->restartCount))
            best = &c;
    return best;
}

bool isValidImageReference(const QString &image)
{
    // [host[:port]/]path[:tag][@digest], lower-case path components.
    static const QRegularExpression reference(QStringLiteral(
        R"(^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?)"
        R"([a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
        R"((?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$)"));
    return reference.match(image).hasMatch();
}

Runtime::Runtime(RuntimeConfig config, docker::DockerClient docker)
    : m_config(std::move(config)), m_docker(std::move(docker))
{
}

QString Runtime::containerName(const QJsonObject &pod, const QString &container, int restartCount)
{
    const QJsonObject meta = pod.value(u"metadata").toObject();
    return u"k8s_%1_%2_%3_%4_%5"_s
        .arg(container, meta.value(u"name").toString(), meta.value(u"namespace").toString(),
             meta.value(u"uid").toString())
        .arg(restartCount);
}

std::expected<QHash<QString, PodRecord>, QString> Runtime::listPods() const
{
    return list({});
}

std::expected<PodRecord, QString> Runtime::inspectPod(const QString &uid) const
{
    auto pods = list(uid);
    if (!pods)
        return std::unexpected(pods.error());
    PodRecord record = pods->value(uid);
    record.uid = uid;
    return record;
}

std::expected<QHash<QString, PodRecord>, QString> Runtime::list(const QString &uid) const
{
    QJsonArray selectors{u"%1=%2"_s.arg(labels::node, m_config.nodeName),
                         u"%1=%2"_s.arg(labels::cluster, m_config.cluster)};
    if (!uid.isEmpty())
        selectors.append(u"%1=%2"_s.arg(labels::podUid, uid));
    auto listed = m_docker.listContainers(QJsonObject{{u"label"_s, selectors}}, true);
    if (!listed)
        return std::unexpected(dockerError(listed.error()));
    QHash<QString, PodRecord> pods;
    for (const QJsonValue &v : *listed) {
        const QJsonObject c = v.toObject();
        const QJsonObject l = c.value(u"Labels").toObject();
        const QString podUid = l.value(labels::podUid).toString();
        if (podUid.isEmpty())
            continue;
        PodRecord &pod = pods[podUid];
        pod.uid = podUid;
        pod.name = l.value(labels::podName).toString();
        pod.ns = l.value(labels::podNamespace).toString();
        const QString id = c.value(u"Id").toString();
        const bool running = c.value(u"State").toString() == u"running";
        const QDateTime created =
            QDateTime::fromSecsSinceEpoch(c.value(u"Created").toInteger(), QTimeZone::UTC);
        if (l.value(labels::containerType).toString() == labels::sandboxType) {
            pod.sandboxes.append({id, l.value(labels::podIP).toString(), running,
                                  l.value(labels::restartCount).toString().toInt(), created});
            continue;
        }
        ContainerRecord r;
        r.id = id;
        r.name = l.value(labels::containerName).toString();
        r.init = l.value(labels::containerKind).toString() == u"init";
        r.restartCount = l.value(labels::restartCount).toString().toInt();
        r.state = c.value(u"State").toString();
        r.createdAt = created;
        r.image = c.value(u"Image").toString();
        r.imageId = c.value(u"ImageID").toString();
        // Exit codes and times are only in an inspect: worth it for the containers whose
        // status shows them (every one, but only on a per-pod sync).
        if (!uid.isEmpty()) {
            auto inspected = m_docker.inspectContainer(id);
            if (!inspected)
                continue; // removed meanwhile
            const QJsonObject state = inspected->value(u"State").toObject();
            r.state = state.value(u"Status").toString();
            r.exitCode = state.value(u"ExitCode").toInt();
            r.oomKilled = state.value(u"OOMKilled").toBool();
            r.startedAt = dockerTime(state.value(u"StartedAt"));
            r.finishedAt = dockerTime(state.value(u"FinishedAt"));
            r.error = state.value(u"Error").toString();
            r.image = inspected->value(u"Config").toObject().value(u"Image").toString();
        }
        pod.containers.append(r);
    }
    for (PodRecord &pod : pods) {
        std::sort(pod.sandboxes.begin(), pod.sandboxes.end(),
                  [](const auto &a, const auto &b) { return a.attempt > b.attempt; });
        std::sort(pod.containers.begin(), pod.containers.end(),
                  [](const auto &a, const auto &b) { return a.restartCount > b.restartCount; });
    }
    return pods;
}

std::expected<SandboxRecord, QString> Runtime::createSandbox(const QJsonObject &pod,
                                                             const QString &ip, int attempt,
                                                             const QJsonArray &mounts) const
{
    const QJsonObject meta = pod.value(u"metadata").toObject();
    const QJsonObject spec = pod.value(u"spec").toObject();
    QJsonObject l = labelsOf(pod, m_config);
    l.insert(labels::containerType, labels::sandboxType);
    l.insert(labels::containerName, labels::sandboxContainerName);
    l.insert(labels::restartCount, QString::number(attempt));
    l.insert(labels::podIP, ip);
    const bool hostNetwork = spec.value(u"hostNetwork").toBool();
    QJsonObject hostConfig{
        {u"IpcMode"_s, u"shareable"_s},
        {u"RestartPolicy"_s, QJsonObject{{u"Name"_s, u"no"_s}}},
        {u"NetworkMode"_s, hostNetwork ? u"container:"_s + m_config.nodeName : m_config.network},
        {u"Mounts"_s, mounts},
    };
    QJsonArray command{u"pause"_s};
    if (!hostNetwork && !m_config.serviceSubnet.isEmpty()) {
        // ClusterIPs are served by the node: the sandbox's pause routes the service subnet
        // there, which needs NET_ADMIN; the pod's own containers never get it.
        command = {u"pause"_s, u"--service-route"_s, m_config.serviceSubnet, m_config.nodeIP};
        hostConfig.insert(u"CapAdd"_s, QJsonArray{u"NET_ADMIN"_s});
    }
    QJsonObject config{{u"Image"_s, m_config.sandboxImage},
                       {u"Cmd"_s, command},
                       {u"Labels"_s, l},
                       {u"HostConfig"_s, hostConfig}};
    if (!hostNetwork) {
        QString hostname = spec.value(u"hostname").toString(meta.value(u"name").toString());
        config.insert(u"Hostname"_s, hostname.left(63));
        config.insert(
            u"NetworkingConfig"_s,
            QJsonObject{{u"EndpointsConfig"_s,
                         QJsonObject{{m_config.network,
                                      QJsonObject{{u"IPAMConfig"_s,
                                                   QJsonObject{{u"IPv4Address"_s, ip}}}}}}}});
    }
    const QString name = containerName(pod, labels::sandboxContainerName, attempt);
    auto id = createReplacing(name, config);
    if (!id)
        return std::unexpected(dockerError(id.error()));
    return SandboxRecord{*id, hostNetwork ? m_config.nodeIP : ip, false, attempt,
                         QDateTime::currentDateTimeUtc()};
}

RuntimeResult Runtime::startSandbox(const QString &id) const
{
    if (auto started = m_docker.startContainer(id); !started) {
        m_docker.removeContainer(id, true, true);
        return std::unexpected(dockerError(started.error()));
    }
    return {};
}

std::expected<QString, ContainerStartError>
Runtime::ensureImage(const QString &image, const QString &policy, bool *pulled) const
{
    if (pulled)
        *pulled = false;
    if (!isValidImageReference(image))
        return std::unexpected(ContainerStartError{
            u"InvalidImageName"_s,
            u"Failed to apply default image tag \"%1\": couldn't parse image reference \"%1\": "
            "invalid reference format"_s.arg(image)});
    if (auto local = m_docker.inspectImage(image))
        return local->value(u"Id").toString();
    if (policy == u"Never")
        return std::unexpected(ContainerStartError{
            u"ErrImageNeverPull"_s,
            u"Container image \"%1\" is not present with pull policy of Never"_s.arg(image)});
    QString reference = image;
    if (!reference.contains(u'@') && !reference.section(u'/', -1).contains(u':'))
        reference += u":latest"_s;
    if (auto fetched = m_docker.pullImage(reference); !fetched)
        return std::unexpected(ContainerStartError{
            u"ErrImagePull"_s, u"failed to pull and unpack image \"%1\": %2"_s.arg(
                                   reference, fetched.error().message)});
    if (pulled)
        *pulled = true;
    auto local = m_docker.inspectImage(image);
    if (!local)
        return std::unexpected(ContainerStartError{u"ErrImagePull"_s, local.error().message});
    return local->value(u"Id").toString();
}

std::expected<QString, ContainerStartError>
Runtime::createContainer(const QJsonObject &pod, const QJsonObject &container, bool init,
                         const SandboxRecord &sandbox, int restartCount, const QStringList &env,
                         const QJsonArray &mounts) const
{
    const QJsonObject spec = pod.value(u"spec").toObject();
    const QString name = container.value(u"name").toString();
    QJsonObject l = labelsOf(pod, m_config);
    l.insert(labels::containerType, labels::containerTypeValue);
    l.insert(labels::containerName, name);
    l.insert(labels::containerKind, init ? u"init"_s : u"regular"_s);
    l.insert(labels::restartCount, QString::number(restartCount));

    QHash<QString, QString> envMap;
    for (const QString &e : env)
        envMap.insert(e.section(u'=', 0, 0), e.section(u'=', 1));
    QJsonObject config{{u"Image"_s, container.value(u"image")},
                       {u"Env"_s, QJsonArray::fromStringList(env)},
                       {u"Labels"_s, l},
                       {u"Tty"_s, container.value(u"tty").toBool()},
                       {u"OpenStdin"_s, container.value(u"stdin").toBool()},
                       {u"StdinOnce"_s, container.value(u"stdinOnce").toBool()},
                       {u"AttachStdin"_s, false}};
    // command replaces the image's ENTRYPOINT and, unless args are given too, its CMD.
    if (container.contains(u"command")) {
        config.insert(u"Entrypoint"_s, expandAll(container.value(u"command").toArray(), envMap));
        config.insert(u"Cmd"_s, expandAll(container.value(u"args").toArray(), envMap));
    } else if (container.contains(u"args")) {
        config.insert(u"Cmd"_s, expandAll(container.value(u"args").toArray(), envMap));
    }
    if (const QString dir = container.value(u"workingDir").toString(); !dir.isEmpty())
        config.insert(u"WorkingDir"_s, dir);
    if (const QString user = userOf(pod, container); !user.isEmpty())
        config.insert(u"User"_s, user);

    const QString sandboxMode = u"container:"_s + sandbox.id;
    QJsonObject hostConfig{{u"NetworkMode"_s, sandboxMode},
                           {u"IpcMode"_s, sandboxMode},
                           {u"RestartPolicy"_s, QJsonObject{{u"Name"_s, u"no"_s}}},
                           {u"Mounts"_s, mounts}};
    if (spec.value(u"shareProcessNamespace").toBool())
        hostConfig.insert(u"PidMode"_s, sandboxMode);
    const QJsonObject resources = container.value(u"resources").toObject();
    const QJsonObject limits = resources.value(u"limits").toObject();
    const QJsonObject requests = resources.value(u"requests").toObject();
    if (limits.contains(u"memory"))
        hostConfig.insert(u"Memory"_s, bytesOf(limits.value(u"memory")));
    if (limits.contains(u"cpu"))
        hostConfig.insert(u"NanoCpus"_s, milliCoresOf(limits.value(u"cpu")) * 1000000);
    if (requests.contains(u"cpu")) // the kubelet's milli-CPU to shares: 1024 per core, at least 2
        hostConfig.insert(u"CpuShares"_s,
                          std::max<qint64>(2, milliCoresOf(requests.value(u"cpu")) * 1024 / 1000));
    const QJsonObject security = container.value(u"securityContext").toObject();
    if (security.value(u"readOnlyRootFilesystem").toBool())
        hostConfig.insert(u"ReadonlyRootfs"_s, true);
    if (security.value(u"privileged").toBool())
        hostConfig.insert(u"Privileged"_s, true);
    const QJsonObject capabilities = security.value(u"capabilities").toObject();
    if (capabilities.contains(u"add"))
        hostConfig.insert(u"CapAdd"_s, capabilities.value(u"add"));
    if (capabilities.contains(u"drop"))
        hostConfig.insert(u"CapDrop"_s, capabilities.value(u"drop"));
    config.insert(u"HostConfig"_s, hostConfig);

    const QString dockerName = containerName(pod, name, restartCount);
    auto id = createReplacing(dockerName, config);
    if (!id)
        return std::unexpected(
            ContainerStartError{u"CreateContainerError"_s, dockerError(id.error())});
    return *id;
}

std::expected<void, ContainerStartError> Runtime::startContainer(const QString &id) const
{
    if (auto started = m_docker.startContainer(id); !started)
        return std::unexpected(
            ContainerStartError{u"RunContainerError"_s, dockerError(started.error())});
    return {};
}

docker::Result<QString> Runtime::createReplacing(const QString &name,
                                                 const QJsonObject &config) const
{
    auto id = m_docker.createContainer(name, config);
    if (!id && id.error().status == 409) {
        // A leftover of the same name (the agent stopped between create and start) is in the
        // way; names are unique per pod, container and attempt, so it is ours to replace.
        m_docker.removeContainer(name, true, true);
        id = m_docker.createContainer(name, config);
    }
    return id;
}

RuntimeResult Runtime::stopContainer(const QString &id, int graceSeconds) const
{
    auto stopped = m_docker.stopContainer(id, std::max(0, graceSeconds));
    if (!stopped && stopped.error().status != 304 && stopped.error().status != 404)
        return std::unexpected(dockerError(stopped.error()));
    return {};
}

RuntimeResult Runtime::removeContainer(const QString &id) const
{
    auto removed = m_docker.removeContainer(id, true, false);
    if (!removed && removed.error().status != 404)
        return std::unexpected(dockerError(removed.error()));
    return {};
}

std::optional<QString> Runtime::runHook(const QJsonObject &handler,
                                        const ContainerRecord &container, const QString &podIP,
                                        const QJsonObject &spec) const
{
    if (handler.contains(u"exec")) {
        QStringList command;
        for (const QJsonValue &v : handler.value(u"exec").toObject().value(u"command").toArray())
            command.append(v.toString());
        auto ran = m_docker.exec(container.id, command);
        if (!ran)
            return ran.error().message;
        if (ran->exitCode != 0)
            return u"command '%1' exited with %2: %3"_s.arg(command.join(u' '))
                .arg(ran->exitCode)
                .arg(QString::fromUtf8(ran->out + ran->err));
        return std::nullopt;
    }
    if (handler.contains(u"sleep")) {
        // Kubernetes' sleep action: the container stays up this long before it is stopped.
        QThread::sleep(
            std::chrono::seconds(handler.value(u"sleep").toObject().value(u"seconds").toInt()));
        return std::nullopt;
    }
    if (handler.contains(u"httpGet")) {
        const QJsonObject get = handler.value(u"httpGet").toObject();
        int port = get.value(u"port").toInt();
        if (get.value(u"port").isString())
            for (const QJsonValue &p : spec.value(u"ports").toArray())
                if (p.toObject().value(u"name").toString() == get.value(u"port").toString())
                    port = p.toObject().value(u"containerPort").toInt();
        QTcpSocket socket;
        socket.connectToHost(get.value(u"host").toString(podIP), quint16(port));
        if (!socket.waitForConnected(5000))
            return socket.errorString();
        socket.write("GET " + get.value(u"path").toString(u"/"_s).toUtf8() +
                     " HTTP/1.1\r\nHost: " + podIP.toUtf8() + "\r\nConnection: close\r\n\r\n");
        socket.waitForBytesWritten(5000);
        socket.waitForReadyRead(5000);
        const QByteArray line = socket.readLine();
        const int status = line.split(' ').value(1).toInt();
        if (status < 200 || status >= 400)
            return u"HTTP lifecycle hook failed with status %1"_s.arg(status);
        return std::nullopt;
    }
    return std::nullopt;
}

RuntimeResult Runtime::removePod(const PodRecord &pod, int graceSeconds) const
{
    QString failure;
    for (const ContainerRecord &c : pod.containers) {
        if (c.running())
            if (auto r = stopContainer(c.id, graceSeconds); !r)
                failure = r.error();
        if (auto r = removeContainer(c.id); !r)
            failure = r.error();
    }
    for (const SandboxRecord &s : pod.sandboxes)
        if (auto r = m_docker.removeContainer(s.id, true, true); !r && r.error().status != 404)
            failure = r.error().message;
    if (!failure.isEmpty())
        return std::unexpected(failure);
    return {};
}

} // namespace timonel::kubelet
