// SPDX-License-Identifier: MIT
// A guest's virtual local APIC, in xAPIC (MMIO) and x2APIC (MSR) modes, as far as a PVH guest
// uses it: identification, TPR/PPR, the interrupt request and in-service bitmaps with EOI, the
// spurious vector register, LVT and error registers, and self-IPIs. Linux takes its timer and
// IPIs from Xen event channels, so the APIC timer is modelled as registers that never fire.
// Every guest access is validated: a reserved register or a bad value returns an error, which
// the caller turns into #GP (MSR) or ignores (MMIO) as hardware does.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "hv/result.hpp"

namespace hv::vplatform
{

enum class Lapic_error : uint8_t
{
    RESERVED,   // no such register, or not accessible in this mode / direction
    BAD_VALUE,  // reserved bits set, or a mode transition the architecture forbids
    WRONG_MODE, // x2APIC MSR while in xAPIC mode (or disabled), MMIO while in x2APIC mode
};

char const *lapic_error_name(Lapic_error e);

class Vlapic
{
  public:
    static constexpr uint64_t DEFAULT_BASE = 0xfee00000;
    static constexpr uint64_t BASE_BSP = 1u << 8;
    static constexpr uint64_t BASE_EXTD = 1u << 10;
    static constexpr uint64_t BASE_EN = 1u << 11;
    static constexpr uint32_t VERSION = 0x00050014; // version 0x14, 6 LVT entries (max index 5)

    explicit Vlapic(uint32_t apic_id, bool bsp = true);

    // IA32_APIC_BASE (MSR 0x1B).
    uint64_t apic_base() const { return base_; }
    Result<void, Lapic_error> write_apic_base(uint64_t value);
    bool enabled() const { return (base_ & BASE_EN) != 0; }
    bool x2apic() const { return (base_ & (BASE_EN | BASE_EXTD)) == (BASE_EN | BASE_EXTD); }

    // x2APIC registers, MSRs 0x800..0x8FF.
    Result<uint64_t, Lapic_error> read_msr(uint32_t msr) const;
    Result<void, Lapic_error> write_msr(uint32_t msr, uint64_t value);

    // xAPIC registers: 32-bit accesses at a 16-byte-aligned offset in the 4 KiB page.
    Result<uint32_t, Lapic_error> read_mmio(uint32_t offset) const;
    Result<void, Lapic_error> write_mmio(uint32_t offset, uint32_t value);

    // Interrupt delivery. request() sets the IRR bit of a vector (16..255); deliverable() says
    // which vector the hypervisor may inject now (highest IRR above the processor priority,
    // APIC software-enabled); accept() moves it from IRR to ISR when it is injected.
    void request(uint8_t vector);
    std::optional<uint8_t> deliverable() const;
    void accept(uint8_t vector);
    uint32_t eois() const { return eois_; }

  private:
    using Bitmap = std::array<uint32_t, 8>;

    Result<uint64_t, Lapic_error> read_reg(uint32_t index, bool x2) const;
    Result<void, Lapic_error> write_reg(uint32_t index, uint64_t value, bool x2);
    void eoi();
    uint32_t ldr_x2apic() const;
    uint8_t ppr() const;

    static int highest(Bitmap const &b);
    static void set(Bitmap &b, uint8_t v) { b[v >> 5] |= 1u << (v & 31); }
    static void clear(Bitmap &b, uint8_t v) { b[v >> 5] &= ~(1u << (v & 31)); }

    uint32_t id_;
    uint64_t base_;
    uint32_t tpr_ = 0;
    uint32_t ldr_ = 0; // xAPIC only; derived from the ID in x2APIC mode
    uint32_t dfr_ = 0xffffffff;
    uint32_t svr_ = 0xff; // software-disabled after reset
    uint32_t esr_ = 0;
    uint64_t icr_ = 0;
    std::array<uint32_t, 7> lvt_{}; // CMCI, timer, thermal, PMC, LINT0, LINT1, error
    uint32_t timer_initial_ = 0;
    uint32_t timer_divide_ = 0;
    Bitmap irr_{};
    Bitmap isr_{};
    uint32_t eois_ = 0;
};

} // namespace hv::vplatform
