// SPDX-License-Identifier: MIT
#include "hv/channel_ops.hpp"

#include <gtest/gtest.h>

#include "fakes/elf_builder.hpp"

using namespace hv::chanop;
using hv_test::as_span;
using hv_test::Bytes;
using hv_test::get;
using hv_test::put;

namespace
{

TEST(ChannelOps, EventChannelStructs)
{
    EXPECT_EQ(*evtchn_arg_size(6), 8u);
    EXPECT_EQ(*evtchn_arg_size(5), 24u);
    EXPECT_EQ(evtchn_arg_size(11).error(), Errno::XEN_ENOSYS); // FIFO: Linux falls back
    EXPECT_EQ(evtchn_arg_size(2).error(), Errno::XEN_ENOSYS);  // no PIRQs

    Bytes alloc(8);
    put(alloc, 0, 0x7ff0, 2);
    put(alloc, 2, 3, 2);
    auto const a = decode_evtchn(Evtchn_cmd::ALLOC_UNBOUND, as_span(alloc));
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->dom, hv::evtchn::DOMID_SELF);
    EXPECT_EQ(a->remote_dom, 3u);
    EXPECT_TRUE(encode_evtchn_port(Evtchn_cmd::ALLOC_UNBOUND, alloc, 42));
    EXPECT_EQ(get(alloc, 4, 4), 42u);
    EXPECT_EQ(decode_evtchn(Evtchn_cmd::ALLOC_UNBOUND, std::span(as_span(alloc)).first(7)).error(),
              Errno::XEN_EFAULT);

    Bytes bind(12);
    put(bind, 0, 5, 2);
    put(bind, 4, 9, 4);
    auto const b = decode_evtchn(Evtchn_cmd::BIND_INTERDOMAIN, as_span(bind));
    EXPECT_EQ(b->remote_dom, 5u);
    EXPECT_EQ(b->port, 9u);
    EXPECT_TRUE(encode_evtchn_port(Evtchn_cmd::BIND_INTERDOMAIN, bind, 7));
    EXPECT_EQ(get(bind, 8, 4), 7u);
    EXPECT_FALSE(encode_evtchn_port(Evtchn_cmd::SEND, bind, 7));

    Bytes virq(12);
    put(virq, 0, 0, 4);
    put(virq, 4, 1, 4);
    EXPECT_EQ(decode_evtchn(Evtchn_cmd::BIND_VIRQ, as_span(virq))->vcpu, 1u);
    Bytes send = hv_test::le_bytes(33, 4);
    EXPECT_EQ(decode_evtchn(Evtchn_cmd::SEND, as_span(send))->port, 33u);

    Bytes status(24, std::byte{0xee});
    ASSERT_TRUE(encode_evtchn_status(status, {hv::evtchn::Status::INTERDOMAIN, 0, 4, 17, 0}));
    EXPECT_EQ(get(status, 8, 4), 2u);
    EXPECT_EQ(get(status, 12, 4), 0u);
    EXPECT_EQ(get(status, 16, 2), 4u);
    EXPECT_EQ(get(status, 18, 2), 0u); // padding cleared
    EXPECT_EQ(get(status, 20, 4), 17u);
    EXPECT_EQ(get(status, 0, 1), 0xeeu); // the IN part untouched
    EXPECT_FALSE(encode_evtchn_status(std::span(status).first(20), {}));
}

TEST(ChannelOps, GrantTableStructs)
{
    Bytes map(32);
    put(map, 0, 0x40000000, 8);
    put(map, 8, hv::gnttab::GNTMAP_HOST_MAP, 4);
    put(map, 12, 12, 4);
    put(map, 16, 1, 2);
    auto const m = decode_map_grant_ref(as_span(map));
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->host_addr, 0x40000000u);
    EXPECT_EQ(m->ref, 12u);
    EXPECT_EQ(m->dom, 1u);
    ASSERT_TRUE(encode_map_grant_ref(map, hv::gnttab::Status::OKAY, 3));
    EXPECT_EQ(get(map, 18, 2), 0u);
    EXPECT_EQ(get(map, 20, 4), 3u);
    ASSERT_TRUE(encode_map_grant_ref(map, hv::gnttab::Status::PERMISSION_DENIED, 3));
    EXPECT_EQ(static_cast<int16_t>(get(map, 18, 2)), -8);
    EXPECT_EQ(decode_map_grant_ref(std::span(as_span(map)).first(31)).error(), Errno::XEN_EFAULT);

    Bytes unmap(24);
    put(unmap, 16, 3, 4);
    EXPECT_EQ(decode_unmap_grant_ref(as_span(unmap))->handle, 3u);
    ASSERT_TRUE(encode_unmap_grant_ref(unmap, hv::gnttab::Status::BAD_HANDLE));
    EXPECT_EQ(static_cast<int16_t>(get(unmap, 20, 2)), -4);

    Bytes q(16);
    put(q, 0, 0x7ff0, 2);
    EXPECT_EQ(*decode_query_size(as_span(q)), 0x7ff0u);
    ASSERT_TRUE(encode_query_size(q, 1, 8, hv::gnttab::Status::OKAY));
    EXPECT_EQ(get(q, 4, 4), 1u);
    EXPECT_EQ(get(q, 8, 4), 8u);
    EXPECT_FALSE(encode_query_size(std::span(q).first(12), 1, 8, hv::gnttab::Status::OKAY));
}

} // namespace
