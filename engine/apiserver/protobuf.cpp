#include "protobuf.h"
