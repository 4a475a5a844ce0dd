// A CronJob's schedule: the standard five-field cron syntax (minute hour day-of-month month
// day-of-week; lists, ranges, steps, month and weekday names, `*` and `?`) and the descriptors
// @yearly @annually @monthly @weekly @daily @midnight @hourly, read exactly as the robfig/cron
// library that kube-controller-manager uses reads them, including its handling of daylight
// saving time: a time skipped by a spring-forward transition does not fire that day, and a
// time repeated by a fall-back transition fires twice.
#pragma once

#include <QDateTime>
#include <QString>
#include <QTimeZone>

#include <expected>

namespace timonel::controllers {

class CronSchedule
{
public:
    // `zone` is where the fields are read (the CronJob's spec.timeZone, or the controller's
    // local zone); a "TZ=<zone> " or "CRON_TZ=<zone> " prefix in the spec overrides it. The
    // error is robfig/cron's message ("expected exactly 5 fields, found 4: [* * * *]").
    static std::expected<CronSchedule, QString>
    parse(const QString &spec, const QTimeZone &zone = QTimeZone::systemTimeZone());

    // The first activation strictly after `after`, in the time zone `after` is given in;
    // invalid when there is none within five years (e.g. "0 0 30 2 *").
    QDateTime next(const QDateTime &after) const;

    QTimeZone timeZone() const { return m_zone; }

private:
    bool dayMatches(const QDateTime &t) const;

    quint64 m_minute = 0;
    quint64 m_hour = 0;
    quint64 m_dayOfMonth = 0;
    quint64 m_month = 0;
    quint64 m_dayOfWeek = 0;
    qint64 m_every = 0; // "@every <duration>": seconds between runs, instead of the fields
    QTimeZone m_zone;
};

} // namespace timonel::controllers
