#include "kubelet.h"
