// Records core/v1 Events about objects, as client-go's EventRecorder and the events kubectl
// describe shows: the same event repeated about the same object (same source, type, reason and
// message) is one Event whose count and lastTimestamp go up, not a new object each time.
#pragma once

#include "client/apiclient.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>

namespace timonel::client {

class EventRecorder : public QObject
{
    Q_OBJECT
public:
    // component: source.component ("default-scheduler", "kubelet", "deployment-controller");
    // host: source.host (the node, for kubelets).
    EventRecorder(ApiClient &api, QString component, QString host = {}, QObject *parent = nullptr);

    // `involved` is the object (apiVersion, kind, metadata with name, namespace, uid,
    // resourceVersion); type is "Normal" or "Warning". fieldPath points into the object
    // ("spec.containers{nginx}").
    void event(const QJsonObject &involved, const QString &type, const QString &reason,
               const QString &message, const QString &fieldPath = {});

    static QJsonObject objectReference(const QJsonObject &object, const QString &fieldPath = {});

private:
    struct Recorded
    {
        QString ns;
        QString name;
        int count = 0;
        bool pending = false; // the create is in flight: repeats only add to the count
        int unsent = 0;
    };
    void create(const QString &key, const QJsonObject &event);
    void bump(const QString &key, const QJsonObject &event);

    ApiClient &m_api;
    QString m_component;
    QString m_host;
    QHash<QString, Recorded> m_recorded; // key: involved uid + type + reason + message
};

} // namespace timonel::client
