// SPDX-License-Identifier: MIT
// Register map: Intel SDM vol. 3, table 10-1 (xAPIC offsets) and table 10-6 (x2APIC MSRs, MSR =
// 0x800 + offset / 16).
#include "hv/vplatform/vlapic.hpp"

namespace hv::vplatform
{
namespace
{

// Register indices (offset / 16).
enum : uint32_t
{
    ID = 0x02,
    VER = 0x03,
    TPR = 0x08,
    APR = 0x09,
    PPR = 0x0a,
    EOI = 0x0b,
    RRD = 0x0c,
    LDR = 0x0d,
    DFR = 0x0e,
    SVR = 0x0f,
    ISR0 = 0x10,
    TMR0 = 0x18,
    IRR0 = 0x20,
    ESR = 0x28,
    LVT_CMCI = 0x2f,
    ICR = 0x30,
    ICR2 = 0x31,
    LVT_TIMER = 0x32,
    LVT_ERROR = 0x37,
    TIMER_INITIAL = 0x38,
    TIMER_CURRENT = 0x39,
    TIMER_DIVIDE = 0x3e,
    SELF_IPI = 0x3f,
};

constexpr uint32_t LVT_MASKED = 1u << 16;
constexpr uint32_t SVR_ENABLE = 1u << 8;

// Index into lvt_: CMCI first, then timer..error (0x32..0x37).
int lvt_slot(uint32_t index)
{
    if (index == LVT_CMCI)
        return 0;
    if (index >= LVT_TIMER && index <= LVT_ERROR)
        return static_cast<int>(index - LVT_TIMER) + 1;
    return -1;
}

} // namespace

char const *lapic_error_name(Lapic_error e)
{
    switch (e) {
    case Lapic_error::RESERVED: return "reserved APIC register";
    case Lapic_error::BAD_VALUE: return "invalid APIC register value";
    case Lapic_error::WRONG_MODE: return "APIC access in the wrong mode";
    }
    return "unknown APIC error";
}

Vlapic::Vlapic(uint32_t apic_id, bool bsp)
    : id_{apic_id}, base_{DEFAULT_BASE | BASE_EN | (bsp ? BASE_BSP : 0)}
{
    for (auto &l : lvt_)
        l = LVT_MASKED;
}

Result<void, Lapic_error> Vlapic::write_apic_base(uint64_t value)
{
    uint64_t const allowed = ~uint64_t{0xfff} | BASE_BSP | BASE_EXTD | BASE_EN;
    if ((value & ~allowed) != 0 || (value & ~uint64_t{0xfff}) != DEFAULT_BASE)
        return unexpected(Lapic_error::BAD_VALUE); // relocating the APIC is not supported
    if ((value & BASE_BSP) != (base_ & BASE_BSP))
        return unexpected(Lapic_error::BAD_VALUE);
    bool const to_en = (value & BASE_EN) != 0;
    bool const to_extd = (value & BASE_EXTD) != 0;
    if (to_extd && !to_en)
        return unexpected(Lapic_error::BAD_VALUE); // EXTD without EN is invalid
    if (x2apic() && to_en && !to_extd)
        return unexpected(Lapic_error::BAD_VALUE); // x2APIC -> xAPIC only through disabled
    if (!enabled() && to_extd)
        return unexpected(Lapic_error::BAD_VALUE); // disabled -> x2APIC only through xAPIC
    if (!to_en) {
        // Disabling resets the APIC state, as a hardware reset of the unit would.
        Vlapic fresh{id_, (base_ & BASE_BSP) != 0};
        fresh.eois_ = eois_;
        *this = fresh;
    }
    base_ = value;
    return ok;
}

uint32_t Vlapic::ldr_x2apic() const
{
    return ((id_ >> 4) << 16) | (1u << (id_ & 0xf));
}

int Vlapic::highest(Bitmap const &b)
{
    for (int i = 7; i >= 0; --i)
        if (b[static_cast<size_t>(i)] != 0)
            return i * 32 + 31 - __builtin_clz(b[static_cast<size_t>(i)]);
    return -1;
}

uint8_t Vlapic::ppr() const
{
    int const isr = highest(isr_);
    uint32_t const isr_class = isr < 0 ? 0 : static_cast<uint32_t>(isr) & 0xf0;
    uint32_t const tpr_class = tpr_ & 0xf0;
    return static_cast<uint8_t>(tpr_class >= isr_class ? tpr_ & 0xff : isr_class);
}

Result<uint64_t, Lapic_error> Vlapic::read_reg(uint32_t index, bool x2) const
{
    if (index >= ISR0 && index < ISR0 + 8)
        return isr_[index - ISR0];
    if (index >= TMR0 && index < TMR0 + 8)
        return 0; // every vector is edge-triggered here
    if (index >= IRR0 && index < IRR0 + 8)
        return irr_[index - IRR0];
    if (int const slot = lvt_slot(index); slot >= 0)
        return lvt_[static_cast<size_t>(slot)];
    switch (index) {
    case ID: return x2 ? id_ : id_ << 24;
    case VER: return VERSION;
    case TPR: return tpr_;
    case PPR: return ppr();
    case LDR: return x2 ? ldr_x2apic() : ldr_;
    case DFR:
        if (x2)
            return unexpected(Lapic_error::RESERVED);
        return dfr_;
    case SVR: return svr_;
    case ESR: return esr_;
    case ICR: return x2 ? icr_ : icr_ & 0xffffffff;
    case ICR2:
        if (x2)
            return unexpected(Lapic_error::RESERVED);
        return icr_ >> 32;
    case TIMER_INITIAL: return timer_initial_;
    case TIMER_CURRENT: return 0; // the APIC timer never runs (see the header)
    case TIMER_DIVIDE: return timer_divide_;
    case APR:
    case RRD:
        if (x2)
            return unexpected(Lapic_error::RESERVED);
        return 0;
    default: return unexpected(Lapic_error::RESERVED);
    }
}

Result<void, Lapic_error> Vlapic::write_reg(uint32_t index, uint64_t value, bool x2)
{
    // In x2APIC mode the upper 32 bits are reserved except for the ICR.
    if (x2 && index != ICR && (value >> 32) != 0)
        return unexpected(Lapic_error::BAD_VALUE);
    auto const v = static_cast<uint32_t>(value);
    if (int const slot = lvt_slot(index); slot >= 0) {
        lvt_[static_cast<size_t>(slot)] = v & 0x1f7ff;
        if (!(svr_ & SVR_ENABLE))
            lvt_[static_cast<size_t>(slot)] |= LVT_MASKED; // stays masked while disabled
        return ok;
    }
    switch (index) {
    case TPR: tpr_ = v & 0xff; return ok;
    case EOI:
        if (x2 && v != 0)
            return unexpected(Lapic_error::BAD_VALUE);
        eoi();
        return ok;
    case LDR:
        if (x2)
            return unexpected(Lapic_error::RESERVED); // read-only in x2APIC mode
        ldr_ = v & 0xff000000;
        return ok;
    case DFR:
        if (x2)
            return unexpected(Lapic_error::RESERVED);
        dfr_ = v | 0x0fffffff;
        return ok;
    case SVR:
        svr_ = v & 0x11ff;
        if (!(svr_ & SVR_ENABLE))
            for (auto &l : lvt_)
                l |= LVT_MASKED;
        return ok;
    case ESR:
        if (x2 && v != 0)
            return unexpected(Lapic_error::BAD_VALUE);
        esr_ = 0; // a write latches and clears the error status
        return ok;
    case ICR: {
        icr_ = x2 ? value : (icr_ & ~uint64_t{0xffffffff}) | v;
        uint32_t const shorthand = (v >> 18) & 3;
        uint32_t const delivery = (v >> 8) & 7;
        // Only a fixed self-IPI has an effect: a single-vCPU domain has no one else to reach,
        // and Linux sends its IPIs over event channels.
        if (delivery == 0 && shorthand == 1 && (v & 0xff) >= 16)
            request(static_cast<uint8_t>(v & 0xff));
        icr_ &= ~uint64_t{1u << 12}; // delivery status: idle
        return ok;
    }
    case ICR2:
        if (x2)
            return unexpected(Lapic_error::RESERVED);
        icr_ = (icr_ & 0xffffffff) | (uint64_t{v & 0xff000000} << 32);
        return ok;
    case SELF_IPI:
        if (!x2)
            return unexpected(Lapic_error::RESERVED);
        if ((v & ~0xffu) != 0)
            return unexpected(Lapic_error::BAD_VALUE);
        if (v >= 16)
            request(static_cast<uint8_t>(v));
        return ok;
    case TIMER_INITIAL: timer_initial_ = v; return ok;
    case TIMER_DIVIDE: timer_divide_ = v & 0xb; return ok;
    case ID:
        if (x2)
            return unexpected(Lapic_error::RESERVED);
        return ok; // xAPIC ID writes are ignored: the ID is fixed by the hypervisor
    default: return unexpected(Lapic_error::RESERVED);
    }
}

Result<uint64_t, Lapic_error> Vlapic::read_msr(uint32_t msr) const
{
    if (!x2apic())
        return unexpected(Lapic_error::WRONG_MODE);
    if (msr < 0x800 || msr > 0x8ff || msr == 0x800 + EOI || msr == 0x800 + SELF_IPI)
        return unexpected(Lapic_error::RESERVED);
    return read_reg(msr - 0x800, true);
}

Result<void, Lapic_error> Vlapic::write_msr(uint32_t msr, uint64_t value)
{
    if (!x2apic())
        return unexpected(Lapic_error::WRONG_MODE);
    if (msr < 0x800 || msr > 0x8ff)
        return unexpected(Lapic_error::RESERVED);
    uint32_t const index = msr - 0x800;
    if (index == ID || index == VER || index == PPR || index == TIMER_CURRENT ||
        (index >= ISR0 && index < IRR0 + 8))
        return unexpected(Lapic_error::RESERVED); // read-only registers
    return write_reg(index, value, true);
}

Result<uint32_t, Lapic_error> Vlapic::read_mmio(uint32_t offset) const
{
    if (!enabled() || x2apic())
        return unexpected(Lapic_error::WRONG_MODE);
    if (offset >= 0x1000 || (offset & 0xf) != 0)
        return unexpected(Lapic_error::RESERVED);
    auto const r = read_reg(offset >> 4, false);
    if (!r)
        return unexpected(r.error());
    return static_cast<uint32_t>(*r);
}

Result<void, Lapic_error> Vlapic::write_mmio(uint32_t offset, uint32_t value)
{
    if (!enabled() || x2apic())
        return unexpected(Lapic_error::WRONG_MODE);
    if (offset >= 0x1000 || (offset & 0xf) != 0)
        return unexpected(Lapic_error::RESERVED);
    uint32_t const index = offset >> 4;
    if (index == VER || index == PPR || index == TIMER_CURRENT ||
        (index >= ISR0 && index < IRR0 + 8) || index == SELF_IPI)
        return ok; // writes to read-only xAPIC registers are ignored
    return write_reg(index, value, false);
}

void Vlapic::request(uint8_t vector)
{
    if (vector < 16) {
        esr_ |= 1u << 6; // received illegal vector
        return;
    }
    set(irr_, vector);
}

std::optional<uint8_t> Vlapic::deliverable() const
{
    if (!enabled() || !(svr_ & SVR_ENABLE))
        return std::nullopt;
    int const v = highest(irr_);
    if (v < 0 || (static_cast<uint32_t>(v) & 0xf0) <= (ppr() & 0xf0u))
        return std::nullopt;
    return static_cast<uint8_t>(v);
}

void Vlapic::accept(uint8_t vector)
{
    clear(irr_, vector);
    set(isr_, vector);
}

void Vlapic::eoi()
{
    int const v = highest(isr_);
    if (v >= 0)
        clear(isr_, static_cast<uint8_t>(v));
    ++eois_;
}

} // namespace hv::vplatform
