#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes the seed corpora for the hypervisor fuzz targets: a few small, valid ELF images with
# Xen PVH notes (ELF64 shaped like Linux's vmlinux, an ELF32 test guest, notes only in section
# headers), Multiboot2 information blocks, module/hypervisor command lines, and event
# channel / grant table operation sequences (4-byte records: domain, op, 16-bit argument).
# Run from this folder: ./make_seeds.py (the output is committed; every seed is < 2 KB).
import os
import struct


def note(name, ntype, desc, align=4):
    n = name.encode() + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % align)  # offsets count from the note's start
    return pad(pad(struct.pack("<III", len(n), len(desc), ntype) + n) + desc)


def elf(elf64, segments, entry, sections=None):
    """segments: (type, flags, paddr, data, memsz, align)"""
    ehsize, phent = (64, 56) if elf64 else (52, 32)
    off = ehsize + phent * len(segments)
    phdrs, body = b"", b""
    for (ptype, flags, paddr, data, memsz, align) in segments:
        o = off + len(body)
        if elf64:
            phdrs += struct.pack("<IIQQQQQQ", ptype, flags, o, paddr, paddr, len(data), memsz, align)
        else:
            phdrs += struct.pack("<IIIIIIII", ptype, o, paddr, paddr, len(data), memsz, flags, align)
        body += data
    shoff, shnum, shdrs = 0, 0, b""
    if sections:
        base = off + len(body)
        for data in sections:
            body += data
        shoff = off + len(body)
        shnum = 1 + len(sections)
        shdrs = b"\0" * (64 if elf64 else 40)
        pos = base
        for data in sections:
            if elf64:
                shdrs += struct.pack("<IIQQQQIIQQ", 0, 7, 0, 0, pos, len(data), 0, 0, 4, 0)
            else:
                shdrs += struct.pack("<IIIIIIIIII", 0, 7, 0, 0, pos, len(data), 0, 0, 4, 0)
            pos += len(data)
    ident = b"\x7fELF" + bytes([2 if elf64 else 1, 1, 1]) + b"\0" * 9
    if elf64:
        hdr = ident + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, entry, ehsize, shoff, 0, ehsize,
                                  phent, len(segments), 64, shnum, 0)
    else:
        hdr = ident + struct.pack("<HHIIIIIHHHHHH", 2, 3, 1, entry, ehsize, shoff, 0, ehsize,
                                  phent, len(segments), 40, shnum, 0)
    return hdr + phdrs + body + shdrs


def code(n):
    return bytes((i * 7 + 1) & 0xFF for i in range(n))


def elf_seeds():
    notes = (note("GNU", 3, b"\0" * 20) + note("Xen", 6, b"linux\0") +
             note("Xen", 18, struct.pack("<Q", 0x1000010)) +
             note("Xen", 2, struct.pack("<Q", 0xFFFFFFFF81001000)) +
             note("Xen", 1, struct.pack("<Q", 0xFFFFFFFF81000000)))
    yield "linux_like64.elf", elf(True, [(1, 5, 0x1000000, code(256), 256, 0x1000),
                                        (1, 6, 0x1001000, code(64), 0x3000, 0x1000),
                                        (4, 4, 0, notes, len(notes), 4)], 0x1000000)
    yield "guest32.elf", elf(False, [(1, 7, 0x100000, code(128), 0x2000, 0x1000),
                                     (4, 4, 0, note("Xen", 18, struct.pack("<I", 0x100000)), 20, 4)],
                             0x100000)
    yield "notes_in_sections.elf", elf(True, [(1, 5, 0x200000, code(64), 64, 0x1000)], 0x200000,
                                       sections=[note("Xen", 18, struct.pack("<I", 0x200010))])
    yield "aligned8_notes.elf", elf(True, [(1, 5, 0x300000, code(32), 32, 0x1000),
                                           (4, 4, 0, note("Xen", 18, struct.pack("<I", 0x300000), 8),
                                            24, 8)], 0x300000)
    full = elf(True, [(1, 5, 0x1000000, code(256), 256, 0x1000)], 0x1000000)
    yield "truncated_phdrs.elf", full[:80]
    yield "no_pvh_note.elf", full


def mb2_tag(ttype, payload):
    t = struct.pack("<II", ttype, 8 + len(payload)) + payload
    return t + b"\0" * (-len(t) % 8)


def mb2(tags):
    body = b"".join(tags) + mb2_tag(0, b"")
    return struct.pack("<II", 8 + len(body), 0) + body


def rsdp_v1():
    r = bytearray(b"RSD PTR " + b"\0" * 12)
    r[9:15] = b"BOCHS "
    struct.pack_into("<I", r, 16, 0xE0000)
    r[8] = (-sum(r)) & 0xFF
    return bytes(r)


def mb2_seeds():
    mmap = struct.pack("<II", 24, 0) + b"".join(
        struct.pack("<QQII", b, l, t, 0) for (b, l, t) in
        [(0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0x100000, 0x7EE0000, 1), (0xFFFC0000, 0x40000, 2)])
    mod = lambda s, e, c: mb2_tag(3, struct.pack("<II", s, e) + c.encode() + b"\0")
    yield "grub_typical.bin", mb2([mb2_tag(1, b"serial=com1 bench\0"), mb2_tag(2, b"GRUB 2.06\0"),
                                   mb2_tag(6, mmap),
                                   mod(0x400000, 0x401000, "name=alpha label=alpha_t mem=4M"),
                                   mod(0x401000, 0x402000, "name=beta mem=8M caps=console"),
                                   mb2_tag(14, rsdp_v1())])
    yield "mmap_only.bin", mb2([mb2_tag(6, mmap)])
    yield "overlapping_modules.bin", mb2([mb2_tag(6, mmap), mod(0x400000, 0x402000, "name=a mem=2M"),
                                          mod(0x401000, 0x403000, "name=b mem=2M")])


def cmdline_seeds():
    yield "example.txt", b"name=personal label=personal_t mem=32M caps=console,create vcpus=1 type=pvh"
    yield "guest_args.txt", b"name=linux1 mem=256M -- console=hvc0 root=/dev/ram0 quiet"
    yield "initrd.txt", b"initrd_for=linux1"
    yield "hv_options.txt", b"/boot/ward-hv serial=com1 slice_us=10000 bench test=isolation"
    yield "bad.txt", b"name=1bad mem=4T caps=root,,console"


def channel_seeds():
    rec = lambda dom, op, arg: bytes([dom, op, arg & 0xFF, arg >> 8])
    # domain 0 (id 1) allocates a port for id 2; domain 1 binds it (remote port 1) and sends.
    yield "bind_and_send.bin", (rec(0, 0, 1) + rec(1, 1, (1 << 2) | 0) + rec(1, 5, 1) +
                                rec(0, 5, 1) + rec(0, 6, 1) + rec(1, 4, 1) + rec(0, 5, 1))
    # id 1 grants ref 3 (permit_access) to id 2, which maps, the granter tries to end it,
    # the mapper unmaps, and the granter ends it.
    grant = 3 | (1 << 6) | (0x10 << 9)
    yield "grant_map_unmap.bin", (rec(0, 7, grant) + rec(1, 8, (3 << 2) | 1) + rec(0, 10, 3) +
                                  rec(1, 9, 0) + rec(0, 10, 3) + rec(1, 9, 0))
    yield "virq_ipi_death.bin", (rec(2, 2, 0) + rec(2, 3, 1) + rec(2, 11, 0) + rec(2, 5, 2) +
                                 rec(0, 0, 2) + rec(2, 1, 1 << 2) + rec(2, 12, 0) + rec(0, 5, 1))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for folder, seeds in (("elf", elf_seeds()), ("multiboot2", mb2_seeds()),
                          ("cmdline", cmdline_seeds()), ("channels", channel_seeds())):
        out = os.path.join(here, "corpus", folder)
        os.makedirs(out, exist_ok=True)
        for name, data in seeds:
            assert len(data) < 20 * 1024
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
