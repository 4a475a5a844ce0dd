// logs, exec and port-forward end to end: the WebSocket and SPDY/3.1 codecs as data tables, then
// the node agent's server against real Docker containers labelled as a pod's, reached directly
// and through the API server's node proxy, with a WebSocket and a SPDY client of our own.
#include "apiserver/apiserver.h"
#include "docker/httpresponseparser.h"
#include "http/spdy.h"
#include "http/spdyconnection.h"
#include "http/websocket.h"
#include "kubelet/containerlogs.h"
#include "kubelet/kubeletserver.h"
#include "kubelet/runtimelabels.h"
#include "pki/certificates.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <zlib.h>

#include <memory>

using namespace timonel;
using namespace Qt::StringLiterals;
namespace ws = timonel::http::websocket;
namespace spdy = timonel::http::spdy;

Q_DECLARE_METATYPE(ws::Opcode)
Q_DECLARE_METATYPE(spdy::Frame)

namespace {

constexpr int kTimeoutMs = 20000;

struct Response
{
    int status = 0;
    QByteArray contentType;
    QByteArray body;
};

// One request on its own connection, read until the server closes it.
Response request(quint16 port, const QByteArray &method, const QByteArray &target)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; },
                         kTimeoutMs))
        return {};
    socket.write(method + ' ' + target + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    docker::HttpResponseParser parser;
    QByteArray body;
    (void)QTest::qWaitFor(
        [&] {
            parser.feed(socket.readAll());
            body += parser.takeBody();
            return parser.isComplete() || socket.state() == QAbstractSocket::UnconnectedState;
        },
        kTimeoutMs);
    parser.feed(socket.readAll());
    parser.connectionClosed();
    body += parser.takeBody();
    return {parser.statusCode(), parser.header("Content-Type"), body};
}

QJsonObject json(const QByteArray &bytes)
{
    return QJsonDocument::fromJson(bytes).object();
}

// Sends an upgrade request and reads the answer's head line by line, leaving what follows in
// the socket. Returns the status; the socket stays the caller's.
int upgrade(QTcpSocket &socket, quint16 port, const QByteArray &requestText,
            QList<std::pair<QByteArray, QByteArray>> *headers)
{
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; },
                         kTimeoutMs))
        return 0;
    socket.write(requestText);
    int status = 0;
    while (true) {
        if (!QTest::qWaitFor([&] { return socket.canReadLine(); }, kTimeoutMs))
            return 0;
        const QByteArray line = socket.readLine().trimmed();
        if (status == 0) {
            status = line.split(' ').value(1).toInt();
            continue;
        }
        if (line.isEmpty())
            return status;
        const qsizetype colon = line.indexOf(':');
        headers->append({line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
    }
}

QByteArray headerOf(const QList<std::pair<QByteArray, QByteArray>> &headers, QByteArrayView name)
{
    for (const auto &[key, value] : headers) {
        if (key == name)
            return value;
    }
    return {};
}

QByteArray webSocketRequest(const QByteArray &target, const QByteArray &protocols)
{
    return "GET " + target +
           " HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: " +
           protocols + "\r\n\r\n";
}

QByteArray spdyRequest(const QByteArray &target, const QByteArray &protocol)
{
    return "POST " + target +
           " HTTP/1.1\r\nHost: test\r\nConnection: Upgrade\r\n"
           "Upgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: " +
           protocol + "\r\nContent-Length: 0\r\n\r\n";
}

// What an exec session gave back, channel by channel.
struct ExecResult
{
    int status = 0;
    QByteArray protocol;
    QByteArray out;
    QByteArray err;
    QJsonObject exitStatus;
};

// An exec with the v5 WebSocket protocol kubectl speaks; `stdinData` is sent then closed.
ExecResult execWebSocket(quint16 port, const QByteArray &target,
                         const std::optional<QByteArray> &stdinData = std::nullopt)
{
    ExecResult result;
    auto *socket = new QTcpSocket;
    QList<std::pair<QByteArray, QByteArray>> headers;
    result.status = upgrade(*socket, port, webSocketRequest(target, "v5.channel.k8s.io"), &headers);
    if (result.status != 101) {
        delete socket;
        return result;
    }
    result.protocol = headerOf(headers, "sec-websocket-protocol");
    http::WebSocket client(socket, http::WebSocket::Role::Client);
    bool gone = false;
    QObject::connect(&client, &http::WebSocket::binaryMessageReceived, [&](const QByteArray &m) {
        const int channel = quint8(m.at(0));
        if (channel == 1)
            result.out += m.mid(1);
        else if (channel == 2)
            result.err += m.mid(1);
        else if (channel == 3 && m.size() > 1)
            result.exitStatus = json(m.mid(1));
    });
    QObject::connect(&client, &http::WebSocket::disconnected, [&] { gone = true; });
    if (stdinData) {
        client.sendBinary(QByteArray(1, '\0') + *stdinData);
        client.sendBinary(QByteArray("\xff\x00", 2)); // v5: stdin is closed
    }
    (void)QTest::qWaitFor([&] { return gone; }, kTimeoutMs);
    return result;
}

// A port-forward client: one connection's error and data streams on a SPDY session.
struct Forwarded
{
    QByteArray data;
    QByteArray error;
    bool dataFinished = false;
    bool errorFinished = false;
};

Forwarded forward(spdy::Connection &connection, quint16 podPort, const QByteArray &send)
{
    Forwarded result;
    spdy::Session &session = connection.session();
    const QByteArray port = QByteArray::number(podPort);
    const quint32 error =
        session.openStream({{"streamtype", "error"}, {"port", port}, {"requestid", "0"}}, true);
    const quint32 data =
        session.openStream({{"streamtype", "data"}, {"port", port}, {"requestid", "0"}});
    const auto received = QObject::connect(&session, &spdy::Session::dataReceived,
                                           [&](quint32 id, const QByteArray &d) {
                                               if (id == data)
                                                   result.data += d;
                                               else if (id == error)
                                                   result.error += d;
                                           });
    const auto finished =
        QObject::connect(&session, &spdy::Session::remoteFinished, [&](quint32 id) {
            if (id == data)
                result.dataFinished = true;
            else if (id == error)
                result.errorFinished = true;
        });
    session.sendData(data, send, true);
    (void)QTest::qWaitFor([&] { return result.dataFinished && result.errorFinished; }, kTimeoutMs);
    QObject::disconnect(received);
    QObject::disconnect(finished);
    return result;
}

} // namespace

class TestStreams : public QObject
{
    Q_OBJECT

    docker::DockerClient m_docker;
    QString m_cluster;
    QString m_network;
    QString m_podIp;
    QString m_sandboxId;
    std::unique_ptr<kubelet::KubeletServer> m_kubelet;
    std::unique_ptr<kubelet::KubeletServer> m_tlsKubelet; // what the API server reaches
    QTemporaryDir m_dir;
    std::unique_ptr<apiserver::ApiServer> m_api;

    QJsonObject labelsFor(const QString &type, const QString &container, int restartCount) const
    {
        return {
            {kubelet::labels::podNamespace, u"default"_s},
            {kubelet::labels::podName, u"web"_s},
            {kubelet::labels::podUid, u"uid-web"_s},
            {kubelet::labels::node, u"streams-node"_s},
            {kubelet::labels::cluster, m_cluster},
            {kubelet::labels::containerType, type},
            {kubelet::labels::containerName, container},
            {kubelet::labels::restartCount, QString::number(restartCount)},
            {kubelet::labels::podIP, type == kubelet::labels::sandboxType ? m_podIp : QString()}};
    }

    QString runContainer(const QString &image, const QString &name, int restartCount,
                         const QString &script)
    {
        const QJsonObject config{
            {u"Image"_s, image},
            {u"Cmd"_s, QJsonArray{u"sh"_s, u"-c"_s, script}},
            {u"Labels"_s, labelsFor(kubelet::labels::containerTypeValue, name, restartCount)},
            {u"HostConfig"_s, QJsonObject{{u"NetworkMode"_s, u"container:"_s + m_sandboxId}}}};
        auto id =
            m_docker.createContainer(u"%1-%2-%3"_s.arg(m_cluster, name).arg(restartCount), config);
        if (!id || !m_docker.startContainer(*id))
            return {};
        return *id;
    }

    quint16 kubeletPort() const { return m_kubelet->port(); }
    quint16 apiPort() const { return m_api->port(); }

    QByteArray apiPost(const QByteArray &path, const QJsonObject &body)
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, apiPort());
        (void)QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; },
                              kTimeoutMs);
        const QByteArray payload = QJsonDocument(body).toJson(QJsonDocument::Compact);
        socket.write("POST " + path +
                     " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n"
                     "Content-Type: application/json\r\nContent-Length: " +
                     QByteArray::number(payload.size()) + "\r\n\r\n" + payload);
        (void)QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::UnconnectedState; },
                              kTimeoutMs);
        return socket.readAll();
    }

    QString containerId(const QString &name)
    {
        QJsonObject filter = docker::labelFilter(kubelet::labels::cluster, m_cluster);
        for (const QJsonValue &c : m_docker.listContainers(filter).value_or(QJsonArray())) {
            const QJsonObject container = c.toObject();
            if (container.value(u"Labels"_s).toObject().value(kubelet::labels::containerName) ==
                    name &&
                container.value(u"State"_s).toString() == u"running")
                return container.value(u"Id"_s).toString();
        }
        return {};
    }

    bool writeFile(const QString &name, const QByteArray &content)
    {
        QFile file(m_dir.filePath(name));
        return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
    }

private Q_SLOTS:
    // --- WebSocket codec ---------------------------------------------------------------------

    void webSocketAcceptKeyIsTheRfcExample()
    {
        QCOMPARE(ws::acceptKey("dGhlIHNhbXBsZSBub25jZQ=="),
                 QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    }

    void webSocketFramesRoundTripWhateverTheSplit_data()
    {
        QTest::addColumn<ws::Opcode>("opcode");
        QTest::addColumn<int>("size");
        QTest::addColumn<bool>("masked");
        QTest::addColumn<int>("piece");
        QTest::newRow("empty binary") << ws::Opcode::Binary << 0 << true << 1;
        QTest::newRow("7-bit length") << ws::Opcode::Binary << 125 << true << 3;
        QTest::newRow("16-bit length") << ws::Opcode::Text << 126 << false << 7;
        QTest::newRow("16-bit max") << ws::Opcode::Binary << 65535 << true << 1000;
        QTest::newRow("64-bit length") << ws::Opcode::Binary << 65536 << false << 4096;
        QTest::newRow("large masked") << ws::Opcode::Binary << 300001 << true << 65536;
        QTest::newRow("ping") << ws::Opcode::Ping << 125 << true << 2;
        QTest::newRow("pong") << ws::Opcode::Pong << 4 << false << 100;
    }

    void webSocketFramesRoundTripWhateverTheSplit()
    {
        QFETCH(ws::Opcode, opcode);
        QFETCH(int, size);
        QFETCH(bool, masked);
        QFETCH(int, piece);
        QByteArray payload(size, Qt::Uninitialized);
        for (int i = 0; i < size; ++i)
            payload[i] = char(i * 7 + 3);
        const QByteArray frame = ws::encodeFrame(
            opcode, payload, true, masked ? std::optional<quint32>(0xA1B2C3D4) : std::nullopt);
        if (masked && size > 0)
            QVERIFY(!frame.contains(payload)); // the payload is not sent in the clear
        ws::FrameDecoder decoder(masked);
        QList<ws::Message> messages;
        for (qsizetype at = 0; at < frame.size(); at += piece)
            messages += decoder.feed(
                QByteArrayView(frame).sliced(at, std::min<qsizetype>(piece, frame.size() - at)));
        QVERIFY2(!decoder.hasError(), qPrintable(decoder.errorString()));
        QCOMPARE(messages.size(), 1);
        QCOMPARE(messages[0].opcode, opcode);
        QCOMPARE(messages[0].payload, payload);
    }

    void webSocketFragmentsAreJoinedAroundControlFrames()
    {
        ws::FrameDecoder decoder(true);
        const QByteArray stream =
            ws::encodeFrame(ws::Opcode::Text, "Hel", false, 1) +
            ws::encodeFrame(ws::Opcode::Ping, "?", true, 2) +
            ws::encodeFrame(ws::Opcode::Continuation, "lo", false, 3) +
            ws::encodeFrame(ws::Opcode::Continuation, " there", true, 4) +
            ws::encodeFrame(ws::Opcode::Close, ws::closePayload(1000, "bye"), true, 5);
        const QList<ws::Message> messages = decoder.feed(stream);
        QVERIFY(!decoder.hasError());
        QCOMPARE(messages, (QList<ws::Message>{{ws::Opcode::Ping, "?"},
                                               {ws::Opcode::Text, "Hello there"},
                                               {ws::Opcode::Close, QByteArray("\x03\xe8"
                                                                              "bye",
                                                                              5)}}));
    }

    void webSocketProtocolViolationsAreRefused_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("server");
        QTest::addColumn<int>("closeCode");
        QTest::newRow("unmasked client frame")
            << ws::encodeFrame(ws::Opcode::Binary, "x") << true << 1002;
        QTest::newRow("masked server frame")
            << ws::encodeFrame(ws::Opcode::Binary, "x", true, 9) << false << 1002;
        QTest::newRow("continuation without a message")
            << ws::encodeFrame(ws::Opcode::Continuation, "x", true, 9) << true << 1002;
        QTest::newRow("message inside a fragmented one")
            << ws::encodeFrame(ws::Opcode::Binary, "a", false, 9) +
                   ws::encodeFrame(ws::Opcode::Binary, "b", true, 9)
            << true << 1002;
        QTest::newRow("fragmented ping")
            << ws::encodeFrame(ws::Opcode::Ping, "a", false, 9) << true << 1002;
        QTest::newRow("control frame over 125 bytes")
            << ws::encodeFrame(ws::Opcode::Pong, QByteArray(126, 'p'), true, 9) << true << 1002;
        QTest::newRow("reserved bits") << QByteArray("\xc2\x80\0\0\0\0", 6) << true << 1002;
        QTest::newRow("unknown opcode") << QByteArray("\x83\x80\0\0\0\0", 6) << true << 1002;
        QTest::newRow("message too big")
            << ws::encodeFrame(ws::Opcode::Binary, QByteArray(2048, 'b'), true, 9) << true << 1009;
    }

    void webSocketProtocolViolationsAreRefused()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, server);
        QFETCH(int, closeCode);
        ws::FrameDecoder decoder(server, 1024);
        QVERIFY(decoder.feed(bytes).isEmpty());
        QVERIFY(decoder.hasError());
        QCOMPARE(decoder.errorCode(), closeCode);
        QVERIFY(decoder.feed(ws::encodeFrame(ws::Opcode::Binary, "x", true, 9)).isEmpty());
    }

    void webSocketSubprotocolIsTheClientsFirstSupported_data()
    {
        QTest::addColumn<QByteArray>("offered");
        QTest::addColumn<QByteArray>("chosen");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("v5 first") << QByteArray("v5.channel.k8s.io, v4.channel.k8s.io")
                                  << QByteArray("v5.channel.k8s.io") << true;
        QTest::newRow("client order wins") << QByteArray("channel.k8s.io,v4.channel.k8s.io")
                                           << QByteArray("channel.k8s.io") << true;
        QTest::newRow("none in common") << QByteArray("v9.channel.k8s.io") << QByteArray() << false;
        QTest::newRow("none offered") << QByteArray() << QByteArray() << true;
    }

    void webSocketSubprotocolIsTheClientsFirstSupported()
    {
        QFETCH(QByteArray, offered);
        QFETCH(QByteArray, chosen);
        QFETCH(bool, accepted);
        http::HttpRequest request;
        request.method = "GET";
        request.headers = {{"Upgrade", "websocket"},
                           {"Connection", "keep-alive, Upgrade"},
                           {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                           {"Sec-WebSocket-Version", "13"}};
        if (!offered.isEmpty())
            request.headers.append({"Sec-WebSocket-Protocol", offered});
        QVERIFY(ws::isUpgradeRequest(request));
        const auto selected = ws::selectProtocol(
            request, {"v5.channel.k8s.io", "v4.channel.k8s.io", "channel.k8s.io", ""});
        QCOMPARE(selected.has_value(), accepted);
        if (accepted)
            QCOMPARE(*selected, chosen);
        const auto headers = ws::handshakeHeaders(request, chosen);
        QVERIFY(headers);
        QVERIFY(headers->contains(std::pair<QByteArray, QByteArray>(
            "Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")));
    }

    // --- SPDY codec --------------------------------------------------------------------------

    void spdyDictionaryIsSpdy3s()
    {
        const QByteArrayView dictionary = spdy::headerDictionary();
        QCOMPARE(dictionary.size(), 1423);
        // The dictionary id that SPDY/3 peers put in the zlib header.
        QCOMPARE(
            adler32(1, reinterpret_cast<const Bytef *>(dictionary.data()), uInt(dictionary.size())),
            0xe3c6a7c2UL);
    }

    void spdyFramesRoundTrip_data()
    {
        QTest::addColumn<spdy::Frame>("frame");
        spdy::Frame syn;
        syn.type = spdy::FrameType::SynStream;
        syn.streamId = 1;
        syn.priority = 3;
        syn.flags = spdy::FlagFin;
        syn.headers = {{"streamtype", "error"}, {"port", "8080"}, {"requestid", "0"}};
        QTest::newRow("SYN_STREAM") << syn;
        spdy::Frame reply;
        reply.type = spdy::FrameType::SynReply;
        reply.streamId = 7;
        QTest::newRow("SYN_REPLY without headers") << reply;
        spdy::Frame headers;
        headers.type = spdy::FrameType::Headers;
        headers.streamId = 9;
        headers.headers = {{"multi", QByteArray("a\0b", 3)}};
        QTest::newRow("HEADERS with two values") << headers;
        spdy::Frame data;
        data.streamId = 3;
        data.data = QByteArray(70000, 'd');
        data.flags = spdy::FlagFin;
        QTest::newRow("DATA with FIN") << data;
        spdy::Frame rst;
        rst.type = spdy::FrameType::RstStream;
        rst.streamId = 5;
        rst.status = spdy::RefusedStream;
        QTest::newRow("RST_STREAM") << rst;
        spdy::Frame settings;
        settings.type = spdy::FrameType::Settings;
        settings.settings = {{1, 4, 100}, {0, 7, 65536}};
        QTest::newRow("SETTINGS") << settings;
        spdy::Frame ping;
        ping.type = spdy::FrameType::Ping;
        ping.value = 0xFFFFFFFF;
        QTest::newRow("PING") << ping;
        spdy::Frame goAway;
        goAway.type = spdy::FrameType::GoAway;
        goAway.value = 11;
        goAway.status = 1;
        QTest::newRow("GOAWAY") << goAway;
        spdy::Frame window;
        window.type = spdy::FrameType::WindowUpdate;
        window.streamId = 1;
        window.value = 65536;
        QTest::newRow("WINDOW_UPDATE") << window;
    }

    void spdyFramesRoundTrip()
    {
        QFETCH(spdy::Frame, frame);
        spdy::FrameWriter writer;
        spdy::FrameReader reader;
        // Twice: the second header block continues the first one's compression context.
        QByteArray bytes = writer.encode(frame);
        bytes += writer.encode(frame);
        QList<spdy::Frame> frames;
        for (qsizetype at = 0; at < bytes.size(); at += 5)
            frames += reader.feed(
                QByteArrayView(bytes).sliced(at, std::min<qsizetype>(5, bytes.size() - at)));
        QVERIFY2(!reader.hasError(), qPrintable(reader.errorString()));
        QCOMPARE(frames.size(), 2);
        QCOMPARE(frames[0], frame);
        QCOMPARE(frames[1], frame);
    }

    void spdyHeaderCompressionKeepsOneContextPerDirection()
    {
        spdy::HeaderCompressor compressor;
        const spdy::HeaderBlock block{{"streamtype", "data"}, {"port", "80"}, {"requestid", "12"}};
        const QByteArray first = compressor.compress(block);
        const QByteArray second = compressor.compress(block);
        QVERIFY(second.size() < first.size()); // the second refers back to the first
        spdy::HeaderDecompressor decompressor;
        QCOMPARE(decompressor.decompress(first).value_or(spdy::HeaderBlock()), block);
        QCOMPARE(decompressor.decompress(second).value_or(spdy::HeaderBlock()), block);
        spdy::HeaderDecompressor fresh;
        QVERIFY(!fresh.decompress(second).has_value());
    }

    void spdyUnknownControlFramesAreSkipped()
    {
        spdy::FrameReader reader;
        QByteArray unknown("\x80\x03\x00\x0a\x00\x00\x00\x02zz", 10); // type 10, two bytes
        spdy::Frame ping;
        ping.type = spdy::FrameType::Ping;
        ping.value = 1;
        const QList<spdy::Frame> frames = reader.feed(unknown + spdy::FrameWriter().encode(ping));
        QVERIFY(!reader.hasError());
        QCOMPARE(frames, QList<spdy::Frame>{ping});
        QVERIFY(reader.feed(QByteArray("\x80\x02\x00\x06\x00\x00\x00\x04\0\0\0\1", 12)).isEmpty());
        QVERIFY(reader.hasError()); // SPDY/2
    }

    void spdySessionsTalkAnswerPingsAndEndStreams()
    {
        spdy::Session client(spdy::Session::Role::Client);
        spdy::Session server(spdy::Session::Role::Server);
        connect(&client, &spdy::Session::outgoing, &server, &spdy::Session::receive);
        connect(&server, &spdy::Session::outgoing, &client, &spdy::Session::receive);
        QList<quint32> opened;
        QByteArray atServer, atClient;
        bool serverSawFin = false, clientSawFin = false, replied = false, pong = false;
        spdy::HeaderBlock headersSeen;
        connect(&server, &spdy::Session::streamOpened, this,
                [&](quint32 id, const spdy::HeaderBlock &h) {
                    opened.append(id);
                    headersSeen = h;
                    server.reply(id);
                });
        connect(&server, &spdy::Session::dataReceived, this,
                [&](quint32, const QByteArray &d) { atServer += d; });
        connect(&server, &spdy::Session::remoteFinished, this, [&] { serverSawFin = true; });
        connect(&client, &spdy::Session::streamReplied, this, [&] { replied = true; });
        connect(&client, &spdy::Session::dataReceived, this,
                [&](quint32, const QByteArray &d) { atClient += d; });
        connect(&client, &spdy::Session::remoteFinished, this, [&] { clientSawFin = true; });
        connect(&client, &spdy::Session::pingReceived, this, [&](quint32 id) { pong = id == 1; });

        const quint32 id = client.openStream({{"streamtype", "stdout"}});
        QCOMPARE(id, 1u);
        QCOMPARE(opened, QList<quint32>{1});
        QCOMPARE(headersSeen, (spdy::HeaderBlock{{"streamtype", "stdout"}}));
        QVERIFY(replied);
        client.sendData(id, "to server", true);
        server.sendData(id, "to client");
        server.finish(id);
        QCOMPARE(atServer, QByteArray("to server"));
        QCOMPARE(atClient, QByteArray("to client"));
        QVERIFY(serverSawFin && clientSawFin);
        QVERIFY(client.isLocallyFinished(id) && server.isLocallyFinished(id));
        client.sendPing(1); // the server echoes the client's odd ping ids
        QVERIFY(pong);
        quint32 resetStatus = 0;
        connect(&client, &spdy::Session::streamReset, this,
                [&](quint32, quint32 status) { resetStatus = status; });
        const quint32 second = client.openStream({{"streamtype", "stdin"}});
        server.reset(second, spdy::RefusedStream);
        QCOMPARE(second, 3u);
        QCOMPARE(resetStatus, quint32(spdy::RefusedStream));
    }

    void logTimestampsAreGoRfc3339Nano_data()
    {
        QTest::addColumn<QByteArray>("docker");
        QTest::addColumn<QByteArray>("kubernetes");
        QTest::newRow("trailing zeros") << QByteArray("2024-05-01T10:00:00.120000000Z")
                                        << QByteArray("2024-05-01T10:00:00.12Z");
        QTest::newRow("whole second")
            << QByteArray("2024-05-01T10:00:00.000000000Z") << QByteArray("2024-05-01T10:00:00Z");
        QTest::newRow("nanoseconds") << QByteArray("2024-05-01T10:00:00.123456789Z")
                                     << QByteArray("2024-05-01T10:00:00.123456789Z");
    }

    void logTimestampsAreGoRfc3339Nano()
    {
        QFETCH(QByteArray, docker);
        QFETCH(QByteArray, kubernetes);
        QCOMPARE(kubelet::rfc3339Nano(docker), kubernetes);
    }

    // --- the node agent's server on real containers -------------------------------------------

    void initTestCase()
    {
        auto ping = m_docker.ping();
        QVERIFY2(ping,
                 qPrintable(u"Docker is needed: "_s + (ping ? QString() : ping.error().message)));
        auto image = test::busyboxImage();
        QVERIFY2(image, qPrintable(image ? QString() : image.error()));
        const quint32 random = QRandomGenerator::global()->bounded(1u << 20);
        m_cluster = u"timonel-streams-%1"_s.arg(random, 5, 16, QLatin1Char('0'));
        // A network of our own with a known subnet, so the sandbox's IP can be a label.
        for (int attempt = 0; attempt < 20 && m_network.isEmpty(); ++attempt) {
            const int octet = 100 + int(QRandomGenerator::global()->bounded(150u));
            auto created = m_docker.createNetwork(QJsonObject{
                {u"Name"_s, m_cluster},
                {u"Labels"_s, QJsonObject{{kubelet::labels::cluster, m_cluster}}},
                {u"IPAM"_s,
                 QJsonObject{{u"Config"_s, QJsonArray{QJsonObject{
                                               {u"Subnet"_s, u"10.213.%1.0/24"_s.arg(octet)}}}}}}});
            if (created) {
                m_network = *created;
                m_podIp = u"10.213.%1.10"_s.arg(octet);
            }
        }
        QVERIFY2(!m_network.isEmpty(), "no free subnet for the test network");
        const QJsonObject sandbox{
            {u"Image"_s, *image},
            {u"Cmd"_s, QJsonArray{u"sleep"_s, u"3600"_s}},
            {u"Labels"_s,
             labelsFor(kubelet::labels::sandboxType, kubelet::labels::sandboxContainerName, 0)},
            {u"HostConfig"_s, QJsonObject{{u"NetworkMode"_s, m_cluster}}},
            {u"NetworkingConfig"_s,
             QJsonObject{{u"EndpointsConfig"_s,
                          QJsonObject{{m_cluster,
                                       QJsonObject{{u"IPAMConfig"_s, QJsonObject{{u"IPv4Address"_s,
                                                                                  m_podIp}}}}}}}}}};
        auto sandboxId = m_docker.createContainer(m_cluster + u"-sandbox"_s, sandbox);
        QVERIFY2(sandboxId, test::errorOf(sandboxId).constData());
        m_sandboxId = *sandboxId;
        QVERIFY(m_docker.startContainer(m_sandboxId));
        // The pod's "app" container ran once and exited; its second instance serves HTTP.
        const QString first = runContainer(*image, u"app"_s, 0, u"echo first run"_s);
        QVERIFY(!first.isEmpty());
        QCOMPARE(m_docker.waitContainer(first).value_or(-1), 0);
        QVERIFY(!runContainer(*image, u"app"_s, 1,
                              u"echo hello; sleep 0.2; echo err >&2; busybox mkdir -p /tmp/www; "
                              "echo pong > /tmp/www/index.html; "
                              "exec busybox httpd -f -p 8080 -h /tmp/www"_s)
                     .isEmpty());
        QVERIFY(!runContainer(*image, u"solo"_s, 0, u"echo solo; exec sleep 3600"_s).isEmpty());

        kubelet::KubeletServerOptions options;
        options.address = QHostAddress::LocalHost;
        options.port = 0;
        options.plainHttp = true;
        options.nodeName = u"streams-node"_s;
        options.docker = m_docker;
        m_kubelet = std::make_unique<kubelet::KubeletServer>(options);
        auto started = m_kubelet->start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error()));

        // Ready: the second instance logged both lines and its server listens.
        QTRY_COMPARE_WITH_TIMEOUT(
            request(kubeletPort(), "GET", "/containerLogs/default/web/app").body,
            QByteArray("hello\nerr\n"), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                QTcpSocket probe;
                probe.connectToHost(m_podIp, 8080);
                return QTest::qWaitFor(
                    [&] { return probe.state() == QAbstractSocket::ConnectedState; }, 500);
            }(),
            kTimeoutMs);
    }

    void cleanupTestCase()
    {
        m_api.reset();
        m_tlsKubelet.reset();
        m_kubelet.reset();
        const QJsonObject filter = docker::labelFilter(kubelet::labels::cluster, m_cluster);
        for (const QJsonValue &c : m_docker.listContainers(filter).value_or(QJsonArray()))
            m_docker.removeContainer(c.toObject().value(u"Id").toString(), true, true);
        if (!m_network.isEmpty())
            m_docker.removeNetwork(m_network);
        QCOMPARE(test::dockerObjectsOf(m_cluster), 0);
    }

    void logsOfTheCurrentInstanceInterleaveStdoutAndStderr()
    {
        const Response r = request(kubeletPort(), "GET", "/containerLogs/default/web/app");
        QCOMPARE(r.status, 200);
        QVERIFY(r.contentType.startsWith("text/plain"));
        QCOMPARE(r.body, QByteArray("hello\nerr\n"));
    }

    void logsHonourTailLinesTimestampsLimitBytesAndPrevious()
    {
        QCOMPARE(request(kubeletPort(), "GET", "/containerLogs/default/web/app?tailLines=1").body,
                 QByteArray("err\n"));
        QCOMPARE(request(kubeletPort(), "GET", "/containerLogs/default/web/app?limitBytes=3").body,
                 QByteArray("hel"));
        QCOMPARE(request(kubeletPort(), "GET", "/containerLogs/default/web/app?previous=true").body,
                 QByteArray("first run\n"));
        const QByteArray stamped =
            request(kubeletPort(), "GET", "/containerLogs/default/web/app?timestamps=true").body;
        static const QRegularExpression line(
            u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d*[1-9])?Z (hello|err)$"_s);
        const QList<QByteArray> lines = stamped.trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        for (const QByteArray &l : lines)
            QVERIFY2(line.match(QString::fromUtf8(l)).hasMatch(), l.constData());
        QCOMPARE(
            request(kubeletPort(), "GET", "/containerLogs/default/web/app?sinceSeconds=3600").body,
            QByteArray("hello\nerr\n"));
    }

    void logErrorsAreWordedAsTheKubeletWordsThem_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("no such pod") << QByteArray("/containerLogs/default/nope/app") << 404
                                     << QByteArray("pod \"nope\" does not exist");
        QTest::newRow("container not started")
            << QByteArray("/containerLogs/default/web/later") << 400
            << QByteArray(
                   "container \"later\" in pod \"web\" is waiting to start: ContainerCreating");
        QTest::newRow("no previous instance")
            << QByteArray("/containerLogs/default/web/solo?previous=true") << 400
            << QByteArray("previous terminated container \"solo\" in pod \"web\" not found");
        QTest::newRow("negative tailLines")
            << QByteArray("/containerLogs/default/web/app?tailLines=-1") << 422
            << QByteArray(R"({"message": "Invalid request."})");
        QTest::newRow("undecodable tailLines")
            << QByteArray("/containerLogs/default/web/app?tailLines=x") << 400
            << QByteArray(R"({"message": "Unable to decode query."})");
        QTest::newRow("unknown path")
            << QByteArray("/stats/summary") << 404 << QByteArray("404 page not found\n");
    }

    void logErrorsAreWordedAsTheKubeletWordsThem()
    {
        QFETCH(QByteArray, target);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        const Response r = request(kubeletPort(), "GET", target);
        QCOMPARE(r.status, status);
        QCOMPARE(r.body, body);
    }

    void followedLogsStreamWhatTheContainerWritesLater()
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, kubeletPort());
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::ConnectedState, kTimeoutMs);
        socket.write("GET /containerLogs/default/web/solo?follow=true HTTP/1.1\r\nHost: t\r\n\r\n");
        docker::HttpResponseParser parser;
        QByteArray body;
        auto read = [&] {
            parser.feed(socket.readAll());
            body += parser.takeBody();
        };
        QTRY_VERIFY_WITH_TIMEOUT((read(), body == "solo\n"), kTimeoutMs);
        QCOMPARE(parser.header("Transfer-Encoding"), QByteArray("chunked"));
        const QString solo = containerId(u"solo"_s);
        auto wrote = m_docker.exec(solo, {u"sh"_s, u"-c"_s, u"echo later > /proc/1/fd/1"_s});
        QVERIFY(wrote && wrote->exitCode == 0);
        QTRY_COMPARE_WITH_TIMEOUT((read(), body), QByteArray("solo\nlater\n"), kTimeoutMs);
        QVERIFY(!parser.isComplete()); // still following
    }

    void execOverWebSocketReportsOutputAndExitCode_data()
    {
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<QByteArray>("out");
        QTest::addColumn<QByteArray>("err");
        QTest::addColumn<QString>("status");
        QTest::addColumn<QString>("message");
        QTest::newRow("success") << QByteArray("command=echo&command=hi&output=1&error=1")
                                 << QByteArray("hi\n") << QByteArray() << u"Success"_s << QString();
        QTest::newRow("non-zero exit")
            << QByteArray("command=sh&command=-c&command=echo%20out%3B%20echo%20oops%20%3E%262%3B"
                          "%20exit%203&output=1&error=1")
            << QByteArray("out\n") << QByteArray("oops\n") << u"Failure"_s
            << u"command terminated with non-zero exit code: error executing command "
               "[sh -c echo out; echo oops >&2; exit 3], exit code 3"_s;
    }

    void execOverWebSocketReportsOutputAndExitCode()
    {
        QFETCH(QByteArray, query);
        QFETCH(QByteArray, out);
        QFETCH(QByteArray, err);
        QFETCH(QString, status);
        QFETCH(QString, message);
        const ExecResult r = execWebSocket(kubeletPort(), "/exec/default/web/app?" + query);
        QCOMPARE(r.status, 101);
        QCOMPARE(r.protocol, QByteArray("v5.channel.k8s.io"));
        QCOMPARE(r.out, out);
        QCOMPARE(r.err, err);
        QCOMPARE(r.exitStatus.value(u"status").toString(), status);
        QCOMPARE(r.exitStatus.value(u"message").toString(), message);
        if (status == u"Failure") {
            QCOMPARE(r.exitStatus.value(u"reason").toString(), u"NonZeroExitCode"_s);
            QCOMPARE(
                r.exitStatus.value(u"details").toObject().value(u"causes").toArray(),
                (QJsonArray{QJsonObject{{u"reason"_s, u"ExitCode"_s}, {u"message"_s, u"3"_s}}}));
        }
    }

    void execStdinIsForwardedUntilTheCloseSignal()
    {
        const ExecResult r =
            execWebSocket(kubeletPort(), "/exec/default/web/app?command=cat&input=1&output=1",
                          QByteArray("through stdin\n"));
        QCOMPARE(r.status, 101);
        QCOMPARE(r.out, QByteArray("through stdin\n"));
        QCOMPARE(r.exitStatus.value(u"status").toString(), u"Success"_s);
    }

    void execOverSpdyReportsTheExitCodeOnTheErrorStream()
    {
        auto *socket = new QTcpSocket;
        QList<std::pair<QByteArray, QByteArray>> headers;
        const int status = upgrade(
            *socket, kubeletPort(),
            spdyRequest(
                "/exec/default/web/app?command=sh&command=-c&command=echo%20spdy%3B%20exit%202"
                "&output=1&error=1",
                "v4.channel.k8s.io"),
            &headers);
        QCOMPARE(status, 101);
        QCOMPARE(headerOf(headers, "x-stream-protocol-version"), QByteArray("v4.channel.k8s.io"));
        QCOMPARE(headerOf(headers, "upgrade"), QByteArray("SPDY/3.1"));
        spdy::Connection connection(socket, spdy::Session::Role::Client);
        spdy::Session &session = connection.session();
        const quint32 error = session.openStream({{"streamtype", "error"}});
        const quint32 out = session.openStream({{"streamtype", "stdout"}});
        session.openStream({{"streamtype", "stderr"}});
        QByteArray stdoutData, errorData;
        bool errorDone = false;
        connect(&session, &spdy::Session::dataReceived, this, [&](quint32 id, const QByteArray &d) {
            if (id == out)
                stdoutData += d;
            else if (id == error)
                errorData += d;
        });
        connect(&session, &spdy::Session::remoteFinished, this,
                [&](quint32 id) { errorDone = errorDone || id == error; });
        QTRY_VERIFY_WITH_TIMEOUT(errorDone, kTimeoutMs);
        QCOMPARE(stdoutData, QByteArray("spdy\n"));
        const QJsonObject exit = json(errorData);
        QCOMPARE(exit.value(u"reason").toString(), u"NonZeroExitCode"_s);
        QCOMPARE(exit.value(u"details")
                     .toObject()
                     .value(u"causes")
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(u"message")
                     .toString(),
                 u"2"_s);
    }

    void attachStreamsWhatTheContainerWrites()
    {
        auto *socket = new QTcpSocket;
        QList<std::pair<QByteArray, QByteArray>> headers;
        QCOMPARE(upgrade(*socket, kubeletPort(),
                         webSocketRequest("/attach/default/web/solo?output=1&error=1",
                                          "v5.channel.k8s.io"),
                         &headers),
                 101);
        http::WebSocket client(socket, http::WebSocket::Role::Client);
        QByteArray out;
        bool opened = false;
        connect(&client, &http::WebSocket::binaryMessageReceived, this, [&](const QByteArray &m) {
            opened = true; // the first, empty, message says the streams are up
            if (m.startsWith('\x01'))
                out += m.mid(1);
        });
        QTRY_VERIFY_WITH_TIMEOUT(opened, kTimeoutMs);
        // Docker attaches a moment after the upgrade: write until the stream shows it.
        QTRY_VERIFY_WITH_TIMEOUT(
            (m_docker.exec(containerId(u"solo"_s),
                           {u"sh"_s, u"-c"_s, u"echo attached > /proc/1/fd/1"_s}),
             out.contains("attached\n")),
            kTimeoutMs);
        client.close();
        QTRY_VERIFY_WITH_TIMEOUT(!client.isOpen(), kTimeoutMs);
    }

    void streamsThatCannotStartAreRefusedAsTheKubeletRefusesThem_data()
    {
        QTest::addColumn<QByteArray>("requestText");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("exec in a missing container")
            << webSocketRequest("/exec/default/web/nope?command=ls&output=1", "v5.channel.k8s.io")
            << 500 << QByteArray("container not found (\"nope\")");
        QTest::newRow("attach to a missing container")
            << webSocketRequest("/attach/default/web/nope?output=1", "v5.channel.k8s.io") << 500
            << QByteArray("container nope not found in pod web_default");
        QTest::newRow("exec without streams")
            << webSocketRequest("/exec/default/web/app?command=ls", "v5.channel.k8s.io") << 400
            << QByteArray("you must specify at least 1 of stdin, stdout, stderr");
        QTest::newRow("unknown protocol")
            << webSocketRequest("/exec/default/web/app?command=ls&output=1", "v9.channel.k8s.io")
            << 403 << QByteArray();
        QTest::newRow("exec in a missing pod")
            << spdyRequest("/exec/default/gone/app?command=ls&output=1", "v4.channel.k8s.io") << 404
            << QByteArray("pod does not exist");
    }

    void streamsThatCannotStartAreRefusedAsTheKubeletRefusesThem()
    {
        QFETCH(QByteArray, requestText);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QTcpSocket socket;
        QList<std::pair<QByteArray, QByteArray>> headers;
        QCOMPARE(upgrade(socket, kubeletPort(), requestText, &headers), status);
        const qint64 length = headerOf(headers, "content-length").toLongLong();
        QTRY_VERIFY_WITH_TIMEOUT(socket.bytesAvailable() >= length, kTimeoutMs);
        QCOMPARE(socket.read(length), body);
    }

    void portForwardThroughAWebSocketTunnelReachesThePod()
    {
        auto *socket = new QTcpSocket;
        QList<std::pair<QByteArray, QByteArray>> headers;
        QCOMPARE(
            upgrade(*socket, kubeletPort(),
                    webSocketRequest("/portForward/default/web", "SPDY/3.1+portforward.k8s.io"),
                    &headers),
            101);
        QCOMPARE(headerOf(headers, "sec-websocket-protocol"),
                 QByteArray("SPDY/3.1+portforward.k8s.io"));
        auto *tunnel = new http::WebSocket(socket, http::WebSocket::Role::Client);
        spdy::Connection connection(tunnel, spdy::Session::Role::Client);
        const Forwarded r = forward(connection, 8080, "GET / HTTP/1.0\r\n\r\n");
        QVERIFY(r.dataFinished && r.errorFinished);
        QVERIFY2(r.data.startsWith("HTTP/1.") && r.data.endsWith("pong\n"), r.data.constData());
        QCOMPARE(r.error, QByteArray());
    }

    void portForwardOverSpdyReportsARefusedPortOnTheErrorStream()
    {
        auto *socket = new QTcpSocket;
        QList<std::pair<QByteArray, QByteArray>> headers;
        QCOMPARE(upgrade(*socket, kubeletPort(),
                         spdyRequest("/portForward/default/web", "portforward.k8s.io"), &headers),
                 101);
        spdy::Connection connection(socket, spdy::Session::Role::Client);
        const Forwarded refused = forward(connection, 9, "hello");
        QVERIFY(refused.errorFinished && refused.dataFinished);
        QCOMPARE(
            QString::fromUtf8(refused.error),
            u"error forwarding port 9 to pod %1, uid : dial tcp4 %2:9: connect: connection refused"_s
                .arg(m_sandboxId, m_podIp));
        // The connection still forwards: a second request on it reaches the server.
        const Forwarded served = forward(connection, 8080, "GET / HTTP/1.0\r\n\r\n");
        QVERIFY(served.data.endsWith("pong\n"));
    }

    // --- through the API server ---------------------------------------------------------------

    // The API server reaches the node agent over TLS, each side checking the other's
    // certificate against the cluster CA, as in a cluster.
    void apiServerStarts()
    {
        QVERIFY(m_dir.isValid());
        auto ca = pki::createCertificateAuthority(u"streams-ca"_s);
        QVERIFY(ca);
        pki::CertificateRequest serving;
        serving.commonName = u"system:node:streams-node"_s;
        serving.dnsNames = {u"streams-node"_s};
        serving.ipAddresses = {u"127.0.0.1"_s};
        serving.serverAuth = true;
        auto nodeKeys = pki::issueCertificate(*ca, serving);
        pki::CertificateRequest client;
        client.commonName = u"kube-apiserver-kubelet-client"_s;
        client.organizations = {u"system:masters"_s};
        client.clientAuth = true;
        auto apiClient = pki::issueCertificate(*ca, client);
        QVERIFY(nodeKeys && apiClient);
        QVERIFY(writeFile(u"ca.crt"_s, ca->certificatePem));
        QVERIFY(writeFile(u"node.crt"_s, nodeKeys->certificatePem));
        QVERIFY(writeFile(u"node.key"_s, nodeKeys->privateKeyPem));
        QVERIFY(writeFile(u"client.crt"_s, apiClient->certificatePem));
        QVERIFY(writeFile(u"client.key"_s, apiClient->privateKeyPem));

        kubelet::KubeletServerOptions tls;
        tls.address = QHostAddress::LocalHost;
        tls.port = 0;
        tls.certificateFile = m_dir.filePath(u"node.crt"_s);
        tls.keyFile = m_dir.filePath(u"node.key"_s);
        tls.clientCaFile = m_dir.filePath(u"ca.crt"_s);
        tls.nodeName = u"streams-node"_s;
        tls.docker = m_docker;
        m_tlsKubelet = std::make_unique<kubelet::KubeletServer>(tls);
        auto served = m_tlsKubelet->start();
        QVERIFY2(served, qPrintable(served ? QString() : served.error()));

        apiserver::ApiServerOptions options;
        options.address = QHostAddress::LocalHost;
        options.port = 0;
        options.plainHttp = true;
        options.dataDirectory = m_dir.filePath(u"data"_s);
        options.encryptionKeyFile = m_dir.filePath(u"key"_s);
        options.clientCaFile = m_dir.filePath(u"ca.crt"_s);
        options.kubeletClientCertificateFile = m_dir.filePath(u"client.crt"_s);
        options.kubeletClientKeyFile = m_dir.filePath(u"client.key"_s);
        m_api = std::make_unique<apiserver::ApiServer>(options);
        auto started = m_api->start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error()));
        QTRY_COMPARE_WITH_TIMEOUT(request(apiPort(), "GET", "/api/v1/namespaces/default").status,
                                  200, kTimeoutMs);
        const QJsonObject node{
            {u"apiVersion"_s, u"v1"_s},
            {u"kind"_s, u"Node"_s},
            {u"metadata"_s, QJsonObject{{u"name"_s, u"streams-node"_s}}},
            {u"status"_s,
             QJsonObject{{u"addresses"_s, QJsonArray{QJsonObject{{u"type"_s, u"InternalIP"_s},
                                                                 {u"address"_s, u"127.0.0.1"_s}}}},
                         {u"daemonEndpoints"_s,
                          QJsonObject{{u"kubeletEndpoint"_s,
                                       QJsonObject{{u"Port"_s, m_tlsKubelet->port()}}}}}}}};
        QVERIFY(apiPost("/api/v1/nodes", node).startsWith("HTTP/1.1 201"));
        auto pod = [](const QString &name, const QString &nodeName) {
            QJsonObject spec{
                {u"containers"_s,
                 QJsonArray{QJsonObject{{u"name"_s, u"app"_s}, {u"image"_s, u"busybox"_s}},
                            QJsonObject{{u"name"_s, u"solo"_s}, {u"image"_s, u"busybox"_s}}}}};
            if (!nodeName.isEmpty())
                spec.insert(u"nodeName"_s, nodeName);
            return QJsonObject{{u"apiVersion"_s, u"v1"_s},
                               {u"kind"_s, u"Pod"_s},
                               {u"metadata"_s, QJsonObject{{u"name"_s, name}}},
                               {u"spec"_s, spec}};
        };
        QVERIFY(apiPost("/api/v1/namespaces/default/pods", pod(u"web"_s, u"streams-node"_s))
                    .startsWith("HTTP/1.1 201"));
        QVERIFY(apiPost("/api/v1/namespaces/default/pods", pod(u"pending"_s, {}))
                    .startsWith("HTTP/1.1 201"));
    }

    void tlsNodeAgentAnswersOnlyClientsWithAClusterCertificate()
    {
        QSslSocket socket;
        socket.setPeerVerifyMode(QSslSocket::VerifyNone);
        socket.connectToHostEncrypted(u"127.0.0.1"_s, m_tlsKubelet->port());
        QTRY_VERIFY_WITH_TIMEOUT(socket.isEncrypted(), kTimeoutMs);
        socket.write("GET /containerLogs/default/web/app HTTP/1.1\r\nHost: t\r\n"
                     "Connection: close\r\n\r\n");
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, kTimeoutMs);
        const QByteArray answer = socket.readAll();
        QVERIFY2(answer.startsWith("HTTP/1.1 401") && answer.endsWith("Unauthorized"),
                 answer.constData());
    }

    void apiServerRelaysLogsAndTurnsNodeAgentErrorsIntoStatus_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QByteArray>("body");
        const QByteArray pods = "/api/v1/namespaces/default/pods/";
        QTest::newRow("logs") << pods + "web/log?container=app" << 200 << QString()
                              << QByteArray("hello\nerr\n");
        QTest::newRow("tail") << pods + "web/log?container=app&tailLines=1" << 200 << QString()
                              << QByteArray("err\n");
        QTest::newRow("node agent refusal")
            << pods + "web/log?container=solo&previous=true" << 400 << u"BadRequest"_s
            << QByteArray("previous terminated container \"solo\" in pod \"web\" not found");
        QTest::newRow("no such pod")
            << pods + "nope/log" << 404 << u"NotFound"_s << QByteArray("pods \"nope\" not found");
        QTest::newRow("container to choose")
            << pods + "web/log" << 400 << u"BadRequest"_s
            << QByteArray(
                   "a container name must be specified for pod web, choose one of: [app solo]");
        QTest::newRow("unknown container") << pods + "web/log?container=x" << 400 << u"BadRequest"_s
                                           << QByteArray("container x is not valid for pod web");
        QTest::newRow("invalid options")
            << pods + "web/log?container=app&tailLines=-2" << 422 << u"Invalid"_s
            << QByteArray("PodLogOptions \"web\" is invalid: tailLines: Invalid value: -2: must be "
                          "greater than or equal to 0");
        QTest::newRow("exec without upgrade")
            << pods + "web/exec?container=app&command=ls&stdout=true" << 400 << u"BadRequest"_s
            << QByteArray("Upgrade request required");
        QTest::newRow("exec on an unscheduled pod")
            << pods + "pending/exec?container=app&command=ls&stdout=true" << 400 << u"BadRequest"_s
            << QByteArray("pod pending does not have a host assigned");
        QTest::newRow("logs of an unscheduled pod")
            << pods + "pending/log?container=app" << 204 << QString() << QByteArray();
    }

    void apiServerRelaysLogsAndTurnsNodeAgentErrorsIntoStatus()
    {
        QFETCH(QByteArray, target);
        QFETCH(int, status);
        QFETCH(QString, reason);
        QFETCH(QByteArray, body);
        const Response r = request(apiPort(), "GET", target);
        QCOMPARE(r.status, status);
        if (reason.isEmpty()) {
            QCOMPARE(r.body, body);
            return;
        }
        const QJsonObject s = json(r.body);
        QCOMPARE(s.value(u"kind").toString(), u"Status"_s);
        QCOMPARE(s.value(u"reason").toString(), reason);
        QCOMPARE(s.value(u"message").toString(), QString::fromUtf8(body));
    }

    void apiServerRelaysExecOverWebSocket()
    {
        const ExecResult r = execWebSocket(
            apiPort(),
            "/api/v1/namespaces/default/pods/web/exec?container=app&command=sh&command=-c"
            "&command=echo%20relayed%3B%20exit%204&stdout=true&stderr=true");
        QCOMPARE(r.status, 101);
        QCOMPARE(r.protocol, QByteArray("v5.channel.k8s.io"));
        QCOMPARE(r.out, QByteArray("relayed\n"));
        QCOMPARE(r.exitStatus.value(u"details")
                     .toObject()
                     .value(u"causes")
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(u"message")
                     .toString(),
                 u"4"_s);
    }

    void apiServerRelaysPortForwardTunnels()
    {
        auto *socket = new QTcpSocket;
        QList<std::pair<QByteArray, QByteArray>> headers;
        QCOMPARE(upgrade(*socket, apiPort(),
                         webSocketRequest("/api/v1/namespaces/default/pods/web/portforward",
                                          "SPDY/3.1+portforward.k8s.io"),
                         &headers),
                 101);
        auto *tunnel = new http::WebSocket(socket, http::WebSocket::Role::Client);
        spdy::Connection connection(tunnel, spdy::Session::Role::Client);
        const Forwarded r = forward(connection, 8080, "GET / HTTP/1.0\r\n\r\n");
        QVERIFY2(r.data.endsWith("pong\n"), r.data.constData());
    }
};

QTEST_GUILESS_MAIN(TestStreams)
#include "tst_streams.moc"
