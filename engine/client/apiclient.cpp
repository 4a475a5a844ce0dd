#include "apiclient.h"

#include <QJsonDocument>

namespace timonel::client {

void ApiClient::apply(const Resource &r, const QJsonObject &object, const WriteQuery &query,
                      Callback<QJsonObject> done)
{
    const QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    patch(r, meta.value(QLatin1String("namespace")).toString(),
          meta.value(QLatin1String("name")).toString(), PatchType::Apply,
          QJsonDocument(object).toJson(QJsonDocument::Compact), {}, query, std::move(done));
}

} // namespace timonel::client
