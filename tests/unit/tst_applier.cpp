// Server-side apply of a set of objects against a real (in-process) API server: the order
// (Namespaces, CRDs, the rest), what each object's outcome was, dry run, conflicts, failures
// that stay with their object, custom resources of a CRD applied in the same run, and the
// editor's live object. Over the in-process client, and once over HTTP.
#include "apiserver/apiserver.h"
#include "apiserver/inprocessclient.h"
#include "apiservertesting.h"
#include "client/applier.h"
#include "client/httpsclient.h"
#include "core/yaml.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace timonel;
using namespace Qt::StringLiterals;
using client::ApplyOutcome;

namespace timonel::client {

// For QCOMPARE's messages.
char *toString(ApplyOutcome outcome)
{
    static const char *const names[] = {"Created", "Configured", "Unchanged", "Failed", "Skipped"};
    return qstrdup(names[int(outcome)]);
}

} // namespace timonel::client

namespace {

const client::Resource Deployments{u"apps"_s, u"v1"_s, u"deployments"_s};
const client::Resource ConfigMaps{{}, u"v1"_s, u"configmaps"_s};
const client::Resource Services{{}, u"v1"_s, u"services"_s};
const client::Resource Namespaces{{}, u"v1"_s, u"namespaces"_s};

// The documents of a YAML stream, tagged with the file and their index.
QList<client::ApplyObject> objects(const QByteArray &yaml, const QString &file = u"test.yaml"_s)
{
    QList<client::ApplyObject> out;
    const auto documents = core::parseYamlDocuments(yaml);
    if (!documents)
        qFatal("bad test YAML: %s", qPrintable(documents.error().message));
    for (const QJsonValue &v : *documents)
        out.append({v.toObject(), {file, int(out.size()), 0}});
    return out;
}

// A small app in namespace `ns`, its Namespace last in the file.
QByteArray shop(const QString &ns, int replicas = 2)
{
    return uR"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: %1}
spec:
  replicas: %2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: nginx}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: %1}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: %1}
data: {color: blue}
---
apiVersion: v1
kind: Namespace
metadata: {name: %1}
)"_s.arg(ns)
        .arg(replicas)
        .toUtf8();
}

QByteArray configMap(const QString &name, const QString &ns, const QString &color)
{
    return uR"(apiVersion: v1
kind: ConfigMap
metadata: {name: %1, namespace: %2}
data: {color: %3}
)"_s.arg(name, ns, color)
        .toUtf8();
}

QByteArray namespaceYaml(const QString &name)
{
    return u"apiVersion: v1\nkind: Namespace\nmetadata: {name: %1}\n"_s.arg(name).toUtf8();
}

// A custom resource listed before its CRD, as files often do not care.
QByteArray gadgets(const QString &group, const QString &ns)
{
    return uR"(apiVersion: %1/v1
kind: Gadget
metadata: {name: g1}
spec: {size: 3}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.%1}
spec:
  group: %1
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
---
apiVersion: v1
kind: Namespace
metadata: {name: %2}
)"_s.arg(group, ns)
        .toUtf8();
}

QStringList summaries(const QList<client::ApplyResult> &results)
{
    QStringList out;
    for (const client::ApplyResult &r : results)
        out.append(r.summary());
    return out;
}

QList<ApplyOutcome> outcomes(const QList<client::ApplyResult> &results)
{
    QList<ApplyOutcome> out;
    for (const client::ApplyResult &r : results)
        out.append(r.outcome);
    return out;
}

// The cluster's client, noting what the applier asks for, in order.
class RecordingClient : public test::ForwardingClient
{
public:
    using ForwardingClient::ForwardingClient;

    QStringList calls;            // "discovery", "apply namespaces/shop", "get ..."
    bool hideEstablished = false; // CRDs read back without their conditions

    QStringList applies() const { return calls.filter(u"apply "_s); }

    void get(const client::Resource &r, const QString &ns, const QString &name,
             client::Callback<QJsonObject> done) override
    {
        calls.append(u"get %1/%2"_s.arg(r.resource, name));
        if (hideEstablished && r.resource == u"customresourcedefinitions"_s) {
            ForwardingClient::get(r, ns, name, [done](client::Result<QJsonObject> crd) {
                if (crd)
                    crd->remove(u"status"_s);
                done(crd);
            });
            return;
        }
        ForwardingClient::get(r, ns, name, std::move(done));
    }
    void patch(const client::Resource &r, const QString &ns, const QString &name,
               client::PatchType type, const QByteArray &body, const QString &subresource,
               const client::WriteQuery &query, client::Callback<QJsonObject> done) override
    {
        if (type == client::PatchType::Apply)
            calls.append(u"apply %1/%2"_s.arg(r.resource, name));
        ForwardingClient::patch(r, ns, name, type, body, subresource, query, std::move(done));
    }
    void resources(client::Callback<QList<client::ServedResource>> done) override
    {
        calls.append(u"discovery"_s);
        ForwardingClient::resources(std::move(done));
    }
};

} // namespace

class TestApplier : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<apiserver::ApiServer> m_server;
    std::unique_ptr<apiserver::InProcessClient> m_api;

    // One run to its end; empty when finished() did not come in time.
    QList<client::ApplyResult> applyAll(const QList<client::ApplyObject> &input,
                                        client::ApplyOptions options = {},
                                        client::ApiClient *api = nullptr)
    {
        client::Applier applier(api ? *api : *m_api, std::move(options));
        std::optional<QList<client::ApplyResult>> results;
        connect(&applier, &client::Applier::finished,
                [&](const QList<client::ApplyResult> &r) { results = r; });
        applier.apply(input);
        if (!QTest::qWaitFor([&] { return results.has_value(); }, 20000))
            return {};
        return *results;
    }

    client::Result<QJsonObject> live(const client::Resource &r, const QString &ns,
                                     const QString &name)
    {
        return test::await<QJsonObject>([&](auto done) { m_api->get(r, ns, name, done); });
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto started = test::startTestApiServer(m_dir.path());
        QVERIFY2(started, qPrintable(started ? QString() : started.error()));
        m_server = std::move(*started);
        m_api = std::make_unique<apiserver::InProcessClient>(m_server->store());
    }

    void appliesNamespacesFirstAndReportsInInputOrder()
    {
        RecordingClient recording(*m_api);
        client::Applier applier(recording, {});
        QStringList applied;
        QList<std::pair<int, int>> progress;
        std::optional<QList<client::ApplyResult>> results;
        connect(&applier, &client::Applier::objectApplied,
                [&](const client::ApplyResult &r) { applied.append(r.kind); });
        connect(&applier, &client::Applier::progress, [&](int done, int total) {
            progress.append({done, total});
        });
        connect(&applier, &client::Applier::finished,
                [&](const QList<client::ApplyResult> &r) { results = r; });
        QVERIFY(applier.apply(objects(shop(u"shop"_s), u"shop.yaml"_s)));
        QVERIFY(applier.isRunning());
        QVERIFY(!applier.apply(objects(shop(u"other"_s)))); // one run at a time
        QTRY_VERIFY_WITH_TIMEOUT(results.has_value(), 20000);

        QCOMPARE(summaries(*results), (QStringList{u"deployment.apps/web serverside-applied"_s,
                                                   u"service/web serverside-applied"_s,
                                                   u"configmap/settings serverside-applied"_s,
                                                   u"namespace/shop serverside-applied"_s}));
        QCOMPARE(outcomes(*results), QList<ApplyOutcome>(4, ApplyOutcome::Created));
        // The Namespace, last in the file, went first: nothing else could have been created.
        QCOMPARE(recording.applies(),
                 (QStringList{u"apply namespaces/shop"_s, u"apply deployments/web"_s,
                              u"apply services/web"_s, u"apply configmaps/settings"_s}));
        QCOMPARE(recording.calls.count(u"discovery"_s), 1);
        QCOMPARE(applied,
                 (QStringList{u"Namespace"_s, u"Deployment"_s, u"Service"_s, u"ConfigMap"_s}));
        QCOMPARE(progress, (QList<std::pair<int, int>>{{1, 4}, {2, 4}, {3, 4}, {4, 4}}));

        const client::ApplyResult &web = results->at(0);
        QCOMPARE(web.index, 0);
        QCOMPARE(web.source.file, u"shop.yaml"_s);
        QCOMPARE(web.source.document, 0);
        QCOMPARE(web.ns, u"shop"_s);
        QCOMPARE(web.apiVersion, u"apps/v1"_s);
        QCOMPARE(web.resource, Deployments);
        QCOMPARE(results->at(3).source.document, 3);
        QCOMPARE(results->at(3).ns, QString()); // cluster-scoped
        QCOMPARE(web.applied[u"metadata"_s][u"uid"_s].toString().isEmpty(), false);

        auto deployment = live(Deployments, u"shop"_s, u"web"_s);
        QVERIFY(deployment);
        QCOMPARE((*deployment)[u"spec"_s][u"replicas"_s].toInt(), 2);
        // Applied (not updated) by our field manager, as server-side apply records it.
        bool ours = false;
        for (const QJsonValue &entry : (*deployment)[u"metadata"_s][u"managedFields"_s].toArray())
            ours |= entry[u"manager"_s] == u"timonel"_s && entry[u"operation"_s] == u"Apply"_s;
        QVERIFY(ours);
    }

    void applyingTheSameObjectsAgainChangesNothing()
    {
        const auto input = objects(shop(u"again"_s));
        QCOMPARE(outcomes(applyAll(input)), QList<ApplyOutcome>(4, ApplyOutcome::Created));
        const QString before =
            (*live(Deployments, u"again"_s, u"web"_s))[u"metadata"_s][u"resourceVersion"_s]
                .toString();
        const auto second = applyAll(input);
        QCOMPARE(outcomes(second), QList<ApplyOutcome>(4, ApplyOutcome::Unchanged));
        QCOMPARE(second[0].outcomeText(), u"unchanged"_s);
        QCOMPARE((*live(Deployments, u"again"_s, u"web"_s))[u"metadata"_s][u"resourceVersion"_s]
                     .toString(),
                 before);
    }

    void changedReplicasAreConfigured()
    {
        QCOMPARE(outcomes(applyAll(objects(shop(u"scaled"_s, 2)))),
                 QList<ApplyOutcome>(4, ApplyOutcome::Created));
        const auto results = applyAll(objects(shop(u"scaled"_s, 5)));
        QCOMPARE(outcomes(results),
                 (QList<ApplyOutcome>{ApplyOutcome::Configured, ApplyOutcome::Unchanged,
                                      ApplyOutcome::Unchanged, ApplyOutcome::Unchanged}));
        QCOMPARE(results[0].applied[u"spec"_s][u"replicas"_s].toInt(), 5);
        QCOMPARE((*live(Deployments, u"scaled"_s, u"web"_s))[u"spec"_s][u"replicas"_s].toInt(), 5);
    }

    void aDryRunChangesNothingOnTheServer_data()
    {
        QTest::addColumn<QString>("existing"); // the color stored first; "" for none
        QTest::addColumn<ApplyOutcome>("outcome");

        QTest::newRow("new object") << QString() << ApplyOutcome::Created;
        QTest::newRow("changed object") << u"red"_s << ApplyOutcome::Configured;
        QTest::newRow("same object") << u"blue"_s << ApplyOutcome::Unchanged;
    }

    void aDryRunChangesNothingOnTheServer()
    {
        QFETCH(QString, existing);
        QFETCH(ApplyOutcome, outcome);
        const QString name =
            u"dry-"_s + QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'-');
        if (!existing.isEmpty())
            QVERIFY(applyAll(objects(configMap(name, u"default"_s, existing)))[0].ok);
        const auto before = live(ConfigMaps, u"default"_s, name);

        client::ApplyOptions options;
        options.dryRun = true;
        const auto results = applyAll(objects(configMap(name, u"default"_s, u"blue"_s)), options);
        QCOMPARE(results.size(), 1);
        QVERIFY2(results[0].ok, qPrintable(results[0].error.message));
        QCOMPARE(results[0].outcome, outcome);
        QCOMPARE(results[0].summary(),
                 u"configmap/%1 serverside-applied (server dry run)"_s.arg(name));
        QCOMPARE(results[0].applied[u"data"_s][u"color"_s].toString(), u"blue"_s);

        const auto after = live(ConfigMaps, u"default"_s, name);
        QCOMPARE(bool(after), bool(before));
        if (before)
            QCOMPARE(*after, *before);
    }

    void anInvalidObjectFailsWithTheServersMessageAndTheOthersApply_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("reason");

        QTest::newRow("replicas is not a number")
            << u"{replicas: many, selector: {matchLabels: {app: b}}, template: {metadata: "
               "{labels: {app: b}}, spec: {containers: [{name: c, image: c}]}}}"_s
            << u"BadRequest"_s;
        QTest::newRow("unknown field")
            << u"{replicaz: 1, selector: {matchLabels: {app: b}}, template: {metadata: {labels: "
               "{app: b}}, spec: {containers: [{name: c, image: c}]}}}"_s
            << u"BadRequest"_s;
        QTest::newRow("selector does not match the template")
            << u"{replicas: 1, selector: {matchLabels: {app: b}}, template: {metadata: {labels: "
               "{app: x}}, spec: {containers: [{name: c, image: c}]}}}"_s
            << u"Invalid"_s;
    }

    void anInvalidObjectFailsWithTheServersMessageAndTheOthersApply()
    {
        QFETCH(QString, spec);
        QFETCH(QString, reason);
        const QString ns = u"invalid-%1"_s.arg(QTest::currentDataTag()).replace(u' ', u'-');
        const QByteArray broken =
            u"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: broken, namespace: %1}\n"
            "spec: %2\n"_s.arg(ns, spec)
                .toUtf8();
        const auto results = applyAll(objects(broken + "---\n" + configMap(u"c"_s, ns, u"x"_s) +
                                              "---\n" + namespaceYaml(ns)));
        QCOMPARE(results.size(), 3);
        QCOMPARE(outcomes(results),
                 (QList<ApplyOutcome>{ApplyOutcome::Failed, ApplyOutcome::Created,
                                      ApplyOutcome::Created}));
        const client::ApplyResult &failed = results[0];
        QVERIFY(!failed.ok);
        QCOMPARE(failed.error.reason, reason);

        // The server's own words for the same object.
        auto direct = test::await<QJsonObject>([&](auto done) {
            m_api->apply(Deployments, objects(broken)[0].object, {u"direct"_s, false, false}, done);
        });
        QVERIFY(!direct);
        QCOMPARE(failed.error.message, direct.error().message);
        QCOMPARE(failed.error.code, direct.error().code);
        QCOMPARE(failed.summary(),
                 u"Error from server (%1): %2"_s.arg(reason, direct.error().message));
        QVERIFY(!live(Deployments, ns, u"broken"_s));
        QVERIFY(live(ConfigMaps, ns, u"c"_s));
    }

    void objectsRefusedBeforeSendingFailAlone_data()
    {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("summary");

        QTest::newRow("unknown kind")
            << u"apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: f}\n"_s
            << u"no matches for kind \"Foo\" in version \"example.com/v1\""_s
            << u"error: resource mapping not found for name: \"f\" namespace: \"\" from "
               "\"refused.yaml\": no matches for kind \"Foo\" in version \"example.com/v1\""_s;
        QTest::newRow("known kind, unknown version")
            << u"apiVersion: apps/v2\nkind: Deployment\nmetadata: {name: d, namespace: x}\n"_s
            << u"no matches for kind \"Deployment\" in version \"apps/v2\""_s
            << u"error: resource mapping not found for name: \"d\" namespace: \"x\" from "
               "\"refused.yaml\": no matches for kind \"Deployment\" in version \"apps/v2\""_s;
        QTest::newRow("no name")
            << u"apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: default}\n"_s
            << u"resource name may not be empty"_s << u"error: resource name may not be empty"_s;
        QTest::newRow("generated name")
            << u"apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: cm-}\n"_s
            << u"from cm-: cannot use generate name with apply"_s
            << u"error: from cm-: cannot use generate name with apply"_s;
    }

    void objectsRefusedBeforeSendingFailAlone()
    {
        QFETCH(QString, yaml);
        QFETCH(QString, message);
        QFETCH(QString, summary);
        const QString name =
            u"refused-%1"_s.arg(QTest::currentDataTag()).replace(u' ', u'-').replace(u',', u'-');
        const auto results = applyAll(objects(
            yaml.toUtf8() + "---\n" + configMap(name, u"default"_s, u"x"_s), u"refused.yaml"_s));
        QCOMPARE(results.size(), 2);
        QCOMPARE(results[0].outcome, ApplyOutcome::Failed);
        QCOMPARE(results[0].error.message, message);
        QCOMPARE(results[0].summary(), summary);
        QCOMPARE(results[1].outcome, ApplyOutcome::Created);
        QVERIFY(live(ConfigMaps, u"default"_s, name));
    }

    void namespacesFollowTheResourcesScope_data()
    {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("ns"); // where it landed; "" cluster-scoped

        QTest::newRow("namespaced without one")
            << u"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: scoped-a}\n"_s << u"team"_s;
        QTest::newRow("namespaced with its own")
            << u"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: scoped-b, namespace: "
               "default}\n"_s
            << u"default"_s;
        QTest::newRow("cluster-scoped with one")
            << u"apiVersion: v1\nkind: Namespace\nmetadata: {name: scoped-c, namespace: team}\n"_s
            << QString();
    }

    void namespacesFollowTheResourcesScope()
    {
        QFETCH(QString, yaml);
        QFETCH(QString, ns);
        QVERIFY(applyAll(objects(namespaceYaml(u"team"_s)))[0].ok);
        client::ApplyOptions options;
        options.defaultNamespace = u"team"_s;
        const auto results = applyAll(objects(yaml.toUtf8()), options);
        QCOMPARE(results.size(), 1);
        QVERIFY2(results[0].ok, qPrintable(results[0].error.message));
        QCOMPARE(results[0].ns, ns);
        QCOMPARE(results[0].applied[u"metadata"_s][u"namespace"_s].toString(), ns);
        const client::Resource resource = results[0].resource;
        QVERIFY(live(resource, ns, results[0].name));
    }

    void aCustomResourceDefinitionAndItsObjectsApplyInOneRun()
    {
        RecordingClient recording(*m_api);
        client::ApplyOptions options;
        options.defaultNamespace = u"gadgets"_s;
        const auto results =
            applyAll(objects(gadgets(u"example.com"_s, u"gadgets"_s)), options, &recording);
        QCOMPARE(results.size(), 3);
        QCOMPARE(outcomes(results), QList<ApplyOutcome>(3, ApplyOutcome::Created));
        QCOMPARE(summaries(results),
                 (QStringList{u"gadget.example.com/g1 serverside-applied"_s,
                              u"customresourcedefinition.apiextensions.k8s.io/gadgets.example.com "
                              "serverside-applied"_s,
                              u"namespace/gadgets serverside-applied"_s}));
        QCOMPARE(results[0].ns, u"gadgets"_s);
        // Namespace, CRD, its Established condition read, discovery again, then the gadget.
        QCOMPARE(recording.applies(),
                 (QStringList{u"apply namespaces/gadgets"_s,
                              u"apply customresourcedefinitions/gadgets.example.com"_s,
                              u"apply gadgets/g1"_s}));
        QCOMPARE(recording.calls.count(u"discovery"_s), 2);
        const qsizetype crdApplied =
            recording.calls.indexOf(u"apply customresourcedefinitions/gadgets.example.com"_s);
        const qsizetype established = recording.calls.indexOf(
            u"get customresourcedefinitions/gadgets.example.com"_s, crdApplied);
        QVERIFY(established > crdApplied);
        QCOMPARE(recording.calls.lastIndexOf(u"discovery"_s), established + 1);

        const auto gadget = live({u"example.com"_s, u"v1"_s, u"gadgets"_s}, u"gadgets"_s, u"g1"_s);
        QVERIFY(gadget);
        QCOMPARE((*gadget)[u"spec"_s][u"size"_s].toInt(), 3);

        // Once the kind is known, a run asks discovery once and does not wait.
        recording.calls.clear();
        const auto again =
            applyAll(objects(gadgets(u"example.com"_s, u"gadgets"_s)), options, &recording);
        QCOMPARE(outcomes(again), QList<ApplyOutcome>(3, ApplyOutcome::Unchanged));
        QCOMPARE(recording.calls.count(u"discovery"_s), 1);
    }

    void customResourcesWaitForEstablishedOnlyUntilTheDeadline()
    {
        RecordingClient recording(*m_api);
        recording.hideEstablished = true;
        client::ApplyOptions options;
        options.defaultNamespace = u"slow"_s;
        options.establishTimeout = std::chrono::milliseconds(500);
        QElapsedTimer elapsed;
        elapsed.start();
        const auto results =
            applyAll(objects(gadgets(u"slow.example.com"_s, u"slow"_s)), options, &recording);
        QVERIFY(elapsed.elapsed() >= 500);
        QVERIFY(recording.calls.count(u"get customresourcedefinitions/gadgets.slow.example.com"_s) >
                1);
        // Discovery after the deadline serves the kind all the same.
        QCOMPARE(outcomes(results), QList<ApplyOutcome>(3, ApplyOutcome::Created));
    }

    void aCachedDiscoveryIsUsedAndAskedAgainForAnUnknownKind()
    {
        auto served =
            test::await<QList<client::ServedResource>>([&](auto done) { m_api->resources(done); });
        QVERIFY(served);
        RecordingClient recording(*m_api);
        client::Applier applier(recording, {});
        applier.setDiscovery(*served);
        std::optional<QList<client::ApplyResult>> results;
        connect(&applier, &client::Applier::finished,
                [&](const QList<client::ApplyResult> &r) { results = r; });
        applier.apply(objects(configMap(u"cached"_s, u"default"_s, u"x"_s)));
        QTRY_VERIFY_WITH_TIMEOUT(results.has_value(), 20000);
        QCOMPARE(results->at(0).outcome, ApplyOutcome::Created);
        QCOMPARE(recording.calls.count(u"discovery"_s), 0);

        // A cache that does not know ConfigMaps (stale): asked again, once.
        applier.setDiscovery({});
        results.reset();
        applier.apply(objects(configMap(u"cached"_s, u"default"_s, u"y"_s) + "---\n" +
                              configMap(u"cached2"_s, u"default"_s, u"y"_s)));
        QTRY_VERIFY_WITH_TIMEOUT(results.has_value(), 20000);
        QCOMPARE(outcomes(*results),
                 (QList<ApplyOutcome>{ApplyOutcome::Configured, ApplyOutcome::Created}));
        QCOMPARE(recording.calls.count(u"discovery"_s), 1);
        QVERIFY(!applier.discovery().isEmpty());
    }

    void extraLabelsEndUpOnTheLiveObjects()
    {
        client::ApplyOptions options;
        options.extraLabels = {{u"timonel.io/app"_s, u"shop"_s}, {u"app"_s, u"overridden"_s}};
        const auto results = applyAll(objects(shop(u"labelled"_s)), options);
        QCOMPARE(outcomes(results), QList<ApplyOutcome>(4, ApplyOutcome::Created));
        for (const client::ApplyResult &r : results) {
            auto object = live(r.resource, r.ns, r.name);
            QVERIFY(object);
            const QJsonObject labels = (*object)[u"metadata"_s][u"labels"_s].toObject();
            QCOMPARE(labels.value(u"timonel.io/app"_s).toString(), u"shop"_s);
            QCOMPARE(labels.value(u"app"_s).toString(), u"overridden"_s);
        }
        // Only metadata.labels: the Deployment's selector and template keep theirs.
        auto web = live(Deployments, u"labelled"_s, u"web"_s);
        QCOMPARE((*web)[u"spec"_s][u"selector"_s][u"matchLabels"_s][u"app"_s].toString(), u"web"_s);
    }

    void aFieldOwnedByAnotherManagerConflictsUnlessForced()
    {
        QVERIFY(applyAll(objects(namespaceYaml(u"owned"_s)))[0].ok);
        client::ApplyOptions other;
        other.fieldManager = u"other"_s;
        QVERIFY(applyAll(objects(configMap(u"shared"_s, u"owned"_s, u"red"_s)), other)[0].ok);

        const auto input = objects(configMap(u"shared"_s, u"owned"_s, u"green"_s));
        const auto refused = applyAll(input);
        QCOMPARE(refused.size(), 1);
        QCOMPARE(refused[0].outcome, ApplyOutcome::Failed);
        QCOMPARE(refused[0].error.code, 409);
        QCOMPARE(refused[0].error.reason, u"Conflict"_s);
        QCOMPARE(refused[0].error.message,
                 u"Apply failed with 1 conflict: conflict with \"other\": .data.color"_s);
        QCOMPARE(refused[0].summary(),
                 u"Error from server (Conflict): Apply failed with 1 conflict: conflict with "
                 "\"other\": .data.color"_s);
        QCOMPARE((*live(ConfigMaps, u"owned"_s, u"shared"_s))[u"data"_s][u"color"_s].toString(),
                 u"red"_s);

        client::ApplyOptions force;
        force.force = true;
        const auto forced = applyAll(input, force);
        QCOMPARE(forced[0].outcome, ApplyOutcome::Configured);
        QCOMPARE((*live(ConfigMaps, u"owned"_s, u"shared"_s))[u"data"_s][u"color"_s].toString(),
                 u"green"_s);
    }

    void fetchLiveGivesTheLiveObjectOrNothing_data()
    {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("outcome"); // "live", "none", or the error message

        QTest::newRow("existing, namespace from the default")
            << u"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: here}\n"_s << u"live"_s;
        QTest::newRow("missing")
            << u"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nowhere}\n"_s << u"none"_s;
        QTest::newRow("unknown kind")
            << u"apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: f}\n"_s
            << u"no matches for kind \"Foo\" in version \"example.com/v1\""_s;
    }

    void fetchLiveGivesTheLiveObjectOrNothing()
    {
        QFETCH(QString, yaml);
        QFETCH(QString, outcome);
        QVERIFY(applyAll(objects(namespaceYaml(u"lookup"_s)))[0].ok);
        QVERIFY(applyAll(objects(configMap(u"here"_s, u"lookup"_s, u"teal"_s)))[0].ok);

        const QJsonObject object = objects(yaml.toUtf8())[0].object;
        auto fetched = test::await<std::optional<QJsonObject>>(
            [&](auto done) { client::Applier::fetchLive(*m_api, object, done, u"lookup"_s); });
        if (outcome == u"live") {
            QVERIFY(fetched);
            QVERIFY(fetched->has_value());
            QCOMPARE((**fetched)[u"data"_s][u"color"_s].toString(), u"teal"_s);
        } else if (outcome == u"none") {
            QVERIFY(fetched);
            QVERIFY(!fetched->has_value());
        } else {
            QVERIFY(!fetched);
            QCOMPARE(fetched.error().reason, QString(client::NoKindMatchReason));
            QCOMPARE(fetched.error().message, outcome);
        }
    }

    void dryRunApplyShowsTheObjectAsItWouldBe()
    {
        QVERIFY(applyAll(objects(namespaceYaml(u"preview"_s)))[0].ok);
        QVERIFY(applyAll(objects(configMap(u"p"_s, u"preview"_s, u"red"_s)))[0].ok);
        const QJsonObject changed = objects(configMap(u"p"_s, u"preview"_s, u"green"_s))[0].object;
        auto after = test::await<QJsonObject>(
            [&](auto done) { client::Applier::dryRunApply(*m_api, changed, {}, done); });
        QVERIFY2(after, qPrintable(after ? QString() : after.error().message));
        QCOMPARE((*after)[u"data"_s][u"color"_s].toString(), u"green"_s);
        QCOMPARE((*live(ConfigMaps, u"preview"_s, u"p"_s))[u"data"_s][u"color"_s].toString(),
                 u"red"_s);

        // A failure is the server's.
        QJsonObject conflicting = changed;
        client::ApplyOptions options;
        options.fieldManager = u"someone-else"_s;
        auto refused = test::await<QJsonObject>(
            [&](auto done) { client::Applier::dryRunApply(*m_api, conflicting, options, done); });
        QVERIFY(!refused);
        QCOMPARE(refused.error().code, 409);
    }

    void cancelStopsBeforeTheNextObject()
    {
        client::Applier applier(*m_api, {});
        std::optional<QList<client::ApplyResult>> results;
        connect(&applier, &client::Applier::objectApplied, &applier, &client::Applier::cancel);
        connect(&applier, &client::Applier::finished,
                [&](const QList<client::ApplyResult> &r) { results = r; });
        applier.apply(objects(shop(u"cancelled"_s)));
        QTRY_VERIFY_WITH_TIMEOUT(results.has_value(), 20000);
        QVERIFY(!applier.isRunning());
        QCOMPARE(outcomes(*results),
                 (QList<ApplyOutcome>{ApplyOutcome::Skipped, ApplyOutcome::Skipped,
                                      ApplyOutcome::Skipped, ApplyOutcome::Created}));
        QCOMPARE(results->at(0).summary(), u"deployment/web not applied: the run was cancelled"_s);
        QVERIFY(live(Namespaces, {}, u"cancelled"_s));
        QVERIFY(!live(Deployments, u"cancelled"_s, u"web"_s));
    }

    void theStaticApplyCallsBackWithTheResults()
    {
        std::optional<QList<client::ApplyResult>> results;
        client::Applier::apply(*m_api, objects(shop(u"static"_s)), {},
                               [&](const QList<client::ApplyResult> &r) { results = r; });
        QTRY_VERIFY_WITH_TIMEOUT(results.has_value(), 20000);
        QCOMPARE(outcomes(*results), QList<ApplyOutcome>(4, ApplyOutcome::Created));
    }

    void aListStandsForItsItems()
    {
        const QJsonObject list{
            {u"apiVersion"_s, u"v1"_s},
            {u"kind"_s, u"List"_s},
            {u"items"_s, QJsonArray{objects(configMap(u"l1"_s, u"default"_s, u"a"_s))[0].object,
                                    objects(configMap(u"l2"_s, u"default"_s, u"b"_s))[0].object}}};
        const auto results = applyAll({{list, {u"list.yaml"_s, 0, 1}}});
        QCOMPARE(summaries(results), (QStringList{u"configmap/l1 serverside-applied"_s,
                                                  u"configmap/l2 serverside-applied"_s}));
        QCOMPARE(results[1].source.file, u"list.yaml"_s);
    }

    void worksOverHttpToo()
    {
        client::ClusterAccess access;
        access.server = QUrl(u"http://127.0.0.1:%1"_s.arg(m_server->port()));
        client::HttpsClient http(access);
        client::ApplyOptions options;
        options.defaultNamespace = u"over-http"_s;
        const auto results =
            applyAll(objects(gadgets(u"http.example.com"_s, u"over-http"_s)), options, &http);
        QCOMPARE(summaries(results),
                 (QStringList{u"gadget.http.example.com/g1 serverside-applied"_s,
                              u"customresourcedefinition.apiextensions.k8s.io/"
                              "gadgets.http.example.com serverside-applied"_s,
                              u"namespace/over-http serverside-applied"_s}));
        QCOMPARE(outcomes(results), QList<ApplyOutcome>(3, ApplyOutcome::Created));
        QCOMPARE(outcomes(applyAll(objects(gadgets(u"http.example.com"_s, u"over-http"_s)), options,
                                   &http)),
                 QList<ApplyOutcome>(3, ApplyOutcome::Unchanged));
    }
};

QTEST_GUILESS_MAIN(TestApplier)
#include "tst_applier.moc"
