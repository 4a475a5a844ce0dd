#include "strategicmergepatch.h"
