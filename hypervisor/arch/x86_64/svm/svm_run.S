/* SPDX-License-Identifier: MIT */
/* svm_run(Guest_gprs *gprs, uint64_t guest_vmcb_pa, uint64_t host_save_pa)
 * Swaps the 14 GPRs VMRUN does not handle (RAX, RSP, RIP, RFLAGS live in the VMCB), moves the
 * VMLOAD/VMSAVE state (FS, GS, TR, LDTR, KernelGSBase, STAR family, SYSENTER) between the guest
 * VMCB and a per-CPU host save area, and runs the guest with GIF clear. Host RFLAGS.IF is set
 * across VMRUN so a physical interrupt exits the guest (V_INTR_MASKING); after #VMEXIT the STGI
 * lets that interrupt reach the host IDT handler before interrupts are disabled again. */
#include "../guest_gprs.inc"

/* The registers swapped besides RDI, in this order. */
#define GUEST_GPRS rbx, rcx, rdx, rsi, rbp, r8, r9, r10, r11, r12, r13, r14, r15

/* Guest_gprs (svm_vcpu.hpp): RBX, RCX, RDX, RSI, RDI, RBP, R8-R15, 8 bytes each. */
    .set .Lgpr_rbx, 0
    .set .Lgpr_rcx, 8
    .set .Lgpr_rdx, 16
    .set .Lgpr_rsi, 24
    .set .Lgpr_rdi, 32
    .set .Lgpr_rbp, 40
    .set .Lgpr_r8, 48
    .set .Lgpr_r9, 56
    .set .Lgpr_r10, 64
    .set .Lgpr_r11, 72
    .set .Lgpr_r12, 80
    .set .Lgpr_r13, 88
    .set .Lgpr_r14, 96
    .set .Lgpr_r15, 104

    .text
    .global svm_run
svm_run:
    host_callee_save
    push %rdi                 /* 16(%rsp): gprs */
    push %rdx                 /*  8(%rsp): host save area */
    push %rsi                 /*  0(%rsp): guest VMCB */

    clgi
    mov %rdx, %rax
    vmsave                    /* host FS/GS/TR/LDTR/... -> host save area */
    mov (%rsp), %rax
    vmload                    /* guest FS/GS/TR/LDTR/... */
    sti                       /* GIF=0 still holds interrupts until VMRUN */

    guest_gprs_load GUEST_GPRS

    vmrun                     /* RAX = guest VMCB */

    guest_gprs_store 24, GUEST_GPRS /* gprs is at 24(%rsp) after the push */

    mov (%rsp), %rax
    vmsave                    /* guest FS/GS/TR/... -> guest VMCB */
    mov 8(%rsp), %rax
    vmload                    /* host FS/GS/TR/... back */
    stgi                      /* IF=1 here: a pending host interrupt is taken now */
    cli

    add $24, %rsp
    host_callee_restore
    ret

    .section .note.GNU-stack, "", @progbits
