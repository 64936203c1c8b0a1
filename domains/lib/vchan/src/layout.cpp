// SPDX-License-Identifier: MIT
// libxenvchan's ring sizing rules (docs/vchan.md, "Ring placement").
#include "ward/vchan/layout.hpp"

namespace dom::vchan
{

namespace
{

unsigned order_for(std::size_t size)
{
    unsigned order = PAGE_ORDER;
    while ((std::size_t{1} << order) < size && order <= MAX_ORDER)
        ++order;
    return order > MAX_ORDER ? 0 : order;
}

} // namespace

Orders choose_orders(std::size_t read_min, std::size_t write_min)
{
    if (read_min > (std::size_t{1} << MAX_ORDER) || write_min > (std::size_t{1} << MAX_ORDER))
        return {0, 0};
    if (read_min <= 1024 && write_min <= 2048)
        return {10, 11};
    if (read_min <= 2048 && write_min <= 1024)
        return {11, 10};
    // One 2 KiB in-page ring where it fits, the other in separate pages.
    if (read_min <= 2048)
        return {11, order_for(write_min)};
    if (write_min <= 2048)
        return {order_for(read_min), 11};
    return {order_for(read_min), order_for(write_min)};
}

bool grants_fit(Orders o)
{
    std::size_t const grants = ring_pages(o.left) + ring_pages(o.right);
    std::size_t end = PAGE_SIZE;
    if (o.left == 10 || o.right == 10)
        end = IN_PAGE_OFFSET_ORDER10;
    else if (o.left == 11 || o.right == 11)
        end = IN_PAGE_OFFSET_ORDER11;
    return GRANTS_OFFSET + grants * sizeof(uint32_t) <= end;
}

} // namespace dom::vchan
