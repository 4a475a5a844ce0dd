// Server-side apply of a set of objects against a real (in-process) API server: order,
// namespaces, dry run, and one failure among successes.
#include "apiserver/apiserver.h"
#include "apiserver/inprocessclient.h"
#include "apiservertesting.h"
#include "client/applier.h"
#include "core/yaml.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace timonel;
using namespace Qt::StringLiterals;

namespace {

const client::Resource deployments{u"apps"_s, u"v1"_s, u"deployments"_s};
const client::Resource configMaps{{}, u"v1"_s, u"configmaps"_s};

QList<QJsonObject> objects(const QByteArray &yaml)
{
    QList<QJsonObject> out;
    const auto documents = core::parseYamlDocuments(yaml);
    for (const QJsonValue &v : documents.value())
        out.append(v.toObject());
    return out;
}

const QByteArray shop = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: nginx}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {color: blue}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: broken, namespace: shop}
spec: {replicas: 1, selector: {matchLabels: {app: b}}, template: {metadata: {labels: {app: x}}, spec: {containers: [{name: c, image: c}]}}}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
)";

} // namespace

class TestApplier : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<apiserver::ApiServer> m_server;
    std::unique_ptr<apiserver::InProcessClient> m_api;

    QList<client::ApplyResult> applyAll(const QList<QJsonObject> &input,
                                        client::ApplyOptions options)
    {
        client::Applier applier(*m_api, options);
        QSignalSpy finished(&applier, &client::Applier::finished);
        applier.apply(input);
        if (!finished.wait(10000))
            return {};
        return finished.first().first().value<QList<client::ApplyResult>>();
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<QList<client::ApplyResult>>();
        auto started = test::startTestApiServer(m_dir.path());
        QVERIFY2(started, qPrintable(started ? QString() : started.error()));
        m_server = std::move(*started);
        m_api = std::make_unique<apiserver::InProcessClient>(m_server->store());
    }

    void aDryRunStoresNothing()
    {
        client::ApplyOptions options;
        options.dryRun = true;
        options.defaultNamespace = u"default"_s;
        const auto results = applyAll(objects(shop).mid(1, 1), options);
        QCOMPARE(results.size(), 1);
        QVERIFY2(results[0].ok, qPrintable(results[0].message));
        QCOMPARE(results[0].summary(true),
                 u"configmap/settings serverside-applied (server dry run)"_s);
        QVERIFY(!test::await<QJsonObject>(
            [&](auto done) { m_api->get(configMaps, u"default"_s, u"settings"_s, done); }));
    }

    void namespacesGoFirstAndFailuresStayWithTheirObject()
    {
        client::ApplyOptions options;
        options.defaultNamespace = u"shop"_s;
        const auto results = applyAll(objects(shop), options);
        QCOMPARE(results.size(), 5);
        // Input order; the Namespace (last in the file) was applied before the rest needed it.
        QVERIFY2(results[0].ok, qPrintable(results[0].message));
        QCOMPARE(results[0].summary(false), u"deployment.apps/web serverside-applied"_s);
        QVERIFY2(results[1].ok, qPrintable(results[1].message));
        QCOMPARE(results[1].ns, u"shop"_s); // the default namespace
        QVERIFY(!results[2].ok);
        QCOMPARE(results[2].message,
                 u"resource mapping not found for name: \"w\" namespace: \"\" from \"\": no "
                 "matches for kind \"Widget\" in version \"example.com/v1\""_s);
        QVERIFY(!results[3].ok); // its selector does not match its template
        QVERIFY2(results[3].message.startsWith(u"Deployment.apps \"broken\" is invalid: "_s),
                 qPrintable(results[3].message));
        QVERIFY(results[3].summary(false).startsWith(u"Error from server"_s));
        QVERIFY2(results[4].ok, qPrintable(results[4].message));
        QCOMPARE(results[4].ns, QString()); // cluster-scoped

        auto live = test::await<QJsonObject>(
            [&](auto done) { m_api->get(deployments, u"shop"_s, u"web"_s, done); });
        QVERIFY(live);
        QCOMPARE((*live)[u"spec"_s][u"replicas"_s].toInt(), 2);
        // Applied (not updated) by our field manager, as server-side apply records it.
        bool applied = false;
        for (const QJsonValue &entry : (*live)[u"metadata"_s][u"managedFields"_s].toArray())
            applied |= entry[u"manager"_s] == u"timonel"_s && entry[u"operation"_s] == u"Apply"_s;
        QVERIFY2(applied, QJsonDocument((*live)[u"metadata"_s][u"managedFields"_s].toArray())
                              .toJson(QJsonDocument::Compact)
                              .constData());
    }
};

QTEST_GUILESS_MAIN(TestApplier)
#include "tst_applier.moc"
