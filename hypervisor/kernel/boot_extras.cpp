// SPDX-License-Identifier: MIT
// Initrd modules and ACPI tables for PVH domains (see boot_extras.hpp).
#include "kernel/boot_extras.hpp"

#include "arch/x86_64/paging.hpp"
#include "hv/vplatform/acpi_tables.hpp"
#include "kernel/guest_memory.hpp"

namespace hv::kernel
{

namespace
{

struct Role_words
{
    char const *twice;
    char const *unusable;
};

std::span<std::byte const> find_module_for(mb2::Info const &info, Domain_name const &name,
                                           Module_role role, Role_words const &words,
                                           uint64_t hv_start, uint64_t hv_end, char const *&error)
{
    error = nullptr;
    std::span<std::byte const> found;
    bool seen = false;
    for (size_t i = 0; i < info.module_count(); ++i) {
        mb2::Module const m = info.module(i);
        auto const parsed = parse_module_cmdline(m.cmdline);
        if (!parsed || parsed->role != role || !(parsed->owner == name))
            continue;
        if (seen) {
            error = words.twice;
            return {};
        }
        seen = true;
        if (auto const r = mb2::check_module(info, i, hv_start, hv_end); !r) {
            error = words.unusable;
            return {};
        }
        found = {x86::phys_to_virt<std::byte const>(m.start), m.end - m.start};
    }
    return found;
}

} // namespace

std::span<std::byte const> find_initrd(mb2::Info const &info, Domain_name const &name,
                                       uint64_t hv_start, uint64_t hv_end, char const *&error)
{
    return find_module_for(info, name, Module_role::INITRD,
                           {"more than one initrd_for= module names this domain",
                            "its initrd module is not in usable memory"},
                           hv_start, hv_end, error);
}

std::span<std::byte const> find_eventlog(mb2::Info const &info, Domain_name const &name,
                                         uint64_t hv_start, uint64_t hv_end, char const *&error)
{
    auto const log = find_module_for(info, name, Module_role::EVENTLOG,
                                     {"more than one eventlog_for= module names this domain",
                                      "its event log module is not in usable memory"},
                                     hv_start, hv_end, error);
    if (log.size() > EVENT_LOG_MAX) {
        error = "its event log module is larger than 64 KiB";
        return {};
    }
    return log;
}

bool domain_module_named(mb2::Info const &info, Domain_name const &owner)
{
    for (size_t i = 0; i < info.module_count(); ++i) {
        auto const parsed = parse_module_cmdline(info.module(i).cmdline);
        if (parsed && parsed->role == Module_role::DOMAIN && parsed->domain.name == owner)
            return true;
    }
    return false;
}

uint64_t write_acpi_tables(Domain &d, std::span<std::byte const> eventlog)
{
    alignas(16) static std::byte buf[2048]; // boot is single-threaded: domains are built in turn
    vplatform::Acpi_config cfg{ACPI_TABLES_GPA, 1, 0xfee00000};
    if (!eventlog.empty()) {
        if (eventlog.size() > EVENT_LOG_MAX ||
            !write_guest_phys(d, EVENT_LOG_GPA, eventlog.data(), eventlog.size()))
            return 0;
        cfg.tpm2_log_gpa = EVENT_LOG_GPA;
        cfg.tpm2_log_length = static_cast<uint32_t>(eventlog.size());
    }
    if (vplatform::acpi_tables_size(cfg) > sizeof buf ||
        ACPI_TABLES_GPA + vplatform::acpi_tables_size(cfg) > EVENT_LOG_GPA)
        return 0;
    auto const layout = vplatform::build_acpi_tables(std::span<std::byte>{buf}, cfg);
    if (!layout || layout->size > ACPI_TABLES_MAX ||
        !write_guest_phys(d, ACPI_TABLES_GPA, buf, layout->size))
        return 0;
    return layout->rsdp_gpa;
}

} // namespace hv::kernel
