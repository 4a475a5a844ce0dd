#include "kubeletserver.h"
