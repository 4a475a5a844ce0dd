#include "kustomizehash.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QLocale>

#include <algorithm>
#include <cmath>

namespace timonel::gitops::kustomize {

namespace {

using namespace Qt::StringLiterals;

void appendString(QByteArray &out, const QString &text)
{
    static const char hex[] = "0123456789abcdef";
    out += '"';
    for (const char32_t c : text.toUcs4()) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            // Control characters, the HTML-sensitive <, > and &, and the line and paragraph
            // separators JavaScript treats as line ends are written as \u escapes.
            if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
                out += "\\u";
                for (int shift = 12; shift >= 0; shift -= 4)
                    out += hex[(c >> shift) & 0xf];
            } else {
                out += QString::fromUcs4(&c, 1).toUtf8();
            }
        }
    }
    out += '"';
}

// strconv.FormatFloat(f, 'f' or 'e', -1, 64) as encoding/json chooses between them.
QByteArray goNumber(double number)
{
    if (!std::isfinite(number))
        return "null";
    const double magnitude = std::abs(number);
    if (magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e21))
        return QLocale::c().toString(number, 'f', QLocale::FloatingPointShortest).toLatin1();
    QByteArray text = QLocale::c().toString(number, 'e', QLocale::FloatingPointShortest).toLatin1();
    // Go writes e-07 as e-07 too, but encoding/json then trims it to e-7.
    const qsizetype e = text.indexOf('e');
    if (e >= 0 && e + 3 < text.size() && text[e + 2] == '0')
        text.remove(e + 2, 1);
    return text;
}

void appendValue(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        out += value.toBool() ? "true" : "false";
        break;
    case QJsonValue::Double:
        out += goNumber(value.toDouble());
        break;
    case QJsonValue::String:
        appendString(out, value.toString());
        break;
    case QJsonValue::Array: {
        out += '[';
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (i > 0)
                out += ',';
            appendValue(out, array.at(i));
        }
        out += ']';
        break;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        QList<QByteArray> keys;
        for (auto it = object.begin(); it != object.end(); ++it)
            keys.append(it.key().toUtf8());
        std::sort(keys.begin(), keys.end());
        out += '{';
        for (qsizetype i = 0; i < keys.size(); ++i) {
            if (i > 0)
                out += ',';
            const QString key = QString::fromUtf8(keys[i]);
            appendString(out, key);
            out += ':';
            appendValue(out, object.value(key));
        }
        out += '}';
        break;
    }
    default:
        out += "null";
    }
}

// kustomize reads these fields with a lookup that cannot fail to find a map: a missing field is
// the empty string.
QJsonValue mapOrEmpty(const QJsonObject &object, const QString &field)
{
    const QJsonValue value = object.value(field);
    if (value.isObject())
        return value;
    if (value.isString())
        return value;
    return u""_s;
}

} // namespace

QByteArray goJson(const QJsonValue &value)
{
    QByteArray out;
    appendValue(out, value);
    return out;
}

QString encodeHash(const QByteArray &data)
{
    QByteArray hex = QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex().left(10);
    for (char &c : hex) {
        switch (c) {
        case '0':
            c = 'g';
            break;
        case '1':
            c = 'h';
            break;
        case '3':
            c = 'k';
            break;
        case 'a':
            c = 'm';
            break;
        case 'e':
            c = 't';
            break;
        default:
            break;
        }
    }
    return QString::fromLatin1(hex);
}

QString nameContentHash(const QJsonObject &object)
{
    // kustomize looks the name up as a single key "metadata/name", which no object has: the
    // name it hashes is always empty, so the hash depends on the content alone.
    const QString kind = object.value(u"kind"_s).toString();
    QJsonObject encoded;
    if (kind == u"ConfigMap"_s) {
        encoded = {
            {u"kind"_s, kind}, {u"name"_s, u""_s}, {u"data"_s, mapOrEmpty(object, u"data"_s)}};
        if (object.value(u"binaryData"_s).isObject())
            encoded.insert(u"binaryData"_s, object.value(u"binaryData"_s));
    } else if (kind == u"Secret"_s) {
        encoded = {{u"kind"_s, kind},
                   {u"name"_s, u""_s},
                   {u"type"_s, object.value(u"type"_s).toString()},
                   {u"data"_s, mapOrEmpty(object, u"data"_s)}};
        if (object.value(u"stringData"_s).isObject())
            encoded.insert(u"stringData"_s, object.value(u"stringData"_s));
    } else {
        return encodeHash(goJson(object));
    }
    return encodeHash(goJson(encoded));
}

} // namespace timonel::gitops::kustomize
