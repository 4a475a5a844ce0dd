#include "tar.h"

#include <QFile>
#include <QIODevice>

#include <algorithm>
#include <cstring>
#include <optional>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

namespace timonel::docker {

namespace {

constexpr qsizetype BlockSize = 512;
constexpr qint64 StreamPiece = 1 << 20;

// The ustar header (POSIX.1-1988), offsets and widths.
struct Field
{
    qsizetype offset;
    qsizetype width;
};
constexpr Field NameField{0, 100};
constexpr Field ModeField{100, 8};
constexpr Field UidField{108, 8};
constexpr Field GidField{116, 8};
constexpr Field SizeField{124, 12};
constexpr Field MtimeField{136, 12};
constexpr Field ChecksumField{148, 8};
constexpr qsizetype TypeOffset = 156;
constexpr Field LinkNameField{157, 100};
constexpr Field MagicField{257, 8}; // magic (6) + version (2)
constexpr Field UnameField{265, 32};
constexpr Field GnameField{297, 32};
constexpr Field DevMajorField{329, 8};
constexpr Field DevMinorField{337, 8};
constexpr Field PrefixField{345, 155};

// The largest value an octal field of `width` bytes holds (width - 1 digits and a NUL).
constexpr qint64 maxOctal(qsizetype width)
{
    return (qint64(1) << (3 * (width - 1))) - 1;
}

qint64 paddingFor(qint64 size)
{
    return (BlockSize - size % BlockSize) % BlockSize;
}

// ---- writing -------------------------------------------------------------------------------

void putBytes(char *block, Field field, QByteArrayView value)
{
    std::memcpy(block + field.offset, value.data(), std::min(value.size(), field.width));
}

void putOctal(char *block, Field field, qint64 value)
{
    Q_ASSERT(value >= 0 && value <= maxOctal(field.width));
    const QByteArray digits = QByteArray::number(value, 8).rightJustified(field.width - 1, '0');
    putBytes(block, field, digits);
    block[field.offset + field.width - 1] = '\0';
}

bool needsPax(QByteArrayView name, qsizetype width)
{
    if (name.size() > width)
        return true;
    return std::any_of(name.begin(), name.end(),
                       [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// One "length key=value\n" record; the length counts its own digits.
QByteArray paxRecord(QByteArrayView key, QByteArrayView value)
{
    const qsizetype rest = key.size() + value.size() + 3; // ' ', '=', '\n'
    qsizetype length = rest + QByteArray::number(rest).size();
    if (QByteArray::number(length).size() + rest != length)
        ++length;
    QByteArray record = QByteArray::number(length);
    record += ' ';
    record.append(key);
    record += '=';
    record.append(value);
    record += '\n';
    Q_ASSERT(record.size() == length);
    return record;
}

QByteArray relativePath(const QString &path)
{
    QByteArray name = path.toUtf8();
    qsizetype slashes = 0;
    while (slashes < name.size() && name[slashes] == '/')
        ++slashes;
    return name.mid(slashes);
}

#ifdef Q_OS_UNIX
std::optional<int> unixMode(const QString &file)
{
    struct stat st;
    if (::stat(QFile::encodeName(file).constData(), &st) != 0)
        return std::nullopt;
    return int(st.st_mode & 07777);
}
#endif

int modeOf(const QFile &file)
{
#ifdef Q_OS_UNIX
    if (const auto mode = unixMode(file.fileName()))
        return *mode;
#endif
    const QFileDevice::Permissions p = file.permissions();
    int mode = 0;
    const std::pair<QFileDevice::Permission, int> bits[] = {
        {QFileDevice::ReadOwner, 0400}, {QFileDevice::WriteOwner, 0200},
        {QFileDevice::ExeOwner, 0100},  {QFileDevice::ReadGroup, 040},
        {QFileDevice::WriteGroup, 020}, {QFileDevice::ExeGroup, 010},
        {QFileDevice::ReadOther, 04},   {QFileDevice::WriteOther, 02},
        {QFileDevice::ExeOther, 01},
    };
    for (const auto &[permission, bit] : bits) {
        if (p.testFlag(permission))
            mode |= bit;
    }
    return mode;
}

// ---- reading -------------------------------------------------------------------------------

QByteArrayView fieldView(QByteArrayView block, Field field)
{
    return block.sliced(field.offset, field.width);
}

// A NUL-terminated string field (a full field has no NUL).
QByteArrayView fieldString(QByteArrayView block, Field field)
{
    const QByteArrayView view = fieldView(block, field);
    const qsizetype nul = view.indexOf('\0');
    return nul < 0 ? view : view.first(nul);
}

// Octal (space or NUL padded), or GNU base-256 when the high bit of the first byte is set.
std::optional<qint64> parseNumber(QByteArrayView field)
{
    if (!field.isEmpty() && (static_cast<unsigned char>(field[0]) & 0x80)) {
        const unsigned char invert = (static_cast<unsigned char>(field[0]) & 0x40) ? 0xff : 0;
        quint64 value = 0;
        for (qsizetype i = 0; i < field.size(); ++i) {
            unsigned char c = static_cast<unsigned char>(field[i]) ^ invert;
            if (i == 0)
                c &= 0x7f;
            if ((value >> 56) != 0)
                return std::nullopt;
            value = (value << 8) | c;
        }
        if ((value >> 63) != 0)
            return std::nullopt;
        return invert ? ~qint64(value) : qint64(value);
    }
    const auto pad = [](char c) { return c == ' ' || c == '\0'; };
    while (!field.isEmpty() && pad(field.front()))
        field = field.sliced(1);
    while (!field.isEmpty() && pad(field.back()))
        field.chop(1);
    if (field.size() > 21) // 21 octal digits reach 2^63
        return std::nullopt;
    quint64 value = 0;
    for (char c : field) {
        if (c < '0' || c > '7')
            return std::nullopt;
        value = value * 8 + quint64(c - '0');
    }
    if ((value >> 63) != 0)
        return std::nullopt;
    return qint64(value);
}

std::optional<qint64> parseDecimal(QByteArrayView text)
{
    if (text.isEmpty() || text.size() > 18)
        return std::nullopt;
    qint64 value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

// PAX times may carry a fraction and a sign: "-12.5", "1700000000.123456789".
std::optional<qint64> parsePaxTime(QByteArrayView text)
{
    const bool negative = text.startsWith('-');
    if (negative)
        text = text.sliced(1);
    const qsizetype dot = text.indexOf('.');
    const auto seconds = parseDecimal(dot < 0 ? text : text.first(dot));
    if (!seconds)
        return std::nullopt;
    return negative ? -*seconds : *seconds;
}

struct Overrides
{
    std::optional<QByteArray> path;
    std::optional<QByteArray> linkPath;
    std::optional<qint64> size;
    std::optional<qint64> mtime;
};

QString offsetText(qsizetype offset)
{
    return QStringLiteral("at offset %1").arg(offset);
}

// Applies the records of a PAX extended header to `overrides`.
std::expected<void, QString> parsePax(QByteArrayView records, Overrides &overrides,
                                      qsizetype offset)
{
    const auto bad = [offset] {
        return std::unexpected(
            QStringLiteral("malformed PAX extended header %1").arg(offsetText(offset)));
    };
    while (!records.isEmpty()) {
        // Some writers pad the data with NULs.
        if (records.front() == '\0')
            break;
        const qsizetype space = records.indexOf(' ');
        if (space <= 0)
            return bad();
        const auto length = parseDecimal(records.first(space));
        if (!length || *length < space + 3 || *length > records.size())
            return bad();
        const QByteArrayView record = records.first(*length);
        records = records.sliced(*length);
        if (!record.endsWith('\n'))
            return bad();
        const QByteArrayView keyValue = record.sliced(space + 1, *length - space - 2);
        const qsizetype equals = keyValue.indexOf('=');
        if (equals <= 0)
            return bad();
        const QByteArrayView key = keyValue.first(equals);
        const QByteArrayView value = keyValue.sliced(equals + 1);
        if (key == "path") {
            overrides.path = value.toByteArray();
        } else if (key == "linkpath") {
            overrides.linkPath = value.toByteArray();
        } else if (key == "size") {
            const auto size = parseDecimal(value);
            if (!size)
                return bad();
            overrides.size = *size;
        } else if (key == "mtime") {
            const auto mtime = parsePaxTime(value);
            if (!mtime)
                return bad();
            overrides.mtime = *mtime;
        }
    }
    return {};
}

bool isHeaderOnly(char type)
{
    // Links, devices, directories and FIFOs have no data whatever their size field says.
    return type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6';
}

} // namespace

// ---- TarWriter ---------------------------------------------------------------------------------

TarWriter::TarWriter(QIODevice *out) : m_out(out) {}

bool TarWriter::fail(const QString &message)
{
    m_error = message;
    return false;
}

bool TarWriter::breakArchive(const QString &message)
{
    m_broken = true;
    return fail(message);
}

bool TarWriter::checkUsable(const QString &path)
{
    if (m_broken)
        return false; // keeps the error that broke it
    if (m_finished)
        return fail(QStringLiteral("cannot add %1: the archive is already finished").arg(path));
    if (!m_out || !m_out->isWritable())
        return breakArchive(QStringLiteral("the archive's output is not open for writing"));
    if (relativePath(path).isEmpty())
        return fail(QStringLiteral("cannot add \"%1\" to an archive: the path is empty").arg(path));
    if (path.contains(QChar(0)))
        return fail(
            QStringLiteral("cannot add \"%1\" to an archive: the path contains a NUL").arg(path));
    return true;
}

bool TarWriter::checkMode(const QString &path, int mode)
{
    if (mode < 0 || mode > 07777)
        return fail(QStringLiteral("cannot add %1: invalid mode %2").arg(path).arg(mode, 0, 8));
    return true;
}

bool TarWriter::write(QByteArrayView data)
{
    if (data.isEmpty())
        return true;
    if (m_out->write(data.data(), data.size()) != data.size())
        return breakArchive(
            QStringLiteral("could not write the archive: %1").arg(m_out->errorString()));
    return true;
}

bool TarWriter::writePadding(qint64 size)
{
    static const char zeros[BlockSize] = {};
    return write(QByteArrayView(zeros, paddingFor(size)));
}

bool TarWriter::writeHeader(const Header &header)
{
    QByteArray pax;
    if (needsPax(header.name, NameField.width))
        pax += paxRecord("path", header.name);
    if (needsPax(header.linkName, LinkNameField.width))
        pax += paxRecord("linkpath", header.linkName);
    const bool sizeFits = header.size <= maxOctal(SizeField.width);
    if (!sizeFits)
        pax += paxRecord("size", QByteArray::number(header.size));
    const bool mtimeFits = header.mtime >= 0 && header.mtime <= maxOctal(MtimeField.width);
    if (!mtimeFits)
        pax += paxRecord("mtime", QByteArray::number(header.mtime));

    const auto block = [](const QByteArray &name, char type, int mode, qint64 size, qint64 mtime,
                          const QByteArray &linkName) {
        QByteArray b(BlockSize, '\0');
        char *p = b.data();
        putBytes(p, NameField, name);
        putOctal(p, ModeField, mode);
        putOctal(p, UidField, 0);
        putOctal(p, GidField, 0);
        putOctal(p, SizeField, size);
        putOctal(p, MtimeField, mtime);
        p[TypeOffset] = type;
        putBytes(p, LinkNameField, linkName);
        putBytes(p, MagicField,
                 QByteArrayView("ustar\0"
                                "00",
                                8));
        putBytes(p, UnameField, "root");
        putBytes(p, GnameField, "root");
        putOctal(p, DevMajorField, 0);
        putOctal(p, DevMinorField, 0);
        std::memset(p + ChecksumField.offset, ' ', ChecksumField.width);
        unsigned sum = 0;
        for (char c : b)
            sum += static_cast<unsigned char>(c);
        // Six octal digits, NUL, space: the traditional layout every reader accepts.
        putBytes(p, ChecksumField, QByteArray::number(sum, 8).rightJustified(6, '0'));
        p[ChecksumField.offset + 6] = '\0';
        p[ChecksumField.offset + 7] = ' ';
        return b;
    };

    if (!pax.isEmpty()) {
        // Named like GNU tar's, so that a reader without PAX support extracts something
        // recognisable rather than overwriting a real file.
        QByteArray base = header.name;
        if (base.endsWith('/'))
            base.chop(1);
        base = base.mid(base.lastIndexOf('/') + 1);
        for (char &c : base) {
            if (static_cast<unsigned char>(c) >= 0x80)
                c = '_';
        }
        const QByteArray paxName = ("PaxHeaders.0/" + base).left(NameField.width);
        if (!write(block(paxName, 'x', 0644, pax.size(), 0, {})) || !write(pax) ||
            !writePadding(pax.size()))
            return false;
    }
    return write(block(header.name.left(NameField.width), header.type, header.mode,
                       sizeFits ? header.size : 0, mtimeFits ? header.mtime : 0,
                       header.linkName.left(LinkNameField.width)));
}

bool TarWriter::addDirectory(const QString &path, int mode, qint64 mtime)
{
    if (!checkUsable(path) || !checkMode(path, mode))
        return false;
    QByteArray name = relativePath(path);
    if (!name.endsWith('/'))
        name += '/';
    return writeHeader({name, '5', mode, 0, mtime, {}});
}

bool TarWriter::addFile(const QString &path, QByteArrayView data, int mode, qint64 mtime)
{
    if (!checkUsable(path) || !checkMode(path, mode))
        return false;
    return writeHeader({relativePath(path), '0', mode, data.size(), mtime, {}}) && write(data) &&
           writePadding(data.size());
}

bool TarWriter::addFileFromDisk(const QString &path, const QString &sourceFile, int mode,
                                qint64 mtime)
{
    if (!checkUsable(path))
        return false;
    QFile file(sourceFile);
    if (!file.open(QIODevice::ReadOnly))
        return fail(
            QStringLiteral("cannot add %1 to the archive: %2").arg(sourceFile, file.errorString()));
    if (mode == -1)
        mode = modeOf(file);
    if (!checkMode(path, mode))
        return false;
    const qint64 size = file.size();
    if (!writeHeader({relativePath(path), '0', mode, size, mtime, {}}))
        return false;

    QByteArray buffer(std::min(size, StreamPiece), Qt::Uninitialized);
    qint64 remaining = size;
    while (remaining > 0) {
        const qint64 read = file.read(buffer.data(), std::min(remaining, StreamPiece));
        if (read <= 0) {
            // The header promised `size` bytes: the archive cannot be repaired from here.
            return breakArchive(
                read < 0
                    ? QStringLiteral("could not read %1: %2").arg(sourceFile, file.errorString())
                    : QStringLiteral("%1 shrank while it was being archived").arg(sourceFile));
        }
        if (!write(QByteArrayView(buffer.constData(), read)))
            return false;
        remaining -= read;
    }
    return writePadding(size);
}

bool TarWriter::addSymlink(const QString &path, const QString &target, qint64 mtime)
{
    if (!checkUsable(path))
        return false;
    if (target.isEmpty() || target.contains(QChar(0)))
        return fail(
            QStringLiteral("cannot add the symlink %1: invalid target \"%2\"").arg(path, target));
    return writeHeader({relativePath(path), '2', 0777, 0, mtime, target.toUtf8()});
}

bool TarWriter::finish()
{
    if (m_broken)
        return false;
    if (m_finished)
        return true;
    if (!m_out || !m_out->isWritable())
        return breakArchive(QStringLiteral("the archive's output is not open for writing"));
    static const char zeros[2 * BlockSize] = {};
    if (!write(QByteArrayView(zeros, sizeof zeros)))
        return false;
    m_finished = true;
    return true;
}

// ---- readTar -----------------------------------------------------------------------------------

std::expected<QList<TarEntry>, QString> readTar(QByteArrayView archive)
{
    QList<TarEntry> entries;
    Overrides overrides;
    std::optional<QByteArray> gnuLongName;
    std::optional<QByteArray> gnuLongLink;

    qsizetype pos = 0;
    while (pos < archive.size()) {
        const qsizetype headerOffset = pos;
        if (archive.size() - pos < BlockSize)
            return std::unexpected(
                QStringLiteral("truncated tar header %1").arg(offsetText(headerOffset)));
        const QByteArrayView block = archive.sliced(pos, BlockSize);
        pos += BlockSize;
        if (std::all_of(block.begin(), block.end(), [](char c) { return c == '\0'; }))
            break; // end of archive

        const auto stored = parseNumber(fieldView(block, ChecksumField));
        unsigned unsignedSum = 0;
        int signedSum = 0; // some historic writers summed signed chars
        for (qsizetype i = 0; i < BlockSize; ++i) {
            const bool inChecksum =
                i >= ChecksumField.offset && i < ChecksumField.offset + ChecksumField.width;
            const char c = inChecksum ? ' ' : block[i];
            unsignedSum += static_cast<unsigned char>(c);
            signedSum += static_cast<signed char>(c);
        }
        if (!stored || (*stored != unsignedSum && *stored != signedSum))
            return std::unexpected(QStringLiteral("bad checksum in the tar header %1 (the archive "
                                                  "is corrupt or not a tar archive)")
                                       .arg(offsetText(headerOffset)));

        const char type = block[TypeOffset];
        const auto headerSize = parseNumber(fieldView(block, SizeField));
        const auto mode = parseNumber(fieldView(block, ModeField));
        const auto mtime = parseNumber(fieldView(block, MtimeField));
        if (!headerSize || *headerSize < 0 || !mode || !mtime)
            return std::unexpected(QStringLiteral("malformed number in the tar header %1")
                                       .arg(offsetText(headerOffset)));

        qint64 size = overrides.size.value_or(*headerSize);
        const qint64 dataSize = isHeaderOnly(type) ? 0 : size;
        if (dataSize > archive.size() - pos)
            return std::unexpected(QStringLiteral("truncated tar archive: the entry %1 needs %2 "
                                                  "bytes of data")
                                       .arg(offsetText(headerOffset))
                                       .arg(dataSize));
        const QByteArrayView data = archive.sliced(pos, dataSize);
        pos = std::min<qint64>(pos + dataSize + paddingFor(dataSize), archive.size());

        switch (type) {
        case 'x':
            if (auto ok = parsePax(data, overrides, headerOffset); !ok)
                return std::unexpected(ok.error());
            continue;
        case 'g': {
            // Global PAX records: nothing Timonel reads depends on them, but they must parse.
            Overrides ignored;
            if (auto ok = parsePax(data, ignored, headerOffset); !ok)
                return std::unexpected(ok.error());
            continue;
        }
        case 'L':
        case 'K': {
            const qsizetype nul = data.indexOf('\0');
            (type == 'L' ? gnuLongName : gnuLongLink) =
                (nul < 0 ? data : data.first(nul)).toByteArray();
            continue;
        }
        case 'V': // GNU volume label
            continue;
        case 'S':
        case 'M':
            return std::unexpected(
                QStringLiteral("unsupported tar entry type '%1' (GNU sparse or multi-volume) %2")
                    .arg(QLatin1Char(type))
                    .arg(offsetText(headerOffset)));
        default:
            break;
        }

        QByteArray name;
        if (overrides.path) {
            name = *overrides.path;
        } else if (gnuLongName) {
            name = *gnuLongName;
        } else {
            name = fieldString(block, NameField).toByteArray();
            // Only POSIX ustar has a prefix; GNU's old format keeps other data there.
            const QByteArrayView magic = fieldView(block, MagicField);
            const QByteArrayView prefix = fieldString(block, PrefixField);
            if (magic.startsWith(QByteArrayView("ustar\0", 6)) && !prefix.isEmpty())
                name = prefix.toByteArray() + '/' + name;
        }
        while (name.size() > 1 && name.endsWith('/'))
            name.chop(1);

        TarEntry entry;
        entry.path = QString::fromUtf8(name);
        entry.type = type == '\0' ? '0' : type;
        entry.mode = int(*mode & 07777);
        entry.size = size;
        entry.mtime = overrides.mtime.value_or(*mtime);
        entry.linkTarget =
            QString::fromUtf8(overrides.linkPath ? *overrides.linkPath
                              : gnuLongLink      ? *gnuLongLink
                                                 : fieldString(block, LinkNameField).toByteArray());
        if (!isHeaderOnly(type))
            entry.data = data.toByteArray();
        entries.append(std::move(entry));

        overrides = {};
        gnuLongName.reset();
        gnuLongLink.reset();
    }
    return entries;
}

} // namespace timonel::docker
