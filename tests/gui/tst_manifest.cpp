// The editor's manifest layer: documents and where their fields are written, the path under the
// cursor, validation at the field's line and column, completion and the templates.
#include "manifest/completion.h"
#include "manifest/templates.h"
#include "manifest/validator.h"
#include "manifest/yamldocument.h"

#include "core/schema.h"

#include <QElapsedTimer>
#include <QTest>

using namespace timonel;
using namespace timonel::manifest;
using namespace Qt::StringLiterals;

namespace timonel::manifest {
char *toString(const TextPosition &p) // for QCOMPARE
{
    return QTest::toString(u"%1:%2"_s.arg(p.line).arg(p.column));
}
} // namespace timonel::manifest

namespace {

const core::SchemaRegistry &registry()
{
    return core::SchemaRegistry::builtIn();
}

// Comments, flow maps and sequences, block scalars, an empty value and non-ASCII keys.
const QString twoDocuments = uR"(# leading comment
---
apiVersion: v1   # the core group
kind: ConfigMap
metadata:
  name: settings
  labels: {app: web, "tier": db}
data:
  script: |
    echo hi
    x: y
  empty:
  folded: >-
    one
---
# second document
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {café: "é", next: x}
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx
        args: [--port, "80", {k: v}]
        ports:
          - containerPort: 80
      - name: sidecar
        image: busybox
)"_s;

// The blank lines 7 and 13 hold the spaces an editor's auto-indent leaves.
const QString cursorText = uR"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
%1
  template:
    spec:
      containers:
      - name: web
        image: nginx
%2
        ports: [{containerPort: 80, protocol: TCP}]
      -
      - name: b
        command:
        - sh
        args:
        - |
          echo hi
)"_s.arg(QString(2, u' '), QString(8, u' '));

const QString deployment = uR"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx
        imagePullPolicy: IfNotPresent
)"_s;

// deployment with line `line` (1-based) replaced.
QString deploymentWith(int line, const QString &text)
{
    QStringList lines = deployment.split(u'\n');
    lines[line - 1] = text;
    return lines.join(u'\n');
}

QString describe(const QList<Problem> &problems)
{
    QStringList out;
    for (const Problem &p : problems)
        out.append(u"%1:%2: %3"_s.arg(p.line).arg(p.column).arg(p.message));
    return out.join(u"; "_s);
}

QStringList texts(const QList<CompletionItem> &items)
{
    QStringList out;
    for (const CompletionItem &item : items)
        out.append(item.text);
    return out;
}

// About 80 Deployments with their Services, with containers, probes and env, as a 5,000-line
// file would hold them.
QString generatedManifest(int lines)
{
    QString out;
    int i = 0;
    while (out.count(u'\n') < lines) {
        const QString name = u"app-%1"_s.arg(i++);
        out += uR"(---
# %1: the web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: %1
  labels:
    app: %1
    tier: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: %1
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata:
      labels:
        app: %1
        tier: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        imagePullPolicy: IfNotPresent
        ports:
        - containerPort: 80
          name: http
        env:
        - name: LOG_LEVEL
          value: info
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        resources:
          requests: {cpu: 100m, memory: 64Mi}
          limits:
            memory: 128Mi
        readinessProbe:
          httpGet:
            path: /
            port: 80
          periodSeconds: 5
        livenessProbe:
          tcpSocket:
            port: 80
          initialDelaySeconds: 5
      - name: sidecar
        image: busybox
        command: ["sh", "-c", "while true; do date; sleep 30; done"]
---
apiVersion: v1
kind: Service
metadata:
  name: %1
spec:
  selector:
    app: %1
  ports:
  - name: http
    port: 80
    targetPort: http
)"_s.arg(name);
    }
    return out;
}

} // namespace

class TestManifest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void documentsKeepTheirLinesInTheFile()
    {
        const ManifestFile file = parseManifestFile(
            u"# only a comment\n---\na: 1\n---\n---\nkind: Service\napiVersion: v1\n"
            "...\n---\nb: [\n"_s);
        QCOMPARE(file.documents.size(), 4);
        QVERIFY(file.documents[0].isEmpty());
        QCOMPARE(file.documents[1].firstLine, 3);
        QCOMPARE(file.documents[1].lastLine, 3);
        QCOMPARE(file.documents[2].firstLine, 6);
        QCOMPARE(file.documents[2].lastLine, 7);
        QCOMPARE(file.documents[2].kind, u"Service"_s);
        QCOMPARE(file.documents[2].apiVersion, u"v1"_s);
        QVERIFY(file.documents[3].syntaxError);
        QCOMPARE(file.documents[3].firstLine, 10);
        QVERIFY2(file.documents[3].syntaxError->line >= 10,
                 qPrintable(QString::number(file.documents[3].syntaxError->line)));
        QCOMPARE(file.documentAt(1), 0);
        QCOMPARE(file.documentAt(2), 1); // a separator: the document after it
        QCOMPARE(file.documentAt(7), 2);
        QCOMPARE(file.documentAt(11), 3);
        QCOMPARE(file.documentAt(12), -1);
    }

    void contentOnASeparatorLineBelongsToTheNextDocument()
    {
        const ManifestFile file = parseManifestFile(u"a: 1\n--- {b: 2}\n"_s);
        QCOMPARE(file.documents.size(), 2);
        QCOMPARE(file.documents[1].firstLine, 2);
        QCOMPARE(file.documents[1].value[u"b"_s], QJsonValue(2));
        QCOMPARE(file.documents[1].position(u"b"_s)->key, (TextPosition{2, 6}));
    }

    void windowsLineEndingsReadLikeUnixOnes()
    {
        const QString crlf = QString(deployment).replace(u'\n', u"\r\n"_s);
        const QString text = crlf + u"---\r\n"_s + crlf;
        const ManifestFile file = parseManifestFile(text);
        QCOMPARE(file.documents.size(), 2);
        QCOMPARE(file.documents[1].firstLine, 20);
        const QList<Problem> problems = validate(file, registry());
        QVERIFY2(problems.isEmpty(), qPrintable(describe(problems)));
        QCOMPARE(file.documents[1].position(u"spec.replicas"_s)->value, (TextPosition{25, 13}));
        const CursorPlace place = pathAt(file.documents[1], 36, 9);
        QCOMPARE(place.path, u"spec.template.spec.containers[0].image"_s);
    }

    void valuesAreTypedAsTheEngineReadsThem()
    {
        const ManifestFile file =
            parseManifestFile(u"a: 0644\nb: \"1\"\nc: true\nd: 1.5\ne: ~\nf: |\n  x\n"_s);
        QCOMPARE(file.documents.size(), 1);
        const QJsonValue v = file.documents[0].value;
        QCOMPARE(v[u"a"_s], QJsonValue(420));
        QCOMPARE(v[u"b"_s], QJsonValue(u"1"_s));
        QCOMPARE(v[u"c"_s], QJsonValue(true));
        QCOMPARE(v[u"d"_s], QJsonValue(1.5));
        QVERIFY(v[u"e"_s].isNull());
        QCOMPARE(v[u"f"_s], QJsonValue(u"x\n"_s));
    }

    void listsNameEachDocument()
    {
        const ManifestFile file = parseManifestFile(
            u"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: team}\n---\n"
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: [\n"_s);
        QCOMPARE(file.documents.size(), 2);
        QCOMPARE(file.documents[0].name, u"p"_s);
        QCOMPARE(file.documents[0].namespaceName, u"team"_s);
        // A document that does not parse still says what it is.
        QCOMPARE(file.documents[1].kind, u"Deployment"_s);
        QCOMPARE(file.documents[1].apiVersion, u"apps/v1"_s);
    }

    void positionsOfKeysAndValues_data()
    {
        QTest::addColumn<int>("document");
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("keyLine");
        QTest::addColumn<int>("keyColumn");
        QTest::addColumn<int>("valueLine");
        QTest::addColumn<int>("valueColumn");
        QTest::newRow("after a comment") << 1 << u"apiVersion"_s << 3 << 1 << 3 << 13;
        QTest::newRow("flow map") << 1 << u"metadata.labels.app"_s << 7 << 12 << 7 << 17;
        QTest::newRow("quoted key in a flow map")
            << 1 << u"metadata.labels.tier"_s << 7 << 22 << 7 << 30;
        QTest::newRow("bracketed map key") << 1 << u"metadata.labels[app]"_s << 7 << 12 << 7 << 17;
        QTest::newRow("quoted bracketed map key")
            << 1 << u"metadata.labels[\"tier\"]"_s << 7 << 22 << 7 << 30;
        QTest::newRow("block scalar") << 1 << u"data.script"_s << 9 << 3 << 9 << 11;
        QTest::newRow("empty value: after the colon")
            << 1 << u"data.empty"_s << 12 << 3 << 12 << 10;
        QTest::newRow("after a block scalar") << 1 << u"data.folded"_s << 13 << 3 << 13 << 11;
        QTest::newRow("second document") << 2 << u"kind"_s << 18 << 1 << 18 << 7;
        QTest::newRow("columns count characters, not bytes")
            << 2 << u"metadata.annotations.next"_s << 21 << 28 << 21 << 34;
        QTest::newRow("non-ASCII key")
            << 2 << u"metadata.annotations.café"_s << 21 << 17 << 21 << 23;
        QTest::newRow("block sequence: its first dash")
            << 2 << u"spec.template.spec.containers"_s << 25 << 7 << 26 << 7;
        QTest::newRow("sequence item: no key")
            << 2 << u"spec.template.spec.containers[0]"_s << 0 << 0 << 26 << 9;
        QTest::newRow("flow sequence item")
            << 2 << u"spec.template.spec.containers[0].args[1]"_s << 0 << 0 << 28 << 24;
        QTest::newRow("map in a flow sequence")
            << 2 << u"spec.template.spec.containers[0].args[2].k"_s << 28 << 31 << 28 << 34;
        QTest::newRow("indented sequence")
            << 2 << u"spec.template.spec.containers[0].ports[0].containerPort"_s << 30 << 13 << 30
            << 28;
        QTest::newRow("second item")
            << 2 << u"spec.template.spec.containers[1].image"_s << 32 << 9 << 32 << 16;
    }
    void positionsOfKeysAndValues()
    {
        QFETCH(int, document);
        QFETCH(QString, path);
        QFETCH(int, keyLine);
        QFETCH(int, keyColumn);
        QFETCH(int, valueLine);
        QFETCH(int, valueColumn);
        const ManifestFile file = parseManifestFile(twoDocuments);
        QCOMPARE(file.documents.size(), 3); // the leading comment is an empty document
        QVERIFY(file.documents[0].isEmpty());
        const YamlDocument &d = file.documents[document];
        QVERIFY2(!d.syntaxError, qPrintable(d.syntaxError ? d.syntaxError->message : QString()));
        const auto at = d.position(path);
        QVERIFY(at);
        QCOMPARE(at->key, (TextPosition{keyLine, keyColumn}));
        QCOMPARE(at->value, (TextPosition{valueLine, valueColumn}));
    }

    void missingFieldsGiveTheirNearestAncestor_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("found");
        QTest::addColumn<int>("line");
        QTest::newRow("missing leaf")
            << u"spec.template.spec.hostname"_s << u"spec.template.spec"_s << 24;
        QTest::newRow("missing item") << u"spec.template.spec.containers[5].image"_s
                                      << u"spec.template.spec.containers"_s << 25;
        QTest::newRow("missing top-level field") << u"status.phase"_s << QString() << 17;
    }
    void missingFieldsGiveTheirNearestAncestor()
    {
        QFETCH(QString, path);
        QFETCH(QString, found);
        QFETCH(int, line);
        const YamlDocument d = parseManifestFile(twoDocuments).documents.at(2);
        QVERIFY(!d.position(path));
        const auto [foundPath, at] = d.nearestPosition(path);
        QCOMPARE(foundPath, found);
        QCOMPARE(at.key.isValid() ? at.key.line : at.value.line, line);
    }

    void pathUnderTheCursor_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<bool>("onValue");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("parentPath");
        QTest::addColumn<QString>("word");
        const QString containers = u"spec.template.spec.containers"_s;
        QTest::newRow("top-level key")
            << cursorText << 2 << 3 << false << u"kind"_s << QString() << u"ki"_s;
        QTest::newRow("value") << cursorText << 4 << 11 << true << u"metadata.name"_s
                               << u"metadata"_s << u"we"_s;
        QTest::newRow("after the colon")
            << cursorText << 6 << 13 << true << u"spec.replicas"_s << u"spec"_s << QString();
        QTest::newRow("blank line, indented: the enclosing map")
            << cursorText << 7 << 3 << false << u"spec"_s << u"spec"_s << QString();
        QTest::newRow("blank line, not indented: the top")
            << cursorText << 7 << 1 << false << QString() << QString() << QString();
        QTest::newRow("key on a dash line")
            << cursorText << 11 << 9 << false << containers + u"[0].name"_s << containers + u"[0]"_s
            << QString();
        QTest::newRow("key under an item")
            << cursorText << 12 << 10 << false << containers + u"[0].image"_s
            << containers + u"[0]"_s << u"i"_s;
        QTest::newRow("blank line in an item")
            << cursorText << 13 << 9 << false << containers + u"[0]"_s << containers + u"[0]"_s
            << QString();
        QTest::newRow("blank line at a key's column: a sibling")
            << cursorText << 13 << 7 << false << u"spec.template.spec"_s << u"spec.template.spec"_s
            << QString();
        QTest::newRow("value in a flow map")
            << cursorText << 14 << 48 << true << containers + u"[0].ports[0].protocol"_s
            << containers + u"[0].ports[0]"_s << u"T"_s;
        QTest::newRow("key in a flow map")
            << cursorText << 14 << 40 << false << containers + u"[0].ports[0].protocol"_s
            << containers + u"[0].ports[0]"_s << u"pro"_s;
        QTest::newRow("after a comma in a flow map")
            << cursorText << 14 << 36 << false << containers + u"[0].ports[0]"_s
            << containers + u"[0].ports[0]"_s << QString();
        QTest::newRow("empty item")
            << cursorText << 15 << 9 << true << containers + u"[1]"_s << containers << QString();
        QTest::newRow("items are counted")
            << cursorText << 16 << 11 << false << containers + u"[2].name"_s
            << containers + u"[2]"_s << u"na"_s;
        QTest::newRow("scalar item")
            << cursorText << 18 << 13 << true << containers + u"[2].command[0]"_s
            << containers + u"[2].command"_s << u"sh"_s;
        QTest::newRow("inside a block scalar")
            << cursorText << 21 << 12 << true << containers + u"[2].args[0]"_s
            << containers + u"[2].args"_s << QString();
        QTest::newRow("key being typed, the line does not parse")
            << cursorText + u"  sel"_s << 22 << 6 << false << u"spec.sel"_s << u"spec"_s
            << u"sel"_s;
    }
    void pathUnderTheCursor()
    {
        QFETCH(QString, text);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(bool, onValue);
        QFETCH(QString, path);
        QFETCH(QString, parentPath);
        QFETCH(QString, word);
        const ManifestFile file = parseManifestFile(text);
        QCOMPARE(file.documents.size(), 1);
        const CursorPlace place = pathAt(file.documents[0], line, column);
        QCOMPARE(place.role == CursorPlace::Role::Value, onValue);
        QCOMPARE(place.path, path);
        QCOMPARE(place.parentPath, parentPath);
        QCOMPARE(place.word, word);
    }

    void problemsAreReportedAtTheirField_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<bool>("warning");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown field: its key") << deploymentWith(6, u"  replica: 2"_s) << 6 << 3
                                                << false << u"unknown field \"spec.replica\""_s;
        QTest::newRow("wrong type: the value")
            << deploymentWith(6, u"  replicas: two"_s) << 6 << 13 << false
            << u"json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas "
               "of type int32"_s;
        QTest::newRow("out of range")
            << deploymentWith(6, u"  replicas: -1"_s) << 6 << 13 << false
            << u"spec.replicas: Invalid value: -1: must be greater than or equal to 0"_s;
        QTest::newRow("bad enum: the value")
            << deploymentWith(18, u"        imagePullPolicy: Sometimes"_s) << 18 << 26 << false
            << u"spec.template.spec.containers[0].imagePullPolicy: Unsupported value: "
               "\"Sometimes\": supported values: \"Always\", \"Never\", \"IfNotPresent\""_s;
        QTest::newRow("missing required field: its parent")
            << deploymentWith(7, u"  paused: false"_s)
                   .replace(u"    matchLabels:\n      app: web\n"_s, QString())
            << 5 << 1 << false << u"spec.selector: Required value"_s;
        QTest::newRow("missing name")
            << deploymentWith(4, u"  labels: {app: web}"_s) << 3 << 1 << false
            << u"metadata.name: Required value: name or generateName is required"_s;
        QTest::newRow("missing apiVersion") << u"# a pod\nkind: Pod\nmetadata:\n  name: p\n"_s << 2
                                            << 1 << false << u"apiVersion not set"_s;
        QTest::newRow("kind not a string")
            << u"apiVersion: v1\nkind: [Pod]\n"_s << 2 << 7 << false << u"kind isn't string type"_s;
        QTest::newRow("unknown kind of a built-in group")
            << deploymentWith(2, u"kind: Deploy"_s) << 2 << 7 << false
            << u"no matches for kind \"Deploy\" in version \"apps/v1\""_s;
        QTest::newRow("unknown kind elsewhere: maybe a CRD")
            << u"apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"_s << 2 << 7
            << true << u"no matches for kind \"Widget\" in version \"example.com/v1\""_s;
        QTest::newRow("item of a List: its own path") << uR"(apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: a}
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
  spec:
    replica: 1
    selector: {matchLabels: {app: web}}
    template:
      metadata: {labels: {app: web}}
      spec:
        containers: [{name: web, image: nginx}]
)"_s << 12 << 5 << false << u"unknown field \"spec.replica\""_s;
        QTest::newRow("syntax error in document 2 of 3: the file's line")
            << u"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n"
               "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: b\n labels: {}\n---\n"
               "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: c\n"_s
            << 10 << 2 << false << u"end of map not found"_s;
    }
    void problemsAreReportedAtTheirField()
    {
        QFETCH(QString, text);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(bool, warning);
        QFETCH(QString, message);
        const QList<Problem> problems = validate(parseManifestFile(text), registry());
        QVERIFY2(problems.size() == 1, qPrintable(describe(problems)));
        QCOMPARE(problems[0].message, message);
        QCOMPARE(problems[0].line, line);
        QCOMPARE(problems[0].column, column);
        QCOMPARE(problems[0].severity, warning ? Severity::Warning : Severity::Error);
        if (problems[0].message.startsWith(u"unknown field"_s))
            QVERIFY(problems[0].path.endsWith(problems[0].message.section(u'"', 1, 1)));
    }

    void validManifestsHaveNoProblems()
    {
        QString text = deployment + u"---\n"_s + twoDocuments.section(u"---\n"_s, 1, 1) +
                       u"---\n# nothing here\n---\n"_s;
        const QList<Problem> problems = validate(parseManifestFile(text), registry());
        QVERIFY2(problems.isEmpty(), qPrintable(describe(problems)));
    }

    void everyTemplateValidates()
    {
        const QList<ManifestTemplate> all = templates();
        QStringList kinds;
        for (const ManifestTemplate &t : all) {
            kinds.append(t.kind);
            QVERIFY(!t.title.isEmpty());
            const ManifestFile file = parseManifestFile(t.yaml);
            QVERIFY2(std::ranges::any_of(file.documents,
                                         [&](const YamlDocument &d) { return d.kind == t.kind; }),
                     qPrintable(t.kind));
            const QList<Problem> problems = validate(file, registry());
            QVERIFY2(problems.isEmpty(), qPrintable(t.kind + u": "_s + describe(problems)));
        }
        QCOMPARE(kinds,
                 (QStringList{u"Deployment"_s, u"Service"_s, u"ConfigMap"_s, u"Secret"_s,
                              u"Ingress"_s, u"Pod"_s, u"Job"_s, u"CronJob"_s, u"StatefulSet"_s,
                              u"DaemonSet"_s, u"PersistentVolumeClaim"_s, u"Namespace"_s}));
    }

    void completesDeploymentSpecFieldsAtItsIndentation()
    {
        const QString text = deploymentWith(6, u"  replicas: 2\n  "_s);
        const YamlDocument d = parseManifestFile(text).documents.at(0);
        const QList<CompletionItem> items = complete(d, 7, 3, registry());
        const QStringList names = texts(items);
        QVERIFY2(names.contains(u"strategy"_s), qPrintable(names.join(u' ')));
        QVERIFY(names.contains(u"minReadySeconds"_s));
        QVERIFY(names.contains(u"paused"_s));
        // Written already.
        QVERIFY(!names.contains(u"replicas"_s));
        QVERIFY(!names.contains(u"selector"_s));
        // Not a DeploymentSpec field.
        QVERIFY(!names.contains(u"containers"_s));
        const auto paused = std::ranges::find(items, u"paused"_s, &CompletionItem::text);
        QCOMPARE(paused->detail, u"boolean"_s);
        QCOMPARE(paused->insertText, u"paused: "_s);
        QVERIFY(paused->description.endsWith(u'.'));
        QVERIFY(!paused->description.contains(u". "_s));
    }

    void completesRequiredFieldsFirst()
    {
        const QString text = u"apiVersion: apps/v1\nkind: Deployment\nspec:\n  \n"_s;
        const QList<CompletionItem> items =
            complete(parseManifestFile(text).documents.at(0), 4, 3, registry());
        QVERIFY(items.size() > 4);
        QCOMPARE(items[0].text, u"selector"_s);
        QCOMPARE(items[1].text, u"template"_s);
        QVERIFY(items[0].required);
        QVERIFY(!items[2].required);
        QCOMPARE(items[1].insertText, u"template:\n  "_s);
    }

    void completesListsWithTheirFirstItem()
    {
        const QString text = u"apiVersion: v1\nkind: Pod\nspec:\n  "_s;
        const QList<CompletionItem> items =
            complete(parseManifestFile(text).documents.at(0), 4, 3, registry());
        const auto containers = std::ranges::find(items, u"containers"_s, &CompletionItem::text);
        QVERIFY2(containers != items.end(), qPrintable(texts(items).join(u' ')));
        QCOMPARE(containers->insertText, u"containers:\n  - name: "_s);
        QCOMPARE(containers->detail, u"[]Container"_s);
    }

    void completesANewItemUnderAnIndentedList()
    {
        const QString text = u"apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n"
                             "      ports:\n        - containerPort: 80\n        "_s;
        const QList<CompletionItem> items =
            complete(parseManifestFile(text).documents.at(0), 8, 9, registry());
        QVERIFY(!items.isEmpty());
        QCOMPARE(items[0].text, u"containerPort"_s);
        QCOMPARE(items[0].insertText, u"- containerPort: "_s);
    }

    void completesTheWordBeingTyped_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("enum values of imagePullPolicy")
            << deploymentWith(18, u"        imagePullPolicy: "_s) << 18 << 26
            << QStringList{u"Always"_s, u"Never"_s, u"IfNotPresent"_s};
        QTest::newRow("enum values starting with the word")
            << deploymentWith(18, u"        imagePullPolicy: I"_s) << 18 << 27
            << QStringList{u"IfNotPresent"_s};
        QTest::newRow("booleans") << deploymentWith(6, u"  paused: "_s) << 6 << 11
                                  << QStringList{u"true"_s, u"false"_s};
        QTest::newRow("a key being typed")
            << deploymentWith(6, u"  rep"_s) << 6 << 6 << QStringList{u"replicas"_s};
        QTest::newRow("first key of a new item")
            << deploymentWith(18, u"      - na"_s) << 18 << 11 << QStringList{u"name"_s};
        QTest::newRow("apiVersions of the kind")
            << deploymentWith(1, u"apiVersion: "_s) << 1 << 13 << QStringList{u"apps/v1"_s};
        QTest::newRow("kinds of the apiVersion")
            << u"apiVersion: batch/v1\nkind: \n"_s << 2 << 7 << QStringList{u"CronJob"_s, u"Job"_s};
        QTest::newRow("top-level fields but status")
            << u"apiVersion: v1\nkind: Pod\n"_s << 3 << 1 << QStringList{u"metadata"_s, u"spec"_s};
        QTest::newRow("top-level fields of a new document")
            << u"---\nap"_s << 2 << 3 << QStringList{u"apiVersion"_s};
        QTest::newRow("nothing after a map's key")
            << deploymentWith(5, u"spec: "_s) << 5 << 7 << QStringList{};
    }
    void completesTheWordBeingTyped()
    {
        QFETCH(QString, text);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QStringList, expected);
        const ManifestFile file = parseManifestFile(text);
        const int index = file.documentAt(line);
        QVERIFY(index >= 0);
        QCOMPARE(texts(complete(file.documents[index], line, column, registry())), expected);
    }

    void kindsOfAnyVersionWhenTheApiVersionIsUnknown()
    {
        const QStringList kinds =
            texts(complete(parseManifestFile(u"kind: \n"_s).documents.at(0), 1, 7, registry()));
        QVERIFY(kinds.contains(u"Pod"_s));
        QVERIFY(kinds.contains(u"Deployment"_s));
        QVERIFY(!kinds.contains(u"Binding"_s)); // cannot be read back: not a manifest kind
        QCOMPARE(kinds.count(u"Pod"_s), 1);
    }

    void opensAndValidatesAFiveThousandLineFileQuickly()
    {
        const QString text = generatedManifest(5000);
        QElapsedTimer timer;
        timer.start();
        // Loaded once per process, on first use: not part of opening a file once warm.
        registry();
        qInfo("built-in schema ready in %lld ms", timer.restart());
        const ManifestFile file = parseManifestFile(text);
        const qint64 parsed = timer.elapsed();
        const QList<Problem> problems = validate(file, registry());
        const qint64 total = timer.elapsed();
        qInfo("%lld lines, %lld documents: parsed in %lld ms, validated in %lld ms, %lld ms total",
              qint64(text.count(u'\n')), qint64(file.documents.size()), parsed, total - parsed,
              total);
        QVERIFY2(problems.isEmpty(), qPrintable(describe(problems.mid(0, 3))));
        QVERIFY(file.documents.size() > 100);
        // Every document is indexed: the last Service's port is found where it is written.
        const YamlDocument &last = file.documents.last();
        const auto port = last.position(u"spec.ports[0].port"_s);
        QVERIFY(port);
        QCOMPARE(port->key.line, last.lastLine - 2);
    }
};

QTEST_GUILESS_MAIN(TestManifest)
#include "tst_manifest.moc"
