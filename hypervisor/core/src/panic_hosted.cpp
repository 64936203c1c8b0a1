// SPDX-License-Identifier: MIT
// hv::panic for hosted builds of the pure core (tests, host tools): print and abort.
#include <cstdio>
#include <cstdlib>

#include "hv/result.hpp"

namespace hv
{

void panic(char const *why)
{
    std::fprintf(stderr, "hv::panic: %s\n", why);
    std::abort();
}

} // namespace hv
