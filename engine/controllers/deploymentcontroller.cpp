#include "deploymentcontroller.h"
