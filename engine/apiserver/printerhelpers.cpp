// Reading our JSON objects and formatting their values as pkg/printers/internalversion does:
// what every group of printers shares.
#include "printers_p.h"

#include "core/labelselector.h"
#include "core/quantity.h"
#include "tableconvertor.h"

#include <QRegularExpression>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace timonel::apiserver::printing {

QJsonValue at(const QJsonValue &value, std::initializer_list<QStringView> path)
{
    QJsonValue current = value;
    for (QStringView key : path)
        current = current.toObject().value(key);
    return current;
}

bool isSet(const QJsonValue &v)
{
    return !v.isUndefined() && !v.isNull();
}

qint64 integer(const QJsonValue &v, qint64 fallback)
{
    return v.isDouble() ? v.toInteger() : fallback;
}

QString orElse(const QString &text, const QString &fallback)
{
    return text.isEmpty() ? fallback : text;
}

QString joined(const QJsonArray &values, QStringView separator)
{
    QStringList texts;
    for (const QJsonValue &v : values)
        texts.append(v.toString());
    return texts.join(separator);
}

QJsonObject condition(const QJsonValue &conditions, QStringView type)
{
    for (const QJsonValue &c : conditions.toArray()) {
        if (c.toObject().value(u"type").toString() == type)
            return c.toObject();
    }
    return {};
}

bool conditionIsTrue(const QJsonValue &conditions, QStringView type)
{
    return condition(conditions, type).value(u"status").toString() == u"True";
}

Micros timeOf(const QJsonValue &timestamp)
{
    QString text = timestamp.toString();
    static const QRegularExpression fraction(uR"(\.(\d+))"_s);
    qint64 fractionMicros = 0;
    if (const auto m = fraction.match(text); m.hasMatch()) {
        fractionMicros = m.captured(1).left(6).leftJustified(6, u'0').toLongLong();
        text.remove(m.capturedStart(), m.capturedLength());
    }
    const QDateTime time = QDateTime::fromString(text, Qt::ISODate);
    return time.isValid() ? Micros(time.toMSecsSinceEpoch() * 1000 + fractionMicros) : std::nullopt;
}

qint64 secondsBetween(qint64 fromMicros, qint64 toMicros)
{
    return (toMicros - fromMicros) / 1000000;
}

qint64 micros(N now)
{
    return now.toMSecsSinceEpoch() * 1000;
}

QString since(Micros time, N now)
{
    return time ? humanDuration(secondsBetween(*time, micros(now))) : u"<unknown>"_s;
}

QString since(const QJsonValue &timestamp, N now)
{
    return since(timeOf(timestamp), now);
}

QString formatLabels(const QJsonValue &labels)
{
    const QJsonObject map = labels.toObject();
    QStringList keys = map.keys();
    std::sort(keys.begin(), keys.end());
    QStringList pairs;
    for (const QString &k : std::as_const(keys))
        pairs.append(k + u'=' + map.value(k).toString());
    return orElse(pairs.join(u','), u"<none>"_s);
}

std::optional<QString> selectorText(const QJsonValue &selector)
{
    if (!selector.isObject())
        return QString();
    const auto parsed = core::LabelSelector::fromJson(selector.toObject());
    return parsed ? std::optional(parsed->toString()) : std::nullopt;
}

QString formatLabelSelector(const QJsonValue &selector)
{
    const auto text = selectorText(selector);
    return text ? orElse(*text, u"<none>"_s) : u"<error>"_s;
}

QString quantityText(const QJsonValue &value)
{
    const auto q = core::Quantity::fromJson(value.isUndefined() ? QJsonValue() : value);
    return q ? q->toString() : value.toString();
}

QString intOrString(const QJsonValue &v)
{
    return v.isDouble() ? QString::number(v.toInteger()) : v.toString();
}

QString accessModes(const QJsonValue &modes)
{
    static const std::pair<QStringView, QStringView> names[] = {{u"ReadWriteOnce", u"RWO"},
                                                                {u"ReadOnlyMany", u"ROX"},
                                                                {u"ReadWriteMany", u"RWX"},
                                                                {u"ReadWriteOncePod", u"RWOP"}};
    const QJsonArray list = modes.toArray();
    QStringList shown;
    for (const auto &[mode, abbreviation] : names) {
        if (list.contains(QJsonValue(mode.toString())))
            shown.append(abbreviation.toString());
    }
    return shown.join(u',');
}

QString listWithMore(const QStringList &list, qsizetype count, qsizetype max)
{
    const QString text = list.join(u',');
    if (count > max)
        return u"%1 + %2 more..."_s.arg(text).arg(count - max);
    return orElse(text, u"<unset>"_s);
}

QString loadBalancerIngress(const QJsonValue &status)
{
    QSet<QString> points;
    for (const QJsonValue &entry : status.toObject().value(u"ingress").toArray()) {
        const QString ip = entry.toObject().value(u"ip").toString();
        const QString hostname = entry.toObject().value(u"hostname").toString();
        if (!ip.isEmpty() || !hostname.isEmpty())
            points.insert(ip.isEmpty() ? hostname : ip);
    }
    QStringList sorted = points.values();
    std::sort(sorted.begin(), sorted.end());
    return sorted.join(u',');
}
} // namespace timonel::apiserver::printing
