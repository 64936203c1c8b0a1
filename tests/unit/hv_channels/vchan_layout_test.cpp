// SPDX-License-Identifier: MIT
// The test guests' freestanding vchan (tests/emu/guests/vchan_guest.h) and the host library
// (domains/lib/vchan, docs/vchan.md §2) share one shared-memory layout: only the transport
// differs (grants + event channels there, memfd + Unix socket here).
#include <gtest/gtest.h>

#include <cstddef>

#include "ward/vchan/layout.hpp"

extern "C" {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#include "vchan_guest.h"
#pragma GCC diagnostic pop
}

namespace
{

namespace layout = dom::vchan;

static_assert(offsetof(vchan_interface, left) == offsetof(layout::Interface, left));
static_assert(offsetof(vchan_interface, right) == offsetof(layout::Interface, right));
static_assert(offsetof(vchan_interface, left_order) == offsetof(layout::Interface, left_order));
static_assert(offsetof(vchan_interface, right_order) == offsetof(layout::Interface, right_order));
static_assert(offsetof(vchan_interface, cli_live) == offsetof(layout::Interface, cli_live));
static_assert(offsetof(vchan_interface, srv_live) == offsetof(layout::Interface, srv_live));
static_assert(offsetof(vchan_interface, cli_notify) == offsetof(layout::Interface, cli_notify));
static_assert(offsetof(vchan_interface, srv_notify) == offsetof(layout::Interface, srv_notify));
static_assert(offsetof(vchan_interface, grants) == layout::GRANTS_OFFSET);
static_assert(VCHAN_NOTIFY_WRITE == layout::NOTIFY_WRITE);
static_assert(VCHAN_NOTIFY_READ == layout::NOTIFY_READ);

TEST(VchanLayout, GuestAndHostLibraryAgree)
{
    EXPECT_EQ(sizeof(vchan_ring_shared), sizeof(layout::Ring_shared));
    EXPECT_EQ(offsetof(vchan_interface, grants), 24u);
}

} // namespace
