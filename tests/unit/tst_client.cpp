// The Kubernetes API client against a real API server started in this process, over HTTPS with
// certificates issued here: CRUD, Status errors, selectors, watches, informers (including the
// relist after 410 Gone), discovery, TLS and authentication failures, pod logs, kubeconfigs.
#include "apiserver/apiserver.h"
#include "apiserver/inprocessclient.h"
#include "client/httpsclient.h"
#include "client/informer.h"
#include "client/kubeconfigclient.h"
#include "http/httpserver.h"
#include "pki/certificates.h"
#include "pki/kubeconfig.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <openssl/evp.h>
#include <openssl/pem.h>

using namespace Qt::StringLiterals;
using namespace timonel;
using client::Error;
using client::Resource;
using client::Result;

namespace {

constexpr int timeoutMs = 10'000;
const Resource configMaps{{}, u"v1"_s, u"configmaps"_s};

// Runs an asynchronous call to its callback; an Error with code -1 when it never came.
template <typename T> Result<T> await(const std::function<void(client::Callback<T>)> &call)
{
    std::optional<Result<T>> result;
    call([&result](Result<T> r) { result = std::move(r); });
    if (!QTest::qWaitFor([&] { return result.has_value(); }, timeoutMs))
        return std::unexpected(Error{-1, {}, u"no answer within 10 s"_s, {}});
    return *result;
}

// The error of a failed result for QVERIFY2, which evaluates its message even on success.
template <typename R> QByteArray failure(const R &r)
{
    if (r)
        return {};
    if constexpr (requires { r.error().code; })
        return QByteArray::number(r.error().code) + ' ' + r.error().message.toUtf8();
    else
        return r.error().toUtf8();
}

QJsonObject configMap(const QString &name, const QJsonObject &labels = {},
                      const QJsonObject &data = {})
{
    QJsonObject meta{{u"name"_s, name}};
    if (!labels.isEmpty())
        meta.insert(u"labels"_s, labels);
    return {{u"apiVersion"_s, u"v1"_s},
            {u"kind"_s, u"ConfigMap"_s},
            {u"metadata"_s, meta},
            {u"data"_s, data}};
}

QString nameOf(const QJsonObject &o)
{
    return o.value(u"metadata").toObject().value(u"name").toString();
}

QStringList namesOf(const QJsonArray &items)
{
    QStringList names;
    for (const QJsonValue &v : items)
        names.append(nameOf(v.toObject()));
    names.sort();
    return names;
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

// A PEM private key made with OpenSSL in one of the forms kubeconfigs carry.
QByteArray generateKey(bool rsa, bool traditional)
{
    EVP_PKEY *key = rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
    BIO *bio = BIO_new(BIO_s_mem());
    if (traditional)
        PEM_write_bio_PrivateKey_traditional(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    else
        PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    const QByteArray pem(data, size);
    BIO_free(bio);
    EVP_PKEY_free(key);
    return pem;
}

enum class Failing
{
    GetMissing,
    CreateExisting,
    UpdateStale,
    CreateInvalid,
    UnknownResource
};

} // namespace

class TestClient : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    pki::KeyPair m_ca;
    pki::KeyPair m_serverPair;
    pki::KeyPair m_admin;
    std::unique_ptr<apiserver::ApiServer> m_server;
    std::unique_ptr<client::HttpsClient> m_client;
    int m_serial = 0;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    // An API server over `dataDirectory` with this test's certificates.
    std::expected<std::unique_ptr<apiserver::ApiServer>, QString>
    startServer(const QString &dataDirectory, quint16 port = 0)
    {
        apiserver::ApiServerOptions options;
        options.address = QHostAddress::LocalHost;
        options.port = port;
        options.certificateFile = path(u"server.crt"_s);
        options.keyFile = path(u"server.key"_s);
        options.clientCaFile = path(u"ca.crt"_s);
        options.dataDirectory = dataDirectory;
        auto server = std::make_unique<apiserver::ApiServer>(options);
        if (auto ok = server->start(); !ok)
            return std::unexpected(ok.error());
        return server;
    }

    QString kubeconfigFor(quint16 port, const QByteArray &caPem, const QByteArray &certPem,
                          const QByteArray &keyPem)
    {
        const QString file = path(u"kubeconfig-%1"_s.arg(++m_serial));
        const QByteArray yaml = pki::renderKubeconfig(
            {u"timonel-test"_s, u"https://127.0.0.1:%1"_s.arg(port), caPem, certPem, keyPem});
        return writeFile(file, yaml) ? file : QString();
    }

    std::unique_ptr<client::HttpsClient> adminClient(quint16 port)
    {
        auto c = client::HttpsClient::fromKubeconfig(kubeconfigFor(
            port, m_ca.certificatePem, m_admin.certificatePem, m_admin.privateKeyPem));
        return c ? std::move(*c) : nullptr;
    }

    Result<QJsonObject> create(client::ApiClient &c, const QJsonObject &object,
                               const QString &ns = u"default"_s)
    {
        return await<QJsonObject>(
            [&](auto done) { c.create(configMaps, ns, object, {u"test"_s}, done); });
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto ca = pki::createCertificateAuthority(u"timonel-test-ca"_s);
        QVERIFY2(ca, failure(ca));
        m_ca = *ca;
        pki::CertificateRequest server;
        server.commonName = u"kube-apiserver"_s;
        server.dnsNames = {u"localhost"_s};
        server.ipAddresses = {u"127.0.0.1"_s};
        server.serverAuth = true;
        auto serverPair = pki::issueCertificate(m_ca, server);
        QVERIFY2(serverPair, failure(serverPair));
        m_serverPair = *serverPair;
        pki::CertificateRequest admin;
        admin.commonName = u"kubernetes-admin"_s;
        admin.organizations = {u"system:masters"_s};
        admin.clientAuth = true;
        auto adminPair = pki::issueCertificate(m_ca, admin);
        QVERIFY2(adminPair, failure(adminPair));
        m_admin = *adminPair;
        QVERIFY(writeFile(path(u"ca.crt"_s), m_ca.certificatePem));
        QVERIFY(writeFile(path(u"server.crt"_s), m_serverPair.certificatePem));
        QVERIFY(writeFile(path(u"server.key"_s), m_serverPair.privateKeyPem));

        auto started = startServer(path(u"data"_s));
        QVERIFY2(started, failure(started));
        m_server = std::move(*started);
        m_client = adminClient(m_server->port());
        QVERIFY(m_client);
    }

    void cleanupTestCase()
    {
        m_client.reset();
        m_server.reset();
    }

    void createGetUpdatePatchDeleteRoundTrip()
    {
        client::HttpsClient &c = *m_client;
        auto created = create(c, configMap(u"crud"_s, {}, {{u"k"_s, u"1"_s}}));
        QVERIFY2(created, failure(created));
        QVERIFY(!created->value(u"metadata")[u"uid"].toString().isEmpty());

        auto got = await<QJsonObject>(
            [&](auto done) { c.get(configMaps, u"default"_s, u"crud"_s, done); });
        QVERIFY2(got, failure(got));
        QCOMPARE(got->value(u"data")[u"k"].toString(), u"1"_s);

        QJsonObject changed = *got;
        changed.insert(u"data"_s, QJsonObject{{u"k"_s, u"2"_s}});
        auto updated = await<QJsonObject>(
            [&](auto done) { c.update(configMaps, u"default"_s, changed, {}, {}, done); });
        QVERIFY2(updated, failure(updated));
        QCOMPARE(updated->value(u"data")[u"k"].toString(), u"2"_s);
        QVERIFY(updated->value(u"metadata")[u"resourceVersion"] !=
                got->value(u"metadata")[u"resourceVersion"]);

        auto patched = await<QJsonObject>([&](auto done) {
            c.patch(configMaps, u"default"_s, u"crud"_s, client::PatchType::Merge,
                    R"({"data":{"extra":"x"}})", {}, {}, done);
        });
        QVERIFY2(patched, failure(patched));
        QCOMPARE(patched->value(u"data")[u"k"].toString(), u"2"_s);
        QCOMPARE(patched->value(u"data")[u"extra"].toString(), u"x"_s);

        auto applied = await<QJsonObject>([&](auto done) {
            QJsonObject intent = configMap(u"crud"_s, {}, {{u"applied"_s, u"yes"_s}});
            intent[u"metadata"_s] =
                QJsonObject{{u"name"_s, u"crud"_s}, {u"namespace"_s, u"default"_s}};
            c.apply(configMaps, intent, {u"timonel-test"_s, false, true}, done);
        });
        QVERIFY2(applied, failure(applied));
        QCOMPARE(applied->value(u"data")[u"applied"].toString(), u"yes"_s);

        auto removed = await<QJsonObject>(
            [&](auto done) { c.remove(configMaps, u"default"_s, u"crud"_s, {}, done); });
        QVERIFY2(removed, failure(removed));
        auto gone = await<QJsonObject>(
            [&](auto done) { c.get(configMaps, u"default"_s, u"crud"_s, done); });
        QVERIFY(!gone);
        QVERIFY(gone.error().isNotFound());
    }

    void errorsCarryTheServersStatus_data()
    {
        QTest::addColumn<Failing>("operation");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QString>("messageStart");
        QTest::newRow("get of a missing object")
            << Failing::GetMissing << 404 << u"NotFound"_s << u"configmaps \"missing\" not found"_s;
        QTest::newRow("create of an existing name")
            << Failing::CreateExisting << 409 << u"AlreadyExists"_s
            << u"configmaps \"taken\" already exists"_s;
        QTest::newRow("update from a stale resourceVersion")
            << Failing::UpdateStale << 409 << u"Conflict"_s
            << u"Operation cannot be fulfilled on configmaps \"stale\": the object has been "
               "modified; please apply your changes to the latest version and try again"_s;
        QTest::newRow("create with an invalid name")
            << Failing::CreateInvalid << 422 << u"Invalid"_s
            << u"ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\""_s;
        QTest::newRow("a resource the server does not serve")
            << Failing::UnknownResource << 404 << u"NotFound"_s
            << u"the server could not find the requested resource"_s;
    }

    void errorsCarryTheServersStatus()
    {
        QFETCH(Failing, operation);
        QFETCH(int, code);
        QFETCH(QString, reason);
        QFETCH(QString, messageStart);
        client::HttpsClient &c = *m_client;
        Result<QJsonObject> result;
        switch (operation) {
        case Failing::GetMissing:
            result = await<QJsonObject>(
                [&](auto done) { c.get(configMaps, u"default"_s, u"missing"_s, done); });
            break;
        case Failing::CreateExisting:
            QVERIFY(create(c, configMap(u"taken"_s)));
            result = create(c, configMap(u"taken"_s));
            break;
        case Failing::UpdateStale: {
            auto first = create(c, configMap(u"stale"_s));
            QVERIFY2(first, failure(first));
            QJsonObject v1 = *first;
            v1[u"data"_s] = QJsonObject{{u"a"_s, u"1"_s}};
            QVERIFY(await<QJsonObject>(
                [&](auto done) { c.update(configMaps, u"default"_s, v1, {}, {}, done); }));
            v1[u"data"_s] = QJsonObject{{u"a"_s, u"2"_s}}; // still at the first resourceVersion
            result = await<QJsonObject>(
                [&](auto done) { c.update(configMaps, u"default"_s, v1, {}, {}, done); });
            break;
        }
        case Failing::CreateInvalid:
            result = create(c, configMap(u"Bad_Name"_s));
            break;
        case Failing::UnknownResource:
            result = await<QJsonObject>([&](auto done) {
                c.get({u"example.com"_s, u"v1"_s, u"widgets"_s}, u"default"_s, u"w"_s, done);
            });
            break;
        }
        QVERIFY(!result);
        QCOMPARE(result.error().code, code);
        QCOMPARE(result.error().reason, reason);
        QVERIFY2(result.error().message.startsWith(messageStart),
                 qPrintable(result.error().message));
        QCOMPARE(result.error().status.value(u"kind").toString(), u"Status"_s);
    }

    void listFiltersBySelectors_data()
    {
        QTest::addColumn<QString>("labelSelector");
        QTest::addColumn<QString>("fieldSelector");
        QTest::addColumn<QStringList>("names");
        QTest::newRow("equality") << u"app=a"_s << QString() << QStringList{u"sel-1"_s, u"sel-3"_s};
        QTest::newRow("set") << u"app in (a,b),tier"_s << QString()
                             << QStringList{u"sel-1"_s, u"sel-2"_s};
        QTest::newRow("inequality")
            << u"group=sel,app!=a"_s << QString() << QStringList{u"sel-2"_s};
        QTest::newRow("field") << u"group=sel"_s << u"metadata.name=sel-2"_s
                               << QStringList{u"sel-2"_s};
        QTest::newRow("field inequality")
            << u"group=sel"_s << u"metadata.name!=sel-2"_s << QStringList{u"sel-1"_s, u"sel-3"_s};
        QTest::newRow("nothing matches") << u"app=zzz"_s << QString() << QStringList{};
    }

    void listFiltersBySelectors()
    {
        QFETCH(QString, labelSelector);
        QFETCH(QString, fieldSelector);
        QFETCH(QStringList, names);
        client::HttpsClient &c = *m_client;
        const QList<QJsonObject> fixtures{
            configMap(u"sel-1"_s,
                      {{u"group"_s, u"sel"_s}, {u"app"_s, u"a"_s}, {u"tier"_s, u"web"_s}}),
            configMap(u"sel-2"_s,
                      {{u"group"_s, u"sel"_s}, {u"app"_s, u"b"_s}, {u"tier"_s, u"db"_s}}),
            configMap(u"sel-3"_s, {{u"group"_s, u"sel"_s}, {u"app"_s, u"a"_s}})};
        for (const QJsonObject &o : fixtures) {
            auto r = create(c, o);
            QVERIFY2(r || r.error().code == 409, failure(r));
        }
        client::ListQuery query;
        query.labelSelector = labelSelector;
        query.fieldSelector = fieldSelector;
        auto list =
            await<QJsonObject>([&](auto done) { c.list(configMaps, u"default"_s, query, done); });
        QVERIFY2(list, failure(list));
        QCOMPARE(list->value(u"kind").toString(), u"ConfigMapList"_s);
        QVERIFY(!list->value(u"metadata")[u"resourceVersion"].toString().isEmpty());
        QCOMPARE(namesOf(list->value(u"items").toArray()), names);
    }

    void listPagesWithContinueTokens()
    {
        client::HttpsClient &c = *m_client;
        for (int i = 0; i < 5; ++i)
            QVERIFY(create(c, configMap(u"page-%1"_s.arg(i), {{u"group"_s, u"page"_s}})));
        client::ListQuery query;
        query.labelSelector = u"group=page"_s;
        query.limit = 2;
        QStringList seen;
        int pages = 0;
        do {
            auto page = await<QJsonObject>(
                [&](auto done) { c.list(configMaps, u"default"_s, query, done); });
            QVERIFY2(page, failure(page));
            QVERIFY(page->value(u"items").toArray().size() <= 2);
            seen += namesOf(page->value(u"items").toArray());
            query.continueToken = page->value(u"metadata")[u"continue"].toString();
            ++pages;
        } while (!query.continueToken.isEmpty() && pages < 10);
        QCOMPARE(pages, 3);
        seen.sort();
        QCOMPARE(seen,
                 (QStringList{u"page-0"_s, u"page-1"_s, u"page-2"_s, u"page-3"_s, u"page-4"_s}));
    }

    void watchDeliversEventsInOrder()
    {
        client::HttpsClient &c = *m_client;
        client::ListQuery query;
        query.labelSelector = u"group=watch"_s;
        auto list =
            await<QJsonObject>([&](auto done) { c.list(configMaps, u"default"_s, query, done); });
        QVERIFY2(list, failure(list));
        query.resourceVersion = list->value(u"metadata")[u"resourceVersion"].toString();
        auto watch = c.watch(configMaps, u"default"_s, query);
        QList<client::WatchEvent> events;
        connect(watch.get(), &client::WatchHandle::event, this,
                [&](const client::WatchEvent &e) { events.append(e); });

        auto created = create(c, configMap(u"watched"_s, {{u"group"_s, u"watch"_s}}));
        QVERIFY2(created, failure(created));
        QVERIFY(create(c, configMap(u"unwatched"_s, {{u"group"_s, u"other"_s}})));
        QJsonObject changed = *created;
        changed[u"data"_s] = QJsonObject{{u"k"_s, u"v"_s}};
        QVERIFY(await<QJsonObject>(
            [&](auto done) { c.update(configMaps, u"default"_s, changed, {}, {}, done); }));
        QVERIFY(await<QJsonObject>(
            [&](auto done) { c.remove(configMaps, u"default"_s, u"watched"_s, {}, done); }));

        QTRY_COMPARE_WITH_TIMEOUT(events.size(), 3, timeoutMs);
        QCOMPARE(events[0].type, u"ADDED"_s);
        QCOMPARE(events[1].type, u"MODIFIED"_s);
        QCOMPARE(events[1].object.value(u"data")[u"k"].toString(), u"v"_s);
        QCOMPARE(events[2].type, u"DELETED"_s);
        qint64 previous = 0;
        for (const client::WatchEvent &e : std::as_const(events)) {
            QCOMPARE(nameOf(e.object), u"watched"_s);
            const qint64 rv =
                e.object.value(u"metadata")[u"resourceVersion"].toString().toLongLong();
            QVERIFY2(rv > previous, "resourceVersions increase along the stream");
            previous = rv;
        }
    }

    void watchCanBeDroppedFromItsOwnEventHandler()
    {
        // From "0" the watch starts with every existing object: several events in one read.
        for (int i = 0; i < 3; ++i)
            QVERIFY(create(*m_client, configMap(u"drop-%1"_s.arg(i), {{u"group"_s, u"drop"_s}})));
        client::ListQuery query;
        query.labelSelector = u"group=drop"_s;
        query.resourceVersion = u"0"_s;
        std::unique_ptr<client::WatchHandle> watch =
            m_client->watch(configMaps, u"default"_s, query);
        int events = 0;
        connect(watch.get(), &client::WatchHandle::event, this, [&] {
            ++events;
            watch.reset();
        });
        QTRY_VERIFY_WITH_TIMEOUT(!watch, timeoutMs);
        QTest::qWait(100);
        QCOMPARE(events, 1);
    }

    void watchFromACompactedResourceVersionEndsWithGone()
    {
        // A restarted server keeps its objects but not its watch history.
        const QString data = path(u"gone-data"_s);
        {
            auto first = startServer(data);
            QVERIFY2(first, failure(first));
            auto c = adminClient((*first)->port());
            QVERIFY(create(*c, configMap(u"before-restart"_s)));
        }
        auto second = startServer(data);
        QVERIFY2(second, failure(second));
        auto c = adminClient((*second)->port());
        client::ListQuery query;
        query.resourceVersion = u"1"_s;
        auto watch = c->watch(configMaps, u"default"_s, query);
        QList<client::WatchEvent> events;
        std::optional<std::optional<Error>> end;
        connect(watch.get(), &client::WatchHandle::event, this,
                [&](const client::WatchEvent &e) { events.append(e); });
        connect(watch.get(), &client::WatchHandle::finished, this,
                [&](const std::optional<Error> &e) { end = e; });
        QTRY_VERIFY_WITH_TIMEOUT(end.has_value(), timeoutMs);
        QCOMPARE(events.size(), 1);
        QCOMPARE(events[0].type, u"ERROR"_s);
        QCOMPARE(events[0].object.value(u"code").toInt(), 410);
        QVERIFY(end->has_value());
        QVERIFY((*end)->isGone());
        QCOMPARE((*end)->reason, u"Expired"_s);
    }

    void discoveryListsServedResources()
    {
        auto served =
            await<QList<client::ServedResource>>([&](auto done) { m_client->resources(done); });
        QVERIFY2(served, failure(served));
        auto find = [&](const Resource &r) -> std::optional<client::ServedResource> {
            for (const client::ServedResource &s : std::as_const(*served))
                if (s.resource == r)
                    return s;
            return std::nullopt;
        };
        const auto pods = find({{}, u"v1"_s, u"pods"_s});
        QVERIFY(pods);
        QCOMPARE(pods->kind, u"Pod"_s);
        QVERIFY(pods->namespaced);
        QVERIFY(pods->verbs.contains(u"watch"_s));
        const auto deployments = find({u"apps"_s, u"v1"_s, u"deployments"_s});
        QVERIFY(deployments);
        QCOMPARE(deployments->kind, u"Deployment"_s);
        const auto namespaces = find({{}, u"v1"_s, u"namespaces"_s});
        QVERIFY(namespaces);
        QVERIFY(!namespaces->namespaced);
        for (const client::ServedResource &s : std::as_const(*served))
            QVERIFY2(!s.resource.resource.contains(u'/'), qPrintable(s.resource.resource));
    }

    void informerSyncsAndFollowsChanges()
    {
        client::HttpsClient &c = *m_client;
        QVERIFY(create(c, configMap(u"inf-1"_s, {{u"group"_s, u"inf"_s}})));
        QVERIFY(create(c, configMap(u"inf-2"_s, {{u"group"_s, u"inf"_s}})));
        QVERIFY(create(c, configMap(u"inf-other"_s, {{u"group"_s, u"elsewhere"_s}})));

        client::Informer informer(c, configMaps, {u"default"_s, u"group=inf"_s, {}, {}, 1});
        QSignalSpy synced(&informer, &client::Informer::synced);
        QSignalSpy added(&informer, &client::Informer::added);
        QSignalSpy updated(&informer, &client::Informer::updated);
        QSignalSpy deleted(&informer, &client::Informer::deleted);
        QVERIFY(!informer.hasSynced());
        informer.start();
        QTRY_VERIFY_WITH_TIMEOUT(informer.hasSynced(), timeoutMs);
        QCOMPARE(synced.size(), 1);
        QCOMPARE(informer.size(), 2); // read in pages of one
        QCOMPARE(added.size(), 2);
        QCOMPARE(informer.get(u"default"_s, u"inf-1"_s).value(u"kind").toString(), u"ConfigMap"_s);
        QVERIFY(informer.get(u"default"_s, u"inf-other"_s).isEmpty());

        auto third = create(c, configMap(u"inf-3"_s, {{u"group"_s, u"inf"_s}}));
        QVERIFY2(third, failure(third));
        QTRY_COMPARE_WITH_TIMEOUT(added.size(), 3, timeoutMs);
        QCOMPARE(nameOf(added.last().at(0).toJsonObject()), u"inf-3"_s);

        QJsonObject changed = *third;
        changed[u"data"_s] = QJsonObject{{u"k"_s, u"v"_s}};
        QVERIFY(await<QJsonObject>(
            [&](auto done) { c.update(configMaps, u"default"_s, changed, {}, {}, done); }));
        QTRY_COMPARE_WITH_TIMEOUT(updated.size(), 1, timeoutMs);
        QVERIFY(updated.first().at(0).toJsonObject().value(u"data").toObject().isEmpty());
        QCOMPARE(updated.first().at(1).toJsonObject().value(u"data")[u"k"].toString(), u"v"_s);
        QCOMPARE(informer.get(u"default"_s, u"inf-3"_s).value(u"data")[u"k"].toString(), u"v"_s);

        QVERIFY(await<QJsonObject>(
            [&](auto done) { c.remove(configMaps, u"default"_s, u"inf-1"_s, {}, done); }));
        QTRY_COMPARE_WITH_TIMEOUT(deleted.size(), 1, timeoutMs);
        QCOMPARE(nameOf(deleted.first().at(0).toJsonObject()), u"inf-1"_s);
        QCOMPARE(informer.size(), 2);
        QCOMPARE(
            informer.resourceVersion(),
            deleted.first().at(0).toJsonObject().value(u"metadata")[u"resourceVersion"].toString());
        QCOMPARE(added.size(), 3); // the object outside the selector never showed up
    }

    void informerWorksOverTheInProcessTransport()
    {
        apiserver::InProcessClient c(m_server->store());
        client::Informer informer(c, configMaps, {u"default"_s, u"group=inproc"_s});
        QSignalSpy added(&informer, &client::Informer::added);
        QSignalSpy deleted(&informer, &client::Informer::deleted);
        QVERIFY(create(c, configMap(u"inproc-1"_s, {{u"group"_s, u"inproc"_s}})));
        informer.start();
        QTRY_VERIFY_WITH_TIMEOUT(informer.hasSynced(), timeoutMs);
        QCOMPARE(informer.size(), 1);
        QVERIFY(create(c, configMap(u"inproc-2"_s, {{u"group"_s, u"inproc"_s}})));
        QTRY_COMPARE_WITH_TIMEOUT(added.size(), 2, timeoutMs);
        QVERIFY(await<QJsonObject>(
            [&](auto done) { c.remove(configMaps, u"default"_s, u"inproc-1"_s, {}, done); }));
        QTRY_COMPARE_WITH_TIMEOUT(deleted.size(), 1, timeoutMs);
        QCOMPARE(informer.size(), 1);
    }

    void informerResyncsEveryObjectPeriodically()
    {
        client::HttpsClient &c = *m_client;
        QVERIFY(create(c, configMap(u"resync-1"_s, {{u"group"_s, u"resync"_s}})));
        QVERIFY(create(c, configMap(u"resync-2"_s, {{u"group"_s, u"resync"_s}})));
        client::InformerOptions options{u"default"_s, u"group=resync"_s};
        options.resyncPeriod = std::chrono::milliseconds(100);
        client::Informer informer(c, configMaps, options);
        QSignalSpy updated(&informer, &client::Informer::updated);
        informer.start();
        QTRY_VERIFY_WITH_TIMEOUT(informer.hasSynced(), timeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(updated.size() >= 4, timeoutMs);
        for (const QList<QVariant> &args : std::as_const(updated))
            QCOMPARE(args.at(0).toJsonObject(), args.at(1).toJsonObject());
        informer.stop();
        const qsizetype afterStop = updated.size();
        QTest::qWait(300);
        QCOMPARE(updated.size(), afterStop);
    }

    void informerListsAgainWhenTheWatchHistoryIsGone()
    {
        const QString data = path(u"relist-data"_s);
        auto a = startServer(data);
        QVERIFY2(a, failure(a));
        const quint16 port = (*a)->port();
        auto c = adminClient(port);
        auto kept = create(*c, configMap(u"kept"_s, {{u"group"_s, u"relist"_s}}));
        QVERIFY2(kept, failure(kept));
        QVERIFY(create(*c, configMap(u"dropped"_s, {{u"group"_s, u"relist"_s}})));

        client::Informer informer(*c, configMaps, {u"default"_s, u"group=relist"_s});
        QSignalSpy added(&informer, &client::Informer::added);
        QSignalSpy updated(&informer, &client::Informer::updated);
        QSignalSpy deleted(&informer, &client::Informer::deleted);
        informer.start();
        QTRY_VERIFY_WITH_TIMEOUT(informer.hasSynced(), timeoutMs);
        QCOMPARE(added.size(), 2);
        added.clear();

        // While the informer cannot reach its server, another one changes the objects; the
        // server that comes back has no history from before it started.
        a->reset();
        {
            auto b = startServer(data);
            QVERIFY2(b, failure(b));
            auto other = adminClient((*b)->port());
            QJsonObject changed = *kept;
            changed[u"data"_s] = QJsonObject{{u"k"_s, u"changed"_s}};
            QVERIFY(await<QJsonObject>([&](auto done) {
                other->update(configMaps, u"default"_s, changed, {}, {}, done);
            }));
            QVERIFY(await<QJsonObject>([&](auto done) {
                other->remove(configMaps, u"default"_s, u"dropped"_s, {}, done);
            }));
            QVERIFY(create(*other, configMap(u"new"_s, {{u"group"_s, u"relist"_s}})));
        }
        auto restarted = startServer(data, port);
        QVERIFY2(restarted, failure(restarted));

        QTRY_COMPARE_WITH_TIMEOUT(deleted.size(), 1, 2 * timeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(added.size(), 1, timeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(updated.size(), 1, timeoutMs);
        QCOMPARE(nameOf(deleted.first().at(0).toJsonObject()), u"dropped"_s);
        QCOMPARE(nameOf(added.first().at(0).toJsonObject()), u"new"_s);
        QCOMPARE(informer.get(u"default"_s, u"kept"_s).value(u"data")[u"k"].toString(),
                 u"changed"_s);
        QCOMPARE(informer.size(), 2);

        // And it watches again from the new list.
        QVERIFY(create(*c, configMap(u"after"_s, {{u"group"_s, u"relist"_s}})));
        QTRY_COMPARE_WITH_TIMEOUT(added.size(), 2, timeoutMs);
    }

    void untrustedServerCertificateIsAClearError()
    {
        auto otherCa = pki::createCertificateAuthority(u"someone-else"_s);
        QVERIFY(otherCa);
        auto c = client::HttpsClient::fromKubeconfig(
            kubeconfigFor(m_server->port(), otherCa->certificatePem, m_admin.certificatePem,
                          m_admin.privateKeyPem));
        QVERIFY2(c, failure(c));
        auto r = await<QJsonObject>([&](auto done) { (*c)->version(done); });
        QVERIFY(!r);
        QCOMPARE(r.error().code, 0);
        const QString start = u"cannot reach the Kubernetes API at https://127.0.0.1:%1: its TLS "
                              "certificate is not trusted: "_s.arg(m_server->port());
        QVERIFY2(r.error().message.startsWith(start), qPrintable(r.error().message));
    }

    void anonymousRequestsAreUnauthorized()
    {
        auto c = client::HttpsClient::fromKubeconfig(
            kubeconfigFor(m_server->port(), m_ca.certificatePem, {}, {}));
        QVERIFY2(c, failure(c));
        QVERIFY((*c)->access().clientCertificate.isNull());
        auto r = await<QJsonObject>(
            [&](auto done) { (*c)->get(configMaps, u"default"_s, u"x"_s, done); });
        QVERIFY(!r);
        QCOMPARE(r.error().code, 401);
        QCOMPARE(r.error().reason, u"Unauthorized"_s);
        QCOMPARE(r.error().message, u"Unauthorized"_s);
    }

    void unreachableServerIsAClearError()
    {
        quint16 closedPort = 0;
        {
            QTcpServer probe; // a port nobody listens on once it is closed
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            closedPort = probe.serverPort();
        }
        auto c = client::HttpsClient::fromKubeconfig(kubeconfigFor(
            closedPort, m_ca.certificatePem, m_admin.certificatePem, m_admin.privateKeyPem));
        QVERIFY2(c, failure(c));
        auto r = await<QJsonObject>([&](auto done) { (*c)->list(configMaps, {}, {}, done); });
        QVERIFY(!r);
        QCOMPARE(r.error().code, 0);
        QCOMPARE(
            r.error().message,
            u"cannot reach the Kubernetes API at https://127.0.0.1:%1: Connection refused"_s.arg(
                closedPort));
        // A watch says the same through finished().
        auto watch = (*c)->watch(configMaps, {}, {});
        std::optional<std::optional<Error>> end;
        connect(watch.get(), &client::WatchHandle::finished, this,
                [&](const std::optional<Error> &e) { end = e; });
        QTRY_VERIFY_WITH_TIMEOUT(end.has_value(), timeoutMs);
        QVERIFY(end->has_value());
        QCOMPARE((*end)->message, r.error().message);
    }

    void logsArriveInChunksUntilStopped_data()
    {
        QTest::addColumn<QString>("pod");
        QTest::addColumn<bool>("follow");
        QTest::addColumn<QByteArray>("expectedTarget");
        QTest::addColumn<QByteArray>("expectedText");
        QTest::addColumn<int>("errorCode");
        QTest::newRow("whole log")
            << u"web"_s << false
            << QByteArray("/api/v1/namespaces/default/pods/web/log?container=app&tailLines=10")
            << QByteArray("one\ntwo\n") << 0;
        QTest::newRow("followed log")
            << u"web"_s << true
            << QByteArray(
                   "/api/v1/namespaces/default/pods/web/log?container=app&follow=true&tailLines=10")
            << QByteArray("first\nsecond\n") << 0;
        QTest::newRow("missing pod")
            << u"gone"_s << false
            << QByteArray("/api/v1/namespaces/default/pods/gone/log?container=app&tailLines=10")
            << QByteArray() << 404;
    }

    // The API server does not proxy logs yet: a stub endpoint on the same TLS setup stands in.
    void logsArriveInChunksUntilStopped()
    {
        QFETCH(QString, pod);
        QFETCH(bool, follow);
        QFETCH(QByteArray, expectedTarget);
        QFETCH(QByteArray, expectedText);
        QFETCH(int, errorCode);
        QByteArray target;
        QPointer<http::HttpExchange> streaming;
        http::HttpServer stub([&](http::HttpExchange *e) {
            target = e->request().target;
            if (e->request().path.contains(u"/gone/"))
                return e->respond(
                    404, {{"Content-Type", "application/json"}},
                    R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"gone\" not found","reason":"NotFound","code":404})");
            if (!e->request().query.hasQueryItem(u"follow"_s))
                return e->respond(200, {{"Content-Type", "text/plain"}}, "one\ntwo\n");
            e->beginStream(200, {{"Content-Type", "text/plain"}});
            e->writeChunk("first\n");
            streaming = e;
        });
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(QSslCertificate(m_serverPair.certificatePem, QSsl::Pem));
        tls.setPrivateKey(QSslKey(m_serverPair.privateKeyPem, QSsl::Ec, QSsl::Pem));
        tls.setCaCertificates(QSslCertificate::fromData(m_ca.certificatePem, QSsl::Pem));
        tls.setPeerVerifyMode(QSslSocket::QueryPeer);
        auto listening = stub.listen(QHostAddress::LocalHost, 0, tls);
        QVERIFY2(listening, failure(listening));
        auto c = adminClient(stub.port());

        QByteArrayList chunks;
        std::optional<Result<void>> end;
        client::LogQuery query;
        query.container = u"app"_s;
        query.follow = follow;
        query.tailLines = 10;
        auto stream = c->logs(
            u"default"_s, pod, query, [&](const QByteArray &chunk) { chunks.append(chunk); },
            [&](Result<void> r) { end = r; });
        if (follow) {
            QTRY_COMPARE_WITH_TIMEOUT(chunks.join(), QByteArray("first\n"), timeoutMs);
            QVERIFY(!end);
            QVERIFY(streaming);
            streaming->writeChunk("second\n");
            QTRY_COMPARE_WITH_TIMEOUT(chunks.join(), expectedText, timeoutMs);
            QVERIFY(!end); // a followed log stays open until stopped
            bool gone = false;
            connect(streaming, &http::HttpExchange::clientGone, this, [&] { gone = true; });
            stream.reset();
            QTRY_VERIFY_WITH_TIMEOUT(gone, timeoutMs);
            QVERIFY(!end);
        } else {
            QTRY_VERIFY_WITH_TIMEOUT(end.has_value(), timeoutMs);
            QCOMPARE(chunks.join(), expectedText);
            QCOMPARE(end->has_value(), errorCode == 0);
            if (errorCode) {
                QCOMPARE(end->error().code, errorCode);
                QCOMPARE(end->error().message, u"pods \"gone\" not found"_s);
            }
        }
        QCOMPARE(target, expectedTarget);
    }

    void kubeconfigContextsResolve_data()
    {
        QTest::addColumn<QString>("context");
        QTest::addColumn<QString>("error");
        QTest::addColumn<QString>("server");
        QTest::newRow("current context") << QString() << QString() << u"https://127.0.0.1:6443"_s;
        QTest::newRow("named context")
            << u"second"_s << QString() << u"https://10.0.0.1:6443/prefix"_s;
        QTest::newRow("missing context")
            << u"nope"_s << u"context was not found for specified context: nope"_s << QString();
        QTest::newRow("missing cluster")
            << u"broken-cluster"_s
            << u"cluster \"ghost\" was not found for context \"broken-cluster\""_s << QString();
        QTest::newRow("missing user")
            << u"broken-user"_s << u"user \"ghost\" was not found for context \"broken-user\""_s
            << QString();
        QTest::newRow("cluster without server")
            << u"no-server"_s << u"no server found for cluster \"empty\""_s << QString();
        QTest::newRow("exec plugin")
            << u"plugin"_s
            << u"user \"exec\" gets its credentials from a plugin (exec or "
               "auth-provider), which Timonel does not run; use a client "
               "certificate or a token"_s
            << QString();
    }

    void kubeconfigContextsResolve()
    {
        QFETCH(QString, context);
        QFETCH(QString, error);
        QFETCH(QString, server);
        const QByteArray token = "s3cret";
        QVERIFY(writeFile(path(u"token"_s), token + '\n'));
        const QByteArray yaml = R"(apiVersion: v1
kind: Config
current-context: first
clusters:
- name: one
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority: ca.crt
- name: two
  cluster:
    server: https://10.0.0.1:6443/prefix
    insecure-skip-tls-verify: true
- name: empty
  cluster: {}
users:
- name: tokened
  user:
    tokenFile: token
- name: exec
  user:
    exec:
      command: aws
contexts:
- name: first
  context: {cluster: one, user: tokened, namespace: apps}
- name: second
  context: {cluster: two}
- name: broken-cluster
  context: {cluster: ghost, user: tokened}
- name: broken-user
  context: {cluster: one, user: ghost}
- name: no-server
  context: {cluster: empty}
- name: plugin
  context: {cluster: one, user: exec}
)";
        const QString file = path(u"handwritten-kubeconfig"_s);
        QVERIFY(writeFile(file, yaml));
        auto access = client::readClusterAccess(file, context);
        if (!error.isEmpty()) {
            QVERIFY(!access);
            QCOMPARE(access.error(), file + u": "_s + error);
            return;
        }
        QVERIFY2(access, failure(access));
        QCOMPARE(access->server.toString(), server);
        if (context.isEmpty()) {
            QCOMPARE(access->contextName, u"first"_s);
            QCOMPARE(access->defaultNamespace, u"apps"_s);
            QCOMPARE(access->bearerToken, token);
            QCOMPARE(access->caCertificates.size(), 1);
        } else {
            QCOMPARE(access->defaultNamespace, u"default"_s);
            QVERIFY(access->insecureSkipTlsVerify);
            QVERIFY(access->bearerToken.isEmpty());
        }
        auto contexts = client::readKubeconfigContexts(file);
        QVERIFY(contexts);
        QCOMPARE(contexts->current, u"first"_s);
        QCOMPARE(contexts->names.size(), 6);
    }

    void privateKeysOfEveryKubeconfigFormParse_data()
    {
        QTest::addColumn<QByteArray>("pem");
        QTest::addColumn<int>("algorithm"); // -1: rejected
        QTest::newRow("EC PKCS#8") << generateKey(false, false) << int(QSsl::Ec);
        QTest::newRow("EC SEC1") << generateKey(false, true) << int(QSsl::Ec);
        QTest::newRow("RSA PKCS#8") << generateKey(true, false) << int(QSsl::Rsa);
        QTest::newRow("RSA PKCS#1") << generateKey(true, true) << int(QSsl::Rsa);
        QTest::newRow("a certificate") << m_ca.certificatePem << -1;
        QTest::newRow("garbage in a key block")
            << QByteArray("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") << -1;
    }

    void privateKeysOfEveryKubeconfigFormParse()
    {
        QFETCH(QByteArray, pem);
        QFETCH(int, algorithm);
        auto key = client::parsePrivateKey(pem);
        QCOMPARE(key.has_value(), algorithm >= 0);
        if (key)
            QCOMPARE(int(key->algorithm()), algorithm);
    }
};

QTEST_GUILESS_MAIN(TestClient)
#include "tst_client.moc"
