#include "nodelifecyclecontroller.h"
