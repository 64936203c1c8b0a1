// SPDX-License-Identifier: MIT
// A domain: an isolated guest with its own second-stage address space, one vCPU (for now), its
// capabilities, memory account and console. Domains live in a fixed table indexed by id.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "arch/vcpu_backend.hpp"
#include "hv/capability.hpp"
#include "hv/memory_account.hpp"
#include "hv/module_cmdline.hpp"
#include "hv/scheduler.hpp"
#include "kernel/config.hpp"
#include "kernel/exit_stats.hpp"

namespace hv::kernel
{

enum class Domain_state : uint8_t
{
    FREE,     // table slot unused
    RUNNABLE, // waiting for or holding a CPU
    BLOCKED,  // SCHEDOP_block / HLT: runnable again at the next timer tick
    PAUSED,   // paused by a domain with the control capability
    SHUTDOWN, // finished (shutdown hypercall) or destroyed; resources released
};

char const *state_name(Domain_state s);

// Up to this many 2 MiB chunks of guest RAM (mem= is rounded up to 2 MiB).
inline constexpr size_t MAX_DOMAIN_CHUNKS = 512;
inline constexpr uint64_t CHUNK_BYTES = 2ull << 20;
inline constexpr unsigned CHUNK_ORDER = 9;
inline constexpr size_t CONSOLE_RING_BYTES = 4096;
inline constexpr size_t CONSOLE_LINE_MAX = 160;

struct Domain_stats
{
    uint64_t exits = 0;
    uint64_t hypercalls = 0;
    uint64_t preemptions = 0; // timer ticks that took the CPU away
    uint64_t yields = 0;
    uint64_t blocks = 0;
    Exit_stats detail; // per exit kind, logged when the domain ends
};

struct Domain;

// The scheduling entity of a vCPU (hv core's round-robin policy schedules vCPUs, not domains).
struct Vcpu_entity : sched::Entity
{
    Domain *domain = nullptr;
};

struct Domain
{
    uint16_t id = 0;
    Domain_state state = Domain_state::FREE;
    Domain_name name;
    Domain_label label;
    Cap_set caps;
    bool service = false; // service=yes: takes no console input, ends with the last client
    uint64_t mem_bytes = 0;
    Memory_account account{0};
    std::array<uint64_t, MAX_DOMAIN_CHUNKS> chunks{}; // HPA of each 2 MiB chunk of guest RAM
    size_t chunk_count = 0;
    arch::Stage2 *space = nullptr;
    arch::Vcpu *vcpu = nullptr;
    Vcpu_entity entity;   // vCPU 0's place in its CPU's run queue
    bool running = false; // on a CPU right now

    // How it ended (state SHUTDOWN).
    bool destroyed = false; // by the hypervisor or another domain, not by its own request
    uint32_t shutdown_reason = 0;
    char end_note[96] = {};

    // Console: the whole output in a ring (readable by domains with the console capability),
    // plus the current line for the serial log.
    std::array<char, CONSOLE_RING_BYTES> console_ring{};
    uint64_t console_written = 0; // total bytes ever written; ring position = written % size
    std::array<char, CONSOLE_LINE_MAX + 1> line{};
    size_t line_len = 0;

    Domain_stats stats;

    bool alive() const { return state != Domain_state::FREE && state != Domain_state::SHUTDOWN; }
    // Host-physical address of guest-physical `gpa`, if it is this domain's RAM.
    bool gpa_to_hpa(uint64_t gpa, uint64_t &hpa) const;
};

// The domain table.
std::array<Domain, MAX_DOMAINS> &domains();
Domain *find_domain(uint16_t id);
Domain *alloc_domain();

// Appends guest console output: to the ring, and line by line to the serial log as
// "[name] text".
void console_write(Domain &d, char const *bytes, size_t len);
void console_flush(Domain &d);

// Ends a domain: stops it from running, releases its vCPU, address space and memory.
// `destroyed` distinguishes a kill from the domain's own shutdown; `note` goes to the log.
void end_domain(Domain &d, bool destroyed, uint32_t reason, char const *note);

// Once every alive domain is a service domain (service=yes), ends them all: they exist only to
// serve the others (docs/boot.md section 4.2). Cheap (one pass over the table); the scheduler
// calls it after every slice.
void end_lone_service_domains();

} // namespace hv::kernel
