#include "labelselector.h"
