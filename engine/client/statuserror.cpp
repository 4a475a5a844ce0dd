#include "client/statuserror.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace timonel::client {

namespace {

// client-go's cap on the text of a non-Status error answer.
constexpr qsizetype maxUnstructuredErrorBytes = 2048;

} // namespace

Error errorFromStatus(const QJsonObject &status, int httpCode)
{
    const int code = status.value(u"code").toInt();
    return {code ? code : httpCode, status.value(u"reason").toString(),
            status.value(u"message").toString(), status};
}

Error errorFromResponse(int code, const QByteArray &contentType, const QByteArray &body,
                        const RequestSummary &about)
{
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    if (o.value(u"kind").toString() == u"Status")
        return errorFromStatus(o, code);
    QString serverMessage = u"unknown"_s;
    if (contentType.startsWith("text/plain"))
        serverMessage = QString::fromUtf8(body.left(maxUnstructuredErrorBytes)).trimmed();
    QString reason = u"Unknown"_s;
    QString message =
        u"the server responded with the status code %1 but did not return more information"_s.arg(
            code);
    switch (code) {
    case 409:
        reason = about.method == "POST" ? u"AlreadyExists"_s : u"Conflict"_s;
        message = u"the server reported a conflict"_s;
        break;
    case 404:
        reason = u"NotFound"_s;
        message = u"the server could not find the requested resource"_s;
        break;
    case 400:
        reason = u"BadRequest"_s;
        message = u"the server rejected our request for an unknown reason"_s;
        break;
    case 401:
        reason = u"Unauthorized"_s;
        message = u"the server has asked for the client to provide credentials"_s;
        break;
    case 403:
        reason = u"Forbidden"_s;
        message = serverMessage;
        break;
    case 405:
        reason = u"MethodNotAllowed"_s;
        message = u"the server does not allow this method on the requested resource"_s;
        break;
    case 415:
        reason = u"UnsupportedMediaType"_s;
        message = serverMessage;
        break;
    case 422:
        reason = u"Invalid"_s;
        message = u"the server rejected our request due to an error in our request"_s;
        break;
    case 429:
        reason = u"TooManyRequests"_s;
        message = u"the server has received too many requests and has asked us to try again "
                  "later"_s;
        break;
    case 503:
        reason = u"ServiceUnavailable"_s;
        message = u"the server is currently unable to handle the request"_s;
        break;
    case 504:
        reason = u"Timeout"_s;
        message = u"the server was unable to return a response in the time allotted, but may "
                  "still be processing the request"_s;
        break;
    default:
        if (code >= 500) {
            reason = u"InternalError"_s;
            message = u"an error on the server (\"%1\") has prevented the request from "
                      "succeeding"_s.arg(serverMessage);
        }
    }
    if (!about.resource.isEmpty())
        message += u" (%1 %2%3)"_s.arg(QString::fromLatin1(about.method).toLower(), about.resource,
                                       about.name.isEmpty() ? QString() : u" "_s + about.name);
    const QJsonObject status{{u"kind"_s, u"Status"_s},
                             {u"apiVersion"_s, u"v1"_s},
                             {u"metadata"_s, QJsonObject()},
                             {u"status"_s, u"Failure"_s},
                             {u"message"_s, message},
                             {u"reason"_s, reason},
                             {u"code"_s, code}};
    return {code, reason, message, status};
}

} // namespace timonel::client
