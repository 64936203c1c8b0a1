/* SPDX-License-Identifier: MIT */
/* The counter guest's ELF file, carried as data by the creator guest. */
    .section .rodata
    .balign 16
    .globl counter_image, counter_image_end
counter_image:
    .incbin COUNTER_ELF
counter_image_end:
    .section .note.GNU-stack, "", @progbits
