#include "apiserver/fieldmanager.h"
#include "apiserver/fieldset.h"
#include "core/schema.h"
#include "core/yaml.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace timonel::apiserver;
using namespace timonel::core;
using namespace Qt::StringLiterals;

namespace {

// A Deployment-like tree with every kind of list and map server-side apply distinguishes.
// default={} marks Go's non-pointer structs, required its non-omitempty fields.
const QByteArray schemaYaml = R"(package: io.k8s.api.apps.v1
group: apps
version: v1
types:
  Deployment:
    apiVersion: string
    kind: string
    metadata: ObjectMeta default={}
    spec: DeploymentSpec default={}
    status: DeploymentStatus default={}
  ObjectMeta:
    name: string
    namespace: string
    uid: string
    resourceVersion: string
    generation: int64
    creationTimestamp: time
    labels: map<string>
    annotations: map<string>
    finalizers: list<string> merge set
    managedFields: list<object> atomic
  DeploymentSpec:
    replicas: int32
    selector: LabelSelector required
    template: PodTemplateSpec required default={}
    strategy: DeploymentStrategy default={}
    extra: object
  LabelSelector:
    _flags: atomic
    matchLabels: map<string>
  DeploymentStrategy:
    type: string
    rollingUpdate: RollingUpdateDeployment
  RollingUpdateDeployment:
    maxSurge: intorstring
    maxUnavailable: intorstring
  PodTemplateSpec:
    metadata: ObjectMeta default={}
    spec: PodSpec default={}
  PodSpec:
    containers: list<Container> required merge=name map=name
    nodeSelector: map<string> atomic
  Container:
    name: string required
    image: string
    args: list<string> atomic
    ports: list<ContainerPort> merge=containerPort map=containerPort,protocol
    env: list<EnvVar> merge=name
    resources: ResourceRequirements default={}
  ContainerPort:
    containerPort: int32 required
    protocol: string default=TCP
  EnvVar:
    name: string required
    value: string
  ResourceRequirements:
    limits: map<quantity>
  DeploymentStatus:
    replicas: int32
resources:
  Deployment:
    plural: deployments
)";

const QDateTime start = QDateTime(QDate(2024, 1, 1), QTime(0, 0), QTimeZone::UTC);

QJsonValue yaml(const QString &text)
{
    auto parsed = parseYaml(text.toUtf8());
    if (!parsed)
        qFatal("bad test YAML: %s\n%s", qPrintable(formatYamlError(parsed.error(), u"case"_s)),
               qPrintable(text));
    return *parsed;
}

QString json(const QJsonValue &v)
{
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    return QString::fromUtf8(QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact));
}

// QCOMPARE cuts long strings; this prints both in full.
bool sameJson(const QJsonValue &actual, const QJsonValue &expected)
{
    if (actual == expected)
        return true;
    qWarning().noquote() << "\n  actual:  " << json(actual) << "\n  expected:" << json(expected);
    return false;
}

// RFC 7386, for the "update" steps of the tables.
QJsonValue mergePatch(const QJsonValue &target, const QJsonValue &patch)
{
    if (!patch.isObject())
        return patch;
    QJsonObject out = target.toObject();
    const QJsonObject p = patch.toObject();
    for (auto it = p.begin(); it != p.end(); ++it) {
        if (it.value().isNull())
            out.remove(it.key());
        else
            out.insert(it.key(), mergePatch(out.value(it.key()), it.value()));
    }
    return out;
}

QJsonObject withoutManagedFields(QJsonObject o)
{
    QJsonObject metadata = o.value(u"metadata").toObject();
    metadata.remove(u"managedFields");
    o.insert(u"metadata"_s, metadata);
    return o;
}

// Entries as the tables spell them: apiVersion and fieldsType default, time only if given.
QJsonArray comparableEntries(const QJsonArray &actual, const QJsonArray &expected)
{
    QJsonArray out;
    for (qsizetype i = 0; i < actual.size(); ++i) {
        QJsonObject e = actual.at(i).toObject();
        if (!expected.at(i).toObject().contains(u"time")) // not checked
            e.remove(u"time");
        out.append(e);
    }
    return out;
}

// time: "" stands for an entry without time.
QJsonArray withDefaults(const QJsonArray &expected)
{
    QJsonArray out;
    for (const QJsonValue &v : expected) {
        QJsonObject e = v.toObject();
        if (e.value(u"time").toString(u"-"_s).isEmpty())
            e.remove(u"time");
        if (!e.contains(u"apiVersion"))
            e.insert(u"apiVersion"_s, u"apps/v1"_s);
        e.insert(u"fieldsType"_s, u"FieldsV1"_s);
        out.append(e);
    }
    return out;
}

} // namespace

class TstFieldManager : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::optional<SchemaRegistry> m_registry;
    const SchemaType *m_deployment = nullptr;

    // Runs the steps of a table row from an absent object. A step is one of
    //   {apply: MANAGER, config: OBJECT, force: BOOL, subresource: S}
    //   {create: MANAGER, object: OBJECT}               (an Update from nothing)
    //   {update: MANAGER, patch: MERGE-PATCH, subresource: S}
    // each one minute after the previous, from 2024-01-01T00:00:00Z. The last step may fail.
    std::expected<QJsonObject, ApplyFailure> run(const QJsonArray &steps)
    {
        QJsonObject current;
        for (qsizetype i = 0; i < steps.size(); ++i) {
            const QJsonObject step = steps.at(i).toObject();
            const QDateTime now = start.addSecs(60 * i);
            const QString subresource = step.value(u"subresource").toString();
            if (step.contains(u"apply")) {
                auto applied = applyConfiguration(
                    current, step.value(u"config").toObject(), step.value(u"apply").toString(),
                    step.value(u"force").toBool(), m_deployment, u"apps/v1"_s, now, subresource);
                if (!applied)
                    return applied;
                current = *applied;
            } else if (step.contains(u"create")) {
                current = updateManagedFields({}, step.value(u"object").toObject(),
                                              step.value(u"create").toString(), m_deployment,
                                              u"apps/v1"_s, now);
            } else if (step.contains(u"update")) {
                const QJsonObject next = mergePatch(current, step.value(u"patch")).toObject();
                current = updateManagedFields(current, next, step.value(u"update").toString(),
                                              m_deployment, u"apps/v1"_s, now, subresource);
            }
        }
        return current;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QFile f(m_dir.filePath(u"apps.yaml"_s));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(schemaYaml);
        f.close();
        auto loaded = SchemaRegistry::load({f.fileName()});
        QVERIFY2(loaded, qPrintable(loaded ? QString() : loaded.error()));
        m_registry.emplace(std::move(*loaded));
        m_deployment = m_registry->type(u"io.k8s.api.apps.v1.Deployment");
        QVERIFY(m_deployment);
    }

    void fieldSetEncodesAsFieldsV1_data();

    void fieldSetEncodesAsFieldsV1()
    {
        QFETCH(QStringList, paths);
        QFETCH(QString, fieldsV1);
        FieldSet set;
        for (const QString &spelled : paths) {
            FieldPath path;
            for (const QString &element : spelled.split(u" / "_s)) {
                auto pe = PathElement::parse(element);
                QVERIFY2(pe, qPrintable(element));
                path.append(*pe);
            }
            set.insert(path);
        }
        QCOMPARE(json(set.toFieldsV1()), fieldsV1);
        auto decoded = FieldSet::fromFieldsV1(set.toFieldsV1());
        QVERIFY(decoded);
        QVERIFY(*decoded == set);
        for (const FieldPath &p : set.paths())
            QVERIFY(decoded->has(p));
    }

    void pathsPrintAsInConflicts_data();

    void pathsPrintAsInConflicts()
    {
        QFETCH(QString, path);
        QFETCH(QString, printed);
        FieldPath p;
        for (const QString &element : path.split(u" / "_s))
            p.append(*PathElement::parse(element));
        QCOMPARE(pathToString(p), printed);
    }

    void applyAndUpdateTrackOwnership_data();
    void applyAndUpdateTrackOwnership()
    {
        QFETCH(QString, steps);
        QFETCH(QString, expected);
        const QJsonObject expect = yaml(expected).toObject();
        auto result = run(yaml(steps).toArray());
        if (expect.contains(u"error")) {
            QVERIFY2(!result, qPrintable(result ? json(*result) : QString()));
            QCOMPARE(result.error().message, expect.value(u"error").toString());
            if (expect.contains(u"code"))
                QCOMPARE(result.error().code, expect.value(u"code").toInt());
            if (expect.contains(u"causes")) {
                QStringList causes;
                for (const FieldConflict &c : result.error().conflicts)
                    causes.append(c.message() + u": "_s + c.field);
                QStringList wanted;
                for (const QJsonValue &c : expect.value(u"causes").toArray())
                    wanted.append(c.toString());
                QCOMPARE(causes, wanted);
            }
            return;
        }
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        if (expect.contains(u"object"))
            QVERIFY2(sameJson(withoutManagedFields(*result), expect.value(u"object")), "object");
        const QJsonValue managed = result->value(u"metadata").toObject().value(u"managedFields");
        const QJsonArray rawWanted = expect.value(u"managedFields").toArray();
        const QJsonArray wanted = withDefaults(rawWanted);
        if (wanted.isEmpty()) {
            QVERIFY2(managed.isUndefined(), qPrintable(json(managed)));
            return;
        }
        QCOMPARE(managed.toArray().size(), wanted.size());
        for (qsizetype i = 0; i < wanted.size(); ++i)
            QVERIFY2(sameJson(comparableEntries(managed.toArray(), rawWanted).at(i), wanted.at(i)),
                     qPrintable(u"managedFields[%1]"_s.arg(i)));
    }

    void fieldManagerComesFromUserAgent_data()
    {
        QTest::addColumn<QString>("userAgent");
        QTest::addColumn<QString>("manager");
        QTest::newRow("kubectl") << u"kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9"_s
                                 << u"kubectl"_s;
        QTest::newRow("controller")
            << u"kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/70d3cc9/system:serviceaccount:kube-system:deployment-controller"_s
            << u"kube-controller-manager"_s;
        QTest::newRow("no slash") << u"curl"_s << u"curl"_s;
        QTest::newRow("control characters dropped") << u"a\tb/1"_s << u"ab"_s;
        QTest::newRow("at most 128 bytes") << QString(200, u'x') << QString(128, u'x');
        QTest::newRow("characters beyond 16 bits kept whole")
            << u"k\U0001F6A2s/1"_s << u"k\U0001F6A2s"_s;
    }

    void fieldManagerComesFromUserAgent()
    {
        QFETCH(QString, userAgent);
        QFETCH(QString, manager);
        QCOMPARE(fieldManagerFromUserAgent(userAgent), manager);
    }
};

namespace {

// A Deployment configuration in YAML flow style, as kubectl sends it.
QString deployment(const QString &spec, const QString &metadata = {})
{
    QString out =
        uR"({apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: default)"_s;
    if (!metadata.isEmpty())
        out += u", "_s + metadata;
    out += u'}';
    if (!spec.isEmpty())
        out += u", spec: "_s + spec;
    return out + u'}';
}

QString webSpec(const QString &replicas, const QString &image)
{
    QString spec = u"{"_s;
    if (!replicas.isEmpty())
        spec += u"replicas: "_s + replicas + u", "_s;
    return spec +
           uR"(selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: "%1"}]}}})"_s
               .arg(image);
}

// The object an apply of deployment(webSpec(replicas, image)) stores: Go's encoding adds
// the empty non-pointer structs (strategy, resources, status).
QString storedWeb(const QString &replicas, const QString &image, const QString &metadata = {})
{
    QString spec = u"{"_s;
    if (!replicas.isEmpty())
        spec += u"replicas: "_s + replicas + u", "_s;
    spec +=
        uR"(selector: {matchLabels: {app: web}}, strategy: {}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: "%1", resources: {}}]}}})"_s
            .arg(image);
    return deployment(spec, metadata).chopped(1) + u", status: {}}"_s;
}

// The object an apply of deployment({}, metadata) stores.
QString storedMetadata(const QString &metadata)
{
    return deployment(u"{strategy: {}, template: {metadata: {}, spec: {}}}"_s, metadata)
               .chopped(1) +
           u", status: {}}"_s;
}

// The object an apply of containers (YAML flow list items) stores.
QString storedContainers(const QString &containers)
{
    return deployment(u"{strategy: {}, template: {metadata: {}, spec: {containers: [%1]}}}"_s.arg(
                          containers))
               .chopped(1) +
           u", status: {}}"_s;
}

// What applying webSpec() owns.
QString webFields(bool replicas)
{
    return uR"({"f:spec":{%1"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}}}}}})"_s
        .arg(replicas ? uR"("f:replicas":{},)"_s : QString());
}

// A Deployment as the API server stores it after kubectl's client-side apply of
// webSpec("2", "nginx"): the annotation, and a defaulted strategy.
const QString lastApplied =
    uR"({\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"annotations\":{},\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"image\":\"nginx\",\"name\":\"web\"}]}}}}\n)"_s;

QString clientSideApplied()
{
    return deployment(
        uR"({replicas: 2, selector: {matchLabels: {app: web}}, strategy: {type: RollingUpdate}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: nginx}]}}})"_s,
        uR"(annotations: {kubectl.kubernetes.io/last-applied-configuration: "%1"})"_s.arg(
            lastApplied));
}

const QString clientSideApplyFields =
    uR"({"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/last-applied-configuration":{}}},"f:spec":{%1"f:selector":{},"f:strategy":{"f:type":{}},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},%2"f:name":{},"f:resources":{}}}}}}})"_s;

} // namespace

void TstFieldManager::fieldSetEncodesAsFieldsV1_data()
{
    QTest::addColumn<QStringList>("paths"); // elements separated by " / "
    QTest::addColumn<QString>("fieldsV1");

    QTest::newRow("leaf fields are empty objects")
        << QStringList{u"f:spec / f:replicas"_s, u"f:spec / f:paused"_s}
        << uR"({"f:spec":{"f:paused":{},"f:replicas":{}}})"_s;
    QTest::newRow("a member with members below gets a dot")
        << QStringList{u"f:spec / f:containers / k:{\"name\":\"c\"}"_s,
                       u"f:spec / f:containers / k:{\"name\":\"c\"} / f:image"_s}
        << uR"({"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{}}}}})"_s;
    QTest::newRow("list-map keys are sorted compact JSON")
        << QStringList{u"f:ports / k:{\"protocol\":\"TCP\",\"containerPort\":80}"_s}
        << uR"({"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{}}})"_s;
    QTest::newRow("set values are JSON")
        << QStringList{u"f:finalizers / v:\"x\""_s, u"f:ids / v:7"_s}
        << uR"({"f:finalizers":{"v:\"x\"":{}},"f:ids":{"v:7":{}}})"_s;
    QTest::newRow("keys escape HTML characters as Go does")
        << QStringList{u"f:env / k:{\"name\":\"a<b&c\"}"_s}
        << uR"({"f:env":{"k:{\"name\":\"a\\u003cb\\u0026c\"}":{}}})"_s;
    QTest::newRow("a field and its dot-less children")
        << QStringList{u"f:metadata / f:labels"_s, u"f:metadata / f:labels / f:app"_s}
        << uR"({"f:metadata":{"f:labels":{".":{},"f:app":{}}}})"_s;
}

void TstFieldManager::pathsPrintAsInConflicts_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("printed");
    QTest::newRow("fields") << u"f:spec / f:replicas"_s << u".spec.replicas"_s;
    QTest::newRow("list-map element") << u"f:spec / f:containers / k:{\"name\":\"c\"} / f:image"_s
                                      << u".spec.containers[name=\"c\"].image"_s;
    QTest::newRow("two keys") << u"k:{\"protocol\":\"TCP\",\"containerPort\":80}"_s
                              << u"[containerPort=80,protocol=\"TCP\"]"_s;
    QTest::newRow("set value") << u"f:finalizers / v:\"a\\\"b\""_s << u".finalizers[=\"a\\\"b\"]"_s;
    QTest::newRow("index") << u"f:args / i:2"_s << u".args[2]"_s;
}

void TstFieldManager::applyAndUpdateTrackOwnership_data()
{
    QTest::addColumn<QString>("steps");
    QTest::addColumn<QString>("expected");

    QTest::newRow("first apply owns each applied field; list-maps by key, default keys included")
        << uR"(
- apply: kubectl
  config: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: default, labels: {app: web}}, spec: {replicas: 2, selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: "nginx:1.27", ports: [{containerPort: 80}], env: [{name: MODE, value: prod}]}]}}}}
)"_s << uR"(
object: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: default, labels: {app: web}}, spec: {replicas: 2, selector: {matchLabels: {app: web}}, strategy: {}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: "nginx:1.27", ports: [{containerPort: 80}], env: [{name: MODE, value: prod}], resources: {}}]}}}, status: {}}
managedFields:
- manager: kubectl
  operation: Apply
  time: "2024-01-01T00:00:00Z"
  fieldsV1: {"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:env":{"k:{\"name\":\"MODE\"}":{".":{},"f:name":{},"f:value":{}}},"f:image":{},"f:name":{},"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}}
)"_s;

    QTest::newRow("re-applying without a field removes it") << uR"(
- {apply: kubectl, config: %1}
- {apply: kubectl, config: %2}
)"_s.arg(deployment(webSpec(u"2"_s, u"nginx"_s)), deployment(webSpec({}, u"nginx"_s)))
                                                            << uR"(
object: %1
managedFields:
- {manager: kubectl, operation: Apply, time: "2024-01-01T00:01:00Z", fieldsV1: %2}
)"_s.arg(storedWeb({}, u"nginx"_s), webFields(false));

    QTest::newRow("re-applying without a list-map element removes it") << uR"(
- apply: kubectl
  config: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: default}, spec: {template: {spec: {containers: [{name: web, image: nginx}, {name: log, image: busybox}]}}}}
- apply: kubectl
  config: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: default}, spec: {template: {spec: {containers: [{name: web, image: nginx}]}}}}
)"_s << uR"(
object: %1
managedFields:
- {manager: kubectl, operation: Apply, fieldsV1: {"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}}}}}}}
)"_s.arg(storedContainers(uR"({name: web, image: nginx, resources: {}})"_s));

    QTest::newRow("managers applying the same value share it; a no-op apply records no time")
        << uR"(
- {apply: a, config: %1}
- {apply: b, config: %2}
)"_s.arg(deployment(webSpec(u"2"_s, u"nginx"_s)), deployment(u"{replicas: 2}"_s))
        << uR"(
object: %1
managedFields:
- {manager: b, operation: Apply, time: "", fieldsV1: {"f:spec":{"f:replicas":{}}}}
- {manager: a, operation: Apply, time: "2024-01-01T00:00:00Z", fieldsV1: %2}
)"_s.arg(storedWeb(u"2"_s, u"nginx"_s), webFields(true));

    QTest::newRow("a shared field stays when one of its appliers drops it")
        << uR"(
- {apply: a, config: %1}
- {apply: b, config: %2}
- {apply: a, config: %3}
)"_s.arg(deployment(webSpec(u"2"_s, u"nginx"_s)), deployment(u"{replicas: 2}"_s),
           deployment(webSpec({}, u"nginx"_s)))
        << uR"(
object: %1
managedFields:
- {manager: b, operation: Apply, fieldsV1: {"f:spec":{"f:replicas":{}}}}
- {manager: a, operation: Apply, time: "2024-01-01T00:00:00Z", fieldsV1: %2}
)"_s.arg(storedWeb(u"2"_s, u"nginx"_s), webFields(false));

    QTest::newRow("applying another value of a field an applier owns is a conflict") << uR"(
- {apply: a, config: %1}
- {apply: b, config: %2}
)"_s.arg(deployment(webSpec(u"2"_s, u"nginx"_s)), deployment(u"{replicas: 3}"_s)) << uR"(
error: 'Apply failed with 1 conflict: conflict with "a": .spec.replicas'
code: 409
causes: ['conflict with "a": .spec.replicas']
)"_s;

    QTest::newRow("force takes the field over") << uR"(
- {apply: a, config: %1}
- {apply: b, force: true, config: %2}
)"_s.arg(deployment(webSpec(u"2"_s, u"nginx"_s)), deployment(u"{replicas: 3}"_s))
                                                << uR"(
object: %1
managedFields:
- {manager: a, operation: Apply, time: "2024-01-01T00:00:00Z", fieldsV1: %2}
- {manager: b, operation: Apply, time: "2024-01-01T00:01:00Z", fieldsV1: {"f:spec":{"f:replicas":{}}}}
)"_s.arg(storedWeb(u"3"_s, u"nginx"_s), webFields(false));

    QTest::newRow("a conflict with an update names its apiVersion") << uR"(
- {create: kubectl-create, object: %1}
- {apply: a, config: %2}
)"_s.arg(deployment(webSpec(u"1"_s, u"nginx"_s)), deployment(webSpec(u"1"_s, u"nginx:1.27"_s)))
                                                                    << uR"(
error: 'Apply failed with 1 conflict: conflict with "kubectl-create" using apps/v1: .spec.template.spec.containers[name="web"].image'
)"_s;

    QTest::newRow("conflicts with several managers are grouped by manager") << uR"(
- {apply: a, config: %1}
- {update: kubectl-edit, patch: {spec: {template: {spec: {containers: [{name: web, image: "nginx:1.26"}]}}}}}
- {apply: b, config: %2}
)"_s.arg(deployment(webSpec(u"2"_s, u"nginx"_s)), deployment(webSpec(u"3"_s, u"nginx:1.27"_s)))
                                                                            << uR"(
error: "Apply failed with 2 conflicts: conflicts with \"a\":\n- .spec.replicas\nconflicts with \"kubectl-edit\" using apps/v1:\n- .spec.template.spec.containers[name=\"web\"].image"
causes:
- 'conflict with "a": .spec.replicas'
- 'conflict with "kubectl-edit" using apps/v1: .spec.template.spec.containers[name="web"].image'
)"_s;

    QTest::newRow("an update takes ownership away from an applier") << uR"(
- {apply: a, config: %1}
- {update: kubectl-scale, patch: {spec: {replicas: 5}}}
)"_s.arg(deployment(webSpec(u"2"_s, u"nginx"_s))) << uR"(
object: %1
managedFields:
- {manager: a, operation: Apply, time: "2024-01-01T00:00:00Z", fieldsV1: %2}
- {manager: kubectl-scale, operation: Update, time: "2024-01-01T00:01:00Z", fieldsV1: {"f:spec":{"f:replicas":{}}}}
)"_s.arg(storedWeb(u"5"_s, u"nginx"_s), webFields(false));

    QTest::newRow("re-applying a field an update took is a conflict") << uR"(
- {apply: a, config: %1}
- {update: kubectl-scale, patch: {spec: {replicas: 5}}}
- {apply: a, config: %1}
)"_s.arg(deployment(webSpec(u"2"_s, u"nginx"_s))) << uR"(
error: 'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas'
)"_s;

    QTest::newRow("dropping a field an update took keeps it") << uR"(
- {apply: a, config: %1}
- {update: kubectl-label, patch: {metadata: {labels: {tier: be}}}}
- {apply: a, config: %2}
)"_s.arg(deployment({}, u"labels: {app: web, tier: fe}"_s), deployment({}, u"labels: {app: web}"_s))
                                                              << uR"(
object: %1
managedFields:
- {manager: a, operation: Apply, fieldsV1: {"f:metadata":{"f:labels":{"f:app":{}}}}}
- {manager: kubectl-label, operation: Update, fieldsV1: {"f:metadata":{"f:labels":{"f:tier":{}}}}}
)"_s.arg(storedMetadata(u"labels: {app: web, tier: be}"_s));

    QTest::newRow("a field an update removes leaves its owners") << uR"(
- {apply: a, config: %1}
- {update: kubectl-label, patch: {metadata: {labels: {tier: null}}}}
)"_s.arg(deployment({}, u"labels: {app: web, tier: fe}"_s)) << uR"(
object: %1
managedFields:
- {manager: a, operation: Apply, time: "2024-01-01T00:00:00Z", fieldsV1: {"f:metadata":{"f:labels":{"f:app":{}}}}}
)"_s.arg(storedMetadata(u"labels: {app: web}"_s));

    QTest::newRow("sets merge by value") << uR"(
- {apply: a, config: %1}
- {apply: b, config: %2}
)"_s.arg(deployment({}, u"finalizers: [a.io/x]"_s), deployment({}, u"finalizers: [b.io/y]"_s))
                                         << uR"(
object: %1
managedFields:
- {manager: a, operation: Apply, fieldsV1: {"f:metadata":{"f:finalizers":{"v:\"a.io/x\"":{}}}}}
- {manager: b, operation: Apply, fieldsV1: {"f:metadata":{"f:finalizers":{"v:\"b.io/y\"":{}}}}}
)"_s.arg(storedMetadata(u"finalizers: [a.io/x, b.io/y]"_s));

    QTest::newRow("maps of strings merge by key") << uR"(
- {apply: a, config: %1}
- {apply: b, config: %2}
)"_s.arg(deployment({}, u"labels: {app: web}"_s), deployment({}, u"labels: {tier: fe}"_s))
                                                  << uR"(
object: %1
managedFields:
- {manager: a, operation: Apply, fieldsV1: {"f:metadata":{"f:labels":{"f:app":{}}}}}
- {manager: b, operation: Apply, fieldsV1: {"f:metadata":{"f:labels":{"f:tier":{}}}}}
)"_s.arg(storedMetadata(u"labels: {app: web, tier: fe}"_s));

    QTest::newRow("list-map elements keep the live order; new ones go where the applier put them")
        << uR"(
- apply: a
  config: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: default}, spec: {template: {spec: {containers: [{name: web, image: nginx}, {name: log, image: busybox}]}}}}
- apply: b
  config: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: default}, spec: {template: {spec: {containers: [{name: metrics, image: exporter}, {name: log, image: busybox}]}}}}
)"_s
        << uR"(
object: %1
managedFields:
- {manager: a, operation: Apply, fieldsV1: {"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"log\"}":{".":{},"f:image":{},"f:name":{}},"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}}}}}}}
- {manager: b, operation: Apply, fieldsV1: {"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"log\"}":{".":{},"f:image":{},"f:name":{}},"k:{\"name\":\"metrics\"}":{".":{},"f:image":{},"f:name":{}}}}}}}}
)"_s.arg(storedContainers(
               uR"({name: web, image: nginx, resources: {}}, {name: metrics, image: exporter, resources: {}}, {name: log, image: busybox, resources: {}})"_s));

    QTest::newRow("shared list-map elements take the applier's order after live-only ones")
        << uR"(
- apply: a
  config: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: default}, spec: {template: {spec: {containers: [{name: web, image: nginx}, {name: log, image: busybox}, {name: metrics, image: exporter}]}}}}
- apply: b
  config: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: default}, spec: {template: {spec: {containers: [{name: metrics, image: exporter}, {name: web, image: nginx}]}}}}
)"_s
        << uR"(
object: %1
managedFields:
- {manager: a, operation: Apply, time: "2024-01-01T00:00:00Z", fieldsV1: {"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"log\"}":{".":{},"f:image":{},"f:name":{}},"k:{\"name\":\"metrics\"}":{".":{},"f:image":{},"f:name":{}},"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}}}}}}}
- {manager: b, operation: Apply, time: "2024-01-01T00:01:00Z", fieldsV1: {"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"metrics\"}":{".":{},"f:image":{},"f:name":{}},"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}}}}}}}
)"_s.arg(storedContainers(
               uR"({name: log, image: busybox, resources: {}}, {name: metrics, image: exporter, resources: {}}, {name: web, image: nginx, resources: {}})"_s));

    QTest::newRow("atomic lists are replaced whole") << uR"(
- apply: a
  config: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: default}, spec: {template: {spec: {containers: [{name: web, image: nginx, args: [--a, --b]}]}}}}
- apply: b
  force: true
  config: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: default}, spec: {template: {spec: {containers: [{name: web, args: [--c]}]}}}}
)"_s << uR"(
object: %1
managedFields:
- {manager: a, operation: Apply, fieldsV1: {"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}}}}}}}
- {manager: b, operation: Apply, fieldsV1: {"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:args":{},"f:name":{}}}}}}}}
)"_s.arg(storedContainers(uR"({name: web, image: nginx, args: [--c], resources: {}})"_s));

    QTest::newRow("free-form objects merge by key and their lists are atomic")
        << uR"(
- {apply: a, config: %1}
- {apply: b, force: true, config: %2}
)"_s.arg(deployment(u"{extra: {a: {x: 1}, list: [1, 2]}}"_s),
           deployment(u"{extra: {a: {y: 2}, list: [3]}}"_s))
        << uR"(
object: %1
managedFields:
- {manager: a, operation: Apply, fieldsV1: {"f:spec":{"f:extra":{"f:a":{".":{},"f:x":{}}}}}}
- {manager: b, operation: Apply, fieldsV1: {"f:spec":{"f:extra":{"f:a":{".":{},"f:y":{}},"f:list":{}}}}}
)"_s.arg(deployment(
               u"{extra: {a: {x: 1, y: 2}, list: [3]}, strategy: {}, template: {metadata: {}, spec: {}}}"_s)
               .chopped(1) +
           u", status: {}}"_s);

    QTest::newRow("atomic objects are replaced whole")
        << uR"(
- {apply: a, config: %1}
- {apply: b, force: true, config: %2}
)"_s.arg(deployment(u"{selector: {matchLabels: {app: web, tier: fe}}}"_s),
           deployment(u"{selector: {matchLabels: {app: web}}}"_s))
        << uR"(
object: %1
managedFields:
- {manager: b, operation: Apply, fieldsV1: {"f:spec":{"f:selector":{}}}}
)"_s.arg(deployment(
               u"{selector: {matchLabels: {app: web}}, strategy: {}, template: {metadata: {}, spec: {}}}"_s)
               .chopped(1) +
           u", status: {}}"_s);

    QTest::newRow("a created object is owned field by field against Go's zero value") << uR"(
- create: kubectl-create
  object: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: default, labels: {app: web}}, spec: {replicas: 1, selector: {matchLabels: {app: web}}, strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: nginx, resources: {}}]}}}, status: {}}
)"_s << uR"(
managedFields:
- manager: kubectl-create
  operation: Update
  time: "2024-01-01T00:00:00Z"
  fieldsV1: {"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:strategy":{"f:rollingUpdate":{".":{},"f:maxSurge":{},"f:maxUnavailable":{}},"f:type":{}},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{},"f:resources":{}}}}}}}
)"_s;

    QTest::newRow("updates by one manager merge into one entry") << uR"(
- {create: kubectl-create, object: %1}
- {update: kubectl-edit, patch: {spec: {replicas: 3}}}
- {update: kubectl-edit, patch: {spec: {template: {spec: {containers: [{name: web, image: "nginx:1.27"}]}}}}}
)"_s.arg(deployment(webSpec(u"1"_s, u"nginx"_s))) << uR"(
managedFields:
- {manager: kubectl-create, operation: Update, time: "2024-01-01T00:00:00Z", fieldsV1: {"f:spec":{"f:selector":{},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:name":{},"f:resources":{}}}}}}}}
- {manager: kubectl-edit, operation: Update, time: "2024-01-01T00:02:00Z", fieldsV1: {"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{"f:image":{}}}}}}}}
)"_s;

    QTest::newRow("an update that changes nothing records nothing") << uR"(
- {create: kubectl-create, object: %1}
- {update: kubectl-edit, patch: {spec: {replicas: 1}}}
)"_s.arg(deployment(u"{replicas: 1}"_s)) << uR"(
managedFields:
- {manager: kubectl-create, operation: Update, fieldsV1: {"f:spec":{"f:replicas":{}}}}
)"_s;

    QTest::newRow("a subresource's writer is its own manager") << uR"(
- {apply: a, config: %1}
- {update: kubectl, subresource: scale, patch: {spec: {replicas: 4}}}
- {apply: a, config: %1}
)"_s.arg(deployment(webSpec(u"2"_s, u"nginx"_s))) << uR"(
error: 'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas'
)"_s;

    QTest::newRow("kubectl's server-side apply takes over what its client-side apply last applied")
        << uR"(
- {create: kubectl-client-side-apply, object: %1}
- {apply: kubectl, config: %2}
)"_s.arg(clientSideApplied(), deployment(webSpec(u"3"_s, u"nginx:1.27"_s)))
        << uR"(
object: {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: default, annotations: {kubectl.kubernetes.io/last-applied-configuration: "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"image\":\"nginx:1.27\",\"name\":\"web\"}]}}}}\n"}}, spec: {replicas: 3, selector: {matchLabels: {app: web}}, strategy: {type: RollingUpdate}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: "nginx:1.27", resources: {}}]}}}, status: {}}
managedFields:
- {manager: kubectl, operation: Apply, time: "2024-01-01T00:01:00Z", fieldsV1: %1}
- {manager: kubectl-client-side-apply, operation: Update, time: "2024-01-01T00:00:00Z", fieldsV1: %2}
)"_s.arg(webFields(true), clientSideApplyFields.arg(QString(), QString()));

    QTest::newRow("kubectl's server-side apply conflicts on what client-side apply did not apply")
        << uR"(
- {create: kubectl-client-side-apply, object: %1}
- {apply: kubectl, config: %2}
)"_s.arg(clientSideApplied(), deployment(uR"({replicas: 3, strategy: {type: Recreate}})"_s))
        << uR"(
error: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.strategy.type'
)"_s;

    QTest::newRow("kubectl's server-side apply conflicts on values changed since client-side apply")
        << uR"(
- {create: kubectl-client-side-apply, object: %1}
- {update: kubectl-scale, patch: {spec: {replicas: 5}}}
- {apply: kubectl, config: %2}
)"_s.arg(clientSideApplied(), deployment(u"{replicas: 3}"_s))
        << uR"(
error: 'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas'
)"_s;

    QTest::newRow("other appliers get no client-side apply upgrade") << uR"(
- {create: kubectl-client-side-apply, object: %1}
- {apply: helm, config: %2}
)"_s.arg(clientSideApplied(), deployment(u"{replicas: 3}"_s)) << uR"(
error: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas'
)"_s;

    QTest::newRow("managedFields a client writes are taken as given") << uR"(
- {create: kubectl-client-side-apply, object: %1}
- update: kubectl
  patch: {metadata: {managedFields: [{manager: kubectl, operation: Apply, apiVersion: apps/v1, fieldsType: FieldsV1, fieldsV1: {"f:spec":{"f:replicas":{}}}}]}}
)"_s.arg(clientSideApplied()) << uR"(
managedFields:
- {manager: kubectl, operation: Apply, time: "", fieldsV1: {"f:spec":{"f:replicas":{}}}}
)"_s;

    QTest::newRow("empty managedFields clear them and an existing object stays untracked") << uR"(
- {create: kubectl-create, object: %1}
- {update: kubectl-edit, patch: {metadata: {managedFields: []}}}
- {update: kubectl-edit, patch: {spec: {replicas: 3}}}
)"_s.arg(deployment(webSpec(u"1"_s, u"nginx"_s), u"uid: 6b1f"_s)) << uR"(
object: %1
)"_s.arg(deployment(webSpec(u"3"_s, u"nginx"_s), u"uid: 6b1f"_s));

    QTest::newRow("an untracked object's fields belong to before-first-apply") << uR"(
- {create: kubectl-create, object: %1}
- {update: kubectl-edit, patch: {metadata: {managedFields: [{}]}}}
- {apply: a, config: %2}
)"_s.arg(deployment(webSpec(u"1"_s, u"nginx"_s), u"uid: 6b1f"_s), deployment(u"{replicas: 3}"_s))
                                                                               << uR"(
error: 'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas'
)"_s;

    QTest::newRow("an apply that changes nothing keeps its time") << uR"(
- {apply: a, config: %1}
- {apply: a, config: %1}
)"_s.arg(deployment(webSpec(u"2"_s, u"nginx"_s))) << uR"(
managedFields:
- {manager: a, operation: Apply, time: "2024-01-01T00:00:00Z", fieldsV1: %1}
)"_s.arg(webFields(true));

    QString steps = u"- {create: m0, object: %1}\n"_s.arg(deployment({}, u"labels: {l0: x}"_s));
    for (int i = 1; i <= 10; ++i)
        steps += u"- {update: m%1, patch: {metadata: {labels: {l%1: x}}}}\n"_s.arg(i);
    QString managed =
        uR"(- {manager: ancient-changes, operation: Update, time: "2024-01-01T00:01:00Z", fieldsV1: {"f:metadata":{"f:labels":{".":{},"f:l0":{},"f:l1":{}}}}})"_s;
    for (int i = 2; i <= 10; ++i)
        managed += uR"(
- {manager: m%1, operation: Update, time: "2024-01-01T00:%2:00Z", fieldsV1: {"f:metadata":{"f:labels":{"f:l%1":{}}}}})"_s
                       .arg(QString::number(i), QString::number(i).rightJustified(2, u'0'));
    QTest::newRow("beyond ten update managers the oldest merge into ancient-changes")
        << steps << u"managedFields:\n"_s + managed;

    const auto failing = [](const QString &config) {
        return u"- {apply: kubectl, config: %1}"_s.arg(config);
    };
    QTest::newRow("a list-map element without its key is rejected")
        << failing(deployment(u"{template: {spec: {containers: [{image: nginx}]}}}"_s)) << uR"(
error: 'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn''t have default value)'
code: 500
)"_s;
    QTest::newRow("duplicate list-map keys are rejected")
        << failing(deployment(u"{template: {spec: {containers: [{name: web}, {name: web}]}}}"_s))
        << uR"(
error: 'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="web"]'
)"_s;
    QTest::newRow("unknown fields are rejected") << failing(deployment(u"{paused: true}"_s)) << uR"(
error: 'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.paused: field not declared in schema'
)"_s;
    QTest::newRow("every type error is reported")
        << failing(deployment(u"{replicas: two}"_s, u"labels: {app: 1}"_s)) << uR"(
error: "failed to create typed patch object (default/web; apps/v1, Kind=Deployment): errors:\n  .metadata.labels.app: expected string, got &value.valueUnstructured{Value:1}\n  .spec.replicas: expected numeric (int or float), got string"
)"_s;
    QTest::newRow("an applied configuration may not carry managedFields")
        << failing(deployment({}, u"managedFields: []"_s)) << uR"(
error: metadata.managedFields must be nil
code: 400
)"_s;
    QTest::newRow("an applied configuration must be of the served version") << uR"(
- {apply: a, config: %1}
- {apply: a, config: {apiVersion: apps/v1beta1, kind: Deployment, metadata: {name: web}}}
)"_s.arg(deployment(u"{replicas: 1}"_s)) << uR"(
error: 'invalid object type: apps/v1beta1, Kind=Deployment'
code: 400
)"_s;
}

QTEST_GUILESS_MAIN(TstFieldManager)
#include "tst_fieldmanager.moc"
