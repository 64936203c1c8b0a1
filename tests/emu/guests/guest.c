/* SPDX-License-Identifier: MIT */
/* Runtime of the test guests (see guest.h). */
#include "guest.h"

struct ward_hvm_start_info const *start_info;
static uint8_t hypercall_page[4096] __attribute__((aligned(4096)));

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

long hypercall(unsigned nr, uintptr_t a1, uintptr_t a2, uintptr_t a3, uintptr_t a4, uintptr_t a5)
{
    uintptr_t ax = (uintptr_t)(hypercall_page + nr * 32);
#ifdef __x86_64__
    register uintptr_t r10 __asm__("r10") = a4;
    register uintptr_t r8 __asm__("r8") = a5;
    __asm__ volatile("call *%%rax"
                     : "+a"(ax), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                     :
                     : "memory");
    return (long)ax;
#else
    __asm__ volatile("call *%%eax"
                     : "+a"(ax), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4), "+D"(a5)
                     :
                     : "memory");
    return (long)(int32_t)ax;
#endif
}

static int prefix(char const *s, char const *p, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (s[i] != p[i])
            return 0;
    return 1;
}

long domctl(uint32_t cmd, uint16_t domain, struct ward_domctl *dc)
{
    dc->cmd = cmd;
    dc->interface_version = WARD_DOMCTL_INTERFACE_VERSION;
    dc->domain = domain;
    return hypercall(WARD_HC_DOMCTL, (uint32_t)(uintptr_t)dc, 0, 0, 0, 0);
}

static int amd_vendor = -1;

long raw_hypercall(uint32_t nr)
{
    if (amd_vendor < 0) {
        uint32_t a, b, c, d;
        cpuid(0, &a, &b, &c, &d);
        amd_vendor = b == 0x68747541; /* "Auth" */
    }
    if (amd_vendor)
        __asm__ volatile("vmmcall" : "+a"(nr)::"memory");
    else
        __asm__ volatile("vmcall" : "+a"(nr)::"memory");
    return (long)(int32_t)nr;
}

static size_t length(char const *s)
{
    size_t n = 0;
    while (s[n])
        ++n;
    return n;
}

void print(char const *s)
{
    hypercall(WARD_HC_CONSOLE_IO, WARD_CONSOLEIO_WRITE, (uint32_t)length(s), (uint32_t)(uintptr_t)s,
              0, 0);
}

void println(char const *s)
{
    print(s);
    print("\n");
}

void print_hex(uint64_t v)
{
    char buf[19];
    buf[0] = '0';
    buf[1] = 'x';
    for (int i = 0; i < 16; ++i)
        buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
    buf[18] = 0;
    print(buf);
}

void print_dec(uint32_t v)
{
    char buf[11];
    int i = 10;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    print(buf + i);
}

static void print_signed(long v)
{
    if (v < 0) {
        print("-");
        print_dec((uint32_t)-v);
    } else {
        print_dec((uint32_t)v);
    }
}

void check(char const *name, long got, long want)
{
    print("check ");
    print(name);
    if (got == want) {
        println(" ok");
        return;
    }
    print(" FAILED: got ");
    print_signed(got);
    print(" want ");
    print_signed(want);
    println("");
}

int cmdline_value(char const *key, char *buf, size_t size)
{
    char const *s = (char const *)(uintptr_t)start_info->cmdline_paddr;
    size_t const klen = length(key);
    if (!s)
        return 0;
    for (size_t i = 0; s[i]; ++i) {
        if ((i == 0 || s[i - 1] == ' ') && prefix(s + i, key, klen) && s[i + klen] == '=') {
            size_t n = 0;
            for (char const *v = s + i + klen + 1; *v && *v != ' ' && n + 1 < size; ++v)
                buf[n++] = *v;
            buf[n] = 0;
            return 1;
        }
    }
    return 0;
}

uint32_t cmdline_number(char const *key, uint32_t fallback)
{
    char buf[16];
    if (!cmdline_value(key, buf, sizeof buf))
        return fallback;
    uint32_t v = 0;
    for (char const *p = buf; *p >= '0' && *p <= '9'; ++p)
        v = v * 10 + (uint32_t)(*p - '0');
    return v;
}

uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

void spin(uint32_t iterations)
{
    for (volatile uint32_t i = 0; i < iterations; ++i)
        ;
}

void shutdown(uint32_t reason)
{
    struct ward_sched_shutdown s = {reason};
    hypercall(WARD_HC_SCHED_OP, WARD_SCHEDOP_SHUTDOWN, (uint32_t)(uintptr_t)&s, 0, 0, 0);
    for (;;)
        __asm__ volatile("cli; hlt");
}

static int setup_hypercall_page(void)
{
    uint32_t a, b, c, d;
    cpuid(WARD_CPUID_BASE, &a, &b, &c, &d);
    if (b != 0x566e6558 || c != 0x65584d4d || d != 0x4d4d566e || a < WARD_CPUID_BASE + 2)
        return 0;
    cpuid(WARD_CPUID_BASE + 2, &a, &b, &c, &d);
    uint32_t const page = (uint32_t)(uintptr_t)hypercall_page;
    __asm__ volatile("wrmsr" ::"c"(b), "a"(page), "d"(0));
    return 1;
}

/* Called from start.S with the hvm_start_info pointer. */
void guest_entry(struct ward_hvm_start_info const *si)
{
    start_info = si;
    if (!setup_hypercall_page()) {
        /* No Xen signature: say so on the Xen debug port and stop. */
        for (char const *m = "no Xen CPUID signature\n"; *m; ++m)
            __asm__ volatile("outb %0, $0xe9" ::"a"(*m));
        for (;;)
            __asm__ volatile("cli; hlt");
    }
    if (si->magic != WARD_HVM_START_MAGIC || si->version < 1) {
        println("bad hvm_start_info");
        shutdown(WARD_SHUTDOWN_CRASH);
    }
    guest_main();
    shutdown(WARD_SHUTDOWN_POWEROFF);
}
