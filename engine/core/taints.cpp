#include "taints.h"

namespace timonel::core {

bool toleratesTaint(const QJsonObject &toleration, const QJsonObject &taint)
{
    const QString effect = toleration.value(u"effect").toString();
    if (!effect.isEmpty() && effect != taint.value(u"effect").toString())
        return false;
    const QString key = toleration.value(u"key").toString();
    if (!key.isEmpty() && key != taint.value(u"key").toString())
        return false;
    const QString op = toleration.value(u"operator").toString();
    if (op == u"Exists")
        return true;
    return (op.isEmpty() || op == u"Equal") &&
           toleration.value(u"value").toString() == taint.value(u"value").toString();
}

bool toleratesTaint(const QJsonArray &tolerations, const QJsonObject &taint)
{
    for (const QJsonValue &t : tolerations)
        if (toleratesTaint(t.toObject(), taint))
            return true;
    return false;
}

} // namespace timonel::core
