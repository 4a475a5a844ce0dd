#include "eventrecorder.h"

#include <QDateTime>
#include <QJsonDocument>

#include <atomic>

using namespace Qt::StringLiterals;

namespace timonel::client {

namespace {

const Resource events{QString(), u"v1"_s, u"events"_s};

// Enough recorded keys to aggregate a busy node's repeats without growing for ever.
constexpr qsizetype maxRecorded = 4096;

// client-go names events "<object>.<UnixNano in hex>"; nanoseconds from a millisecond clock
// plus a counter keep names unique however fast events come.
quint64 uniqueStamp()
{
    static std::atomic<quint32> counter{0};
    return quint64(QDateTime::currentDateTimeUtc().toMSecsSinceEpoch()) * 1000000 +
           (counter.fetch_add(1) % 1000000);
}

QString now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
}

} // namespace

EventRecorder::EventRecorder(ApiClient &api, QString component, QString host, QObject *parent)
    : QObject(parent), m_api(api), m_component(std::move(component)), m_host(std::move(host))
{
}

QJsonObject EventRecorder::objectReference(const QJsonObject &object, const QString &fieldPath)
{
    const QJsonObject meta = object.value(u"metadata").toObject();
    QJsonObject ref{{u"kind"_s, object.value(u"kind")},
                    {u"name"_s, meta.value(u"name")},
                    {u"uid"_s, meta.value(u"uid")},
                    {u"apiVersion"_s, object.value(u"apiVersion")},
                    {u"resourceVersion"_s, meta.value(u"resourceVersion")}};
    if (meta.contains(u"namespace"))
        ref.insert(u"namespace"_s, meta.value(u"namespace"));
    if (!fieldPath.isEmpty())
        ref.insert(u"fieldPath"_s, fieldPath);
    return ref;
}

void EventRecorder::event(const QJsonObject &involved, const QString &type, const QString &reason,
                          const QString &message, const QString &fieldPath)
{
    const QJsonObject ref = objectReference(involved, fieldPath);
    const QString key = ref.value(u"uid").toString() + u'\x1f' + fieldPath + u'\x1f' + type +
                        u'\x1f' + reason + u'\x1f' + message;
    const QString stamp = now();
    QJsonObject source{{u"component"_s, m_component}};
    if (!m_host.isEmpty())
        source.insert(u"host"_s, m_host);
    const QString ns = ref.value(u"namespace").toString(u"default"_s);
    QJsonObject event{
        {u"apiVersion"_s, u"v1"_s},
        {u"kind"_s, u"Event"_s},
        {u"metadata"_s,
         QJsonObject{
             {u"name"_s, u"%1.%2"_s.arg(ref.value(u"name").toString()).arg(uniqueStamp(), 0, 16)},
             {u"namespace"_s, ns}}},
        {u"involvedObject"_s, ref},
        {u"reason"_s, reason},
        {u"message"_s, message},
        {u"source"_s, source},
        {u"firstTimestamp"_s, stamp},
        {u"lastTimestamp"_s, stamp},
        {u"count"_s, 1},
        {u"type"_s, type},
        {u"reportingComponent"_s, m_component},
        {u"reportingInstance"_s, m_host},
    };
    auto it = m_recorded.find(key);
    if (it == m_recorded.end()) {
        if (m_recorded.size() >= maxRecorded)
            m_recorded.clear();
        create(key, event);
    } else if (it->pending) {
        ++it->unsent;
    } else {
        bump(key, event);
    }
}

void EventRecorder::create(const QString &key, const QJsonObject &event)
{
    const QJsonObject meta = event.value(u"metadata").toObject();
    Recorded &r = m_recorded[key];
    r = {meta.value(u"namespace").toString(), meta.value(u"name").toString(), 1, true, 0};
    m_api.create(events, r.ns, event, {}, [this, key, event](Result<QJsonObject> created) {
        auto it = m_recorded.find(key);
        if (it == m_recorded.end())
            return;
        if (!created) {
            m_recorded.erase(it); // the next occurrence tries again
            return;
        }
        it->pending = false;
        if (it->unsent > 0)
            bump(key, event);
    });
}

void EventRecorder::bump(const QString &key, const QJsonObject &event)
{
    Recorded &r = m_recorded[key];
    r.count += 1 + r.unsent;
    r.unsent = 0;
    r.pending = true;
    const QJsonObject patch{{u"count"_s, r.count}, {u"lastTimestamp"_s, now()}};
    m_api.patch(events, r.ns, r.name, PatchType::Merge,
                QJsonDocument(patch).toJson(QJsonDocument::Compact), {}, {},
                [this, key, event](Result<QJsonObject> patched) {
                    auto it = m_recorded.find(key);
                    if (it == m_recorded.end())
                        return;
                    if (!patched) {
                        // Gone (events expire) or unreachable: start a new series.
                        m_recorded.erase(it);
                        if (patched.error().isNotFound())
                            create(key, event);
                        return;
                    }
                    it->pending = false;
                    if (it->unsent > 0)
                        bump(key, event);
                });
}

} // namespace timonel::client
