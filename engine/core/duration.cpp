#include "duration.h"

#include <QRegularExpression>

namespace timonel::core {

qint64 parseDuration(const QString &text)
{
    if (text == QLatin1String("0"))
        return 0;
    static const QRegularExpression part(QStringLiteral("(\\d+(?:\\.\\d+)?)(ms|h|m|s)"));
    qint64 total = 0;
    qsizetype at = 0;
    for (auto it = part.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        if (m.capturedStart() != at)
            return -1;
        at = m.capturedEnd();
        const QString unit = m.captured(2);
        const double scale = unit == QLatin1String("h")   ? 3600000
                             : unit == QLatin1String("m") ? 60000
                             : unit == QLatin1String("s") ? 1000
                                                          : 1;
        total += qint64(m.captured(1).toDouble() * scale);
    }
    return at == text.size() && at > 0 ? total : -1;
}

} // namespace timonel::core
