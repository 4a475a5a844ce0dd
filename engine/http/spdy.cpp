#include "spdy.h"
