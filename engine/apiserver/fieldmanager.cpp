#include "fieldmanager.h"
