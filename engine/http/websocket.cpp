#include "websocket.h"
