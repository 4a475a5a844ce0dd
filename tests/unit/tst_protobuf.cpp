#include "apiserver/protobuf.h"
#include "core/schema.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <optional>

using namespace timonel;
using namespace Qt::StringLiterals;

namespace {

// A protobuf writer for hand-made bodies: v() a varint field, b() a length-delimited one.
QByteArray varint(quint64 value)
{
    QByteArray out;
    do {
        out += char((value & 0x7f) | (value > 0x7f ? 0x80 : 0));
        value >>= 7;
    } while (value);
    return out;
}

QByteArray key(int field, int wire)
{
    return varint(quint64(field) << 3 | quint64(wire));
}

QByteArray v(int field, quint64 value)
{
    return key(field, 0) + varint(value);
}

QByteArray b(int field, const QByteArray &data)
{
    return key(field, 2) + varint(quint64(data.size())) + data;
}

QByteArray f64(int field, double value)
{
    quint64 bits;
    std::memcpy(&bits, &value, sizeof bits);
    QByteArray out = key(field, 1);
    for (int i = 0; i < 8; ++i)
        out += char(bits >> (8 * i) & 0xff);
    return out;
}

// k8s\0 + runtime.Unknown, as kubectl writes it.
QByteArray envelope(const QByteArray &apiVersion, const QByteArray &kind, const QByteArray &raw)
{
    return QByteArray("k8s\0", 4) + b(1, b(1, apiVersion) + b(2, kind)) + b(2, raw) + b(3, {}) +
           b(4, {});
}

QByteArray widget(const QByteArray &raw)
{
    return envelope("example.io/v1", "Widget", raw);
}

QByteArray spec(const QByteArray &fields)
{
    return b(2, fields);
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// Rules are tested against a schema of our own, so that they do not depend on the built-in kinds.
constexpr char testSchema[] = R"(package: io.example.v1
group: example.io
version: v1
types:
  Widget:
    metadata: Meta @1
    spec: WidgetSpec @2
  Meta:
    name: string @1
    creationTimestamp: time @8
    labels: map<string> @11
  WidgetSpec:
    text: string @1
    small: int32 @2
    big: int64 @3
    enabled: boolean @4
    ratio: number @5
    blob: bytes @6
    started: time @7
    observed: microtime @8
    size: quantity @9
    port: intorstring @10
    config: object @11
    value: any @12
    tags: list<string> @13
    numbers: list<int32> @14
    limits: map<quantity> @15
    extra: map<list<string>> @16
    parts: list<Part> @17
    replicas: int32 @18 default=1 min=0
    threshold: int32 @19 default=3 min=1
    name: string @20 required
    count: int32 @21 required
    unnumbered: string
    files: map<bytes> @22
    child: WidgetSpec @23
  Part:
    key: string @1
    active: boolean @2
resources:
  Widget:
    plural: widgets
)";

} // namespace

class TstProtobuf : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::optional<core::SchemaRegistry> m_schemas;

    QString dataDir() const
    {
        const QString source = qEnvironmentVariable("TIMONEL_SOURCE_DIR");
        return source.isEmpty() ? QString() : source + u"/tests/unit/data/protobuf"_s;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QFile file(m_dir.filePath(u"example.yaml"_s));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(testSchema);
        file.close();
        auto loaded = core::SchemaRegistry::load({file.fileName()});
        QVERIFY2(loaded, qPrintable(loaded.error()));
        m_schemas = std::move(*loaded);
    }

    void decodesWhatKubectlCreateSends_data()
    {
        QTest::addColumn<QString>("path");
        const QString dir = dataDir();
        if (dir.isEmpty()) {
            QTest::newRow("TIMONEL_SOURCE_DIR unset") << QString();
            return;
        }
        const QStringList bodies = QDir(dir).entryList({u"*.pb"_s}, QDir::Files, QDir::Name);
        for (const QString &name : bodies)
            QTest::newRow(qPrintable(name.chopped(3))) << dir + u'/' + name.chopped(3);
        // Every generator is covered: a lost file fails here rather than going untested.
        if (bodies.size() < 27)
            QTest::newRow("captured bodies missing") << QString();
    }

    void decodesWhatKubectlCreateSends()
    {
        QFETCH(QString, path);
        QVERIFY2(!path.isEmpty(),
                 "set TIMONEL_SOURCE_DIR to the source tree; 27 captures expected");
        QFile body(path + u".pb"_s);
        QFile json(path + u".json"_s);
        QVERIFY(body.open(QIODevice::ReadOnly));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonObject expected = QJsonDocument::fromJson(json.readAll()).object();
        QVERIFY(!expected.isEmpty());
        const auto decoded =
            apiserver::decodeProtobufObject(body.readAll(), core::SchemaRegistry::builtIn());
        QVERIFY2(decoded, qPrintable(decoded ? QString() : decoded.error()));
        QCOMPARE(compact(*decoded), compact(expected));
    }

    void decodesFieldsByTheirSchemaType_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<QByteArray>("json"); // the object without apiVersion and kind

        QTest::newRow("string and integers")
            << spec(b(1, "hi") + v(2, quint64(-5)) + v(3, 1ull << 40))
            << R"({"spec":{"text":"hi","small":-5,"big":1099511627776}})"_ba;
        QTest::newRow("int32 keeps the low 32 bits")
            << spec(v(2, 0x100000007ull)) << R"({"spec":{"small":7}})"_ba;
        QTest::newRow("negative int64") << spec(v(3, quint64(-3))) << R"({"spec":{"big":-3}})"_ba;
        QTest::newRow("boolean and double")
            << spec(v(4, 1) + f64(5, 1.5)) << R"({"spec":{"enabled":true,"ratio":1.5}})"_ba;
        QTest::newRow("bytes are base64")
            << spec(b(6, "\x00\x01\xff"_ba)) << R"({"spec":{"blob":"AAH/"}})"_ba;
        QTest::newRow("zero scalars are omitted")
            << spec(b(1, {}) + v(2, 0) + v(3, 0) + v(4, 0) + f64(5, 0) + b(6, {}))
            << R"({"spec":{}})"_ba;
        QTest::newRow("required zeros are kept")
            << spec(b(20, {}) + v(21, 0)) << R"({"spec":{"name":"","count":0}})"_ba;
        QTest::newRow("a zero replacing a default is kept")
            << spec(v(18, 0)) << R"({"spec":{"replicas":0}})"_ba;
        QTest::newRow("a zero below the minimum is unset") << spec(v(19, 0)) << R"({"spec":{}})"_ba;
        QTest::newRow("a later value replaces an earlier one")
            << spec(b(1, "a") + b(1, "b") + v(2, 4) + v(2, 0)) << R"({"spec":{"text":"b"}})"_ba;
        QTest::newRow("empty messages are empty objects")
            << spec({}) + b(1, {}) << R"({"metadata":{},"spec":{}})"_ba;
        QTest::newRow("a message seen twice merges")
            << spec(b(1, "a") + v(2, 1)) + spec(v(2, 3) + b(13, "x")) + spec(b(13, "y"))
            << R"({"spec":{"text":"a","small":3,"tags":["x","y"]}})"_ba;
        QTest::newRow("time has whole seconds")
            << spec(b(7, v(1, 1704164645) + v(2, 999)))
            << R"({"spec":{"started":"2024-01-02T03:04:05Z"}})"_ba;
        QTest::newRow("zero time is null")
            << b(1, b(1, "w") + b(8, {}))
            << R"({"metadata":{"name":"w","creationTimestamp":null}})"_ba;
        QTest::newRow("epoch time is not zero")
            << spec(b(7, v(1, 0))) << R"({"spec":{"started":"1970-01-01T00:00:00Z"}})"_ba;
        QTest::newRow("time before the epoch")
            << spec(b(7, v(1, quint64(-86400))))
            << R"({"spec":{"started":"1969-12-31T00:00:00Z"}})"_ba;
        QTest::newRow("microtime has microseconds")
            << spec(b(8, v(1, 1704164645) + v(2, 123456789)))
            << R"({"spec":{"observed":"2024-01-02T03:04:05.123456Z"}})"_ba;
        QTest::newRow("microtime carries surplus nanoseconds")
            << spec(b(8, v(1, 1704164645) + v(2, 1500000000)))
            << R"({"spec":{"observed":"2024-01-02T03:04:06.500000Z"}})"_ba;
        QTest::newRow("quantity") << spec(b(9, b(1, "500m"))) << R"({"spec":{"size":"500m"}})"_ba;
        QTest::newRow("zero quantity") << spec(b(9, {})) << R"({"spec":{"size":"0"}})"_ba;
        QTest::newRow("int or string as int")
            << spec(b(10, v(1, 0) + v(2, 8080))) << R"({"spec":{"port":8080}})"_ba;
        QTest::newRow("int or string as string")
            << spec(b(10, v(1, 1) + b(3, "http"))) << R"({"spec":{"port":"http"}})"_ba;
        QTest::newRow("unset int or string is 0") << spec(b(10, {})) << R"({"spec":{"port":0}})"_ba;
        QTest::newRow("free-form JSON")
            << spec(b(11, b(1, R"({"a":[1,{"b":null}]})")) + b(12, b(1, R"("x")")))
            << R"({"spec":{"config":{"a":[1,{"b":null}]},"value":"x"}})"_ba;
        QTest::newRow("no raw JSON is null") << spec(b(12, {})) << R"({"spec":{"value":null}})"_ba;
        QTest::newRow("repeated strings keep empty ones")
            << spec(b(13, "a") + b(13, {}) + b(13, "a")) << R"({"spec":{"tags":["a","","a"]}})"_ba;
        QTest::newRow("repeated integers packed and not")
            << spec(v(14, 1) + b(14, varint(2) + varint(300) + varint(quint64(-1))) + v(14, 0))
            << R"({"spec":{"numbers":[1,2,300,-1,0]}})"_ba;
        QTest::newRow("repeated messages")
            << spec(b(17, b(1, "a") + v(2, 1)) + b(17, {}) + b(17, b(1, "c")))
            << R"({"spec":{"parts":[{"key":"a","active":true},{},{"key":"c"}]}})"_ba;
        QTest::newRow("map entries")
            << b(1, b(11, b(1, "app") + b(2, "web")) + b(11, b(1, "tier") + b(2, {})))
            << R"({"metadata":{"labels":{"app":"web","tier":""}}})"_ba;
        QTest::newRow("a later map entry replaces an earlier one")
            << b(1, b(11, b(1, "k") + b(2, "1")) + b(11, b(1, "k") + b(2, "2")))
            << R"({"metadata":{"labels":{"k":"2"}}})"_ba;
        QTest::newRow("map of quantities, value missing")
            << spec(b(15, b(1, "cpu") + b(2, b(1, "1"))) + b(15, b(1, "memory")))
            << R"({"spec":{"limits":{"cpu":"1","memory":"0"}}})"_ba;
        QTest::newRow("map of bytes")
            << spec(b(22, b(1, "k") + b(2, "\xff"_ba)) + b(22, b(1, "e") + b(2, {})))
            << R"({"spec":{"files":{"e":"","k":"/w=="}}})"_ba;
        QTest::newRow("map of lists wraps each list in a message")
            << spec(b(16, b(1, "groups") + b(2, b(1, "a") + b(1, "b"))))
            << R"({"spec":{"extra":{"groups":["a","b"]}}})"_ba;
        QTest::newRow("unknown fields of every wire type are skipped")
            << spec(v(99, 5) + b(98, "zz") + key(97, 5) + "abcd" + key(96, 1) + "abcdefgh" +
                    key(95, 3) + v(1, 1) + b(2, "x") + key(95, 4) + b(1, "ok")) +
                   v(40, 1)
            << R"({"spec":{"text":"ok"}})"_ba;
        QTest::newRow("nested messages") << spec(b(23, b(23, b(1, "deep"))))
                                         << R"({"spec":{"child":{"child":{"text":"deep"}}}})"_ba;
    }

    void decodesFieldsByTheirSchemaType()
    {
        QFETCH(QByteArray, raw);
        QFETCH(QByteArray, json);
        QJsonObject expected = QJsonDocument::fromJson(json).object();
        QVERIFY(!expected.isEmpty());
        expected.insert(u"apiVersion", u"example.io/v1"_s);
        expected.insert(u"kind", u"Widget"_s);
        const auto decoded = apiserver::decodeProtobufObject(widget(raw), *m_schemas);
        QVERIFY2(decoded, qPrintable(decoded ? QString() : decoded.error()));
        QCOMPARE(compact(*decoded), compact(expected));
    }

    void rejectsMalformedBodies_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("error");

        const QByteArray deep = [] {
            QByteArray nested = b(1, "bottom");
            for (int i = 0; i < 150; ++i)
                nested = b(23, nested);
            return spec(nested);
        }();

        QTest::newRow("empty") << QByteArray() << u"empty data"_s;
        QTest::newRow("JSON")
            << R"({"kind":"Widget"})"_ba
            << u"provided data does not appear to be a protobuf message, expected "
               "prefix [107 56 115 0]"_s;
        QTest::newRow("prefix only") << QByteArray("k8s\0", 4) << u"empty body"_s;
        QTest::newRow("truncated envelope")
            << widget(spec(b(1, "abc"))).chopped(6) << u"unexpected EOF"_s;
        QTest::newRow("truncated object")
            << envelope("example.io/v1", "Widget", spec(b(1, "abc")).chopped(1))
            << u"unexpected EOF"_s;
        QTest::newRow("truncated varint") << widget(spec("\x10"_ba)) << u"unexpected EOF"_s;
        QTest::newRow("no kind")
            << envelope("example.io/v1", {}, {})
            << uR"(Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:"example.io/v1", Kind:""}')"_s;
        QTest::newRow("no version")
            << envelope("a/b/c", "Widget", {})
            << uR"(Object 'apiVersion' is missing in 'runtime.TypeMeta{APIVersion:"a/b/c", Kind:"Widget"}')"_s;
        QTest::newRow("unknown kind")
            << envelope("example.io/v1", "Gadget", {})
            << uR"(no kind "Gadget" is registered for version "example.io/v1" in scheme "pkg/api/legacyscheme/scheme.go:30")"_s;
        QTest::newRow("unknown version")
            << envelope("example.io/v2", "Widget", {})
            << uR"(no kind "Widget" is registered for version "example.io/v2" in scheme "pkg/api/legacyscheme/scheme.go:30")"_s;
        QTest::newRow("message field as varint")
            << widget(v(2, 1)) << u"proto: wrong wireType = 0 for field Spec"_s;
        QTest::newRow("string field as varint")
            << widget(spec(v(1, 1))) << u"proto: wrong wireType = 0 for field Text"_s;
        QTest::newRow("integer field as bytes")
            << widget(spec(b(2, "x"))) << u"proto: wrong wireType = 2 for field Small"_s;
        QTest::newRow("map field as varint")
            << widget(spec(v(15, 1))) << u"proto: wrong wireType = 0 for field Limits"_s;
        QTest::newRow("field number 0")
            << widget(spec(b(0, "x"))) << u"proto: WidgetSpec: illegal tag 0 (wire type 2)"_s;
        QTest::newRow("end of a group never started")
            << widget(spec(key(9, 4))) << u"proto: WidgetSpec: wiretype end group for non-group"_s;
        QTest::newRow("wire type 7") << widget(spec(key(99, 7))) << u"proto: illegal wireType 7"_s;
        QTest::newRow("varint longer than 64 bits")
            << widget(spec(key(2, 0) + QByteArray(10, '\xff') + '\x01'))
            << u"proto: integer overflow"_s;
        QTest::newRow("length with the top bit set")
            << widget(spec(key(1, 2) + varint(1ull << 63)))
            << u"proto: negative length found during unmarshaling"_s;
        QTest::newRow("length past the end")
            << widget(spec(key(1, 2) + varint(1000) + "abc")) << u"unexpected EOF"_s;
        QTest::newRow("unterminated group")
            << widget(spec(key(95, 3) + v(1, 1))) << u"unexpected EOF"_s;
        QTest::newRow("nested too deeply")
            << widget(deep) << u"proto: exceeded maximum nesting depth of 100"_s;
        QTest::newRow("int or string of a third type")
            << widget(spec(b(10, v(1, 2)))) << u"impossible IntOrString.Type"_s;
        QTest::newRow("raw extension that is not JSON")
            << widget(spec(b(11, b(1, "{nope"))))
            << u"json: error calling MarshalJSON for type *runtime.RawExtension: unterminated object"_s;
        QTest::newRow("raw extension with two values")
            << widget(spec(b(11, b(1, "1],[2"))))
            << u"json: error calling MarshalJSON for type *runtime.RawExtension: garbage at the end of the document"_s;
        QTest::newRow("time after year 9999")
            << widget(spec(b(7, v(1, 253402300800ull))))
            << u"Time.MarshalJSON: year outside of range [0,9999]"_s;
        QTest::newRow("double that is not a number")
            << widget(spec(f64(5, std::numeric_limits<double>::quiet_NaN())))
            << u"json: unsupported value: NaN"_s;
    }

    void rejectsMalformedBodies()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, error);
        const auto decoded = apiserver::decodeProtobufObject(body, *m_schemas);
        QVERIFY2(!decoded, qPrintable(decoded ? compact(*decoded) : QString()));
        QCOMPARE(decoded.error(), error);
    }

    // Fuzzing: every truncation and many random corruptions of real and hand-made bodies give
    // a value or a one-line error, never a crash (run under ASan/UBSan to make this stricter).
    void survivesCorruptedBodies_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("builtIn");
        QTest::newRow("hand-made")
            << widget(b(1, b(1, "w") + b(8, v(1, 5)) + b(11, b(1, "a") + b(2, "b"))) +
                      spec(b(1, "x") + v(2, 3) + f64(5, 2.5) + b(7, v(1, 9)) + b(8, v(2, 7)) +
                           b(9, b(1, "1")) + b(10, v(1, 1) + b(3, "p")) + b(11, b(1, "{}")) +
                           b(12, b(1, "[1]")) + b(13, "t") + b(14, varint(1) + varint(2)) +
                           b(15, b(1, "c") + b(2, b(1, "2"))) + b(16, b(1, "g") + b(2, b(1, "h"))) +
                           b(17, b(1, "k") + v(2, 1)) + b(22, b(1, "f") + b(2, "\x01"_ba)) +
                           b(23, b(1, "child"))))
            << false;
        const QString dir = dataDir();
        if (dir.isEmpty())
            return;
        for (const QString &name : QDir(dir).entryList({u"*.pb"_s}, QDir::Files, QDir::Name)) {
            QFile file(dir + u'/' + name);
            if (file.open(QIODevice::ReadOnly))
                QTest::newRow(qPrintable(name.chopped(3))) << file.readAll() << true;
        }
    }

    void survivesCorruptedBodies()
    {
        QFETCH(QByteArray, body);
        QFETCH(bool, builtIn);
        const core::SchemaRegistry &schemas =
            builtIn ? core::SchemaRegistry::builtIn() : *m_schemas;
        const auto check = [&](const QByteArray &input) {
            const auto decoded = apiserver::decodeProtobufObject(input, schemas);
            if (!decoded)
                QVERIFY2(!decoded.error().isEmpty() && !decoded.error().contains(u'\n'),
                         qPrintable(decoded.error()));
        };
        QVERIFY(apiserver::decodeProtobufObject(body, schemas).has_value());
        for (qsizetype n = 0; n < body.size(); ++n) {
            check(body.first(n));
            if (QTest::currentTestFailed())
                return;
        }
        // Corrupting the object (past the envelope's header) reaches the schema-driven decoder.
        QRandomGenerator random(qHash(body));
        for (int round = 0; round < 3000; ++round) {
            QByteArray mutated = body;
            const int changes = 1 + int(random.bounded(4));
            for (int i = 0; i < changes; ++i) {
                const qsizetype at = 4 + random.bounded(mutated.size() - 4);
                mutated[at] = char(random.bounded(3) == 0 ? random.bounded(256)
                                                          : mutated[at] ^ (1 << random.bounded(8)));
            }
            check(mutated);
            if (QTest::currentTestFailed())
                return;
        }
        for (int round = 0; round < 500; ++round) {
            QByteArray noise("k8s\0", 4);
            for (int i = int(random.bounded(64)); i > 0; --i)
                noise += char(random.bounded(256));
            check(noise);
        }
    }
};

QTEST_GUILESS_MAIN(TstProtobuf)
#include "tst_protobuf.moc"
