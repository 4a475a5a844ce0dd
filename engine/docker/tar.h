#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <expected>

class QIODevice;

namespace timonel::docker {

// Writes a POSIX tar archive (ustar, with PAX extended headers where ustar falls short) for
// `docker import` of a node rootfs and for copying files into containers.
//
// Paths are stored relative (leading '/' stripped), owned by root (uid/gid 0, uname/gname
// "root"). A path or link target longer than 100 bytes or not plain ASCII gets a PAX 'x' header
// before its entry, as do sizes of 8 GiB and more and mtimes outside ustar's range.
//
// A write error on the device is sticky: the archive is broken and every later call fails. A
// rejected argument (an empty path...) writes nothing and leaves the archive usable.
class TarWriter
{
public:
    explicit TarWriter(QIODevice *out);

    bool addDirectory(const QString &path, int mode = 0755, qint64 mtime = 0);
    bool addFile(const QString &path, QByteArrayView data, int mode = 0644, qint64 mtime = 0);
    // Streams the file in 1 MiB pieces. mode -1 takes the source's permission bits.
    bool addFileFromDisk(const QString &path, const QString &sourceFile, int mode = -1,
                         qint64 mtime = 0);
    bool addSymlink(const QString &path, const QString &target, qint64 mtime = 0);
    // Writes the end-of-archive marker (two zero blocks); idempotent.
    bool finish();

    QString errorString() const { return m_error; }

private:
    struct Header
    {
        QByteArray name;
        char type = '0';
        int mode = 0;
        qint64 size = 0;
        qint64 mtime = 0;
        QByteArray linkName;
    };

    bool checkUsable(const QString &path);
    bool checkMode(const QString &path, int mode);
    bool writeHeader(const Header &header);
    bool write(QByteArrayView data);
    bool writePadding(qint64 size);
    bool fail(const QString &message);
    bool breakArchive(const QString &message);

    QIODevice *m_out;
    bool m_finished = false;
    bool m_broken = false;
    QString m_error;
};

struct TarEntry
{
    QString path;    // as stored, without a trailing '/'
    char type = '0'; // '0' regular (also for '\0'), '1' hard link, '2' symlink, '5' directory...
    int mode = 0;    // permission bits (07777)
    qint64 size = 0;
    qint64 mtime = 0;   // seconds since the epoch
    QString linkTarget; // symlinks and hard links
    QByteArray data;    // contents of regular files
};

// Reads a whole archive: ustar, PAX ('x' path, linkpath, size, mtime) and GNU ('L'/'K' long
// names, base-256 numbers) as written by GNU tar, bsdtar and Go's archive/tar. Every header's
// checksum is verified.
std::expected<QList<TarEntry>, QString> readTar(QByteArrayView archive);

} // namespace timonel::docker
