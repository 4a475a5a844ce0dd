#include "watchstream.h"

#include "http/httpserver.h"
#include "resthandler.h"

#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace timonel::http;

namespace timonel::apiserver {

namespace {

// How often an idle watch with bookmarks tells the client how far it has seen.
constexpr int bookmarkIntervalMs = 60'000;

} // namespace

void WatchStream::start(HttpExchange *exchange, ResourceStore &store, const core::ResourceInfo &r,
                        const QString &ns, const Options &options)
{
    auto *stream = new WatchStream(exchange, store, r, options);
    exchange->beginStream(200, {{"Content-Type", "application/json"},
                                {"Cache-Control", "no-cache, private"}});
    connect(exchange, &HttpExchange::clientGone, stream, &QObject::deleteLater);
    connect(exchange, &QObject::destroyed, stream, &QObject::deleteLater);

    auto start = store.watch(r, ns, options.list, options.resourceVersion);
    if (!start) {
        // A too old resourceVersion: the client relists (kubectl's reflector does).
        stream->send(u"ERROR"_s, start.error().toStatus());
        return stream->finish();
    }
    for (const QJsonObject &o : std::as_const(start->initial))
        stream->send(u"ADDED"_s, o);
    stream->m_watch = std::move(start->watch);
    stream->m_lastRevision = start->fromRevision;
    connect(stream->m_watch.get(), &Watch::events, stream, &WatchStream::onEvents);

    // Kubernetes ends watches after a random 30-60 minutes unless told when.
    const int timeout = options.timeoutSeconds.value_or(1800 + QRandomGenerator::global()->bounded(1800));
    QTimer::singleShot(std::chrono::seconds(timeout), stream, &WatchStream::finish);
    if (options.bookmarks) {
        auto *timer = new QTimer(stream);
        connect(timer, &QTimer::timeout, stream, &WatchStream::sendBookmark);
        timer->start(bookmarkIntervalMs);
    }
}

WatchStream::WatchStream(HttpExchange *exchange, ResourceStore &store, const core::ResourceInfo &r,
                         Options options)
    : m_exchange(exchange), m_store(store), m_resource(r), m_options(std::move(options))
{
}

void WatchStream::send(const QString &type, const QJsonObject &object)
{
    if (!m_exchange || m_exchange->isFinished())
        return;
    QJsonObject body = object;
    if (m_options.table && type != u"ERROR" && type != u"BOOKMARK") {
        const TableConvertor tables;
        body = tables.table(m_resource, {object}, QJsonObject{{u"resourceVersion"_s,
                                                               object.value(u"metadata")
                                                                   .toObject()
                                                                   .value(u"resourceVersion")}},
                            m_options.include);
    }
    const QJsonObject event{{u"type"_s, type}, {u"object"_s, body}};
    m_exchange->writeChunk(QJsonDocument(event).toJson(QJsonDocument::Compact) + '\n');
}

void WatchStream::onEvents(const QList<WatchEvent> &events)
{
    for (const WatchEvent &e : events) {
        m_lastRevision = e.revision;
        const QString type = m_store.eventTypeFor(m_resource, e, m_options.list);
        if (type.isEmpty())
            continue;
        if (!m_options.table && !e.json.isEmpty() && m_exchange && !m_exchange->isFinished()) {
            // The object is serialized once for every watcher; only the envelope is per event.
            m_exchange->writeChunk("{\"type\":\"" + type.toLatin1() + "\",\"object\":" + e.json
                                   + "}\n");
            continue;
        }
        send(type, e.object);
    }
}

void WatchStream::sendBookmark()
{
    send(u"BOOKMARK"_s,
         QJsonObject{{u"kind"_s, m_resource.kind},
                     {u"apiVersion"_s, m_resource.apiVersion()},
                     {u"metadata"_s, QJsonObject{{u"resourceVersion"_s,
                                                  QString::number(m_lastRevision)}}}});
}

void WatchStream::finish()
{
    m_watch.reset();
    if (m_exchange && !m_exchange->isFinished())
        m_exchange->endStream();
    deleteLater();
}

} // namespace timonel::apiserver
