/* SPDX-License-Identifier: MIT */
/* vchan_bench: two domains over vchan_guest (libxenvchan layout on grants and event channels).
 *   role=server peer=ID  grants one channel per ring size, streams `kib` KiB through each, then
 *       takes an event upcall (HVM_PARAM_CALLBACK_IRQ vector, SCHEDOP_block) and echoes events
 *       for the round-trip measurement.
 *   role=client peer=ID  connects to each channel, reads (checking every byte when verify=1),
 *       and prints "bench ..." lines: cycles per stream against a memcpy of the same size, and
 *       the notify round trip against a null hypercall (xen_version).
 * Checks print "check NAME ok|FAILED". */
#include "guest.h"
#include "vchan_guest.h"

#define NCHAN 4
#define GNTTAB_GPA 0xe0000000u
#define WINDOW 0xe0200000u
#define UPCALL_VECTOR 0xf3

static uint16_t const right_orders[NCHAN] = {11, 12, 14, 16};
static uint32_t const chan_pages[NCHAN] = {1, 2, 5, 17};
static uint8_t shared_info[4096] __attribute__((aligned(4096)));
static uint8_t pages[25 * 4096] __attribute__((aligned(4096)));
static uint8_t src[65536], dst[65536];
static struct vchan chans[NCHAN];
static volatile uint32_t upcalls;

static uint8_t pattern(uint32_t i)
{
    return (uint8_t)(i * 7u + (i >> 12));
}

/* The upcall: count it and clear evtchn_upcall_pending (port bits stay for polling). */
void upcall_handler(void)
{
    ++upcalls;
    __atomic_store_n(&shared_info[0], 0, __ATOMIC_SEQ_CST);
}
__asm__(
    ".text\n.globl upcall_stub\nupcall_stub:\n pusha\n cld\n call upcall_handler\n popa\n iret\n");
void upcall_stub(void);

static struct
{
    uint16_t lo, sel;
    uint8_t zero, type;
    uint16_t hi;
} idt[256] __attribute__((aligned(8)));

/* PVH enters with flat segments but no GDT the guest may rely on: an interrupt gate reloads CS
 * from the GDT, so load one (null, flat code 0x08, flat data 0x10) first. */
static uint64_t const gdt[3]
    __attribute__((aligned(8))) = {0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull};

static void load_gdt(void)
{
    struct __attribute__((packed))
    {
        uint16_t limit;
        uint32_t base;
    } g = {sizeof gdt - 1, (uint32_t)(uintptr_t)gdt};
    __asm__ volatile("lgdt %0\n"
                     "ljmp $0x08, $1f\n"
                     "1: mov $0x10, %%eax\n"
                     "mov %%eax, %%ds\n mov %%eax, %%es\n mov %%eax, %%ss\n"
                     "mov %%eax, %%fs\n mov %%eax, %%gs\n"
                     :
                     : "m"(g)
                     : "eax", "memory");
}

static void install_upcall(void)
{
    load_gdt();
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    uint32_t const h = (uint32_t)(uintptr_t)upcall_stub;
    idt[UPCALL_VECTOR].lo = (uint16_t)h;
    idt[UPCALL_VECTOR].hi = (uint16_t)(h >> 16);
    idt[UPCALL_VECTOR].sel = cs;
    idt[UPCALL_VECTOR].type = 0x8e; /* present, 32-bit interrupt gate */
    struct __attribute__((packed))
    {
        uint16_t limit;
        uint32_t base;
    } d = {sizeof idt - 1, (uint32_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" : : "m"(d));
    struct
    {
        uint16_t domid, pad;
        uint32_t index;
        uint64_t value;
    } p = {0x7ff0, 0, 0, (2ull << 56) | UPCALL_VECTOR};
    check("callback_vector_set", hypercall(34, 0 /* HVMOP_set_param */, (uintptr_t)&p, 0, 0, 0), 0);
}

static void yield(void)
{
    hypercall(WARD_HC_SCHED_OP, WARD_SCHEDOP_YIELD, 0, 0, 0, 0);
}

static int wait_port(uint32_t port)
{
    for (uint32_t i = 0; i < 100000; ++i) {
        if (vchan_event_pending(port))
            return 1;
        yield();
    }
    return 0;
}

static void server(void)
{
    uint16_t const peer = (uint16_t)cmdline_number("peer", 2);
    uint32_t const total = cmdline_number("kib", 1024) * 1024;
    uint32_t const rtts = cmdline_number("rtts", 200);
    check("shared_info_placed", vchan_place_shared_info(shared_info), 0);
    check("grant_table_placed", vchan_place_grant_table(GNTTAB_GPA), 0);
    for (uint32_t i = 0; i < sizeof src; ++i)
        src[i] = pattern(i);
    uint32_t page = 0, gref = 1;
    for (int c = 0; c < NCHAN; ++c) {
        check("server_init",
              vchan_server_init(&chans[c], peer, gref, pages + page * 4096, 10, right_orders[c]),
              0);
        page += chan_pages[c];
        gref += chan_pages[c];
    }
    long const rp = vchan_evtchn_alloc_unbound(peer);
    check("rtt_port_allocated", rp == NCHAN + 1, 1); /* the client binds it by number */
    uint32_t const rtt_port = (uint32_t)rp;
    println("server ready");
    for (int c = 0; c < NCHAN; ++c) {
        struct vchan *v = &chans[c];
        uint32_t t = 0;
        while (v->ctrl->cli_live != 1 && t++ < 100000)
            vchan_wait(v, 1);
        for (uint32_t sent = 0; sent < total;) {
            uint32_t const off = sent % sizeof src;
            uint32_t want = total - sent < sizeof src - off ? total - sent : sizeof src - off;
            uint32_t const n = vchan_write(v, src + off, want);
            sent += n;
            if (n == 0 && !vchan_wait(v, 100000))
                break;
        }
    }
    /* The upcall: the client sends one event once it has read everything. */
    install_upcall();
    __asm__ volatile("sti");
    for (uint32_t i = 0; i < 1000 && upcalls == 0; ++i)
        hypercall(WARD_HC_SCHED_OP, WARD_SCHEDOP_BLOCK, 0, 0, 0, 0);
    check("upcall_delivered", upcalls > 0, 1);
    /* The round trip runs on its own channel, so no stale stream notification can pose as a
     * ping: consume the wake, say "ready", then echo strictly one event per event. */
    check("wake_seen", wait_port(rtt_port), 1);
    vchan_evtchn_send(rtt_port);
    uint32_t echoed = 0;
    for (uint32_t i = 0; i < rtts; ++i) {
        if (!wait_port(rtt_port))
            break;
        vchan_evtchn_send(rtt_port);
        ++echoed;
    }
    check("echoes", echoed, rtts);
    for (int c = 0; c < NCHAN; ++c)
        vchan_close(&chans[c]);
    println("server done");
}

static void client(void)
{
    uint16_t const peer = (uint16_t)cmdline_number("peer", 1);
    uint32_t const total = cmdline_number("kib", 1024) * 1024;
    uint32_t const verify = cmdline_number("verify", 1);
    uint32_t const rtts = cmdline_number("rtts", 200);
    check("shared_info_placed", vchan_place_shared_info(shared_info), 0);
    uint32_t gref = 1;
    for (int c = 0; c < NCHAN; ++c) {
        long r = -1;
        for (uint32_t t = 0; t < 100000 && r != 0; ++t) {
            r = vchan_client_init(&chans[c], peer, gref, (uint32_t)c + 1,
                                  WINDOW + (uint32_t)c * 0x100000u);
            if (r != 0)
                yield();
        }
        check("client_init", r, 0);
        gref += chan_pages[c];
    }
    long rp = -1;
    for (uint32_t t = 0; t < 100000 && rp < 0; ++t)
        if ((rp = vchan_evtchn_bind(peer, NCHAN + 1)) < 0)
            yield();
    check("rtt_port_bound", rp > 0, 1);
    uint32_t const rtt_port = (uint32_t)rp;
    /* Binding raises the new port once (Xen's "no lost wakeup" rule); that is not a ready. */
    check("bind_raised_port", vchan_event_pending(rtt_port), 1);
    for (int c = 0; c < NCHAN; ++c) {
        struct vchan *v = &chans[c];
        uint32_t bad = 0, got = 0;
        uint64_t const t0 = rdtsc();
        while (got < total) {
            uint32_t const n = vchan_read(v, dst, sizeof dst);
            if (verify)
                for (uint32_t i = 0; i < n; ++i)
                    bad += dst[i] != pattern((got + i) % sizeof src);
            got += n;
            if (n == 0 && !vchan_wait(v, 100000))
                break;
        }
        uint64_t const cycles = rdtsc() - t0;
        check("vchan_bytes_received", got, total);
        check("vchan_bytes_mismatched", bad, 0);
        print("bench vchan ring ");
        print_dec(1u << right_orders[c]);
        print(" bytes ");
        print_dec(got);
        print(" cycles ");
        print_dec((uint32_t)(cycles >> 8));
        println(" /256");
    }
    /* memcpy of the same size inside this domain. */
    uint64_t const m0 = rdtsc();
    for (uint32_t done = 0; done < total; done += sizeof dst) {
        __asm__ volatile("" ::: "memory");
        for (uint32_t i = 0; i < sizeof dst; i += 4)
            *(volatile uint32_t *)(dst + i) = *(uint32_t const *)(src + i);
    }
    uint64_t const mc = rdtsc() - m0;
    print("bench memcpy bytes ");
    print_dec(total);
    print(" cycles ");
    print_dec((uint32_t)(mc >> 8));
    println(" /256");
    /* Wake the server (its upcall), then the round trip once it says its echo loop is live. */
    vchan_evtchn_send(rtt_port);
    check("echo_ready", wait_port(rtt_port), 1);
    uint64_t const r0 = rdtsc();
    uint32_t ok = 0;
    for (uint32_t i = 0; i < rtts; ++i) {
        vchan_evtchn_send(rtt_port);
        if (!wait_port(rtt_port))
            break;
        ++ok;
    }
    uint64_t const rc = rdtsc() - r0;
    check("round_trips", ok, rtts);
    uint64_t const n0 = rdtsc();
    for (uint32_t i = 0; i < rtts; ++i)
        hypercall(WARD_HC_XEN_VERSION, 0, 0, 0, 0, 0);
    uint64_t const nc = rdtsc() - n0;
    print("bench notify_rtt count ");
    print_dec(rtts);
    print(" cycles ");
    print_dec((uint32_t)(rc >> 8));
    println(" /256");
    print("bench null_hypercall count ");
    print_dec(rtts);
    print(" cycles ");
    print_dec((uint32_t)(nc >> 8));
    println(" /256");
    uint32_t t = 0;
    while (vchan_is_open(&chans[0]) && t++ < 100000)
        vchan_wait(&chans[0], 1);
    print("waited for the close: ");
    print_dec(t);
    println(" turns");
    check("peer_closed_seen", vchan_is_open(&chans[0]), 0);
    println("client done");
}

void guest_main(void)
{
    char role[16];
    if (!cmdline_value("role", role, sizeof role))
        role[0] = '\0';
    if (role[0] == 's')
        server();
    else
        client();
    shutdown(0);
}
