#include "core/schema.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace timonel::core;
using namespace Qt::StringLiterals;

class TstSchema : public QObject
{
    Q_OBJECT

    QString write(const QTemporaryDir &dir, const QString &name, const QByteArray &text)
    {
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(text);
        return f.fileName();
    }

private Q_SLOTS:
    void fieldLinesCarryTypesFlagsAndDescriptions()
    {
        QTemporaryDir dir;
        const QString file = write(dir, u"t.yaml"_s, R"(package: io.example.v1
group: example.io
version: v1
types:
  Widget:
    _: A thing.
    metadata: ObjectMeta @1
    spec: WidgetSpec @2 | What the widget should be.
  WidgetSpec:
    _flags: atomic
    size: int32 @1 default=3 min=1 max=10 | How big.
    mode: string @2 enum=Fast,Slow default=Fast | How fast.
    parts: list<Part> @3 merge=name map=name | The parts.
    tags: list<string> @4 set | Tags.
    labels: map<string> @5 | Labels.
    limits: map<quantity> @6 | Limits.
    name: string @7 required format=dns-label | Its name.
  Part:
    name: string @1 required | Part name.
  ObjectMeta:
    name: string @1 | Name.
resources:
  Widget:
    plural: widgets
    short: wd wg
    categories: all
    scope: Cluster
    subresources: status scale
    fieldSelectors: spec.mode
    columns:
      - Name | name
      - Size type=integer | .spec.size
      - Mode Of Operation wide | widgetMode
)"_ba);
        auto loaded = SchemaRegistry::load({file});
        QVERIFY2(loaded.has_value(), qPrintable(loaded ? QString() : loaded.error()));
        const ResourceInfo *r = loaded->resource(u"example.io", u"v1", u"widgets");
        QVERIFY(r);
        QCOMPARE(r->kind, u"Widget"_s);
        QCOMPARE(r->singular, u"widget"_s);
        QCOMPARE(r->shortNames, QStringList({u"wd"_s, u"wg"_s}));
        QVERIFY(!r->namespaced);
        QCOMPARE(r->apiVersion(), u"example.io/v1"_s);
        QCOMPARE(r->groupResource(), u"widgets.example.io"_s);
        QCOMPARE(r->verbs.size(), 8);
        QCOMPARE(r->columns.size(), 3);
        QCOMPARE(r->columns[0].format, u"name"_s);
        QCOMPARE(r->columns[1].type, u"integer"_s);
        QCOMPARE(r->columns[2].name, u"Mode Of Operation"_s);
        QCOMPARE(r->columns[2].priority, 1);
        QCOMPARE(r->columns[2].expression, u"widgetMode"_s);
        QCOMPARE(loaded->resourceForKind(u"example.io", u"v1", u"Widget"), r);

        const SchemaType *spec = r->schema->field(u"spec")->type;
        QCOMPARE(spec->name, u"io.example.v1.WidgetSpec"_s);
        QVERIFY(spec->atomic);
        const SchemaField *size = spec->field(u"size");
        QCOMPARE(size->type->kind, SchemaType::Kind::Integer);
        QCOMPARE(size->type->format, u"int32"_s);
        QCOMPARE(size->defaultValue, QJsonValue(3));
        QCOMPARE(size->minimum, 1.0);
        QCOMPARE(size->maximum, 10.0);
        QCOMPARE(size->description, u"How big."_s);
        QCOMPARE(spec->field(u"mode")->enumValues, QStringList({u"Fast"_s, u"Slow"_s}));
        QCOMPARE(spec->field(u"mode")->defaultValue, QJsonValue(u"Fast"_s));
        const SchemaField *parts = spec->field(u"parts");
        QCOMPARE(parts->type->kind, SchemaType::Kind::List);
        QCOMPARE(parts->type->element->name, u"io.example.v1.Part"_s);
        QCOMPARE(parts->patchStrategy, u"merge"_s);
        QCOMPARE(parts->patchMergeKey, u"name"_s);
        QCOMPARE(parts->listType, u"map"_s);
        QCOMPARE(parts->listMapKeys, QStringList{u"name"_s});
        QCOMPARE(parts->protoNumber, 3);
        QCOMPARE(spec->field(u"tags")->listType, u"set"_s);
        QCOMPARE(spec->field(u"limits")->type->element->kind, SchemaType::Kind::Quantity);
        QVERIFY(spec->field(u"name")->required);
        QCOMPARE(spec->field(u"name")->format, u"dns-label"_s);
        QVERIFY(!spec->field(u"missing"));
    }

    void badFilesFailWithTheirReason_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("error");
        const QByteArray head = "package: p.v1\ngroup: g\nversion: v1\n";
        QTest::newRow("unknown type") << head + "types:\n  A:\n    x: Nope @1\n"
                                      << u"t.yaml: A: field x: unknown type Nope"_s;
        QTest::newRow("bad flag") << head + "types:\n  A:\n    x: string @1 shiny\n"
                                  << u"t.yaml: A: field x: bad flag shiny"_s;
        QTest::newRow("bad scope") << head + "types:\n  A:\n    x: string\nresources:\n  A:\n    "
                                             "plural: as\n    scope: Galaxy\n"
                                   << u"t.yaml: resource A: bad scope Galaxy"_s;
        QTest::newRow("resource without type")
            << head + "types:\n  A:\n    x: string\nresources:\n  B:\n    plural: bs\n"
            << u"resource B has no type p.v1.B"_s;
        QTest::newRow("no package") << QByteArray("types: {}\n") << u"t.yaml: no package"_s;
    }

    void badFilesFailWithTheirReason()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, error);
        QTemporaryDir dir;
        auto loaded = SchemaRegistry::load({write(dir, u"t.yaml"_s, text)});
        QVERIFY(!loaded.has_value());
        QCOMPARE(loaded.error(), error);
    }

    void builtInSchemaDescribesEveryField()
    {
        const SchemaRegistry &registry = SchemaRegistry::builtIn();
        QStringList missing;
        for (const SchemaType *t : registry.namedTypes()) {
            if (t->description.isEmpty())
                missing.append(t->name);
            for (const SchemaField &f : t->fields) {
                if (f.description.isEmpty())
                    missing.append(t->name + u'.' + f.name + u" (description)"_s);
            }
        }
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(u'\n')));
    }
};

QTEST_GUILESS_MAIN(TstSchema)
#include "tst_schema.moc"
