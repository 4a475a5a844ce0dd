#include "localprovisioner.h"
