// The samples gallery's catalog: every sample's manifest is there and parses, every image it
// builds has a Dockerfile, and an image really builds from the compiled-in sources on the test
// base image (the real Docker engine).
#include "samples.h"
#include "testsupport.h"

#include <QFile>
#include <QTest>
#include <QUuid>

using namespace timonel;
using namespace Qt::StringLiterals;

class TestSamples : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void theCoursesAppsAreInTheCatalog()
    {
        QStringList ids;
        for (const gui::Sample &s : gui::samples())
            ids.append(s.id);
        QCOMPARE(ids,
                 (QStringList{u"nginx-probes"_s, u"flask-redis-ambassador"_s, u"dockercoins"_s}));
    }

    void everyManifestParsesAndNamesItsImages()
    {
        for (const gui::Sample &sample : gui::samples()) {
            const auto objects = gui::sampleObjects(sample);
            QVERIFY2(objects, qPrintable(sample.id));
            QVERIFY2(!objects->isEmpty(), qPrintable(sample.id));
            QStringList used;
            for (const QJsonObject &object : *objects) {
                const QJsonObject spec =
                    object[u"kind"_s] == u"Pod"_s
                        ? object[u"spec"_s].toObject()
                        : object[u"spec"_s][u"template"_s][u"spec"_s].toObject();
                for (const QJsonValue &c : spec[u"containers"_s].toArray())
                    used.append(c[u"image"_s].toString());
            }
            for (const gui::SampleImage &image : sample.images) {
                QVERIFY2(used.contains(image.name), qPrintable(image.name));
                QVERIFY2(QFile::exists(image.context + u"/Dockerfile"_s), qPrintable(image.name));
            }
            QVERIFY2(!sample.entryPoint.isEmpty(), qPrintable(sample.id));
        }
    }

    void anImageBuildsFromTheCompiledInSources()
    {
        TIMONEL_REQUIRE_DOCKER();
        docker::DockerClient docker;
        // The test images' base has Python's Flask and Redis, so the build stays offline.
        QVERIFY2(docker.inspectImage(u"timonel-test/base"_s),
                 "timonel-test/base is missing: run tests/images/build");
        gui::Sample sample = gui::samples().at(1);
        QCOMPARE(sample.images.size(), 1);
        const QString tag =
            u"timonel-test/sample-build:"_s + QUuid::createUuid().toString(QUuid::Id128).left(8);
        sample.images[0].name = tag;
        QStringList progress;
        auto built = gui::prepareSampleImages(sample, docker, u"timonel-test/base"_s,
                                              [&](const QString &line) { progress.append(line); });
        QVERIFY2(built, qPrintable(built ? QString() : built.error()));
        QVERIFY2(progress.first().startsWith(u"Building image "_s), qPrintable(progress.first()));
        auto image = docker.inspectImage(tag);
        QVERIFY(image);
        QCOMPARE(image->value(u"Config"_s).toObject().value(u"Cmd"_s).toArray().last().toString(),
                 u"run"_s);
        // Present now: nothing is built again.
        progress.clear();
        QVERIFY(gui::prepareSampleImages(sample, docker, u"timonel-test/base"_s,
                                         [&](const QString &line) { progress.append(line); }));
        QCOMPARE(progress, QStringList{u"Image %1 is present"_s.arg(tag)});
        QVERIFY(docker.removeImage(tag, true));
    }
};

QTEST_GUILESS_MAIN(TestSamples)
#include "tst_samples.moc"
