// The samples gallery's catalog: the course's apps, ready to deploy with one click. Their
// manifests and the sources of their images are compiled in (resources/); the images are
// built on this machine's Docker when missing, since no sample image is pulled.
#pragma once

#include "docker/dockerclient.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <expected>
#include <functional>

namespace timonel::gui {

struct SampleImage
{
    QString name;    // "timonel-samples/dockercoins-rng", as the manifest names it
    QString context; // its build context among the compiled-in resources (":/resources/...")
};

struct Sample
{
    QString id;          // "dockercoins"
    QString title;       // translated
    QString description; // translated
    QString manifest;    // ":/resources/samples/....yaml"
    QList<SampleImage> images;
    QString entryPoint; // what to open once deployed: "service/webui", "pod/nginx"
};

QList<Sample> samples();

// The sample's objects, in manifest order.
std::expected<QList<QJsonObject>, QString> sampleObjects(const Sample &sample);

// The image the sample Dockerfiles build on (their BASE argument): the setting
// "samples/baseImage", else $TIMONEL_SAMPLES_BASE_IMAGE, else debian:bookworm-slim.
QString samplesBaseImage();

// Builds the sample's missing images (blocking: run it off the UI thread). `progress` gets a
// line per image and the build's output; the error names the image.
std::expected<void, QString>
prepareSampleImages(const Sample &sample, const docker::DockerClient &docker,
                    const QString &baseImage, const std::function<void(const QString &)> &progress);

} // namespace timonel::gui
