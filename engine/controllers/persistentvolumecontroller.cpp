#include "persistentvolumecontroller.h"
