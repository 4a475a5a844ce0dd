#include "cronjobcontroller.h"
