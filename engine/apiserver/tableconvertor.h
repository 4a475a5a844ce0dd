// meta.k8s.io/v1 Table responses: the columns `kubectl get` prints, computed on the server from
// the columns of each kind in the schema data (name, age, JSON paths, printer functions).
#pragma once

#include "core/schema.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>

namespace timonel::apiserver {

enum class TableRowObject
{
    None,
    Metadata,
    Object
}; // the includeObject query parameter

// kubectl's duration formatting: "45s", "3m20s", "5h", "12d", "2y30d".
QString humanDuration(qint64 seconds);

class TableConvertor
{
public:
    explicit TableConvertor(QDateTime now = QDateTime::currentDateTimeUtc());

    QJsonArray columnDefinitions(const core::ResourceInfo &r) const;
    QJsonObject row(const core::ResourceInfo &r, const QJsonObject &object,
                    TableRowObject include) const;
    QJsonObject table(const core::ResourceInfo &r, const QList<QJsonObject> &objects,
                      const QJsonObject &listMetadata, TableRowObject include) const;

    // True when every column's printer function exists (checked by tst_tableconvertor for the
    // whole built-in schema).
    static bool hasPrinter(const QString &expression);

private:
    QJsonValue cell(const core::ResourceInfo &r, const core::TableColumn &column,
                    const QJsonObject &object) const;
    QDateTime m_now;
};

} // namespace timonel::apiserver
