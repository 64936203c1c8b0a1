/* SPDX-License-Identifier: MIT */
/* PVH entry of the test guests: 32-bit protected mode, paging off, EBX = hvm_start_info. */
    .section .note.Xen, "a", @note
    .balign 4
    .long 4                 /* name size: "Xen\0" */
    .long 4                 /* descriptor size */
    .long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .balign 4
    .long _start

    .section .text.start, "ax"
    .code32
    .global _start
_start:
    mov $stack_top, %esp
    push %ebx
    call guest_entry
1:  cli
    hlt
    jmp 1b

    .section .bss
    .balign 16
    .skip 16384
stack_top:

    .section .note.GNU-stack, "", @progbits
