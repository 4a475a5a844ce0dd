// In-place edits of manifest text by field path: the lines of the field change, nothing else.
#include "manifest/yamledit.h"

#include "core/yaml.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace timonel;
using namespace timonel::manifest;
using namespace Qt::StringLiterals;

namespace {

// A JSON text as a value ("undefined" removes); scalars are allowed.
QJsonValue json(const QString &text)
{
    if (text == u"undefined")
        return QJsonValue::Undefined;
    const QJsonDocument document = QJsonDocument::fromJson(u"[%1]"_s.arg(text).toUtf8());
    if (!document.isArray())
        qFatal("bad JSON in test data: %s", qPrintable(text));
    return document.array().first();
}

QJsonValue parsed(const QString &text, int document)
{
    const auto documents = core::parseYamlDocuments(text.toUtf8());
    if (!documents) {
        qWarning().noquote() << "does not parse:" << documents.error().message << "\n" << text;
        return QJsonValue::Undefined;
    }
    return documents->value(document, QJsonValue::Undefined);
}

const QString deployment = uR"(# The web front end.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web  # keep it short
spec:
  replicas: 3 # three for now

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
        image: "nginx:1.25"   # pinned
        ports:
        - containerPort: 80
        resources:
          limits:
            memory: 128Mi
          requests:
            cpu: 100m
        # probes come later
      restartPolicy: Always
)"_s;

// The same containers list written indented under its key, with 4-space maps.
const QString indented = uR"(apiVersion: v1
kind: Pod
metadata:
    name: tools
spec:
    containers:
        - name: shell
          image: 'busybox'
          args: [sleep, "3600"]
    # end of spec
)"_s;

const QString threeDocuments = uR"(# first
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: Service
metadata:
  name: web   # the front door
  namespace: shop
spec:
  selector:
    app: web
  ports:
  - port: 80
---
# third
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
)"_s;

QString replaced(QString text, const QString &before, const QString &after)
{
    if (!text.contains(before))
        qFatal("test data lacks %s", qPrintable(before));
    return text.replace(before, after);
}

} // namespace

class TestYamlEdit : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void editsOnlyTheFieldsLines_data();
    void editsOnlyTheFieldsLines();
    void editInSecondDocumentLeavesTheOthersByteIdentical();
    void editIsOneLineRangeTheEditorCanApply();
    void chainedEditsAreOneChange();
    void refusesEditsItCannotMakeExactly_data();
    void refusesEditsItCannotMakeExactly();
    void keepsWindowsLineEnds();
    void documentRangesSkipEmptyDocuments();
};

void TestYamlEdit::editsOnlyTheFieldsLines_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("operation"); // set, append, remove
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("value"); // JSON; the index for remove
    QTest::addColumn<QString>("expected");

    QTest::newRow("scalar keeps its trailing comment")
        << deployment << "set"
        << "spec.replicas"
        << "5" << replaced(deployment, u"replicas: 3 # three"_s, u"replicas: 5 # three"_s);
    QTest::newRow("double-quoted value stays double-quoted while it must be quoted")
        << deployment << "set"
        << "spec.template.spec.containers[0].image"
        << R"("1.27")"
        << replaced(deployment, u"\"nginx:1.25\"   # pinned"_s, u"\"1.27\"   # pinned"_s);
    QTest::newRow("quotes go when no longer needed")
        << deployment << "set"
        << "spec.template.spec.containers[0].image"
        << R"("nginx:1.27")"
        << replaced(deployment, u"\"nginx:1.25\"   # pinned"_s, u"nginx:1.27   # pinned"_s);
    QTest::newRow("single-quoted value unquoted when plain will do")
        << indented << "set"
        << "spec.containers[0].image"
        << R"("it's on")" << replaced(indented, u"'busybox'"_s, u"it's on"_s);
    QTest::newRow("single quotes kept for a YAML 1.1 boolean")
        << indented << "set"
        << "spec.containers[0].image"
        << R"("on")" << replaced(indented, u"'busybox'"_s, u"'on'"_s);
    QTest::newRow("plain value gets quotes only when it must")
        << deployment << "set"
        << "metadata.name"
        << R"("true")" << replaced(deployment, u"name: web  # keep"_s, u"name: \"true\"  # keep"_s);
    QTest::newRow("quoted string becomes a plain number")
        << deployment << "set"
        << "spec.template.spec.containers[0].image"
        << "42" << replaced(deployment, u"\"nginx:1.25\"   # pinned"_s, u"42   # pinned"_s);
    QTest::newRow("missing nested key inserted at its parent's indent")
        << deployment << "set"
        << "metadata.labels.app"
        << R"("web")"
        << replaced(deployment, u"  name: web  # keep it short\n"_s,
                    u"  name: web  # keep it short\n  labels:\n    app: web\n"_s);
    QTest::newRow("missing key in a 4-space document uses 4 spaces")
        << indented << "set"
        << "metadata.labels.tier"
        << R"("debug")"
        << replaced(indented, u"    name: tools\n"_s,
                    u"    name: tools\n    labels:\n        tier: debug\n"_s);
    QTest::newRow("key with dots, quoted in the path")
        << deployment << "set"
        << R"(spec.template.metadata.labels["app.kubernetes.io/name"])"
        << R"("web")"
        << replaced(deployment, u"        app: web\n    spec:"_s,
                    u"        app: web\n        app.kubernetes.io/name: web\n    spec:"_s);
    QTest::newRow("new key after a not-indented sequence and before the comment below it")
        << deployment << "set"
        << "spec.template.spec.containers[0].imagePullPolicy"
        << R"("Never")"
        << replaced(deployment, u"            cpu: 100m\n"_s,
                    u"            cpu: 100m\n        imagePullPolicy: Never\n"_s);
    QTest::newRow("key removed with its block, comments after it stay")
        << deployment << "set"
        << "spec.template.spec.containers[0].resources"
        << "undefined"
        << replaced(deployment,
                    u"        resources:\n          limits:\n            memory: 128Mi\n"
                    "          requests:\n            cpu: 100m\n"_s,
                    QString());
    QTest::newRow("null removes too")
        << deployment << "set"
        << "spec.replicas"
        << "null" << replaced(deployment, u"  replicas: 3 # three for now\n"_s, QString());
    QTest::newRow("removing a missing key changes nothing") << deployment << "set"
                                                            << "spec.paused"
                                                            << "undefined" << deployment;
    QTest::newRow("last key of a map leaves an empty map")
        << deployment << "set"
        << "spec.template.metadata.labels.app"
        << "undefined"
        << replaced(deployment, u"      labels:\n        app: web\n"_s, u"      labels: {}\n"_s);
    QTest::newRow("map value merges key by key, keeping comments")
        << deployment << "set"
        << "metadata"
        << R"({"name": "web", "namespace": "shop"})"
        << replaced(deployment, u"  name: web  # keep it short\n"_s,
                    u"  name: web  # keep it short\n  namespace: shop\n"_s);
    QTest::newRow("container appended to a not-indented list")
        << deployment << "append"
        << "spec.template.spec.containers"
        << R"({"name": "sidecar", "image": "busybox", "args": ["sleep", "infinity"]})"
        << replaced(deployment, u"            cpu: 100m\n"_s,
                    u"            cpu: 100m\n      - name: sidecar\n        args:\n"
                    "        - sleep\n        - infinity\n        image: busybox\n"_s);
    QTest::newRow("container appended to an indented list")
        << indented << "append"
        << "spec.containers"
        << R"({"name": "sidecar", "image": "busybox", "args": ["sleep", "infinity"]})"
        << replaced(indented, u"          args: [sleep, \"3600\"]\n"_s,
                    u"          args: [sleep, \"3600\"]\n        - name: sidecar\n"
                    "          args:\n              - sleep\n              - infinity\n"
                    "          image: busybox\n"_s);
    QTest::newRow("port appended to a list written under its key")
        << deployment << "append"
        << "spec.template.spec.containers[0].ports"
        << R"({"containerPort": 443, "name": "https"})"
        << replaced(deployment, u"        - containerPort: 80\n"_s,
                    u"        - containerPort: 80\n        - name: https\n"
                    "          containerPort: 443\n"_s);
    QTest::newRow("env list created when missing")
        << indented << "append"
        << "spec.containers[0].env"
        << R"({"name": "A", "value": "1"})"
        << replaced(indented, u"          args: [sleep, \"3600\"]\n"_s,
                    u"          args: [sleep, \"3600\"]\n          env:\n"
                    "              - name: A\n                value: \"1\"\n"_s);
    QTest::newRow("item removed with its block")
        << deployment << "remove"
        << "spec.template.spec.containers[0].ports"
        << "0"
        << replaced(deployment, u"        ports:\n        - containerPort: 80\n"_s,
                    u"        ports: []\n"_s);
    QTest::newRow("first key of an item removed, the next moves after the dash")
        << deployment << "set"
        << "spec.template.spec.containers[0].name"
        << "undefined"
        << replaced(deployment, u"      - name: web\n        image:"_s, u"      - image:"_s);
    QTest::newRow("flow list rewritten as a whole")
        << indented << "set"
        << "spec.containers[0].args[1]"
        << R"("60, or more")"
        << replaced(indented, u"[sleep, \"3600\"]"_s, u"[sleep, \"60, or more\"]"_s);
    QTest::newRow("flow map gains a key, keeping its comment")
        << u"metadata:\n  labels: {app: web}  # flow\n"_s << "set"
        << "metadata.labels.tier"
        << R"("db")" << u"metadata:\n  labels: {app: web, tier: db}  # flow\n"_s;
    QTest::newRow("empty flow map opens into block style")
        << u"spec:\n  resources: {}   # none\n  x: 1\n"_s << "set"
        << "spec.resources.limits.cpu"
        << R"("1")" << u"spec:\n  resources:   # none\n    limits:\n      cpu: \"1\"\n  x: 1\n"_s;
    QTest::newRow("map emptied becomes {}")
        << deployment << "set"
        << "spec.template.metadata.labels"
        << "{}"
        << replaced(deployment, u"      labels:\n        app: web\n"_s, u"      labels: {}\n"_s);
    QTest::newRow("multi-line string written as a literal block")
        << u"data:\n  mode: fast\n"_s << "set"
        << "data.script"
        << R"("echo one\necho two\n")"
        << u"data:\n  mode: fast\n  script: |\n    echo one\n    echo two\n"_s;
    QTest::newRow("block scalar replaced by a one-line value")
        << u"data:\n  script: |  # run at start\n    # not a comment\n    echo hi\n  other: 1\n"_s
        << "set"
        << "data.script"
        << R"("ls")" << u"data:\n  script: ls  # run at start\n  other: 1\n"_s;
    QTest::newRow("scalar item replaced in place") << u"args:\n- a   # first\n- b\n"_s << "set"
                                                   << "args[0]"
                                                   << R"("c")" << u"args:\n- c   # first\n- b\n"_s;
    QTest::newRow("shorter list keeps the lines of the items that stay")
        << u"args:\n- a   # first\n- b\n- c\nnext: 1\n"_s << "set"
        << "args"
        << R"(["a", "x"])" << u"args:\n- a   # first\n- x\nnext: 1\n"_s;
    QTest::newRow("map replaced by a scalar")
        << u"spec:\n  a: 1\n  b:\n    c: 2\nkind: X\n"_s << "set"
        << "spec.b"
        << "3" << u"spec:\n  a: 1\n  b: 3\nkind: X\n"_s;
    QTest::newRow("empty value gets a map")
        << u"metadata:\n  name: x\n  labels:   # none yet\nspec: {}\n"_s << "set"
        << "metadata.labels.app"
        << R"("x")" << u"metadata:\n  name: x\n  labels:   # none yet\n    app: x\nspec: {}\n"_s;
    QTest::newRow("empty file gets its first keys")
        << u"# a new manifest\n"_s << "set"
        << "metadata.name"
        << R"("x")" << u"# a new manifest\nmetadata:\n  name: x\n"_s;
}

void TestYamlEdit::editsOnlyTheFieldsLines()
{
    QFETCH(QString, text);
    QFETCH(QString, operation);
    QFETCH(QString, path);
    QFETCH(QString, value);
    QFETCH(QString, expected);

    std::expected<QString, QString> result;
    if (operation == u"set")
        result = setValue(text, path, json(value));
    else if (operation == u"append")
        result = appendItem(text, path, json(value));
    else
        result = removeItem(text, path, value.toInt());
    QVERIFY2(result, qPrintable(result.error()));
    QCOMPARE(*result, expected);
    // The text reads back as the same manifest with just that change.
    const QJsonValue after = parsed(*result, 0);
    QVERIFY(!after.isUndefined());
    QCOMPARE(after, parsed(expected, 0));
}

void TestYamlEdit::editInSecondDocumentLeavesTheOthersByteIdentical()
{
    const QList<LineRange> ranges = documentRanges(threeDocuments);
    QCOMPARE(ranges.size(), 3);
    const QStringList lines = threeDocuments.split(u'\n');
    const auto edited = [&](const QString &path, const QJsonValue &value) {
        const auto result = setValue(threeDocuments, path, value, 1);
        if (!result)
            qWarning() << result.error();
        return result.value_or(QString());
    };
    const QList<QString> results = {
        edited(u"metadata.name"_s, u"front"_s),
        edited(u"spec.ports[0].targetPort"_s, 8080),
        edited(u"spec.type"_s, u"NodePort"_s),
        edited(u"spec.selector"_s, QJsonValue::Undefined),
    };
    for (const QString &result : results) {
        QVERIFY(!result.isEmpty());
        const QStringList after = result.split(u'\n');
        // Documents 1 and 3 (and the separators) are the same lines, byte for byte.
        QCOMPARE(after.first(ranges[1].first - 1), lines.first(ranges[1].first - 1));
        const qsizetype tail = lines.size() - ranges[1].last;
        QCOMPARE(after.last(tail), lines.last(tail));
        QCOMPARE(parsed(result, 0), parsed(threeDocuments, 0));
        QCOMPARE(parsed(result, 2), parsed(threeDocuments, 2));
    }
    QCOMPARE(parsed(results[0], 1)["metadata"]["name"], QJsonValue(u"front"_s));
    QCOMPARE(parsed(results[1], 1)["spec"]["ports"][0]["targetPort"], QJsonValue(8080));
    QVERIFY(results[0].contains(u"  name: front   # the front door\n"_s));
    QCOMPARE(parsed(results[3], 1)["spec"].toObject().keys(), QStringList{u"ports"_s});
}

void TestYamlEdit::editIsOneLineRangeTheEditorCanApply()
{
    DocumentEdit edit(deployment);
    QVERIFY(edit.setValue(u"spec.replicas"_s, 10));
    const TextEdit change = edit.edit();
    QCOMPARE(change.firstLine, 7);
    QCOMPARE(change.lastLine, 7);
    QCOMPARE(change.text, u"  replicas: 10 # three for now\n"_s);
    QCOMPARE(applyEdit(deployment, change), edit.text());

    // An insertion replaces no line.
    DocumentEdit insert(deployment);
    QVERIFY(insert.setValue(u"metadata.namespace"_s, u"shop"_s));
    QCOMPARE(insert.edit(), (TextEdit{6, 5, u"  namespace: shop\n"_s}));
    QCOMPARE(applyEdit(deployment, insert.edit()), insert.text());
    QCOMPARE(insert.document(), (LineRange{1, lineCount(deployment) + 1}));

    DocumentEdit nothing(deployment);
    QVERIFY(nothing.setValue(u"spec.replicas"_s, 3));
    QVERIFY(nothing.edit().isEmpty());
    QCOMPARE(nothing.text(), deployment);
}

void TestYamlEdit::chainedEditsAreOneChange()
{
    // Renaming a label is a removal and an insertion: one undo step in the editor.
    DocumentEdit edit(deployment);
    QVERIFY(edit.setValue(u"spec.template.metadata.labels.tier"_s, u"web"_s));
    QVERIFY(edit.setValue(u"spec.template.metadata.labels.app"_s, QJsonValue::Undefined));
    const TextEdit change = edit.edit();
    QCOMPARE(change, (TextEdit{15, 15, u"        tier: web\n"_s}));
    QCOMPARE(edit.value()["spec"]["template"]["metadata"]["labels"].toObject(),
             (QJsonObject{{u"tier"_s, u"web"_s}}));
}

void TestYamlEdit::refusesEditsItCannotMakeExactly_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("error");

    QTest::newRow("through a scalar") << deployment << "spec.replicas.value"
                                      << "spec.replicas.value: the value above it is not a map";
    QTest::newRow("index past the end")
        << deployment << "spec.template.spec.containers[3].name"
        << "spec.template.spec.containers[3]: the list has 1 item(s)";
    QTest::newRow("invalid YAML") << u"a: [1\nb: 2\n"_s << "b"
                                  << "the document is not valid YAML: ";
    QTest::newRow("anchored node shared by an alias")
        << u"a: &x 1\nb: *x\n"_s << "a"
        << "a cannot be changed in place in this document";
    QTest::newRow("bad path") << deployment << "spec..replicas"
                              << "invalid field path";
}

void TestYamlEdit::refusesEditsItCannotMakeExactly()
{
    QFETCH(QString, text);
    QFETCH(QString, path);
    QFETCH(QString, error);
    DocumentEdit edit(text);
    const auto result = edit.setValue(path, 7);
    QVERIFY(!result);
    QVERIFY2(result.error().startsWith(error), qPrintable(result.error()));
    QCOMPARE(edit.text(), text); // nothing written
}

void TestYamlEdit::keepsWindowsLineEnds()
{
    QString text = deployment;
    text.replace(u"\n"_s, u"\r\n"_s);
    const auto result = setValue(text, u"metadata.labels.app"_s, u"web"_s);
    QVERIFY2(result, qPrintable(result.error()));
    QCOMPARE(*result, replaced(text, u"  name: web  # keep it short\r\n"_s,
                               u"  name: web  # keep it short\r\n  labels:\r\n    app: web\r\n"_s));
}

void TestYamlEdit::documentRangesSkipEmptyDocuments()
{
    const QString text = u"# only a comment\n---\na: 1\n---\n\n---\nb: 2\n...\n"_s;
    QCOMPARE(documentRanges(text), (QList<LineRange>{{3, 3}, {7, 7}}));
    const auto result = setValue(text, u"b"_s, 3, 1);
    QVERIFY(result);
    QCOMPARE(*result, u"# only a comment\n---\na: 1\n---\n\n---\nb: 3\n...\n"_s);
    QVERIFY(!setValue(text, u"b"_s, 3, 2));
}

QTEST_GUILESS_MAIN(TestYamlEdit)
#include "tst_yamledit.moc"
