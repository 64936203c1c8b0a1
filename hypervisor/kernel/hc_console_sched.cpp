// SPDX-License-Identifier: MIT
// console_io (write) and sched_op (yield, block, shutdown).
#include "hv/format.hpp"
#include "kernel/guest_memory.hpp"
#include "kernel/hypercall_handlers.hpp"
#include "platform/log.hpp"
#include "ward/abi/xen.h"

namespace hv::kernel
{
namespace
{
constexpr uint64_t CONSOLE_WRITE_MAX = 16384; // per call; more is -EINVAL

char const *shutdown_reason_name(uint32_t r)
{
    switch (r) {
    case WARD_SHUTDOWN_POWEROFF: return "poweroff";
    case WARD_SHUTDOWN_REBOOT: return "reboot";
    case WARD_SHUTDOWN_SUSPEND: return "suspend";
    case WARD_SHUTDOWN_CRASH: return "crash";
    case WARD_SHUTDOWN_WATCHDOG: return "watchdog";
    }
    return "?";
}
} // namespace

Hypercall_result hc_console_io(Domain &self, arch::Vcpu &v, Hypercall_args const &a)
{
    uint64_t const cmd = a.arg[0], count = a.arg[1], buffer = a.arg[2];
    if (cmd != WARD_CONSOLEIO_WRITE)
        return {-WARD_ENOSYS, After::RESUME}; // CONSOLEIO_read: see domctl CONSOLE_READ
    if (count > CONSOLE_WRITE_MAX)
        return {-WARD_EINVAL, After::RESUME};
    char chunk[256];
    for (uint64_t done = 0; done < count;) {
        size_t const n =
            static_cast<size_t>(count - done < sizeof chunk ? count - done : sizeof chunk);
        if (!read_guest(self, v, buffer + done, chunk, n))
            return {-WARD_EFAULT, After::RESUME};
        console_write(self, chunk, n);
        done += n;
    }
    return {0, After::RESUME};
}

Hypercall_result hc_sched_op(Domain &self, arch::Vcpu &v, Hypercall_args const &a)
{
    switch (a.arg[0]) {
    case WARD_SCHEDOP_YIELD: ++self.stats.yields; return {0, After::YIELD};
    case WARD_SCHEDOP_BLOCK:
        ++self.stats.blocks;
        self.state = Domain_state::BLOCKED;
        return {0, After::DESCHEDULE};
    case WARD_SCHEDOP_SHUTDOWN: {
        ward_sched_shutdown s{};
        if (!read_guest(self, v, a.arg[1], &s, sizeof s))
            return {-WARD_EFAULT, After::RESUME};
        if (s.reason > WARD_SHUTDOWN_WATCHDOG)
            return {-WARD_EINVAL, After::RESUME};
        char note[64];
        format(note, sizeof note, "shutdown: %s (reason %u)", shutdown_reason_name(s.reason),
               s.reason);
        console_flush(self);
        log("ward: domain %u '%s' %s\n", self.id, self.name.c_str(), note);
        end_domain(self, false, s.reason, note);
        return {0, After::DESCHEDULE};
    }
    default: return {-WARD_ENOSYS, After::RESUME};
    }
}

} // namespace hv::kernel
