#include "clusterdiff.h"

#include <QJsonArray>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <optional>

using namespace Qt::StringLiterals;

namespace timonel::gui {

namespace {

struct Run
{
    struct Side
    {
        std::optional<QJsonObject> object;
        QString error;
    };
    QList<client::ApplyObject> objects;
    QList<Side> live;
    QList<Side> merged;
    int pending = 0;
    QPointer<QObject> context;
    std::function<void(const QList<manifest::ObjectDiff> &)> done;

    void answered()
    {
        if (--pending > 0 || !context)
            return;
        QList<manifest::ObjectDiff> diffs;
        for (qsizetype i = 0; i < objects.size(); ++i) {
            const QJsonObject &object = objects[i].object;
            manifest::ObjectDiff diff;
            const QString error = !live[i].error.isEmpty() ? live[i].error : merged[i].error;
            if (error.isEmpty()) {
                diff = manifest::compareObjects(live[i].object, *merged[i].object);
            } else {
                diff.kind = object.value("kind"_L1).toString();
                diff.name = object.value("metadata"_L1)["name"_L1].toString();
                diff.path = manifest::diffName(object);
                diff.exists = live[i].object.has_value();
                diff.error = error;
            }
            diff.document = objects[i].source.document;
            diff.line = objects[i].source.line;
            diffs.append(diff);
        }
        done(diffs);
    }
};

QList<client::ApplyObject> expandLists(const QList<client::ApplyObject> &objects)
{
    QList<client::ApplyObject> expanded;
    for (const client::ApplyObject &o : objects) {
        if (o.object.value("kind"_L1) == "List"_L1 && o.object.value("items"_L1).isArray()) {
            for (const QJsonValue &item : o.object.value("items"_L1).toArray())
                expanded.append({item.toObject(), o.source});
        } else {
            expanded.append(o);
        }
    }
    return expanded;
}

} // namespace

void diffAgainstCluster(client::ApiClient &api, const QList<client::ApplyObject> &objects,
                        const client::ApplyOptions &options, QObject *context,
                        std::function<void(const QList<manifest::ObjectDiff> &)> done)
{
    auto run = std::make_shared<Run>();
    run->objects = expandLists(objects);
    run->live.resize(run->objects.size());
    run->merged.resize(run->objects.size());
    run->pending = int(run->objects.size()) * 2;
    run->context = context;
    run->done = std::move(done);
    if (run->objects.isEmpty()) {
        QTimer::singleShot(0, context, [run] {
            run->pending = 1;
            run->answered();
        });
        return;
    }
    for (qsizetype i = 0; i < run->objects.size(); ++i) {
        const QJsonObject &object = run->objects[i].object;
        client::Applier::fetchLive(
            api, object,
            [run, i](client::Result<std::optional<QJsonObject>> live) {
                if (live)
                    run->live[i].object = *live;
                else
                    run->live[i].error = live.error().message;
                run->answered();
            },
            options.defaultNamespace);
        client::Applier::dryRunApply(api, object, options, [run, i](client::Result<QJsonObject> r) {
            if (r)
                run->merged[i].object = *r;
            else
                run->merged[i].error = r.error().message;
            run->answered();
        });
    }
}

} // namespace timonel::gui
