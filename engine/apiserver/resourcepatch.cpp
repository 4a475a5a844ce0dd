// PATCH of every kind (JSON, merge, strategic merge) and server-side apply, and the scale
// subresource: what kube-apiserver's patch handler does before an update or a create.
#include "resourcestore.h"

#include "fieldmanager.h"
#include "resourcestore_p.h"

#include "core/jsonpatch.h"
#include "core/labelselector.h"
#include "core/mergepatch.h"
#include "core/strategicmergepatch.h"
#include "core/yaml.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;
using timonel::core::ResourceInfo;
using namespace timonel::apiserver::detail;

namespace timonel::apiserver {

namespace {

std::expected<QJsonValue, QString> parseBody(const QByteArray &body, bool yaml)
{
    if (yaml) {
        auto v = core::parseYaml(body);
        if (!v)
            return std::unexpected(v.error().message);
        return *v;
    }
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        return std::unexpected(error.errorString());
    return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
}

} // namespace

void ResourceStore::patch(const ResourceInfo &r, const QString &ns, const QString &name,
                          const QString &subresource, PatchType type, const QByteArray &body,
                          const WriteOptions &options, WriteCallback done)
{
    auto parsed = parseBody(body, type == PatchType::Apply);
    if (!parsed)
        return done(std::unexpected(ApiError::badRequest(parsed.error())));
    auto old = m_storage.get(keyFor(r, ns, name));

    if (type == PatchType::Apply) {
        if (!parsed->isObject())
            return done(std::unexpected(ApiError::badRequest(u"the apply body is not an object"_s)));
        QJsonObject config = parsed->toObject();
        QStringList warnings;
        if (auto ok = decodeCheck(r, config, options, warnings); !ok)
            return done(std::unexpected(ok.error()));
        if (nameOf(config) != name)
            return done(std::unexpected(ApiError::badRequest(
                u"the name of the object (%1) does not match the name on the URL (%2)"_s.arg(
                    nameOf(config), name))));
        auto applied = applyConfiguration(old ? old->object : QJsonObject(), config,
                                          options.fieldManager, options.force, r.schema,
                                          r.apiVersion(), QDateTime::currentDateTimeUtc(),
                                          subresource);
        if (!applied) {
            const ApplyFailure &failure = applied.error();
            ApiError e{failure.code, failure.reason, failure.message, {}};
            if (!failure.conflicts.isEmpty()) {
                e = ApiError::conflict(r.groupResource(), name, {});
                e.message = failure.message;
                QJsonArray causes;
                for (const FieldConflict &c : failure.conflicts)
                    causes.append(QJsonObject{{u"reason"_s, u"FieldManagerConflict"_s},
                                              {u"message"_s, c.message()},
                                              {u"field"_s, c.field}});
                e.details.insert(u"causes"_s, causes);
            }
            return done(std::unexpected(e));
        }
        if (!old) {
            QJsonObject m = meta(*applied);
            if (r.namespaced)
                m.insert(u"namespace"_s, ns);
            setMeta(*applied, m);
        }
        // applyConfiguration already did the bookkeeping: an Apply entry, which recording the
        // write again would replace with an Update one (as a create by apply once did).
        WriteOptions o = options;
        o.fieldManager.clear();
        if (!old)
            return finishCreate(r, ns, *applied, o, warnings, std::move(done));
        return finishUpdate(r, ns, name, subresource, old->object, *applied, o, warnings,
                            std::move(done));
    }

    if (!old)
        return done(std::unexpected(ApiError::notFound(r.groupResource(), name)));
    QJsonObject current = old->object;
    const bool scale = subresource == u"scale";
    if (scale)
        current = scaleOf(r, current);
    QJsonObject patched;
    switch (type) {
    case PatchType::Json: {
        if (!parsed->isArray())
            return done(std::unexpected(ApiError::badRequest(
                u"json: cannot unmarshal object into Go value of type jsonpatch.Patch"_s)));
        auto result = core::applyJsonPatch(current, parsed->toArray());
        if (!result)
            return done(std::unexpected(
                ApiError{422, u"Invalid"_s, result.error(), {}}));
        patched = result->toObject();
        break;
    }
    case PatchType::Merge:
        patched = core::applyMergePatch(current, *parsed).toObject();
        break;
    case PatchType::StrategicMerge: {
        auto result = core::applyStrategicMergePatch(current, parsed->toObject(),
                                                     scale ? nullptr : r.schema);
        if (!result)
            return done(std::unexpected(ApiError::badRequest(result.error())));
        patched = *result;
        break;
    }
    case PatchType::Apply:
        break;
    }
    if (scale) {
        QJsonObject target = old->object;
        QJsonObject spec = target.value(u"spec").toObject();
        spec.insert(u"replicas"_s, patched.value(u"spec").toObject().value(u"replicas"));
        target.insert(u"spec"_s, spec);
        const WriteCallback toScale = [r, done](ApiResult<Written> w) {
            if (w)
                w->object = scaleOf(r, w->object);
            done(std::move(w));
        };
        return finishUpdate(r, ns, name, u"scale"_s, old->object, target, options, {}, toScale);
    }
    if (auto ok = [&] { QStringList w; return decodeCheck(r, patched, options, w); }(); !ok)
        return done(std::unexpected(ok.error()));
    finishUpdate(r, ns, name, subresource, old->object, patched, options, {}, std::move(done));
}

QJsonObject ResourceStore::scaleOf(const ResourceInfo &r, const QJsonObject &object)
{
    const QJsonObject m = meta(object);
    const QJsonObject spec = object.value(u"spec").toObject();
    const QJsonObject status = object.value(u"status").toObject();
    QString selector;
    if (auto s = core::LabelSelector::fromJson(spec.value(u"selector").toObject()))
        selector = s->toString();
    QJsonObject scaleMeta;
    for (const char16_t *k : {u"name", u"namespace", u"uid", u"resourceVersion", u"creationTimestamp"})
        if (m.contains(k))
            scaleMeta.insert(QString::fromUtf16(k), m.value(k));
    Q_UNUSED(r);
    return QJsonObject{{u"kind"_s, u"Scale"_s},
                       {u"apiVersion"_s, u"autoscaling/v1"_s},
                       {u"metadata"_s, scaleMeta},
                       {u"spec"_s, QJsonObject{{u"replicas"_s, spec.value(u"replicas").toInteger(1)}}},
                       {u"status"_s, QJsonObject{{u"replicas"_s, status.value(u"replicas").toInteger()},
                                                 {u"selector"_s, selector}}}};
}


} // namespace timonel::apiserver
