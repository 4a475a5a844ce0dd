#include "core/yaml.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <limits>

using namespace timonel::core;

namespace {

QJsonValue parsedOrFail(const QByteArray &text)
{
    auto result = parseYaml(text);
    if (!result) {
        qWarning().noquote() << "unexpected parse error:" << formatYamlError(result.error(), "text")
                             << "\n"
                             << text;
        return QJsonValue(QJsonValue::Undefined);
    }
    return *result;
}

QByteArray describe(const QJsonValue &v)
{
    return QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
}

} // namespace

class TestYaml : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void plainScalarsAreTypedLikeKubernetes_data();
    void plainScalarsAreTypedLikeKubernetes();
    void readsManifestStructure();
    void resolvesAnchorsAliasesAndMergeKeys();
    void nonStringKeysBecomeTheirText();
    void invalidDocumentsReportPosition_data();
    void invalidDocumentsReportPosition();
    void aliasBombIsRejected();
    void deepNestingIsAnErrorNotACrash();
    void emptyTextIsNull();
    void parseYamlRejectsSeveralDocuments();
    void parseYamlDocumentsSkipsEmptyDocuments();
    void formatsErrorsWithSourceAndPosition_data();
    void formatsErrorsWithSourceAndPosition();
    void writesKubectlLayout();
    void writesScalarsQuotedOnlyWhenNeeded_data();
    void writesScalarsQuotedOnlyWhenNeeded();
    void writesMultiLineTextAsLiteralBlock_data();
    void writesMultiLineTextAsLiteralBlock();
    void writesEmptyContainersInline();
    void roundTripsEveryValue_data();
    void roundTripsEveryValue();
};

void TestYaml::plainScalarsAreTypedLikeKubernetes_data()
{
    QTest::addColumn<QByteArray>("scalar");
    QTest::addColumn<QJsonValue>("expected");

    const QJsonValue null(QJsonValue::Null);
    QTest::newRow("true") << QByteArray("true") << QJsonValue(true);
    QTest::newRow("True") << QByteArray("True") << QJsonValue(true);
    QTest::newRow("FALSE") << QByteArray("FALSE") << QJsonValue(false);
    QTest::newRow("yes stays text (YAML 1.2)") << QByteArray("yes") << QJsonValue("yes");
    QTest::newRow("on stays text") << QByteArray("on") << QJsonValue("on");
    QTest::newRow("null") << QByteArray("null") << null;
    QTest::newRow("tilde") << QByteArray("~") << null;
    QTest::newRow("NULL") << QByteArray("NULL") << null;
    QTest::newRow("empty") << QByteArray("") << null;
    QTest::newRow("decimal") << QByteArray("42") << QJsonValue(42);
    QTest::newRow("negative") << QByteArray("-17") << QJsonValue(-17);
    QTest::newRow("plus sign") << QByteArray("+5") << QJsonValue(5);
    QTest::newRow("zero") << QByteArray("0") << QJsonValue(0);
    QTest::newRow("hex") << QByteArray("0x1F") << QJsonValue(31);
    QTest::newRow("octal 0o") << QByteArray("0o17") << QJsonValue(15);
    QTest::newRow("file mode 0644 is octal") << QByteArray("0644") << QJsonValue(420);
    QTest::newRow("09 is not octal") << QByteArray("09") << QJsonValue(9);
    QTest::newRow("int64 max") << QByteArray("9223372036854775807")
                               << QJsonValue(std::numeric_limits<qint64>::max());
    QTest::newRow("beyond int64") << QByteArray("100000000000000000000") << QJsonValue(1e20);
    QTest::newRow("float") << QByteArray("1.5") << QJsonValue(1.5);
    QTest::newRow("negative float") << QByteArray("-0.25") << QJsonValue(-0.25);
    QTest::newRow("leading dot") << QByteArray(".5") << QJsonValue(0.5);
    QTest::newRow("exponent") << QByteArray("1e3") << QJsonValue(1000.0);
    QTest::newRow("avogadro") << QByteArray("6.02e+23") << QJsonValue(6.02e23);
    QTest::newRow(".inf stays text") << QByteArray(".inf") << QJsonValue(".inf");
    QTest::newRow("-.Inf stays text") << QByteArray("-.Inf") << QJsonValue("-.Inf");
    QTest::newRow(".nan stays text") << QByteArray(".nan") << QJsonValue(".nan");
    QTest::newRow("overflowing float stays text") << QByteArray("1e999") << QJsonValue("1e999");
    QTest::newRow("version") << QByteArray("1.2.3") << QJsonValue("1.2.3");
    QTest::newRow("quantity") << QByteArray("10Gi") << QJsonValue("10Gi");
    QTest::newRow("image") << QByteArray("nginx:1.25") << QJsonValue("nginx:1.25");
    QTest::newRow("url") << QByteArray("http://x:8080/a") << QJsonValue("http://x:8080/a");
    QTest::newRow("double quoted number") << QByteArray("\"123\"") << QJsonValue("123");
    QTest::newRow("single quoted bool") << QByteArray("'true'") << QJsonValue("true");
    QTest::newRow("quoted null") << QByteArray("\"null\"") << QJsonValue("null");
    QTest::newRow("quoted empty") << QByteArray("''") << QJsonValue("");
    QTest::newRow("!!str number") << QByteArray("!!str 42") << QJsonValue("42");
    QTest::newRow("!!str bool") << QByteArray("!!str true") << QJsonValue("true");
    QTest::newRow("escapes") << QByteArray("\"a\\tb\\n\\u00e9\"") << QJsonValue("a\tb\n\u00e9");
    QTest::newRow("literal block")
        << QByteArray("|\n  line1\n  line2\n") << QJsonValue("line1\nline2\n");
    QTest::newRow("literal block of digits") << QByteArray("|-\n  123\n") << QJsonValue("123");
    QTest::newRow("folded block") << QByteArray(">\n  a\n  b\n") << QJsonValue("a b\n");
}

void TestYaml::plainScalarsAreTypedLikeKubernetes()
{
    QFETCH(QByteArray, scalar);
    QFETCH(QJsonValue, expected);
    const QJsonValue parsed = parsedOrFail("value: " + scalar + "\n");
    QCOMPARE(describe(parsed.toObject().value("value")), describe(expected));
    QCOMPARE(parsed.toObject().value("value"), expected);
}

void TestYaml::readsManifestStructure()
{
    const QByteArray manifest = R"(# a comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: "frontend"}
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        args: ["--port", 8080]
        ports:
        - containerPort: 80
          protocol: TCP
      volumes: []
)";
    const QJsonObject expected =
        QJsonDocument::fromJson(R"({"apiVersion":"apps/v1","kind":"Deployment",
        "metadata":{"name":"web","labels":{"app":"web","tier":"frontend"}},
        "spec":{"replicas":3,"template":{"spec":{
          "containers":[{"name":"nginx","image":"nginx:1.25","args":["--port",8080],
                         "ports":[{"containerPort":80,"protocol":"TCP"}]}],
          "volumes":[]}}}})")
            .object();
    QCOMPARE(parsedOrFail(manifest).toObject(), expected);
}

void TestYaml::resolvesAnchorsAliasesAndMergeKeys()
{
    const QByteArray text = R"(base: &base
  image: nginx
  pullPolicy: Always
names: &names [a, b]
first:
  <<: *base
  pullPolicy: Never
second:
  list: *names
  <<: [{x: 1}, {x: 2, y: 2}]
)";
    const QJsonObject doc = parsedOrFail(text).toObject();
    QCOMPARE(doc.value("first").toObject(),
             (QJsonObject{{"image", "nginx"}, {"pullPolicy", "Never"}}));
    QCOMPARE(doc.value("second").toObject(),
             (QJsonObject{{"list", QJsonArray{"a", "b"}}, {"x", 1}, {"y", 2}}));
}

void TestYaml::nonStringKeysBecomeTheirText()
{
    const QJsonObject doc = parsedOrFail("1: a\ntrue: b\n0x10: c\n~: d\n\"2\": e\n").toObject();
    QCOMPARE(doc, (QJsonObject{{"1", "a"}, {"true", "b"}, {"16", "c"}, {"null", "d"}, {"2", "e"}}));
}

void TestYaml::invalidDocumentsReportPosition_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("messagePart");

    QTest::newRow("duplicate key") << QByteArray("a: 1\nb: 2\na: 3\n") << 3 << 1 << "duplicate key";
    QTest::newRow("nested duplicate key")
        << QByteArray("metadata:\n  name: x\n  name: y\n") << 3 << 3 << "\"name\"";
    QTest::newRow("duplicate after key conversion")
        << QByteArray("1: a\n0x1: b\n") << 2 << 1 << "duplicate key \"1\"";
    QTest::newRow("sequence as key")
        << QByteArray("? [a, b]\n: 1\n") << 1 << 3 << "keys must be scalars";
    QTest::newRow("unclosed flow sequence") << QByteArray("a: [1, 2\nb: 3\n") << 2 << 2 << "";
    QTest::newRow("bad indentation") << QByteArray("a:\n  b: 1\n c: 2\n") << 3 << 2 << "";
    QTest::newRow("colon inside plain value") << QByteArray("a: b: c\n") << 1 << 5 << "";
    QTest::newRow("tab indentation") << QByteArray("a:\n\t- b\n") << 2 << 2 << "";
    QTest::newRow("list then mapping at top level")
        << QByteArray("- a\nb: 1\n") << 2 << 1 << "new document with ---";
    QTest::newRow("mapping then list at top level") << QByteArray("a: 1\n- b\n") << 0 << 0 << "";
    QTest::newRow("undefined alias") << QByteArray("a: *nothing\n") << 1 << 4 << "";
}

void TestYaml::invalidDocumentsReportPosition()
{
    QFETCH(QByteArray, text);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, messagePart);
    const auto result = parseYaml(text);
    QVERIFY2(!result, describe(result.value_or(QJsonValue())).constData());
    const YamlError &error = result.error();
    QVERIFY(!error.message.isEmpty());
    QVERIFY2(error.message.contains(messagePart), qPrintable(error.message));
    if (line > 0) {
        QCOMPARE(error.line, line);
        QCOMPARE(error.column, column);
    } else {
        QVERIFY2(error.line > 0, qPrintable(formatYamlError(error, "text")));
    }
    // The same error comes out of the multi-document reader.
    const auto all = parseYamlDocuments(text);
    QVERIFY(!all);
    QCOMPARE(all.error().line, error.line);
}

void TestYaml::deepNestingIsAnErrorNotACrash()
{
    const QByteArray text = QByteArray(100'000, '[') + QByteArray(100'000, ']');
    const auto result = parseYaml(text);
    QVERIFY(!result);
    QVERIFY(!result.error().message.isEmpty());
}

void TestYaml::aliasBombIsRejected()
{
    QByteArray text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 12; ++i) {
        QByteArray refs;
        for (int j = 0; j < 10; ++j)
            refs += (j ? ", *a" : "*a") + QByteArray::number(i - 1);
        text += "a" + QByteArray::number(i) + ": &a" + QByteArray::number(i) + " [" + refs + "]\n";
    }
    const auto result = parseYaml(text);
    QVERIFY(!result);
    QVERIFY2(result.error().message.contains("too many"), qPrintable(result.error().message));
}

void TestYaml::emptyTextIsNull()
{
    for (const QByteArray &text : {QByteArray(), QByteArray("\n"), QByteArray("# only\n")}) {
        const auto result = parseYaml(text);
        QVERIFY(result);
        QVERIFY(result->isNull());
        QVERIFY(parseYamlDocuments(text)->isEmpty());
    }
}

void TestYaml::parseYamlRejectsSeveralDocuments()
{
    const auto result = parseYaml("a: 1\n---\nb: 2\n");
    QVERIFY(!result);
    QCOMPARE(result.error().line, 3);
    QVERIFY(result.error().message.contains("found 2"));
    // A leading "---" and trailing empty documents are one document.
    QCOMPARE(parsedOrFail("---\na: 1\n---\n"), QJsonValue(QJsonObject{{"a", 1}}));
}

void TestYaml::parseYamlDocumentsSkipsEmptyDocuments()
{
    const auto result =
        parseYamlDocuments("---\nkind: A\n---\n---\n# nothing here\n---\nkind: B\n...\n---\n- 1\n");
    QVERIFY(result);
    QCOMPARE(*result, (QList<QJsonValue>{QJsonObject{{"kind", "A"}}, QJsonObject{{"kind", "B"}},
                                         QJsonArray{1}}));
}

void TestYaml::formatsErrorsWithSourceAndPosition_data()
{
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("expected");
    QTest::newRow("full") << 3 << 5 << "kind.yaml"
                          << "kind.yaml:3:5: boom";
    QTest::newRow("no column") << 3 << 0 << "kind.yaml"
                               << "kind.yaml:3: boom";
    QTest::newRow("no position") << 0 << 0 << "kind.yaml"
                                 << "kind.yaml: boom";
    QTest::newRow("no source") << 3 << 5 << ""
                               << "3:5: boom";
    QTest::newRow("nothing") << 0 << 0 << ""
                             << "boom";
}

void TestYaml::formatsErrorsWithSourceAndPosition()
{
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, source);
    QFETCH(QString, expected);
    QCOMPARE(formatYamlError(YamlError{line, column, "boom"}, source), expected);
}

void TestYaml::writesKubectlLayout()
{
    const QJsonObject pod = QJsonDocument::fromJson(R"({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "labels": {"app": "web"}, "annotations": {"replicas": "3"}},
        "spec": {
          "containers": [
            {"name": "nginx", "image": "nginx:1.25", "args": ["--port", "8080"],
             "command": [["nested"], []],
             "ports": [{"containerPort": 80}],
             "env": [{"name": "SCRIPT", "value": "echo hi\necho there\n"}]}],
          "restartPolicy": "Always", "priority": 0.5, "enableServiceLinks": false,
          "nodeName": null}})")
                                .object();
    const QByteArray expected = R"(apiVersion: v1
kind: Pod
metadata:
  annotations:
    replicas: "3"
  labels:
    app: web
  name: web
spec:
  containers:
  - args:
    - --port
    - "8080"
    command:
    - - nested
    - []
    env:
    - name: SCRIPT
      value: |
        echo hi
        echo there
    image: nginx:1.25
    name: nginx
    ports:
    - containerPort: 80
  enableServiceLinks: false
  nodeName: null
  priority: 0.5
  restartPolicy: Always
)";
    QCOMPARE(toYaml(pod), expected);
}

void TestYaml::writesScalarsQuotedOnlyWhenNeeded_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("plain word") << QJsonValue("nginx") << QByteArray("nginx");
    QTest::newRow("image with colon") << QJsonValue("nginx:1.25") << QByteArray("nginx:1.25");
    QTest::newRow("flag") << QJsonValue("--port=80") << QByteArray("--port=80");
    QTest::newRow("quantity") << QJsonValue("500m") << QByteArray("500m");
    QTest::newRow("unicode") << QJsonValue("Año niño") << QByteArray("Año niño");
    QTest::newRow("empty") << QJsonValue("") << QByteArray("\"\"");
    QTest::newRow("true") << QJsonValue("true") << QByteArray("\"true\"");
    QTest::newRow("yes") << QJsonValue("yes") << QByteArray("\"yes\"");
    QTest::newRow("number") << QJsonValue("123") << QByteArray("\"123\"");
    QTest::newRow("hex") << QJsonValue("0x1F") << QByteArray("\"0x1F\"");
    QTest::newRow("null") << QJsonValue("null") << QByteArray("\"null\"");
    QTest::newRow("tilde") << QJsonValue("~") << QByteArray("\"~\"");
    QTest::newRow(".inf") << QJsonValue(".inf") << QByteArray("\".inf\"");
    QTest::newRow("date") << QJsonValue("2024-01-02") << QByteArray("\"2024-01-02\"");
    QTest::newRow("colon space") << QJsonValue("a: b") << QByteArray("\"a: b\"");
    QTest::newRow("comment") << QJsonValue("a #b") << QByteArray("\"a #b\"");
    QTest::newRow("star") << QJsonValue("*") << QByteArray("\"*\"");
    QTest::newRow("leading space") << QJsonValue(" x") << QByteArray("\" x\"");
    QTest::newRow("quote and backslash") << QJsonValue("\"\\") << QByteArray(R"("\"\\")");
    QTest::newRow("control") << QJsonValue("a\x01") << QByteArray(R"("a\x01")");
    QTest::newRow("int") << QJsonValue(8080) << QByteArray("8080");
    QTest::newRow("big int") << QJsonValue(std::numeric_limits<qint64>::max())
                             << QByteArray("9223372036854775807");
    QTest::newRow("float") << QJsonValue(0.1) << QByteArray("0.1");
    QTest::newRow("integral double") << QJsonValue(3.0) << QByteArray("3");
    QTest::newRow("huge double") << QJsonValue(1e300) << QByteArray("1e+300");
    QTest::newRow("bool") << QJsonValue(false) << QByteArray("false");
    QTest::newRow("null value") << QJsonValue(QJsonValue::Null) << QByteArray("null");
}

void TestYaml::writesScalarsQuotedOnlyWhenNeeded()
{
    QFETCH(QJsonValue, value);
    QFETCH(QByteArray, expected);
    QCOMPARE(toYaml(QJsonObject{{"k", value}}), "k: " + expected + "\n");
    QCOMPARE(toYaml(value), expected + "\n");
}

void TestYaml::writesMultiLineTextAsLiteralBlock_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("one trailing newline") << "a\nb\n" << QByteArray("k: |\n  a\n  b\n");
    QTest::newRow("no trailing newline") << "a\nb" << QByteArray("k: |-\n  a\n  b\n");
    QTest::newRow("several trailing newlines") << "a\n\n" << QByteArray("k: |+\n  a\n\n");
    QTest::newRow("blank and indented lines") << "a\n\n  b\n" << QByteArray("k: |\n  a\n\n    b\n");
    QTest::newRow("shell script") << "#!/bin/sh\necho \"hi: there\"\n"
                                  << QByteArray("k: |\n  #!/bin/sh\n  echo \"hi: there\"\n");
    QTest::newRow("leading space needs quotes") << " a\nb" << QByteArray(R"(k: " a\nb")");
    QTest::newRow("trailing space needs quotes") << "a \nb" << QByteArray(R"(k: "a \nb")");
    QTest::newRow("carriage return needs quotes") << "a\r\nb" << QByteArray(R"(k: "a\r\nb")");
}

void TestYaml::writesMultiLineTextAsLiteralBlock()
{
    QFETCH(QString, text);
    QFETCH(QByteArray, expected);
    if (!expected.endsWith('\n'))
        expected += '\n';
    QCOMPARE(toYaml(QJsonObject{{"k", text}}), expected);
}

void TestYaml::writesEmptyContainersInline()
{
    const QJsonObject value{
        {"a", QJsonObject()}, {"b", QJsonArray()}, {"c", QJsonArray{QJsonObject()}}};
    QCOMPARE(toYaml(value), QByteArray("a: {}\nb: []\nc:\n- {}\n"));
    QCOMPARE(toYaml(QJsonObject()), QByteArray("{}\n"));
    QCOMPARE(toYaml(QJsonArray()), QByteArray("[]\n"));
}

void TestYaml::roundTripsEveryValue_data()
{
    QTest::addColumn<QJsonValue>("value");

    const QStringList strings = {
        "",
        " ",
        "  ",
        "plain",
        "true",
        "True",
        "FALSE",
        "yes",
        "No",
        "on",
        "OFF",
        "y",
        "n",
        "null",
        "Null",
        "~",
        "123",
        "-1",
        "+1",
        "007",
        "0644",
        "09",
        "0x1F",
        "0o17",
        "0b101",
        "1.5",
        ".5",
        "5.",
        "1e3",
        "-1E-3",
        ".inf",
        "-.Inf",
        ".NaN",
        "1_000",
        "12:30",
        "1:2:3",
        "2024-01-02",
        "2001-12-14t21:59:43.10-05:00",
        "1.2.3",
        "10Gi",
        "a: b",
        "a:b",
        "a:",
        ":",
        "::",
        ":x",
        "a #b",
        "a#b",
        "#comment",
        "- item",
        "-",
        "--",
        "---",
        "--- x",
        "...",
        "-x",
        "-1x",
        "? x",
        "?x",
        "?",
        "[a]",
        "]",
        "{a: 1}",
        "}",
        "a, b",
        ",",
        "*alias",
        "&anchor",
        "!tag",
        "!!str",
        "|",
        "|-",
        ">",
        "'single'",
        "\"double\"",
        "it's",
        "%TAG",
        "@at",
        "`tick",
        " leading",
        "trailing ",
        "tab\there",
        "\ttab",
        "tab\t",
        "line1\nline2",
        "line1\nline2\n",
        "line1\n\n",
        "line1\n\n\n",
        "\n",
        "\n\n",
        "\nleading newline",
        "  indented\nsecond",
        "first\n  indented\n\ttabbed\n",
        "trailing space \nline",
        "a\r\nb",
        "a\rb",
        QString("bell\x07"),
        QString::fromUtf8("nul\0byte", 8),
        QString("del\x7f"),
        "ünïcödé",
        "emoji 😀",
        "日本語",
        QString::fromUtf16(u"line\u2028sep"),
        QString::fromUtf16(u"\u0085nel"),
        QString::fromUtf16(u"\ufeffbom"),
        QString::fromUtf16(u"c1\u009b"),
        "<<",
        "=",
        "\\",
        "back\\slash",
        "http://example.com:8080/path?q=1#frag",
        "key: value\nother: x\n",
        "- a\n- b\n",
        "a\n---\nb\n",
        "a\n...\nb",
        "\"\n'",
        "# not a comment\n",
        "x\n#y\n",
        QString(2000, u'k'), // longer than YAML's 1024-character limit for implicit keys
    };
    for (const QString &s : strings) {
        const QByteArray name = QJsonDocument(QJsonArray{s}).toJson(QJsonDocument::Compact);
        QTest::newRow("string " + name) << QJsonValue(s);
        QTest::newRow("key " + name) << QJsonValue(QJsonObject{{s, 1}, {"other", s}});
        QTest::newRow("nested " + name)
            << QJsonValue(QJsonArray{QJsonArray{s, QJsonObject{{"k", s}}}, s});
    }
    const QList<QJsonValue> numbers = {0,
                                       1,
                                       -1,
                                       42,
                                       0.5,
                                       -0.25,
                                       1e-7,
                                       1e20,
                                       1e300,
                                       -1e-300,
                                       123456789.125,
                                       9007199254740993LL,
                                       std::numeric_limits<qint64>::max(),
                                       std::numeric_limits<qint64>::min(),
                                       true,
                                       false,
                                       QJsonValue(QJsonValue::Null)};
    for (const QJsonValue &n : numbers) {
        QTest::newRow("scalar " + describe(n)) << n;
        QTest::newRow("in map " + describe(n)) << QJsonValue(QJsonObject{{"v", n}});
    }
    QTest::newRow("empty containers") << QJsonValue(QJsonArray{
        QJsonObject(), QJsonArray(), QJsonObject{{"a", QJsonArray()}, {"b", QJsonObject()}}});
    const QString longKey(1500, u'k');
    QTest::newRow("long keys") << QJsonValue(QJsonArray{QJsonObject{
        {longKey, QJsonObject{{longKey, QJsonArray{1, QJsonObject{{"a", "b\nc"}}}}, {"x", "y"}}},
        {longKey + "2", "a\nb"},
        {longKey + "3", QJsonArray{QJsonArray{1, 2}}}}});
    QTest::newRow("deep nesting") << QJsonValue(QJsonArray{QJsonArray{
        QJsonArray{QJsonObject{{"a", QJsonArray{QJsonObject{{"b", QJsonArray{"c\nd\n", 1}}}}}}}}});
    QTest::newRow("manifest") << QJsonValue(
        QJsonDocument::fromJson(R"({"apiVersion":"v1","kind":"ConfigMap",
            "metadata":{"name":"cfg","annotations":{"kubectl.kubernetes.io/last-applied":"{\"a\":1}\n"}},
            "data":{"nginx.conf":"server {\n  listen 80;\n}\n","PORT":"8080","DEBUG":"true"}})")
            .object());
}

void TestYaml::roundTripsEveryValue()
{
    QFETCH(QJsonValue, value);
    const QByteArray yaml = toYaml(value);
    const auto parsed = parseYaml(yaml);
    QVERIFY2(parsed, qPrintable(parsed ? QString()
                                       : formatYamlError(parsed.error(), "yaml") + "\n" +
                                             QString::fromUtf8(yaml)));
    QVERIFY2(*parsed == value, qPrintable("\n" + QString::fromUtf8(yaml) + "read back as " +
                                          QString::fromUtf8(describe(*parsed))));
}

QTEST_APPLESS_MAIN(TestYaml)
#include "tst_yaml.moc"
