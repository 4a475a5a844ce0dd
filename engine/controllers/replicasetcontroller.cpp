#include "replicasetcontroller.h"
