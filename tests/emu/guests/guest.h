/* SPDX-License-Identifier: MIT */
/* The tiny runtime of Ward's test guests: hypercalls through the Xen hypercall page, console
 * output, numbers in hex and decimal (32-bit), the guest command line, result checks. */
#ifndef WARD_TEST_GUEST_H
#define WARD_TEST_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "ward/abi/xen.h"

extern struct ward_hvm_start_info const *start_info;

/* Hypercall number nr with up to five arguments: EBX, ECX, EDX, ESI, EDI in the 32-bit guests,
 * RDI, RSI, RDX, R10, R8 in the 64-bit one. */
long hypercall(unsigned nr, uintptr_t a1, uintptr_t a2, uintptr_t a3, uintptr_t a4, uintptr_t a5);

/* The hypercall instruction itself (VMMCALL on AMD, VMCALL on Intel, picked from the CPUID
 * vendor as Linux does), bypassing the hypercall page: EAX = nr. Returns EAX. */
long raw_hypercall(uint32_t nr);

/* domctl with Xen's header (interface version 0x15); the payload in/out is dc->u. */
long domctl(uint32_t cmd, uint16_t domain, struct ward_domctl *dc);

void print(char const *s);  /* console_io write */
void print_hex(uint64_t v); /* 0x... */
void print_dec(uint32_t v);
void println(char const *s);
/* "check NAME ok" or "check NAME FAILED: got X want Y" */
void check(char const *name, long got, long want);

/* The value of key=... in the guest command line, copied into buf; 0 if absent. */
int cmdline_value(char const *key, char *buf, size_t size);
uint32_t cmdline_number(char const *key, uint32_t fallback);

uint64_t rdtsc(void);
void spin(uint32_t iterations);
void shutdown(uint32_t reason); /* does not return */

/* Each guest's main. */
void guest_main(void);

#endif
