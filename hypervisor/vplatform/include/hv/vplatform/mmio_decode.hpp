// SPDX-License-Identifier: MIT
// Decodes the x86 instruction that caused an MMIO nested page fault, where the CPU supplies no
// decode assist (AMD without DecodeAssists, e.g. QEMU TCG): the MOV family that guests use for
// device registers (LAPIC, later virtio). The faulting address comes from the exit itself; the
// decoder only says how long the instruction is, which way data moves, how wide, and which
// register or immediate. Everything else is refused: the caller injects #UD or kills the domain.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/result.hpp"

namespace hv::vplatform
{

enum class Cpu_mode : uint8_t
{
    PROTECTED_32,
    LONG_64
};

struct Mmio_insn
{
    uint8_t length;    // instruction bytes, to advance RIP
    uint8_t size;      // access width in bytes: 1, 2, 4 or 8
    bool write;        // true: store to the device; false: load from it
    bool has_imm;      // store of an immediate (imm) rather than a register
    uint8_t reg;       // GPR number 0..15 (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15)
    bool high8;        // 8-bit AH/CH/DH/BH: bits 15:8 of GPR reg
    uint8_t extend;    // loads: 0 = plain MOV, 1 = zero-extend (MOVZX), 2 = sign-extend (MOVSX)
    uint8_t dest_size; // loads: width written to the register (MOVZX/MOVSX widen)
    uint64_t imm;      // immediate, sign-extended to `size` bytes as the CPU would
};

enum class Mmio_decode_error : uint8_t
{
    TRUNCATED,   // fewer bytes than the instruction needs
    TOO_LONG,    // over 15 bytes of prefixes and instruction
    UNSUPPORTED, // not a MOV form the decoder knows (string ops, LOCK, XCHG, ...)
    NOT_MEMORY,  // ModRM names a register, so it cannot have faulted on MMIO
};

char const *mmio_decode_error_name(Mmio_decode_error e);

Result<Mmio_insn, Mmio_decode_error> decode_mmio(std::span<uint8_t const> bytes, Cpu_mode mode);

// Applies a load's result to a GPR value as the CPU would (partial writes keep the upper bits;
// 32-bit writes zero bits 63:32 in long mode).
uint64_t mmio_apply_load(Mmio_insn const &insn, uint64_t old_reg, uint64_t data, Cpu_mode mode);

// The value a store writes: the immediate or the (sub-)register, truncated to insn.size.
uint64_t mmio_store_value(Mmio_insn const &insn, uint64_t reg_value);

} // namespace hv::vplatform
