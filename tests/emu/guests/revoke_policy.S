/* SPDX-License-Identifier: MIT */
/* The binary policy the revoke guest's admin role loads at run time (REVOKE_POLICY: built by
 * tests/emu/channels from separated.xml with ward-policy). */
    .section .rodata
    .balign 16
    .globl policy_image, policy_image_end
policy_image:
    .incbin REVOKE_POLICY
policy_image_end:
    .section .note.GNU-stack, "", @progbits
