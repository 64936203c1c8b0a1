/* SPDX-License-Identifier: MIT */
/* int vmx_run(Guest_gprs *gprs, uint64_t launched)
 * Enters the guest of the current VMCS with VMLAUNCH (launched == 0) or VMRESUME, swapping the
 * 15 GPRs and CR2 that VM entry and exit do not switch (RSP, RIP, RFLAGS live in the VMCS).
 * Returns 0 after a VM exit (HOST_RIP = vmx_exit_entry, HOST_RSP written here), or 1 if the
 * entry instruction itself failed (VMfailInvalid / VMfailValid; see VM_INSTRUCTION_ERROR).
 * Host RFLAGS after a VM exit is 0x2: interrupts stay off until the caller opens a window. */
#include "../guest_gprs.inc"

/* The registers swapped besides RDI, in this order. */
#define GUEST_GPRS rax, rcx, rdx, rbx, rbp, rsi, r8, r9, r10, r11, r12, r13, r14, r15

/* Guest_gprs (vmx_vcpu.hpp): RAX, RCX, RDX, RBX, RBP, RSI, RDI, R8-R15, CR2, 8 bytes each. */
    .set .Lgpr_rax, 0
    .set .Lgpr_rcx, 8
    .set .Lgpr_rdx, 16
    .set .Lgpr_rbx, 24
    .set .Lgpr_rbp, 32
    .set .Lgpr_rsi, 40
    .set .Lgpr_rdi, 48
    .set .Lgpr_r8, 56
    .set .Lgpr_r9, 64
    .set .Lgpr_r10, 72
    .set .Lgpr_r11, 80
    .set .Lgpr_r12, 88
    .set .Lgpr_r13, 96
    .set .Lgpr_r14, 104
    .set .Lgpr_r15, 112
#define G_CR2 120
#define FIELD_HOST_RSP 0x6c14

    .text
    .global vmx_run
    .global vmx_exit_entry
vmx_run:
    host_callee_save
    push %rdi                 /* 0(%rsp): gprs, found again after the exit */

    mov $FIELD_HOST_RSP, %rax
    vmwrite %rsp, %rax

    mov G_CR2(%rdi), %rax
    mov %rax, %cr2

    cmp $0, %rsi              /* flags survive the MOVs below */
    guest_gprs_load GUEST_GPRS
    jne 1f
    vmlaunch
    jmp 2f
1:  vmresume
2:  /* Entry failed: the guest registers are in the host's; nothing to save. */
    mov $1, %eax
    jmp 3f

vmx_exit_entry:
    guest_gprs_store 8, GUEST_GPRS /* gprs is at 8(%rsp) after the push */
    mov %cr2, %rax
    mov %rax, G_CR2(%rdi)
    xor %eax, %eax

3:  add $8, %rsp
    host_callee_restore
    ret

    .section .note.GNU-stack, "", @progbits
