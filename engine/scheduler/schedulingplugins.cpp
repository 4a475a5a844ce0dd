#include "schedulingplugins.h"
