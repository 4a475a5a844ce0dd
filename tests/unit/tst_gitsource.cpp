// GitRepository, the trees and history it reads, and RefWatcher, against repositories that the
// git command line makes in a temporary directory.
#include "gitops/gitsource.h"
#include "gitops/refwatcher.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSaveFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <atomic>
#include <thread>
#include <vector>

using namespace timonel::gitops;
using namespace Qt::StringLiterals;

// QVERIFY2 builds its message even when it passes: read the error only when there is one.
#define QVERIFY_EXPECTED(result) QVERIFY2(result, (result) ? "" : qPrintable((result).error()))

namespace {

// 2023-11-14T22:13:20Z; the fixture's commits are a minute apart from it.
constexpr qint64 FirstCommitTime = 1700000000;

// Runs git in `directory` with a fixed identity and none of the user's configuration. Its output
// without the final newline, or nullopt (and a warning) when it fails.
std::optional<QString> git(const QString &directory, const QStringList &arguments,
                           qint64 commitTime = 0)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"GIT_CONFIG_NOSYSTEM"_s, u"1"_s);
    environment.insert(u"GIT_CONFIG_GLOBAL"_s, u"/dev/null"_s);
    if (commitTime > 0) {
        const QString date = u"@%1 +0000"_s.arg(commitTime);
        environment.insert(u"GIT_AUTHOR_DATE"_s, date);
        environment.insert(u"GIT_COMMITTER_DATE"_s, date);
    }
    QProcess process;
    process.setProcessEnvironment(environment);
    process.setWorkingDirectory(directory);
    process.start(u"git"_s,
                  QStringList{u"-c"_s, u"user.name=Ada Lovelace"_s, u"-c"_s,
                              u"user.email=ada@example.com"_s, u"-c"_s,
                              u"init.defaultBranch=main"_s, u"-c"_s, u"commit.gpgSign=false"_s,
                              u"-c"_s, u"tag.gpgSign=false"_s} +
                      arguments);
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        qWarning().noquote() << "git" << arguments.join(u' ')
                             << "failed:" << process.readAllStandardError()
                             << process.errorString();
        return std::nullopt;
    }
    return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
           file.write(content) == content.size();
}

// Commits every change in `directory`; the new commit's id.
std::optional<QString> commitAll(const QString &directory, const QString &message,
                                 qint64 commitTime = 0)
{
    if (!git(directory, {u"add"_s, u"-A"_s}) ||
        !git(directory, {u"commit"_s, u"-q"_s, u"--allow-empty"_s, u"-m"_s, message}, commitTime))
        return std::nullopt;
    return git(directory, {u"rev-parse"_s, u"HEAD"_s});
}

// A file's bytes, or "(no such file)".
QByteArray contents(const SourceTree &tree, const QString &path)
{
    return tree.read(path).value_or("(no such file)");
}

QStringList ids(const QList<CommitInfo> &commits)
{
    QStringList result;
    for (const CommitInfo &commit : commits)
        result.append(commit.id);
    return result;
}

} // namespace

class TestGitSource : public QObject
{
    Q_OBJECT

private:
    // A fresh repository for a watcher to watch, with two commits on main.
    QString watchedRepository(const QString &name);

    QTemporaryDir m_temporary;
    QString m_source; // the fixture that the reading tests share
    QString m_first;  // app/ added; tagged v1 (annotated)
    QString m_second; // docs/ added; tagged light (lightweight)
    QString m_third;  // app/base/deployment.yaml changed; main

private Q_SLOTS:
    void initTestCase();

    void openingANonRepositoryFails();
    void opensABareRepository();
    void resolvesRefsToCommits_data();
    void resolvesRefsToCommits();
    void resolvingAnUnknownRefFails();
    void resolvingInAnEmptyRepositoryFails();

    void treeReadsTheCommitNotTheWorkingTree();
    void treeReadsAnOlderCommit();
    void listShowsNestedDirectoriesSorted();
    void treeOfAMissingPathFails();
    void treeOutlivesItsRepository();
    void repositoryAndTreesWorkFromSeveralThreads();
    void manifestFilesAreYamlAndJsonBelowADirectory();

    void historyListsCommitsNewestFirst();
    void historyFiltersByPath();

    void refWatcherSeesANewCommit();
    void refWatcherSeesAHardReset();
    void refWatcherSeesARefMovedInsidePackedRefs();
    void refWatcherFollowsHeadToAnotherBranch();
    void refWatcherReportsADeletedBranchOnce();
};

void TestGitSource::initTestCase()
{
    QVERIFY(m_temporary.isValid());
    m_source = m_temporary.filePath(u"source"_s);
    QVERIFY(git(m_temporary.path(), {u"init"_s, u"-q"_s, m_source}));

    const QDir source(m_source);
    QVERIFY(writeFile(source.filePath(u"README.md"_s), "# Fixture\n"));
    QVERIFY(writeFile(source.filePath(u"app/base/deployment.yaml"_s), "replicas: 1\n"));
    QVERIFY(writeFile(source.filePath(u"app/base/service.yml"_s), "kind: Service\n"));
    QVERIFY(writeFile(source.filePath(u"app/config.json"_s), "{}\n"));
    QVERIFY(writeFile(source.filePath(u"app/README.md"_s), "About the app\n"));
    QVERIFY(writeFile(source.filePath(u"app/.hidden.yaml"_s), "kind: Hidden\n"));
    QVERIFY(writeFile(source.filePath(u"app/.github/workflow.yaml"_s), "on: push\n"));
    QVERIFY(writeFile(source.filePath(u"app/overlays/prod/kustomization.yaml"_s),
                      "resources: [../../base]\n"));
    QVERIFY(writeFile(source.filePath(u"app/overlays/prod/patch.yaml"_s), "replicas: 5\n"));
    QVERIFY(QFile::link(u"base/deployment.yaml"_s, source.filePath(u"app/link.yaml"_s)));
    const auto first = commitAll(m_source, u"Add the app"_s, FirstCommitTime);
    QVERIFY(first);
    m_first = *first;
    QVERIFY(git(m_source, {u"tag"_s, u"-a"_s, u"v1"_s, u"-m"_s, u"Release 1"_s}));

    QVERIFY(writeFile(source.filePath(u"docs/notes.md"_s), "Notes\n"));
    const auto second = commitAll(m_source, u"Write notes"_s, FirstCommitTime + 60);
    QVERIFY(second);
    m_second = *second;
    QVERIFY(git(m_source, {u"tag"_s, u"light"_s}));

    QVERIFY(writeFile(source.filePath(u"app/base/deployment.yaml"_s), "replicas: 3\n"));
    const auto third =
        commitAll(m_source, u"Scale to three\n\nBusier days ahead."_s, FirstCommitTime + 120);
    QVERIFY(third);
    m_third = *third;

    // Uncommitted edits of every kind, none of which a tree may show.
    QVERIFY(writeFile(source.filePath(u"app/base/deployment.yaml"_s), "replicas: 9\n"));
    QVERIFY(writeFile(source.filePath(u"docs/notes.md"_s), "Staged notes\n"));
    QVERIFY(git(m_source, {u"add"_s, u"docs/notes.md"_s}));
    QVERIFY(writeFile(source.filePath(u"app/untracked.yaml"_s), "kind: New\n"));
}

void TestGitSource::openingANonRepositoryFails()
{
    const QString plain = m_temporary.filePath(u"plain"_s);
    QVERIFY(QDir().mkpath(plain));
    auto opened = GitRepository::open(plain);
    QVERIFY(!opened);
    QCOMPARE(opened.error(), plain + u" is not a git repository"_s);

    // A directory inside a working tree is not the repository: nothing is searched upwards.
    const QString inside = QDir(m_source).filePath(u"app"_s);
    opened = GitRepository::open(inside);
    QVERIFY(!opened);
    QCOMPARE(opened.error(), inside + u" is not a git repository"_s);

    const QString missing = m_temporary.filePath(u"missing"_s);
    opened = GitRepository::open(missing);
    QVERIFY(!opened);
    QCOMPARE(opened.error(), missing + u" does not exist"_s);
}

void TestGitSource::opensABareRepository()
{
    const QString bare = m_temporary.filePath(u"bare.git"_s);
    QVERIFY(git(m_temporary.path(), {u"clone"_s, u"-q"_s, u"--bare"_s, m_source, bare}));
    const auto repository = GitRepository::open(bare);
    QVERIFY_EXPECTED(repository);
    QCOMPARE(repository->resolve(u"main"_s).value_or(QString()), m_third);
    QCOMPARE(repository->resolve(u"v1"_s).value_or(QString()), m_first);
    const auto tree = repository->tree(u"main"_s, u"app/base"_s);
    QVERIFY_EXPECTED(tree);
    QCOMPARE(contents(**tree, u"deployment.yaml"_s), QByteArray("replicas: 3\n"));
}

void TestGitSource::resolvesRefsToCommits_data()
{
    QTest::addColumn<QString>("ref");
    QTest::addColumn<QString>("commit");
    QTest::newRow("branch") << u"main"_s << m_third;
    QTest::newRow("full ref name") << u"refs/heads/main"_s << m_third;
    QTest::newRow("annotated tag, peeled") << u"v1"_s << m_first;
    QTest::newRow("annotated tag by ref name") << u"refs/tags/v1"_s << m_first;
    QTest::newRow("lightweight tag") << u"light"_s << m_second;
    QTest::newRow("full commit id") << m_first << m_first;
    QTest::newRow("abbreviated commit id") << m_second.left(7) << m_second;
    QTest::newRow("HEAD") << u"HEAD"_s << m_third;
    QTest::newRow("ancestor") << u"HEAD~2"_s << m_first;
}

void TestGitSource::resolvesRefsToCommits()
{
    QFETCH(QString, ref);
    QFETCH(QString, commit);
    const auto repository = GitRepository::open(m_source);
    QVERIFY_EXPECTED(repository);
    const auto resolved = repository->resolve(ref);
    QVERIFY_EXPECTED(resolved);
    QCOMPARE(*resolved, commit);
}

void TestGitSource::resolvingAnUnknownRefFails()
{
    const auto repository = GitRepository::open(m_source);
    QVERIFY(repository);
    const auto resolved = repository->resolve(u"nope"_s);
    QVERIFY(!resolved);
    QCOMPARE(resolved.error(), u"nope is not a branch, tag or commit of "_s + m_source);
    QVERIFY(!repository->resolve(QString()));
}

void TestGitSource::resolvingInAnEmptyRepositoryFails()
{
    const QString empty = m_temporary.filePath(u"empty"_s);
    QVERIFY(git(m_temporary.path(), {u"init"_s, u"-q"_s, empty}));
    const auto repository = GitRepository::open(empty);
    QVERIFY_EXPECTED(repository);
    const auto head = repository->resolve(u"HEAD"_s);
    QVERIFY(!head);
    QCOMPARE(head.error(), empty + u" has no commits yet"_s);
    QVERIFY(!repository->resolve(u"main"_s));
    QVERIFY(repository->history(u"HEAD"_s, 10).isEmpty());
}

void TestGitSource::treeReadsTheCommitNotTheWorkingTree()
{
    const auto repository = GitRepository::open(m_source);
    QVERIFY(repository);
    const auto tree = repository->tree(u"main"_s);
    QVERIFY_EXPECTED(tree);
    QCOMPARE(contents(**tree, u"app/base/deployment.yaml"_s), QByteArray("replicas: 3\n"));
    QCOMPARE(contents(**tree, u"docs/notes.md"_s), QByteArray("Notes\n"));
    QVERIFY(!(*tree)->read(u"app/untracked.yaml"_s));
    QCOMPARE(contents(**tree, u"./app//config.json"_s), QByteArray("{}\n"));
}

void TestGitSource::treeReadsAnOlderCommit()
{
    const auto repository = GitRepository::open(m_source);
    QVERIFY(repository);
    const auto tree = repository->tree(u"v1"_s, u"app"_s);
    QVERIFY_EXPECTED(tree);
    QCOMPARE(contents(**tree, u"base/deployment.yaml"_s), QByteArray("replicas: 1\n"));
    QVERIFY(!(*tree)->read(u"../docs/notes.md"_s));
    const auto root = repository->tree(m_first.left(10));
    QVERIFY_EXPECTED(root);
    QVERIFY(!(*root)->read(u"docs/notes.md"_s));
    QCOMPARE((*root)->list(QString()), QStringList({u"README.md"_s, u"app/"_s}));
}

void TestGitSource::listShowsNestedDirectoriesSorted()
{
    const auto repository = GitRepository::open(m_source);
    QVERIFY(repository);
    const auto tree = repository->tree(u"main"_s);
    QVERIFY_EXPECTED(tree);
    const SourceTree &files = **tree;
    QCOMPARE(files.list(QString()), QStringList({u"README.md"_s, u"app/"_s, u"docs/"_s}));
    // The symbolic link app/link.yaml is not a file of the commit.
    QCOMPARE(files.list(u"app"_s), QStringList({u".github/"_s, u".hidden.yaml"_s, u"README.md"_s,
                                                u"base/"_s, u"config.json"_s, u"overlays/"_s}));
    QVERIFY(!files.read(u"app/link.yaml"_s));
    QCOMPARE(files.list(u"app/overlays"_s), QStringList({u"prod/"_s}));
    QCOMPARE(files.list(u"app/overlays/prod/"_s),
             QStringList({u"kustomization.yaml"_s, u"patch.yaml"_s}));
    QCOMPARE(files.list(u"missing"_s), QStringList());
    QCOMPARE(files.list(u"app/config.json"_s), QStringList());
    QVERIFY(!files.read(u"app/base"_s));

    const auto base = repository->tree(u"main"_s, u"app/base"_s);
    QVERIFY_EXPECTED(base);
    QCOMPARE((*base)->list(QString()), QStringList({u"deployment.yaml"_s, u"service.yml"_s}));
}

void TestGitSource::treeOfAMissingPathFails()
{
    const auto repository = GitRepository::open(m_source);
    QVERIFY(repository);
    auto tree = repository->tree(u"main"_s, u"deploy/prod"_s);
    QVERIFY(!tree);
    QCOMPARE(tree.error(),
             u"deploy/prod does not exist in commit %1 of %2"_s.arg(m_third.left(7), m_source));
    tree = repository->tree(u"v1"_s, u"docs"_s);
    QVERIFY(!tree);
    QCOMPARE(tree.error(),
             u"docs does not exist in commit %1 of %2"_s.arg(m_first.left(7), m_source));
    tree = repository->tree(u"main"_s, u"app/config.json"_s);
    QVERIFY(!tree);
    QCOMPARE(tree.error(), u"app/config.json is not a directory in commit %1 of %2"_s.arg(
                               m_third.left(7), m_source));
    tree = repository->tree(u"nope"_s, u"app"_s);
    QVERIFY(!tree);
    QCOMPARE(tree.error(), u"nope is not a branch, tag or commit of "_s + m_source);
}

void TestGitSource::treeOutlivesItsRepository()
{
    std::unique_ptr<SourceTree> tree;
    {
        auto opened = GitRepository::open(m_source);
        QVERIFY(opened);
        auto found = opened->tree(u"main"_s, u"app"_s);
        QVERIFY(found);
        tree = std::move(*found);
        GitRepository moved = std::move(*opened);
        QCOMPARE(moved.resolve(u"main"_s).value_or(QString()), m_third);
    }
    QCOMPARE(contents(*tree, u"base/deployment.yaml"_s), QByteArray("replicas: 3\n"));
    QCOMPARE(tree->list(u"base"_s), QStringList({u"deployment.yaml"_s, u"service.yml"_s}));
}

void TestGitSource::repositoryAndTreesWorkFromSeveralThreads()
{
    const auto repository = GitRepository::open(m_source);
    QVERIFY(repository);
    const auto tree = repository->tree(u"main"_s, u"app"_s);
    QVERIFY(tree);
    std::atomic<int> wrong = 0;
    std::vector<std::thread> readers;
    for (int i = 0; i < 4; ++i) {
        readers.emplace_back([&] {
            for (int round = 0; round < 200; ++round) {
                if ((*tree)->read(u"base/deployment.yaml"_s) != "replicas: 3\n" ||
                    (*tree)->list(u"overlays"_s) != QStringList{u"prod/"_s} ||
                    repository->resolve(u"v1"_s) != m_first)
                    ++wrong;
            }
        });
    }
    for (std::thread &reader : readers)
        reader.join();
    QCOMPARE(wrong.load(), 0);
}

void TestGitSource::manifestFilesAreYamlAndJsonBelowADirectory()
{
    const auto repository = GitRepository::open(m_source);
    QVERIFY(repository);
    const auto root = repository->tree(u"main"_s);
    QVERIFY(root);
    // Not README.md, .hidden.yaml, .github/workflow.yaml, the link or the untracked file.
    QCOMPARE(manifestFiles(**root, u"app"_s),
             QStringList({u"app/base/deployment.yaml"_s, u"app/base/service.yml"_s,
                          u"app/config.json"_s, u"app/overlays/prod/kustomization.yaml"_s,
                          u"app/overlays/prod/patch.yaml"_s}));
    QCOMPARE(manifestFiles(**root, u"./app/overlays/"_s),
             QStringList(
                 {u"app/overlays/prod/kustomization.yaml"_s, u"app/overlays/prod/patch.yaml"_s}));
    QCOMPARE(manifestFiles(**root, u"docs"_s), QStringList());

    const auto app = repository->tree(u"main"_s, u"app"_s);
    QVERIFY(app);
    QCOMPARE(manifestFiles(**app),
             QStringList({u"base/deployment.yaml"_s, u"base/service.yml"_s, u"config.json"_s,
                          u"overlays/prod/kustomization.yaml"_s, u"overlays/prod/patch.yaml"_s}));
}

void TestGitSource::historyListsCommitsNewestFirst()
{
    const auto repository = GitRepository::open(m_source);
    QVERIFY(repository);
    const QList<CommitInfo> history = repository->history(u"main"_s, 10);
    QCOMPARE(ids(history), QStringList({m_third, m_second, m_first}));
    const CommitInfo &newest = history.first();
    QCOMPARE(newest.shortId, m_third.left(7));
    QCOMPARE(newest.summary, u"Scale to three"_s);
    QCOMPARE(newest.author, u"Ada Lovelace"_s);
    QCOMPARE(newest.time, QDateTime::fromSecsSinceEpoch(FirstCommitTime + 120, QTimeZone::UTC));
    QCOMPARE(newest.time.timeSpec(), Qt::UTC);

    QCOMPARE(ids(repository->history(u"main"_s, 2)), QStringList({m_third, m_second}));
    QCOMPARE(repository->history(u"main"_s, 0).size(), 3);
    QCOMPARE(ids(repository->history(u"v1"_s, 10)), QStringList({m_first}));
    QVERIFY(repository->history(u"nope"_s, 10).isEmpty());
}

void TestGitSource::historyFiltersByPath()
{
    const auto repository = GitRepository::open(m_source);
    QVERIFY(repository);
    const QString main = u"main"_s;
    QCOMPARE(ids(repository->history(main, 10, u"app"_s)), QStringList({m_third, m_first}));
    QCOMPARE(ids(repository->history(main, 10, u"docs/"_s)), QStringList({m_second}));
    QCOMPARE(ids(repository->history(main, 10, u"app/base/service.yml"_s)), QStringList({m_first}));
    QCOMPARE(ids(repository->history(main, 1, u"app"_s)), QStringList({m_third}));
    QVERIFY(repository->history(main, 10, u"missing"_s).isEmpty());
}

QString TestGitSource::watchedRepository(const QString &name)
{
    const QString directory = m_temporary.filePath(name);
    if (!git(m_temporary.path(), {u"init"_s, u"-q"_s, directory}) ||
        !writeFile(directory + u"/app.yaml"_s, "replicas: 1\n") ||
        !commitAll(directory, u"First"_s) ||
        !writeFile(directory + u"/app.yaml"_s, "replicas: 2\n") ||
        !commitAll(directory, u"Second"_s))
        return {};
    return directory;
}

void TestGitSource::refWatcherSeesANewCommit()
{
    const QString directory = watchedRepository(u"watch-commit"_s);
    QVERIFY(!directory.isEmpty());
    auto repository = GitRepository::open(directory);
    QVERIFY(repository);
    RefWatcher watcher(std::move(*repository), u"main"_s);
    QCOMPARE(watcher.commit(), git(directory, {u"rev-parse"_s, u"main"_s}).value_or(QString()));
    QSignalSpy changed(&watcher, &RefWatcher::changed);

    QVERIFY(writeFile(directory + u"/app.yaml"_s, "replicas: 3\n"));
    const auto third = commitAll(directory, u"Third"_s);
    QVERIFY(third);
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() == 1, 1000);
    QCOMPARE(changed.first().first().toString(), *third);
    QCOMPARE(watcher.commit(), *third);
}

void TestGitSource::refWatcherSeesAHardReset()
{
    const QString directory = watchedRepository(u"watch-reset"_s);
    QVERIFY(!directory.isEmpty());
    const auto first = git(directory, {u"rev-parse"_s, u"HEAD~1"_s});
    QVERIFY(first);
    auto repository = GitRepository::open(directory);
    QVERIFY(repository);
    RefWatcher watcher(std::move(*repository), u"main"_s);
    QSignalSpy changed(&watcher, &RefWatcher::changed);

    QVERIFY(git(directory, {u"reset"_s, u"-q"_s, u"--hard"_s, u"HEAD~1"_s}));
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() == 1, 1000);
    QCOMPARE(changed.first().first().toString(), *first);
}

void TestGitSource::refWatcherSeesARefMovedInsidePackedRefs()
{
    const QString directory = watchedRepository(u"watch-packed"_s);
    QVERIFY(!directory.isEmpty());
    const auto first = git(directory, {u"rev-parse"_s, u"HEAD~1"_s});
    const auto second = git(directory, {u"rev-parse"_s, u"HEAD"_s});
    QVERIFY(first && second);
    QVERIFY(git(directory, {u"branch"_s, u"feature"_s, *first}));
    auto repository = GitRepository::open(directory);
    QVERIFY(repository);
    RefWatcher watcher(std::move(*repository), u"feature"_s);
    QCOMPARE(watcher.commit(), *first);
    QSignalSpy changed(&watcher, &RefWatcher::changed);
    QSignalSpy errors(&watcher, &RefWatcher::error);

    // The loose ref goes into packed-refs: the same commit, so nothing to report.
    QVERIFY(git(directory, {u"pack-refs"_s, u"--all"_s}));
    QVERIFY(!QFile::exists(directory + u"/.git/refs/heads/feature"_s));
    watcher.check();

    // Moves feature inside packed-refs, leaving no loose file, replaced by a rename as git does.
    const QString packedRefs = directory + u"/.git/packed-refs"_s;
    QFile packed(packedRefs);
    QVERIFY(packed.open(QIODevice::ReadOnly));
    QByteArray text = packed.readAll();
    packed.close();
    const QByteArray line = first->toLatin1() + " refs/heads/feature\n";
    QVERIFY(text.contains(line));
    text.replace(line, second->toLatin1() + " refs/heads/feature\n");
    QSaveFile rewritten(packedRefs);
    QVERIFY(rewritten.open(QIODevice::WriteOnly));
    rewritten.write(text);
    QVERIFY(rewritten.commit());

    QTRY_VERIFY_WITH_TIMEOUT(changed.count() == 1, 1000);
    QCOMPARE(changed.first().first().toString(), *second);
    QCOMPARE(errors.count(), 0);
}

void TestGitSource::refWatcherFollowsHeadToAnotherBranch()
{
    const QString directory = watchedRepository(u"watch-head"_s);
    QVERIFY(!directory.isEmpty());
    const auto first = git(directory, {u"rev-parse"_s, u"HEAD~1"_s});
    QVERIFY(first);
    auto repository = GitRepository::open(directory);
    QVERIFY(repository);
    RefWatcher watcher(std::move(*repository), u"HEAD"_s);
    QSignalSpy changed(&watcher, &RefWatcher::changed);

    QVERIFY(git(directory, {u"switch"_s, u"-q"_s, u"-c"_s, u"other"_s, *first}));
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() == 1, 1000);
    QCOMPARE(changed.at(0).first().toString(), *first);

    // Now HEAD moves with "other".
    const auto onOther = commitAll(directory, u"On other"_s);
    QVERIFY(onOther);
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() == 2, 1000);
    QCOMPARE(changed.at(1).first().toString(), *onOther);
}

void TestGitSource::refWatcherReportsADeletedBranchOnce()
{
    const QString directory = watchedRepository(u"watch-deleted"_s);
    QVERIFY(!directory.isEmpty());
    QVERIFY(git(directory, {u"branch"_s, u"feature"_s, u"HEAD~1"_s}));
    auto repository = GitRepository::open(directory);
    QVERIFY(repository);
    RefWatcher watcher(std::move(*repository), u"feature"_s);
    QVERIFY(!watcher.commit().isEmpty());
    QSignalSpy changed(&watcher, &RefWatcher::changed);
    QSignalSpy errors(&watcher, &RefWatcher::error);

    QVERIFY(git(directory, {u"branch"_s, u"-q"_s, u"-D"_s, u"feature"_s}));
    QTRY_VERIFY_WITH_TIMEOUT(errors.count() == 1, 1000);
    QCOMPARE(errors.first().first().toString(),
             u"feature is not a branch, tag or commit of "_s + directory);
    QVERIFY(watcher.commit().isEmpty());
    watcher.check();
    watcher.check();
    QCOMPARE(errors.count(), 1);
    QCOMPARE(changed.count(), 0);

    // Made again, it is reported where it now is.
    QVERIFY(git(directory, {u"branch"_s, u"feature"_s, u"main"_s}));
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() == 1, 1000);
    QCOMPARE(changed.first().first().toString(),
             git(directory, {u"rev-parse"_s, u"main"_s}).value_or(QString()));

    // A ref that never resolved is reported on the event loop's next turn.
    auto again = GitRepository::open(directory);
    QVERIFY(again);
    RefWatcher unknown(std::move(*again), u"nope"_s);
    QSignalSpy unknownErrors(&unknown, &RefWatcher::error);
    QTRY_VERIFY_WITH_TIMEOUT(unknownErrors.count() == 1, 1000);
}

QTEST_GUILESS_MAIN(TestGitSource)
#include "tst_gitsource.moc"
