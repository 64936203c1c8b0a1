/* SPDX-License-Identifier: MIT */
/* PVH entry of the 64-bit test guest: enters in 32-bit protected mode like every PVH guest,
 * builds its own page tables and switches to long mode as Linux's pvh_start_xen does (EFER.LME
 * through WRMSR, which Ward intercepts). Mappings: guest-virtual [0, 8 MiB) identity, and an
 * alias at 1 GiB + x -> x, so hypercall buffers can be passed by an address that differs from
 * the physical one (Ward must walk these tables). */
    .section .note.Xen, "a", @note
    .balign 4
    .long 4
    .long 4
    .long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .balign 4
    .long _start

    .section .text.start, "ax"
    .code32
    .global _start
_start:
    mov %ebx, %esi                  /* hvm_start_info */
    mov $stack_top, %esp

    /* PML4[0] -> PDPT; PDPT[0] -> PD_low (identity), PDPT[1] -> PD_alias (1 GiB + x -> x). */
    mov $pdpt, %eax
    or $3, %eax
    mov %eax, pml4
    mov $pd_low, %eax
    or $3, %eax
    mov %eax, pdpt
    mov $pd_alias, %eax
    or $3, %eax
    mov %eax, pdpt + 8
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax                  /* P | RW | PS */
    mov %eax, pd_low(,%ecx,8)
    mov %eax, pd_alias(,%ecx,8)
    inc %ecx
    cmp $4, %ecx
    jb 1b

    mov %cr4, %eax
    or $(1 << 5), %eax              /* PAE */
    mov %eax, %cr4
    mov $pml4, %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx           /* EFER.LME */
    rdmsr
    or $(1 << 8), %eax
    wrmsr
    mov %cr0, %eax
    or $0x80000001, %eax            /* PG | PE */
    mov %eax, %cr0
    lgdt gdt_ptr
    ljmp $0x08, $long_mode

    .code64
long_mode:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $stack_top, %rsp
    mov %esi, %edi                  /* guest_entry(start_info) */
    call guest_entry
2:  cli
    hlt
    jmp 2b

    .section .rodata
    .balign 8
gdt:
    .quad 0
    .quad 0x00af9a000000ffff        /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff        /* 0x10: data */
gdt_ptr:
    .short gdt_ptr - gdt - 1
    .long gdt

    .section .bss
    .balign 4096
pml4:     .skip 4096
pdpt:     .skip 4096
pd_low:   .skip 4096
pd_alias: .skip 4096
    .balign 16
    .skip 16384
stack_top:

    .section .note.GNU-stack, "", @progbits
