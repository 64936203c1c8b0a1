// SPDX-License-Identifier: MIT
// The libxenvchan shared control page and ring placement, byte for byte (docs/vchan.md).
#pragma once

#include <cstddef>
#include <cstdint>

namespace dom::vchan
{

inline constexpr std::size_t PAGE_SIZE = 4096;
inline constexpr unsigned MIN_ORDER = 10;
inline constexpr unsigned MAX_ORDER = 20;
inline constexpr unsigned PAGE_ORDER = 12;

// Offsets of the in-page rings (orders 10 and 11) inside the control page.
inline constexpr std::size_t IN_PAGE_OFFSET_ORDER10 = 1024;
inline constexpr std::size_t IN_PAGE_OFFSET_ORDER11 = 2048;

inline constexpr uint8_t NOTIFY_WRITE = 0x1; // wake me when data has been written
inline constexpr uint8_t NOTIFY_READ = 0x2;  // wake me when space has been freed

inline constexpr uint8_t LIVE_EXITED = 0;
inline constexpr uint8_t LIVE_CONNECTED = 1;
inline constexpr uint8_t LIVE_WAITING = 2;

struct Ring_shared
{
    uint32_t cons;
    uint32_t prod;
};

// struct vchan_interface. grants[] follows at offset 24: the left ring's pages, then the right's.
struct Interface
{
    Ring_shared left;  // client writes, server reads
    Ring_shared right; // server writes, client reads
    uint16_t left_order;
    uint16_t right_order;
    uint8_t cli_live;
    uint8_t srv_live;
    uint8_t cli_notify;
    uint8_t srv_notify;
};

inline constexpr std::size_t GRANTS_OFFSET = 24;

static_assert(sizeof(Ring_shared) == 8);
static_assert(offsetof(Interface, left) == 0);
static_assert(offsetof(Interface, right) == 8);
static_assert(offsetof(Interface, left_order) == 16);
static_assert(offsetof(Interface, right_order) == 18);
static_assert(offsetof(Interface, cli_live) == 20);
static_assert(offsetof(Interface, srv_live) == 21);
static_assert(offsetof(Interface, cli_notify) == 22);
static_assert(offsetof(Interface, srv_notify) == 23);
static_assert(sizeof(Interface) == GRANTS_OFFSET);

// Pages a ring of this order needs outside the control page (0 for the in-page orders).
constexpr std::size_t ring_pages(unsigned order)
{
    return order < PAGE_ORDER ? 0 : std::size_t{1} << (order - PAGE_ORDER);
}

struct Orders
{
    unsigned left;
    unsigned right;
};

// libxenvchan_server_init's sizing: the server reads `read_min` (left) and writes `write_min`
// (right). Returns orders of 0 if a request exceeds the maximum ring size.
Orders choose_orders(std::size_t read_min, std::size_t write_min);

// How many grant slots fit in the control page for these orders (the grants must not run into
// an in-page ring).
bool grants_fit(Orders o);

} // namespace dom::vchan
