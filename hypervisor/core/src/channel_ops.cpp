// SPDX-License-Identifier: MIT
// EVTCHNOP/GNTTABOP argument struct layouts; see channel_ops.hpp.
#include "hv/channel_ops.hpp"

#include "hv/bytes.hpp"

namespace hv::chanop
{

Result<size_t, Errno> evtchn_arg_size(uint32_t cmd)
{
    switch (static_cast<Evtchn_cmd>(cmd)) {
    case Evtchn_cmd::ALLOC_UNBOUND: return size_t{8};
    case Evtchn_cmd::BIND_INTERDOMAIN: return size_t{12};
    case Evtchn_cmd::BIND_VIRQ: return size_t{12};
    case Evtchn_cmd::BIND_IPI: return size_t{8};
    case Evtchn_cmd::CLOSE:
    case Evtchn_cmd::SEND:
    case Evtchn_cmd::UNMASK: return size_t{4};
    case Evtchn_cmd::STATUS: return size_t{24};
    default: return unexpected(Errno::XEN_ENOSYS);
    }
}

Result<Evtchn_args, Errno> decode_evtchn(Evtchn_cmd cmd, std::span<std::byte const> b)
{
    size_t const need = HV_TRY(evtchn_arg_size(static_cast<uint32_t>(cmd)));
    if (b.size() < need)
        return unexpected(Errno::XEN_EFAULT);
    Evtchn_args a{};
    switch (cmd) {
    case Evtchn_cmd::ALLOC_UNBOUND:
        a.dom = load_le<uint16_t>(b, 0);
        a.remote_dom = load_le<uint16_t>(b, 2);
        break;
    case Evtchn_cmd::BIND_INTERDOMAIN:
        a.remote_dom = load_le<uint16_t>(b, 0);
        a.port = load_le<uint32_t>(b, 4);
        break;
    case Evtchn_cmd::BIND_VIRQ:
        a.virq = load_le<uint32_t>(b, 0);
        a.vcpu = load_le<uint32_t>(b, 4);
        break;
    case Evtchn_cmd::BIND_IPI: a.vcpu = load_le<uint32_t>(b, 0); break;
    case Evtchn_cmd::STATUS:
        a.dom = load_le<uint16_t>(b, 0);
        a.port = load_le<uint32_t>(b, 4);
        break;
    default: a.port = load_le<uint32_t>(b, 0); break; // close, send, unmask
    }
    return a;
}

bool encode_evtchn_port(Evtchn_cmd cmd, std::span<std::byte> b, evtchn::Port port)
{
    switch (cmd) {
    case Evtchn_cmd::ALLOC_UNBOUND:
    case Evtchn_cmd::BIND_IPI: return write_le<uint32_t>(b, 4, port);
    case Evtchn_cmd::BIND_INTERDOMAIN:
    case Evtchn_cmd::BIND_VIRQ: return write_le<uint32_t>(b, 8, port);
    default: return false;
    }
}

bool encode_evtchn_status(std::span<std::byte> b, evtchn::Status_info const &s)
{
    if (b.size() < 24)
        return false;
    for (size_t i = 8; i < 24; ++i)
        b[i] = std::byte{0};
    (void)write_le<uint32_t>(b, 8, static_cast<uint32_t>(s.status)); // sized above
    (void)write_le<uint32_t>(b, 12, s.vcpu);
    switch (s.status) {
    case evtchn::Status::UNBOUND: (void)write_le<uint16_t>(b, 16, s.dom); break;
    case evtchn::Status::INTERDOMAIN:
        (void)write_le<uint16_t>(b, 16, s.dom);
        (void)write_le<uint32_t>(b, 20, s.port);
        break;
    case evtchn::Status::VIRQ: (void)write_le<uint32_t>(b, 16, s.virq); break;
    default: break;
    }
    return true;
}

Result<Map_grant_ref, Errno> decode_map_grant_ref(std::span<std::byte const> b)
{
    if (b.size() < MAP_GRANT_REF_SIZE)
        return unexpected(Errno::XEN_EFAULT);
    return Map_grant_ref{load_le<uint64_t>(b, 0), load_le<uint32_t>(b, 8), load_le<uint32_t>(b, 12),
                         load_le<uint16_t>(b, 16)};
}

bool encode_map_grant_ref(std::span<std::byte> b, gnttab::Status status, gnttab::Handle handle)
{
    if (b.size() < MAP_GRANT_REF_SIZE)
        return false;
    (void)write_le<uint16_t>(b, 18, static_cast<uint16_t>(status)); // sized above
    (void)write_le<uint32_t>(b, 20, status == gnttab::Status::OKAY ? handle : 0u);
    (void)write_le<uint64_t>(b, 24, 0);
    return true;
}

Result<Unmap_grant_ref, Errno> decode_unmap_grant_ref(std::span<std::byte const> b)
{
    if (b.size() < UNMAP_GRANT_REF_SIZE)
        return unexpected(Errno::XEN_EFAULT);
    return Unmap_grant_ref{load_le<uint64_t>(b, 0), load_le<uint32_t>(b, 16)};
}

bool encode_unmap_grant_ref(std::span<std::byte> b, gnttab::Status status)
{
    return b.size() >= UNMAP_GRANT_REF_SIZE &&
           write_le<uint16_t>(b, 20, static_cast<uint16_t>(status));
}

Result<gnttab::Domid, Errno> decode_query_size(std::span<std::byte const> b)
{
    if (b.size() < QUERY_SIZE_SIZE)
        return unexpected(Errno::XEN_EFAULT);
    return load_le<uint16_t>(b, 0);
}

bool encode_query_size(std::span<std::byte> b, uint32_t nr_frames, uint32_t max_nr_frames,
                       gnttab::Status status)
{
    return b.size() >= QUERY_SIZE_SIZE && write_le<uint32_t>(b, 4, nr_frames) &&
           write_le<uint32_t>(b, 8, max_nr_frames) &&
           write_le<uint16_t>(b, 12, static_cast<uint16_t>(status));
}

} // namespace hv::chanop
