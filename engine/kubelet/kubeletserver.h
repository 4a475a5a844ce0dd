// The node agent's HTTPS endpoint, which the API server proxies to: container logs, exec, attach
// and port-forward, on the kubelet's own paths. It knows pods only as the Docker containers that
// carry their labels (runtimelabels.h), so it serves whatever this node runs.
//
//   GET      /containerLogs/{namespace}/{pod}/{container}?follow=&previous=&tailLines=...
//   GET|POST /exec/{namespace}/{pod}[/{uid}]/{container}?command=...&input=1&output=1&tty=1
//   GET|POST /attach/{namespace}/{pod}[/{uid}]/{container}?input=1&output=1&error=1&tty=1
//   GET|POST /portForward/{namespace}/{pod}[/{uid}]
//   GET      /metrics/resource   (CPU and memory use, as metrics-server scrapes it)
#pragma once

#include "docker/dockerclient.h"

#include <QHostAddress>
#include <QObject>
#include <QString>

#include <expected>
#include <functional>
#include <memory>

namespace timonel::http {
class HttpExchange;
class HttpServer;
} // namespace timonel::http

namespace timonel::kubelet {

class ResourceStatsCollector;

struct KubeletServerOptions
{
    QHostAddress address = QHostAddress::Any;
    quint16 port = 10250;
    // TLS; only clients with a certificate from clientCaFile (the cluster CA) get an answer.
    QString certificateFile;
    QString keyFile;
    QString clientCaFile;
    bool plainHttp = false; // tests only
    QString nodeName;       // pods are the containers labelled with this node
    docker::DockerClient docker;
    // Serves /metrics/resource from its latest sample; not owned. None: that path is not found.
    const ResourceStatsCollector *resourceStats = nullptr;
};

class KubeletServer : public QObject
{
    Q_OBJECT
public:
    explicit KubeletServer(KubeletServerOptions options, QObject *parent = nullptr);
    ~KubeletServer() override;

    std::expected<void, QString> start();
    // Stops listening; streams in progress end with their connections.
    void stop();
    quint16 port() const;

private:
    struct Instance
    {
        QString id;
        int restartCount = 0;
        bool running = false;
    };
    struct PodContainers
    {
        bool exists = false;
        QString uid;
        QString sandboxId;
        QString podIp;
        bool sandboxRunning = false;
        QHash<QString, QList<Instance>> containers; // by name, newest first
    };
    using PodCallback = std::function<void(const PodContainers &pod)>;

    void handle(http::HttpExchange *exchange);
    // The Docker containers of a pod of this node; the newest pod when an old one of the same
    // name lingers. Answers 500 itself when Docker fails.
    void findPod(http::HttpExchange *exchange, const QString &ns, const QString &name,
                 PodCallback done);
    void serveLogs(http::HttpExchange *exchange, const QString &ns, const QString &pod,
                   const QString &container);
    void serveRemoteCommand(http::HttpExchange *exchange, const QString &ns, const QString &pod,
                            const QString &uid, const QString &container, bool attach);
    void servePortForward(http::HttpExchange *exchange, const QString &ns, const QString &pod,
                          const QString &uid);

    KubeletServerOptions m_options;
    std::unique_ptr<http::HttpServer> m_http;
};

} // namespace timonel::kubelet
