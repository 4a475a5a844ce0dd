#include "closure.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSslSocket>

#include <elf.h>
#include <link.h>

namespace timonel::node {

namespace {

int collect(dl_phdr_info *info, size_t, void *data)
{
    auto *out = static_cast<QList<LoadedObject> *>(data);
    const QString name = QString::fromLocal8Bit(info->dlpi_name);
    if (name.startsWith(QLatin1Char('/')))
        out->append({name, QFileInfo(name).canonicalFilePath()});
    return 0;
}

// The program interpreter (PT_INTERP) of an ELF file, e.g. /lib64/ld-linux-x86-64.so.2.
QString interpreterOf(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray head = f.read(sizeof(Elf64_Ehdr));
    if (head.size() < qsizetype(sizeof(Elf64_Ehdr)) || !head.startsWith("\x7f"
                                                                        "ELF"))
        return {};
    const auto *eh = reinterpret_cast<const Elf64_Ehdr *>(head.constData());
    for (int i = 0; i < eh->e_phnum; ++i) {
        f.seek(qint64(eh->e_phoff) + qint64(i) * eh->e_phentsize);
        Elf64_Phdr ph;
        if (f.read(reinterpret_cast<char *>(&ph), sizeof ph) != sizeof ph)
            return {};
        if (ph.p_type == PT_INTERP) {
            f.seek(qint64(ph.p_offset));
            return QString::fromLocal8Bit(f.read(qint64(ph.p_filesz)).constData());
        }
    }
    return {};
}

} // namespace

QList<LoadedObject> loadedClosure()
{
    // Loading the plugins is the point: what they pull in shows up below.
    QSslSocket::supportsSsl();
    {
        QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("closure-probe"));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("closure-probe"));

    QList<LoadedObject> objects;
    const QString self = QFileInfo(QCoreApplication::applicationFilePath()).canonicalFilePath();
    objects.append({self, self});
    const QString interp = interpreterOf(self);
    if (!interp.isEmpty())
        objects.append({interp, QFileInfo(interp).canonicalFilePath()});
    dl_iterate_phdr(collect, &objects);
    return objects;
}

} // namespace timonel::node
