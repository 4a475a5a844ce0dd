#pragma once

#include "clusterconfig.h"
#include "clusters.h"

#include <QObject>

#include <functional>
#include <memory>
#include <vector>

namespace timonel::cluster {

struct CreateOptions
{
    ClusterConfig config;
    QString name;           // wins over config.name; defaults::clusterName when both are empty
    int waitMs = 120000;    // for the nodes and the API server to be ready
    QString kubeconfigPath; // empty: pki::kubeconfigPath()
    bool setCurrentContext = true;
};

struct CreatedCluster
{
    QString name;
    QString context;
    QString kubeconfigPath;
    QString server;
    QString image;
    QList<NodeInfo> nodes;
};

// Everything creation has learnt and made so far; each step reads and adds to it.
struct CreateContext;

// One named step of cluster creation, kind-style: it does one thing, and records how to undo
// what it made so that a failed or cancelled creation leaves nothing behind.
class CreateStep
{
public:
    virtual ~CreateStep() = default;
    virtual QString title() const = 0;
    virtual Outcome<void> execute(CreateContext &context) = 0;
};

// Creates a cluster as a short, linear pipeline of steps (see steps()), reporting each one.
// run() blocks its thread, so the GUI runs it on a worker thread; the CLI runs it on the main
// thread, whose event loop keeps turning inside the Docker calls (Ctrl-C cancels).
class ClusterCreator : public QObject
{
    Q_OBJECT
public:
    ClusterCreator(CreateOptions options, docker::DockerClient docker = docker::DockerClient(),
                   QObject *parent = nullptr);
    ~ClusterCreator() override;

    QStringList stepTitles() const;
    Outcome<CreatedCluster> run(const core::CancelToken *cancel = nullptr);

Q_SIGNALS:
    void stepStarted(int index, const QString &title);
    // detail: what the step found or made ("timonel/node:3f2a..." built / reused), or the error.
    void stepFinished(int index, const QString &title, bool ok, const QString &detail);
    void warning(const QString &message);
    void rollingBack();
    // Only with TIMONEL_TEST_HOLD_BEFORE_STEP (a test hook): creation waits before this step.
    void holding(int index);

private:
    CreateOptions m_options;
    docker::DockerClient m_docker;
    std::vector<std::unique_ptr<CreateStep>> m_steps;
};

} // namespace timonel::cluster
