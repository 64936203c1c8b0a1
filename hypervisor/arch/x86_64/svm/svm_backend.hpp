// SPDX-License-Identifier: MIT
// AMD SVM backend entry point: checks SVM/NPT support and returns the Backend singleton.
#pragma once

#include "arch/vcpu_backend.hpp"

namespace hv::arch::svm
{

Result<Backend *, Error> create_backend(Page_provider &pages);

} // namespace hv::arch::svm
