#pragma once

#include <QJsonValue>
#include <QString>
#include <QStringView>

#include <compare>
#include <expected>

namespace timonel::core {

// A resource.Quantity ("500m", "1.5Gi", "1e3"): an exact decimal number, never a double, that
// remembers the kind of suffix it was written with and prints in Kubernetes' canonical form.
//
// The value is a 128-bit mantissa times a power of ten. That holds everything Kubernetes itself
// represents in practice (its int64 fast path, and inf.Dec values rounded to nano units); a
// quantity written with more than 38 significant digits is rejected rather than rounded.
class Quantity
{
public:
    enum class Format
    {
        DecimalSI,       // 12M = 12 * 10^6, and no suffix
        BinarySI,        // 12Mi = 12 * 2^20
        DecimalExponent, // 12e6
    };

    // Zero. A zero quantity takes the format of the first quantity added to it.
    Quantity() = default;
    static Quantity fromValue(qint64 value, Format format = Format::DecimalSI);
    static Quantity fromMilliValue(qint64 milliValue, Format format = Format::DecimalSI);

    // Errors are Kubernetes' texts: "quantities must match the regular expression
    // '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'", "unable to parse quantity's suffix",
    // "unable to parse numeric part of quantity".
    static std::expected<Quantity, QString> parse(QStringView text);
    // A quantity as JSON carries it: a string (surrounding spaces ignored, as Kubernetes does),
    // a number (YAML "cpu: 2"), or null for zero.
    static std::expected<Quantity, QString> fromJson(const QJsonValue &value);

    // The value rounded up, away from zero, to an integer (Quantity.Value): "100m" is 1.
    // Saturates at the qint64 limits.
    qint64 value() const { return scaledValue(0); }
    // ceil(value * 1000) (Quantity.MilliValue): "1.5" is 1500, "1n" is 1.
    qint64 milliValue() const { return scaledValue(-3); }
    // ceil(value / 10^scale), rounding away from zero; scale -9 gives nano units.
    qint64 scaledValue(int scale) const;

    bool isZero() const { return m_mantissa == 0; }
    int sign() const { return m_mantissa == 0 ? 0 : m_mantissa < 0 ? -1 : 1; }
    Format format() const { return m_format; }
    // -1, 0 or 1 (Quantity.Cmp); compares values, not formats.
    int compare(const Quantity &other) const;

    // Kubernetes' canonical form, which the API server stores and returns: "1000m" -> "1",
    // "0.5" -> "500m", "1024Mi" -> "1Gi", "1.5Gi" -> "1536Mi", "1000" -> "1k". A string that
    // Kubernetes judges canonical when parsing is kept as written ("1e3", "100Mi", and by its
    // quirks "+1" and "1.001").
    QString toString() const;

    Quantity operator-() const;
    // Exact, except that a sum that would need more than 38 significant digits keeps the
    // operand of larger magnitude.
    Quantity &operator+=(const Quantity &other);
    Quantity &operator-=(const Quantity &other) { return *this += -other; }
    friend Quantity operator+(Quantity a, const Quantity &b) { return a += b; }
    friend Quantity operator-(Quantity a, const Quantity &b) { return a -= b; }

    friend bool operator==(const Quantity &a, const Quantity &b) { return a.compare(b) == 0; }
    friend std::strong_ordering operator<=>(const Quantity &a, const Quantity &b)
    {
        return a.compare(b) <=> 0;
    }

private:
    using Int128 = __int128;

    Quantity(Int128 mantissa, int exponent, Format format)
        : m_mantissa(mantissa), m_exponent(exponent), m_format(format)
    {
    }

    // value = m_mantissa * 10^m_exponent
    Int128 m_mantissa = 0;
    int m_exponent = 0;
    Format m_format = Format::DecimalSI;
    // The text as parsed when Kubernetes would keep it verbatim; cleared by arithmetic.
    QString m_text;
};

} // namespace timonel::core
