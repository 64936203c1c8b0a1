// SPDX-License-Identifier: MIT
#include "ward/vchan/error.hpp"

namespace dom::vchan
{
namespace
{
thread_local std::string detail;
}

std::string const &last_error_detail()
{
    return detail;
}

void set_error_detail(std::string d)
{
    detail = std::move(d);
}

} // namespace dom::vchan
