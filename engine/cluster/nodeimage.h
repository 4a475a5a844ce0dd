#pragma once

#include "docker/dockerclient.h"

#include <QString>

#include <expected>
#include <functional>

namespace timonel::cluster {

// The node image: timonel-node and every shared object it loads, assembled into a root file
// system and imported into Docker (no registry), tagged by the hash of its contents so that a
// rebuilt binary gets a new image and an unchanged one is reused.
class NodeImage
{
public:
    // The timonel-node to package: $TIMONEL_NODE_BINARY, else next to this program, else on PATH.
    static QString findNodeBinary();

    explicit NodeImage(QString nodeBinary = findNodeBinary());

    // "timonel/node:<hash>"; computes the closure and its hash (a fraction of a second).
    std::expected<QString, QString> reference();
    // Imports the image unless the daemon already has it. `built` tells which happened.
    std::expected<QString, QString> ensure(const docker::DockerClient &docker,
                                           bool *built = nullptr);

private:
    struct File
    {
        QString path;       // in the image
        QString source;     // on this machine
        QString linkTarget; // non-empty for a symlink
    };
    std::expected<void, QString> computeClosure();
    static void pruneOlderImages(const docker::DockerClient &docker, const QString &current);

    QString m_nodeBinary;
    QList<File> m_files;
    QString m_reference;
};

} // namespace timonel::cluster
