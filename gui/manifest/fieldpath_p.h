// Field paths as the parts of yamledit walk them: a list of steps, each a key or a list index.
#pragma once

#include <QJsonValue>
#include <QList>
#include <QString>

#include <expected>

namespace timonel::manifest::detail {

struct Step
{
    QString key;
    int index = -1; // >= 0: a list item
    bool isIndex() const { return index >= 0; }
};
using Path = QList<Step>;

std::expected<Path, QString> parsePath(const QString &text);
QString pathText(const Path &path);
// A null or undefined value stands for removing the field.
bool isRemoval(const QJsonValue &value);
// The JSON the edited document must read back as: `root` with path (from step i) set to value,
// or removed.
std::expected<QJsonValue, QString> setIn(const QJsonValue &root, const Path &path, qsizetype i,
                                         const QJsonValue &value);
// The value at path; undefined where a step is missing.
QJsonValue valueAtPath(QJsonValue value, const Path &path);

} // namespace timonel::manifest::detail
