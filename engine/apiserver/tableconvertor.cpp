#include "tableconvertor.h"

#include "printers.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace timonel::apiserver {

QString humanDuration(qint64 seconds)
{
    // Mirrors k8s.io/apimachinery/pkg/util/duration.HumanDuration.
    if (seconds < -1)
        return u"<invalid>"_s;
    if (seconds < 0)
        return u"0s"_s;
    if (seconds < 60 * 2)
        return u"%1s"_s.arg(seconds);
    const qint64 minutes = seconds / 60;
    if (minutes < 10) {
        const qint64 s = seconds % 60;
        return s == 0 ? u"%1m"_s.arg(minutes) : u"%1m%2s"_s.arg(minutes).arg(s);
    }
    if (minutes < 60 * 3)
        return u"%1m"_s.arg(minutes);
    const qint64 hours = minutes / 60;
    if (hours < 8) {
        const qint64 m = minutes % 60;
        return m == 0 ? u"%1h"_s.arg(hours) : u"%1h%2m"_s.arg(hours).arg(m);
    }
    if (hours < 48)
        return u"%1h"_s.arg(hours);
    if (hours < 24 * 8) {
        const qint64 h = hours % 24;
        return h == 0 ? u"%1d"_s.arg(hours / 24) : u"%1d%2h"_s.arg(hours / 24).arg(h);
    }
    if (hours < 24 * 365 * 2)
        return u"%1d"_s.arg(hours / 24);
    if (hours < 24 * 365 * 8) {
        const qint64 d = (hours / 24) % 365;
        return d == 0 ? u"%1y"_s.arg(hours / 24 / 365) : u"%1y%2d"_s.arg(hours / 24 / 365).arg(d);
    }
    return u"%1y"_s.arg(hours / 24 / 365);
}

namespace {

// One step of the simple JSON paths the schema's columns use: ".a", "[0]", "[*]".
const QRegularExpression &pathStep()
{
    static const QRegularExpression step(QStringLiteral(R"(\.([^.\[]+)|\[(\*|\d+)\])"));
    return step;
}

// A JSON path of the simple kind the schema's columns use: ".a.b", ".a[0].b", ".a[*].b".
QList<QJsonValue> evaluatePath(const QJsonValue &root, QStringView path)
{
    QList<QJsonValue> current{root};
    auto it = pathStep().globalMatchView(path);
    while (it.hasNext()) {
        const auto m = it.next();
        QList<QJsonValue> next;
        for (const QJsonValue &v : std::as_const(current)) {
            if (m.hasCaptured(1)) {
                const QJsonValue child = v.toObject().value(m.captured(1));
                if (!child.isUndefined() && !child.isNull())
                    next.append(child);
            } else if (m.captured(2) == u"*") {
                for (const QJsonValue &e : v.toArray())
                    next.append(e);
            } else {
                const QJsonArray a = v.toArray();
                const int i = m.captured(2).toInt();
                if (i < a.size())
                    next.append(a[i]);
            }
        }
        current = next;
    }
    return current;
}

// Where a column's JSON path ends in the kind's schema: the type, and the field's default.
struct PathTarget
{
    const core::SchemaType *type = nullptr; // nullptr when the path leaves the schema
    QJsonValue defaultValue = QJsonValue::Undefined;
};

PathTarget schemaTarget(const core::SchemaType *type, QStringView path)
{
    using Kind = core::SchemaType::Kind;
    PathTarget target{type};
    auto it = pathStep().globalMatchView(path);
    while (target.type && it.hasNext()) {
        const auto m = it.next();
        const core::SchemaType *t = target.type;
        target = {};
        if (m.hasCaptured(1) && t->kind == Kind::Object) {
            if (const core::SchemaField *f = t->field(m.capturedView(1)))
                target = {f->type, f->defaultValue};
        } else if ((m.hasCaptured(1) && t->kind == Kind::Map) ||
                   (!m.hasCaptured(1) && t->kind == Kind::List)) {
            target.type = t->element;
        }
    }
    return target;
}

QString scalarText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::String:
        return v.toString();
    case QJsonValue::Double: {
        const double d = v.toDouble();
        return d == double(qint64(d)) ? QString::number(qint64(d)) : QString::number(d);
    }
    case QJsonValue::Bool:
        return v.toBool() ? u"true"_s : u"false"_s;
    default:
        return {};
    }
}

} // namespace

TableConvertor::TableConvertor(QDateTime now) : m_now(std::move(now)) {}

bool TableConvertor::hasPrinter(const QString &expression)
{
    return expression == u"name" || expression == u"age" || expression.startsWith(u'.') ||
           printerFunction(expression) != nullptr;
}

QJsonArray TableConvertor::columnDefinitions(const core::ResourceInfo &r) const
{
    QJsonArray defs;
    const QList<core::TableColumn> columns =
        r.columns.isEmpty()
            ? QList<core::TableColumn>{{u"Name"_s, u"string"_s, u"name"_s, 0, {}, u"name"_s},
                                       {u"Age"_s, u"string"_s, {}, 0, {}, u"age"_s}}
            : r.columns;
    for (const core::TableColumn &c : columns) {
        QString description = c.description;
        const QString format = c.format.isEmpty() ? printerFormat(c.expression) : c.format;
        if (description.isEmpty() && c.expression == u"name")
            description = u"Name must be unique within a namespace."_s;
        if (description.isEmpty() && c.expression == u"age")
            description = u"The time since the object was created."_s;
        defs.append(QJsonObject{{u"name"_s, c.name},
                                {u"type"_s, c.type},
                                {u"format"_s, format},
                                {u"description"_s, description},
                                {u"priority"_s, c.priority}});
    }
    return defs;
}

QJsonValue TableConvertor::cell(const core::ResourceInfo &r, const core::TableColumn &column,
                                const QJsonObject &object) const
{
    const QString &e = column.expression;
    const QJsonObject meta = object.value(u"metadata").toObject();
    if (e == u"name")
        return meta.value(u"name").toString();
    if (e == u"age") {
        const QDateTime created =
            QDateTime::fromString(meta.value(u"creationTimestamp").toString(), Qt::ISODate);
        return created.isValid() ? humanDuration(created.secsTo(m_now)) : u"<unknown>"_s;
    }
    if (e.startsWith(u'.')) {
        // Kubernetes' printers read typed Go fields: an absent field prints as its default or
        // the zero value ("", 0, false), and integer fields give integer cells even under a
        // column typed string (a Deployment's UP-TO-DATE).
        const QList<QJsonValue> values = evaluatePath(object, e);
        const PathTarget target = schemaTarget(r.schema, e);
        const bool integer = target.type && target.type->kind == core::SchemaType::Kind::Integer;
        if (integer || column.type == u"integer" || column.type == u"number" ||
            column.type == u"boolean") {
            if (!values.isEmpty())
                return values.first();
            if (!target.defaultValue.isUndefined())
                return target.defaultValue;
            return column.type == u"boolean" ? QJsonValue(false) : QJsonValue(0);
        }
        if (values.isEmpty())
            return scalarText(target.defaultValue);
        QStringList texts;
        for (const QJsonValue &v : values)
            texts.append(scalarText(v));
        return texts.join(u',');
    }
    if (const PrinterFunction f = printerFunction(e))
        return f(object, m_now);
    return u"<unknown>"_s;
}

QJsonObject TableConvertor::row(const core::ResourceInfo &r, const QJsonObject &object,
                                TableRowObject include) const
{
    QJsonArray cells;
    if (r.columns.isEmpty()) {
        cells.append(cell(r, {u"Name"_s, {}, {}, 0, {}, u"name"_s}, object));
        cells.append(cell(r, {u"Age"_s, {}, {}, 0, {}, u"age"_s}, object));
    }
    for (const core::TableColumn &c : r.columns)
        cells.append(cell(r, c, object));
    QJsonObject row{{u"cells"_s, cells}};
    if (const QJsonArray conditions = rowConditions(r.group, r.kind, object); !conditions.isEmpty())
        row.insert(u"conditions"_s, conditions);
    if (include == TableRowObject::Object) {
        row.insert(u"object"_s, object);
    } else if (include == TableRowObject::Metadata) {
        QJsonObject meta = object.value(u"metadata").toObject();
        meta.remove(u"managedFields"_s);
        row.insert(u"object"_s, QJsonObject{{u"kind"_s, u"PartialObjectMetadata"_s},
                                            {u"apiVersion"_s, u"meta.k8s.io/v1"_s},
                                            {u"metadata"_s, meta}});
    }
    return row;
}

QJsonObject TableConvertor::table(const core::ResourceInfo &r, const QList<QJsonObject> &objects,
                                  const QJsonObject &listMetadata, TableRowObject include) const
{
    QJsonArray rows;
    for (const QJsonObject &o : objects)
        rows.append(row(r, o, include));
    return QJsonObject{{u"kind"_s, u"Table"_s},
                       {u"apiVersion"_s, u"meta.k8s.io/v1"_s},
                       {u"metadata"_s, listMetadata},
                       {u"columnDefinitions"_s, columnDefinitions(r)},
                       {u"rows"_s, rows}};
}

} // namespace timonel::apiserver
