// The client::Error of an error answer: the server's Status, or for answers without one (a
// proxy's text, an empty body) the error client-go makes of the HTTP code, so that callers
// always get a code, a reason and a message.
#pragma once

#include "client/apiclient.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace timonel::client {

// What a request was about, for the messages of errors without a Status:
// "the server could not find the requested resource (get pods web)".
struct RequestSummary
{
    QByteArray method; // "GET"
    QString resource;  // "pods", "deployments.apps"
    QString name;
};

// A meta/v1 Status (e.g. the object of a watch's ERROR event); `httpCode` when it has no code.
Error errorFromStatus(const QJsonObject &status, int httpCode = 0);

// An HTTP error answer (client-go's NewGenericServerResponse for a body that is no Status).
Error errorFromResponse(int code, const QByteArray &contentType, const QByteArray &body,
                        const RequestSummary &about = {});

} // namespace timonel::client
