#include "secretcipher.h"
