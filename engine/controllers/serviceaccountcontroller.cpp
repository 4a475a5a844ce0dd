#include "serviceaccountcontroller.h"
