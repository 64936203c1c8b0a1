/* SPDX-License-Identifier: MIT */
/* int vmx_run(Guest_gprs *gprs, uint64_t launched)
 * Enters the guest of the current VMCS with VMLAUNCH (launched == 0) or VMRESUME, swapping the
 * 15 GPRs and CR2 that VM entry and exit do not switch (RSP, RIP, RFLAGS live in the VMCS).
 * Returns 0 after a VM exit (HOST_RIP = vmx_exit_entry, HOST_RSP written here), or 1 if the
 * entry instruction itself failed (VMfailInvalid / VMfailValid; see VM_INSTRUCTION_ERROR).
 * Host RFLAGS after a VM exit is 0x2: interrupts stay off until the caller opens a window. */
#define G_RAX 0
#define G_RCX 8
#define G_RDX 16
#define G_RBX 24
#define G_RBP 32
#define G_RSI 40
#define G_RDI 48
#define G_R8 56
#define G_R9 64
#define G_R10 72
#define G_R11 80
#define G_R12 88
#define G_R13 96
#define G_R14 104
#define G_R15 112
#define G_CR2 120
#define FIELD_HOST_RSP 0x6c14

    .text
    .global vmx_run
    .global vmx_exit_entry
vmx_run:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    push %rdi                 /* 0(%rsp): gprs, found again after the exit */

    mov $FIELD_HOST_RSP, %rax
    vmwrite %rsp, %rax

    mov G_CR2(%rdi), %rax
    mov %rax, %cr2

    cmp $0, %rsi              /* flags survive the MOVs below */
    mov G_RAX(%rdi), %rax
    mov G_RCX(%rdi), %rcx
    mov G_RDX(%rdi), %rdx
    mov G_RBX(%rdi), %rbx
    mov G_RBP(%rdi), %rbp
    mov G_RSI(%rdi), %rsi
    mov G_R8(%rdi), %r8
    mov G_R9(%rdi), %r9
    mov G_R10(%rdi), %r10
    mov G_R11(%rdi), %r11
    mov G_R12(%rdi), %r12
    mov G_R13(%rdi), %r13
    mov G_R14(%rdi), %r14
    mov G_R15(%rdi), %r15
    mov G_RDI(%rdi), %rdi
    jne 1f
    vmlaunch
    jmp 2f
1:  vmresume
2:  /* Entry failed: the guest registers are in the host's; nothing to save. */
    mov $1, %eax
    jmp 3f

vmx_exit_entry:
    push %rdi                 /* guest RDI; gprs is now at 8(%rsp) */
    mov 8(%rsp), %rdi
    mov %rax, G_RAX(%rdi)
    mov %rcx, G_RCX(%rdi)
    mov %rdx, G_RDX(%rdi)
    mov %rbx, G_RBX(%rdi)
    mov %rbp, G_RBP(%rdi)
    mov %rsi, G_RSI(%rdi)
    mov %r8, G_R8(%rdi)
    mov %r9, G_R9(%rdi)
    mov %r10, G_R10(%rdi)
    mov %r11, G_R11(%rdi)
    mov %r12, G_R12(%rdi)
    mov %r13, G_R13(%rdi)
    mov %r14, G_R14(%rdi)
    mov %r15, G_R15(%rdi)
    popq G_RDI(%rdi)
    mov %cr2, %rax
    mov %rax, G_CR2(%rdi)
    xor %eax, %eax

3:  add $8, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret

    .section .note.GNU-stack, "", @progbits
