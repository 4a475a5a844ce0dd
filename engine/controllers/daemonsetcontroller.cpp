#include "daemonsetcontroller.h"
