// The API server in this process, over plain HTTP on loopback: bad input of every kind is one
// Status error and writes nothing; watches resume and expire as Kubernetes' do.
#include "apiserver/apiserver.h"
#include "apiserver/inprocessclient.h"
#include "controllers/garbagecollector.h"
#include "controllers/namespacecontroller.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTemporaryDir>
#include <QTest>

using namespace timonel;
using namespace Qt::StringLiterals;

namespace {

struct Reply
{
    int status = 0;
    QByteArray body;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

} // namespace

class TestApiServer : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<apiserver::ApiServer> m_server;
    std::unique_ptr<apiserver::InProcessClient> m_inProcess;
    std::unique_ptr<controllers::NamespaceController> m_namespaces;
    std::unique_ptr<controllers::GarbageCollector> m_garbage;
    QNetworkAccessManager m_network;

    QUrl url(const QString &path) const
    {
        return QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_server->port()).arg(path));
    }

    Reply send(const QByteArray &method, const QString &path, const QByteArray &body = {},
               const QByteArray &contentType = "application/json", const QByteArray &accept = {})
    {
        QNetworkRequest request(url(path));
        if (!accept.isEmpty())
            request.setRawHeader("Accept", accept);
        request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
        request.setTransferTimeout(10000);
        QNetworkReply *reply = m_network.sendCustomRequest(request, method, body);
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        Reply r{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                reply->readAll()};
        reply->deleteLater();
        return r;
    }

    int configMapCount(const QString &ns)
    {
        return int(send("GET", u"/api/v1/namespaces/%1/configmaps"_s.arg(ns))
                       .json()
                       .value(u"items")
                       .toArray()
                       .size());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        apiserver::ApiServerOptions options;
        options.address = QHostAddress::LocalHost;
        options.port = 0;
        options.plainHttp = true;
        options.dataDirectory = m_dir.filePath(u"data"_s);
        options.encryptionKeyFile = m_dir.filePath(u"key"_s);
        m_server = std::make_unique<apiserver::ApiServer>(options);
        auto started = m_server->start();
        QVERIFY2(started, qPrintable(started ? QString() : started.error()));
        // As in the control-plane process: the namespace controller beside the API server.
        m_inProcess = std::make_unique<apiserver::InProcessClient>(m_server->store());
        m_namespaces = std::make_unique<controllers::NamespaceController>(*m_inProcess);
        m_namespaces->start();
        m_garbage = std::make_unique<controllers::GarbageCollector>(*m_inProcess);
        m_garbage->start();
        QTRY_COMPARE_WITH_TIMEOUT(send("GET", u"/api/v1/namespaces/default"_s).status, 200, 10000);
    }

    void cleanupTestCase()
    {
        m_garbage.reset();
        m_namespaces.reset();
        m_inProcess.reset();
        m_server.reset();
    }

    void badInputIsOneStatusErrorAndWritesNothing_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QString>("message");
        const QString cms = u"/api/v1/namespaces/default/configmaps"_s;
        QTest::newRow("malformed JSON")
            << QByteArray("POST") << cms << QByteArray("application/json")
            << QByteArray("{\"kind\": ") << 400 << u"BadRequest"_s
            << u"couldn't get version/kind; json parse error"_s;
        QTest::newRow("malformed YAML")
            << QByteArray("POST") << cms << QByteArray("application/yaml") << QByteArray("kind: [")
            << 400 << u"BadRequest"_s << u"error converting YAML to JSON"_s;
        QTest::newRow("protobuf garbage")
            << QByteArray("POST") << cms << QByteArray("application/vnd.kubernetes.protobuf")
            << QByteArray("k8s\0\x0a\xff\xff", 7) << 400 << u"BadRequest"_s << QString();
        QTest::newRow("unknown media type")
            << QByteArray("POST") << cms << QByteArray("text/plain") << QByteArray("x") << 415
            << u"UnsupportedMediaType"_s << u"the body of the request was in an unknown format"_s;
        QTest::newRow("wrong apiVersion")
            << QByteArray("POST") << cms << QByteArray("application/json")
            << QByteArray(R"({"apiVersion":"apps/v1","kind":"ConfigMap","metadata":{"name":"a"}})")
            << 400 << u"BadRequest"_s
            << u"the API version in the data (apps/v1) does not match the expected API version (v1)"_s;
        QTest::newRow("invalid name")
            << QByteArray("POST") << cms << QByteArray("application/json")
            << QByteArray(
                   R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Not_Valid"}})")
            << 422 << u"Invalid"_s << u"ConfigMap \"Not_Valid\" is invalid: metadata.name"_s;
        QTest::newRow("unknown field, strict")
            << QByteArray("POST") << cms + u"?fieldValidation=Strict"_s
            << QByteArray("application/json")
            << QByteArray(
                   R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"s"},"datta":{}})")
            << 400 << u"BadRequest"_s << u"strict decoding error: unknown field \"datta\""_s;
        QTest::newRow("wrong type")
            << QByteArray("POST") << cms << QByteArray("application/json")
            << QByteArray(
                   R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"t"},"data":[1]})")
            << 400 << u"BadRequest"_s << u"cannot unmarshal array into Go struct field"_s;
        QTest::newRow("over 3 MiB")
            << QByteArray("POST") << cms << QByteArray("application/json")
            << QByteArray(3 * 1024 * 1024 + 1, ' ') << 413 << u"RequestEntityTooLarge"_s
            << u"Request entity too large: limit is 3145728"_s;
        QTest::newRow("no such namespace")
            << QByteArray("POST") << u"/api/v1/namespaces/nowhere/configmaps"_s
            << QByteArray("application/json")
            << QByteArray(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"n"}})")
            << 404 << u"NotFound"_s << u"namespaces \"nowhere\" not found"_s;
        QTest::newRow("no such resource")
            << QByteArray("GET") << u"/api/v1/gizmos"_s << QByteArray() << QByteArray() << 404
            << u"NotFound"_s << u"the server could not find the requested resource"_s;
        QTest::newRow("bad label selector")
            << QByteArray("GET") << cms + u"?labelSelector=a%20in"_s << QByteArray() << QByteArray()
            << 400 << u"BadRequest"_s << QString();
        QTest::newRow("unsupported field selector")
            << QByteArray("GET") << cms + u"?fieldSelector=spec.nope%3Dx"_s << QByteArray()
            << QByteArray() << 400 << u"BadRequest"_s << u"field label not supported: spec.nope"_s;
        QTest::newRow("bad dryRun")
            << QByteArray("POST") << cms + u"?dryRun=Maybe"_s << QByteArray("application/json")
            << QByteArray("{}") << 400 << u"BadRequest"_s << u"Invalid dryRun value: Maybe"_s;
        QTest::newRow("patch of a missing object")
            << QByteArray("PATCH") << cms + u"/ghost"_s
            << QByteArray("application/merge-patch+json") << QByteArray("{}") << 404
            << u"NotFound"_s << u"configmaps \"ghost\" not found"_s;
    }

    void badInputIsOneStatusErrorAndWritesNothing()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, reason);
        QFETCH(QString, message);
        const int before = configMapCount(u"default"_s);
        const Reply r = send(method, path, body, contentType);
        QCOMPARE(r.status, status);
        const QJsonObject s = r.json();
        QCOMPARE(s.value(u"kind").toString(), u"Status"_s);
        QCOMPARE(s.value(u"status").toString(), u"Failure"_s);
        QCOMPARE(s.value(u"code").toInt(), status);
        QCOMPARE(s.value(u"reason").toString(), reason);
        QVERIFY2(s.value(u"message").toString().contains(message), r.body.constData());
        QCOMPARE(configMapCount(u"default"_s), before);
    }

    void invalidObjectsListEveryCause()
    {
        const Reply r = send("POST", u"/api/v1/namespaces/default/pods"_s,
                             R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
                                "spec":{"containers":[{"name":"c"},{"name":"c","image":"x"}],
                                        "restartPolicy":"Sometimes"}})");
        QCOMPARE(r.status, 422);
        QStringList fields;
        for (const QJsonValue &c : r.json().value(u"details").toObject().value(u"causes").toArray())
            fields.append(c.toObject().value(u"field").toString());
        QVERIFY2(fields.contains(u"spec.containers[0].image"_s), r.body.constData());
        QVERIFY2(fields.contains(u"spec.containers[1].name"_s), r.body.constData());
        QVERIFY2(fields.contains(u"spec.restartPolicy"_s), r.body.constData());
    }

    void dryRunValidatesWithoutWriting()
    {
        const QByteArray cm = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dry"}})";
        const Reply r = send("POST", u"/api/v1/namespaces/default/configmaps?dryRun=All"_s, cm);
        QCOMPARE(r.status, 201);
        QCOMPARE(r.json().value(u"metadata").toObject().value(u"name").toString(), u"dry"_s);
        QCOMPARE(send("GET", u"/api/v1/namespaces/default/configmaps/dry"_s).status, 404);
    }

    void generateNameAndOptimisticConcurrency()
    {
        const Reply created = send("POST", u"/api/v1/namespaces/default/configmaps"_s,
                                   R"({"metadata":{"generateName":"gen-"},"data":{"a":"1"}})");
        QCOMPARE(created.status, 201);
        QJsonObject cm = created.json();
        const QString name = cm.value(u"metadata").toObject().value(u"name").toString();
        QVERIFY2(name.startsWith(u"gen-"_s) && name.size() == 9, qPrintable(name));
        const QString path = u"/api/v1/namespaces/default/configmaps/"_s + name;
        cm.insert(u"data"_s, QJsonObject{{u"a"_s, u"2"_s}});
        const QByteArray update = QJsonDocument(cm).toJson();
        QCOMPARE(send("PUT", path, update).status, 200);
        const Reply stale = send("PUT", path, update); // same resourceVersion again
        QCOMPARE(stale.status, 409);
        QCOMPARE(stale.json().value(u"reason").toString(), u"Conflict"_s);
    }

    void finalizersHoldDeletionUntilRemoved()
    {
        const QString path = u"/api/v1/namespaces/default/configmaps/held"_s;
        QCOMPARE(send("POST", u"/api/v1/namespaces/default/configmaps"_s,
                      R"({"metadata":{"name":"held","finalizers":["example.com/hold"]}})")
                     .status,
                 201);
        const Reply deleting = send("DELETE", path);
        QCOMPARE(deleting.status, 200);
        QVERIFY(!deleting.json()
                     .value(u"metadata")
                     .toObject()
                     .value(u"deletionTimestamp")
                     .isUndefined());
        QCOMPARE(send("GET", path).status, 200);
        QCOMPARE(send("PATCH", path, R"({"metadata":{"finalizers":null}})",
                      "application/merge-patch+json")
                     .status,
                 200);
        QCOMPARE(send("GET", path).status, 404);
    }

    void listsPaginateWithContinue()
    {
        for (int i = 0; i < 5; ++i)
            QCOMPARE(send("POST", u"/api/v1/namespaces/kube-public/configmaps"_s,
                          u"{\"metadata\":{\"name\":\"page-%1\"}}"_s.arg(i).toUtf8())
                         .status,
                     201);
        QStringList names;
        QString token;
        int pages = 0;
        do {
            const Reply r = send(
                "GET", u"/api/v1/namespaces/kube-public/configmaps?limit=2&continue="_s + token);
            QCOMPARE(r.status, 200);
            for (const QJsonValue &i : r.json().value(u"items").toArray())
                names.append(i.toObject().value(u"metadata").toObject().value(u"name").toString());
            token = r.json().value(u"metadata").toObject().value(u"continue").toString();
            ++pages;
        } while (!token.isEmpty() && pages < 10);
        QCOMPARE(pages, 3);
        QCOMPARE(names,
                 QStringList({u"page-0"_s, u"page-1"_s, u"page-2"_s, u"page-3"_s, u"page-4"_s}));
    }

    void deletingANamespaceEmptiesItFirst()
    {
        QCOMPARE(send("POST", u"/api/v1/namespaces"_s, R"({"metadata":{"name":"doomed"}})").status,
                 201);
        QCOMPARE(send("POST", u"/api/v1/namespaces/doomed/configmaps"_s,
                      R"({"metadata":{"name":"c","finalizers":["example.com/hold"]}})")
                     .status,
                 201);
        QCOMPARE(send("DELETE", u"/api/v1/namespaces/doomed"_s).status, 200);
        // Held by the config map's finalizer: Terminating, and closed to new content.
        QTRY_COMPARE_WITH_TIMEOUT(send("GET", u"/api/v1/namespaces/doomed/configmaps/c"_s)
                                      .json()
                                      .value(u"metadata")
                                      .toObject()
                                      .contains(u"deletionTimestamp"),
                                  true, 10000);
        QCOMPARE(send("GET", u"/api/v1/namespaces/doomed"_s)
                     .json()
                     .value(u"status")
                     .toObject()
                     .value(u"phase")
                     .toString(),
                 u"Terminating"_s);
        const Reply refused = send("POST", u"/api/v1/namespaces/doomed/configmaps"_s,
                                   R"({"metadata":{"name":"late"}})");
        QCOMPARE(refused.status, 403);
        QCOMPARE(send("PATCH", u"/api/v1/namespaces/doomed/configmaps/c"_s,
                      R"({"metadata":{"finalizers":null}})", "application/merge-patch+json")
                     .status,
                 200);
        QTRY_COMPARE_WITH_TIMEOUT(send("GET", u"/api/v1/namespaces/doomed"_s).status, 404, 10000);
    }

    // A parent config map and a child owned by it; returns the child's path.
    QString family(const QString &parent)
    {
        const Reply p = send("POST", u"/api/v1/namespaces/default/configmaps"_s,
                             u"{\"metadata\":{\"name\":\"%1\"}}"_s.arg(parent).toUtf8());
        const QString uid = p.json().value(u"metadata").toObject().value(u"uid").toString();
        const QJsonObject child{
            {u"metadata"_s,
             QJsonObject{{u"name"_s, parent + u"-child"_s},
                         {u"ownerReferences"_s,
                          QJsonArray{QJsonObject{{u"apiVersion"_s, u"v1"_s},
                                                 {u"kind"_s, u"ConfigMap"_s},
                                                 {u"name"_s, parent},
                                                 {u"uid"_s, uid},
                                                 {u"blockOwnerDeletion"_s, true}}}}}}};
        send("POST", u"/api/v1/namespaces/default/configmaps"_s, QJsonDocument(child).toJson());
        return u"/api/v1/namespaces/default/configmaps/%1-child"_s.arg(parent);
    }

    void deletionPropagatesToDependents_data()
    {
        QTest::addColumn<QString>("policy");
        QTest::addColumn<bool>("childSurvives");
        QTest::newRow("background") << u"Background"_s << false;
        QTest::newRow("foreground") << u"Foreground"_s << false;
        QTest::newRow("orphan") << u"Orphan"_s << true;
    }

    void deletionPropagatesToDependents()
    {
        QFETCH(QString, policy);
        QFETCH(bool, childSurvives);
        const QString parent = u"parent-"_s + policy.toLower();
        const QString child = family(parent);
        QCOMPARE(send("GET", child).status, 200);
        const QByteArray options = u"{\"propagationPolicy\":\"%1\"}"_s.arg(policy).toUtf8();
        QCOMPARE(
            send("DELETE", u"/api/v1/namespaces/default/configmaps/"_s + parent, options).status,
            200);
        QTRY_COMPARE_WITH_TIMEOUT(
            send("GET", u"/api/v1/namespaces/default/configmaps/"_s + parent).status, 404, 10000);
        if (childSurvives) {
            const Reply c = send("GET", child);
            QCOMPARE(c.status, 200);
            QVERIFY(!c.json().value(u"metadata").toObject().contains(u"ownerReferences"));
        } else {
            QTRY_COMPARE_WITH_TIMEOUT(send("GET", child).status, 404, 10000);
        }
    }

    void tableRowsFollowEveryChange()
    {
        // Rows are kept per object revision: a change must show in the next list.
        const QString list = u"/api/v1/namespaces/kube-node-lease/configmaps"_s;
        const QByteArray table = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
        auto dataCell = [&] {
            const QJsonArray rows =
                send("GET", list, {}, {}, table).json().value(u"rows").toArray();
            return rows.isEmpty() ? QJsonValue()
                                  : rows[0].toObject().value(u"cells").toArray().at(1);
        };
        QCOMPARE(send("POST", list, R"({"metadata":{"name":"t"},"data":{"a":"1"}})").status, 201);
        QCOMPARE(dataCell(), QJsonValue(1));
        QCOMPARE(dataCell(), QJsonValue(1)); // from the kept row
        QCOMPARE(
            send("PATCH", list + u"/t"_s, R"({"data":{"b":"2"}})", "application/merge-patch+json")
                .status,
            200);
        QCOMPARE(dataCell(), QJsonValue(2));
    }
};

QTEST_GUILESS_MAIN(TestApiServer)
#include "tst_apiserver.moc"
