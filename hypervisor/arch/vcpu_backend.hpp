// SPDX-License-Identifier: MIT
// The arch-neutral virtualization interface: the only view the kernel (hypervisor/kernel/) has of
// AMD SVM or Intel VMX. A backend is picked once at boot from CPUID (arch/x86_64/cpu_select.cpp)
// and then provides per-domain second-stage address spaces (NPT / EPT) and vCPUs that run until
// the next exit, which comes back as a normalized Exit. Nothing outside hypervisor/arch/ may
// know which backend is in use. Backends live in arch/x86_64/svm/ and arch/x86_64/vmx/.
//
// Memory model shared with the kernel: the hypervisor identity-maps all RAM (supervisor, RW, NX),
// so a physical address `pa` handed out by the Page_provider is accessible at virtual address `pa`
// (see arch/x86_64/paging.hpp: phys_to_virt). SMP: every method may be called on any CPU, but a
// given Vcpu is only run on one CPU at a time, and enable_cpu() runs once on each CPU before any
// Vcpu runs there. Backends keep per-CPU state indexed by the cpu number they were given; there
// is no global "current vCPU".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "hv/result.hpp"

namespace hv::arch
{

enum class Error : uint8_t
{
    NO_VIRT_EXTENSION,         // neither SVM nor VMX in CPUID
    VIRT_DISABLED_BY_FIRMWARE, // VM_CR.SVMDIS / IA32_FEATURE_CONTROL locked without VMX
    NO_NESTED_PAGING,          // no NPT / EPT
    BACKEND_NOT_BUILT,         // the CPU has it, this image does not implement it yet
    OUT_OF_MEMORY,             // the Page_provider said no
    OUT_OF_TAGS,               // no free ASID / VPID
    BAD_ARGUMENT,              // unaligned or out-of-range address, bad permission set
    ALREADY_MAPPED,            // Stage2::map over an existing translation
};

// A fixed, human-readable reason for the boot log.
char const *error_name(Error e);

// Where the backend gets its 4 KiB-aligned, zeroed pages (VMCB/VMCS, HSAVE/VMXON regions,
// I/O and MSR bitmaps, second-stage page tables). The kernel implements it on top of its frame
// allocator. Pages are identity-mapped (pa == va).
class Page_provider
{
  public:
    // `count` physically contiguous pages, zeroed; returns the physical address of the first.
    virtual Result<uint64_t, Error> alloc_pages(size_t count) = 0;
    virtual void free_pages(uint64_t pa, size_t count) = 0;

  protected:
    ~Page_provider() = default;
};

// Second-stage translation (guest-physical -> host-physical) of one domain: AMD NPT or Intel EPT,
// including its tag (ASID / VPID+EPTP). All entries the backend writes are what the hardware
// needs (NPT: P|RW|US on every level; EPT: RWX + memory type). map/unmap are 4 KiB granular;
// the backend may use larger pages internally. After unmap the backend flushes stale
// translations before any vCPU of this space runs again.
class Stage2
{
  public:
    enum Perm : uint8_t
    {
        READ = 1,
        WRITE = 2,
        EXEC = 4,
        RWX = READ | WRITE | EXEC,
    };

    // Maps [gpa, gpa+bytes) to [hpa, hpa+bytes). gpa, hpa and bytes are 4 KiB multiples.
    // Errors: BAD_ARGUMENT, ALREADY_MAPPED, OUT_OF_MEMORY (table pages). On error nothing of the
    // range stays mapped.
    virtual Result<void, Error> map(uint64_t gpa, uint64_t hpa, uint64_t bytes, uint8_t perm) = 0;
    // Removes any translation in [gpa, gpa+bytes); unmapped holes are fine.
    virtual void unmap(uint64_t gpa, uint64_t bytes) = 0;
    // Host-physical address backing `gpa`, if mapped (diagnostics and tests).
    virtual std::optional<uint64_t> translate(uint64_t gpa) const = 0;

  protected:
    ~Stage2() = default;
};

// Guest general-purpose and control registers, in x86 encoding order for the GPRs.
enum class Reg : uint8_t
{
    RAX,
    RCX,
    RDX,
    RBX,
    RSP,
    RBP,
    RSI,
    RDI,
    R8,
    R9,
    R10,
    R11,
    R12,
    R13,
    R14,
    R15,
    RIP,
    RFLAGS,
    CR0,
    CR2,
    CR3,
    CR4,
    EFER,
    DR7, // breakpoint enables: instructions Ward emulates on its own must honour them
};

enum class Guest_mode : uint8_t
{
    REAL,   // CR0.PE = 0
    PROT32, // protected mode, 16- or 32-bit code
    LONG64, // EFER.LMA and CS.L: 64-bit code (compatibility mode counts as PROT32)
};

// Why run() returned. The backend has already decoded what the kernel needs; raw codes are
// kept only for the log.
enum class Exit_reason : uint8_t
{
    HYPERCALL,         // VMMCALL / VMCALL. Call skip_instruction() before resuming.
    IO,                // port I/O: `io` valid. skip_instruction() after emulating it.
    NESTED_PAGE_FAULT, // NPF / EPT violation: `npf` valid. Do NOT skip: the access restarts.
    HLT,               // skip_instruction() before resuming.
    CPUID,             // leaf/subleaf in RAX/RCX; the kernel answers, then skip_instruction().
    MSR_READ,          // index in RCX; the kernel sets EDX:EAX, then skip_instruction().
    MSR_WRITE,         // index in RCX, value in EDX:EAX; skip_instruction() after.
    INTERRUPT,         // a host interrupt arrived; the host IDT handler has already run.
    SHUTDOWN,          // triple fault / shutdown condition: the guest is dead.
    EXCEPTION,         // an intercepted guest exception: `exception` valid.
    INVALID,           // VM entry failed on bad guest state (VMEXIT_INVALID / entry failure).
    OTHER,             // anything else (see raw_code); the kernel treats it as fatal for the guest.
};

struct Io_exit
{
    uint16_t port;
    uint8_t bytes; // 1, 2 or 4
    bool in;
    bool string; // INS/OUTS: not emulated by the kernel yet (fails the domain)
    bool rep;
};

struct Npf_exit
{
    uint64_t gpa;
    bool read;
    bool write;
    bool exec;
    bool present; // a translation existed but forbade the access
};

struct Exception_exit
{
    uint8_t vector;
    bool has_error_code;
    uint32_t error_code;
};

struct Exit
{
    Exit_reason reason;
    uint64_t raw_code; // EXITCODE / basic exit reason, for the log
    uint64_t raw_info; // EXITINFO1 / exit qualification, for the log
    Io_exit io{};
    Npf_exit npf{};
    Exception_exit exception{};
};

// An event to deliver at the next entry.
struct Event
{
    enum class Type : uint8_t
    {
        EXTERNAL_INTERRUPT,
        NMI,
        EXCEPTION,
    };
    Type type;
    uint8_t vector;
    bool has_error_code;
    uint32_t error_code;
};

// The entry state of a Xen PVH domain (Xen's docs/misc/pvh.pandoc, Linux head.S): 32-bit
// protected mode, paging off, flat 4 GiB CS (execute/read) and DS/ES/SS (read/write), TR a
// 32-bit TSS (base 0, limit 0x67), CR0 = PE (+ET), CR4 = 0, EFLAGS = 0x2, EBX = GPA of
// hvm_start_info, all other GPRs 0.
struct Pvh_entry
{
    uint32_t entry;          // XEN_ELFNOTE_PHYS32_ENTRY
    uint32_t start_info_gpa; // -> EBX
};

class Vcpu
{
  public:
    // Enters the guest and returns at the next exit the kernel must see. Exits the backend can
    // answer itself (none yet) never come back. Must be called on the CPU given to enable_cpu()
    // with host interrupts disabled; the backend opens a window for host interrupts around the
    // guest run and returns INTERRUPT after the host handler has run.
    virtual Exit run(unsigned cpu) = 0;

    virtual uint64_t reg(Reg r) const = 0;
    virtual void reg(Reg r, uint64_t value) = 0;
    virtual Guest_mode mode() const = 0;
    virtual unsigned cpl() const = 0;

    // Moves RIP past the instruction that caused the last exit (hypercall, I/O, HLT, CPUID,
    // MSR). Backends without next-RIP reporting (TCG's SVM has no NRIPS) know the lengths.
    virtual void skip_instruction() = 0;

    // Queues an event for the next entry (one at a time; a second call replaces the first).
    virtual void inject(Event const &e) = 0;

    // MSRs whose state lives in the VMCB/VMCS (EFER, PAT, FS/GS/KERNEL_GS base, STAR, LSTAR,
    // CSTAR, SFMASK, SYSENTER_*): read or write the guest's copy. nullopt / false: not such an
    // MSR, the kernel decides (Xen hypercall page MSR, APIC base, unknown -> #GP or ignore).
    virtual std::optional<uint64_t> guest_msr(uint32_t index) const = 0;
    virtual bool guest_msr(uint32_t index, uint64_t value) = 0;

  protected:
    ~Vcpu() = default;
};

struct Vcpu_config
{
    uint16_t domain_id;
    uint16_t vcpu_index;
    Stage2 *space; // the domain's second-stage translation (from create_stage2)
    Pvh_entry entry;
};

class Backend
{
  public:
    // "svm" or "vmx": for the boot log only; the kernel must not branch on it.
    virtual char const *name() const = 0;

    // Turns virtualization on for this CPU (EFER.SVME + HSAVE / VMXON). Once per CPU.
    virtual Result<void, Error> enable_cpu(unsigned cpu) = 0;

    // A new, empty second-stage space with its own tag (ASID / VPID).
    virtual Result<Stage2 *, Error> create_stage2(uint16_t domain_id) = 0;
    // Frees the tables and the tag. No vCPU may still use it.
    virtual void destroy_stage2(Stage2 *space) = 0;

    virtual Result<Vcpu *, Error> create_vcpu(Vcpu_config const &config) = 0;
    virtual void destroy_vcpu(Vcpu *vcpu) = 0;

    // Fills a 4 KiB page the way Xen does: 32-byte stubs, stub i = `mov $i, %eax;
    // <VMMCALL|VMCALL>; ret`, the matching instruction for this CPU.
    virtual void write_hypercall_page(std::span<std::byte, 4096> page) const = 0;

  protected:
    ~Backend() = default;
};

// Picks SVM or VMX from CPUID and initialises it (global state only; enable_cpu per CPU).
// Errors name what is missing, for the boot log. Defined in arch/x86_64/cpu_select.cpp.
Result<Backend *, Error> select_backend(Page_provider &pages);

} // namespace hv::arch
