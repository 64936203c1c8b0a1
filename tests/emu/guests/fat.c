/* SPDX-License-Identifier: MIT */
/* Ballast for the `fat` guest: a 3 MiB .bss, so the image cannot fit a 2 MiB domain. */
char fat_ballast[3 << 20] __attribute__((used));
