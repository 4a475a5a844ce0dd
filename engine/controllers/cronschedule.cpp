#include "cronschedule.h"

#include "core/duration.h"

#include <QHash>
#include <QRegularExpression>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace timonel::controllers {

namespace {

// Set when a field was written `*` or `?`: a day-of-month or day-of-week star makes the two
// day fields AND instead of OR, as in Vixie cron.
constexpr quint64 starBit = quint64(1) << 63;

struct Bounds
{
    uint min;
    uint max;
    const QHash<QString, uint> *names = nullptr;
};

const QHash<QString, uint> monthNames{
    {u"jan"_s, 1}, {u"feb"_s, 2}, {u"mar"_s, 3}, {u"apr"_s, 4},  {u"may"_s, 5},  {u"jun"_s, 6},
    {u"jul"_s, 7}, {u"aug"_s, 8}, {u"sep"_s, 9}, {u"oct"_s, 10}, {u"nov"_s, 11}, {u"dec"_s, 12}};
const QHash<QString, uint> dayNames{{u"sun"_s, 0}, {u"mon"_s, 1}, {u"tue"_s, 2}, {u"wed"_s, 3},
                                    {u"thu"_s, 4}, {u"fri"_s, 5}, {u"sat"_s, 6}};

const Bounds minutes{0, 59};
const Bounds hours{0, 23};
const Bounds daysOfMonth{1, 31};
const Bounds months{1, 12, &monthNames};
const Bounds daysOfWeek{0, 6, &dayNames};

quint64 bits(uint min, uint max, uint step)
{
    quint64 b = 0;
    for (uint i = min; i <= max; i += step)
        b |= quint64(1) << i;
    return b;
}

quint64 all(const Bounds &r)
{
    return bits(r.min, r.max, 1) | starBit;
}

std::expected<uint, QString> parseInt(const QString &text)
{
    bool ok = false;
    const int n = text.toInt(&ok);
    if (!ok)
        return std::unexpected(
            u"failed to parse int from %1: strconv.Atoi: parsing \"%1\": invalid syntax"_s.arg(
                text));
    if (n < 0)
        return std::unexpected(u"negative number (%1) not allowed: %2"_s.arg(n).arg(text));
    return uint(n);
}

std::expected<uint, QString> parseIntOrName(const QString &text, const Bounds &r)
{
    if (r.names) {
        auto it = r.names->constFind(text.toLower());
        if (it != r.names->cend())
            return *it;
    }
    return parseInt(text);
}

// number | number "-" number ["/" number] | "*" ["/" number], names allowed where the field
// has them.
std::expected<quint64, QString> parseRange(const QString &expr, const Bounds &r)
{
    const QStringList rangeAndStep = expr.split(u'/');
    const QStringList lowAndHigh = rangeAndStep.first().split(u'-');
    uint start = 0;
    uint end = 0;
    uint step = 1;
    quint64 extra = 0;
    if (lowAndHigh.first() == u"*" || lowAndHigh.first() == u"?") {
        start = r.min;
        end = r.max;
        extra = starBit;
    } else {
        auto low = parseIntOrName(lowAndHigh.first(), r);
        if (!low)
            return std::unexpected(low.error());
        start = end = *low;
        if (lowAndHigh.size() == 2) {
            auto high = parseIntOrName(lowAndHigh[1], r);
            if (!high)
                return std::unexpected(high.error());
            end = *high;
        } else if (lowAndHigh.size() > 2) {
            return std::unexpected(u"too many hyphens: %1"_s.arg(expr));
        }
    }
    if (rangeAndStep.size() == 2) {
        auto parsed = parseInt(rangeAndStep[1]);
        if (!parsed)
            return std::unexpected(parsed.error());
        step = *parsed;
        if (lowAndHigh.size() == 1) // "N/step" means "N-max/step"
            end = r.max;
        if (step > 1)
            extra = 0;
    } else if (rangeAndStep.size() > 2) {
        return std::unexpected(u"too many slashes: %1"_s.arg(expr));
    }
    if (start < r.min)
        return std::unexpected(
            u"beginning of range (%1) below minimum (%2): %3"_s.arg(start).arg(r.min).arg(expr));
    if (end > r.max)
        return std::unexpected(
            u"end of range (%1) above maximum (%2): %3"_s.arg(end).arg(r.max).arg(expr));
    if (start > end)
        return std::unexpected(
            u"beginning of range (%1) beyond end of range (%2): %3"_s.arg(start).arg(end).arg(
                expr));
    if (step == 0)
        return std::unexpected(u"step of range should be a positive number: %1"_s.arg(expr));
    return bits(start, end, step) | extra;
}

std::expected<quint64, QString> parseField(const QString &field, const Bounds &r)
{
    quint64 result = 0;
    for (const QString &expr : field.split(u',', Qt::SkipEmptyParts)) {
        auto b = parseRange(expr, r);
        if (!b)
            return b;
        result |= *b;
    }
    return result;
}

// time.Date of Go: the fields may overflow (month 13, day 32) and are normalised; a wall time
// that a transition skips or repeats resolves to the earlier instant, as Go's does.
QDateTime goDate(int year, int month, int day, int hour, int minute, const QTimeZone &zone)
{
    year += (month - 1) / 12;
    month = (month - 1) % 12 + 1;
    const QDate date = QDate(year, month, 1).addDays(day - 1);
    return QDateTime(date, QTime(hour, minute), zone,
                     QDateTime::TransitionResolution::PreferBefore);
}

} // namespace

std::expected<CronSchedule, QString> CronSchedule::parse(const QString &input,
                                                         const QTimeZone &zone)
{
    QString spec = input;
    CronSchedule s;
    s.m_zone = zone;
    if (spec.isEmpty())
        return std::unexpected(u"empty spec string"_s);
    if (spec.startsWith(u"TZ="_s) || spec.startsWith(u"CRON_TZ="_s)) {
        const qsizetype space = spec.indexOf(u' ');
        const qsizetype eq = spec.indexOf(u'=');
        const QString name = spec.mid(eq + 1, space < 0 ? -1 : space - eq - 1);
        s.m_zone = QTimeZone(name.toUtf8());
        if (!s.m_zone.isValid() || space < 0)
            return std::unexpected(u"provided bad location %1: unknown time zone %1"_s.arg(name));
        spec = spec.mid(space).trimmed();
    }
    if (spec.startsWith(u'@')) {
        const quint64 first = 1;
        if (spec == u"@yearly" || spec == u"@annually") {
            s.m_minute = first, s.m_hour = first, s.m_dayOfMonth = first << 1;
            s.m_month = first << 1, s.m_dayOfWeek = all(daysOfWeek);
        } else if (spec == u"@monthly") {
            s.m_minute = first, s.m_hour = first, s.m_dayOfMonth = first << 1;
            s.m_month = all(months), s.m_dayOfWeek = all(daysOfWeek);
        } else if (spec == u"@weekly") {
            s.m_minute = first, s.m_hour = first, s.m_dayOfMonth = all(daysOfMonth);
            s.m_month = all(months), s.m_dayOfWeek = first;
        } else if (spec == u"@daily" || spec == u"@midnight") {
            s.m_minute = first, s.m_hour = first, s.m_dayOfMonth = all(daysOfMonth);
            s.m_month = all(months), s.m_dayOfWeek = all(daysOfWeek);
        } else if (spec == u"@hourly") {
            s.m_minute = first, s.m_hour = all(hours), s.m_dayOfMonth = all(daysOfMonth);
            s.m_month = all(months), s.m_dayOfWeek = all(daysOfWeek);
        } else if (spec.startsWith(u"@every "_s)) {
            const QString text = spec.mid(7);
            const qint64 ms = core::parseDuration(text);
            if (ms < 0)
                return std::unexpected(
                    u"failed to parse duration %1: time: invalid duration \"%2\""_s.arg(spec,
                                                                                        text));
            // robfig's Every: whole seconds, at least one.
            s.m_every = std::max<qint64>(1, ms / 1000);
        } else {
            return std::unexpected(u"unrecognized descriptor: %1"_s.arg(spec));
        }
        return s;
    }
    const QStringList fields = spec.split(QRegularExpression(u"\\s+"_s), Qt::SkipEmptyParts);
    if (fields.size() != 5)
        return std::unexpected(u"expected exactly 5 fields, found %1: [%2]"_s.arg(fields.size())
                                   .arg(fields.join(u' ')));
    const Bounds *bounds[] = {&minutes, &hours, &daysOfMonth, &months, &daysOfWeek};
    quint64 *targets[] = {&s.m_minute, &s.m_hour, &s.m_dayOfMonth, &s.m_month, &s.m_dayOfWeek};
    for (int i = 0; i < 5; ++i) {
        auto b = parseField(fields[i], *bounds[i]);
        if (!b)
            return std::unexpected(b.error());
        *targets[i] = *b;
    }
    return s;
}

bool CronSchedule::dayMatches(const QDateTime &t) const
{
    const bool dom = m_dayOfMonth & (quint64(1) << t.date().day());
    const bool dow = m_dayOfWeek & (quint64(1) << (t.date().dayOfWeek() % 7));
    if ((m_dayOfMonth & starBit) || (m_dayOfWeek & starBit))
        return dom && dow;
    return dom || dow;
}

// robfig/cron's SpecSchedule.Next, field by field from the month down: a field that does not
// match is advanced (resetting the smaller fields once) until it does; wrapping past its end
// restarts from the month. Hours and minutes advance in absolute time, so transitions skip or
// repeat wall times exactly as they do in Go.
QDateTime CronSchedule::next(const QDateTime &after) const
{
    if (m_every > 0) {
        const QDateTime t = after.addMSecs(-after.time().msec());
        return t.addSecs(m_every);
    }
    QDateTime t = after.toTimeZone(m_zone);
    t = t.addMSecs(1000 - t.time().msec()); // the upcoming second
    bool added = false;
    const int yearLimit = t.date().year() + 5;
    auto bit = [](quint64 mask, int value) { return (mask & (quint64(1) << value)) != 0; };

wrap:
    if (t.date().year() > yearLimit)
        return {};
    while (!bit(m_month, t.date().month())) {
        if (!added) {
            added = true;
            t = goDate(t.date().year(), t.date().month(), 1, 0, 0, m_zone);
        }
        t = goDate(t.date().year(), t.date().month() + 1, t.date().day(), t.time().hour(),
                   t.time().minute(), m_zone);
        if (t.date().month() == 1)
            goto wrap;
    }
    while (!dayMatches(t)) {
        if (!added) {
            added = true;
            t = goDate(t.date().year(), t.date().month(), t.date().day(), 0, 0, m_zone);
        }
        t = goDate(t.date().year(), t.date().month(), t.date().day() + 1, t.time().hour(),
                   t.time().minute(), m_zone);
        // Midnight may not exist on a transition day: come back to it.
        if (const int h = t.time().hour(); h != 0)
            t = t.addSecs(h > 12 ? qint64(24 - h) * 3600 : -qint64(h) * 3600);
        if (t.date().day() == 1)
            goto wrap;
    }
    while (!bit(m_hour, t.time().hour())) {
        if (!added) {
            added = true;
            t = goDate(t.date().year(), t.date().month(), t.date().day(), t.time().hour(), 0,
                       m_zone);
        }
        t = t.addSecs(3600);
        if (t.time().hour() == 0)
            goto wrap;
    }
    while (!bit(m_minute, t.time().minute())) {
        if (!added) {
            added = true;
            t = t.addSecs(-t.time().second());
        }
        t = t.addSecs(60);
        if (t.time().minute() == 0)
            goto wrap;
    }
    // Standard schedules fire at second 0: on to the next minute, and check it again.
    if (t.time().second() != 0) {
        added = true;
        t = t.addSecs(60 - t.time().second());
        goto wrap;
    }
    return t.toTimeZone(after.timeZone());
}

} // namespace timonel::controllers
