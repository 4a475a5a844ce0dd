// Streaming Docker Engine API calls for the node agent's server: container logs as they come,
// and the hijacked connections of exec and attach (stdin one way, output the other). Unlike
// DockerCall it can stop reading while the client it feeds is slow (the daemon then waits on
// the socket) and half-closes stdin only once what was written has left.
#pragma once

#include "docker/dockercall.h"
#include "docker/httpresponseparser.h"

#include <QByteArray>
#include <QLocalSocket>
#include <QObject>
#include <QPointer>

#include <functional>

namespace timonel::kubelet {

class ContainerStream : public QObject
{
    Q_OBJECT
public:
    // `target` is an API path ("/containers/<id>/logs?follow=1..."), unversioned: the daemon
    // then speaks its own current version. `hijack` asks for the raw two-way stream.
    ContainerStream(QString socketPath, QByteArray method, QByteArray target,
                    QObject *parent = nullptr);
    ~ContainerStream() override;

    void setBody(const QByteArray &json) { m_body = json; }
    void setHijack(bool hijack) { m_hijack = hijack; }
    void start();

    // Hijacked streams: bytes for the process's stdin, and its end once they are all sent.
    void write(QByteArrayView data);
    void closeWrite();
    qint64 bytesToWrite() const;

    // While paused nothing is read, and the daemon waits.
    void setReadingPaused(bool paused);

    int status() const { return m_parser.statusCode(); }
    bool isEstablished() const { return m_established; }
    // Why the call failed: the daemon's message for an error status, or the connection's fate.
    QString errorString() const { return m_error; }
    bool hasError() const { return !m_error.isEmpty(); }

Q_SIGNALS:
    // The answer's head arrived with a success status: data follows, stdin may be written.
    void established();
    void data(const QByteArray &bytes);
    void bytesWritten();
    // The answer ended (or the call failed: see errorString()). Once.
    void finished();

private:
    void onConnected();
    void onReadyRead();
    void onDisconnected();
    void onBytesWritten();
    void deliver();
    void finish(const QString &error = {});

    QString m_socketPath;
    QByteArray m_method;
    QByteArray m_target;
    QByteArray m_body;
    bool m_hijack = false;
    QLocalSocket *m_socket = nullptr;
    docker::HttpResponseParser m_parser;
    QByteArray m_errorBody;
    QString m_error;
    bool m_established = false;
    bool m_paused = false;
    bool m_closeWritePending = false;
    bool m_writeClosed = false;
    bool m_finished = false;
};

// A small buffered Docker call on the event loop (list, inspect, exec create, resize). `done`
// runs once with the finished call, unless `context` is destroyed first.
void callDocker(const QString &socketPath, const QByteArray &method, const QString &path,
                const QByteArray &jsonBody, QObject *context,
                std::function<void(const docker::DockerCall &call)> done);

} // namespace timonel::kubelet
