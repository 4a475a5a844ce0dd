#include "volumes.h"
