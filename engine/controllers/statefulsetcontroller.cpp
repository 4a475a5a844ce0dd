#include "statefulsetcontroller.h"
