#include "mergepatch.h"
