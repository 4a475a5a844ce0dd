#include "controllermanager.h"

#include "controllers/cronjobcontroller.h"
#include "controllers/daemonsetcontroller.h"
#include "controllers/deploymentcontroller.h"
#include "controllers/endpointscontroller.h"
#include "controllers/endpointslicecontroller.h"
#include "controllers/garbagecollector.h"
#include "controllers/jobcontroller.h"
#include "controllers/namespacecontroller.h"
#include "controllers/nodelifecyclecontroller.h"
#include "controllers/persistentvolumecontroller.h"
#include "controllers/replicasetcontroller.h"
#include "controllers/resourcequotacontroller.h"
#include "controllers/serviceaccountcontroller.h"
#include "controllers/statefulsetcontroller.h"
#include "scheduler/scheduler.h"

#include <functional>

namespace timonel::node {

// One started component: its object and how to stop it, whatever its class.
struct ControllerManager::Component
{
    std::unique_ptr<QObject> object;
    std::function<void()> start;
    std::function<void()> stop;
};

ControllerManager::ControllerManager(client::ApiClient &api)
{
    auto add = [this](auto object) {
        auto *raw = object.get();
        m_components.push_back(std::make_unique<Component>(
            Component{std::move(object), [raw] { raw->start(); }, [raw] { raw->stop(); }}));
    };
    add(std::make_unique<controllers::NamespaceController>(api));
    add(std::make_unique<controllers::GarbageCollector>(api));
    add(std::make_unique<controllers::ServiceAccountController>(api));
    add(std::make_unique<controllers::NodeLifecycleController>(api));
    add(std::make_unique<controllers::ReplicaSetController>(api));
    add(std::make_unique<controllers::DeploymentController>(api));
    add(std::make_unique<controllers::StatefulSetController>(api));
    add(std::make_unique<controllers::DaemonSetController>(api));
    add(std::make_unique<controllers::JobController>(api));
    add(std::make_unique<controllers::CronJobController>(api));
    add(std::make_unique<controllers::PersistentVolumeController>(api));
    add(std::make_unique<controllers::ResourceQuotaController>(api));
    add(std::make_unique<controllers::EndpointsController>(api));
    add(std::make_unique<controllers::EndpointSliceController>(api));
    add(std::make_unique<scheduler::Scheduler>(api));
}

ControllerManager::~ControllerManager()
{
    stop();
}

void ControllerManager::start()
{
    m_started = true;
    for (auto &c : m_components)
        c->start();
}

void ControllerManager::stop()
{
    if (!std::exchange(m_started, false))
        return;
    // In reverse: the scheduler stops before the controllers whose pods it places.
    for (auto it = m_components.rbegin(); it != m_components.rend(); ++it)
        (*it)->stop();
}

} // namespace timonel::node
