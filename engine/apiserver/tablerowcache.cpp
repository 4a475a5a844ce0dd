#include "tablerowcache.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace timonel::apiserver {

namespace {

// Rows of objects long deleted are dropped wholesale past this many.
constexpr qsizetype maxRows = 20000;

QList<qsizetype> ageColumns(const core::ResourceInfo &r)
{
    if (r.columns.isEmpty())
        return {1}; // the default Name, Age
    QList<qsizetype> out;
    for (qsizetype i = 0; i < r.columns.size(); ++i)
        if (r.columns[i].expression == u"age")
            out.append(i);
    return out;
}

QJsonArray withoutAges(QJsonArray cells, const QList<qsizetype> &ages)
{
    for (qsizetype i : ages)
        if (i < cells.size())
            cells[i] = QJsonValue::Null;
    return cells;
}

} // namespace

QJsonObject TableRowCache::row(const core::ResourceInfo &r, const StoredJson &item,
                               TableRowObject include, const TableConvertor &tables,
                               const QDateTime &now)
{
    const QList<qsizetype> ages = ageColumns(r);
    auto it = m_rows.constFind(item.key);
    if (it != m_rows.cend() && it->revision == item.revision && it->resource == &r
        && it->include == include) {
        QJsonObject row = it->row;
        QJsonArray cells = row.value(u"cells").toArray();
        for (qsizetype i : ages)
            if (i < cells.size())
                cells[i] = it->created.isValid() ? humanDuration(it->created.secsTo(now))
                                                 : u"<unknown>"_s;
        row.insert(u"cells"_s, cells);
        return row;
    }
    const QJsonObject object = QJsonDocument::fromJson(item.json).object();
    const QJsonObject row = tables.row(r, object, include);
    if (include == TableRowObject::Object)
        return row; // whole objects are not worth keeping twice
    // Cacheable when the same object read ten years later differs only in its ages.
    const QJsonObject later = TableConvertor(now.addYears(10)).row(r, object, include);
    if (withoutAges(row.value(u"cells").toArray(), ages)
        != withoutAges(later.value(u"cells").toArray(), ages))
        return row;
    if (m_rows.size() >= maxRows)
        m_rows.clear();
    m_rows.insert(item.key,
                  {item.revision, &r, include, row,
                   QDateTime::fromString(object.value(u"metadata")
                                             .toObject()
                                             .value(u"creationTimestamp")
                                             .toString(),
                                         Qt::ISODate)});
    return row;
}

} // namespace timonel::apiserver
