// SPDX-License-Identifier: MIT
// console_io (write) and sched_op (yield, block, shutdown).
#include "hv/format.hpp"
#include "kernel/guest_memory.hpp"
#include "kernel/hypercall_handlers.hpp"
#include "kernel/scheduler.hpp"
#include "platform/log.hpp"

namespace hv::kernel
{

Hypercall_result hc_console_io(Domain &self, arch::Vcpu &v, Args const &a)
{
    auto const w = xen::decode_console_io(a);
    if (!w)
        return Hypercall_result::error(w.error());
    char chunk[256];
    for (uint32_t done = 0; done < w->count;) {
        size_t const n = w->count - done < sizeof chunk ? w->count - done : sizeof chunk;
        if (!read_guest(self, v, w->buffer + done, chunk, n))
            return Hypercall_result::error(xen::Errno::XEN_EFAULT);
        console_write(self, chunk, n);
        done += static_cast<uint32_t>(n);
    }
    return {0};
}

Hypercall_result hc_sched_op(Domain &self, arch::Vcpu &v, Args const &a)
{
    auto const op = xen::decode_sched_op(a);
    if (!op)
        return Hypercall_result::error(op.error());
    switch (op->cmd) {
    case xen::Sched_cmd::YIELD: ++self.stats.yields; return {0, After::YIELD};
    case xen::Sched_cmd::BLOCK:
        ++self.stats.blocks;
        sched_block(self, Domain_state::BLOCKED);
        return {0, After::DESCHEDULE};
    default: break; // SHUTDOWN: decode_sched_op passes nothing else
    }
    std::byte raw[4];
    if (!read_guest(self, v, op->arg, raw, sizeof raw))
        return Hypercall_result::error(xen::Errno::XEN_EFAULT);
    auto const reason = xen::parse_sched_shutdown(raw);
    if (!reason)
        return Hypercall_result::error(reason.error());
    char note[64];
    format(note, sizeof note, "shutdown: %s (reason %u)", xen::shutdown_reason_name(*reason),
           static_cast<unsigned>(*reason));
    console_flush(self);
    log("ward: domain %u '%s' %s\n", self.id, self.name.c_str(), note);
    end_domain(self, false, static_cast<uint32_t>(*reason), note);
    return {0, After::DESCHEDULE};
}

} // namespace hv::kernel
