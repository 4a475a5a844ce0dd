#include "quantity.h"

#include <QLocale>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

namespace timonel::core {

namespace {

using Int128 = __int128;
using UInt128 = unsigned __int128;
using Format = Quantity::Format;

const QString errFormatWrong = QStringLiteral("quantities must match the regular expression "
                                              "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
const QString errNumeric = QStringLiteral("unable to parse numeric part of quantity");
const QString errSuffix = QStringLiteral("unable to parse quantity's suffix");

constexpr int maxDigits = 38; // 10^38 - 1 is the largest all-nines number an Int128 holds
constexpr int nano = -9;      // Kubernetes rounds every quantity up to whole nano units
constexpr qint64 maxInt64 = std::numeric_limits<qint64>::max();

UInt128 pow10(int n)
{
    UInt128 result = 1;
    for (int i = 0; i < n; ++i)
        result *= 10;
    return result;
}

UInt128 magnitude(Int128 value)
{
    return value < 0 ? UInt128(0) - UInt128(value) : UInt128(value);
}

std::string decimalDigits(UInt128 value)
{
    std::string digits;
    do {
        digits.insert(digits.begin(), char('0' + int(value % 10)));
        value /= 10;
    } while (value != 0);
    return digits;
}

// Moves factors of ten from the mantissa into the exponent.
void stripTrailingZeros(UInt128 &mantissa, qint64 &exponent)
{
    while (mantissa != 0 && mantissa % 10 == 0) {
        mantissa /= 10;
        ++exponent;
    }
}

// Compares a * 10^ea with b * 10^eb, both non-negative.
int compareMagnitudes(UInt128 a, qint64 ea, UInt128 b, qint64 eb)
{
    if (a == 0 || b == 0)
        return int(a != 0) - int(b != 0);
    stripTrailingZeros(a, ea);
    stripTrailingZeros(b, eb);
    std::string da = decimalDigits(a);
    std::string db = decimalDigits(b);
    const qint64 topA = qint64(da.size()) + ea;
    const qint64 topB = qint64(db.size()) + eb;
    if (topA != topB)
        return topA < topB ? -1 : 1;
    // Same order of magnitude: the digits, left-aligned, decide.
    da.resize(std::max(da.size(), db.size()), '0');
    db.resize(da.size(), '0');
    return da < db ? -1 : da > db ? 1 : 0;
}

// strconv.ParseInt(text, 10, 64)
std::optional<qint64> parseGoInt64(QStringView text)
{
    bool negative = false;
    if (!text.isEmpty() && (text[0] == u'+' || text[0] == u'-')) {
        negative = text[0] == u'-';
        text = text.mid(1);
    }
    if (text.isEmpty())
        return std::nullopt;
    const quint64 limit = negative ? quint64(1) << 63 : (quint64(1) << 63) - 1;
    quint64 value = 0;
    for (QChar c : text) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
        const quint64 digit = c.unicode() - u'0';
        if (value > (limit - digit) / 10)
            return std::nullopt;
        value = value * 10 + digit;
    }
    return negative ? qint64(0 - value) : qint64(value);
}

bool isDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

// The pieces of a quantity string, as resource.parseQuantityString splits it.
struct Pieces
{
    bool positive = true;
    QStringView value; // sign, number and fraction as written
    QStringView num;   // integer digits without leading zeros, "0" when none
    QStringView denom; // fraction digits
    QStringView suffix;
};

std::expected<Pieces, QString> splitQuantity(QStringView str)
{
    static const QString zero = QStringLiteral("0");
    Pieces pieces;
    qsizetype pos = 0;
    const qsizetype end = str.size();
    if (pos < end && (str[0] == u'-' || str[0] == u'+')) {
        pieces.positive = str[0] == u'+';
        ++pos;
    }
    while (pos < end && str[pos] == u'0')
        ++pos;
    if (pos >= end) {
        pieces.num = pieces.value = zero;
        return pieces;
    }
    qsizetype i = pos;
    while (i < end && isDigit(str[i]))
        ++i;
    pieces.num = i > pos ? str.sliced(pos, i - pos) : QStringView(zero);
    if (i >= end) {
        pieces.value = str;
        return pieces;
    }
    pos = i;
    if (str[pos] == u'.') {
        ++pos;
        i = pos;
        while (i < end && isDigit(str[i]))
            ++i;
        pieces.denom = str.sliced(pos, i - pos);
        if (i >= end) {
            pieces.value = str;
            return pieces;
        }
        pos = i;
    }
    pieces.value = str.first(pos);
    // The suffix: letters, then an optional sign and digits for an exponent.
    const qsizetype suffixStart = pos;
    while (pos < end && QStringView(u"eEinumkKMGTP").contains(str[pos]))
        ++pos;
    if (pos < end && (str[pos] == u'-' || str[pos] == u'+'))
        ++pos;
    while (pos < end && isDigit(str[pos]))
        ++pos;
    if (pos < end)
        return std::unexpected(errFormatWrong);
    pieces.suffix = str.sliced(suffixStart);
    return pieces;
}

struct Suffix
{
    int base;
    int exponent;
    Format format;
};

std::optional<Suffix> interpretSuffix(QStringView suffix)
{
    static const std::pair<QStringView, Suffix> table[] = {
        {u"", {10, 0, Format::DecimalSI}},   {u"n", {10, -9, Format::DecimalSI}},
        {u"u", {10, -6, Format::DecimalSI}}, {u"m", {10, -3, Format::DecimalSI}},
        {u"k", {10, 3, Format::DecimalSI}},  {u"M", {10, 6, Format::DecimalSI}},
        {u"G", {10, 9, Format::DecimalSI}},  {u"T", {10, 12, Format::DecimalSI}},
        {u"P", {10, 15, Format::DecimalSI}}, {u"E", {10, 18, Format::DecimalSI}},
        {u"Ki", {2, 10, Format::BinarySI}},  {u"Mi", {2, 20, Format::BinarySI}},
        {u"Gi", {2, 30, Format::BinarySI}},  {u"Ti", {2, 40, Format::BinarySI}},
        {u"Pi", {2, 50, Format::BinarySI}},  {u"Ei", {2, 60, Format::BinarySI}},
    };
    for (const auto &[text, meaning] : table) {
        if (suffix == text)
            return meaning;
    }
    if (suffix.size() > 1 && (suffix[0] == u'e' || suffix[0] == u'E')) {
        if (const auto exponent = parseGoInt64(suffix.mid(1)))
            return Suffix{10, int(*exponent), Format::DecimalExponent};
    }
    return std::nullopt;
}

QString decimalSuffix(qint64 exponent)
{
    switch (exponent) {
    case -9:
        return QStringLiteral("n");
    case -6:
        return QStringLiteral("u");
    case -3:
        return QStringLiteral("m");
    case 3:
        return QStringLiteral("k");
    case 6:
        return QStringLiteral("M");
    case 9:
        return QStringLiteral("G");
    case 12:
        return QStringLiteral("T");
    case 15:
        return QStringLiteral("P");
    case 18:
        return QStringLiteral("E");
    default:
        // Also where Kubernetes has no suffix for the exponent ("1000E"): it prints none.
        return {};
    }
}

QString binarySuffix(int power)
{
    static const char *const suffixes[] = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    return power >= 1 && power <= 6 ? QString::fromLatin1(suffixes[power - 1]) : QString();
}

} // namespace

Quantity Quantity::fromValue(qint64 value, Format format)
{
    return Quantity(value, 0, format);
}

Quantity Quantity::fromMilliValue(qint64 milliValue, Format format)
{
    return Quantity(milliValue, -3, format);
}

std::expected<Quantity, QString> Quantity::parse(QStringView text)
{
    if (text.isEmpty())
        return std::unexpected(errFormatWrong);
    const auto pieces = splitQuantity(text);
    if (!pieces)
        return std::unexpected(pieces.error());
    const auto suffix = interpretSuffix(pieces->suffix);
    if (!suffix)
        return std::unexpected(errSuffix);
    const bool positive = pieces->positive;
    const QStringView value = pieces->value;
    const QStringView num = pieces->num;
    const QStringView denom = pieces->denom;

    // Kubernetes' fast path: the number fits an int64 with at least nano precision. Only then
    // can the text itself be taken as canonical, by Kubernetes' own test, quirks included:
    // "+1", "01" and "1.001" (kubernetes#138165) are kept as written.
    int precision = -1;
    qint64 scale = 0;
    qint64 multiplier = 1;
    if (suffix->format == Format::BinarySI) {
        if (suffix->exponent >= 0 && denom.isEmpty()) {
            multiplier = qint64(1) << suffix->exponent;
            precision = 15 - int(num.size()) - suffix->exponent * 3 / 10 - 1;
        }
    } else {
        scale = suffix->exponent;
        precision = 18 - int(num.size() + denom.size());
    }
    if (precision >= 0 && scale - denom.size() >= nano) {
        scale -= denom.size();
        const QString shifted = num.toString() + denom.toString();
        const auto digits = parseGoInt64(shifted);
        if (!digits)
            return std::unexpected(errNumeric);
        qint64 result = 0;
        if (!__builtin_mul_overflow(*digits, multiplier, &result)) {
            Quantity quantity(positive ? result : -result, int(scale), suffix->format);
            const bool canonical = suffix->format == Format::BinarySI
                                       ? suffix->exponent % 10 == 0 && (*digits & 7) != 0
                                       : scale % 3 == 0 &&
                                             !shifted.endsWith(QLatin1String("000")) &&
                                             shifted[0] != u'0';
            if (canonical)
                quantity.m_text = text.toString();
            return quantity;
        }
    }

    // The general path (inf.Dec in Kubernetes): exact, then rounded up to nano units.
    if (!std::any_of(value.begin(), value.end(), isDigit))
        return std::unexpected(errNumeric);
    QString digits = num.toString() + denom.toString();
    qint64 exponent = -denom.size();
    while (digits.size() > 1 && digits.front() == u'0')
        digits.remove(0, 1);
    while (digits.size() > 1 && digits.back() == u'0') {
        digits.chop(1);
        ++exponent;
    }
    // Decimal quantities are rounded up to nano units on the digits, so that long fractions
    // need not fit an Int128; binary ones only once multiplied out, below.
    bool roundUp = false;
    if (suffix->base == 10) {
        exponent += suffix->exponent;
        if (exponent < nano) {
            const qint64 drop = nano - exponent;
            const QStringView dropped = QStringView(digits).last(std::min(drop, digits.size()));
            roundUp =
                std::any_of(dropped.begin(), dropped.end(), [](QChar c) { return c != u'0'; });
            digits = drop >= digits.size() ? QStringLiteral("0") : digits.chopped(drop);
            exponent = nano;
        }
    }
    if (digits.size() > maxDigits)
        return std::unexpected(errNumeric);
    UInt128 mantissa = 0;
    for (QChar c : digits)
        mantissa = mantissa * 10 + (c.unicode() - u'0');
    if (roundUp)
        ++mantissa;
    Format format = suffix->format;
    if (suffix->base == 2) {
        UInt128 scaled = 0;
        const bool overflow = mantissa > (~UInt128(0) >> 1 >> suffix->exponent);
        if (overflow && exponent < 0)
            return std::unexpected(errNumeric);
        if (overflow) {
            scaled = maxInt64; // capped below anyway
            exponent = 0;
        } else {
            scaled = mantissa << suffix->exponent;
        }
        mantissa = scaled;
        if (exponent < nano) {
            const qint64 drop = nano - exponent;
            const UInt128 divisor = drop > maxDigits ? 0 : pow10(int(drop));
            const bool fraction = divisor == 0 ? mantissa != 0 : mantissa % divisor != 0;
            mantissa = divisor == 0 ? 0 : mantissa / divisor;
            if (fraction)
                ++mantissa;
            exponent = nano;
        }
        // Kubernetes caps binary quantities at the int64 maximum...
        if (compareMagnitudes(mantissa, exponent, UInt128(maxInt64), 0) > 0) {
            mantissa = maxInt64;
            exponent = 0;
        }
        // ...and prints those between 0 and 1 in decimal.
        if (mantissa != 0 && compareMagnitudes(mantissa, exponent, 1, 0) < 0)
            format = Format::DecimalSI;
    }
    const Int128 signedMantissa = positive ? Int128(mantissa) : -Int128(mantissa);
    return Quantity(signedMantissa, int(exponent), format);
}

std::expected<Quantity, QString> Quantity::fromJson(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return Quantity();
    case QJsonValue::String:
        return parse(value.toString().trimmed());
    case QJsonValue::Double: {
        const double number = value.toDouble();
        if (std::trunc(number) == number && std::abs(number) < 9.2e18)
            return parse(QString::number(qint64(number)));
        return parse(QString::number(number, 'g', QLocale::FloatingPointShortest));
    }
    default:
        return std::unexpected(errFormatWrong);
    }
}

qint64 Quantity::scaledValue(int scale) const
{
    if (m_mantissa == 0)
        return 0;
    const qint64 shift = qint64(m_exponent) - scale;
    const UInt128 abs = magnitude(m_mantissa);
    const bool negative = m_mantissa < 0;
    UInt128 result = 0;
    if (shift >= 0) {
        const UInt128 limit = UInt128(maxInt64) + (negative ? 1 : 0);
        if (shift > maxDigits || abs > limit / pow10(int(shift)))
            return negative ? std::numeric_limits<qint64>::min() : maxInt64;
        result = abs * pow10(int(shift));
    } else if (-shift > maxDigits) {
        result = 1; // a non-zero amount far below one unit rounds up to one
    } else {
        const UInt128 divisor = pow10(int(-shift));
        result = abs / divisor + (abs % divisor != 0 ? 1 : 0);
    }
    if (result > UInt128(maxInt64))
        return negative ? std::numeric_limits<qint64>::min() : maxInt64;
    return negative ? -qint64(result) : qint64(result);
}

int Quantity::compare(const Quantity &other) const
{
    if (sign() != other.sign())
        return sign() < other.sign() ? -1 : 1;
    const int byMagnitude = compareMagnitudes(magnitude(m_mantissa), m_exponent,
                                              magnitude(other.m_mantissa), other.m_exponent);
    return sign() < 0 ? -byMagnitude : byMagnitude;
}

QString Quantity::toString() const
{
    if (!m_text.isEmpty())
        return m_text;
    if (m_mantissa == 0)
        return QStringLiteral("0");
    const QString sign = m_mantissa < 0 ? QStringLiteral("-") : QString();
    UInt128 abs = magnitude(m_mantissa);

    Format format = m_format;
    UInt128 integer = 0;
    if (format == Format::BinarySI) {
        // Binary suffixes only for whole numbers of at least 1Ki; anything else is decimal.
        bool exact = compareMagnitudes(abs, m_exponent, 1024, 0) >= 0;
        if (exact && m_exponent >= 0) {
            exact = m_exponent <= maxDigits && abs <= (~UInt128(0)) / pow10(m_exponent);
            if (exact)
                integer = abs * pow10(m_exponent);
        } else if (exact) {
            const int shift = -m_exponent;
            exact = shift <= maxDigits && abs % pow10(shift) == 0;
            if (exact)
                integer = abs / pow10(shift);
        }
        if (!exact)
            format = Format::DecimalSI;
    }

    if (format == Format::BinarySI) {
        int power = 0;
        while (integer >= 1024 && integer % 1024 == 0) {
            integer /= 1024;
            ++power;
        }
        return sign + QString::fromStdString(decimalDigits(integer)) + binarySuffix(power);
    }

    // Decimal: the exponent becomes a multiple of three, with no fractional digits.
    qint64 exponent = m_exponent;
    stripTrailingZeros(abs, exponent);
    std::string digits = decimalDigits(abs);
    while (exponent % 3 != 0) {
        digits += '0';
        --exponent;
    }
    QString suffix;
    if (format == Format::DecimalSI)
        suffix = decimalSuffix(exponent);
    else if (exponent != 0)
        suffix = QLatin1Char('e') + QString::number(exponent);
    return sign + QString::fromStdString(digits) + suffix;
}

Quantity Quantity::operator-() const
{
    Quantity negated(-m_mantissa, m_exponent, m_format);
    return negated;
}

Quantity &Quantity::operator+=(const Quantity &other)
{
    m_text.clear();
    if (isZero())
        m_format = other.m_format;
    if (other.isZero())
        return *this;
    if (isZero()) {
        m_mantissa = other.m_mantissa;
        m_exponent = other.m_exponent;
        return *this;
    }
    // Align on the smaller exponent, after dropping trailing zeros to keep the numbers small.
    UInt128 a = magnitude(m_mantissa);
    UInt128 b = magnitude(other.m_mantissa);
    qint64 ea = m_exponent;
    qint64 eb = other.m_exponent;
    stripTrailingZeros(a, ea);
    stripTrailingZeros(b, eb);
    const qint64 exponent = std::min(ea, eb);
    const qint64 shiftA = ea - exponent;
    const qint64 shiftB = eb - exponent;
    const UInt128 limit = UInt128(std::numeric_limits<Int128>::max());
    const bool fits = shiftA <= maxDigits && shiftB <= maxDigits &&
                      a <= limit / pow10(int(shiftA)) && b <= limit / pow10(int(shiftB));
    Int128 sum = 0;
    if (fits) {
        const Int128 x = (m_mantissa < 0 ? -1 : 1) * Int128(a * pow10(int(shiftA)));
        const Int128 y = (other.m_mantissa < 0 ? -1 : 1) * Int128(b * pow10(int(shiftB)));
        if (!__builtin_add_overflow(x, y, &sum)) {
            m_mantissa = sum;
            m_exponent = int(exponent);
            return *this;
        }
    }
    if (compareMagnitudes(a, ea, b, eb) < 0) {
        m_mantissa = other.m_mantissa;
        m_exponent = other.m_exponent;
    }
    return *this;
}

} // namespace timonel::core
