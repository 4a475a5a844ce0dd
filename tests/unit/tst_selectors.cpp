#include "core/fieldselector.h"
#include "core/labelselector.h"

#include <QJsonDocument>
#include <QTest>

using namespace timonel::core;

namespace {

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(text).object();
}

const QString labelValueRule = QStringLiteral(
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
const QString namePartRule = QStringLiteral(
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
    "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");

} // namespace

class TestSelectors : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void labelSelectorsPrintCanonically_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("canonical");

        QTest::newRow("equalities") << "x=a,y=b,z=c"
                                    << "x=a,y=b,z=c";
        QTest::newRow("empty") << ""
                               << "";
        QTest::newRow("blank") << "  "
                               << "";
        QTest::newRow("not equals") << "x!=a,y=b"
                                    << "x!=a,y=b";
        QTest::newRow("empty value") << "x="
                                     << "x=";
        QTest::newRow("empty value then space") << "x= "
                                                << "x=";
        QTest::newRow("empty values") << "x= ,z= "
                                      << "x=,z=";
        QTest::newRow("does not exist") << "!x"
                                        << "!x";
        QTest::newRow("exists") << "x"
                                << "x";
        QTest::newRow("greater than") << "x>1"
                                      << "x>1";
        QTest::newRow("greater and less") << "x>1,z<5"
                                          << "x>1,z<5";
        QTest::newRow("sorted by key") << "x=a,a=x"
                                       << "a=x,x=a";
        QTest::newRow("double equals") << "x==a"
                                       << "x=a";
        QTest::newRow("sets with empty values") << "x in (foo,,baz),y,z notin ()"
                                                << "x in (,baz,foo),y,z notin ()";
        QTest::newRow("whitespace everywhere") << "  app = web  ,\ttier in ( b , a , b )  "
                                               << "app=web,tier in (a,b)";
        QTest::newRow("keywords as key and value") << "notin=in"
                                                   << "notin=in";
        QTest::newRow("keyword in a set") << "x in (in,notin)"
                                          << "x in (in,notin)";
        QTest::newRow("prefixed key") << "app.kubernetes.io/name=web"
                                      << "app.kubernetes.io/name=web";
        QTest::newRow("trailing comma in set") << "x in (a,)"
                                               << "x in (,a)";
    }
    void labelSelectorsPrintCanonically()
    {
        QFETCH(QString, text);
        QFETCH(QString, canonical);
        const auto selector = LabelSelector::parse(text);
        QVERIFY2(selector.has_value(), qPrintable(selector ? QString() : selector.error()));
        QCOMPARE(selector->toString(), canonical);
        QCOMPARE(selector->isEmpty(), canonical.isEmpty());
    }

    void badLabelSelectorsGetKubernetesErrors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("error");

        QTest::newRow("bad value") << "x=a||y=b"
                                   << "unable to parse requirement: values[0][x]: Invalid value: "
                                      "\"a||y\": " +
                                          labelValueRule;
        QTest::newRow("two operators") << "x==a==b"
                                       << "found '==', expected: ',' or 'end of string'";
        QTest::newRow("value for does not exist") << "!x=a"
                                                  << "found '=', expected: ',' or 'end of string'";
        QTest::newRow("less than a word")
            << "x<a"
            << "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' "
               "operators, the value must be an integer";
        QTest::newRow("several errors aggregated")
            << "x<a-"
            << "unable to parse requirement: [values[0]: Invalid value: \"a-\": for 'Gt', 'Lt' "
               "operators, the value must be an integer, values[0][x]: Invalid value: \"a-\": " +
                   labelValueRule + "]";
        QTest::newRow("missing operator")
            << "x y"
            << "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt";
        QTest::newRow("bad key") << "-x=1"
                                 << "unable to parse requirement: <nil>: Invalid value: \"-x\": " +
                                        namePartRule;
        QTest::newRow("key with two slashes")
            << "a/b/c"
            << "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name "
               "must consist of alphanumeric characters, '-', '_' or '.', and must start and "
               "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
               "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?"
               "[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. "
               "'example.com/MyName')";
        QTest::newRow("set without parenthesis")
            << "x in a"
            << "unable to parse requirement: found 'a' expected: '('";
        QTest::newRow("set without comma")
            << "x in (a b)"
            << "unable to parse requirement: found 'b', expected: ',' or ')'";
        QTest::newRow("double comma before close (1.32)")
            << "x in (a,,)"
            << "unable to parse requirement: found ')', expected: ',', or identifier";
        QTest::newRow("operator in set")
            << "x in (=)"
            << "unable to parse requirement: found '=', expected: ',', ')' or identifier";
        QTest::newRow("parenthesis as value")
            << "x=("
            << "unable to parse requirement: found '(', expected: identifier";
        QTest::newRow("leading comma") << ",x"
                                       << "found ',', expected: !, identifier, or 'end of string'";
        QTest::newRow("trailing comma") << "x,"
                                        << "found '', expected: identifier after ','";
        QTest::newRow("lone bang") << "!"
                                   << "unable to parse requirement: found '', expected: "
                                      "identifier";
    }
    void badLabelSelectorsGetKubernetesErrors()
    {
        QFETCH(QString, text);
        QFETCH(QString, error);
        const auto selector = LabelSelector::parse(text);
        QVERIFY(!selector.has_value());
        QCOMPARE(selector.error(), error);
    }

    void labelSelectorsMatchLabels_data()
    {
        QTest::addColumn<QString>("selector");
        QTest::addColumn<QByteArray>("labels");
        QTest::addColumn<bool>("matches");

        QTest::newRow("empty matches all") << "" << QByteArray(R"({"x":"y"})") << true;
        QTest::newRow("equal") << "x=y" << QByteArray(R"({"x":"y"})") << true;
        QTest::newRow("both equal") << "x=y,z=w" << QByteArray(R"({"x":"y","z":"w"})") << true;
        QTest::newRow("both differ") << "x!=y,z!=w" << QByteArray(R"({"x":"z","z":"a"})") << true;
        QTest::newRow("keywords") << "notin=in" << QByteArray(R"({"notin":"in"})") << true;
        QTest::newRow("exists") << "x" << QByteArray(R"({"x":"z"})") << true;
        QTest::newRow("does not exist") << "!x" << QByteArray(R"({"y":"z"})") << true;
        QTest::newRow("greater") << "x>1" << QByteArray(R"({"x":"2"})") << true;
        QTest::newRow("less") << "x<1" << QByteArray(R"({"x":"0"})") << true;
        QTest::newRow("in") << "x in (a,b)" << QByteArray(R"({"x":"b"})") << true;
        QTest::newRow("notin without the key") << "x notin (a)" << QByteArray("{}") << true;
        QTest::newRow("not equal without the key") << "x!=a" << QByteArray("{}") << true;
        QTest::newRow("empty value set") << "x in ()" << QByteArray(R"({"x":""})") << true;

        QTest::newRow("equal missing") << "x=z" << QByteArray("{}") << false;
        QTest::newRow("equal other value") << "x=y" << QByteArray(R"({"x":"z"})") << false;
        QTest::newRow("one of two") << "x=y,z=w" << QByteArray(R"({"x":"w","z":"w"})") << false;
        QTest::newRow("not equal one")
            << "x!=y,z!=w" << QByteArray(R"({"x":"z","z":"w"})") << false;
        QTest::newRow("exists missing") << "x" << QByteArray(R"({"y":"z"})") << false;
        QTest::newRow("does not exist present") << "!x" << QByteArray(R"({"x":"z"})") << false;
        QTest::newRow("greater no") << "x>1" << QByteArray(R"({"x":"0"})") << false;
        QTest::newRow("less no") << "x<1" << QByteArray(R"({"x":"2"})") << false;
        QTest::newRow("greater not a number") << "x>1" << QByteArray(R"({"x":"abc"})") << false;
        QTest::newRow("greater missing") << "x>1" << QByteArray("{}") << false;
        QTest::newRow("notin present") << "x notin (a,b)" << QByteArray(R"({"x":"a"})") << false;
        QTest::newRow("extra requirement") << "foo=bar,foobar=bar,baz=blah"
                                           << QByteArray(R"({"foo":"bar","baz":"blah"})") << false;
    }
    void labelSelectorsMatchLabels()
    {
        QFETCH(QString, selector);
        QFETCH(QByteArray, labels);
        QFETCH(bool, matches);
        const auto parsed = LabelSelector::parse(selector);
        QVERIFY2(parsed.has_value(), qPrintable(parsed ? QString() : parsed.error()));
        QCOMPARE(parsed->matches(QJsonDocument::fromJson(labels).object()), matches);
    }

    void labelSelectorObjectsConvertAsKubernetes_data()
    {
        QTest::addColumn<QByteArray>("selector");
        QTest::addColumn<QString>("canonical"); // or the error
        QTest::addColumn<bool>("valid");

        QTest::newRow("empty object selects everything") << QByteArray("{}") << "" << true;
        QTest::newRow("labels and expressions")
            << QByteArray(R"({"matchLabels":{"tier":"web","app":"shop"},
                              "matchExpressions":[
                                {"key":"env","operator":"In","values":["prod","dev"]},
                                {"key":"canary","operator":"DoesNotExist"},
                                {"key":"zone","operator":"NotIn","values":["b"]},
                                {"key":"release","operator":"Exists"}]})")
            << "app=shop,!canary,env in (dev,prod),release,tier=web,zone notin (b)" << true;
        QTest::newRow("unknown operator")
            << QByteArray(R"({"matchExpressions":[{"key":"a","operator":"Equals"}]})")
            << "\"Equals\" is not a valid label selector operator" << false;
        QTest::newRow("in without values")
            << QByteArray(R"({"matchExpressions":[{"key":"a","operator":"In","values":[]}]})")
            << "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set "
               "can't be empty"
            << false;
        QTest::newRow("exists with values")
            << QByteArray(R"({"matchExpressions":[{"key":"a","operator":"Exists",
                                                    "values":["x","y"]}]})")
            << "values: Invalid value: []string{\"x\", \"y\"}: values set must be empty for "
               "exists and does not exist"
            << false;
        QTest::newRow("bad label value")
            << QByteArray(R"({"matchLabels":{"app":"-bad"}})")
            << "values[0][app]: Invalid value: \"-bad\": " + labelValueRule << false;
        QTest::newRow("bad value quoted as Go does")
            << QByteArray("{\"matchLabels\":{\"app\":\"a\\\"b\\t\\u00e9\"}}")
            << "values[0][app]: Invalid value: \"a\\\"b\\t\u00e9\": " + labelValueRule << false;
        QTest::newRow("bad key") << QByteArray(R"({"matchLabels":{"a b":"x"}})")
                                 << "key: Invalid value: \"a b\": " + namePartRule << false;
    }
    void labelSelectorObjectsConvertAsKubernetes()
    {
        QFETCH(QByteArray, selector);
        QFETCH(QString, canonical);
        QFETCH(bool, valid);
        const auto converted = LabelSelector::fromJson(QJsonDocument::fromJson(selector).object());
        QCOMPARE(converted.has_value(), valid);
        QCOMPARE(valid ? converted->toString() : converted.error(), canonical);
    }

    void labelSelectorObjectsMatch()
    {
        const auto selector = LabelSelector::fromJson(json(R"({"matchLabels":{"app":"web"},
                     "matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]}]})"));
        QVERIFY(selector.has_value());
        QVERIFY(selector->matches(json(R"({"app":"web","tier":"b","x":"y"})")));
        QVERIFY(!selector->matches(json(R"({"app":"web","tier":"c"})")));
        QVERIFY(!selector->matches(json(R"({"tier":"a"})")));
        QVERIFY(LabelSelector::fromJson({})->matches(json(R"({"a":"b"})")));
    }

    void nothingSelectsNothing()
    {
        const LabelSelector nothing = LabelSelector::nothing();
        QVERIFY(!nothing.matches({}));
        QVERIFY(!nothing.matches(json(R"({"a":"b"})")));
        QVERIFY(!nothing.isEmpty());
        QCOMPARE(nothing.toString(), QString());
        QVERIFY(LabelSelector::everything().matches({}));
        QVERIFY(LabelSelector::everything().isEmpty());
        QVERIFY(!FieldSelector::nothing().matches(QJsonObject()));
        QVERIFY(!FieldSelector::nothing().isEmpty());
    }

    void setSelectorsMatchEveryEntry()
    {
        const LabelSelector selector = LabelSelector::fromSet(json(R"({"b":"2","a":"1"})"));
        QCOMPARE(selector.toString(), QStringLiteral("a=1,b=2"));
        QVERIFY(selector.matches(json(R"({"a":"1","b":"2","c":"3"})")));
        QVERIFY(!selector.matches(json(R"({"a":"1"})")));
        QVERIFY(LabelSelector::fromSet({}).isEmpty());
    }

    void labelSelectorsReportExactValues_data()
    {
        QTest::addColumn<QString>("selector");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value"); // null: none
        QTest::newRow("equals") << "app=web,tier=x"
                                << "app"
                                << "web";
        QTest::newRow("double equals") << "app==web"
                                       << "app"
                                       << "web";
        QTest::newRow("in with one") << "app in (web)"
                                     << "app"
                                     << "web";
        QTest::newRow("in with two") << "app in (a,b)"
                                     << "app" << QString();
        QTest::newRow("not equals") << "app!=web"
                                    << "app" << QString();
        QTest::newRow("other key") << "tier=x"
                                   << "app" << QString();
        QTest::newRow("first requirement counts") << "app,app=web"
                                                  << "app" << QString();
    }
    void labelSelectorsReportExactValues()
    {
        QFETCH(QString, selector);
        QFETCH(QString, key);
        QFETCH(QString, value);
        const auto parsed = LabelSelector::parse(selector);
        QVERIFY(parsed.has_value());
        const auto exact = parsed->exactValue(key);
        QCOMPARE(exact.has_value(), !value.isNull());
        if (exact)
            QCOMPARE(*exact, value);
    }

    void fieldSelectorsParseAsKubernetes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("canonical"); // or the error
        QTest::addColumn<bool>("valid");

        QTest::newRow("empty") << ""
                               << "" << true;
        QTest::newRow("name") << "metadata.name=web"
                              << "metadata.name=web" << true;
        QTest::newRow("double equals") << "metadata.name==web"
                                       << "metadata.name=web" << true;
        QTest::newRow("sorted") << "b=1,a!=2"
                                << "a!=2,b=1" << true;
        QTest::newRow("empty value") << "spec.nodeName="
                                     << "spec.nodeName=" << true;
        QTest::newRow("escaped comma") << "a=x\\,y"
                                       << "a=x\\,y" << true;
        QTest::newRow("escaped equals and backslash") << "a=x\\=y\\\\z"
                                                      << "a=x\\=y\\\\z" << true;
        QTest::newRow("empty terms skipped") << "a=1,,b=2"
                                             << "a=1,b=2" << true;
        QTest::newRow("bare operator is everything") << "="
                                                     << "" << true;
        QTest::newRow("no whitespace trimming") << " a = b"
                                                << " a = b" << true;
        QTest::newRow("unescaped equals")
            << "a=b=c"
            << "invalid field selector: unescaped character in value: 61" << false;
        QTest::newRow("bad escape")
            << "a=b\\x"
            << "invalid field selector: invalid escape sequence: \\x" << false;
        QTest::newRow("trailing backslash")
            << "a=b\\"
            << "invalid field selector: invalid escape sequence: \\" << false;
        QTest::newRow("no operator")
            << "a=1,abc"
            << "invalid selector: 'a=1,abc'; can't understand 'abc'" << false;
    }
    void fieldSelectorsParseAsKubernetes()
    {
        QFETCH(QString, text);
        QFETCH(QString, canonical);
        QFETCH(bool, valid);
        const auto selector = FieldSelector::parse(text);
        QCOMPARE(selector.has_value(), valid);
        QCOMPARE(valid ? selector->toString() : selector.error(), canonical);
    }

    void fieldSelectorsMatchObjects_data()
    {
        QTest::addColumn<QString>("selector");
        QTest::addColumn<bool>("matches");
        QTest::newRow("everything") << "" << true;
        QTest::newRow("name") << "metadata.name=web" << true;
        QTest::newRow("name differs") << "metadata.name!=web" << false;
        QTest::newRow("node set") << "spec.nodeName=" << false;
        QTest::newRow("missing field is empty") << "status.phase=" << true;
        QTest::newRow("missing field differs") << "status.phase!=Running" << true;
        QTest::newRow("integer") << "spec.replicas=3" << true;
        QTest::newRow("boolean") << "spec.hostNetwork=true" << true;
        QTest::newRow("all terms") << "metadata.name=web,spec.nodeName=n2" << false;
        QTest::newRow("escaped value") << "metadata.namespace=a\\,b" << true;
    }
    void fieldSelectorsMatchObjects()
    {
        QFETCH(QString, selector);
        QFETCH(bool, matches);
        const QJsonObject object = json(R"({"metadata":{"name":"web","namespace":"a,b"},
            "spec":{"nodeName":"n1","replicas":3,"hostNetwork":true}})");
        const auto parsed = FieldSelector::parse(selector);
        QVERIFY2(parsed.has_value(), qPrintable(parsed ? QString() : parsed.error()));
        QCOMPARE(parsed->matches(object), matches);
        QCOMPARE(parsed->matches([&](QStringView field) { return fieldValue(object, field); }),
                 matches);
    }

    void fieldSelectorsReportFieldsAndExactValues()
    {
        const auto selector =
            FieldSelector::parse(u"metadata.namespace!=x,metadata.name=web,spec.nodeName=");
        QVERIFY(selector.has_value());
        QCOMPARE(selector->fields(),
                 (QStringList{"metadata.name", "metadata.namespace", "spec.nodeName"}));
        QCOMPARE(selector->exactValue(u"metadata.name").value_or("-"), QStringLiteral("web"));
        QCOMPARE(selector->exactValue(u"spec.nodeName").value_or("-"), QString());
        QVERIFY(!selector->exactValue(u"metadata.namespace"));
        QVERIFY(!selector->exactValue(u"status.phase"));
        QCOMPARE(selector->requirements().front().op, FieldRequirement::Operator::Equals);
    }

    void fieldValuesReadDottedPaths_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("value"); // null: missing
        QTest::newRow("string") << "involvedObject.uid"
                                << "u-1";
        QTest::newRow("true") << "spec.unschedulable"
                              << "true";
        QTest::newRow("false") << "spec.hostNetwork"
                               << "false";
        QTest::newRow("integer") << "count"
                                 << "42";
        QTest::newRow("negative") << "spec.priority"
                                  << "-7";
        QTest::newRow("missing") << "spec.nodeName" << QString();
        QTest::newRow("through a string") << "involvedObject.uid.x" << QString();
        QTest::newRow("object") << "spec" << QString();
        QTest::newRow("null") << "status" << QString();
    }
    void fieldValuesReadDottedPaths()
    {
        QFETCH(QString, path);
        QFETCH(QString, value);
        const QJsonObject object = json(R"({"involvedObject":{"uid":"u-1"},"count":42,
            "spec":{"unschedulable":true,"hostNetwork":false,"priority":-7},"status":null})");
        const auto actual = fieldValue(object, path);
        QCOMPARE(actual.has_value(), !value.isNull());
        if (actual)
            QCOMPARE(*actual, value);
    }
};

QTEST_GUILESS_MAIN(TestSelectors)
#include "tst_selectors.moc"
