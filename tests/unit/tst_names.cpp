#include "core/names.h"

#include <QSet>
#include <QTest>

using namespace timonel::core;

namespace {

// Kubernetes' messages, written out in full as the API server returns them.
const QString dns1123Label = QStringLiteral(
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
const QString dns1123Subdomain = QStringLiteral(
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
const QString dns1035Label = QStringLiteral(
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
const QString qualifiedNamePart = QStringLiteral(
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
    "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
const QString labelValue = QStringLiteral(
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
const QString configMapKey = QStringLiteral(
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
    "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
    "'[-._a-zA-Z0-9]+')");
const QString strictEnvVarName = QStringLiteral(
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', "
    "or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or "
    "'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')");
const QString relaxedEnvVarName = QStringLiteral(
    "a valid environment variable name must consist only of printable ASCII characters other "
    "than '='");
const QString badIp =
    QStringLiteral("must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
const QString badCidr =
    QStringLiteral("must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");

QString repeated(char c, int count)
{
    return QString(count, QLatin1Char(c));
}

} // namespace

class TestNames : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void dnsNamesFollowKubernetesRules_data()
    {
        QTest::addColumn<QString>("rule");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QStringList>("errors");

        QTest::newRow("label") << "label"
                               << "my-name" << QStringList();
        QTest::newRow("label digits first") << "label"
                                            << "123-abc" << QStringList();
        QTest::newRow("label 63") << "label" << repeated('a', 63) << QStringList();
        QTest::newRow("label 64") << "label" << repeated('a', 64)
                                  << QStringList{"must be no more than 63 characters"};
        QTest::newRow("label empty") << "label"
                                     << "" << QStringList{dns1123Label};
        QTest::newRow("label upper case") << "label"
                                          << "Web" << QStringList{dns1123Label};
        QTest::newRow("label leading dash") << "label"
                                            << "-web" << QStringList{dns1123Label};
        QTest::newRow("label trailing dash") << "label"
                                             << "web-" << QStringList{dns1123Label};
        QTest::newRow("label trailing newline") << "label"
                                                << "web\n"
                                                << QStringList{dns1123Label};
        QTest::newRow("label with dots") << "label"
                                         << "web.v1" << QStringList{"must not contain dots"};
        QTest::newRow("label too long and bad")
            << "label" << repeated('A', 64)
            << QStringList{"must be no more than 63 characters", dns1123Label};

        QTest::newRow("subdomain") << "subdomain"
                                   << "example.com" << QStringList();
        QTest::newRow("subdomain 253") << "subdomain" << repeated('a', 253) << QStringList();
        QTest::newRow("subdomain 254") << "subdomain" << repeated('a', 254)
                                       << QStringList{"must be no more than 253 characters"};
        QTest::newRow("subdomain empty part") << "subdomain"
                                              << "a..b" << QStringList{dns1123Subdomain};
        QTest::newRow("subdomain underscore") << "subdomain"
                                              << "my_app" << QStringList{dns1123Subdomain};

        QTest::newRow("1035") << "1035"
                              << "my-name" << QStringList();
        QTest::newRow("1035 digit first") << "1035"
                                          << "1web" << QStringList{dns1035Label};
        QTest::newRow("1035 dots") << "1035"
                                   << "web.v1" << QStringList{dns1035Label};
    }
    void dnsNamesFollowKubernetesRules()
    {
        QFETCH(QString, rule);
        QFETCH(QString, value);
        QFETCH(QStringList, errors);
        const QStringList actual = rule == QLatin1String("label")       ? isDns1123Label(value)
                                   : rule == QLatin1String("subdomain") ? isDns1123Subdomain(value)
                                                                        : isDns1035Label(value);
        QCOMPARE(actual, errors);
    }

    void labelKeysAndValuesFollowKubernetesRules_data()
    {
        QTest::addColumn<bool>("isKey");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QStringList>("errors");

        QTest::newRow("key") << true << "app" << QStringList();
        QTest::newRow("key with prefix") << true << "app.kubernetes.io/name" << QStringList();
        QTest::newRow("key mixed case") << true << "My.Name_1" << QStringList();
        QTest::newRow("key bad name") << true << "-app" << QStringList{qualifiedNamePart};
        QTest::newRow("key empty prefix")
            << true << "/app" << QStringList{"prefix part must be non-empty"};
        QTest::newRow("key bad prefix")
            << true << "Example.com/app" << QStringList{"prefix part " + dns1123Subdomain};
        QTest::newRow("key empty name")
            << true << "example.com/"
            << QStringList{"name part must be non-empty", qualifiedNamePart};
        QTest::newRow("key long name")
            << true << repeated('a', 64)
            << QStringList{"name part must be no more than 63 characters"};
        QTest::newRow("key two slashes")
            << true << "a/b/c"
            << QStringList{
                   "a qualified name must consist of alphanumeric characters, '-', '_' or '.', "
                   "and must start and end with an alphanumeric character (e.g. 'MyName',  or "
                   "'my.name',  or '123-abc', regex used for validation is "
                   "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain "
                   "prefix and '/' (e.g. 'example.com/MyName')"};

        QTest::newRow("value") << false << "v1.2_rc-3" << QStringList();
        QTest::newRow("value empty") << false << "" << QStringList();
        QTest::newRow("value bad start") << false << "-v1" << QStringList{labelValue};
        QTest::newRow("value space") << false << "a b" << QStringList{labelValue};
        QTest::newRow("value long")
            << false << repeated('a', 64) << QStringList{"must be no more than 63 characters"};
    }
    void labelKeysAndValuesFollowKubernetesRules()
    {
        QFETCH(bool, isKey);
        QFETCH(QString, value);
        QFETCH(QStringList, errors);
        QCOMPARE(isKey ? isQualifiedName(value) : isValidLabelValue(value), errors);
    }

    void portsFollowKubernetesRules_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QStringList>("errors");
        const QString charset =
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
        const QString letter = "must contain at least one letter (a-z)";
        QTest::newRow("http") << "http" << QStringList();
        QTest::newRow("with digits") << "metrics-9090" << QStringList();
        QTest::newRow("15 characters") << repeated('a', 15) << QStringList();
        QTest::newRow("16 characters")
            << repeated('a', 16) << QStringList{"must be no more than 15 characters"};
        QTest::newRow("empty") << "" << QStringList{charset, letter};
        QTest::newRow("upper case") << "HTTP" << QStringList{charset, letter};
        QTest::newRow("digits only") << "8080" << QStringList{letter};
        QTest::newRow("double hyphen")
            << "a--b" << QStringList{"must not contain consecutive hyphens"};
        QTest::newRow("leading hyphen")
            << "-ab" << QStringList{"must not begin or end with a hyphen"};
    }
    void portsFollowKubernetesRules()
    {
        QFETCH(QString, name);
        QFETCH(QStringList, errors);
        QCOMPARE(isValidPortName(name), errors);
    }

    void portNumbersAreOneTo65535()
    {
        const QStringList range{"must be between 1 and 65535, inclusive"};
        QCOMPARE(isValidPortNum(0), range);
        QCOMPARE(isValidPortNum(1), QStringList());
        QCOMPARE(isValidPortNum(65535), QStringList());
        QCOMPARE(isValidPortNum(65536), range);
        QCOMPARE(isValidPortNum(-80), range);
    }

    void addressesParseAsKubernetes132_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("isIp");
        QTest::addColumn<bool>("valid");

        QTest::newRow("ipv4") << "10.9.8.7" << true << true;
        QTest::newRow("ipv4 leading zeros (sloppy)") << "010.09.8.7" << true << true;
        QTest::newRow("ipv4 octet too big") << "256.1.1.1" << true << false;
        QTest::newRow("ipv4 three parts") << "1.2.3" << true << false;
        QTest::newRow("ipv4 trailing dot") << "1.2.3.4." << true << false;
        QTest::newRow("empty") << "" << true << false;
        QTest::newRow("name") << "localhost" << true << false;
        QTest::newRow("ipv6") << "2001:db8::ffff" << true << true;
        QTest::newRow("ipv6 any") << "::" << true << true;
        QTest::newRow("ipv6 loopback") << "::1" << true << true;
        QTest::newRow("ipv6 full") << "1:2:3:4:5:6:7:8" << true << true;
        QTest::newRow("ipv6 too many groups") << "1:2:3:4:5:6:7:8:9" << true << false;
        QTest::newRow("ipv6 ellipsis for nothing") << "1:2:3:4:5:6:7:8::" << true << false;
        QTest::newRow("ipv6 trailing ellipsis") << "1:2:3:4:5:6:7::" << true << true;
        QTest::newRow("ipv6 two ellipses") << "1::2::3" << true << false;
        QTest::newRow("ipv6 mapped ipv4") << "::ffff:1.2.3.4" << true << true;
        QTest::newRow("ipv6 group too big") << "1ffff::" << true << false;
        QTest::newRow("ipv6 zone") << "fe80::1%eth0" << true << false;

        QTest::newRow("cidr ipv4") << "10.0.0.0/8" << false << true;
        QTest::newRow("cidr host bits set") << "10.1.2.3/8" << false << true;
        QTest::newRow("cidr prefix leading zero") << "10.0.0.0/08" << false << true;
        QTest::newRow("cidr prefix too long") << "10.0.0.0/33" << false << false;
        QTest::newRow("cidr no prefix") << "10.0.0.0" << false << false;
        QTest::newRow("cidr empty prefix") << "10.0.0.0/" << false << false;
        QTest::newRow("cidr ipv6") << "2001:db8::/64" << false << true;
        QTest::newRow("cidr ipv6 128") << "::/128" << false << true;
        QTest::newRow("cidr ipv6 too long") << "::/129" << false << false;
    }
    void addressesParseAsKubernetes132()
    {
        QFETCH(QString, text);
        QFETCH(bool, isIp);
        QFETCH(bool, valid);
        const QStringList expected = valid ? QStringList() : QStringList{isIp ? badIp : badCidr};
        QCOMPARE(isIp ? isValidIp(text) : isValidCidr(text), expected);
    }

    void environmentAndConfigKeysFollowKubernetesRules_data()
    {
        QTest::addColumn<QString>("rule");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QStringList>("errors");

        QTest::newRow("env") << "env"
                             << "MY_VAR" << QStringList();
        QTest::newRow("env digit first (relaxed)") << "env"
                                                   << "1VAR" << QStringList();
        QTest::newRow("env punctuation (relaxed)") << "env"
                                                   << "a:b c" << QStringList();
        QTest::newRow("env equals") << "env"
                                    << "A=B" << QStringList{relaxedEnvVarName};
        QTest::newRow("env tab") << "env"
                                 << "A\tB" << QStringList{relaxedEnvVarName};
        QTest::newRow("env non-ascii") << "env"
                                       << "café" << QStringList{relaxedEnvVarName};
        QTest::newRow("env empty")
            << "env"
            << "" << QStringList{"environment variable name must be non-empty"};

        QTest::newRow("strict") << "strict"
                                << "my.env-name" << QStringList();
        QTest::newRow("strict digit first") << "strict"
                                            << "1VAR" << QStringList{strictEnvVarName};
        QTest::newRow("strict dot") << "strict"
                                    << "." << QStringList{"must not be '.'"};
        QTest::newRow("strict dot dot prefix") << "strict"
                                               << "..x" << QStringList{"must not start with '..'"};

        QTest::newRow("key") << "key"
                             << "game.properties" << QStringList();
        QTest::newRow("key slash") << "key"
                                   << "a/b" << QStringList{configMapKey};
        QTest::newRow("key dot dot") << "key"
                                     << ".." << QStringList{"must not be '..'"};
        QTest::newRow("key long") << "key" << repeated('k', 254)
                                  << QStringList{"must be no more than 253 characters"};
    }
    void environmentAndConfigKeysFollowKubernetesRules()
    {
        QFETCH(QString, rule);
        QFETCH(QString, value);
        QFETCH(QStringList, errors);
        const QStringList actual = rule == QLatin1String("env")      ? isEnvVarName(value)
                                   : rule == QLatin1String("strict") ? isStrictEnvVarName(value)
                                                                     : isConfigMapKey(value);
        QCOMPARE(actual, errors);
    }

    void objectNamesFollowTheirKindsRule_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("generateName");
        QTest::addColumn<QStringList>("errors");

        QTest::newRow("pod subdomain") << "Pod"
                                       << "web.v1" << false << QStringList();
        QTest::newRow("pod upper case") << "Pod"
                                        << "Web" << false << QStringList{dns1123Subdomain};
        QTest::newRow("configmap by resource") << "configmaps"
                                               << "app.config" << false << QStringList();
        QTest::newRow("unknown kind is subdomain") << "Widget"
                                                   << "a.b" << false << QStringList();
        QTest::newRow("namespace label")
            << "Namespace"
            << "team.a" << false << QStringList{"must not contain dots"};
        QTest::newRow("statefulset label")
            << "StatefulSet"
            << "db.v1" << false << QStringList{"must not contain dots"};
        QTest::newRow("service 1035") << "Service"
                                      << "web" << false << QStringList();
        QTest::newRow("service digit first") << "services"
                                             << "1web" << false << QStringList{dns1035Label};
        QTest::newRow("cronjob 52") << "CronJob" << repeated('c', 52) << false << QStringList();
        QTest::newRow("cronjob 53") << "CronJob" << repeated('c', 53) << false
                                    << QStringList{"must be no more than 52 characters"};
        QTest::newRow("role any path segment") << "ClusterRole"
                                               << "system:controller:x" << false << QStringList();
        QTest::newRow("role slash")
            << "Role"
            << "a/b%c" << false << QStringList{"may not contain '/'", "may not contain '%'"};
        QTest::newRow("role dot dot") << "RoleBinding"
                                      << ".." << false << QStringList{"may not be '..'"};
        QTest::newRow("generateName trailing dash") << "Pod"
                                                    << "web-" << true << QStringList();
        QTest::newRow("generateName trailing dash service") << "Service"
                                                            << "web-" << true << QStringList();
        QTest::newRow("name trailing dash") << "Pod"
                                            << "web-" << false << QStringList{dns1123Subdomain};
        QTest::newRow("generateName bad start") << "Pod"
                                                << "-web-" << true << QStringList{dns1123Subdomain};
    }
    void objectNamesFollowTheirKindsRule()
    {
        QFETCH(QString, kind);
        QFETCH(QString, name);
        QFETCH(bool, generateName);
        QFETCH(QStringList, errors);
        QCOMPARE(validateObjectName(name, kind, generateName), errors);
    }

    void generatedNamesUseKubernetesAlphabet()
    {
        const QString alphabet = QStringLiteral("bcdfghjklmnpqrstvwxz2456789");
        QSet<QString> seen;
        for (int i = 0; i < 50; ++i) {
            const QString suffix = generateNameSuffix();
            QCOMPARE(suffix.size(), 5);
            for (QChar c : suffix)
                QVERIFY2(alphabet.contains(c), qPrintable(suffix));
            seen.insert(suffix);
        }
        QVERIFY(seen.size() > 45); // random, not constant
        QVERIFY(isDns1123Label(generateName(u"web-")).isEmpty());
        QVERIFY(generateName(u"web-").startsWith(QLatin1String("web-")));
    }

    void generatedNamesCutLongBasesTo58()
    {
        const QString base = repeated('x', 70);
        const QString name = generateName(base);
        QCOMPARE(name.size(), 63);
        QCOMPARE(name.first(58), base.first(58));
        QCOMPARE(generateName(u"short").size(), 10);
    }
};

QTEST_GUILESS_MAIN(TestNames)
#include "tst_names.moc"
