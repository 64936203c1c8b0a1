/* SPDX-License-Identifier: MIT */
/* svm_run(Guest_gprs *gprs, uint64_t guest_vmcb_pa, uint64_t host_save_pa)
 * Swaps the 14 GPRs VMRUN does not handle (RAX, RSP, RIP, RFLAGS live in the VMCB), moves the
 * VMLOAD/VMSAVE state (FS, GS, TR, LDTR, KernelGSBase, STAR family, SYSENTER) between the guest
 * VMCB and a per-CPU host save area, and runs the guest with GIF clear. Host RFLAGS.IF is set
 * across VMRUN so a physical interrupt exits the guest (V_INTR_MASKING); after #VMEXIT the STGI
 * lets that interrupt reach the host IDT handler before interrupts are disabled again. */
#define G_RBX 0
#define G_RCX 8
#define G_RDX 16
#define G_RSI 24
#define G_RDI 32
#define G_RBP 40
#define G_R8 48
#define G_R9 56
#define G_R10 64
#define G_R11 72
#define G_R12 80
#define G_R13 88
#define G_R14 96
#define G_R15 104

    .text
    .global svm_run
svm_run:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    push %rdi                 /* 16(%rsp): gprs */
    push %rdx                 /*  8(%rsp): host save area */
    push %rsi                 /*  0(%rsp): guest VMCB */

    clgi
    mov %rdx, %rax
    vmsave                    /* host FS/GS/TR/LDTR/... -> host save area */
    mov (%rsp), %rax
    vmload                    /* guest FS/GS/TR/LDTR/... */
    sti                       /* GIF=0 still holds interrupts until VMRUN */

    mov G_RBX(%rdi), %rbx
    mov G_RCX(%rdi), %rcx
    mov G_RDX(%rdi), %rdx
    mov G_RSI(%rdi), %rsi
    mov G_RBP(%rdi), %rbp
    mov G_R8(%rdi), %r8
    mov G_R9(%rdi), %r9
    mov G_R10(%rdi), %r10
    mov G_R11(%rdi), %r11
    mov G_R12(%rdi), %r12
    mov G_R13(%rdi), %r13
    mov G_R14(%rdi), %r14
    mov G_R15(%rdi), %r15
    mov G_RDI(%rdi), %rdi

    vmrun                     /* RAX = guest VMCB */

    push %rdi                 /* guest RDI; gprs is now at 24(%rsp) */
    mov 24(%rsp), %rdi
    mov %rbx, G_RBX(%rdi)
    mov %rcx, G_RCX(%rdi)
    mov %rdx, G_RDX(%rdi)
    mov %rsi, G_RSI(%rdi)
    mov %rbp, G_RBP(%rdi)
    mov %r8, G_R8(%rdi)
    mov %r9, G_R9(%rdi)
    mov %r10, G_R10(%rdi)
    mov %r11, G_R11(%rdi)
    mov %r12, G_R12(%rdi)
    mov %r13, G_R13(%rdi)
    mov %r14, G_R14(%rdi)
    mov %r15, G_R15(%rdi)
    popq G_RDI(%rdi)

    mov (%rsp), %rax
    vmsave                    /* guest FS/GS/TR/... -> guest VMCB */
    mov 8(%rsp), %rax
    vmload                    /* host FS/GS/TR/... back */
    stgi                      /* IF=1 here: a pending host interrupt is taken now */
    cli

    add $24, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret

    .section .note.GNU-stack, "", @progbits
