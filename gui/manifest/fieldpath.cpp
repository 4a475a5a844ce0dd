#include "manifest/fieldpath.h"

#include "manifest/fieldpath_p.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

namespace timonel::manifest {

namespace {
// This file's user-visible texts, translated in the "YamlEdit" context, as all of yamledit's.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(YamlEdit)
};
} // namespace

namespace detail {

std::expected<Path, QString> parsePath(const QString &text)
{
    const auto invalid = [&] {
        return std::unexpected(Tr::tr("invalid field path \"%1\"").arg(text));
    };
    Path path;
    qsizetype i = 0;
    while (i < text.size()) {
        if (text[i] == u'.') {
            if (path.isEmpty() || i + 1 == text.size() || text[i + 1] == u'.' ||
                text[i + 1] == u'[')
                return invalid();
            ++i;
        } else if (text[i] == u'[') {
            const QChar quote = i + 1 < text.size() ? text[i + 1] : QChar();
            if (quote == u'"' || quote == u'\'') {
                QString key;
                qsizetype j = i + 2;
                for (; j < text.size() && text[j] != quote; ++j) {
                    if (text[j] == u'\\' && j + 1 < text.size())
                        ++j;
                    key += text[j];
                }
                if (j + 1 >= text.size() || text[j + 1] != u']')
                    return invalid();
                path.append({key});
                i = j + 2;
            } else {
                const qsizetype close = text.indexOf(u']', i);
                if (close < 0)
                    return invalid();
                const QString inner = text.mid(i + 1, close - i - 1);
                bool number = false;
                const int index = inner.toInt(&number);
                if (number && index >= 0 && !inner.startsWith(u'+'))
                    path.append({QString(), index});
                else if (!inner.isEmpty())
                    path.append({inner});
                else
                    return invalid();
                i = close + 1;
            }
        } else {
            qsizetype end = i;
            while (end < text.size() && text[end] != u'.' && text[end] != u'[')
                ++end;
            if (end == i)
                return invalid();
            path.append({text.mid(i, end - i)});
            i = end;
        }
    }
    return path;
}

QString pathText(const Path &path)
{
    QString text;
    for (const Step &step : path) {
        if (step.isIndex())
            text += u'[' + QString::number(step.index) + u']';
        else if (step.key.contains(u'.') || step.key.contains(u'['))
            text += QStringLiteral("[\"") + step.key + QStringLiteral("\"]");
        else
            text += (text.isEmpty() ? QString() : QStringLiteral(".")) + step.key;
    }
    return text;
}

bool isRemoval(const QJsonValue &value)
{
    return value.isNull() || value.isUndefined();
}

std::expected<QJsonValue, QString> setIn(const QJsonValue &root, const Path &path, qsizetype i,
                                         const QJsonValue &value)
{
    if (i == path.size())
        return value;
    const Step &step = path[i];
    const bool last = i + 1 == path.size();
    const QString here = pathText(path.first(i + 1));
    if (!step.isIndex()) {
        if (!root.isObject() && !root.isNull() && !root.isUndefined())
            return std::unexpected(Tr::tr("%1: the value above it is not a map").arg(here));
        QJsonObject object = root.toObject();
        if (isRemoval(value) && !object.contains(step.key))
            return root;
        auto child = setIn(object.value(step.key), path, i + 1, value);
        if (!child)
            return child;
        if (last && isRemoval(*child))
            object.remove(step.key);
        else
            object.insert(step.key, *child);
        return object;
    }
    if (!root.isArray() && !root.isNull() && !root.isUndefined())
        return std::unexpected(Tr::tr("%1: the value above it is not a list").arg(here));
    QJsonArray array = root.toArray();
    if (isRemoval(value) && step.index >= array.size())
        return root;
    if (step.index > array.size())
        return std::unexpected(
            Tr::tr("%1: the list has %n item(s)", nullptr, int(array.size())).arg(here));
    auto child = setIn(array.at(step.index), path, i + 1, value);
    if (!child)
        return child;
    if (last && isRemoval(*child))
        array.removeAt(step.index);
    else if (step.index == array.size())
        array.append(*child);
    else
        array[step.index] = *child;
    return array;
}

QJsonValue valueAtPath(QJsonValue value, const Path &path)
{
    for (const Step &step : path)
        value = step.isIndex() ? value.toArray().at(step.index) : value.toObject().value(step.key);
    return value;
}

} // namespace detail

QString fieldPath(const QString &parent, const QString &key)
{
    static const QString special = QStringLiteral(".[]\"'\\");
    if (std::any_of(key.begin(), key.end(), [](QChar c) { return special.contains(c); }) ||
        key.isEmpty()) {
        QString escaped = key;
        escaped.replace(u'\\', QStringLiteral("\\\\")).replace(u'"', QStringLiteral("\\\""));
        return parent + QStringLiteral("[\"") + escaped + QStringLiteral("\"]");
    }
    return parent.isEmpty() ? key : parent + u'.' + key;
}

QString itemPath(const QString &parent, int index)
{
    return parent + u'[' + QString::number(index) + u']';
}

QJsonValue valueAt(const QJsonValue &root, const QString &path)
{
    const auto steps = detail::parsePath(path);
    if (!steps)
        return QJsonValue::Undefined;
    QJsonValue value = root;
    for (const detail::Step &step : *steps) {
        if (step.isIndex() ? !value.isArray() : !value.isObject())
            return QJsonValue::Undefined;
        value = step.isIndex() ? value.toArray().at(step.index) : value.toObject().value(step.key);
    }
    return value;
}

} // namespace timonel::manifest
