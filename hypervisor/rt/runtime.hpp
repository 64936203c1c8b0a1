// SPDX-License-Identifier: MIT
// Freestanding runtime entry points used by kmain.
#pragma once

namespace hv
{

void run_global_constructors();

} // namespace hv
