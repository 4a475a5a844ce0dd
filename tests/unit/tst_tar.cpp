#include "docker/tar.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

#include <functional>

using namespace timonel::docker;

namespace {

QByteArray writeArchive(const std::function<void(TarWriter &)> &fill)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    TarWriter writer(&buffer);
    fill(writer);
    if (!writer.finish())
        qWarning() << writer.errorString();
    return buffer.data();
}

// Runs the system tar; returns its standard output, or fails the test.
QByteArray runTar(const QStringList &arguments, QString *error)
{
    QProcess tar;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("TZ"), QStringLiteral("UTC"));
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
    tar.setProcessEnvironment(env);
    tar.start(QStringLiteral("tar"), arguments);
    if (!tar.waitForFinished(60000) || tar.exitStatus() != QProcess::NormalExit ||
        tar.exitCode() != 0) {
        *error = QStringLiteral("tar %1 failed: %2 %3")
                     .arg(arguments.join(u' '), tar.errorString(),
                          QString::fromUtf8(tar.readAllStandardError()));
        return {};
    }
    return tar.readAllStandardOutput();
}

bool writeFile(const QString &path, const QByteArray &data, int mode)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size() && file.flush() &&
           ::chmod(QFile::encodeName(path).constData(), mode_t(mode)) == 0;
}

bool makeDir(const QString &path, int mode)
{
    return QDir().mkpath(path) && ::chmod(QFile::encodeName(path).constData(), mode_t(mode)) == 0;
}

const TarEntry *findEntry(const QList<TarEntry> &entries, const QString &path)
{
    for (const TarEntry &entry : entries) {
        if (entry.path == path)
            return &entry;
    }
    return nullptr;
}

// Records the largest single write, to show that big files are streamed in pieces.
class RecordingDevice : public QIODevice
{
public:
    explicit RecordingDevice(QIODevice *target) : m_target(target) {}
    qint64 largestWrite = 0;

protected:
    qint64 readData(char *, qint64) override { return -1; }
    qint64 writeData(const char *data, qint64 size) override
    {
        largestWrite = std::max(largestWrite, size);
        return m_target->write(data, size);
    }

private:
    QIODevice *m_target;
};

QByteArray octalField(const QByteArray &archive, qsizetype headerOffset, qsizetype offset,
                      qsizetype width)
{
    return archive.mid(headerOffset + offset, width);
}

const QString Long150 = QStringLiteral("a-rather-long-directory-name-for-the-node-rootfs-tests/"
                                       "and-an-even-longer-file-name-that-pushes-the-whole-path-"
                                       "beyond-one-hundred-bytes.conf");
const QString LongTarget = QStringLiteral("../../usr/lib/x86_64-linux-gnu/a-shared-library-with-a-"
                                          "name-long-enough-to-need-a-pax-linkpath.so.6.8.2");

} // namespace

class TestTar : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripsEntries();
    void roundTripsNames_data();
    void roundTripsNames();
    void roundTripsMtimeOutsideUstarRange();
    void storesRelativePathsOwnedByRoot();
    void writesZeroByteFileAsHeaderOnly();
    void streamsBigFileFromDiskInPieces();
    void takesModeFromSourceFile();
    void readsArchiveBuiltBySystemTar_data();
    void readsArchiveBuiltBySystemTar();
    void systemTarListsAndExtractsOurArchive();
    void rejectsCorruptedChecksum_data();
    void rejectsCorruptedChecksum();
    void rejectsTruncatedArchive_data();
    void rejectsTruncatedArchive();
    void finishIsIdempotentAndFinal();
    void rejectedArgumentsLeaveArchiveUsable();
    void reportsMissingSourceFile();
};

void TestTar::roundTripsEntries()
{
    const QByteArray archive = writeArchive([](TarWriter &tar) {
        QVERIFY(tar.addDirectory(QStringLiteral("etc"), 0755, 1700000000));
        QVERIFY(tar.addFile(QStringLiteral("etc/hostname"), "node-1\n", 0644, 1700000001));
        QVERIFY(tar.addDirectory(QStringLiteral("usr/bin/"), 0700));
        QVERIFY(tar.addFile(QStringLiteral("usr/bin/timonel-node"), QByteArray(1000, 'E'), 04755));
        QVERIFY(tar.addFile(QStringLiteral("exactly-a-block"), QByteArray(512, 'B')));
        QVERIFY(tar.addFile(QStringLiteral("empty"), {}, 0600));
        QVERIFY(tar.addSymlink(QStringLiteral("bin"), QStringLiteral("usr/bin"), 5));
    });
    QCOMPARE(archive.size() % 512, 0);

    const auto entries = readTar(archive);
    QVERIFY2(entries, qPrintable(entries.error()));
    QCOMPARE(entries->size(), 7);

    const auto check = [&](int i, const QString &path, char type, int mode, qint64 mtime,
                           const QByteArray &data, const QString &link) {
        const TarEntry &e = entries->at(i);
        QCOMPARE(e.path, path);
        QCOMPARE(e.type, type);
        QCOMPARE(e.mode, mode);
        QCOMPARE(e.mtime, mtime);
        QCOMPARE(e.size, data.size());
        QCOMPARE(e.data, data);
        QCOMPARE(e.linkTarget, link);
    };
    check(0, QStringLiteral("etc"), '5', 0755, 1700000000, {}, {});
    check(1, QStringLiteral("etc/hostname"), '0', 0644, 1700000001, "node-1\n", {});
    check(2, QStringLiteral("usr/bin"), '5', 0700, 0, {}, {});
    check(3, QStringLiteral("usr/bin/timonel-node"), '0', 04755, 0, QByteArray(1000, 'E'), {});
    check(4, QStringLiteral("exactly-a-block"), '0', 0644, 0, QByteArray(512, 'B'), {});
    check(5, QStringLiteral("empty"), '0', 0600, 0, {}, {});
    check(6, QStringLiteral("bin"), '2', 0777, 5, {}, QStringLiteral("usr/bin"));
}

void TestTar::roundTripsNames_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("linkTarget"); // empty: a regular file
    QTest::addColumn<bool>("needsPax");

    QTest::newRow("short") << QStringLiteral("etc/os-release") << QString() << false;
    QTest::newRow("exactly 100 bytes") << QString(100, u'n') << QString() << false;
    QTest::newRow("101 bytes") << QString(101, u'n') << QString() << true;
    QTest::newRow("150 bytes with directories") << Long150 << QString() << true;
    QTest::newRow("300 bytes") << (QString(100, u'a') + u'/' + QString(100, u'b') + u'/' +
                                   QString(98, u'c'))
                               << QString() << true;
    QTest::newRow("non-ascii") << QStringLiteral("configuración/año-ñandú.txt") << QString()
                               << true;
    QTest::newRow("short symlink")
        << QStringLiteral("lib64") << QStringLiteral("usr/lib64") << false;
    QTest::newRow("long symlink target") << QStringLiteral("lib/libfoo.so") << LongTarget << true;
    QTest::newRow("long symlink name and target") << Long150 << LongTarget << true;
    QTest::newRow("symlink target of exactly 100 bytes")
        << QStringLiteral("l") << QString(100, u't') << false;
}

void TestTar::roundTripsNames()
{
    QFETCH(QString, path);
    QFETCH(QString, linkTarget);
    QFETCH(bool, needsPax);

    const QByteArray archive = writeArchive([&](TarWriter &tar) {
        if (linkTarget.isEmpty())
            QVERIFY(tar.addFile(path, "contents"));
        else
            QVERIFY(tar.addSymlink(path, linkTarget));
        QVERIFY(tar.addFile(QStringLiteral("after"), "next entry keeps its own name"));
    });
    QCOMPARE(archive.contains("PaxHeaders.0/"), needsPax);

    const auto entries = readTar(archive);
    QVERIFY2(entries, qPrintable(entries.error()));
    QCOMPARE(entries->size(), 2);
    QCOMPARE(entries->at(0).path, path);
    QCOMPARE(entries->at(0).type, linkTarget.isEmpty() ? '0' : '2');
    QCOMPARE(entries->at(0).linkTarget, linkTarget);
    QCOMPARE(entries->at(0).data, linkTarget.isEmpty() ? QByteArray("contents") : QByteArray());
    QCOMPARE(entries->at(1).path, QStringLiteral("after"));
    QCOMPARE(entries->at(1).linkTarget, QString());
    QCOMPARE(entries->at(1).data, QByteArray("next entry keeps its own name"));
}

void TestTar::roundTripsMtimeOutsideUstarRange()
{
    const qint64 far = qint64(1) << 40;
    const QByteArray archive = writeArchive([&](TarWriter &tar) {
        QVERIFY(tar.addFile(QStringLiteral("before-epoch"), "x", 0644, -86400));
        QVERIFY(tar.addFile(QStringLiteral("far-future"), "y", 0644, far));
    });
    const auto entries = readTar(archive);
    QVERIFY2(entries, qPrintable(entries.error()));
    QCOMPARE(entries->size(), 2);
    QCOMPARE(entries->at(0).mtime, -86400);
    QCOMPARE(entries->at(1).mtime, far);
}

void TestTar::storesRelativePathsOwnedByRoot()
{
    const QByteArray archive = writeArchive([](TarWriter &tar) {
        QVERIFY(tar.addFile(QStringLiteral("/etc/hosts"), "127.0.0.1 localhost\n"));
        QVERIFY(tar.addDirectory(QStringLiteral("//var/lib/timonel")));
    });
    QCOMPARE(QByteArray(archive.constData()), QByteArray("etc/hosts"));
    QCOMPARE(octalField(archive, 0, 108, 8), QByteArray("0000000\0", 8)); // uid
    QCOMPARE(octalField(archive, 0, 116, 8), QByteArray("0000000\0", 8)); // gid
    QCOMPARE(octalField(archive, 0, 257, 8), QByteArray("ustar\0"
                                                        "00",
                                                        8));
    QCOMPARE(QByteArray(archive.constData() + 265), QByteArray("root"));
    QCOMPARE(QByteArray(archive.constData() + 297), QByteArray("root"));
    QCOMPARE(QByteArray(archive.constData() + 1024), QByteArray("var/lib/timonel/"));

    const auto entries = readTar(archive);
    QVERIFY2(entries, qPrintable(entries.error()));
    QCOMPARE(entries->at(0).path, QStringLiteral("etc/hosts"));
    QCOMPARE(entries->at(1).path, QStringLiteral("var/lib/timonel"));
}

void TestTar::writesZeroByteFileAsHeaderOnly()
{
    const QByteArray archive = writeArchive(
        [](TarWriter &tar) { QVERIFY(tar.addFile(QStringLiteral("etc/machine-id"), {})); });
    QCOMPARE(archive.size(), 512 + 1024);
    const auto entries = readTar(archive);
    QVERIFY2(entries, qPrintable(entries.error()));
    QCOMPARE(entries->size(), 1);
    QCOMPARE(entries->at(0).size, 0);
    QCOMPARE(entries->at(0).data, QByteArray());
}

void TestTar::streamsBigFileFromDiskInPieces()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString source = dir.filePath(QStringLiteral("rootfs-layer.bin"));
    const qint64 size = (40 << 20) + 12345; // not a multiple of the block or piece size
    QCryptographicHash sourceHash(QCryptographicHash::Sha256);
    {
        QFile file(source);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QByteArray piece(1 << 16, Qt::Uninitialized);
        for (qint64 written = 0, n = 0; written < size; ++n) {
            for (qsizetype i = 0; i < piece.size(); i += 8)
                std::memcpy(piece.data() + i, &n, 8), ++n;
            const qint64 take = std::min<qint64>(piece.size(), size - written);
            QCOMPARE(file.write(piece.constData(), take), take);
            sourceHash.addData(QByteArrayView(piece).first(take));
            written += take;
        }
    }

    const QString archivePath = dir.filePath(QStringLiteral("archive.tar"));
    {
        QFile archiveFile(archivePath);
        QVERIFY(archiveFile.open(QIODevice::WriteOnly));
        RecordingDevice device(&archiveFile);
        QVERIFY(device.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
        TarWriter tar(&device);
        QVERIFY(tar.addFile(QStringLiteral("small"), "before"));
        QVERIFY2(tar.addFileFromDisk(QStringLiteral("/opt/layer.bin"), source, 0640, 42),
                 qPrintable(tar.errorString()));
        QVERIFY(tar.addFile(QStringLiteral("after"), "after"));
        QVERIFY(tar.finish());
        QVERIFY(device.largestWrite <= (1 << 20));
    }

    QFile archiveFile(archivePath);
    QVERIFY(archiveFile.open(QIODevice::ReadOnly));
    const uchar *mapped = archiveFile.map(0, archiveFile.size());
    QVERIFY(mapped);
    const auto entries =
        readTar(QByteArrayView(reinterpret_cast<const char *>(mapped), archiveFile.size()));
    QVERIFY2(entries, qPrintable(entries.error()));
    QCOMPARE(entries->size(), 3);
    const TarEntry &big = entries->at(1);
    QCOMPARE(big.path, QStringLiteral("opt/layer.bin"));
    QCOMPARE(big.size, size);
    QCOMPARE(big.mode, 0640);
    QCOMPARE(big.mtime, 42);
    QCOMPARE(QCryptographicHash::hash(big.data, QCryptographicHash::Sha256), sourceHash.result());
    QCOMPARE(entries->at(2).data, QByteArray("after"));
}

void TestTar::takesModeFromSourceFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString script = dir.filePath(QStringLiteral("entrypoint.sh"));
    QVERIFY(writeFile(script, "#!/bin/sh\nexec \"$@\"\n", 0750));
    const QString setuid = dir.filePath(QStringLiteral("helper"));
    QVERIFY(writeFile(setuid, "ELF", 04711));

    const QByteArray archive = writeArchive([&](TarWriter &tar) {
        QVERIFY(tar.addFileFromDisk(QStringLiteral("entrypoint.sh"), script));
        QVERIFY(tar.addFileFromDisk(QStringLiteral("helper"), setuid));
        QVERIFY(tar.addFileFromDisk(QStringLiteral("overridden"), script, 0600));
    });
    const auto entries = readTar(archive);
    QVERIFY2(entries, qPrintable(entries.error()));
    QCOMPARE(entries->at(0).mode, 0750);
    QCOMPARE(entries->at(0).data, QByteArray("#!/bin/sh\nexec \"$@\"\n"));
    QCOMPARE(entries->at(1).mode, 04711);
    QCOMPARE(entries->at(2).mode, 0600);
}

void TestTar::readsArchiveBuiltBySystemTar_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<bool>("longLinks"); // ustar cannot store link targets over 100 bytes

    QTest::newRow("gnu") << QStringLiteral("gnu") << true;
    QTest::newRow("posix") << QStringLiteral("posix") << true;
    QTest::newRow("ustar") << QStringLiteral("ustar") << false;
}

void TestTar::readsArchiveBuiltBySystemTar()
{
    QFETCH(QString, format);
    QFETCH(bool, longLinks);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString tree = dir.filePath(QStringLiteral("tree"));
    QVERIFY(makeDir(tree + QStringLiteral("/etc"), 0755));
    QVERIFY(makeDir(tree + QStringLiteral("/bin"), 0711));
    QVERIFY(makeDir(tree + u'/' + Long150.section(u'/', 0, 0), 0755));
    QVERIFY(writeFile(tree + QStringLiteral("/etc/hostname"), "node-1\n", 0644));
    QVERIFY(writeFile(tree + QStringLiteral("/bin/tool"), QByteArray(3000, 'T'), 0755));
    QVERIFY(writeFile(tree + QStringLiteral("/secret"), "s3cr3t", 0600));
    QVERIFY(writeFile(tree + QStringLiteral("/empty"), {}, 0644));
    QVERIFY(writeFile(tree + QStringLiteral("/año.txt"), "ñ", 0644));
    QVERIFY(writeFile(tree + u'/' + Long150, "long", 0644));
    QVERIFY(QFile::link(QStringLiteral("etc/hostname"), tree + QStringLiteral("/link")));
    if (longLinks)
        QVERIFY(QFile::link(LongTarget, tree + QStringLiteral("/longlink")));
    QCOMPARE(::link(QFile::encodeName(tree + QStringLiteral("/etc/hostname")).constData(),
                    QFile::encodeName(tree + QStringLiteral("/hard")).constData()),
             0);

    const QString archivePath = dir.filePath(QStringLiteral("system.tar"));
    QString error;
    runTar({QStringLiteral("--format=") + format, QStringLiteral("--sort=name"),
            QStringLiteral("--mtime=@1700000000"), QStringLiteral("-cf"), archivePath,
            QStringLiteral("-C"), tree, QStringLiteral(".")},
           &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));

    QFile file(archivePath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const auto entries = readTar(file.readAll());
    QVERIFY2(entries, qPrintable(entries.error()));

    QStringList paths;
    for (const TarEntry &entry : *entries)
        paths << entry.path;
    QStringList expected{QStringLiteral("."),
                         QStringLiteral("./") + Long150.section(u'/', 0, 0),
                         QStringLiteral("./") + Long150,
                         QStringLiteral("./año.txt"),
                         QStringLiteral("./bin"),
                         QStringLiteral("./bin/tool"),
                         QStringLiteral("./empty"),
                         QStringLiteral("./etc"),
                         QStringLiteral("./etc/hostname"),
                         QStringLiteral("./hard"),
                         QStringLiteral("./link")};
    if (longLinks)
        expected << QStringLiteral("./longlink");
    expected << QStringLiteral("./secret");
    QCOMPARE(paths, expected);

    struct Expect
    {
        QString path;
        char type;
        int mode;
        QByteArray data;
        QString link;
    };
    QList<Expect> expects{
        {QStringLiteral("./etc"), '5', 0755, {}, {}},
        {QStringLiteral("./bin"), '5', 0711, {}, {}},
        {QStringLiteral("./etc/hostname"), '0', 0644, "node-1\n", {}},
        {QStringLiteral("./bin/tool"), '0', 0755, QByteArray(3000, 'T'), {}},
        {QStringLiteral("./secret"), '0', 0600, "s3cr3t", {}},
        {QStringLiteral("./empty"), '0', 0644, {}, {}},
        {QStringLiteral("./año.txt"), '0', 0644, "ñ", {}},
        {QStringLiteral("./") + Long150, '0', 0644, "long", {}},
        {QStringLiteral("./link"), '2', 0777, {}, QStringLiteral("etc/hostname")},
        {QStringLiteral("./hard"), '1', 0644, {}, QStringLiteral("./etc/hostname")},
    };
    if (longLinks)
        expects.append({QStringLiteral("./longlink"), '2', 0777, {}, LongTarget});
    for (const Expect &e : std::as_const(expects)) {
        const TarEntry *entry = findEntry(*entries, e.path);
        QVERIFY2(entry, qPrintable(e.path));
        QCOMPARE(entry->type, e.type);
        QCOMPARE(entry->mode, e.mode);
        QCOMPARE(entry->data, e.data);
        QCOMPARE(entry->linkTarget, e.link);
        QCOMPARE(entry->mtime, 1700000000);
        if (e.type == '0')
            QCOMPARE(entry->size, e.data.size());
    }
}

void TestTar::systemTarListsAndExtractsOurArchive()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString archivePath = dir.filePath(QStringLiteral("ours.tar"));
    const QString nonAscii = QStringLiteral("etc/año-ñandú.conf");
    {
        QFile file(archivePath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        TarWriter tar(&file);
        const qint64 t = 1700000000; // 2023-11-14 22:13:20 UTC
        QVERIFY(tar.addDirectory(QStringLiteral("/etc"), 0755, t));
        QVERIFY(tar.addFile(QStringLiteral("/etc/hostname"), "node-1\n", 0644, t));
        QVERIFY(tar.addFile(nonAscii, "ñ=1\n", 0640, t));
        QVERIFY(tar.addDirectory(QStringLiteral("usr/bin"), 0711, t));
        QVERIFY(
            tar.addFile(QStringLiteral("usr/bin/timonel-node"), QByteArray(5000, 'X'), 0755, t));
        QVERIFY(tar.addSymlink(QStringLiteral("bin"), QStringLiteral("usr/bin"), t));
        QVERIFY(tar.addDirectory(Long150.section(u'/', 0, 0), 0700, t));
        QVERIFY(tar.addFile(Long150, "long", 0600, t));
        QVERIFY(tar.addSymlink(QStringLiteral("longlink"), LongTarget, t));
        QVERIFY(tar.addFile(QStringLiteral("empty"), {}, 0444, t));
        QVERIFY(tar.finish());
    }

    QString error;
    const QByteArray listing = runTar(
        {QStringLiteral("--quoting-style=literal"), QStringLiteral("-tvf"), archivePath}, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));

    struct Line
    {
        QString perms;
        QString owner;
        qint64 size;
        QString when;
        QString name;
    };
    QList<Line> lines;
    static const QRegularExpression re(QStringLiteral(R"(^(\S+) (\S+)\s+(\d+) (\S+ \S+) (.*)$)"));
    for (const QString &text : QString::fromUtf8(listing).split(u'\n', Qt::SkipEmptyParts)) {
        const QRegularExpressionMatch m = re.match(text);
        QVERIFY2(m.hasMatch(), qPrintable(text));
        lines.append({m.captured(1), m.captured(2), m.captured(3).toLongLong(), m.captured(4),
                      m.captured(5)});
    }

    const QList<std::pair<QString, QString>> expected{
        {QStringLiteral("drwxr-xr-x"), QStringLiteral("etc/")},
        {QStringLiteral("-rw-r--r--"), QStringLiteral("etc/hostname")},
        {QStringLiteral("-rw-r-----"), nonAscii},
        {QStringLiteral("drwx--x--x"), QStringLiteral("usr/bin/")},
        {QStringLiteral("-rwxr-xr-x"), QStringLiteral("usr/bin/timonel-node")},
        {QStringLiteral("lrwxrwxrwx"), QStringLiteral("bin -> usr/bin")},
        {QStringLiteral("drwx------"), Long150.section(u'/', 0, 0) + u'/'},
        {QStringLiteral("-rw-------"), Long150},
        {QStringLiteral("lrwxrwxrwx"), QStringLiteral("longlink -> ") + LongTarget},
        {QStringLiteral("-r--r--r--"), QStringLiteral("empty")},
    };
    QCOMPARE(lines.size(), expected.size());
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QCOMPARE(lines[i].perms, expected[i].first);
        QCOMPARE(lines[i].name, expected[i].second);
        QCOMPARE(lines[i].owner, QStringLiteral("root/root"));
        QCOMPARE(lines[i].when, QStringLiteral("2023-11-14 22:13"));
    }
    QCOMPARE(lines[4].size, 5000);

    // And it extracts to the same bytes.
    const QString out = dir.filePath(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(out));
    runTar({QStringLiteral("--no-same-owner"), QStringLiteral("-xf"), archivePath,
            QStringLiteral("-C"), out},
           &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const auto contents = [&](const QString &path) {
        QFile f(out + u'/' + path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
    };
    QCOMPARE(contents(QStringLiteral("etc/hostname")), QByteArray("node-1\n"));
    QCOMPARE(contents(nonAscii), QByteArray("ñ=1\n"));
    QCOMPARE(contents(Long150), QByteArray("long"));
    QCOMPARE(contents(QStringLiteral("usr/bin/timonel-node")), QByteArray(5000, 'X'));
    QCOMPARE(QFile::symLinkTarget(out + QStringLiteral("/longlink")),
             QDir::cleanPath(out + u'/' + LongTarget));
    QCOMPARE(QFileInfo(out + QStringLiteral("/bin")).readSymLink(), QStringLiteral("usr/bin"));
}

void TestTar::rejectsCorruptedChecksum_data()
{
    QTest::addColumn<qsizetype>("offset");
    QTest::newRow("first header name") << qsizetype(0);
    QTest::newRow("first header size") << qsizetype(124 + 5);
    QTest::newRow("checksum field itself") << qsizetype(148 + 2);
    QTest::newRow("second header type") << qsizetype(1024 + 156);
}

void TestTar::rejectsCorruptedChecksum()
{
    QFETCH(qsizetype, offset);
    QByteArray archive = writeArchive([](TarWriter &tar) {
        QVERIFY(tar.addFile(QStringLiteral("a"), "first"));
        QVERIFY(tar.addFile(QStringLiteral("b"), "second"));
    });
    QVERIFY(readTar(archive));
    archive[offset] = char(archive[offset] ^ 0x01);
    const auto entries = readTar(archive);
    QVERIFY(!entries);
    QVERIFY2(entries.error().contains(QStringLiteral("checksum")), qPrintable(entries.error()));
}

void TestTar::rejectsTruncatedArchive_data()
{
    QTest::addColumn<qsizetype>("keep");
    QTest::newRow("inside the first header") << qsizetype(300);
    QTest::newRow("inside the data") << qsizetype(512 + 100);
    QTest::newRow("inside the second header") << qsizetype(1536 + 17);
    QTest::newRow("inside the second data") << qsizetype(2048 + 1);
}

void TestTar::rejectsTruncatedArchive()
{
    QFETCH(qsizetype, keep);
    const QByteArray archive = writeArchive([](TarWriter &tar) {
        QVERIFY(tar.addFile(QStringLiteral("a"), QByteArray(1000, 'a')));
        QVERIFY(tar.addFile(QStringLiteral("b"), QByteArray(600, 'b')));
    });
    const auto entries = readTar(archive.left(keep));
    QVERIFY(!entries);
    QVERIFY2(entries.error().contains(QStringLiteral("truncated")), qPrintable(entries.error()));
}

void TestTar::finishIsIdempotentAndFinal()
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    TarWriter tar(&buffer);
    QVERIFY(tar.addFile(QStringLiteral("a"), "a"));
    QVERIFY(tar.finish());
    QVERIFY(tar.finish());
    QCOMPARE(buffer.data().size(), 512 + 512 + 1024);
    QCOMPARE(buffer.data().right(1024), QByteArray(1024, '\0'));
    QVERIFY(!tar.addFile(QStringLiteral("late"), "late"));
    QVERIFY(tar.errorString().contains(QStringLiteral("finished")));
    QCOMPARE(buffer.data().size(), 512 + 512 + 1024);
}

void TestTar::rejectedArgumentsLeaveArchiveUsable()
{
    const QByteArray archive = writeArchive([](TarWriter &tar) {
        QVERIFY(!tar.addFile(QStringLiteral("/"), "root"));
        QVERIFY(tar.errorString().contains(QStringLiteral("empty")));
        QVERIFY(!tar.addFile(QString(), "nothing"));
        QVERIFY(!tar.addDirectory(QStringLiteral("d"), 010000));
        QVERIFY(tar.errorString().contains(QStringLiteral("mode")));
        QVERIFY(!tar.addSymlink(QStringLiteral("l"), QString()));
        QVERIFY(tar.addFile(QStringLiteral("ok"), "ok"));
    });
    const auto entries = readTar(archive);
    QVERIFY2(entries, qPrintable(entries.error()));
    QCOMPARE(entries->size(), 1);
    QCOMPARE(entries->at(0).path, QStringLiteral("ok"));
}

void TestTar::reportsMissingSourceFile()
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    TarWriter tar(&buffer);
    QVERIFY(!tar.addFileFromDisk(QStringLiteral("x"), QStringLiteral("/nonexistent/timonel-file")));
    QVERIFY(tar.errorString().contains(QStringLiteral("/nonexistent/timonel-file")));
    QCOMPARE(buffer.data().size(), 0);
    QVERIFY(tar.addFile(QStringLiteral("y"), "y"));
}

QTEST_GUILESS_MAIN(TestTar)
#include "tst_tar.moc"
