#include "core/quantity.h"

#include <QTest>

#include <limits>

using namespace timonel::core;

namespace {

const QString formatWrong = QStringLiteral("quantities must match the regular expression "
                                           "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
const QString suffixWrong = QStringLiteral("unable to parse quantity's suffix");
const QString numericWrong = QStringLiteral("unable to parse numeric part of quantity");

Quantity q(const char *text)
{
    const auto parsed = Quantity::parse(QString::fromLatin1(text));
    if (!parsed)
        qFatal("cannot parse %s: %s", text, qPrintable(parsed.error()));
    return *parsed;
}

} // namespace

class TestQuantity : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // What the API server stores for what the user wrote (resource.Quantity.String()).
    void quantitiesCanonicaliseAsKubernetes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("canonical");

        QTest::newRow("zero") << "0"
                              << "0";
        QTest::newRow("zero nano") << "0n"
                                   << "0";
        QTest::newRow("zero binary") << "0Ki"
                                     << "0";
        QTest::newRow("negative zero") << "-0"
                                       << "0";
        QTest::newRow("one") << "1"
                             << "1";
        QTest::newRow("milli to unit") << "1000m"
                                       << "1";
        QTest::newRow("half") << "0.5"
                              << "500m";
        QTest::newRow("one and a half") << "1.5"
                                        << "1500m";
        QTest::newRow("canonical milli kept") << "1500m"
                                              << "1500m";
        QTest::newRow("thousand") << "1000"
                                  << "1k";
        QTest::newRow("mega to giga") << "1000M"
                                      << "1G";
        QTest::newRow("two decimals") << "1.44"
                                      << "1440m";
        QTest::newRow("peta fraction") << "2.5P"
                                       << "2500T";
        QTest::newRow("exa") << "12E"
                             << "12E";
        QTest::newRow("milli") << "0.001"
                               << "1m";
        QTest::newRow("micro") << "1u"
                               << "1u";
        QTest::newRow("nano to micro") << "1000n"
                                       << "1u";
        QTest::newRow("tenth of milli") << "0.1m"
                                        << "100u";
        QTest::newRow("rounds up to nano") << "3.001n"
                                           << "4n";
        QTest::newRow("tiny rounds up") << "0.0000000001"
                                        << "1n";
        QTest::newRow("long fraction rounds up") << "0.00000012354"
                                                 << "124n";

        QTest::newRow("kibi") << "1Ki"
                              << "1Ki";
        QTest::newRow("8 kibi") << "8Ki"
                                << "8Ki";
        QTest::newRow("100 mebi kept") << "100Mi"
                                       << "100Mi";
        QTest::newRow("mebi to gibi") << "1024Mi"
                                      << "1Gi";
        QTest::newRow("gibi fraction") << "1.5Gi"
                                       << "1536Mi";
        QTest::newRow("half gibi") << "0.5Gi"
                                   << "512Mi";
        QTest::newRow("half mebi") << "0.5Mi"
                                   << "512Ki";
        QTest::newRow("binary below 1Ki is decimal") << "0.5Ki"
                                                     << "512";
        QTest::newRow("binary with fraction left is decimal") << "1.1Ki"
                                                              << "1126400m";
        QTest::newRow("binary tenth of gibi") << "0.05Gi"
                                              << "53687091200m";
        QTest::newRow("binary one point zero") << "1.0Ki"
                                               << "1Ki";
        QTest::newRow("binary milli") << ".001Ki"
                                      << "1024m";
        QTest::newRow("binary micro") << ".000001Ki"
                                      << "1024u";
        QTest::newRow("binary nano") << ".000000001Ki"
                                     << "1024n";
        QTest::newRow("binary below nano rounds up") << ".000000000001Ki"
                                                     << "2n";
        QTest::newRow("binary capped at int64") << "9Ei"
                                                << "9223372036854775807";
        QTest::newRow("binary huge capped") << "9223372036854775807Ki"
                                            << "9223372036854775807";
        QTest::newRow("negative binary") << "-1Ki"
                                         << "-1Ki";
        QTest::newRow("negative binary fraction") << "-1.5Gi"
                                                  << "-1536Mi";

        QTest::newRow("exponent kept") << "1e3"
                                       << "1e3";
        QTest::newRow("exponent upper case") << "1E6"
                                             << "1E6";
        QTest::newRow("negative exponent") << "1e-3"
                                           << "1e-3";
        QTest::newRow("exponent with fraction") << "1.2e3"
                                                << "1200";
        QTest::newRow("exponent with plus") << "1.3E+6"
                                            << "1300e3";
        QTest::newRow("exponent not multiple of 3") << "1e1"
                                                    << "10";
        QTest::newRow("large exponent") << "10e100"
                                        << "100e99";
        QTest::newRow("exponent rounds up to nano") << "1.1E-9"
                                                    << "2e-9";
        QTest::newRow("exponent below nano") << "0.5e-9"
                                             << "1e-9";

        // Quirks of Kubernetes that clients can observe, kept on purpose.
        QTest::newRow("explicit plus kept") << "+1"
                                            << "+1";
        QTest::newRow("leading zero kept") << "01"
                                           << "01";
        QTest::newRow("negative kept") << "-1"
                                       << "-1";
        QTest::newRow("3n decimals kept (kubernetes#138165)") << "1.001"
                                                              << "1.001";
        QTest::newRow("3n decimals with suffix kept") << "100.035k"
                                                      << "100.035k";
        QTest::newRow("3n decimals tera kept") << "5.444T"
                                               << "5.444T";
        QTest::newRow("lone dot") << "."
                                  << "0";
        QTest::newRow("lone sign") << "-"
                                   << "0";
        QTest::newRow("suffix only") << "Ki"
                                     << "0";
        QTest::newRow("trailing dot kept") << "1."
                                           << "1.";
        QTest::newRow("trailing dot with suffix kept") << "1.G"
                                                       << "1.G";
    }
    void quantitiesCanonicaliseAsKubernetes()
    {
        QFETCH(QString, text);
        QFETCH(QString, canonical);
        const auto quantity = Quantity::parse(text);
        QVERIFY2(quantity.has_value(), qPrintable(quantity ? QString() : quantity.error()));
        QCOMPARE(quantity->toString(), canonical);
        // The canonical form reads back as the same value and prints the same.
        const auto again = Quantity::parse(canonical);
        QVERIFY(again.has_value());
        QCOMPARE(again->compare(*quantity), 0);
        QCOMPARE(again->toString(), canonical);
    }

    // 10^21 has no decimal suffix; Kubernetes then prints the mantissa alone.
    void decimalBeyondExaLosesItsSuffix()
    {
        QCOMPARE(q("1000E").toString(), QStringLiteral("1"));
        QCOMPARE(q("1000E").compare(q("1e21")), 0);
    }

    void badQuantitiesGetKubernetesErrors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("error");
        QTest::newRow("empty") << "" << formatWrong;
        QTest::newRow("two dots") << "1.1.M" << formatWrong;
        QTest::newRow("sign inside") << "1+1.0M" << formatWrong;
        QTest::newRow("unknown letter") << "0.1am" << formatWrong;
        QTest::newRow("word") << "aoeu" << formatWrong;
        QTest::newRow("leading space") << " 1" << formatWrong;
        QTest::newRow("trailing space") << "1 " << formatWrong;
        QTest::newRow("milli-i") << "0.1mi" << suffixWrong;
        QTest::newRow("bare i") << "1i" << suffixWrong;
        QTest::newRow("fraction i") << ".5i" << suffixWrong;
        QTest::newRow("exponent without digits") << "-3.01e-" << suffixWrong;
        QTest::newRow("bare e") << "1e" << suffixWrong;
        QTest::newRow("lower case ki") << "1ki" << suffixWrong;
        QTest::newRow("no digits below nano") << ".e-10" << numericWrong;
        QTest::newRow("more than 38 digits")
            << "123456789012345678901234567890123456789" << numericWrong;
    }
    void badQuantitiesGetKubernetesErrors()
    {
        QFETCH(QString, text);
        QFETCH(QString, error);
        const auto quantity = Quantity::parse(text);
        QVERIFY(!quantity.has_value());
        QCOMPARE(quantity.error(), error);
    }

    void valuesRoundUpAwayFromZero_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("value");
        QTest::addColumn<qint64>("milliValue");
        constexpr qint64 max = std::numeric_limits<qint64>::max();
        QTest::newRow("zero") << "0" << qint64(0) << qint64(0);
        QTest::newRow("milli") << "100m" << qint64(1) << qint64(100);
        QTest::newRow("one and a half") << "1.5" << qint64(2) << qint64(1500);
        QTest::newRow("nano") << "1n" << qint64(1) << qint64(1);
        QTest::newRow("negative milli") << "-100m" << qint64(-1) << qint64(-100);
        QTest::newRow("gibi") << "1Gi" << qint64(1073741824) << qint64(1073741824000);
        QTest::newRow("exponent") << "1e3" << qint64(1000) << qint64(1000000);
        QTest::newRow("large exponent saturates") << "1e30" << max << max;
        QTest::newRow("capped binary") << "9Ei" << max << max;
    }
    void valuesRoundUpAwayFromZero()
    {
        QFETCH(QString, text);
        QFETCH(qint64, value);
        QFETCH(qint64, milliValue);
        const auto quantity = Quantity::parse(text);
        QVERIFY(quantity.has_value());
        QCOMPARE(quantity->value(), value);
        QCOMPARE(quantity->milliValue(), milliValue);
    }

    void scaledValuesRoundUp()
    {
        QCOMPARE(q("1n").scaledValue(-6), qint64(1));
        QCOMPARE(q("1u").scaledValue(-9), qint64(1000));
        QCOMPARE(q("1").scaledValue(-9), qint64(1000000000));
        QCOMPARE(q("100").scaledValue(-2), qint64(10000));
        QCOMPARE(q("1500").scaledValue(3), qint64(2));
        QCOMPARE(q("1m").scaledValue(30), qint64(1)); // far below one unit still rounds up
    }

    void quantitiesCompareByValue_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<int>("result");
        QTest::newRow("zeros") << "0"
                               << "0" << 0;
        QTest::newRow("milli") << "100m"
                               << "50m" << 1;
        QTest::newRow("milli less") << "50m"
                                    << "100m" << -1;
        QTest::newRow("decimal and binary") << "10000T"
                                            << "100Gi" << 1;
        QTest::newRow("same value other format") << "1Gi"
                                                 << "1073741824" << 0;
        QTest::newRow("kibi and decimal") << "1Ki"
                                          << "1024" << 0;
        QTest::newRow("milli and unit") << "1000m"
                                        << "1" << 0;
        QTest::newRow("signs") << "-1"
                               << "1" << -1;
        QTest::newRow("negative magnitudes") << "-2"
                                             << "-1" << -1;
        QTest::newRow("far apart") << "1e100"
                                   << "1m" << 1;
        QTest::newRow("close digits") << "1.000000001"
                                      << "1" << 1;
        QTest::newRow("negative zero") << "-0"
                                       << "0" << 0;
    }
    void quantitiesCompareByValue()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(int, result);
        const auto x = Quantity::parse(a);
        const auto y = Quantity::parse(b);
        QVERIFY(x.has_value() && y.has_value());
        QCOMPARE(x->compare(*y), result);
        QCOMPARE(y->compare(*x), -result);
        QCOMPARE(*x == *y, result == 0);
        QCOMPARE(*x < *y, result < 0);
    }

    void sumsKeepFormatAndCanonicalise_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::addColumn<QString>("sum");
        QTest::addColumn<QString>("difference");
        QTest::newRow("plus zero keeps suffix") << "100m"
                                                << "0"
                                                << "100m"
                                                << "100m";
        QTest::newRow("zero takes the format") << "0"
                                               << "1Gi"
                                               << "1Gi"
                                               << "-1Gi";
        QTest::newRow("binary") << "1Gi"
                                << "512Mi"
                                << "1536Mi"
                                << "512Mi";
        QTest::newRow("milli to unit") << "100m"
                                       << "900m"
                                       << "1"
                                       << "-800m";
        QTest::newRow("binary below 1Ki") << "1Ki"
                                          << "1"
                                          << "1025"
                                          << "1023";
        QTest::newRow("across scales") << "1"
                                       << "1n"
                                       << "1000000001n"
                                       << "999999999n";
        QTest::newRow("exponent") << "1e3"
                                  << "1e3"
                                  << "2e3"
                                  << "0";
    }
    void sumsKeepFormatAndCanonicalise()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QFETCH(QString, sum);
        QFETCH(QString, difference);
        const auto x = Quantity::parse(a);
        const auto y = Quantity::parse(b);
        QVERIFY(x.has_value() && y.has_value());
        QCOMPARE((*x + *y).toString(), sum);
        QCOMPARE((*x - *y).toString(), difference);
    }

    void requestsAddUpExactly()
    {
        Quantity total;
        for (int i = 0; i < 10; ++i)
            total += q("100m");
        QCOMPARE(total.toString(), QStringLiteral("1"));
        QCOMPARE(total, q("1"));
        total -= q("1500m");
        QCOMPARE(total.toString(), QStringLiteral("-500m"));
        QCOMPARE(total.sign(), -1);
        QCOMPARE((-total).toString(), QStringLiteral("500m"));
        QVERIFY((total + q("500m")).isZero());
    }

    void quantitiesFromIntegers()
    {
        QCOMPARE(Quantity::fromValue(1024, Quantity::Format::BinarySI).toString(),
                 QStringLiteral("1Ki"));
        QCOMPARE(Quantity::fromValue(5, Quantity::Format::BinarySI).toString(),
                 QStringLiteral("5"));
        QCOMPARE(Quantity::fromValue(3000).toString(), QStringLiteral("3k"));
        QCOMPARE(Quantity::fromValue(3000, Quantity::Format::DecimalExponent).toString(),
                 QStringLiteral("3e3"));
        QCOMPARE(Quantity::fromMilliValue(1500).toString(), QStringLiteral("1500m"));
        QCOMPARE(Quantity::fromMilliValue(500, Quantity::Format::BinarySI).toString(),
                 QStringLiteral("500m"));
        QCOMPARE(Quantity::fromMilliValue(2000).value(), qint64(2));
        QCOMPARE(Quantity().toString(), QStringLiteral("0"));
    }

    void quantitiesFromJson()
    {
        QCOMPARE(Quantity::fromJson(QJsonValue(2))->toString(), QStringLiteral("2"));
        QCOMPARE(Quantity::fromJson(QJsonValue(0.5))->toString(), QStringLiteral("500m"));
        QCOMPARE(Quantity::fromJson(QJsonValue(" 1Gi "))->toString(), QStringLiteral("1Gi"));
        QVERIFY(Quantity::fromJson(QJsonValue(QJsonValue::Null))->isZero());
        QCOMPARE(Quantity::fromJson(QJsonValue(true)).error(), formatWrong);
        QCOMPARE(Quantity::fromJson(QJsonValue("1 Gi")).error(), formatWrong);
    }

    void formatsAreRemembered()
    {
        QCOMPARE(q("1Gi").format(), Quantity::Format::BinarySI);
        QCOMPARE(q("1G").format(), Quantity::Format::DecimalSI);
        QCOMPARE(q("1e9").format(), Quantity::Format::DecimalExponent);
        QCOMPARE(q(".000000000001Ki").format(), Quantity::Format::DecimalSI);
    }
};

QTEST_GUILESS_MAIN(TestQuantity)
#include "tst_quantity.moc"
