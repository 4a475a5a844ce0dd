// kustomize build, checked against kustomize's own expectations: the cases of
// rendersAsKustomizeBuilds are tests of kubernetes-sigs/kustomize (api/krusty), named after
// them, with their files and expected output (the hash suffixes are the ones kustomize
// computed); where a case is adapted, its comment says how.
#include "gitops/kustomize.h"
#include "gitops/kustomizehash.h"

#include "core/yaml.h"

#include <QJsonArray>
#include <QSet>
#include <QTest>

using namespace timonel;
using namespace timonel::gitops;
using namespace Qt::StringLiterals;

using Files = QMap<QString, QByteArray>;

namespace {

class MemoryTree final : public SourceTree
{
public:
    explicit MemoryTree(Files files) : m_files(std::move(files)) {}

    std::optional<QByteArray> read(const QString &path) const override
    {
        const auto it = m_files.find(path);
        if (it == m_files.end())
            return std::nullopt;
        return *it;
    }

    QStringList list(const QString &directory) const override
    {
        const QString prefix = directory.isEmpty() ? QString() : directory + u'/';
        QSet<QString> names;
        for (auto it = m_files.begin(); it != m_files.end(); ++it) {
            if (!it.key().startsWith(prefix))
                continue;
            const QString rest = it.key().mid(prefix.size());
            const qsizetype slash = rest.indexOf(u'/');
            names.insert(slash < 0 ? rest : rest.left(slash + 1));
        }
        QStringList sorted(names.begin(), names.end());
        sorted.sort();
        return sorted;
    }

private:
    Files m_files;
};

// A kustomization as kustomize's test harness writes it: its header, then the content.
QByteArray k(const char *content)
{
    return "\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n" +
           QByteArray(content);
}

RenderResult render(const Files &files, const QString &directory)
{
    return renderKustomization(MemoryTree(files), directory);
}

QString problemsText(const RenderResult &result)
{
    QStringList lines;
    for (const RenderProblem &problem : result.problems)
        lines.append(u"%1:%2: %3"_s.arg(problem.file).arg(problem.line).arg(problem.message));
    return lines.join(u'\n');
}

// Empty when the rendered objects are the documents of expected, in order.
QString differences(const RenderResult &result, const QByteArray &expected)
{
    const auto documents = core::parseYamlDocuments(expected);
    if (!documents)
        return u"the expected output does not parse: "_s + documents.error().message;
    QJsonArray actual;
    for (const RenderedObject &object : result.objects)
        actual.append(object.object);
    QJsonArray wanted;
    for (const QJsonValue &document : *documents)
        wanted.append(document);
    if (actual == wanted)
        return {};
    return u"rendered:\n%1\nexpected:\n%2"_s.arg(QString::fromUtf8(core::toYaml(actual)),
                                                 QString::fromUtf8(core::toYaml(wanted)));
}

// makeBaseWithGenerators of generatormergeandreplace_test.go.
Files baseWithGenerators()
{
    return {
        {u"app/kustomization.yaml"_s, k(R"(
namePrefix: team-foo-
commonLabels:
  app: mynginx
  org: example.com
  team: foo
commonAnnotations:
  note: This is a test annotation
resources:
  - deployment.yaml
  - service.yaml
configMapGenerator:
- name: configmap-in-base
  literals:
  - foo=bar
secretGenerator:
- name: secret-in-base
  literals:
  - username=admin
  - password=somepw
)")},
        {u"app/deployment.yaml"_s, R"(
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx
        volumeMounts:
        - name: nginx-persistent-storage
          mountPath: /tmp/ps
      volumes:
      - name: nginx-persistent-storage
        emptyDir: {}
      - configMap:
          name: configmap-in-base
        name: configmap-in-base
)"},
        {u"app/service.yaml"_s, R"(
apiVersion: v1
kind: Service
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  ports:
    - port: 80
  selector:
    app: nginx
)"},
    };
}

// writeSmallBase of baseandoverlaysmall_test.go.
Files smallBase()
{
    return {
        {u"base/kustomization.yaml"_s, k(R"(
namePrefix: a-
commonLabels:
  app: myApp
resources:
- deployment.yaml
- service.yaml
)")},
        {u"base/service.yaml"_s, R"(
apiVersion: v1
kind: Service
metadata:
  name: myService
spec:
  selector:
    backend: bungie
  ports:
    - port: 7002
)"},
        {u"base/deployment.yaml"_s, R"(
apiVersion: apps/v1
kind: Deployment
metadata:
  name: myDeployment
spec:
  template:
    metadata:
      labels:
        backend: awesome
    spec:
      containers:
      - name: whatever
        image: whatever
)"},
    };
}

Files with(Files files, const Files &more)
{
    for (auto it = more.begin(); it != more.end(); ++it)
        files.insert(it.key(), it.value());
    return files;
}

} // namespace

class TestKustomize : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rendersAsKustomizeBuilds_data();
    void rendersAsKustomizeBuilds();
    void hashesAsKustomizeHasher_data();
    void hashesAsKustomizeHasher();
    void missingResourceIsReportedWithItsKustomizationLine();
    void malformedYamlIsReportedWithItsLineAndTheRestRenders();
    void unknownGeneratorBehaviorIsReported();
    void mergingIntoAMissingObjectIsReported();
    void resourceCycleIsReported();
    void filesOutsideTheKustomizationAreRefused();
    void invalidKustomizationFieldsAreReported();
    void renderedObjectsKnowTheirFileAndLine();
    void recognizesTheThreeKustomizationFileNames();
};

void TestKustomize::rendersAsKustomizeBuilds_data()
{
    QTest::addColumn<Files>("files");
    QTest::addColumn<QString>("directory");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("generated objects are hashed and referenced (TestBaseWithGeneratorsAlone)")
        << baseWithGenerators() << u"app"_s << QByteArray(R"(
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    note: This is a test annotation
  labels:
    app: mynginx
    org: example.com
    team: foo
  name: team-foo-nginx
spec:
  selector:
    matchLabels:
      app: mynginx
      org: example.com
      team: foo
  template:
    metadata:
      annotations:
        note: This is a test annotation
      labels:
        app: mynginx
        org: example.com
        team: foo
    spec:
      containers:
      - image: nginx
        name: nginx
        volumeMounts:
        - mountPath: /tmp/ps
          name: nginx-persistent-storage
      volumes:
      - emptyDir: {}
        name: nginx-persistent-storage
      - configMap:
          name: team-foo-configmap-in-base-798k5k7g9f
        name: configmap-in-base
---
apiVersion: v1
kind: Service
metadata:
  annotations:
    note: This is a test annotation
  labels:
    app: mynginx
    org: example.com
    team: foo
  name: team-foo-nginx
spec:
  ports:
  - port: 80
  selector:
    app: mynginx
    org: example.com
    team: foo
---
apiVersion: v1
data:
  foo: bar
kind: ConfigMap
metadata:
  annotations:
    note: This is a test annotation
  labels:
    app: mynginx
    org: example.com
    team: foo
  name: team-foo-configmap-in-base-798k5k7g9f
---
apiVersion: v1
data:
  password: c29tZXB3
  username: YWRtaW4=
kind: Secret
metadata:
  annotations:
    note: This is a test annotation
  labels:
    app: mynginx
    org: example.com
    team: foo
  name: team-foo-secret-in-base-bgd6bkgdm2
type: Opaque
)");

    QTest::newRow(
        "an overlay merges and replaces generated objects (TestMergeAndReplaceGenerators)")
        << with(baseWithGenerators(), {{u"overlay/kustomization.yaml"_s, k(R"(
namePrefix: staging-
commonLabels:
  env: staging
  team: override-foo
patchesStrategicMerge:
- deployment.yaml
resources:
- ../app
configMapGenerator:
- name: configmap-in-overlay
  literals:
  - hello=world
- name: configmap-in-base
  behavior: replace
  literals:
  - foo=override-bar
secretGenerator:
- name: secret-in-base
  behavior: merge
  literals:
  - proxy=haproxy
)")},
                                       {u"overlay/deployment.yaml"_s, R"(
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
spec:
  template:
    spec:
      volumes:
      - name: nginx-persistent-storage
        emptyDir: null
        gcePersistentDisk:
          pdName: nginx-persistent-storage
      - configMap:
          name: configmap-in-overlay
        name: configmap-in-overlay
)"}}) << u"overlay"_s
        << QByteArray(R"(
apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    note: This is a test annotation
  labels:
    app: mynginx
    env: staging
    org: example.com
    team: override-foo
  name: staging-team-foo-nginx
spec:
  selector:
    matchLabels:
      app: mynginx
      env: staging
      org: example.com
      team: override-foo
  template:
    metadata:
      annotations:
        note: This is a test annotation
      labels:
        app: mynginx
        env: staging
        org: example.com
        team: override-foo
    spec:
      containers:
      - image: nginx
        name: nginx
        volumeMounts:
        - mountPath: /tmp/ps
          name: nginx-persistent-storage
      volumes:
      - gcePersistentDisk:
          pdName: nginx-persistent-storage
        name: nginx-persistent-storage
      - configMap:
          name: staging-configmap-in-overlay-dc6fm46dhm
        name: configmap-in-overlay
      - configMap:
          name: staging-team-foo-configmap-in-base-hc6g9dk6g9
        name: configmap-in-base
---
apiVersion: v1
kind: Service
metadata:
  annotations:
    note: This is a test annotation
  labels:
    app: mynginx
    env: staging
    org: example.com
    team: override-foo
  name: staging-team-foo-nginx
spec:
  ports:
  - port: 80
  selector:
    app: mynginx
    env: staging
    org: example.com
    team: override-foo
---
apiVersion: v1
data:
  foo: override-bar
kind: ConfigMap
metadata:
  annotations:
    note: This is a test annotation
  labels:
    app: mynginx
    env: staging
    org: example.com
    team: override-foo
  name: staging-team-foo-configmap-in-base-hc6g9dk6g9
---
apiVersion: v1
data:
  password: c29tZXB3
  proxy: aGFwcm94eQ==
  username: YWRtaW4=
kind: Secret
metadata:
  annotations:
    note: This is a test annotation
  labels:
    app: mynginx
    env: staging
    org: example.com
    team: override-foo
  name: staging-team-foo-secret-in-base-k2k4692t9g
type: Opaque
---
apiVersion: v1
data:
  hello: world
kind: ConfigMap
metadata:
  labels:
    env: staging
    team: override-foo
  name: staging-configmap-in-overlay-dc6fm46dhm
)");

    QTest::newRow("literals, env files and files, text and base64 (TestGeneratorBasics)")
        << Files{{u"kustomization.yaml"_s, k(R"(
namePrefix: blah-
configMapGenerator:
- name: bob
  literals:
  - fruit=apple
  - vegetable=broccoli
  envs:
  - foo.env
  env: bar.env
  files:
  - passphrase=phrase.dat
  - forces.txt
- name: json
  literals:
  - 'v2=[{"path": "var/druid/segment-cache"}]'
  - >-
    druid_segmentCache_locations=[{"path":
    "var/druid/segment-cache",
    "maxSize": 32000000000,
    "freeSpacePercent": 1.0}]
secretGenerator:
- name: bob
  literals:
  - fruit=apple
  - vegetable=broccoli
  envs:
  - foo.env
  files:
  - passphrase=phrase.dat
  - forces.txt
  env: bar.env
)")},
                 {u"foo.env"_s, "\nMOUNTAIN=everest\nOCEAN=pacific\n"},
                 {u"bar.env"_s, "\nBIRD=falcon\n"},
                 {u"phrase.dat"_s, "\nLife is short.\nBut the years are long.\n"
                                   "Not while the evil days come not.\n"},
                 {u"forces.txt"_s,
                  "\ngravitational\nelectromagnetic\nstrong nuclear\nweak nuclear\n"}}
        << QString() << QByteArray(R"(
apiVersion: v1
data:
  BIRD: falcon
  MOUNTAIN: everest
  OCEAN: pacific
  forces.txt: |2

    gravitational
    electromagnetic
    strong nuclear
    weak nuclear
  fruit: apple
  passphrase: |2

    Life is short.
    But the years are long.
    Not while the evil days come not.
  vegetable: broccoli
kind: ConfigMap
metadata:
  name: blah-bob-g9df72cd5b
---
apiVersion: v1
data:
  druid_segmentCache_locations: '[{"path": "var/druid/segment-cache", "maxSize": 32000000000,
    "freeSpacePercent": 1.0}]'
  v2: '[{"path": "var/druid/segment-cache"}]'
kind: ConfigMap
metadata:
  name: blah-json-m8529t979f
---
apiVersion: v1
data:
  BIRD: ZmFsY29u
  MOUNTAIN: ZXZlcmVzdA==
  OCEAN: cGFjaWZpYw==
  forces.txt: |
    CmdyYXZpdGF0aW9uYWwKZWxlY3Ryb21hZ25ldGljCnN0cm9uZyBudWNsZWFyCndlYWsgbn
    VjbGVhcgo=
  fruit: YXBwbGU=
  passphrase: |
    CkxpZmUgaXMgc2hvcnQuCkJ1dCB0aGUgeWVhcnMgYXJlIGxvbmcuCk5vdCB3aGlsZSB0aG
    UgZXZpbCBkYXlzIGNvbWUgbm90Lgo=
  vegetable: YnJvY2NvbGk=
kind: Secret
metadata:
  name: blah-bob-58g62h555c
type: Opaque
)");

    QTest::newRow("merged literals stay strings (TestGeneratorIntVsStringWithMerge)")
        << Files{{u"base/kustomization.yaml"_s, k(R"(
configMapGenerator:
- name: bob
  literals:
  - fruit=Indian Gooseberry
  - year=2020
  - crisis=true
)")},
                 {u"overlay/kustomization.yaml"_s, k(R"(
resources:
- ../base
configMapGenerator:
- name: bob
  behavior: merge
  literals:
  - month=12
)")}} << u"overlay"_s
        << QByteArray(R"(
apiVersion: v1
data:
  crisis: "true"
  fruit: Indian Gooseberry
  month: "12"
  year: "2020"
kind: ConfigMap
metadata:
  name: bob-bk46gm59c6
)");

    const QByteArray hellos = QByteArray("\xffhello").repeated(30);
    QTest::newRow("binary data merged into a prefixed base (TestGeneratorOverlaysBinaryData)")
        << Files{{u"base/data.bin"_s, hellos},
                 {u"base/kustomization.yaml"_s, k(R"(
namePrefix: p1-
configMapGenerator:
- name: com1
  behavior: create
  files:
  - data.bin
)")},
                 {u"overlay/kustomization.yaml"_s, k(R"(
resources:
- ../base
configMapGenerator:
- name: com1
  behavior: merge
)")}} << u"overlay"_s
        << QByteArray(R"(
apiVersion: v1
binaryData:
  data.bin: |
    /2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbG
    xv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hl
    bGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2
    hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv
kind: ConfigMap
metadata:
  name: p1-com1-96gmmt6gt5
)");

    QTest::newRow("an overlay patches, labels and retags a prefixed base (TestSmallOverlay)")
        << with(smallBase(), {{u"overlay/kustomization.yaml"_s, k(R"(
namePrefix: b-
commonLabels:
  env: prod
  quotedFruit: "peach"
  quotedBoolean: "true"
resources:
- ../base
patchesStrategicMerge:
- deployment/deployment.yaml
images:
- name: whatever
  newTag: 1.8.0
)")},
                              {u"overlay/deployment/deployment.yaml"_s, R"(
apiVersion: apps/v1
kind: Deployment
metadata:
  name: myDeployment
spec:
  replicas: 1000
)"}}) << u"overlay"_s
        << QByteArray(R"(
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: myApp
    env: prod
    quotedBoolean: "true"
    quotedFruit: peach
  name: b-a-myDeployment
spec:
  replicas: 1000
  selector:
    matchLabels:
      app: myApp
      env: prod
      quotedBoolean: "true"
      quotedFruit: peach
  template:
    metadata:
      labels:
        app: myApp
        backend: awesome
        env: prod
        quotedBoolean: "true"
        quotedFruit: peach
    spec:
      containers:
      - image: whatever:1.8.0
        name: whatever
---
apiVersion: v1
kind: Service
metadata:
  labels:
    app: myApp
    env: prod
    quotedBoolean: "true"
    quotedFruit: peach
  name: b-a-myService
spec:
  ports:
  - port: 7002
  selector:
    app: myApp
    backend: bungie
    env: prod
    quotedBoolean: "true"
    quotedFruit: peach
)");

    QTest::newRow("a JSON patch targets the prefixed name (TestSmallOverlayJSONPatch)")
        << with(smallBase(), {{u"overlay/kustomization.yaml"_s, k(R"(
resources:
- ../base
patchesJson6902:
- target:
    version: v1
    kind: Service
    name: a-myService
  path: service-patch.yaml
)")},
                              {u"overlay/service-patch.yaml"_s, R"(
- op: add
  path: /spec/selector/backend
  value: beagle
)"}}) << u"overlay"_s
        << QByteArray(R"(
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: myApp
  name: a-myDeployment
spec:
  selector:
    matchLabels:
      app: myApp
  template:
    metadata:
      labels:
        app: myApp
        backend: awesome
    spec:
      containers:
      - image: whatever
        name: whatever
---
apiVersion: v1
kind: Service
metadata:
  labels:
    app: myApp
  name: a-myService
spec:
  ports:
  - port: 7002
  selector:
    app: myApp
    backend: beagle
)");

    QTest::newRow(
        "prefix, suffix and namespace with their references (TestNameAndNsTransformation)")
        << Files{{u"kustomization.yaml"_s, k(R"(
namePrefix: p1-
nameSuffix: -s1
namespace: newnamespace
resources:
- resources.yaml
)")},
                 {u"resources.yaml"_s, R"(
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm1
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm2
  namespace: ns1
---
apiVersion: v1
kind: Service
metadata:
  name: svc1
  namespace: ns1
---
apiVersion: v1
kind: Service
metadata:
  name: svc2
  namespace: ns1
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa1
  namespace: ns1
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa2
  namespace: ns1
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: manager-rolebinding
subjects:
- kind: ServiceAccount
  name: sa1
  namespace: ns1
- kind: ServiceAccount
  name: sa2
  namespace: ns1
- kind: ServiceAccount
  name: sa3
  namespace: random
- kind: ServiceAccount
  name: default
  namespace: irrelevant
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: example
webhooks:
  - name: example1
    clientConfig:
      service:
        name: svc1
        namespace: ns1
  - name: example2
    clientConfig:
      service:
        name: svc2
        namespace: ns1
  - name: example3
    clientConfig:
      service:
        name: svc3
        namespace: random
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crds.my.org
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: namespace.crds.my.org
spec:
  conversion:
    strategy: Webhook
    webhook:
      clientConfig:
        service:
          name: crd-svc
          namespace: random
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cr1
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: crb1
subjects:
- kind: ServiceAccount
  name: default
  namespace: irrelevant
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv1
)"}} << QString()
        << QByteArray(R"(
apiVersion: v1
kind: ConfigMap
metadata:
  name: p1-cm1-s1
  namespace: newnamespace
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: p1-cm2-s1
  namespace: newnamespace
---
apiVersion: v1
kind: Service
metadata:
  name: p1-svc1-s1
  namespace: newnamespace
---
apiVersion: v1
kind: Service
metadata:
  name: p1-svc2-s1
  namespace: newnamespace
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: p1-sa1-s1
  namespace: newnamespace
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: p1-sa2-s1
  namespace: newnamespace
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: p1-manager-rolebinding-s1
subjects:
- kind: ServiceAccount
  name: p1-sa1-s1
  namespace: newnamespace
- kind: ServiceAccount
  name: p1-sa2-s1
  namespace: newnamespace
- kind: ServiceAccount
  name: sa3
  namespace: random
- kind: ServiceAccount
  name: default
  namespace: newnamespace
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: p1-example-s1
webhooks:
- clientConfig:
    service:
      name: p1-svc1-s1
      namespace: newnamespace
  name: example1
- clientConfig:
    service:
      name: p1-svc2-s1
      namespace: newnamespace
  name: example2
- clientConfig:
    service:
      name: svc3
      namespace: random
  name: example3
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crds.my.org
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: namespace.crds.my.org
spec:
  conversion:
    strategy: Webhook
    webhook:
      clientConfig:
        service:
          name: crd-svc
          namespace: newnamespace
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: p1-cr1-s1
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: p1-crb1-s1
subjects:
- kind: ServiceAccount
  name: default
  namespace: newnamespace
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: p1-pv1-s1
)");

    // Shortened: without my-sa3 (a third namespace) and the Role's rules.
    QTest::newRow(
        "a role binding follows accounts across namespaces (TestRoleBindingAcrossNamespace)")
        << Files{{u"kustomization.yaml"_s, k(R"(
resources:
- resource.yaml
nameSuffix: -ns2
)")},
                 {u"resource.yaml"_s, R"(
apiVersion: v1
kind: ServiceAccount
metadata:
  name: my-sa1
  namespace: ns1
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: my-sa2
  namespace: ns2
---
apiVersion: v1
kind: NotServiceAccount
metadata:
  name: my-nsa
  namespace: ns1
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: my-role
  namespace: ns2
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: my-role-binding
  namespace: ns2
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: my-role
subjects:
  - kind: ServiceAccount
    name: my-sa1
    namespace: ns1
  - kind: ServiceAccount
    name: my-sa2
    namespace: ns2
  - kind: NotServiceAccount
    name: my-nsa
    namespace: ns1
)"}} << QString()
        << QByteArray(R"(
apiVersion: v1
kind: ServiceAccount
metadata:
  name: my-sa1-ns2
  namespace: ns1
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: my-sa2-ns2
  namespace: ns2
---
apiVersion: v1
kind: NotServiceAccount
metadata:
  name: my-nsa-ns2
  namespace: ns1
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: my-role-ns2
  namespace: ns2
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: my-role-binding-ns2
  namespace: ns2
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: my-role-ns2
subjects:
- kind: ServiceAccount
  name: my-sa1-ns2
  namespace: ns1
- kind: ServiceAccount
  name: my-sa2-ns2
  namespace: ns2
- kind: NotServiceAccount
  name: my-nsa
  namespace: ns1
)");

    QTest::newRow("images by name, tag, digest and registry (TestTransfomersImageDefaultConfig)")
        << Files{{u"base/kustomization.yaml"_s, k(R"(
resources:
- deploy1.yaml
- random.yaml
images:
- name: nginx
  newTag: v2
- name: my-nginx
  newTag: previous
- name: myprivaterepohostname:1234/my/image
  newTag: v1.0.1
- name: foobar
  digest: sha256:24a0c4b4
- name: alpine
  newName: myprivaterepohostname:1234/my/cool-alpine
- name: gcr.io:8080/my-project/my-cool-app
  newName: my-cool-app
- name: postgres
  newName: my-postgres
  newTag: v3
- name: docker
  newName: my-docker
  digest: sha256:25a0d4b4
)")},
                 {u"base/deploy1.yaml"_s, R"(
group: apps
apiVersion: v1
kind: Deployment
metadata:
  name: deploy1
spec:
  template:
    spec:
      initContainers:
      - name: nginx2
        image: my-nginx:1.8.0
      - name: init-alpine
        image: alpine:1.8.0
      containers:
      - name: ngnix
        image: nginx:1.7.9
      - name: repliaced-with-digest
        image: foobar:1
      - name: postgresdb
        image: postgres:1.8.0
)"},
                 {u"base/random.yaml"_s, R"(
kind: randomKind
metadata:
  name: random
spec:
  template:
    spec:
      containers:
      - name: ngnix1
        image: nginx
spec2:
  template:
    spec:
      containers:
      - name: nginx3
        image: nginx:v1
      - name: nginx4
        image: my-nginx:latest
spec3:
  template:
    spec:
      initContainers:
      - name: postgresdb
        image: postgres:alpine-9
      - name: init-docker
        image: docker:17-git
      - name: myImage
        image: myprivaterepohostname:1234/my/image:latest
      - name: myImage2
        image: myprivaterepohostname:1234/my/image
      - name: my-app
        image: my-app-image:v1
      - name: my-cool-app
        image: gcr.io:8080/my-project/my-cool-app:latest
)"}} << u"base"_s
        << QByteArray(R"(
apiVersion: v1
group: apps
kind: Deployment
metadata:
  name: deploy1
spec:
  template:
    spec:
      containers:
      - image: nginx:v2
        name: ngnix
      - image: foobar@sha256:24a0c4b4
        name: repliaced-with-digest
      - image: my-postgres:v3
        name: postgresdb
      initContainers:
      - image: my-nginx:previous
        name: nginx2
      - image: myprivaterepohostname:1234/my/cool-alpine:1.8.0
        name: init-alpine
---
kind: randomKind
metadata:
  name: random
spec:
  template:
    spec:
      containers:
      - image: nginx:v2
        name: ngnix1
spec2:
  template:
    spec:
      containers:
      - image: nginx:v2
        name: nginx3
      - image: my-nginx:previous
        name: nginx4
spec3:
  template:
    spec:
      initContainers:
      - image: my-postgres:v3
        name: postgresdb
      - image: my-docker@sha256:25a0d4b4
        name: init-docker
      - image: myprivaterepohostname:1234/my/image:v1.0.1
        name: myImage
      - image: myprivaterepohostname:1234/my/image:v1.0.1
        name: myImage2
      - image: my-app-image:v1
        name: my-app
      - image: my-cool-app:latest
        name: my-cool-app
)");

    QTest::newRow(
        "labels with and without selectors, and on chosen fields (TestKustomizationLabels)")
        << Files{{u"app/kustomization.yaml"_s, k(R"(
resources:
- deployment.yaml

labels:
- pairs:
    foo: bar
- pairs:
    a: b
  includeSelectors: true
- pairs:
    c: d
  fields:
  - path: spec/selector
    group: example.dev
    version: v1
    kind: MyCRD
    create: true
)")},
                 {u"app/deployment.yaml"_s, R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: my-deployment
spec:
  template:
    spec:
      containers:
      - name: my-deployment
        livenessProbe:
          httpGet:
            path: /healthz
            port: 8080
---
apiVersion: example.dev/v1
kind: MyCRD
metadata:
  name: crd
)"}} << u"app"_s
        << QByteArray(R"(
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    a: b
    c: d
    foo: bar
  name: my-deployment
spec:
  selector:
    matchLabels:
      a: b
  template:
    metadata:
      labels:
        a: b
    spec:
      containers:
      - livenessProbe:
          httpGet:
            path: /healthz
            port: 8080
        name: my-deployment
---
apiVersion: example.dev/v1
kind: MyCRD
metadata:
  labels:
    a: b
    c: d
    foo: bar
  name: crd
spec:
  selector:
    c: d
)");

    QTest::newRow("template labels beside common labels "
                  "(TestKustomizationLabelsDoesNotCreateInvalidTemplatePaths)")
        << Files{{u"app/kustomization.yaml"_s, k(R"(
resources:
- deployment.yaml
- service.yaml

commonLabels:
  app: test-server

labels:
- pairs:
    app.kubernetes.io/component: a
    app.kubernetes.io/instance: b
    app.kubernetes.io/name: c
    app.kubernetes.io/part-of: d
  includeSelectors: false
  includeTemplates: true
)")},
                 {u"app/deployment.yaml"_s, R"(
apiVersion: apps/v1
kind: Deployment
metadata:
  name: deployment
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: test-server
        image: test-server
)"},
                 {u"app/service.yaml"_s, R"(
apiVersion: v1
kind: Service
metadata:
  name: service
spec:
  ports:
  - port: 80
    protocol: TCP
    targetPort: 9376
)"}} << u"app"_s
        << QByteArray(R"(
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: test-server
    app.kubernetes.io/component: a
    app.kubernetes.io/instance: b
    app.kubernetes.io/name: c
    app.kubernetes.io/part-of: d
  name: deployment
spec:
  replicas: 1
  selector:
    matchLabels:
      app: test-server
  template:
    metadata:
      labels:
        app: test-server
        app.kubernetes.io/component: a
        app.kubernetes.io/instance: b
        app.kubernetes.io/name: c
        app.kubernetes.io/part-of: d
    spec:
      containers:
      - image: test-server
        name: test-server
---
apiVersion: v1
kind: Service
metadata:
  labels:
    app: test-server
    app.kubernetes.io/component: a
    app.kubernetes.io/instance: b
    app.kubernetes.io/name: c
    app.kubernetes.io/part-of: d
  name: service
spec:
  ports:
  - port: 80
    protocol: TCP
    targetPort: 9376
  selector:
    app: test-server
)");

    // Written for Timonel from kustomize's nameReference configuration: each reference kind a
    // pod template, an Ingress and a RoleBinding hold, under a prefix and a namespace. Its
    // Secret has the literals of TestBaseWithGeneratorsAlone, hence kustomize's bgd6bkgdm2.
    QTest::newRow("pod templates, ingresses and role bindings follow renamed objects")
        << Files{{u"kustomization.yaml"_s, k(R"(
namespace: shop
namePrefix: dev-
resources:
- web.yaml
secretGenerator:
- name: tls
  literals:
  - username=admin
  - password=somepw
)")},
                 {u"web.yaml"_s, R"(
apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
---
apiVersion: v1
kind: Service
metadata:
  name: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      serviceAccountName: web
      containers:
      - name: web
        image: web
        envFrom:
        - configMapRef:
            name: settings
        - secretRef:
            name: tls
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: data
      - name: all
        projected:
          sources:
          - configMap:
              name: settings
          - secret:
              name: tls
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  tls:
  - secretName: tls
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: web
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
- kind: ServiceAccount
  name: web
- kind: ServiceAccount
  name: default
)"}} << QString()
        << QByteArray(R"(
apiVersion: v1
kind: ServiceAccount
metadata:
  name: dev-web
  namespace: shop
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: dev-data
  namespace: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: dev-settings
  namespace: shop
---
apiVersion: v1
kind: Service
metadata:
  name: dev-web
  namespace: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: dev-web
  namespace: shop
spec:
  template:
    spec:
      serviceAccountName: dev-web
      containers:
      - name: web
        image: web
        envFrom:
        - configMapRef:
            name: dev-settings
        - secretRef:
            name: dev-tls-bgd6bkgdm2
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: dev-data
      - name: all
        projected:
          sources:
          - configMap:
              name: dev-settings
          - secret:
              name: dev-tls-bgd6bkgdm2
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: dev-web
  namespace: shop
spec:
  tls:
  - secretName: dev-tls-bgd6bkgdm2
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: dev-web
            port:
              number: 80
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: dev-web
  namespace: shop
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view
subjects:
- kind: ServiceAccount
  name: dev-web
  namespace: shop
- kind: ServiceAccount
  name: default
  namespace: shop
---
apiVersion: v1
data:
  password: c29tZXB3
  username: YWRtaW4=
kind: Secret
metadata:
  name: dev-tls-bgd6bkgdm2
  namespace: shop
type: Opaque
)");
}

void TestKustomize::rendersAsKustomizeBuilds()
{
    QFETCH(Files, files);
    QFETCH(QString, directory);
    QFETCH(QByteArray, expected);
    const RenderResult result = render(files, directory);
    QVERIFY2(result.problems.isEmpty(), qPrintable(problemsText(result)));
    const QString diff = differences(result, expected);
    QVERIFY2(diff.isEmpty(), qPrintable(diff));
}

// api/hasher/hasher_test.go: only kind and content count, never the name.
void TestKustomize::hashesAsKustomizeHasher_data()
{
    QTest::addColumn<QByteArray>("object");
    QTest::addColumn<QString>("hash");
    QTest::newRow("ConfigMap, empty data")
        << QByteArray("apiVersion: v1\nkind: ConfigMap") << u"6ct58987ht"_s;
    QTest::newRow("ConfigMap, one key") << QByteArray(R"(apiVersion: v1
kind: ConfigMap
data:
  one: "")") << u"9g67k2htb6"_s;
    QTest::newRow("ConfigMap, three keys sorted, name ignored") << QByteArray(R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: ignored
data:
  two: 2
  one: ""
  three: 3)") << u"7757f9kkct"_s;
    QTest::newRow("ConfigMap, binary data") << QByteArray(R"(apiVersion: v1
kind: ConfigMap
binaryData:
  two: 2
  one: ""
  three: 3)") << u"9th7kc28dg"_s;
    QTest::newRow("ConfigMap, data and binary data") << QByteArray(R"(apiVersion: v1
kind: ConfigMap
data:
  one: ""
binaryData:
  two: "")") << u"698h7c7t9m"_s;
    QTest::newRow("Secret, empty data")
        << QByteArray("apiVersion: v1\nkind: Secret\ntype: my-type") << u"5gmgkf8578"_s;
    QTest::newRow("Secret, three keys sorted") << QByteArray(R"(apiVersion: v1
kind: Secret
type: my-type
data:
  two: 2
  one: ""
  three: 3)") << u"4gf75c7476"_s;
    QTest::newRow("Secret, string data") << QByteArray(R"(apiVersion: v1
kind: Secret
type: my-type
data:
  one: ""
stringData:
  two: 2)") << u"c4h4264gdb"_s;
}

void TestKustomize::hashesAsKustomizeHasher()
{
    QFETCH(QByteArray, object);
    QFETCH(QString, hash);
    const auto parsed = core::parseYaml(object);
    QVERIFY(parsed);
    QCOMPARE(kustomize::nameContentHash(parsed->toObject()), hash);
}

void TestKustomize::missingResourceIsReportedWithItsKustomizationLine()
{
    const RenderResult result = render({{u"app/kustomization.yaml"_s, R"(resources:
- service.yaml
- missing.yaml
)"},
                                        {u"app/service.yaml"_s, R"(apiVersion: v1
kind: Service
metadata:
  name: web
)"}},
                                       u"app"_s);
    QCOMPARE(result.problems.size(), 1);
    QCOMPARE(result.problems[0].file, u"app/kustomization.yaml"_s);
    QCOMPARE(result.problems[0].line, 3);
    QCOMPARE(result.problems[0].message,
             u"accumulating resources from 'missing.yaml': open app/missing.yaml: no such file "
             "or directory"_s);
    QCOMPARE(result.objects.size(), 1);
    QCOMPARE(result.objects[0].object.value(u"kind"_s).toString(), u"Service"_s);
}

void TestKustomize::malformedYamlIsReportedWithItsLineAndTheRestRenders()
{
    const RenderResult result = render(
        {{u"kustomization.yaml"_s, "resources:\n- all.yaml\n"}, {u"all.yaml"_s, R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: first
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: second
  labels: [unclosed
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: third
)"}},
        QString());
    QCOMPARE(problemsText(result),
             u"all.yaml:10: MalformedYAMLError: yaml: line 10: end of sequence flow not found"_s);
    QCOMPARE(result.objects.size(), 2);
    QCOMPARE(result.objects[1].object[u"metadata"_s][u"name"_s].toString(), u"third"_s);
}

void TestKustomize::unknownGeneratorBehaviorIsReported()
{
    const RenderResult result = render({{u"kustomization.yaml"_s, R"(configMapGenerator:
- name: good
  literals:
  - a=b
- name: typo
  behavior: mrege
  literals:
  - c=d
)"}},
                                       QString());
    QCOMPARE(problemsText(result),
             u"kustomization.yaml:5: unknown generator behavior 'mrege' for configmap typo: "
             "must be create, merge or replace"_s);
    QCOMPARE(result.objects.size(), 1);
}

void TestKustomize::mergingIntoAMissingObjectIsReported()
{
    const RenderResult result = render({{u"kustomization.yaml"_s, R"(secretGenerator:
- name: absent
  behavior: merge
  literals:
  - c=d
)"}},
                                       QString());
    QCOMPARE(problemsText(result),
             u"kustomization.yaml:2: id Secret.v1.[noGrp]/absent.[noNs] does not exist; cannot "
             "merge or replace"_s);
    QVERIFY(result.objects.isEmpty());
}

void TestKustomize::resourceCycleIsReported()
{
    const RenderResult result =
        render({{u"a/kustomization.yaml"_s, "resources:\n- ../b\n"},
                {u"b/kustomization.yaml"_s, "resources:\n- ../a\n- cm.yaml\n"},
                {u"b/cm.yaml"_s, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"}},
               u"a"_s);
    QCOMPARE(problemsText(result),
             u"b/kustomization.yaml:2: accumulating resources from '../a': cycle detected: "
             "candidate root 'a' contains visited root 'a'"_s);
    QCOMPARE(result.objects.size(), 1);
}

// TestSharedPatchDisAllowed: kustomize's default load restrictions.
void TestKustomize::filesOutsideTheKustomizationAreRefused()
{
    const RenderResult result = render(
        with(smallBase(),
             {{u"overlay/kustomization.yaml"_s, k(R"(
resources:
- ../base
- ../shared/extra.yaml
patchesStrategicMerge:
- ../shared/deployment-patch.yaml
)")},
              {u"shared/extra.yaml"_s, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"},
              {u"shared/deployment-patch.yaml"_s, R"(
apiVersion: apps/v1
kind: Deployment
metadata:
  name: myDeployment
spec:
  replicas: 1000
)"}}),
        u"overlay"_s);
    QCOMPARE(problemsText(result),
             u"overlay/kustomization.yaml:7: accumulating resources from '../shared/extra.yaml': "
             "security; file 'shared/extra.yaml' is not in or below 'overlay'\n"
             "overlay/kustomization.yaml:9: security; file 'shared/deployment-patch.yaml' is not "
             "in or below 'overlay'"_s);
    QCOMPARE(result.objects.size(), 2);
}

void TestKustomize::invalidKustomizationFieldsAreReported()
{
    const RenderResult result = render({{u"kustomization.yaml"_s, R"(namePrefix: 3
resourcse:
- a.yaml
components:
- ../component
commonLabels:
  app: web
)"}},
                                       QString());
    QCOMPARE(problemsText(result),
             u"kustomization.yaml:4: 'components' is not supported; it is ignored\n"
             "kustomization.yaml:1: invalid Kustomization: json: cannot unmarshal number into Go "
             "struct field Kustomization.namePrefix of type string\n"
             "kustomization.yaml:2: invalid Kustomization: json: unknown field \"resourcse\""_s);
}

void TestKustomize::renderedObjectsKnowTheirFileAndLine()
{
    const RenderResult result = render({{u"k/kustomization.yaml"_s, R"(resources:
- objects.yaml
configMapGenerator:
- name: generated
  literals:
  - a=b
)"},
                                        {u"k/objects.yaml"_s, R"(# objects
---
apiVersion: v1
kind: Service
metadata:
  name: first
---

apiVersion: v1
kind: Service
metadata:
  name: second
)"}},
                                       u"k"_s);
    QVERIFY2(result.problems.isEmpty(), qPrintable(problemsText(result)));
    QCOMPARE(result.objects.size(), 3);
    QCOMPARE(result.objects[0].file, u"k/objects.yaml"_s);
    QCOMPARE(result.objects[0].line, 3);
    QCOMPARE(result.objects[1].line, 9);
    QCOMPARE(result.objects[2].file, u"k/kustomization.yaml"_s);
    QCOMPARE(result.objects[2].line, 4);
}

void TestKustomize::recognizesTheThreeKustomizationFileNames()
{
    const MemoryTree tree({{u"a/kustomization.yaml"_s, "resources: []"},
                           {u"b/kustomization.yml"_s, "resources: []"},
                           {u"c/Kustomization"_s, "resources: []"},
                           {u"d/deployment.yaml"_s, "kind: Deployment"}});
    QVERIFY(isKustomization(tree, u"a"_s));
    QVERIFY(isKustomization(tree, u"b/"_s));
    QVERIFY(isKustomization(tree, u"c"_s));
    QVERIFY(!isKustomization(tree, u"d"_s));
    QVERIFY(!isKustomization(tree, QString()));
}

QTEST_MAIN(TestKustomize)
#include "tst_kustomize.moc"
