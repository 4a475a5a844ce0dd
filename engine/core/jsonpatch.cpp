#include "jsonpatch.h"
