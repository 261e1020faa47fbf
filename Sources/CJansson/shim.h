#ifndef CUECAST_CJANSSON_SHIM_H
#define CUECAST_CJANSSON_SHIM_H
#include <jansson.h>
#endif
