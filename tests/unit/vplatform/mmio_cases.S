/* SPDX-License-Identifier: MIT */
/* Instructions encoded by GNU as, so the MMIO decoder is checked against the real assembler's
   encodings rather than against bytes typed by hand. Each case records [start, end). */
.macro mmio_case insn:vararg
    .pushsection .data.rel.ro.mmio_table, "aw"
    .quad 1f, 2f
    .popsection
1:  \insn
2:
.endm

    .section .rodata.mmio_code, "a"
    .pushsection .data.rel.ro.mmio_table, "aw"
    .globl mmio_table64
mmio_table64:
    .popsection
    .code64
    mmio_case mov (%rax), %eax
    mmio_case mov %edx, 0x300(%rax)
    mmio_case movl 0x7ee000b0, %ecx
    mmio_case movq %r9, 8(%rsp)
    mmio_case movb %ah, (%rdi)
    mmio_case movb %sil, (%rdi)
    mmio_case movw $0x1234, 2(%rbx)
    mmio_case movq $-1, (%rax)
    mmio_case movl $0xdeadbeef, 0x10(%r12)
    mmio_case movzbl (%rax), %r10d
    mmio_case movswq 0x20(%rbp), %rbx
    mmio_case movabs 0xfee00020, %eax
    mmio_case mov 0x1000(%rip), %eax
    mmio_case movl %eax, %fs:(%rbx)
    mmio_case mov %r15d, 0x12345678(%rax,%rbx,8)
    mmio_case movb (%rdx), %bh
    mmio_case movb $0x80, (%rcx)
    mmio_case movsbl (%rsi), %edx
    .pushsection .data.rel.ro.mmio_table, "aw"
    .globl mmio_table64_end
mmio_table64_end:
    .globl mmio_table32
mmio_table32:
    .popsection
    .code32
    mmio_case mov 0xfee00030, %eax
    mmio_case mov %ebx, 0x20(%esi)
    mmio_case movw %ax, (%ecx)
    mmio_case movl $7, 0xfee000b0
    .code64
    .pushsection .data.rel.ro.mmio_table, "aw"
    .globl mmio_table32_end
mmio_table32_end:
    .popsection
    .section .note.GNU-stack, "", @progbits
