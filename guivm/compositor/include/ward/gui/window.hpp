// SPDX-License-Identifier: MIT
// One guest window as the daemon keeps it: every field already validated or clamped.
#pragma once

#include <QRect>
#include <QString>
#include <cstdint>
#include <memory>

#include "ward/gui/shared_buffer.hpp"

namespace gvm
{

struct Window
{
    uint32_t id = 0;
    QRect client; // screen coordinates, inside the work area with its frame
    bool mapped = false;
    bool override_redirect = false; // menus and popups; never larger than 90 % of the screen
    bool demands_attention = false;
    uint32_t transient_for = 0; // another window of the same domain, or 0
    QString title;              // sanitised
    uint64_t stacking = 0;      // larger is higher
    std::unique_ptr<Shared_buffer> buffer;
};

} // namespace gvm
