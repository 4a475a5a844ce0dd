#include "samples.h"

#include "core/yaml.h"
#include "docker/tar.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QDirIterator>
#include <QFile>
#include <QSettings>

namespace timonel::gui {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("timonel::gui::Samples", text);
}

SampleImage dockercoinsImage(const QString &service)
{
    return {QStringLiteral("timonel-samples/dockercoins-") + service,
            QStringLiteral(":/resources/dockercoins/") + service};
}

} // namespace

QList<Sample> samples()
{
    return {
        {QStringLiteral("nginx-probes"),
         tr("nginx with probes"),
         tr("The course's nginx pod with a startup, a readiness and a liveness probe."),
         QStringLiteral(":/resources/samples/nginx-probes.yaml"),
         {},
         QStringLiteral("pod/nginx")},
        {QStringLiteral("flask-redis-ambassador"),
         tr("Flask + Redis (ambassador)"),
         tr("A Flask app that talks to Redis on localhost through an nginx ambassador "
            "container, which finds the redis Service through a ConfigMap."),
         QStringLiteral(":/resources/samples/flask-redis-ambassador.yaml"),
         {{QStringLiteral("timonel-samples/flask-redis"),
           QStringLiteral(":/resources/samples/flask-redis")}},
         QStringLiteral("pod/flask-ambassador")},
        {QStringLiteral("dockercoins"),
         tr("dockercoins"),
         tr("Workers mine coins through an rng and a hasher service, counted in Redis; the web "
            "UI charts hashes per second on its LoadBalancer address. Scale worker and rng to "
            "watch it grow."),
         QStringLiteral(":/resources/dockercoins/dockercoins.yaml"),
         {dockercoinsImage(QStringLiteral("rng")), dockercoinsImage(QStringLiteral("hasher")),
          dockercoinsImage(QStringLiteral("worker")), dockercoinsImage(QStringLiteral("webui"))},
         QStringLiteral("service/webui")},
    };
}

std::expected<QList<QJsonObject>, QString> sampleObjects(const Sample &sample)
{
    QFile file(sample.manifest);
    if (!file.open(QIODevice::ReadOnly))
        return std::unexpected(file.errorString());
    auto documents = core::parseYamlDocuments(file.readAll());
    if (!documents)
        return std::unexpected(core::formatYamlError(documents.error(), sample.manifest));
    QList<QJsonObject> objects;
    for (const QJsonValue &document : *documents)
        if (document.isObject())
            objects.append(document.toObject());
    return objects;
}

QString samplesBaseImage()
{
    const QString chosen = QSettings().value(QStringLiteral("samples/baseImage")).toString();
    if (!chosen.isEmpty())
        return chosen;
    const QString fromEnvironment = qEnvironmentVariable("TIMONEL_SAMPLES_BASE_IMAGE");
    return fromEnvironment.isEmpty() ? QStringLiteral("debian:bookworm-slim") : fromEnvironment;
}

std::expected<void, QString>
prepareSampleImages(const Sample &sample, const docker::DockerClient &docker,
                    const QString &baseImage, const std::function<void(const QString &)> &progress)
{
    for (const SampleImage &image : sample.images) {
        if (docker.inspectImage(image.name)) {
            progress(tr("Image %1 is present").arg(image.name));
            continue;
        }
        progress(tr("Building image %1 on %2 ...").arg(image.name, baseImage));
        QBuffer context;
        context.open(QIODevice::ReadWrite);
        docker::TarWriter tar(&context);
        QDirIterator files(image.context, QDir::Files, QDirIterator::Subdirectories);
        while (files.hasNext()) {
            const QString path = files.next();
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly))
                return std::unexpected(tr("%1: %2").arg(path, file.errorString()));
            tar.addFile(path.mid(image.context.size() + 1), file.readAll());
        }
        if (!tar.finish())
            return std::unexpected(tar.errorString());
        const qint64 size = context.size();
        context.seek(0);
        auto built =
            docker.buildImage(&context, size, image.name, QStringLiteral("Dockerfile"),
                              {{QStringLiteral("BASE"), baseImage}}, [&](const QJsonObject &line) {
                                  const QString text =
                                      line.value(QLatin1String("stream")).toString().trimmed();
                                  if (!text.isEmpty())
                                      progress(text);
                              });
        if (!built)
            return std::unexpected(
                tr("Cannot build image %1: %2").arg(image.name, built.error().message));
    }
    return {};
}

} // namespace timonel::gui
