// SPDX-License-Identifier: MIT
// Wire layouts of the event_channel_op (32) and grant_table_op (20) argument structs
// (public/event_channel.h, public/grant_table.h): decode what the guest passed, encode what goes
// back. The kernel copies the struct from guest memory, decodes it here, runs the operation on
// hv/event_channel.hpp or hv/grant_table.hpp, and copies the encoded reply back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/event_channel.hpp"
#include "hv/grant_table.hpp"
#include "hv/result.hpp"
#include "hv/xen_abi.hpp"

namespace hv::chanop
{

using xen::Errno;

// EVTCHNOP_* sub-commands.
enum class Evtchn_cmd : uint32_t
{
    BIND_INTERDOMAIN = 0,
    BIND_VIRQ = 1,
    BIND_PIRQ = 2,
    CLOSE = 3,
    SEND = 4,
    STATUS = 5,
    ALLOC_UNBOUND = 6,
    BIND_IPI = 7,
    BIND_VCPU = 8,
    UNMASK = 9,
    RESET = 10,
    INIT_CONTROL = 11,
    EXPAND_ARRAY = 12,
    SET_PRIORITY = 13,
};

// Size of the argument struct of each command Ward implements; ENOSYS for the others (the
// FIFO ABI's init_control included, so Linux falls back to 2-level).
Result<size_t, Errno> evtchn_arg_size(uint32_t cmd);

// The input fields, whichever command (unused ones are 0). EFAULT if `bytes` is short.
struct Evtchn_args
{
    evtchn::Domid dom;        // alloc_unbound.dom, status.dom
    evtchn::Domid remote_dom; // alloc_unbound.remote_dom, bind_interdomain.remote_dom
    evtchn::Port port;        // bind_interdomain.remote_port, close/send/unmask/status.port
    uint32_t virq;            // bind_virq.virq
    uint32_t vcpu;            // bind_virq.vcpu, bind_ipi.vcpu
};
Result<Evtchn_args, Errno> decode_evtchn(Evtchn_cmd cmd, std::span<std::byte const> bytes);

// Writes the OUT port of alloc_unbound (offset 4), bind_interdomain (8), bind_virq (8) and
// bind_ipi (4) into the struct copy; false for other commands or a short buffer.
bool encode_evtchn_port(Evtchn_cmd cmd, std::span<std::byte> bytes, evtchn::Port port);
// Writes status, vcpu and the union of evtchn_status (24 bytes).
bool encode_evtchn_status(std::span<std::byte> bytes, evtchn::Status_info const &s);

// GNTTABOP_* sub-commands.
enum class Gnttab_cmd : uint32_t
{
    MAP_GRANT_REF = 0,
    UNMAP_GRANT_REF = 1,
    SETUP_TABLE = 2,
    DUMP_TABLE = 3,
    TRANSFER = 4,
    COPY = 5,
    QUERY_SIZE = 6,
    UNMAP_AND_REPLACE = 7,
    SET_VERSION = 8,
    GET_STATUS_FRAMES = 9,
    GET_VERSION = 10,
};

inline constexpr size_t MAP_GRANT_REF_SIZE = 32;
inline constexpr size_t UNMAP_GRANT_REF_SIZE = 24;
inline constexpr size_t QUERY_SIZE_SIZE = 16;

struct Map_grant_ref
{
    uint64_t host_addr;
    uint32_t flags;
    gnttab::Grant_ref ref;
    gnttab::Domid dom;
};
Result<Map_grant_ref, Errno> decode_map_grant_ref(std::span<std::byte const> bytes);
// status at 18, handle at 20 (only meaningful when status is OKAY), dev_bus_addr 0 at 24.
bool encode_map_grant_ref(std::span<std::byte> bytes, gnttab::Status status, gnttab::Handle handle);

struct Unmap_grant_ref
{
    uint64_t host_addr;
    gnttab::Handle handle;
};
Result<Unmap_grant_ref, Errno> decode_unmap_grant_ref(std::span<std::byte const> bytes);
bool encode_unmap_grant_ref(std::span<std::byte> bytes, gnttab::Status status); // status at 20

// gnttab_query_size: dom in, nr_frames/max_nr_frames/status out.
Result<gnttab::Domid, Errno> decode_query_size(std::span<std::byte const> bytes);
bool encode_query_size(std::span<std::byte> bytes, uint32_t nr_frames, uint32_t max_nr_frames,
                       gnttab::Status status);

} // namespace hv::chanop
