#include "nodestatus.h"
