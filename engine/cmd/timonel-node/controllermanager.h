// What kube-controller-manager and kube-scheduler are on a Kubernetes control plane, in the
// control-plane node's own process: every controller and the scheduler, started together over
// the in-process client and stopped together.
#pragma once

#include "client/apiclient.h"

#include <QObject>

#include <memory>
#include <vector>

namespace timonel::node {

class ControllerManager
{
public:
    explicit ControllerManager(client::ApiClient &api);
    ~ControllerManager();

    void start();
    void stop();

private:
    struct Component;
    std::vector<std::unique_ptr<Component>> m_components;
    bool m_started = false;
};

} // namespace timonel::node
