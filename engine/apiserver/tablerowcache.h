// Table rows of stored objects, kept per object revision: listing a thousand pods as a Table
// would otherwise parse every object each time. A row is kept only when nothing in it but its
// AGE depends on the clock (a pod's "3 (5m ago)" restarts, say, is recomputed every time).
#pragma once

#include "tableconvertor.h"

#include "storage/storage.h"

#include <QHash>

namespace timonel::apiserver {

class TableRowCache
{
public:
    QJsonObject row(const core::ResourceInfo &r, const StoredJson &item, TableRowObject include,
                    const TableConvertor &tables, const QDateTime &now);

private:
    struct Entry
    {
        qint64 revision = 0;
        const core::ResourceInfo *resource = nullptr;
        TableRowObject include = TableRowObject::Metadata;
        QJsonObject row;
        QDateTime created;
    };

    QHash<QString, Entry> m_rows;
};

} // namespace timonel::apiserver
