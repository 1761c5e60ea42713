// base/assert.hpp — invariants: programmer errors, never input errors.
#pragma once

#include <cstdio>
#include <cstdlib>

#define SIGNERD_ASSERT(cond)                                                            \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)
