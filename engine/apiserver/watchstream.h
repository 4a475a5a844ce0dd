// One client's watch: a chunked HTTP response of newline-separated watch events, fed by the
// storage's watch and filtered by the client's label and field selectors.
#pragma once

#include "resourcestore.h"
#include "tableconvertor.h"

#include <QObject>
#include <QPointer>

#include <optional>

class QTimer;

namespace timonel::http {
class HttpExchange;
}

namespace timonel::apiserver {

using http::HttpExchange;


class WatchStream : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        ListOptions list;
        bool table = false;
        TableRowObject include = TableRowObject::Metadata;
        bool bookmarks = false;
        QString resourceVersion;
        std::optional<int> timeoutSeconds;
    };

    // Starts streaming into the exchange; the stream deletes itself when the client goes away
    // or the timeout ends it.
    static void start(HttpExchange *exchange, ResourceStore &store, const core::ResourceInfo &r,
                      const QString &ns, const Options &options);

private:
    WatchStream(HttpExchange *exchange, ResourceStore &store, const core::ResourceInfo &r,
                Options options);
    void send(const QString &type, const QJsonObject &object);
    void onEvents(const QList<WatchEvent> &events);
    void sendBookmark();
    void finish();

    QPointer<HttpExchange> m_exchange;
    ResourceStore &m_store;
    const core::ResourceInfo &m_resource;
    Options m_options;
    std::unique_ptr<Watch> m_watch;
    qint64 m_lastRevision = 0;
};

} // namespace timonel::apiserver
