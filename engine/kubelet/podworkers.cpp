#include "podworkers.h"
