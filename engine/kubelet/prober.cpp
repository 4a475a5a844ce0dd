#include "prober.h"
