#include "controllerrefmanager.h"

#include "controllers/controllerutils.h"
#include "core/labelselector.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>

#include <memory>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcClaim, "timonel.controllers.claim", QtInfoMsg)

namespace timonel::controllers {

namespace {

const client::WriteQuery asControllerManager{u"kube-controller-manager"_s, false, false};

QJsonObject metaOf(const QJsonObject &o)
{
    return o.value(u"metadata").toObject();
}

QString uidOf(const QJsonObject &o)
{
    return metaOf(o).value(u"uid").toString();
}

QString nsOf(const QJsonObject &o)
{
    return metaOf(o).value(u"namespace").toString();
}

// The answers of the patches, counted down.
struct Pending
{
    int left = 0;
    bool failed = false;
    QList<QJsonObject> claimed;
};

} // namespace

void claimObjects(client::ApiClient &api, const client::Resource &resource,
                  const client::Resource &ownerResource, const QJsonObject &owner,
                  const core::LabelSelector &selector, const QList<QJsonObject> &candidates,
                  std::function<QJsonObject(const QJsonObject &)> shape, QObject *context,
                  std::function<void(std::optional<QList<QJsonObject>>)> then)
{
    const bool deleting = isBeingDeleted(owner);
    QList<QJsonObject> claimed, adopt, release;
    for (const QJsonObject &object : candidates) {
        const QString controller = controllerUid(object);
        const bool matches = selector.matches(metaOf(object).value(u"labels").toObject());
        if (controller == uidOf(owner)) {
            if (matches)
                claimed.append(object);
            else if (!deleting) // an owner being deleted lets nothing go
                release.append(object);
        } else if (controller.isEmpty() && matches && !deleting && !isBeingDeleted(object) &&
                   nsOf(object) == nsOf(owner)) {
            adopt.append(object);
        }
    }
    if (adopt.isEmpty() && release.isEmpty())
        return then(claimed);

    const QPointer<QObject> guard(context);
    auto patchAll = [&api, resource, owner, claimed, adopt, release, shape, guard,
                     then](bool mayAdopt) {
        auto pending =
            std::make_shared<Pending>(Pending{int(adopt.size() + release.size()), false, claimed});
        auto answered = [pending, guard, then] {
            if (--pending->left == 0 && guard)
                pending->failed ? then(std::nullopt) : then(pending->claimed);
        };
        auto send = [&api, resource, pending, shape,
                     answered](const QJsonObject &object, const QJsonObject &ref, bool adopting) {
            const QJsonObject patch{
                {u"metadata"_s,
                 QJsonObject{{u"ownerReferences"_s, QJsonArray{ref}}, {u"uid"_s, uidOf(object)}}}};
            api.patch(resource, nsOf(object), metaOf(object).value(u"name").toString(),
                      client::PatchType::StrategicMerge,
                      QJsonDocument(patch).toJson(QJsonDocument::Compact), {}, asControllerManager,
                      [pending, shape, answered, adopting](client::Result<QJsonObject> r) {
                          if (r && adopting) {
                              pending->claimed.append(shape ? shape(*r) : *r);
                          } else if (!r && !r.error().isNotFound()) {
                              qCInfo(lcClaim).noquote()
                                  << "claiming an object failed:" << r.error().message;
                              pending->failed = true;
                          }
                          answered();
                      });
        };
        for (const QJsonObject &object : adopt) {
            if (mayAdopt)
                send(object, controllerReference(owner), true);
            else
                answered();
        }
        for (const QJsonObject &object : release)
            send(object, QJsonObject{{u"$patch"_s, u"delete"_s}, {u"uid"_s, uidOf(owner)}}, false);
    };
    if (adopt.isEmpty())
        return patchAll(false);
    api.get(ownerResource, nsOf(owner), metaOf(owner).value(u"name").toString(),
            [owner, patchAll, guard](client::Result<QJsonObject> fresh) {
                if (guard)
                    patchAll(fresh && uidOf(*fresh) == uidOf(owner) && !isBeingDeleted(*fresh));
            });
}

} // namespace timonel::controllers
