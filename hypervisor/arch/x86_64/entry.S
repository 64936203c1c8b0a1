/* SPDX-License-Identifier: MIT */
/* Multiboot2 and Multiboot 1 headers and the 32-bit entry: zero .bss, identity-map the first 4 GiB
 * with 2 MiB pages (temporary; paging.cpp builds the final W^X tables), enter long mode and call
 * kmain(magic, info). Both loaders enter at _start in flat 32-bit protected mode with the magic in
 * EAX and the information's physical address in EBX; kmain tells them apart (docs/boot.md).
 */
#define MB2_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0
#define MB1_MAGIC 0x1badb002
/* Page-align modules, memory map required, and the address fields below are valid (the
 * "a.out kludge": QEMU's -kernel loader refuses ELF64, so it loads the flat image ward-hv.bin,
 * objcopy'd from the ELF, by these addresses). */
#define MB1_FLAGS ((1 << 0) | (1 << 1) | (1 << 16))

    .section .multiboot2, "a"
    .balign 8
mb2_header:
    .long MB2_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    .balign 8
    .short 0, 0 /* end tag */
    .long 8
mb2_header_end:

    /* Multiboot 1 (within the first 8 KiB of the image, 4-byte aligned). load_end_addr 0: the
     * whole file is loaded; bss_end_addr: the loader zeroes .bss up to it. */
    .section .multiboot1, "a"
    .balign 4
mb1_header:
    .long MB1_MAGIC
    .long MB1_FLAGS
    .long -(MB1_MAGIC + MB1_FLAGS)
    .long mb1_header     /* header_addr */
    .long __image_start  /* load_addr */
    .long 0              /* load_end_addr */
    .long __bss_end      /* bss_end_addr */
    .long _start         /* entry_addr */

    .section .text.boot, "ax"
    .code32
    .global _start
_start:
    cli
    cld
    mov %eax, %ebp            /* Multiboot2 or Multiboot 1 magic */
    mov %ebx, %esi            /* boot information (physical) */

    /* .bss holds the boot stack and the boot page tables: zero it first. */
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    shr $2, %ecx
    xor %eax, %eax
    rep stosl
    mov $boot_stack_top, %esp

    /* Long mode present? (CPUID 0x80000001 EDX bit 29) */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    bt $29, %edx
    jnc no_long_mode

    /* PML4[0] -> PDPT; PDPT[0..3] -> PD0..3; PDn[i] = 2 MiB page (n*1G + i*2M), P|RW|PS. */
    mov $boot_pml4, %edi
    mov $boot_pdpt, %eax
    or $3, %eax
    mov %eax, (%edi)
    mov $boot_pdpt, %edi
    mov $boot_pd, %eax
    or $3, %eax
    mov $4, %ecx
1:  mov %eax, (%edi)
    add $8, %edi
    add $0x1000, %eax
    loop 1b
    mov $boot_pd, %edi
    mov $0x83, %eax
    xor %edx, %edx
    mov $2048, %ecx
2:  mov %eax, (%edi)
    mov %edx, 4(%edi)
    add $8, %edi
    add $0x200000, %eax
    adc $0, %edx
    loop 2b

    mov %cr4, %eax
    or $(1 << 5), %eax        /* PAE */
    mov %eax, %cr4
    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx     /* EFER.LME */
    rdmsr
    or $(1 << 8), %eax
    wrmsr
    mov %cr0, %eax
    or $0x80010001, %eax      /* PG | WP | PE */
    mov %eax, %cr0

    lgdt boot_gdt_ptr
    ljmp $0x08, $long_mode_entry

no_long_mode:
    mov $no_lm_msg, %esi
3:  lodsb
    test %al, %al
    jz 4f
    mov $0x3f8, %dx
    out %al, %dx
    jmp 3b
4:  cli
    hlt
    jmp 4b

    .code64
long_mode_entry:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %eax, %eax
    mov %ax, %fs
    mov %ax, %gs
    mov $boot_stack_top, %rsp
    mov %ebp, %edi            /* zero-extends: kmain(uint32_t magic, uint64_t info) */
    mov %esi, %esi
    call kmain
5:  cli
    hlt
    jmp 5b

    .section .rodata
no_lm_msg:
    .asciz "ward: this CPU has no long mode (x86-64); cannot boot\n"
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff  /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff  /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
    .short boot_gdt_end - boot_gdt - 1
    .long boot_gdt

    .section .bss
    .balign 4096
boot_pml4:  .skip 4096
boot_pdpt:  .skip 4096
boot_pd:    .skip 4096 * 4
    /* The boot CPU's stack, with an unmapped guard page below it (paging.cpp): an overflow
     * faults, and the #DF handler reports it on its own IST stack. */
    .balign 4096
    .global boot_stack_guard
boot_stack_guard: .skip 4096
    .global boot_stack_top
boot_stack: .skip 65536
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
