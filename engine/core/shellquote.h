// A word quoted for a POSIX shell only when it needs to be: the command lines the app shows
// ("the same from a terminal") stay readable and still paste correctly.
#pragma once

#include <QRegularExpression>
#include <QString>

namespace timonel::core {

inline QString shellQuoted(const QString &word)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_./:=@%+,-]+$"));
    if (plain.match(word).hasMatch())
        return word;
    return QLatin1Char('\'') + QString(word).replace(QLatin1String("'"), QLatin1String("'\\''")) +
           QLatin1Char('\'');
}

} // namespace timonel::core
